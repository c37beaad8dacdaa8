"""Advertisers, their time zone and currency: ``/advertiser/info/`` (``marketing_api.md`` §3.1).

``advertiser_ids`` is a JSON-encoded list in the query string; we send 100 per call, as Airbyte
does. The answer's ``list`` rows carry ``timezone`` (IANA name; report days are in it),
``display_timezone``, ``currency`` (every money metric of the account is in it), ``status``,
``name``, ``company``, ``balance`` and ``create_time``. :meth:`Advertisers.discover` chains
``/oauth2/advertiser/get/`` (app id + secret) with ``/advertiser/info/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pydantic import SecretStr

from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing._wire import chunked, sids
from tokops.tiktok.marketing.models import Advertiser
from tokops.tiktok.marketing.oauth import OAuth

__all__ = ["INFO_BATCH", "Advertisers"]

INFO_BATCH: Final = 100


class Advertisers:
    """Advertiser look-ups."""

    def __init__(self, api: ApiClient, oauth: OAuth | None = None) -> None:
        self.api = api
        self.oauth = oauth or OAuth(api)

    def info(
        self, advertiser_ids: Sequence[str], *, fields: Sequence[str] | None = None
    ) -> list[Advertiser]:
        """Details of these advertisers, including ``timezone`` and ``currency``."""
        out: list[Advertiser] = []
        for chunk in chunked(sids(advertiser_ids, name="advertiser_ids"), INFO_BATCH):
            params: dict[str, object] = {"advertiser_ids": chunk}
            if fields:
                params["fields"] = list(fields)
            data = self.api.get("advertiser/info/", params=params)
            rows = data.get("list") if isinstance(data, dict) else data
            out.extend(Advertiser.model_validate(r) for r in rows or [])
        return out

    def discover(self, app_id: str, secret: SecretStr) -> list[Advertiser]:
        """Every advertiser that authorised the app, with its details (not in the sandbox)."""
        ids = [a.advertiser_id for a in self.oauth.authorized_advertisers(app_id, secret)]
        return self.info(ids) if ids else []

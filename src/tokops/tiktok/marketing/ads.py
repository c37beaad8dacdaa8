"""Ads: ``/ad/get|create|update|status/update/`` (``marketing_api.md`` §3.1, §3.6, §4).

``/ad/create/`` takes ``advertiser_id``, ``adgroup_id`` and a list of ``creatives``; it answers
``{ad_ids, creatives: [full ad objects]}``. It has its own limit of 5 QPS on the basic tier
(§1.6), so creation goes through a dedicated limiter on top of the app-wide one, and more than 50
ads in an ad group is refused with 40502.

Spark ads (SPK-1, SPK-5): ``identity_type`` ``AUTH_CODE`` | ``TT_USER`` | ``BC_AUTH_TT`` with the
post's ``tiktok_item_id``; the caption and display name come from the post, so ``ad_text`` is not
allowed, and ``BC_AUTH_TT`` needs ``identity_authorized_bc_id``. These rules are checked before
sending. ``request_id`` is **not** sent by default: §1.4 confirms it for campaign, ad group and
GMV Max creation only (pass one explicitly to opt in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from tokops.tiktok._http import ApiClient, RateLimiter
from tokops.tiktok.marketing._objects import ObjectResource
from tokops.tiktok.marketing._wire import RequestIdFactory, json_body, new_request_id, sid
from tokops.tiktok.marketing.models import Ad

__all__ = ["AD_CREATE_QPS", "SPARK_IDENTITY_TYPES", "Ads", "check_creative"]

AD_CREATE_QPS: Final = 5.0
SPARK_IDENTITY_TYPES: Final = frozenset({"AUTH_CODE", "TT_USER", "BC_AUTH_TT"})
AD_FORMATS: Final = frozenset({"SINGLE_IMAGE", "SINGLE_VIDEO", "LIVE_CONTENT", "CAROUSEL"})


def check_creative(creative: Mapping[str, Any]) -> None:
    """Refuse a creative the API would refuse for a reason we can see (§3.6, §4, SPK-5)."""
    fmt = creative.get("ad_format")
    if fmt is not None and fmt not in AD_FORMATS:
        raise ValueError(f"ad_format must be one of {', '.join(sorted(AD_FORMATS))}")
    spark = creative.get("tiktok_item_id") is not None
    if spark:
        if creative.get("identity_type") not in SPARK_IDENTITY_TYPES:
            raise ValueError("a Spark ad needs identity_type AUTH_CODE, TT_USER or BC_AUTH_TT")
        if not creative.get("identity_id"):
            raise ValueError("a Spark ad needs the identity_id of the post's owner")
        if creative.get("ad_text"):
            raise ValueError("a Spark ad takes its caption from the post: leave ad_text out")
    elif creative.get("ad_text") is not None and not 1 <= len(str(creative["ad_text"])) <= 100:
        raise ValueError("ad_text has 1..100 characters")
    if creative.get("identity_type") == "BC_AUTH_TT" and not creative.get(
        "identity_authorized_bc_id"
    ):
        raise ValueError("identity_type BC_AUTH_TT needs identity_authorized_bc_id")


class Ads(ObjectResource[Ad]):
    """Typed ad calls; creation is paced by its own 5 QPS limiter."""

    kind = "ad"
    id_key = "ad_id"
    ids_key = "ad_ids"
    model = Ad

    def __init__(
        self,
        api: ApiClient,
        *,
        request_ids: RequestIdFactory = new_request_id,
        create_limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(api, request_ids=request_ids)
        self.create_limiter = create_limiter or RateLimiter(AD_CREATE_QPS)

    def create(
        self,
        advertiser_id: str,
        adgroup_id: str,
        creatives: Sequence[Mapping[str, Any]],
        *,
        request_id: str | None = None,
    ) -> list[Ad]:
        """Create ads in one ad group; returns the created ads (``data.creatives``)."""
        if not creatives:
            raise ValueError("create needs at least one creative")
        for creative in creatives:
            check_creative(creative)
        body: dict[str, Any] = {
            "advertiser_id": sid(advertiser_id, name="advertiser_id"),
            "adgroup_id": sid(adgroup_id, name="adgroup_id"),
            "creatives": [dict(c) for c in creatives],
            "request_id": request_id,
        }
        self.create_limiter.acquire()
        data = self.api.post("ad/create/", json=json_body(body))
        data = data if isinstance(data, dict) else {}
        created = data.get("creatives")
        if isinstance(created, list) and created:
            return [Ad.model_validate(c) for c in created]
        return [Ad.model_validate({"ad_id": i}) for i in data.get("ad_ids") or []]

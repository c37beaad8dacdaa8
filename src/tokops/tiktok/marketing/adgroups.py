"""Ad groups: ``/adgroup/get|create|update|status/update/`` (``marketing_api.md`` §3.1, §3.4).

Schedule times are ``"YYYY-MM-DD HH:MM:SS"`` in **UTC** (§3.4), unlike report days, which are in
the ad account's time zone. A Spark or Shop ad group carries its ``identity_id`` /
``identity_type`` (and ``identity_authorized_bc_id`` for ``BC_AUTH_TT``).
"""

from __future__ import annotations

from typing import Any, Final

from tokops.tiktok.marketing._objects import ObjectResource
from tokops.tiktok.marketing._wire import sid
from tokops.tiktok.marketing.models import AdGroup

__all__ = ["AdGroups"]

MAX_NAME_LENGTH: Final = 512  # same cap as campaigns (assumed: §3.4 gives none)


class AdGroups(ObjectResource[AdGroup]):
    """Typed ad group calls."""

    kind = "adgroup"
    id_key = "adgroup_id"
    ids_key = "adgroup_ids"
    model = AdGroup

    def create(
        self,
        advertiser_id: str,
        campaign_id: str,
        adgroup_name: str,
        *,
        request_id: str | None = None,
        **fields: Any,
    ) -> AdGroup:
        """Create an ad group with the §3.4 fields given in *fields* (targeting, budget …)."""
        if not adgroup_name.strip() or len(adgroup_name) > MAX_NAME_LENGTH:
            raise ValueError(f"adgroup_name has 1..{MAX_NAME_LENGTH} characters")
        if fields.get("identity_type") == "BC_AUTH_TT" and not fields.get(
            "identity_authorized_bc_id"
        ):
            raise ValueError("identity_type BC_AUTH_TT needs identity_authorized_bc_id (§4)")
        body = {
            "advertiser_id": sid(advertiser_id, name="advertiser_id"),
            "campaign_id": sid(campaign_id, name="campaign_id"),
            "adgroup_name": adgroup_name,
            **fields,
        }
        return AdGroup.model_validate(self._create(body, request_id))

"""Campaigns: ``/campaign/get|create|update|status/update/`` (``marketing_api.md`` §3.1–3.3).

``objective_type`` cannot change after creation. ``/campaign/get/`` leaves TopView out unless
asked: ``buying_types`` defaults to ``[AUCTION, RESERVATION_RF]`` and ``RESERVATION_TOP_VIEW``
must be requested alone (§3.1), so :meth:`Campaigns.iter_all` makes that second pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from tokops.tiktok.marketing._objects import ObjectResource
from tokops.tiktok.marketing._wire import sid
from tokops.tiktok.marketing.models import Campaign

__all__ = ["BUDGET_MODES", "OBJECTIVES", "Campaigns"]

#: Objectives a new campaign may use (§3.2); legacy ones are read-only.
OBJECTIVES: Final = frozenset(
    "REACH TRAFFIC VIDEO_VIEWS ENGAGEMENT LEAD_GENERATION APP_PROMOTION WEB_CONVERSIONS "
    "PRODUCT_SALES RF_REACH".split()
)
BUDGET_MODES: Final = frozenset(
    "BUDGET_MODE_INFINITE BUDGET_MODE_DAY BUDGET_MODE_TOTAL "
    "BUDGET_MODE_DYNAMIC_DAILY_BUDGET".split()
)
MAX_NAME_LENGTH: Final = 512


class Campaigns(ObjectResource[Campaign]):
    """Typed campaign calls. IDs are strings; budgets are ``Decimal``."""

    kind = "campaign"
    id_key = "campaign_id"
    ids_key = "campaign_ids"
    model = Campaign

    def iter_all(
        self,
        advertiser_id: str,
        *,
        filtering: Mapping[str, Any] | None = None,
        include_deleted: bool = False,
        fields: Sequence[str] | None = None,
    ) -> Iterator[Campaign]:
        """Every campaign, TopView included: one pass per buying-type group (§3.1)."""
        base = {k: v for k, v in (filtering or {}).items() if k != "buying_types"}
        for types in (["AUCTION", "RESERVATION_RF"], ["RESERVATION_TOP_VIEW"]):
            yield from self.iter(
                advertiser_id,
                filtering={**base, "buying_types": types},
                include_deleted=include_deleted,
                fields=fields,
            )

    def create(
        self,
        advertiser_id: str,
        campaign_name: str,
        objective_type: str,
        *,
        budget_mode: str | None = None,
        budget: Decimal | None = None,
        operation_status: str | None = None,
        request_id: str | None = None,
        **fields: Any,
    ) -> Campaign:
        """Create a campaign; *request_id* (made up when not given) makes a retry safe (§1.4).

        Pass the same *request_id* again to retry a create whose answer was lost; TikTok then
        returns the first result or 40050 (:class:`~tokops.errors.DuplicateRequestError`).
        """
        if not campaign_name.strip() or len(campaign_name) > MAX_NAME_LENGTH:
            raise ValueError(f"campaign_name has 1..{MAX_NAME_LENGTH} characters")
        if objective_type not in OBJECTIVES:
            raise ValueError(f"objective_type must be one of {', '.join(sorted(OBJECTIVES))}")
        if budget_mode is not None and budget_mode not in BUDGET_MODES:
            raise ValueError(f"budget_mode must be one of {', '.join(sorted(BUDGET_MODES))}")
        if budget is not None and budget <= 0:
            raise ValueError("budget must be positive")
        body = {
            "advertiser_id": sid(advertiser_id, name="advertiser_id"),
            "campaign_name": campaign_name,
            "objective_type": objective_type,
            "budget_mode": budget_mode,
            "budget": budget,
            "operation_status": operation_status,
            **fields,
        }
        return Campaign.model_validate(self._create(body, request_id))

"""Business rules shared by the create/update endpoints (``marketing_api.md`` §3.2–3.6, SPK-4).

Budget minimums are in USD scaled by the currency's ratio (§3.3): campaign daily/total
budget > 50 (10 for PRODUCT_SALES from a store), ad group daily > 20, everything < 10,000,000.
A budget update must stay ≥ 105 % of what was already spent. Which optimisation goals an
objective accepts and which objectives a Spark ad may run under (SPK-4) are tables below;
**[EMU]** where TikTok's full matrix is not documented, the table is our reading of it.
"""

from __future__ import annotations

from typing import Final

from tokops.sandbox.server.params import bad
from tokops.sandbox.world.catalog import CURRENCY_PER_USD

__all__ = [
    "BUDGET_MODES",
    "GOALS_BY_OBJECTIVE",
    "RF_CAMPAIGN_TYPES",
    "SPARK_OBJECTIVES",
    "buying_type_of",
    "check_budget",
    "default_billing",
]

BUDGET_MODES: Final = (
    "BUDGET_MODE_INFINITE",
    "BUDGET_MODE_DAY",
    "BUDGET_MODE_TOTAL",
    "BUDGET_MODE_DYNAMIC_DAILY_BUDGET",
)
GOALS_BY_OBJECTIVE: Final = {
    "REACH": ("REACH",),
    "RF_REACH": ("REACH",),
    "TRAFFIC": ("CLICK", "TRAFFIC_LANDING_PAGE_VIEW", "DESTINATION_VISIT"),
    "VIDEO_VIEWS": ("ENGAGED_VIEW", "ENGAGED_VIEW_FIFTEEN"),
    "ENGAGEMENT": ("FOLLOWERS", "PAGE_VISIT", "ENGAGED_VIEW"),
    "LEAD_GENERATION": ("LEAD_GENERATION", "PREFERRED_LEAD", "CONVERSATION", "CLICK"),
    "APP_PROMOTION": ("INSTALL", "IN_APP_EVENT", "VALUE", "CLICK"),
    "WEB_CONVERSIONS": ("CONVERT", "VALUE", "CLICK", "TRAFFIC_LANDING_PAGE_VIEW"),
    "PRODUCT_SALES": ("CONVERT", "VALUE", "CLICK", "MT_LIVE_ROOM", "PRODUCT_CLICK_IN_LIVE"),
}
SPARK_OBJECTIVES: Final = {
    "AUCTION": frozenset(
        {
            "REACH",
            "VIDEO_VIEWS",
            "ENGAGEMENT",
            "TRAFFIC",
            "APP_PROMOTION",
            "WEB_CONVERSIONS",
            "LEAD_GENERATION",
            "PRODUCT_SALES",
        }
    ),
    "RESERVATION_RF": frozenset({"REACH", "TRAFFIC", "VIDEO_VIEWS", "RF_REACH"}),
}
"""SPK-4: objectives a Spark ad may run under, by buying type."""
RF_CAMPAIGN_TYPES: Final = {
    "STANDARD": "RESERVATION_RF",
    "PULSE": "RESERVATION_RF",
    "TOPVIEW": "RESERVATION_TOP_VIEW",
}
"""``rf_campaign_type`` (§3.2) → the campaign's buying type (the ``buying_types`` filter, §3.1).
**[EMU]** TikTok documents no ``buying_type`` create field: a campaign is a reservation when it
has an ``rf_campaign_type`` or the ``RF_REACH`` objective, else an auction."""


def buying_type_of(objective: str, rf_campaign_type: str | None) -> str:
    """The buying type a new campaign gets (SPK-4)."""
    if rf_campaign_type:
        return RF_CAMPAIGN_TYPES[rf_campaign_type]
    return "RESERVATION_RF" if objective == "RF_REACH" else "AUCTION"


BILLING_EVENTS: Final = ("CPC", "CPM", "CPV", "OCPC", "OCPM", "GD")


def default_billing(goal: str) -> str:
    return {"REACH": "CPM", "CLICK": "CPC", "ENGAGED_VIEW": "CPV"}.get(goal, "OCPM")


def _fmt(amount: float, currency: str) -> str:
    return f"{amount:,.0f} {currency}" if currency == "JPY" else f"{amount:,.2f} {currency}"


def check_budget(
    name: str, budget: float, currency: str, minimum_usd: float, *, spent: float = 0.0
) -> None:
    """40002 when *budget* is out of range for *currency* or below 105 % of *spent*."""
    ratio = CURRENCY_PER_USD.get(currency, 1.0)
    low, high = minimum_usd * ratio, 10_000_000 * ratio
    if budget <= low:
        raise bad(f"Invalid value for {name}: must be greater than {_fmt(low, currency)}.")
    if budget >= high:
        raise bad(f"Invalid value for {name}: must be less than {_fmt(high, currency)}.")
    if spent and budget < spent * 1.05:
        raise bad(
            f"Invalid value for {name}: must be at least 105% of the amount already spent "
            f"({_fmt(spent * 1.05, currency)})."
        )

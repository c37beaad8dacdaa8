"""The objects of the simulated world: who advertises, what runs, what is posted and sold.

Plain mutable dataclasses: the generator fills them, the Marketing API routes read and update
them (campaign/ad group/ad edits, Spark bindings, split tests). Times are aware UTC datetimes.
On/off history is kept as ``status_log`` (time, operation_status) so the delivery simulator can
tell when an object was live; budgets keep a ``budget_log`` for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

__all__ = [
    "Ad",
    "AdGroup",
    "Advertiser",
    "AuthCode",
    "BusinessCenter",
    "Campaign",
    "Creator",
    "GmvMaxCampaign",
    "Post",
    "Product",
    "SplitTest",
    "Store",
    "TikTokAccount",
]


@dataclass
class BusinessCenter:
    bc_id: str
    name: str
    company: str
    timezone: str
    currency: str
    created: datetime


@dataclass
class Advertiser:
    advertiser_id: str
    name: str
    company: str
    bc_id: str
    timezone: str
    currency: str
    countries: tuple[str, ...]
    niche: str
    brand: str
    aov: float
    """Average order value in the account currency."""
    created: datetime
    balance: float
    index: int


@dataclass
class Campaign:
    campaign_id: str
    advertiser_id: str
    name: str
    objective_type: str
    budget_mode: str
    budget: float
    created: datetime
    modified: datetime
    budget_optimize_on: bool = False
    operation_status: str = "ENABLE"
    deleted: bool = False
    campaign_type: str = "REGULAR_CAMPAIGN"
    campaign_product_source: str | None = None
    app_promotion_type: str | None = None
    buying_type: str = "AUCTION"
    """``AUCTION`` | ``RESERVATION_RF`` | ``RESERVATION_TOP_VIEW`` (SPK-4, §3.1)."""
    status_log: list[tuple[datetime, str]] = field(default_factory=list)
    budget_log: list[tuple[datetime, float]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AdGroup:
    adgroup_id: str
    campaign_id: str
    advertiser_id: str
    name: str
    location_ids: tuple[str, ...]
    age_groups: tuple[str, ...]
    gender: str
    budget_mode: str
    budget: float
    schedule_type: str
    schedule_start: datetime
    schedule_end: datetime | None
    optimization_goal: str
    billing_event: str
    bid_type: str
    created: datetime
    modified: datetime
    bid_price: float = 0.0
    conversion_bid_price: float = 0.0
    placement_type: str = "PLACEMENT_TYPE_NORMAL"
    placements: tuple[str, ...] = ("PLACEMENT_TIKTOK",)
    languages: tuple[str, ...] = ()
    pacing: str = "PACING_MODE_SMOOTH"
    promotion_type: str = "WEBSITE"
    product_source: str | None = None
    store_id: str | None = None
    operation_status: str = "ENABLE"
    deleted: bool = False
    split_test_group_id: str | None = None
    status_log: list[tuple[datetime, str]] = field(default_factory=list)
    budget_log: list[tuple[datetime, float]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ad:
    ad_id: str
    adgroup_id: str
    campaign_id: str
    advertiser_id: str
    name: str
    ad_format: str
    identity_type: str
    identity_id: str
    quality: float
    """Latent creative quality (ground truth; 1.0 is average)."""
    duration: float
    """Video length in seconds."""
    created: datetime
    modified: datetime
    tiktok_item_id: str | None = None
    identity_authorized_bc_id: str | None = None
    video_id: str | None = None
    ad_text: str | None = None
    call_to_action: str = "SHOP_NOW"
    landing_page_url: str | None = None
    has_anchor: bool = False
    operation_status: str = "ENABLE"
    deleted: bool = False
    status_log: list[tuple[datetime, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_spark(self) -> bool:
        """SPK-1: a Spark ad promotes an existing organic post."""
        return self.tiktok_item_id is not None


@dataclass
class TikTokAccount:
    """A brand's TikTok business account (identity ``TT_USER`` / ``BC_AUTH_TT``)."""

    business_id: str
    identity_id: str
    username: str
    display_name: str
    advertiser_id: str
    bc_id: str
    timezone: str
    niche: str
    followers_start: int
    started: date
    """First day of the simulated organic history."""
    index: int


@dataclass
class Creator:
    """A creator who can lend posts to brands with authorization codes (``AUTH_CODE``)."""

    identity_id: str
    tiktok_name: str
    display_name: str
    niche: str
    followers: int
    index: int


@dataclass(frozen=True)
class Post:
    item_id: str
    owner_id: str
    """``business_id`` of a brand account, or ``identity_id`` of a creator."""
    created: datetime
    caption: str
    hashtags: tuple[str, ...]
    music_id: str
    music_title: str
    content_type: str
    duration: float
    quality: float
    banned: bool = False
    item_type: str = "VIDEO"
    duet: bool = True
    """SPK-12: others may Duet the post; a Spark ad keeps it (as Stitch and stickers)."""
    stitch: bool = True
    sticker: bool = True


@dataclass
class AuthCode:
    """A creator's video code for one post (SPK-1), valid ``valid_days`` from ``issued``."""

    code: str
    item_id: str
    identity_id: str
    issued: datetime
    valid_days: int
    spans: dict[str, list[tuple[datetime, datetime | None]]] = field(default_factory=dict)
    """advertiser_id → bound/unbound periods (``/tt_video/authorize/`` … ``/unbind/``)."""

    def active(self, advertiser_id: str) -> bool:
        """Bound to *advertiser_id* right now (expiry aside)."""
        spans = self.spans.get(advertiser_id)
        return spans is not None and bool(spans) and spans[-1][1] is None

    def bind(self, advertiser_id: str, moment: datetime) -> None:
        if not self.active(advertiser_id):
            self.spans.setdefault(advertiser_id, []).append((moment, None))

    def unbind(self, advertiser_id: str, moment: datetime) -> None:
        if self.active(advertiser_id):
            start, _ = self.spans[advertiser_id][-1]
            self.spans[advertiser_id][-1] = (start, moment)

    @property
    def expires(self) -> datetime:
        return self.issued + timedelta(days=self.valid_days)


@dataclass(frozen=True)
class Product:
    item_group_id: str
    store_id: str
    title: str
    price: float
    category: str
    sku_ids: tuple[str, ...]


@dataclass
class Store:
    store_id: str
    name: str
    advertiser_id: str
    bc_id: str
    currency: str
    region_codes: tuple[str, ...]
    products: list[Product]
    business_id: str
    """The TikTok account that sells for the store (LIVE sessions, organic orders)."""


@dataclass
class GmvMaxCampaign:
    campaign_id: str
    advertiser_id: str
    store_id: str
    name: str
    shopping_ads_type: str
    budget: float
    roas_bid: float
    created: datetime
    modified: datetime
    item_group_ids: tuple[str, ...] = ()
    product_specific_type: str = "ALL"
    operation_status: str = "ENABLE"
    identity_list: list[dict[str, Any]] = field(default_factory=list)
    schedule_type: str = "SCHEDULE_FROM_NOW"
    status_log: list[tuple[datetime, str]] = field(default_factory=list)
    deleted: bool = False
    """Deleted through ``/campaign/status/update/`` (irreversible; listed only on request)."""


@dataclass
class SplitTest:
    split_test_group_id: str
    advertiser_id: str
    level: str
    object_ids: tuple[str, str]
    test_variable: str
    key_metric: str
    start: datetime
    end: datetime
    created: datetime
    ended_early: datetime | None = None
    promoted: str | None = None

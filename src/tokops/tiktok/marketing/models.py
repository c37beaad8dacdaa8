"""Wire models of Marketing API objects (style principle 10: wire payloads are pydantic).

Every model keeps the fields TikTok sends that are not declared here (``model_extra``), so nothing
is lost when TikTok adds a field. IDs are ``str`` and numbers that arrive for a ``str`` field are
turned into their decimal text (v1.3 IDs can exceed 2^53, ``marketing_api.md`` §1.1). Amounts are
``Decimal``. Field names follow §3 (objects), §4 (identities, Spark) and §5 (Shop); fields marked
*unconfirmed* come from third-party code only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Ad",
    "AdGroup",
    "Advertiser",
    "AuthorizedAdvertiser",
    "BusinessCenter",
    "Campaign",
    "Identity",
    "IdentityVideo",
    "SPARK_POST_SETTINGS",
    "SparkPost",
    "Store",
    "StatusUpdate",
    "WireModel",
]


class WireModel(BaseModel):
    """Base of every wire model: frozen, keeps unknown fields, numbers→str for str fields."""

    model_config = ConfigDict(
        extra="allow", frozen=True, coerce_numbers_to_str=True, populate_by_name=True
    )


class AuthorizedAdvertiser(WireModel):
    """One row of ``/oauth2/advertiser/get/`` (§3.1)."""

    advertiser_id: str
    advertiser_name: str | None = None


class Advertiser(WireModel):
    """One row of ``/advertiser/info/`` (§3.1). Report days are in ``timezone``."""

    advertiser_id: str
    name: str | None = None
    currency: str | None = None
    """ISO 4217 code; every money metric of this account is in it."""
    timezone: str | None = None
    """IANA name, e.g. ``America/Los_Angeles``: the time zone of report days (§2.1)."""
    display_timezone: str | None = None
    status: str | None = None
    """``STATUS_ENABLE``, ``STATUS_LIMIT`` …"""
    company: str | None = None
    balance: Decimal | None = None
    create_time: int | str | None = None
    """Epoch seconds per §3.1."""


class Campaign(WireModel):
    """A campaign as ``/campaign/get/`` and ``/campaign/create/`` return it (§3.2)."""

    campaign_id: str
    advertiser_id: str | None = None
    campaign_name: str | None = None
    objective_type: str | None = None
    budget_mode: str | None = None
    budget: Decimal | None = None
    operation_status: str | None = None
    secondary_status: str | None = None
    """Not returned by the sandbox (§3.5)."""
    campaign_automation_type: str | None = None
    create_time: str | None = None
    modify_time: str | None = None
    """May be missing on Smart+ objects (§3.1): never drop an object for that."""


class AdGroup(WireModel):
    """An ad group as ``/adgroup/get/`` returns it (§3.4)."""

    adgroup_id: str
    campaign_id: str | None = None
    advertiser_id: str | None = None
    adgroup_name: str | None = None
    budget_mode: str | None = None
    budget: Decimal | None = None
    optimization_goal: str | None = None
    bid_type: str | None = None
    operation_status: str | None = None
    secondary_status: str | None = None
    identity_id: str | None = None
    identity_type: str | None = None
    split_test_group_id: str | None = None
    create_time: str | None = None
    modify_time: str | None = None


class Ad(WireModel):
    """An ad as ``/ad/get/`` or the ``creatives`` of ``/ad/create/`` return it (§3.6)."""

    ad_id: str
    adgroup_id: str | None = None
    campaign_id: str | None = None
    advertiser_id: str | None = None
    ad_name: str | None = None
    ad_format: str | None = None
    identity_type: str | None = None
    identity_id: str | None = None
    tiktok_item_id: str | None = None
    """The Spark post ID, when the ad is a Spark ad."""
    operation_status: str | None = None
    secondary_status: str | None = None
    create_time: str | None = None
    modify_time: str | None = None


class StatusUpdate(WireModel):
    """Answer of a ``…/status/update/`` call (§3.1); ids of whichever object kind was updated."""

    status: str | None = None
    ids: list[str] = Field(default_factory=list)
    failed_ids: list[str] = Field(default_factory=list)
    """IDs asked for but not changed: the call answered 20001 "partial success" (§1.2)."""

    @model_validator(mode="before")
    @classmethod
    def _collect_ids(cls, data: Any) -> Any:
        if isinstance(data, dict) and "ids" not in data:
            for key in ("campaign_ids", "adgroup_ids", "ad_ids", "aco_ad_ids"):
                if isinstance(data.get(key), list):
                    return {**data, "ids": [str(v) for v in data[key]]}
        return data


class Identity(WireModel):
    """One element of ``/identity/get/`` ``identity_list`` (§4)."""

    identity_id: str
    identity_type: str | None = None
    identity_authorized_bc_id: str | None = None
    display_name: str | None = None
    profile_image: str | None = None
    available_status: str | None = None
    can_push_video: bool | None = None
    can_pull_video: bool | None = None
    can_use_live_ads: bool | None = None


class IdentityVideo(WireModel):
    """A post of a TT_USER / BC_AUTH_TT identity (``/identity/video/get/``, §4), flattened."""

    item_id: str
    auth_code: str | None = None
    item_type: str | None = None
    text: str | None = None
    video_info: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("item_info"), dict):
            return {**{k: v for k, v in data.items() if k != "item_info"}, **data["item_info"]}
        return data


SPARK_POST_SETTINGS: Final = (
    "item_duet_status",
    "item_stitch_status",
    "item_sticker_status",
    "music_title",
)
"""Keys of ``item_info`` that say what a post lets viewers do (SPK-12; **[UNCONFIRMED]**)."""


class SparkPost(WireModel):
    """A creator post bound with an authorisation code (``/tt_video/list/`` or ``info``, §4).

    The answer nests ``item_info``, ``auth_info``, ``video_info`` and ``user_info``; the fields
    an ad needs are lifted to the top (``identity_id`` and ``item_id`` go into ``/ad/create/`` as
    ``identity_id`` and ``tiktok_item_id``).
    """

    item_id: str
    auth_code: str | None = None
    text: str | None = None
    item_status: str | None = None
    ad_auth_status: str | None = None
    auth_start_time: str | None = None
    auth_end_time: str | None = None
    """Once past, ads using the post show ``AD_STATUS_ASSET_AUTHORIZATION_LOST`` (§4)."""
    identity_id: str | None = None
    identity_type: str | None = None
    tiktok_name: str | None = None
    duration: Decimal | None = None
    """Video length in seconds."""
    video_info: dict[str, Any] | None = None
    item_duet_status: str | None = None
    """``ENABLE`` | ``DISABLE``: whether others may Duet the post (SPK-12). **[UNCONFIRMED]**
    key of ``item_info``, named as the ``/ad/create/`` creative field (§3.6)."""
    item_stitch_status: str | None = None
    """``ENABLE`` | ``DISABLE``: Stitch / Collage (SPK-12; as ``item_duet_status``)."""
    item_sticker_status: str | None = None
    """``ENABLE`` | ``DISABLE``: stickers (SPK-12). **[UNCONFIRMED]** no source names it."""
    music_title: str | None = None
    """The post's sound, which viewers of a Spark ad can tap (SPK-9, SPK-12; unconfirmed)."""

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "item_info" not in data:
            return data
        item = data.get("item_info") or {}
        auth = data.get("auth_info") or {}
        user = data.get("user_info") or {}
        video = data.get("video_info") or {}
        return {
            "item_id": item.get("item_id"),
            "auth_code": item.get("auth_code"),
            "text": item.get("text"),
            "item_status": item.get("status"),
            "ad_auth_status": auth.get("ad_auth_status"),
            "auth_start_time": auth.get("auth_start_time"),
            "auth_end_time": auth.get("auth_end_time"),
            "identity_id": user.get("identity_id"),
            "identity_type": user.get("identity_type"),
            "tiktok_name": user.get("tiktok_name"),
            "duration": video.get("duration"),
            "video_info": video or None,
            **{k: item.get(k) for k in SPARK_POST_SETTINGS},
        }


class BusinessCenter(WireModel):
    """One Business Center from ``/bc/get/`` (shape *unconfirmed*: ``bc_info`` is lifted up)."""

    bc_id: str
    name: str | None = None
    company: str | None = None
    currency: str | None = None
    timezone: str | None = None
    status: str | None = None
    user_role: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("bc_info"), dict):
            return {**{k: v for k, v in data.items() if k != "bc_info"}, **data["bc_info"]}
        return data


class Store(WireModel):
    """A TikTok Shop store usable by an ad account (``/store/list/``; fields *unconfirmed*)."""

    store_id: str
    store_name: str | None = None
    store_authorized_bc_id: str | None = None
    store_code: str | None = None
    store_role: str | None = None
    is_gmv_max_available: bool | None = None

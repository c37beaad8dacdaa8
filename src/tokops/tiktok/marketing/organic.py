"""Organic business-account data: ``/business/get/`` and ``/business/video/list/``
(``analytics_and_reverse_etl.md`` §2b; KPI-3, KPI-5c, SPK-2).

These endpoints belong to TikTok's Accounts API under the same ``/open_api/v1.3/`` prefix and
envelope, but take a **TikTok Accounts token** and a ``business_id`` (the account's ``open_id``),
not an ads token and ``advertiser_id``. Build the client with that token.

``GET /business/get/`` — ``business_id``, ``fields`` (JSON list), ``start_date`` / ``end_date``.
Profile fields (``username``, ``display_name``, ``profile_image``, ``followers_count`` …) are at the
top of ``data``; per-day values are in ``data.metrics``, a list of objects with a ``date``.
``followers_count`` at the top is a **snapshot at call time**, not backfillable (§2b
Constraints): :class:`AccountReport` stamps it with ``taken_at`` so the ingest can store a daily
snapshot. Account metrics backfill only about 60 days.

``GET /business/video/list/`` — ``business_id``, ``fields`` (must include ``item_id``),
``cursor``, ``max_count``, ``filters``; answers ``{videos, cursor, has_more}``. Per-video metric
names (``reach``, ``video_views``, ``likes``, ``comments``, ``shares``, ``average_time_watched``,
``total_time_watched``, ``full_video_watched_rate``, ``video_duration``, ``impression_sources`` …)
are from §2b.

**Unconfirmed** (third-party code only, marked so the sandbox author does not copy our guesses):
the ``metrics`` list key and its ``date`` field; the video list key ``videos``; the per-call date
cap (we cut requests at 30 days); the ``max_count`` bound (we send 20); whether
``full_video_watched_rate`` is a 0–1 ratio or a percent (kept as sent, as a Decimal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from tokops.errors import TikTokError
from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing.metrics import MetricKind, MetricValue, parse_value
from tokops.tiktok.marketing.paging import iter_cursor
from tokops.tiktok.marketing.report_windows import chunk_window
from tokops.vocabulary import ORGANIC_DAY_METRICS, ORGANIC_VIDEO_METRICS

__all__ = [
    "ACCOUNT_FIELDS",
    "EXTRA_VIDEO_FIELDS",
    "ORGANIC_KINDS",
    "VIDEO_FIELDS",
    "AccountDay",
    "AccountReport",
    "Organic",
    "OrganicVideo",
]

#: Kinds of organic fields (counts unless listed); lists and objects are kept as sent. The stored
#: metrics take their unit from the vocabulary; the rest are wire-only fields.
ORGANIC_KINDS: Final[Mapping[str, MetricKind]] = {
    **{m.name: m.unit for m in (*ORGANIC_DAY_METRICS, *ORGANIC_VIDEO_METRICS) if m.unit != "count"},
    "video_duration": "seconds",
    "engagement_rate": "ratio",
    **dict.fromkeys(
        ("username", "display_name", "profile_image", "caption", "share_url", "embed_url",
         "thumbnail_url", "item_id", "content_type", "music_id", "music_title"),
        "text",
    ),
}  # fmt: skip
ACCOUNT_FIELDS: Final = (
    "username", "display_name", "profile_image", "followers_count", "profile_views",
    "video_views", "likes", "comments", "shares", "daily_new_followers", "daily_lost_followers",
    "daily_total_followers", "engaged_audience", "bio_link_clicks", "email_clicks",
    "phone_number_clicks", "address_clicks", "app_download_clicks", "lead_submissions",
)  # fmt: skip
VIDEO_FIELDS: Final = (
    "item_id", "create_time", "caption", "share_url", "thumbnail_url", "reach", "video_views",
    "likes", "comments", "shares", "average_time_watched", "total_time_watched",
    "full_video_watched_rate", "video_duration", "impression_sources", "audience_countries",
)  # fmt: skip
EXTRA_VIDEO_FIELDS: Final = ("hashtags", "content_type")
"""Per-video fields TikTok does not document (it has the caption only) but some servers return,
the sandbox among them (**[EMU]**): ask for them, and fall back when refused (40002)."""
ACCOUNT_MAX_DAYS: Final = 30
VIDEO_PAGE: Final = 20


def _typed(raw: Mapping[str, Any], skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name in skip:
            continue
        if isinstance(value, list | dict):
            out[name] = value  # breakdowns such as impression_sources: [{source, percentage}]
        else:
            out[name] = parse_value(value, ORGANIC_KINDS.get(name, "count"))
    return out


@dataclass(frozen=True)
class AccountDay:
    """One day of account metrics (the account's own day boundaries)."""

    day: date
    metrics: Mapping[str, MetricValue]


@dataclass(frozen=True)
class AccountReport:
    """Account profile, a follower snapshot and the daily metrics of a date range."""

    business_id: str
    taken_at: datetime
    """When ``followers_count`` was read (UTC): it is a snapshot, not a daily value."""
    followers_count: int | None
    profile: Mapping[str, Any]
    days: tuple[AccountDay, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class OrganicVideo:
    """One post with its lifetime metrics at ``taken_at`` (KPI-3)."""

    item_id: str
    taken_at: datetime
    create_time: datetime | None
    metrics: Mapping[str, Any]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _day(raw: Mapping[str, Any]) -> date:
    text = str(raw.get("date") or "")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise TikTokError(f"business/get/: a metrics row has no valid date ({text!r})") from None


class Organic:
    """Organic account and video data for one TikTok Accounts token."""

    def __init__(self, api: ApiClient, *, now: Callable[[], datetime] = _utc_now) -> None:
        self.api = api
        self._now = now

    def account(
        self,
        business_id: str,
        start_date: date,
        end_date: date,
        *,
        fields: Sequence[str] = ACCOUNT_FIELDS,
    ) -> AccountReport:
        """Profile, follower snapshot and per-day metrics from *start_date* to *end_date*."""
        if not business_id:
            raise ValueError("business_id is empty")
        days: dict[date, AccountDay] = {}
        profile: dict[str, Any] = {}
        taken_at = self._now()
        for window in chunk_window(start_date, end_date, ACCOUNT_MAX_DAYS):
            data = self.api.get(
                "business/get/",
                params={"business_id": business_id, "fields": list(fields), **window.wire()},
            )
            data = data if isinstance(data, dict) else {}
            taken_at = self._now()
            profile = _typed(data, frozenset({"metrics"}))
            for row in data.get("metrics") or []:
                if isinstance(row, dict):
                    d = _day(row)
                    days[d] = AccountDay(d, _typed(row, frozenset({"date"})))
        followers = profile.get("followers_count")
        return AccountReport(
            business_id,
            taken_at,
            followers if isinstance(followers, int) else None,
            profile,
            tuple(days[d] for d in sorted(days)),
        )

    def videos(
        self,
        business_id: str,
        *,
        fields: Sequence[str] = VIDEO_FIELDS,
        filters: Mapping[str, Any] | None = None,
        max_count: int = VIDEO_PAGE,
    ) -> Iterator[OrganicVideo]:
        """Every post of the account with its metrics (cursor + ``has_more`` paging)."""
        if not business_id:
            raise ValueError("business_id is empty")
        wanted = list(fields) if "item_id" in fields else ["item_id", *fields]
        params: dict[str, Any] = {"business_id": business_id, "fields": wanted}
        if filters:
            params["filters"] = dict(filters)
        for item in iter_cursor(
            self.api, "business/video/list/", params, list_keys=("videos", "list"), size=max_count
        ):
            if not isinstance(item, dict) or item.get("item_id") in (None, ""):
                raise TikTokError("business/video/list/: a video has no item_id")
            created = item.get("create_time")
            yield OrganicVideo(
                str(item["item_id"]),
                self._now(),
                datetime.fromtimestamp(int(str(created)), UTC) if _is_int(created) else None,
                _typed(item, frozenset({"item_id", "create_time"})),
            )


def _is_int(value: Any) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool) and str(value).isdigit()

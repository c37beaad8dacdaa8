"""What the sandbox world looks like and how it misbehaves: tokens, event sources, limits, faults.

Settings come from keyword arguments, a TOML file (:func:`load_settings`) or CLI flags; unknown
keys are refused (``extra="forbid"``) so a typo fails at start, not silently. Example file::

    access_tokens = ["my-local-token"]
    allow_any_source = false
    qps = 1000

    [sources]
    pixel_codes = ["CTOKOPSDEMOPIXEL0001"]

    [faults]
    latency_ms = 50
    error_rate = 0.02      # code 50000 "system error"
    error_code = 50000     # or 40133 / 40132 / 40016 / 50002 / 60001 … for error_rate
    http5xx_rate = 0.01    # HTTP 503 from the gateway
    drop_rate = 0.01       # connection closed without a response
    storm_seconds = 10     # every request answered 40100 during the first 10 s
    seed = 7               # same seed, same faults for the same sequence of requests

The Marketing API world (BYD-1) is seeded: ``seed`` and ``scale`` fix every campaign, post and
metric, so the same seed gives byte-identical answers for the same clock. Example::

    seed = 7
    scale = "medium"        # small | medium | large
    marketing_qps = 10      # app-level QPS of the Marketing API routes (40100 above it)

    [marketing]
    endpoint_qps = { "/report/task/create/" = 1, "/ad/create/" = 5 }
    advertiser_qps = 5      # 40133 above it, per advertiser_id (TikTok publishes no number)
    field_qps = { auth_code = 2 }   # 40132 above it, per value of the field
    app_secret = "…"        # the sandbox app's secret (default: generated at every start)
    report_ad_cap = 20000   # the AUCTION_AD truncation of /report/integrated/get/
    latency_minutes = 30    # non-UV metrics appear this long after delivery

    [marketing.spark]       # SPK-11 effect sizes of Spark vs non-Spark ads
    engagement_rate = 1.42

Worlds built to fail one way (issue 12 §4): extra creators' posts with their video codes, and a
lower Spark ads limit::

    [marketing]
    spark_ads_limit = 3     # SPK-8 is 10,000; a small number fills an account quickly

    [[marketing.creator_posts]]
    code = "#BANNED-POST"   # SPK-6: refused by /tt_video/authorize/ and /ad/create/
    banned = true

    [[marketing.creator_posts]]
    code = "#EXPIRES-SOON"
    expires_in_days = 3     # after the anchor day's 00:00 UTC; negative: already expired

    [[marketing.creator_posts]]
    code = "#LONG-VIDEO"
    duration_s = 720        # SPK-5: over 10 minutes
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = [
    "DEFAULT_ADVERTISER_ID",
    "DEFAULT_APP_ID",
    "DEFAULT_CRM_EVENT_SET_ID",
    "DEFAULT_MARKETING_APP_ID",
    "DEFAULT_OFFLINE_EVENT_SET_ID",
    "DEFAULT_PIXEL_CODE",
    "CreatorPostSettings",
    "FaultSettings",
    "MarketingSettings",
    "SandboxConfigError",
    "SandboxSettings",
    "SourceSettings",
    "SparkEffects",
    "load_settings",
]

#: Seeded world (BYD-1). A pixel code is 20 characters; event set and advertiser ids are
#: 19-digit numeric strings, as on the real platform (``events_api.md`` §1.2).
DEFAULT_PIXEL_CODE: Final = "CTOKOPSDEMOPIXEL0001"
DEFAULT_ADVERTISER_ID: Final = "7100000000000000001"
DEFAULT_OFFLINE_EVENT_SET_ID: Final = "7200000000000000001"
DEFAULT_CRM_EVENT_SET_ID: Final = "7300000000000000001"
DEFAULT_APP_ID: Final = "7500000000000000001"
#: The developer app the Marketing API rate limit is counted for (``App [<id>] reaches …``).
DEFAULT_MARKETING_APP_ID: Final = "7450000000000000001"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSettings(_Model):
    """The assets the sandbox's tokens may operate on."""

    pixel_codes: tuple[str, ...] = (DEFAULT_PIXEL_CODE,)
    """Web pixels (``event_source = "web"`` and the legacy ``pixel/*`` endpoints)."""
    offline_event_set_ids: tuple[str, ...] = (DEFAULT_OFFLINE_EVENT_SET_ID,)
    crm_event_set_ids: tuple[str, ...] = (DEFAULT_CRM_EVENT_SET_ID,)
    app_ids: tuple[str, ...] = (DEFAULT_APP_ID,)
    """TikTok App IDs; app events via Events API 2.0 also need ``app_events_allowlisted``."""
    advertiser_ids: tuple[str, ...] = (DEFAULT_ADVERTISER_ID,)
    """Ad accounts for the Marketing API (custom audiences)."""


class FaultSettings(_Model):
    """Fault knobs for ``/open_api/…`` routes (the ``/sandbox/…`` read-outs are never faulty).

    Each request draws the same number of random values from one RNG seeded with ``seed``, so
    a given sequence of requests meets the same faults on every run.
    """

    latency_ms: int = Field(default=0, ge=0)
    """Added to every API request before it is answered."""
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of requests answered ``error_code`` (default 50000 "system error"), after auth."""
    error_code: int | None = Field(default=None, ge=40000, le=69999)
    """The code ``error_rate`` answers with: ``None`` is 50000; 40133 (advertiser QPS), 40132
    (QPS per field value), 40016 (too frequent), 50002 or 60001 emulate the other transient
    answers whose timing TikTok does not publish (``marketing_api.md`` §1.5, §1.6)."""
    http5xx_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of requests answered HTTP 503 by the gateway (no envelope)."""
    drop_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of requests whose connection is closed without any response."""
    drop_phase: Literal["before", "after"] = "after"
    """``after``: the request is processed, then the answer is lost (the nasty, realistic case:
    a retry must be absorbed by deduplication). ``before``: nothing is processed."""
    storm_seconds: float = Field(default=0.0, ge=0.0)
    """Every API request is answered 40100 during the first N seconds of the sandbox's life."""
    storm_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    """Outside the storm window, this share of requests is answered 40100."""
    seed: int | None = None
    """Seed of the fault RNG; ``None`` draws a fresh seed."""


class SparkEffects(_Model):
    """Relative effect of Spark vs non-Spark ads, all else equal (SPK-11's reported uplift).

    Each is a relative change: ``0.30`` multiplies the complete-view rate by 1.30.
    """

    complete_view_rate: float = Field(default=0.30, gt=-1.0)
    """``video_views_p100 / video_play_actions``."""
    engagement_rate: float = Field(default=1.42, gt=-1.0)
    """``engagements / impressions`` (clicks of every kind, SPK-10)."""
    cvr: float = Field(default=0.43, gt=-1.0)
    """``conversion / clicks``."""
    cpm: float = Field(default=-0.04, gt=-1.0)
    """``spend / impressions × 1000``."""


class CreatorPostSettings(_Model):
    """A creator's post and its video code, added to the world as given (SPK-1, SPK-5, SPK-6,
    SPK-12): the way to build a world that fails one way. The post belongs to the first
    creator of the first ad account's niche and was published 20 days before the anchor."""

    code: str = Field(pattern=r"^#\S{4,}$")
    """The video code's text, as the creator would send it (``#`` and at least 4 more)."""
    valid_days: int = Field(default=30, ge=1)
    """The validity the creator chose (7, 30, 60 or 365 in the app; any here)."""
    expires_in_days: float = 30.0
    """When the code expires: days after the anchor's 00:00 UTC (negative: already expired)."""
    duration_s: float = Field(default=30.0, gt=0.0)
    """Video length in seconds (Spark ads take at most 600, SPK-5)."""
    banned: bool = False
    """SPK-6: the post was banned from TikTok."""
    duet: bool = True
    stitch: bool = True
    sticker: bool = True


class MarketingSettings(_Model):
    """Knobs of the Marketing API emulation (``marketing_api.md`` §1.6, §2.4, §8)."""

    qpm: int = Field(default=600, ge=1)
    """App-level requests per minute; a breach locks the app out for ``qpm_lockout_s``."""
    qpd: int = Field(default=864_000, ge=1)
    """App-level requests per UTC day; a breach locks the app out until 00:00 UTC."""
    qpm_lockout_s: float = Field(default=300.0, ge=0.0)
    endpoint_qps: dict[str, int] = Field(
        default_factory=lambda: {"/report/task/create/": 1, "/ad/create/": 5}
    )
    """Per-endpoint QPS on top of the app limit; keys are paths after ``/open_api/v1.3``."""
    advertiser_qps: int | None = Field(default=None, ge=1)
    """Requests per second per ``advertiser_id`` (code 40133 above it). TikTok has such a
    limit but publishes no number (§1.6), so it is off unless set."""
    field_qps: dict[str, int] = Field(default_factory=dict)
    """Requests per second per value of a parameter, e.g. ``{"auth_code": 2}`` (code 40132
    above it; §1.5 "QPS limit per field value"; no number is published, off unless set)."""
    app_id: str = DEFAULT_MARKETING_APP_ID
    """The sandbox's developer app: named in 40100 messages, the only app ``/oauth2/…``
    accepts (:mod:`tokops.sandbox.marketing.oauth`)."""
    app_secret: str | None = Field(default=None, min_length=8, repr=False)
    """That app's secret; ``None``: a fresh one is generated at every start."""
    auth_code_ttl_s: float = Field(default=3600.0, gt=0.0)
    """How long an auth code granted by ``/sandbox/oauth2/authorize/`` can be redeemed."""
    report_ad_cap: int = Field(default=20_000, ge=1)
    """An AUCTION_AD report covering more ads with spend keeps only the newest this many."""
    latency_minutes: float = Field(default=30.0, ge=0.0)
    """Non-UV metrics of an hour of delivery appear this long after it."""
    uv_latency_hours: float = Field(default=16.0, ge=0.0)
    """UV metrics (reach, frequency…) of a day appear this long after the day ends."""
    audience_latency_hours: float = Field(default=16.0, ge=0.0)
    """AUDIENCE report rows of a day appear this long after the day ends."""
    attribution_window_days: int = Field(default=7, ge=0, le=28)
    """Conversions of a day keep being restated for this many days after it."""
    task_queue_seconds: float = Field(default=2.0, ge=0.0)
    """An async report task is QUEUING this long, then PROCESSING…"""
    task_processing_seconds: float = Field(default=3.0, ge=0.0)
    """…this long, then SUCCESS."""
    organic_backfill_days: int = Field(default=60, ge=1)
    """Organic account metrics reach back this many days (``/business/get/``)."""
    spark: SparkEffects = SparkEffects()
    spark_ads_limit: int = Field(default=10_000, ge=1)
    """SPK-8: Spark ads per ad account; ``/ad/create/`` answers 40502 above it."""
    creator_posts: tuple[CreatorPostSettings, ...] = ()
    """Creators' posts added to the world as given (:class:`CreatorPostSettings`)."""

    @field_validator("creator_posts")
    @classmethod
    def _distinct_codes(
        cls, posts: tuple[CreatorPostSettings, ...]
    ) -> tuple[CreatorPostSettings, ...]:
        codes = [p.code for p in posts]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"each code names one post; given more than once: {twice}")
        return posts


class SandboxSettings(_Model):
    """The sandbox's world and behaviour. All defaults are the real API's where it is known."""

    access_tokens: tuple[str, ...] = ()
    """Tokens accepted in the ``Access-Token`` header; empty means one is generated at start."""
    sources: SourceSettings = SourceSettings()
    allow_any_source: bool = False
    """Accept any event_source_id / advertiser_id (else unknown ones answer 40001)."""
    app_events_allowlisted: bool = False
    """App events through Events API 2.0 are allowlist-only (40118 otherwise)."""
    qps: int = Field(default=1000, ge=1)
    """Per-endpoint QPS of the event-ingestion routes; above it, code 40100."""
    offline_max_age_days: int | None = Field(default=28, ge=1)
    """Offline events must have occurred within this many days (``None``: no check)."""
    audience_min_size: int = Field(default=1000, ge=0)
    """APPEND / REMOVE / REPLACE fail when the audience would hold fewer hashes than this."""
    audience_match_rate: float = Field(default=0.6, ge=0.0, le=1.0)
    """Share of uploaded hashes that "match" a TikTok user (deterministic per hash)."""
    test_events_kept: int = Field(default=10_000, ge=1)
    """How many events each test stream keeps (oldest are forgotten)."""
    faults: FaultSettings = FaultSettings()
    seed: int = 1
    """Seed of the simulated world: same seed, same world and metrics."""
    scale: Literal["small", "medium", "large"] = "small"
    """World size: ``small`` (3 advertisers, ~60 ads, 120 days), ``medium`` (~1,000 ads,
    365 days), ``large`` (~5,000 ads, 365 days)."""
    world_anchor: date | None = None
    """The UTC day the generated history ends on; default: the clock's date at start."""
    marketing_qps: int = Field(default=10, ge=1)
    """App-level QPS of the Marketing API routes (basic tier); above it, code 40100."""
    marketing: MarketingSettings = MarketingSettings()

    @classmethod
    def unthrottled(
        cls,
        *,
        seed: int,
        world_anchor: date,
        token: str = "t",
        scale: Literal["small", "medium", "large"] = "small",
        marketing: Mapping[str, Any] | None = None,
    ) -> SandboxSettings:
        """A world without the Marketing API's rate limits, for in-process use (tests,
        notebooks, a quick look at a seed): syncs run as fast as the machine allows.
        *marketing* adds ``[marketing]`` keys, e.g. ``creator_posts`` for a world that fails
        on purpose."""
        return cls.model_validate(
            {
                "seed": seed,
                "scale": scale,
                "world_anchor": world_anchor,
                "access_tokens": (token,),
                "marketing_qps": 100_000,
                "marketing": {
                    "qpm": 10**9,
                    "qpd": 10**9,
                    "endpoint_qps": {},
                    **(marketing or {}),
                },
            }
        )


class SandboxConfigError(ValueError):
    """The sandbox configuration file or values are wrong; the message says which key."""


def load_settings(
    path: Path | None = None, overrides: dict[str, Any] | None = None
) -> SandboxSettings:
    """Settings from a TOML file (optional), with *overrides* applied on top.

    *overrides* uses the model's shape; ``{"faults": {"latency_ms": 5}}`` merges into the file's
    ``[faults]`` table instead of replacing it.
    """
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SandboxConfigError(f"{path}: cannot be read ({exc.strerror})") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SandboxConfigError(f"{path}: not valid TOML ({exc})") from None
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(raw.get(key), dict):
            raw[key] = {**raw[key], **value}
        else:
            raw[key] = value
    try:
        return SandboxSettings.model_validate(raw)
    except ValidationError as exc:
        where = f"{path}: " if path is not None else ""
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise SandboxConfigError(f"{where}{problems}") from None

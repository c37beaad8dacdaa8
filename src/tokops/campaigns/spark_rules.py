"""The Spark Ads rules of the help page, as data and pure checks (``REQUIREMENTS.md`` SPK-*).

Every check takes plain values and returns :class:`~tokops.campaigns.findings.Finding` values;
none calls TikTok. The tables:

- SPK-4: the objectives a Spark ad may run under, by buying type, named as the API's
  ``objective_type`` (``marketing_api.md`` §3.2). Auction: Reach ``REACH``, Video views
  ``VIDEO_VIEWS``, Community interaction ``ENGAGEMENT``, Traffic ``TRAFFIC``, App installs
  ``APP_PROMOTION``, (Website) Conversions ``WEB_CONVERSIONS``, Lead generation
  ``LEAD_GENERATION``, Shop purchases ``PRODUCT_SALES``. Reach & Frequency
  (``RESERVATION_RF``): Reach, Traffic, Video views. The API names Reach & Frequency's reach
  ``RF_REACH`` (§3.2), accepted here as ``REACH`` under ``RESERVATION_RF``. A reservation
  campaign is marked on create with ``rf_campaign_type`` (§3.2; **[EMU]** TikTok documents no
  ``buying_type`` create field, only the ``buying_types`` filter of ``/campaign/get/``, §3.1).
- SPK-5: a video of at most 10 minutes; nothing else about the file is restricted.
- SPK-6: a banned post is refused; the advertiser contacts the post's owner.
- SPK-8: at most 10,000 Spark ads per ad account (the help page; ``marketing_api.md`` §4 found
  no API source, so it is checked on our side and by the sandbox).
- The post's authorization must cover the whole flight (§4: past ``auth_end_time`` the ad shows
  ``AD_STATUS_ASSET_AUTHORIZATION_LOST``); a warning comes a configurable number of days
  before a code expires.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from tokops.campaigns.findings import Finding

__all__ = [
    "BUYING_TYPES",
    "BUYING_TYPE_NAMES",
    "buying_type_of",
    "DEFAULT_EXPIRY_WARNING_DAYS",
    "MAX_SPARK_ADS",
    "MAX_VIDEO_SECONDS",
    "OBJECTIVE_NAMES",
    "SPARK_OBJECTIVES",
    "WEBSITE_OBJECTIVES",
    "campaign_fields",
    "check_authorization",
    "check_banned",
    "check_code_active",
    "check_code_covers",
    "check_code_expiring",
    "check_duration",
    "check_landing_page",
    "check_pairing",
    "check_quota",
    "normalize_objective",
]

BUYING_TYPES: Final = ("AUCTION", "RESERVATION_RF")
BUYING_TYPE_NAMES: Final = {"AUCTION": "Auction", "RESERVATION_RF": "Reach & Frequency"}
OBJECTIVE_NAMES: Final[Mapping[str, str]] = {
    "REACH": "Reach",
    "VIDEO_VIEWS": "Video views",
    "ENGAGEMENT": "Community interaction",
    "TRAFFIC": "Traffic",
    "APP_PROMOTION": "App installs",
    "WEB_CONVERSIONS": "Website conversions",
    "LEAD_GENERATION": "Lead generation",
    "PRODUCT_SALES": "Shop purchases",
}
SPARK_OBJECTIVES: Final[Mapping[str, tuple[str, ...]]] = {
    "AUCTION": (
        "REACH",
        "VIDEO_VIEWS",
        "ENGAGEMENT",
        "TRAFFIC",
        "APP_PROMOTION",
        "WEB_CONVERSIONS",
        "LEAD_GENERATION",
        "PRODUCT_SALES",
    ),
    "RESERVATION_RF": ("REACH", "TRAFFIC", "VIDEO_VIEWS"),
}
"""SPK-4: objectives a Spark ad may run under, by buying type."""
RF_OBJECTIVE_TYPES: Final = {"REACH": "RF_REACH"}
"""The API's name of an objective under Reach & Frequency, where it differs (§3.2)."""
RF_CAMPAIGN_TYPE: Final = "STANDARD"
WEBSITE_OBJECTIVES: Final = frozenset({"TRAFFIC", "WEB_CONVERSIONS", "LEAD_GENERATION"})
"""Objectives whose ads send people to a landing page (a URL is required)."""
MAX_VIDEO_SECONDS: Final = 600
"""SPK-5: a Spark video lasts at most 10 minutes."""
MAX_SPARK_ADS: Final = 10_000
"""SPK-8: Spark ads per ad account."""
DEFAULT_EXPIRY_WARNING_DAYS: Final = 7


def normalize_objective(objective: str) -> str:
    """``RF_REACH`` → ``REACH``; case and spaces forgiven (``video_views``)."""
    name = objective.strip().upper().replace("-", "_").replace(" ", "_")
    return next((k for k, v in RF_OBJECTIVE_TYPES.items() if v == name), name)


def _names(objectives: tuple[str, ...]) -> str:
    return ", ".join(f"{OBJECTIVE_NAMES[o]} ({o})" for o in objectives)


def check_pairing(objective: str, buying_type: str) -> list[Finding]:
    """SPK-4: the objective × buying type pairing, exactly as the help page states it."""
    obj = normalize_objective(objective)
    if buying_type not in SPARK_OBJECTIVES:
        return [
            Finding(
                "SPK-4",
                "error",
                f"unknown buying type {buying_type!r}",
                f"use one of {', '.join(BUYING_TYPES)}",
            )
        ]
    allowed = SPARK_OBJECTIVES[buying_type]
    if obj in allowed:
        return []
    others = [b for b in BUYING_TYPES if b != buying_type and obj in SPARK_OBJECTIVES[b]]
    label = OBJECTIVE_NAMES.get(obj, obj)
    fix = f"pick one of {_names(allowed)}"
    if others:
        fix += f", or buy it as {BUYING_TYPE_NAMES[others[0]]} ({others[0]})"
    return [
        Finding(
            "SPK-4",
            "error",
            f"Spark ads cannot run under {label} ({obj}) with the "
            f"{BUYING_TYPE_NAMES[buying_type]} buying type",
            fix,
        )
    ]


def campaign_fields(objective: str, buying_type: str) -> dict[str, str]:
    """The ``/campaign/create/`` fields of a pairing that :func:`check_pairing` accepts."""
    obj = normalize_objective(objective)
    if buying_type == "RESERVATION_RF":
        return {
            "objective_type": RF_OBJECTIVE_TYPES.get(obj, obj),
            "rf_campaign_type": RF_CAMPAIGN_TYPE,
        }
    return {"objective_type": obj}


def buying_type_of(objective_type: str | None, fields: Mapping[str, object]) -> str:
    """The buying type of an existing campaign: its ``buying_type`` when the answer has one,
    else ``RESERVATION_RF`` for ``RF_REACH`` or an ``rf_campaign_type``, else ``AUCTION``."""
    declared = fields.get("buying_type")
    if isinstance(declared, str) and declared in BUYING_TYPES:
        return declared
    if objective_type in RF_OBJECTIVE_TYPES.values() or fields.get("rf_campaign_type"):
        return "RESERVATION_RF"
    return "AUCTION"


def check_duration(seconds: Decimal | float | None) -> list[Finding]:
    """SPK-5: at most 10 minutes of video (aspect ratio, size, bitrate are free)."""
    if seconds is None:
        return [
            Finding(
                "SPK-5",
                "warning",
                "the post's video length is unknown, the 10-minute limit cannot be checked",
                "check in the TikTok app that the video lasts at most 10 minutes",
            )
        ]
    if Decimal(str(seconds)) <= MAX_VIDEO_SECONDS:
        return []
    minutes = Decimal(str(seconds)) / 60
    return [
        Finding(
            "SPK-5",
            "error",
            f"the video lasts {minutes:.1f} minutes; Spark ads take at most 10 minutes",
            "pick a post of 10 minutes or less (or post a shorter cut and use that one)",
        )
    ]


def check_banned(status: str | None) -> list[Finding]:
    """SPK-6: a banned post is refused as an ad."""
    if (status or "").upper() != "BANNED":
        return []
    return [
        Finding(
            "SPK-6",
            "error",
            "the post has been banned from TikTok and cannot be promoted",
            "contact the post's owner: they must contact TikTok support about the post",
        )
    ]


def check_quota(existing: int, adding: int = 1) -> list[Finding]:
    """SPK-8: at most 10,000 Spark ads per ad account."""
    if existing + adding <= MAX_SPARK_ADS:
        return []
    return [
        Finding(
            "SPK-8",
            "error",
            f"the ad account already holds {existing:,} Spark ads; "
            f"the limit is {MAX_SPARK_ADS:,} per ad account",
            "delete Spark ads that no longer run, or use another ad account",
        )
    ]


def check_landing_page(objective: str, url: str | None) -> list[Finding]:
    """Website objectives send the CTA and the caption to a landing page (SPK-9)."""
    obj = normalize_objective(objective)
    if obj in WEBSITE_OBJECTIVES and not url:
        return [
            Finding(
                "SPK-9",
                "error",
                f"{OBJECTIVE_NAMES[obj]} ({obj}) ads lead to a landing page, and none is given",
                "give the landing page URL (http:// or https://)",
            )
        ]
    if url and not url.startswith(("http://", "https://")):
        return [Finding("SPK-9", "error", f"{url!r} is not a web address", "use an http(s) URL")]
    return []


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def check_code_active(
    auth_end: datetime, *, now: datetime, auth_status: str | None = "AUTHORIZED"
) -> list[Finding]:
    """SPK-1: a creator's code that is expired or no longer authorized covers nothing."""
    if auth_status in (None, "AUTHORIZED") and auth_end > now:
        return []
    state = "expired" if auth_end <= now else (auth_status or "unknown").lower()
    return [
        Finding(
            "SPK-1",
            "error",
            f"the post's authorization is {state} (it ends {_day(auth_end)})",
            "ask the creator for a new video code and authorize it",
        )
    ]


def check_code_covers(auth_end: datetime, flight_end: datetime | None) -> list[Finding]:
    """§4: the code must cover the whole flight, or the ad stops when it expires."""
    if flight_end is not None and flight_end <= auth_end:
        return []
    until = "has no end date" if flight_end is None else f"runs until {_day(flight_end)}"
    return [
        Finding(
            "SPK-1",
            "error",
            f"the flight {until} but the creator's code expires {_day(auth_end)}: "
            "the ad would stop with AD_STATUS_ASSET_AUTHORIZATION_LOST",
            f"end the flight by {_day(auth_end)}, or ask the creator for a longer code",
        )
    ]


def check_code_expiring(
    auth_end: datetime, *, now: datetime, warn_days: int = DEFAULT_EXPIRY_WARNING_DAYS
) -> list[Finding]:
    """A warning *warn_days* before a creator's code expires."""
    if auth_end - now > timedelta(days=warn_days) or auth_end <= now:
        return []
    days = (auth_end - now).days
    return [
        Finding(
            "SPK-1",
            "warning",
            f"the creator's code expires in {days} day{'s' if days != 1 else ''} "
            f"({_day(auth_end)})",
            "ask the creator for a new code before then to keep the ad running",
        )
    ]


def check_authorization(
    auth_end: datetime | None,
    flight_end: datetime | None,
    *,
    now: datetime,
    warn_days: int = DEFAULT_EXPIRY_WARNING_DAYS,
    auth_status: str | None = "AUTHORIZED",
) -> list[Finding]:
    """SPK-1 and §4: a creator's code is active, covers the whole flight, and is warned about
    before it expires. *auth_end* ``None`` is a post that needs no code (the account's own)."""
    if auth_end is None:
        return []
    inactive = check_code_active(auth_end, now=now, auth_status=auth_status)
    if inactive:
        return inactive
    return check_code_covers(auth_end, flight_end) + check_code_expiring(
        auth_end, now=now, warn_days=warn_days
    )

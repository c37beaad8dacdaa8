"""The posts an ad account can promote as Spark ads, and what each authorization allows (SPK-1).

Three sources (``marketing_api.md`` §4):

- the ad account's own TikTok account (identity ``TT_USER``) and the TikTok accounts authorized
  to its Business Center (``BC_AUTH_TT``, with ``can_pull_video``): every post, no code needed;
- creators' posts bound with a video code (``AUTH_CODE``, ``/tt_video/list/``): each with the
  code's expiry.

Each :class:`UsablePost` also carries the post's Duet / Stitch / Sticker / music settings, which
a Spark ad keeps (SPK-12). Deleting a post needs its Spark authorization removed first (SPK-7):
:func:`check_delete` says what stands in the way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final, Literal

from tokops.campaigns.findings import Finding
from tokops.campaigns.spark_rules import (
    DEFAULT_EXPIRY_WARNING_DAYS,
    check_banned,
    check_code_active,
    check_code_expiring,
    check_duration,
)
from tokops.tiktok.marketing import IdentityVideo, MarketingClient, SparkPost

__all__ = [
    "DeleteCheck",
    "PostSettings",
    "Source",
    "UsablePost",
    "check_delete",
    "check_new_code",
    "find_post",
    "iter_usable_posts",
    "list_usable_posts",
    "parse_time",
]

Source = Literal["own account", "business center", "creator code"]
_SETTING_NAMES: Final = (("duet", "item_duet_status"), ("stitch", "item_stitch_status"))


def parse_time(text: str | None) -> datetime | None:
    """A wire time ``YYYY-MM-DD HH:MM:SS`` (UTC, §3.4) as an aware datetime."""
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _flag(value: Any) -> bool | None:
    if value is None:
        return None
    return str(value).upper() in ("ENABLE", "ENABLED", "ON", "TRUE", "1")


@dataclass(frozen=True, slots=True)
class PostSettings:
    """What a post lets viewers do; a Spark ad keeps all of it (SPK-12). ``None``: unknown."""

    duet: bool | None = None
    stitch: bool | None = None
    sticker: bool | None = None
    music: str | None = None

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> PostSettings:
        return cls(
            duet=_flag(values.get("item_duet_status")),
            stitch=_flag(values.get("item_stitch_status")),
            sticker=_flag(values.get("item_sticker_status")),
            music=values.get("music_title") or None,
        )

    def describe(self) -> str:
        """``duet on, stitch off, sticker on, music "Lo-fi Rain"``."""

        def word(value: bool | None) -> str:
            return "?" if value is None else "on" if value else "off"

        music = f'music "{self.music}"' if self.music else "music ?"
        return (
            f"duet {word(self.duet)}, stitch {word(self.stitch)}, "
            f"sticker {word(self.sticker)}, {music}"
        )

    def creative_fields(self) -> dict[str, str]:
        """The ``/ad/create/`` fields that keep the post's Duet and Stitch settings (§3.6)."""
        out: dict[str, str] = {}
        for name, key in _SETTING_NAMES:
            value = getattr(self, name)
            if value is not None:
                out[key] = "ENABLE" if value else "DISABLE"
        return out


@dataclass(frozen=True, slots=True)
class UsablePost:
    """A post the ad account may promote, with where its right to do so comes from."""

    item_id: str
    caption: str
    duration: Decimal | None
    """Seconds."""
    status: str | None
    source: Source
    identity_type: str
    identity_id: str
    identity_authorized_bc_id: str | None = None
    owner: str | None = None
    auth_code: str | None = None
    auth_status: str | None = None
    auth_end: datetime | None = None
    """When a creator's code stops covering ads; ``None`` for the account's own posts."""
    settings: PostSettings = field(default_factory=PostSettings)

    @property
    def banned(self) -> bool:
        return (self.status or "").upper() == "BANNED"

    def allows(self) -> str:
        """What the authorization allows, for a person."""
        if self.source != "creator code":
            return "Spark ads, no end date (the account's own post)"
        if self.auth_end is None:
            return f"Spark ads ({self.auth_status or 'status unknown'})"
        return f"Spark ads until {self.auth_end:%Y-%m-%d %H:%M} UTC ({self.auth_status})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "caption": self.caption,
            "duration": float(self.duration) if self.duration is not None else None,
            "status": self.status,
            "source": self.source,
            "identity_type": self.identity_type,
            "identity_id": self.identity_id,
            "identity_authorized_bc_id": self.identity_authorized_bc_id,
            "owner": self.owner,
            "auth_code": self.auth_code,
            "auth_status": self.auth_status,
            "auth_end": self.auth_end.isoformat() if self.auth_end else None,
            "allows": self.allows(),
            "settings": {
                "duet": self.settings.duet,
                "stitch": self.settings.stitch,
                "sticker": self.settings.sticker,
                "music": self.settings.music,
            },
        }


def _from_code(post: SparkPost) -> UsablePost:
    return UsablePost(
        item_id=post.item_id,
        caption=post.text or "",
        duration=post.duration,
        status=post.item_status,
        source="creator code",
        identity_type=post.identity_type or "AUTH_CODE",
        identity_id=post.identity_id or "",
        owner=post.tiktok_name,
        auth_code=post.auth_code,
        auth_status=post.ad_auth_status,
        auth_end=parse_time(post.auth_end_time),
        settings=PostSettings.of(post.model_dump()),
    )


def _from_identity(
    video: IdentityVideo, source: Source, identity: tuple[str, str, str | None], owner: str | None
) -> UsablePost:
    extra = {**(video.model_extra or {}), **video.model_dump()}
    info = video.video_info or {}
    duration = info.get("duration")
    return UsablePost(
        item_id=video.item_id,
        caption=video.text or "",
        duration=Decimal(str(duration)) if duration is not None else None,
        status=extra.get("status"),
        source=source,
        identity_type=identity[0],
        identity_id=identity[1],
        identity_authorized_bc_id=identity[2],
        owner=owner,
        settings=PostSettings.of(extra),
    )


def iter_usable_posts(mk: MarketingClient, advertiser_id: str) -> Iterator[UsablePost]:
    """Every post usable as a Spark ad: own and Business Center accounts, then creators' codes.

    A post reachable both as ``TT_USER`` and ``BC_AUTH_TT`` is listed once, as the former."""
    seen: set[str] = set()
    for kind, source in (("TT_USER", "own account"), ("BC_AUTH_TT", "business center")):
        for ident in mk.identities.iter(advertiser_id, identity_type=kind):  # type: ignore[arg-type]
            if ident.can_pull_video is False:
                continue
            key = (kind, ident.identity_id, ident.identity_authorized_bc_id)
            for video in mk.identities.videos(
                advertiser_id,
                kind,  # type: ignore[arg-type]
                ident.identity_id,
                identity_authorized_bc_id=ident.identity_authorized_bc_id,
            ):
                if video.item_id not in seen:
                    seen.add(video.item_id)
                    yield _from_identity(video, source, key, ident.display_name)  # type: ignore[arg-type]
    for post in mk.spark.iter(advertiser_id):
        yield _from_code(post)


def list_usable_posts(mk: MarketingClient, advertiser_id: str) -> list[UsablePost]:
    """:func:`iter_usable_posts` as a list."""
    return list(iter_usable_posts(mk, advertiser_id))


def find_post(mk: MarketingClient, advertiser_id: str, item_id: str) -> UsablePost | None:
    """The usable post *item_id* (a creator's code first: it says how long it may run)."""
    for post in mk.spark.iter(advertiser_id):
        if post.item_id == item_id:
            return _from_code(post)
    return next((p for p in iter_usable_posts(mk, advertiser_id) if p.item_id == item_id), None)


def check_new_code(
    post: SparkPost, *, now: datetime, warn_days: int = DEFAULT_EXPIRY_WARNING_DAYS
) -> list[Finding]:
    """What stands against authorizing a code, read from its preview (``/tt_video/info/``)."""
    usable = _from_code(post)
    found = check_banned(usable.status)
    if usable.auth_end is not None:
        found += check_code_active(usable.auth_end, now=now, auth_status=None)
        found += check_code_expiring(usable.auth_end, now=now, warn_days=warn_days)
    return found + [f for f in check_duration(usable.duration) if f.severity == "error"]


@dataclass(frozen=True, slots=True)
class DeleteCheck:
    """SPK-7: whether a post may be deleted, the codes that bind it, the ads that use it."""

    item_id: str
    codes: tuple[str, ...]
    ad_ids: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def allowed(self) -> bool:
        return not self.codes


def check_delete(mk: MarketingClient, advertiser_id: str, item_id: str) -> DeleteCheck:
    """SPK-7: a post still authorized as a Spark ad on the ad account cannot be deleted."""
    codes = tuple(
        p.auth_code
        for p in mk.spark.iter(advertiser_id)
        if p.item_id == item_id and p.auth_code and p.ad_auth_status == "AUTHORIZED"
    )
    ads = tuple(a.ad_id for a in mk.ads.iter(advertiser_id) if a.tiktok_item_id == item_id)
    findings: list[Finding] = []
    if codes:
        findings.append(
            Finding(
                "SPK-7",
                "error",
                f"post {item_id} is still authorized as a Spark ad on ad account {advertiser_id}",
                f"de-authorize it first (code {codes[0]}), then delete the post",
            )
        )
    if ads:
        findings.append(
            Finding(
                "SPK-7",
                "warning",
                f"{len(ads)} ad{'s' if len(ads) != 1 else ''} promote this post; "
                "they stop delivering once it is gone",
                "pause or delete those ads if they should not show an error",
            )
        )
    return DeleteCheck(item_id, codes, ads, tuple(findings))

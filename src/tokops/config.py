"""Workspace configuration: ``tokops.toml`` in the working folder, plus environment for secrets.

Precedence, highest first: explicit arguments (CLI flags) > environment > ``tokops.toml`` >
defaults. Secrets (the TikTok access token) are read from the environment only, held as
:class:`pydantic.SecretStr`, and never written to the workspace file, logs or the store.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from tokops.errors import ConfigError

__all__ = [
    "DEFAULT_API_BASE",
    "WORKSPACE_FILE",
    "EventsSettings",
    "Settings",
    "StoreSettings",
    "TikTokSettings",
    "access_token",
    "app_credentials",
    "check_store_scheme",
    "check_timezone",
    "load_settings",
    "write_workspace",
]

WORKSPACE_FILE = "tokops.toml"
DEFAULT_API_BASE = "https://business-api.tiktok.com"
TOKEN_ENV = "TIKTOK_ACCESS_TOKEN"
APP_ID_ENV = "TIKTOK_APP_ID"
APP_SECRET_ENV = "TIKTOK_APP_SECRET"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Section):
    url: str = "duckdb://tokops.duckdb"
    """Ibis connection URL of the store: ``duckdb://path`` (default) or ``postgres://…``
    (:func:`tokops.warehouse.urls.parse_store_url`). A workspace store in memory must say so
    (``duckdb://:memory:``): the bare ``duckdb://`` is refused, every run would start afresh."""

    @field_validator("url")
    @classmethod
    def _named(cls, url: str) -> str:
        if url.strip().lower() in ("duckdb://", "duckdb:", "duckdb"):
            raise ValueError(
                f"{url!r} names no database (every run would start from an empty ledger): "
                "use duckdb://tokops.duckdb, or duckdb://:memory: if that is what you want"
            )
        return url


STORE_SCHEMES = ("duckdb://", "postgres://", "postgresql://")


def check_store_scheme(url: str) -> str:
    """*url* when it names an engine tokops stores in, else ConfigError (the URL itself is not
    shown: it may hold a password)."""
    if not url.startswith(STORE_SCHEMES):
        got = f"scheme {url.split('://', 1)[0]!r}" if "://" in url else "no scheme"
        raise ConfigError(f"a store URL is duckdb://PATH or postgres://USER@HOST/DB (got {got})")
    return url


class TikTokSettings(_Section):
    api_base: str = DEFAULT_API_BASE
    """Scheme and host; clients append ``/open_api/v1.3/…``."""
    shop_api_base: str | None = None
    """TikTok Shop Partner API host (default: the real one; the local sandbox serves both)."""
    advertiser_id: str | None = None
    """Default advertiser (ad account) id for commands that act on one (audiences …)."""
    timeout_s: float = 30.0
    max_retries: int = 6
    qps: float = 50.0
    """Client-side request rate cap for one app (shared by every call of the process)."""
    insecure: bool = False
    """Allow a plain ``http://`` API base on a host that is not a loopback address: the access
    token then travels in clear (:func:`tokops.tiktok._http.check_api_base`)."""


def check_timezone(name: str) -> str:
    """*name* when it is a known IANA zone (``UTC``, ``Europe/Paris`` …), else ConfigError."""
    if not name or name != name.strip():
        raise ConfigError(f"unknown time zone {name!r}")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"unknown time zone {name!r} (an IANA name such as UTC, Europe/Paris or "
            "America/New_York)"
        ) from None
    return name


class EventsSettings(_Section):
    phone_region: str = "US"
    """Default region for phone numbers written without a country code (ISO 3166 alpha-2)."""
    web_max_age_days: int = Field(default=7, ge=1, le=365)
    crm_max_age_days: int = Field(default=28, ge=1, le=365)
    batch_size: int = Field(default=1000, ge=1, le=1000)
    concurrency: int = Field(default=4, ge=1, le=32)
    unrecorded: int = Field(default=16, ge=1, le=256)
    """Requests sent whose outcome may wait for the ledger's commit: a crash re-sends at most
    ``unrecorded × batch_size`` events (TikTok deduplicates them by event_id)."""
    qps: float = Field(default=1000.0, gt=0)
    """Client-side request rate cap of the events sync: ``/event/track/`` allows 1,000 QPS
    for every app tier (events_api.md §4), unlike the Marketing API's ``[tiktok] qps``."""
    timezone: str | None = None
    """IANA zone of event times written without one (a mapping's ``[formats] timezone`` wins);
    None: UTC."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return check_timezone(value)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None

    def max_age_days(self, event_source: str) -> int | None:
        """How old a ``web`` or ``crm`` event may be, in days (None for ``offline``: TikTok fixes
        it at 28 days, the sync's own default)."""
        return {"web": self.web_max_age_days, "crm": self.crm_max_age_days}.get(event_source)


class Settings(_Section):
    store: StoreSettings = StoreSettings()
    tiktok: TikTokSettings = TikTokSettings()
    events: EventsSettings = EventsSettings()


_ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "TOKOPS_STORE_URL": ("store", "url"),
    "TOKOPS_API_BASE": ("tiktok", "api_base"),
    "TIKTOK_SHOP_API_BASE": ("tiktok", "shop_api_base"),
    "TIKTOK_ADVERTISER_ID": ("tiktok", "advertiser_id"),
    "TOKOPS_INSECURE": ("tiktok", "insecure"),
}


def load_settings(folder: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``tokops.toml`` from *folder* (default: the working folder), then apply env overrides.

    A missing file is fine (defaults apply); a malformed one is a :class:`ConfigError` that says
    which key is wrong.
    """
    env = os.environ if environ is None else environ
    path = (folder or Path.cwd()) / WORKSPACE_FILE
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    for var, (section, key) in _ENV_OVERRIDES.items():
        if env.get(var):
            raw.setdefault(section, {})[key] = env[var]
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_problems(exc)}") from None


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())


def _toml_string(value: str) -> str:
    """*value* as a TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def access_token(environ: Mapping[str, str] | None = None) -> SecretStr:
    """The TikTok access token from ``TIKTOK_ACCESS_TOKEN``; a clear error when it is not set."""
    env = os.environ if environ is None else environ
    value = env.get(TOKEN_ENV, "").strip()
    if not value:
        raise ConfigError(
            f"{TOKEN_ENV} is not set. Export your TikTok access token "
            "(for the local sandbox, the token it prints at start)."
        )
    return SecretStr(value)


def app_credentials(
    environ: Mapping[str, str] | None = None,
) -> tuple[str | None, SecretStr | None]:
    """The TikTok app's id and secret from ``TIKTOK_APP_ID`` / ``TIKTOK_APP_SECRET`` (``None``
    for one that is not set): a sync uses them to list the advertisers a token may read."""
    env = os.environ if environ is None else environ
    secret = env.get(APP_SECRET_ENV)
    return env.get(APP_ID_ENV) or None, SecretStr(secret) if secret else None


_TEMPLATE = """\
# tokops workspace. Secrets do not belong here: export TIKTOK_ACCESS_TOKEN instead.

[store]
# Any Ibis connection URL: duckdb://tokops.duckdb (default) or postgres://user@host:5432/db
url = {store_url}

[tiktok]
# The real API; point it at a local sandbox with http://127.0.0.1:8765 (tokops init --sandbox)
api_base = {api_base}
# TikTok Shop Partner API (orders); the local sandbox serves it on the same address.
{shop_line}
# Plain http:// is refused unless the host is a loopback address (the token would travel in
# clear); to allow it anyway:
# insecure = true

[events]
# Region used for phone numbers written without a country code.
phone_region = {phone_region}
# How old an event may be before it is rejected (offline is fixed at 28 days by TikTok).
web_max_age_days = 7
crm_max_age_days = 28
# Requests at once, and how many sent requests may wait for their ledger commit (a crash
# re-sends at most unrecorded × 1000 events; TikTok deduplicates them by event_id).
concurrency = 4
unrecorded = 16
# Zone of event times written without one (an IANA name); default UTC.
# timezone = "Europe/Paris"
"""


def write_workspace(
    folder: Path,
    *,
    store_url: str = StoreSettings().url,
    api_base: str = DEFAULT_API_BASE,
    phone_region: str = "US",
    shop_api_base: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a commented ``tokops.toml``; refuses to overwrite an existing one unless asked.

    *shop_api_base* ``None`` leaves the TikTok Shop host at its default (a commented line).
    """
    path = folder / WORKSPACE_FILE
    if path.exists() and not overwrite:
        raise ConfigError(f"{path} already exists; overwrite it only if you mean to")
    shop_line = (
        f"shop_api_base = {_toml_string(shop_api_base)}"
        if shop_api_base
        else '# shop_api_base = "https://open-api.tiktokglobalshop.com"'
    )
    text = _TEMPLATE.format(
        store_url=_toml_string(store_url),
        api_base=_toml_string(api_base),
        phone_region=_toml_string(phone_region),
        shop_line=shop_line,
    )
    try:
        Settings.model_validate(tomllib.loads(text))  # what is written must load again
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_problems(exc)}") from None
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path

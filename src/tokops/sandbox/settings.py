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
    http5xx_rate = 0.01    # HTTP 503 from the gateway
    drop_rate = 0.01       # connection closed without a response
    storm_seconds = 10     # every request answered 40100 during the first 10 s
    seed = 7               # same seed, same faults for the same sequence of requests
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "DEFAULT_ADVERTISER_ID",
    "DEFAULT_APP_ID",
    "DEFAULT_CRM_EVENT_SET_ID",
    "DEFAULT_OFFLINE_EVENT_SET_ID",
    "DEFAULT_PIXEL_CODE",
    "FaultSettings",
    "SandboxConfigError",
    "SandboxSettings",
    "SourceSettings",
    "load_settings",
]

#: Seeded world (BYD-1). A pixel code is 20 characters; event set and advertiser ids are
#: 19-digit numeric strings, as on the real platform (``events_api.md`` §1.2).
DEFAULT_PIXEL_CODE: Final = "CTOKOPSDEMOPIXEL0001"
DEFAULT_ADVERTISER_ID: Final = "7100000000000000001"
DEFAULT_OFFLINE_EVENT_SET_ID: Final = "7200000000000000001"
DEFAULT_CRM_EVENT_SET_ID: Final = "7300000000000000001"
DEFAULT_APP_ID: Final = "7500000000000000001"


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
    """Share of requests answered ``code 50000`` ("system error"), after auth."""
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

"""Server-vs-pixel diagnostics per event, from the local sandbox's read-out (EVT-6).

Events Manager shows, per event, the connection method (browser only / server only / server &
browser), deduplication details and match keys (``events_api.md`` §6–7), but the Marketing API
has no endpoint for it. The tokops sandbox exposes the same read-out at
``GET {api_base}/sandbox/diagnostics/?event_source_id=ID`` (outside ``/open_api/v1.3/``; same
envelope and ``Access-Token`` header). Against the real TikTok, :func:`fetch_diagnostics` does not
call anything and answers ``None``: the numbers are in Events Manager.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field

from tokops.errors import HTTPStatusError, NotFoundError, ParameterError
from tokops.tiktok._http import ApiClient

__all__ = [
    "DIAGNOSTICS_PATH",
    "ConnectionMethod",
    "Deduplication",
    "EventDiagnostics",
    "NotHashed",
    "Received",
    "SourceDiagnostics",
    "fetch_diagnostics",
    "is_real_tiktok",
]

DIAGNOSTICS_PATH: Final = "/sandbox/diagnostics/"
_NOT_IMPLEMENTED: Final = 40008


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Received(_Wire):
    server: int = 0
    """Arrivals through the Events API."""
    browser: int = 0
    """Arrivals from the Pixel."""


class ConnectionMethod(_Wire):
    """Kept events by where they came from, as Events Manager's "Connection Method" shows."""

    server_only: int = 0
    browser_only: int = 0
    server_and_browser: int = 0
    """Received from both within 5 minutes and merged into one."""


class Deduplication(_Wire):
    kept: int = 0
    merged: int = 0
    """Later arrivals folded into the first event (other channel, within 5 minutes)."""
    dropped: int = 0
    """Later arrivals deduplicated away (same event and event_id within 48 h)."""


class NotHashed(_Wire):
    email: float = 0.0
    """Share of events with an email that was not a SHA-256 hex digest."""
    phone: float = 0.0


class EventDiagnostics(_Wire):
    """The API's view of one event name of one event source (live stream only)."""

    event: str
    status: str | None = None
    """"Active" (received in the last 7 days) or "No recent activity"."""
    total_received: int = 0
    last_received: int | None = None
    """Unix seconds."""
    received: Received = Received()
    connection_method: ConnectionMethod = ConnectionMethod()
    deduplication: Deduplication = Deduplication()
    match_key_coverage: dict[str, float] = Field(default_factory=dict)
    """Share (0–1) of kept events carrying each key (``ip_user_agent`` for IP + user agent)."""
    not_hashed: NotHashed = NotHashed()
    empty_string_hashes: int = 0
    """Events carrying SHA-256 of the empty string (a hashing bug)."""

    @property
    def server_events(self) -> int:
        """Events received from the server, before deduplication (EVT-6 compares these: a server
        copy dropped for arriving after the Pixel's still counts as received)."""
        return self.received.server

    @property
    def browser_events(self) -> int:
        """Events received from the Pixel, before deduplication."""
        return self.received.browser

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.model_dump(),
            "server_events": self.server_events,
            "pixel_events": self.browser_events,
        }


class SourceDiagnostics(_Wire):
    """Diagnostics of one event source id (``data`` of the sandbox's answer)."""

    event_source_id: str
    events: list[EventDiagnostics] = Field(default_factory=list)
    total_received: int = 0


def is_real_tiktok(api_base: str) -> bool:
    """True for TikTok's own hosts, which have no diagnostics endpoint."""
    host = (urlparse(api_base).hostname or "").lower()
    return host == "tiktok.com" or host.endswith(".tiktok.com")


def fetch_diagnostics(api: ApiClient, event_source_id: str) -> SourceDiagnostics | None:
    """The sandbox's diagnostics for *event_source_id*; ``None`` when the API has none.

    ``None`` means "not offered by this API": the real TikTok (not called at all), or a server
    answering 404 / 40400 / 40008 for the route. Other failures raise the usual
    :mod:`tokops.errors` so the caller can say what went wrong.
    """
    if is_real_tiktok(api.api_base):
        return None
    # An absolute URL: httpx ignores the client's base URL (``/open_api/v1.3/``) for it, and the
    # call still gets the envelope handling, retries and the Access-Token header.
    url = api.api_base + DIAGNOSTICS_PATH
    try:
        resp = api.call("GET", url, params={"event_source_id": event_source_id})
    except HTTPStatusError as exc:
        if exc.status in (404, 405):
            return None
        raise
    except (NotFoundError, ParameterError) as exc:
        if exc.code in (40400, _NOT_IMPLEMENTED):
            return None
        raise
    data = resp.data if isinstance(resp.data, dict) else {}
    return SourceDiagnostics.model_validate({"event_source_id": event_source_id, **data})

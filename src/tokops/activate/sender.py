"""Deliver one batch of events, splitting it to isolate the rows TikTok refuses (EVT-1).

TikTok validates a request as a whole: one bad event fails all of them (40002 and friends,
spec §5). :meth:`BatchSender.deliver` sends the batch; when the answer is a parameter error it
bisects — each half is sent on its own — until the bad events stand alone, so the good ones are
sent and only the bad ones are ``rejected`` (with TikTok's code and message). One bad event in
1,000 costs about 2·log2(1000) + 1 ≈ 21 requests.

- Transient errors (40100 family, 5xxxx, HTTP 5xx, timeouts, resets) are retried with backoff by
  the HTTP core; when its retries run out, the batch's rows are ``failed`` (a re-run sends them).
- Errors no split can fix — the token (401xx), permissions (40001 …), an unknown pixel or set
  (40007), a wrong route — end the delivery at once: the rows not sent are ``failed`` and
  :attr:`Delivery.stop` carries the error, so the run stops; nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from tokops.activate.payload import EncodedEvents
from tokops.errors import (
    APIError,
    AuthError,
    DuplicateRequestError,
    HTTPStatusError,
    NotFoundError,
    ParameterError,
    PermissionDeniedError,
    TikTokError,
    Transient,
)
from tokops.tiktok.events import EventsClient, EventSource

__all__ = ["BatchSender", "Delivery", "Outcome"]

#: HTTP statuses for which a smaller request may pass (bad request, payload too large).
_SPLITTABLE_HTTP: Final = frozenset({400, 413, 422})


@dataclass(frozen=True)
class Outcome:
    """What happened to events ``[start, stop)`` of a batch."""

    start: int
    stop: int
    status: Literal["sent", "rejected", "failed"]
    attempts: int
    api_code: int | None = None
    request_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Delivery:
    outcomes: list[Outcome]
    """Cover every index of the batch exactly once, in order."""
    stop: TikTokError | None = None
    """An error that must stop the whole run (credentials, permissions, configuration)."""


def _splittable(exc: TikTokError) -> bool:
    if isinstance(exc, AuthError | PermissionDeniedError | NotFoundError | DuplicateRequestError):
        return False
    if isinstance(exc, ParameterError):
        return True
    if isinstance(exc, HTTPStatusError):
        return exc.status in _SPLITTABLE_HTTP
    return isinstance(exc, APIError) and 40000 <= exc.code < 50000


def _describe(exc: TikTokError) -> tuple[int | None, str | None, str]:
    if isinstance(exc, APIError):
        return exc.code, exc.request_id, f"TikTok {exc.code}: {exc.message}"
    if isinstance(exc, HTTPStatusError):
        return None, None, f"HTTP {exc.status}"
    return None, None, str(exc)


class BatchSender:
    """Sends batches of serialised events through one Events API client (thread-safe); the
    requests carry the client's ``partner_name``."""

    def __init__(
        self,
        client: EventsClient,
        *,
        event_source: EventSource,
        event_source_id: str,
        test_event_code: str | None = None,
        max_attempts: int = 7,
    ) -> None:
        self._client = client
        self._event_source: EventSource = event_source
        self._event_source_id = event_source_id
        self._test_event_code = test_event_code
        self._max_attempts = max_attempts

    def body(self, events: EncodedEvents, start: int, stop: int) -> bytes:
        return self._client.body(
            self._event_source,
            self._event_source_id,
            events.views(start, stop),
            test_event_code=self._test_event_code,
        )

    def deliver(self, events: EncodedEvents) -> Delivery:
        """Send *events*, bisecting on parameter errors (see the module docstring)."""
        outcomes: list[Outcome] = []
        stop: list[TikTokError] = []
        self._deliver(events, 0, len(events), outcomes, stop)
        return Delivery(outcomes, stop[0] if stop else None)

    def _deliver(
        self,
        events: EncodedEvents,
        lo: int,
        hi: int,
        out: list[Outcome],
        stop: list[TikTokError],
    ) -> None:
        if lo >= hi:
            return
        if stop:
            code, request_id, reason = _describe(stop[0])
            out.append(Outcome(lo, hi, "failed", 0, code, request_id, reason))
            return
        try:
            resp = self._client.track_raw(self.body(events, lo, hi))
        except TikTokError as exc:
            code, request_id, reason = _describe(exc)
            if isinstance(exc, Transient):
                out.append(Outcome(lo, hi, "failed", self._max_attempts, code, request_id, reason))
                return
            if not _splittable(exc):
                stop.append(exc)
                out.append(Outcome(lo, hi, "failed", 1, code, request_id, reason))
                return
            if hi - lo == 1:
                out.append(Outcome(lo, hi, "rejected", 1, code, request_id, reason))
                return
            mid = (lo + hi) // 2
            self._deliver(events, lo, mid, out, stop)
            self._deliver(events, mid, hi, out, stop)
            return
        out.append(Outcome(lo, hi, "sent", resp.attempts, resp.code, resp.request_id))

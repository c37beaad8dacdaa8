"""One entry of the sandbox's route table, and the prefix every TikTok API path shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from tokops.sandbox.server.request import SandboxRequest

__all__ = ["API", "Handler", "Route"]

API: Final = "/open_api/v1.3/"

Handler = Callable[[SandboxRequest, datetime], Any]


@dataclass(frozen=True)
class Route:
    """One endpoint: ``faulty`` routes get fault injection, ``throttled`` ones the QPS limit,
    ``legacy`` ones the Events API 1.0 error wording, ``app_limited`` ones the Marketing API's
    app-level rate limit."""

    method: str
    path: str
    handler: Handler
    summary: str
    faulty: bool = True
    throttled: bool = False
    legacy: bool = False
    app_limited: bool = False
    public: bool = False
    """No ``Access-Token`` needed (``/oauth2/access_token/`` hands one out)."""

"""The one place the CLI builds a TikTok API client from the workspace.

Token from ``TIKTOK_ACCESS_TOKEN`` (never printed); base URL from ``--api-base`` or the
workspace; timeouts, retries and the client-side rate limit from ``[tiktok]``. Tests replace
:func:`transport` to plug in the in-process sandbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from tokops.config import Settings, access_token

if TYPE_CHECKING:
    from tokops.tiktok import ApiClient

__all__ = ["api_client", "transport"]


def transport() -> httpx.BaseTransport | None:
    """The HTTP transport for API calls (None: real sockets). Tests replace this function."""
    return None


def api_client(
    settings: Settings, api_base: str | None = None, *, qps: float | None = None
) -> ApiClient:
    """An API client configured from the workspace (*qps*: a rate cap other than the Marketing
    API's ``[tiktok] qps``, e.g. the Events API's)."""
    from tokops.tiktok import ApiClient, RateLimiter, RetryPolicy

    tk = settings.tiktok
    return ApiClient(
        access_token(),
        api_base=api_base or tk.api_base,
        transport=transport(),
        timeout_s=tk.timeout_s,
        retry=RetryPolicy(max_retries=tk.max_retries),
        rate_limiter=RateLimiter(qps or tk.qps),
    )

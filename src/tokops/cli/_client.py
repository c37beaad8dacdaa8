"""The one place the CLI builds a TikTok API client from the workspace.

Token from ``TIKTOK_ACCESS_TOKEN`` (never printed); base URL from ``--api-base`` or the
workspace; timeouts, retries and the client-side rate limit from ``[tiktok]``. Tests replace
:func:`transport` to plug in the in-process sandbox.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

import httpx
import typer

from tokops.config import Settings, access_token

if TYPE_CHECKING:
    from tokops.tiktok import ApiClient

__all__ = ["announce", "api_client", "describe_base", "transport"]


def describe_base(api_base: str, api: str = "TikTok API") -> str:
    """Where calls go, for a person: ``sandbox at http://127.0.0.1:8765`` (a loopback host),
    ``TikTok API https://business-api.tiktok.com``, or ``TikTok API at <other host>``."""
    try:
        host = httpx.URL(api_base).host
    except httpx.InvalidURL:
        return f"{api} at {api_base}"
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return f"sandbox at {api_base}"
    if host.endswith((".tiktok.com", ".tiktokglobalshop.com")):
        return f"{api} {api_base}"
    return f"{api} at {api_base}"


def announce(api_base: str, api: str = "TikTok API") -> None:
    """Say on stderr where the API calls of this command go (stdout stays for JSON)."""
    typer.echo(f"→ {describe_base(api_base, api)}", err=True)


def transport() -> httpx.BaseTransport | None:
    """The HTTP transport for API calls (None: real sockets). Tests replace this function."""
    return None


def api_client(settings: Settings, api_base: str | None = None) -> ApiClient:
    """An API client configured from the workspace."""
    from tokops.tiktok import ApiClient, RateLimiter, RetryPolicy

    tk = settings.tiktok
    token = access_token()
    base = api_base or tk.api_base
    announce(base)
    return ApiClient(
        token,
        api_base=base,
        transport=transport(),
        timeout_s=tk.timeout_s,
        retry=RetryPolicy(max_retries=tk.max_retries),
        rate_limiter=RateLimiter(tk.qps),
    )

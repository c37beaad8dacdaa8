"""The one place the CLI builds a TikTok API client from the workspace.

Token from ``TIKTOK_ACCESS_TOKEN`` (never printed); base URL from ``--api-base`` or the
workspace; timeouts, retries and the client-side rate limit from ``[tiktok]``. Tests replace
:func:`transport` to plug in the in-process sandbox.

A plain ``http://`` base off loopback is refused by the HTTP core unless ``--insecure`` (or
``[tiktok] insecure = true``, or ``TOKOPS_INSECURE=1``) allows it: :func:`allow_insecure` turns
the library's refusal into a message that names the flag.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx
import typer

from tokops.config import Settings, access_token

if TYPE_CHECKING:
    from tokops.tiktok import ApiClient

__all__ = [
    "INSECURE",
    "allow_insecure",
    "announce",
    "api_client",
    "describe_base",
    "transport",
    "with_insecure",
]

INSECURE = typer.Option(
    False,
    "--insecure",
    help="Allow a plain http:// API base that is not a loopback address "
    "(the access token travels in clear).",
)


@contextmanager
def allow_insecure() -> Iterator[None]:
    """Name the ways to allow plain HTTP in the HTTP core's refusal."""
    from tokops.tiktok import InsecureBaseError

    try:
        yield
    except InsecureBaseError as exc:
        raise InsecureBaseError(
            f"{exc} (--insecure, or insecure = true in the tiktok section of tokops.toml)"
        ) from None


def with_insecure(settings: Settings, insecure: bool) -> Settings:
    """*settings* with ``[tiktok] insecure`` set when ``--insecure`` was given."""
    if not insecure:
        return settings
    tiktok = settings.tiktok.model_copy(update={"insecure": True})
    return settings.model_copy(update={"tiktok": tiktok})


def describe_base(api_base: str, api: str = "TikTok API") -> str:
    """Where calls go, for a person: ``sandbox at http://127.0.0.1:8765`` (a loopback host),
    ``TikTok API https://business-api.tiktok.com``, or ``TikTok API at <other host>``."""
    from tokops.tiktok import is_loopback_host

    try:
        host = httpx.URL(api_base).host
    except httpx.InvalidURL:
        return f"{api} at {api_base}"
    if is_loopback_host(host):
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


def api_client(
    settings: Settings,
    api_base: str | None = None,
    *,
    insecure: bool = False,
    qps: float | None = None,
) -> ApiClient:
    """An API client configured from the workspace (*insecure*: ``--insecure`` was given;
    *qps*: a rate cap other than the Marketing API's ``[tiktok] qps``, e.g. the Events API's)."""
    from tokops.tiktok import ApiClient, RateLimiter, RetryPolicy

    tk = settings.tiktok
    base = api_base or tk.api_base
    with allow_insecure():
        client = ApiClient(
            access_token(),
            api_base=base,
            transport=transport(),
            timeout_s=tk.timeout_s,
            retry=RetryPolicy(max_retries=tk.max_retries),
            rate_limiter=RateLimiter(qps or tk.qps),
            insecure=insecure or tk.insecure,
        )
    announce(base)
    return client

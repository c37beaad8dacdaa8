"""The one place the CLI builds TikTok API clients from the workspace.

Token from ``TIKTOK_ACCESS_TOKEN`` (never printed); base URL from ``--api-base`` or the
workspace; timeouts, retries and the client-side rate limit from ``[tiktok]``. Three builders:
:func:`api_client` (the Events, Audiences and diagnostics calls), :func:`marketing_client` (the
metered client of a sync) and :func:`shop_client` (TikTok Shop, counted in that meter). Each
says on stderr where its calls go. :func:`diagnostics_fetcher` picks where ``tokops events
health`` gets server-vs-pixel counts. Tests replace :func:`transport` to plug in the in-process
sandbox; ``tests/cli/test_borders.py`` checks that no other CLI module builds a client.

A plain ``http://`` base off loopback is refused by the HTTP core unless ``--insecure`` (or
``[tiktok] insecure = true``, or ``TOKOPS_INSECURE=1``) allows it: :func:`allow_insecure` turns
the library's refusal into a message that names the flag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, TypedDict, TypeVar

import httpx
import typer

from tokops.config import Settings, access_token
from tokops.errors import ConfigError

if TYPE_CHECKING:
    from tokops.activate.health import DiagnosticsFetcher
    from tokops.tiktok import ApiClient
    from tokops.tiktok.marketing import MarketingClient
    from tokops.tiktok.shop import ShopClient

__all__ = [
    "INSECURE",
    "allow_insecure",
    "announce",
    "api_client",
    "describe_base",
    "diagnostics_fetcher",
    "marketing_client",
    "shop_client",
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


_Client = TypeVar("_Client")


def _announced(base: str, build: Callable[[], _Client], api: str = "TikTok API") -> _Client:
    """The client *build* makes for *base* (a refused plain-HTTP base names ``--insecure``),
    after saying where its calls go."""
    with allow_insecure():
        client = build()
    announce(base, api)
    return client


class _Connection(TypedDict):
    api_base: str
    transport: httpx.BaseTransport | None
    timeout_s: float
    insecure: bool


def _connection(settings: Settings, api_base: str | None, *, insecure: bool = False) -> _Connection:
    """Where and how a Marketing or Events API client connects: the base (``--api-base`` or the
    workspace's), the transport, the timeout and whether plain HTTP off loopback is allowed."""
    tk = settings.tiktok
    return {
        "api_base": api_base or tk.api_base,
        "transport": transport(),
        "timeout_s": tk.timeout_s,
        "insecure": insecure or tk.insecure,
    }


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
    conn = _connection(settings, api_base, insecure=insecure)
    return _announced(
        conn["api_base"],
        lambda: ApiClient(
            access_token(),
            retry=RetryPolicy(max_retries=tk.max_retries),
            rate_limiter=RateLimiter(qps or tk.qps),
            **conn,
        ),
    )


def marketing_client(
    settings: Settings, api_base: str | None = None, qps: float | None = None
) -> MarketingClient:
    """The metered Marketing API client of a sync (*qps*: the app's tier, default the basic
    tier's, not ``[tiktok] qps``)."""
    from tokops.ingest import connect_client
    from tokops.tiktok.marketing import BASIC_TIER_QPS

    conn = _connection(settings, api_base)
    rate = qps or BASIC_TIER_QPS
    retries = settings.tiktok.max_retries
    return _announced(
        conn["api_base"],
        lambda: connect_client(access_token(), qps=rate, max_retries=retries, **conn),
    )


def shop_client(settings: Settings, client: MarketingClient) -> ShopClient | None:
    """The TikTok Shop client of a sync, from ``TIKTOK_SHOP_*`` env vars (``None`` without them:
    the ``shop_orders`` stream is then reported as skipped); its calls count in *client*'s
    meter. The host is ``[tiktok] shop_api_base`` (or ``TIKTOK_SHOP_API_BASE``) when set."""
    from tokops.ingest.metering import metered
    from tokops.tiktok import RetryPolicy
    from tokops.tiktok.shop import ShopClient, shop_credentials

    creds = shop_credentials()
    if creds is None:
        return None
    tk = settings.tiktok
    if tk.shop_api_base:
        creds = replace(creds, api_base=tk.shop_api_base)
    return _announced(
        creds.api_base,
        lambda: ShopClient(
            creds,
            retry=RetryPolicy(max_retries=tk.max_retries),
            timeout_s=tk.timeout_s,
            transport=metered(client, transport()),
            insecure=tk.insecure,
        ),
        "TikTok Shop API",
    )


def diagnostics_fetcher(
    settings: Settings, api_base: str | None, stack: ExitStack
) -> DiagnosticsFetcher:
    """Where ``tokops events health`` gets server-vs-pixel counts: the API (a client closed
    with *stack*), or a note when the real TikTok has no such endpoint (Events Manager shows
    them) or no token is set."""
    from tokops.activate.health import (
        EVENTS_MANAGER_NOTE,
        DiagnosticsOutcome,
        diagnostics_from_api,
    )
    from tokops.tiktok import InsecureBaseError
    from tokops.tiktok.diagnostics import is_real_tiktok

    base = api_base or settings.tiktok.api_base
    if is_real_tiktok(base):
        return lambda _sid: DiagnosticsOutcome("unsupported", EVENTS_MANAGER_NOTE)
    try:
        api = stack.enter_context(api_client(settings, base))
    except InsecureBaseError:
        raise
    except ConfigError:
        note = "server-vs-pixel counts skipped: TIKTOK_ACCESS_TOKEN is not set"
        return lambda _sid: DiagnosticsOutcome("skipped", note)
    return diagnostics_from_api(api)

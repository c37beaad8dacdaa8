"""The one HTTP core every TikTok endpoint goes through.

It owns: the base URL (``{api_base}/open_api/v1.3/``), the ``Access-Token`` header (set once, never
logged or put in a URL), the ``{code, message, request_id, data}`` envelope, the mapping of codes
to :mod:`tokops.errors`, retries with exponential backoff and full jitter on transient errors
(40100 family, 5xxxx, HTTP 5xx, timeouts, resets), and a client-side rate limit shared by every
call of one app. The HTTP transport is injectable (``httpx.MockTransport``, the sandbox's
in-process transport) so tests need no sockets.

Another TikTok API with the same envelope (the TikTok Shop Partner API) reuses this core through a
:class:`Dialect` (its path prefix, token header, success codes, code table, and whether an error
envelope may come with a non-200 status) and a :class:`Signer` that adds per-attempt query
parameters (a timestamp and a signature) computed over the exact path, query and body sent.

The token is never sent in clear over a network: :func:`check_api_base` refuses an ``http://``
base whose host is not a loopback address (127.0.0.0/8, ``::1``, ``localhost``) unless the caller
passes ``insecure=True``. Every client (Marketing, Events, Shop) is built on :class:`ApiClient`,
which applies the check at construction; an in-process transport (``httpx.MockTransport``, the
sandbox's, or any transport with a true ``in_process`` attribute) sends nothing over a network
and is exempt.
"""

from __future__ import annotations

import ipaddress
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, Self

import httpx
import orjson
from pydantic import SecretStr

from tokops.config import DEFAULT_API_BASE
from tokops.errors import (
    APIError,
    ConfigError,
    HTTPStatusError,
    RateLimitError,
    TikTokError,
    Transient,
    TransientHTTPStatusError,
    TransportError,
    error_for_code,
)

__all__ = [
    "API_PREFIX",
    "ApiClient",
    "ApiResponse",
    "Closing",
    "Dialect",
    "RateLimiter",
    "RetryPolicy",
    "InsecureBaseError",
    "OwnsApi",
    "Signer",
    "check_api_base",
    "in_process",
    "is_loopback_host",
    "is_retryable",
]

API_PREFIX = "/open_api/v1.3/"
USER_AGENT = "tokops/0.1 (+https://github.com/tokops/tokops)"

Sleep = Callable[[float], None]
Clock = Callable[[], float]


@dataclass(frozen=True)
class Dialect:
    """How one TikTok API family speaks the shared envelope (the Marketing API by default)."""

    prefix: str = API_PREFIX
    """Path every relative route is appended to."""
    token_header: str = "Access-Token"
    trailing_slash: bool = True
    """Marketing routes all end with ``/`` (and 404 without it); Shop routes do not."""
    success_codes: frozenset[int] = frozenset({0, 20001})
    error_for_code: Callable[[int], type[APIError]] = error_for_code
    envelope_on_http_error: bool = False
    """Decode an error envelope sent with a 4xx status (the Shop API answers 401 so)."""


class Signer(Protocol):
    """Extra query parameters for one attempt, computed over what is sent (path, query, body)."""

    def __call__(
        self, path: str, query: Mapping[str, str], body: bytes | None
    ) -> dict[str, str]: ...


class InsecureBaseError(ConfigError):
    """An ``http://`` API base on a host that is not a loopback address, without ``insecure``."""


def is_loopback_host(host: str) -> bool:
    """``localhost``, an address in 127.0.0.0/8, or ``::1`` (brackets allowed)."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_api_base(api_base: str, *, insecure: bool = False) -> None:
    """Refuse an API base the access token must not be sent to (see the module doc)."""
    try:
        url = httpx.URL(api_base)
    except httpx.InvalidURL as exc:
        raise ConfigError(f"API base {api_base!r} is not a valid URL ({exc})") from None
    if url.scheme == "https" and url.host:
        return
    if url.scheme != "http" or not url.host:
        raise ConfigError(f"API base {api_base!r} must be an https:// URL")
    if is_loopback_host(url.host) or insecure:
        return
    raise InsecureBaseError(
        f"refusing to send the access token in clear to {api_base}: use https:// or a loopback "
        "address, or allow plain HTTP explicitly"
    )


def in_process(transport: httpx.BaseTransport | None) -> bool:
    """True when *transport* answers in-process (nothing goes over a network)."""
    if transport is None:
        return False
    return isinstance(transport, httpx.MockTransport) or bool(
        getattr(transport, "in_process", False)
    )


class RateLimiter:
    """Token bucket shared by every call of one app (thread-safe).

    ``pause(seconds)`` makes every caller wait, e.g. after a 40100 answer, so that concurrent
    workers back off together instead of each hammering the API.
    """

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        on_grant: Callable[[float], None] | None = None,
    ) -> None:
        """*on_grant* is called with the clock's time of each grant, under the limiter's lock
        (so grants are reported in order, at the instant they happened)."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._on_grant = on_grant
        self.capacity = burst if burst is not None else max(1.0, rate)
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                if now < self._paused_until:
                    wait = self._paused_until - now
                else:
                    self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
                    self._last = now
                    if self._tokens >= 1 - 1e-9:  # tolerance: float sums of refills
                        self._tokens = max(0.0, self._tokens - 1)
                        if self._on_grant is not None:
                            self._on_grant(now)
                        return
                    wait = (1 - self._tokens) / self.rate
            self._sleep(wait)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: attempt *n* waits ``U(0, min(cap, base·2ⁿ))``."""

    max_retries: int = 6
    base_s: float = 0.5
    cap_s: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, attempt: int) -> float:
        return self.rng.uniform(0, min(self.cap_s, self.base_s * (2**attempt)))


@dataclass(frozen=True)
class ApiResponse:
    """A successful (``code`` 0 or 20001) answer, with how many attempts it took.

    ``headers`` are the HTTP headers of the answer (e.g. ``X-Tt-Ads-Throttle`` signals the
    20,000-ad report truncation). ``raw`` holds the body of a :meth:`ApiClient.call_raw` answer
    that was not an envelope (a ``CSV_STRING`` report download); ``data`` is then ``None``.
    """

    data: Any
    code: int
    message: str
    request_id: str | None
    attempts: int
    headers: Mapping[str, str] = field(default_factory=dict)
    raw: bytes | None = None


def _encode_params(params: Mapping[str, Any] | None) -> dict[str, str] | None:
    """GET parameters: scalars as they are, lists and objects JSON-encoded into one value."""
    if params is None:
        return None
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, int | float):
            out[key] = str(value)
        else:
            out[key] = orjson.dumps(value).decode()
    return out


class Closing:
    """A context manager that calls ``close()`` on the way out."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError


class ApiClient(Closing):
    """Thin, typed core for every TikTok endpoint (Marketing API and Events API).

    >>> api = ApiClient("token", api_base="http://127.0.0.1:8765")  # doctest: +SKIP
    >>> api.post("event/track/", json={...})  # doctest: +SKIP
    """

    def __init__(
        self,
        access_token: SecretStr | str,
        *,
        api_base: str = DEFAULT_API_BASE,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = 30.0,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        sleep: Sleep = time.sleep,
        on_retry: Callable[[TikTokError, int, float], None] | None = None,
        dialect: Dialect | None = None,
        signer: Signer | None = None,
        insecure: bool = False,
    ) -> None:
        """*insecure* allows an ``http://`` base that is not a loopback address
        (:func:`check_api_base`)."""
        if not in_process(transport):
            check_api_base(api_base, insecure=insecure)
        token = access_token if isinstance(access_token, SecretStr) else SecretStr(access_token)
        self.dialect = dialect or Dialect()
        self._signer = signer
        self.api_base = api_base.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.rate_limiter = rate_limiter
        self._sleep = sleep
        self._on_retry = on_retry
        self._http = httpx.Client(
            base_url=self.api_base + self.dialect.prefix,
            transport=transport,
            timeout=timeout_s,
            headers={
                self.dialect.token_header: token.get_secret_value(),
                "User-Agent": USER_AGENT,
            },
        )

    def __repr__(self) -> str:  # never show the token
        return f"ApiClient(api_base={self.api_base!r})"

    def close(self) -> None:
        self._http.close()

    # -- public calls ---------------------------------------------------------------------
    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.call("GET", path, params=params).data

    def post(self, path: str, json: Any = None) -> Any:
        return self.call("POST", path, json=json).data

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> ApiResponse:
        """One logical call, retried on transient errors; raises the last error when out of tries.

        *content* lets callers send a body they serialised themselves (the events sync builds
        its JSON in bulk); otherwise *json* is serialised with orjson.
        """
        rel = _route(path, slash=self.dialect.trailing_slash)
        headers: dict[str, str] = {}
        body = content
        if body is None and json is not None:
            body = orjson.dumps(json)
        if body is not None:
            headers["Content-Type"] = "application/json"
        query = _encode_params(params)
        return self._retrying(
            lambda attempt: self._once(method, rel, query, body, headers, files, data, attempt)
        )

    def call_raw(self, path: str, params: Mapping[str, Any] | None = None) -> ApiResponse:
        """GET whose answer may be a raw body (CSV) instead of an envelope; same retry rules.

        An envelope answer is decoded as usual (errors raise); anything else comes back in
        :attr:`ApiResponse.raw`.
        """
        rel = _route(path, slash=self.dialect.trailing_slash)
        query = _encode_params(params)
        return self._retrying(
            lambda attempt: self._once("GET", rel, query, None, {}, None, None, attempt, raw=True)
        )

    def _retrying(self, once: Callable[[int], ApiResponse]) -> ApiResponse:
        attempt = 0
        while True:
            attempt += 1
            try:
                if self.rate_limiter is not None:
                    self.rate_limiter.acquire()
                return once(attempt)
            except TikTokError as exc:
                if not isinstance(exc, Transient) or attempt > self.retry.max_retries:
                    raise
                wait = self.retry.delay(attempt - 1)
                if isinstance(exc, RateLimitError) and self.rate_limiter is not None:
                    self.rate_limiter.pause(wait)
                if self._on_retry is not None:
                    self._on_retry(exc, attempt, wait)
                self._sleep(wait)

    # -- one HTTP exchange ----------------------------------------------------------------
    def _once(
        self,
        method: str,
        rel: str,
        query: dict[str, str] | None,
        body: bytes | None,
        headers: dict[str, str],
        files: Mapping[str, Any] | None,
        data: Mapping[str, str] | None,
        attempt: int,
        *,
        raw: bool = False,
    ) -> ApiResponse:
        endpoint = rel if rel.startswith(("http://", "https://")) else self.dialect.prefix + rel
        if self._signer is not None:
            sent = httpx.URL(self.api_base + endpoint).path if "://" not in endpoint else endpoint
            query = {**(query or {}), **self._signer(sent, query or {}, body)}
        try:
            resp = self._http.request(
                method,
                rel,
                params=query,
                content=body,
                headers=headers or None,
                files=files,
                data=data,
            )
        except httpx.TimeoutException as exc:
            raise TransportError(
                f"no answer from {self.api_base} calling {endpoint}: {type(exc).__name__}"
            ) from None
        except httpx.ConnectError as exc:  # refused, unknown host …: say where, in one line
            raise TransportError(f"cannot reach {self.api_base}: {_reason(exc)}") from None
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise TransportError(
                f"connection to {self.api_base} failed calling {endpoint}: {_reason(exc)}"
            ) from None
        status = resp.status_code
        if self.dialect.envelope_on_http_error and 400 <= status < 500 and status != 429:
            self._raise_envelope_error(resp, endpoint)
        if resp.status_code != 200:
            excerpt = resp.text[:200]
            if resp.status_code >= 500 or resp.status_code == 429:
                raise TransientHTTPStatusError(resp.status_code, endpoint, excerpt)
            raise HTTPStatusError(resp.status_code, endpoint, excerpt)
        env: Any = None
        if not raw or resp.content.lstrip()[:1] == b"{":
            try:
                env = orjson.loads(resp.content)
            except orjson.JSONDecodeError:
                if not raw:
                    raise TransientHTTPStatusError(200, endpoint, "response is not JSON") from None
        if not isinstance(env, dict) or "code" not in env:
            if raw:
                return ApiResponse(None, 0, "OK", None, attempt, resp.headers, resp.content)
            raise TikTokError(f"{endpoint}: response is not a TikTok envelope")
        code = int(env["code"])
        message = str(env.get("message", ""))
        request_id = env.get("request_id")
        if code in self.dialect.success_codes:
            return ApiResponse(env.get("data"), code, message, request_id, attempt, resp.headers)
        cls = self.dialect.error_for_code(code)
        raise cls(code, message, request_id, endpoint, env.get("data"))

    def _raise_envelope_error(self, resp: httpx.Response, endpoint: str) -> None:
        """Raise the API error a non-200 answer carries in an envelope (if it carries one)."""
        try:
            env = orjson.loads(resp.content)
        except orjson.JSONDecodeError:
            return
        if isinstance(env, dict) and "code" in env and int(env["code"]) != 0:
            code = int(env["code"])
            cls = self.dialect.error_for_code(code)
            message = str(env.get("message", ""))
            raise cls(code, message, env.get("request_id"), endpoint, env.get("data"))


def _route(path: str, *, slash: bool = True) -> str:
    """A path relative to the dialect's prefix (absolute URLs pass); Marketing routes always get
    their final slash: they all end with one and 404 without it."""
    rel = path if path.startswith(("http://", "https://")) else path.lstrip("/")
    return rel if rel.endswith("/") or not slash else rel + "/"


def is_retryable(exc: BaseException) -> bool:
    """True for errors the retry policy would retry (for callers that keep their own queue)."""
    return isinstance(exc, Transient)


def _reason(exc: Exception) -> str:
    """``Connection refused`` from ``[Errno 111] Connection refused`` (one line, no errno)."""
    text = (str(exc).strip().splitlines() or [""])[0]
    return re.sub(r"^\[Errno -?\d+\]\s*", "", text) or type(exc).__name__


class OwnsApi(Closing):
    """A client of one API family over an :class:`ApiClient` it owns (``self.api``): a context
    manager, and closing it closes that core. Its repr names the base, never the token."""

    api: ApiClient

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_base={self.api.api_base!r})"

    def close(self) -> None:
        self.api.close()

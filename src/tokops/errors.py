"""The one error tree of tokops.

Every exception tokops raises on purpose derives from :class:`TokopsError`. Problems with a
single row of user data are *not* exceptions: they are data (a rejection with a reason).

::

    TokopsError
    ├── ConfigError                 bad or missing configuration (workspace file, env, flags)
    ├── SourceError                 a source (table, query, CSV, Parquet) cannot be read at all
    ├── WarehouseError              the store failed (connection, SQL)
    ├── PipelineError               a sync could not complete (e.g. retries exhausted)
    └── TikTokError                 anything that went wrong talking to TikTok (or the sandbox)
        ├── TransportError  [T]     timeout, connection reset, DNS …
        ├── HTTPStatusError [T*]    non-200 HTTP status (5xx are transient)
        └── APIError                the envelope said ``code != 0``
            ├── AuthError               401xx token problems (40101–40107 …)
            ├── PermissionDeniedError   40001 / 40003 / 40118 / 40130 …
            ├── ParameterError          40000 / 40002 / 40006 / 40011 …
            ├── NotFoundError           40007 / 40300 / 40400
            ├── DuplicateRequestError   40050
            ├── RateLimitError  [T]     40016 / 40100 / 40132 / 40133
            └── ServerError     [T]     50000–59999 / 60001 / 40200–40202 / 40700

``[T]`` marks :class:`Transient` errors: the retry policy asks ``isinstance(e, Transient)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "APIError",
    "AuthError",
    "ConfigError",
    "DuplicateRequestError",
    "HTTPStatusError",
    "NotFoundError",
    "OptionError",
    "ParameterError",
    "PermissionDeniedError",
    "PipelineError",
    "RateLimitError",
    "ServerError",
    "SourceError",
    "TikTokError",
    "TokopsError",
    "Transient",
    "TransientHTTPStatusError",
    "TransportError",
    "WarehouseError",
    "error_for_code",
]

DOCS_ERROR_CODES = "https://business-api.tiktok.com/portal/docs?id=1737172488964097"


class TokopsError(Exception):
    """Root of every error tokops raises on purpose."""


class Transient:
    """Mixin: the operation may succeed if retried later (backoff applies)."""


class ConfigError(TokopsError):
    """The workspace, the environment or the flags are wrong or incomplete."""


class OptionError(ConfigError):
    """An option of a library call is missing or unusable. The message names options by their
    field (``{advertiser_ids}`` in *template*); a front end words them its own way with
    :meth:`worded` (the command line names its flags), so the library never names a flag.

    ``OptionError("no business account to sync: give {business_ids}")`` reads "… give
    business_ids" as a library error and "… give --business-id ID" from ``tokops``.
    """

    def __init__(self, template: str, **values: object) -> None:
        self.template = template
        """The message with ``{field}`` where an option is named and ``{value}`` slots."""
        self.values = values
        super().__init__(self.worded(lambda name: name))

    def worded(self, option_name: Callable[[str], str]) -> str:
        """The message with each option named by *option_name* (field name → its wording)."""
        values = self.values

        class _Names(dict[str, object]):
            def __missing__(self, key: str) -> object:
                return values[key] if key in values else option_name(key)

        return self.template.format_map(_Names())


class SourceError(TokopsError):
    """A source of rows (table, SQL query, CSV or Parquet file) cannot be read at all."""


class WarehouseError(TokopsError):
    """The analytical store failed."""


class PipelineError(TokopsError):
    """A sync or pipeline could not complete; what was done is kept and a re-run resumes."""


class TikTokError(TokopsError):
    """Something went wrong talking to the TikTok API (or the local sandbox)."""


class TransportError(Transient, TikTokError):
    """The request did not get an answer: timeout, refused or reset connection."""


class HTTPStatusError(TikTokError):
    """The gateway answered with a non-200 HTTP status (the request did not reach API logic)."""

    def __init__(self, status: int, endpoint: str, body_excerpt: str = "") -> None:
        self.status = status
        self.endpoint = endpoint
        self.body_excerpt = body_excerpt
        super().__init__(f"HTTP {status} from {endpoint}")


class TransientHTTPStatusError(Transient, HTTPStatusError):
    """HTTP 5xx / 429: worth retrying."""


class APIError(TikTokError):
    """The response envelope carried ``code != 0``.

    ``message`` is TikTok's text; it never contains the access token (tokens are only ever sent
    as a header and are redacted from anything we keep).
    """

    def __init__(
        self,
        code: int,
        message: str,
        request_id: str | None = None,
        endpoint: str | None = None,
        data: Any = None,
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.endpoint = endpoint
        self.data = data
        super().__init__(code, message)

    def __str__(self) -> str:
        where = f" on {self.endpoint}" if self.endpoint else ""
        rid = f" (request_id {self.request_id})" if self.request_id else ""
        return f"TikTok API error {self.code}{where}: {self.message}{rid} — see {DOCS_ERROR_CODES}"


class AuthError(APIError):
    """The access token is missing, invalid, revoked or expired (401xx)."""


class PermissionDeniedError(APIError):
    """The token is valid but not allowed to act on this asset."""


class ParameterError(APIError):
    """The request was malformed; TikTok rejects the whole request."""


class NotFoundError(APIError):
    """The object, advertiser or route does not exist."""


class DuplicateRequestError(APIError):
    """The idempotency ``request_id`` was already used (40050)."""


class RateLimitError(Transient, APIError):
    """Too many requests (40100 app, 40133 advertiser, 40132 per value, 40016 business)."""


class ServerError(Transient, APIError):
    """TikTok-side failure worth retrying (5xxxx, 60001 maintenance, task not ready …)."""


# ``marketing_api.md`` §1.5 / §1.6. 0 and 20001 ("partial success": some items of a batch
# failed, the answer's data says which) are not errors: the HTTP core returns them. The three
# rate limits retry with backoff: 40100 per app, 40133 per advertiser ("Advertiser (ID)'s QPS
# reaches QPS limit"), 40132 per value of a field such as auth_code; 40016 is the business
# "operation too frequent".
_EXACT: dict[int, type[APIError]] = {
    40000: ParameterError,
    40001: PermissionDeniedError,
    40002: ParameterError,
    40003: PermissionDeniedError,
    40006: ParameterError,
    40007: NotFoundError,
    40011: ParameterError,
    40016: RateLimitError,
    40050: DuplicateRequestError,
    40051: ParameterError,
    40100: RateLimitError,
    40118: PermissionDeniedError,
    40119: PermissionDeniedError,
    40125: PermissionDeniedError,
    40130: PermissionDeniedError,
    40132: RateLimitError,
    40133: RateLimitError,
    40200: ServerError,
    40201: ServerError,
    40202: ServerError,
    40300: NotFoundError,
    40400: NotFoundError,
    40700: ServerError,
    60001: ServerError,
}


def error_for_code(code: int) -> type[APIError]:
    """The exception class for a TikTok envelope ``code`` (one table, no string matching)."""
    if code in _EXACT:
        return _EXACT[code]
    if 40101 <= code <= 40131:
        return AuthError
    if 50000 <= code <= 59999:
        return ServerError
    if 40000 <= code <= 40099:
        return ParameterError
    return APIError

"""Client side of TikTok's wire protocol: the HTTP core and one module per API family."""

from tokops.tiktok._http import (
    ApiClient,
    ApiResponse,
    InsecureBaseError,
    RateLimiter,
    RetryPolicy,
    in_process,
    is_loopback_host,
)
from tokops.tiktok.events import EventsClient

__all__ = [
    "ApiClient",
    "ApiResponse",
    "EventsClient",
    "InsecureBaseError",
    "RateLimiter",
    "RetryPolicy",
    "in_process",
    "is_loopback_host",
]

"""Client side of TikTok's wire protocol: the HTTP core and one module per API family."""

from tokops.tiktok._http import ApiClient, ApiResponse, RateLimiter, RetryPolicy
from tokops.tiktok.events import EventsClient

__all__ = ["ApiClient", "ApiResponse", "EventsClient", "RateLimiter", "RetryPolicy"]

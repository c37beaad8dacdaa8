"""Request signing of the TikTok Shop Partner API (API version 202309).

Every call carries ``app_key``, ``timestamp`` (Unix seconds) and ``sign`` as query parameters.
``sign`` is the lower-case hex HMAC-SHA256, keyed with the app secret, of::

    app_secret + path + "".join(key + value for every query parameter, sorted by key,
                                except "sign" and "access_token")
               + body (the exact JSON sent; omitted for multipart/form-data)
               + app_secret

The access token travels in the ``x-tts-access-token`` header and is never signed nor put in a
URL. (Algorithm as described by TikTok Shop's "Sign your API request" guide and implemented
alike by every public client we checked; the answer to a wrong signature is code 106001, HTTP
401, "Invalid credentials. The 'sign' query parameter is invalid.")
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from typing import Final

from pydantic import SecretStr

__all__ = ["UNSIGNED", "ShopSigner", "sign"]

UNSIGNED: Final = frozenset({"sign", "access_token"})
"""Query parameters left out of the signed string."""


def sign(
    app_secret: str | SecretStr, path: str, query: Mapping[str, str], body: bytes | None
) -> str:
    """The ``sign`` of one request (see the module doc)."""
    secret = app_secret.get_secret_value() if isinstance(app_secret, SecretStr) else app_secret
    params = "".join(f"{k}{query[k]}" for k in sorted(query) if k not in UNSIGNED)
    text = secret.encode() + path.encode() + params.encode() + (body or b"") + secret.encode()
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


class ShopSigner:
    """Adds ``app_key``, ``timestamp`` and ``sign`` to each attempt (a fresh timestamp on every
    retry). The app secret stays inside; ``repr`` never shows it."""

    def __init__(
        self, app_key: str, app_secret: SecretStr, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.app_key = app_key
        self._secret = app_secret
        self._clock = clock

    def __repr__(self) -> str:
        return f"ShopSigner(app_key={self.app_key!r})"

    def __call__(self, path: str, query: Mapping[str, str], body: bytes | None) -> dict[str, str]:
        signed = {**query, "app_key": self.app_key, "timestamp": str(int(self._clock()))}
        return {
            "app_key": signed["app_key"],
            "timestamp": signed["timestamp"],
            "sign": sign(self._secret, path, signed, body),
        }

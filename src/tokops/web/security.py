"""Sessions, CSRF tokens, the loopback rule and the security headers of the dashboard (KPI-6).

- Every browser gets a random session cookie (``HttpOnly``, ``SameSite=Strict``). Sessions live
  in the server's memory: a restart logs everyone out.
- A mutating request carries a CSRF token: an HMAC of its session under a key drawn when the
  server starts, so a page of another site can neither read nor forge it.
- Bound to anything but loopback, the server refuses to start without a password
  (:func:`check_exposure`), and then every page but the login and the share links asks for it.
- Every answer carries a Content-Security-Policy with no inline script and no other origin, and
  refuses framing, MIME sniffing and referrers to other sites.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
import threading
import time
from typing import Final

from tokops.errors import ConfigError

__all__ = ["HEADERS", "SESSION_COOKIE", "Sessions", "check_exposure", "is_loopback"]

SESSION_COOKIE: Final = "tokops_session"
_LOGIN_SECONDS: Final = 12 * 3600

#: Sent with every answer. Styles allow ``'unsafe-inline'`` for the tooltips vega-embed styles
#: itself; scripts come from the server alone and Vega evaluates expressions with its
#: interpreter, so no ``'unsafe-eval'`` either.
HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    """True when every address *host* names is a loopback one (127.0.0.0/8, ::1); a name
    that does not resolve is not."""
    try:
        found = socket.getaddrinfo(host.strip("[]"), None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in found}
    return bool(addresses) and all(
        ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses
    )


def check_exposure(host: str, has_password: bool) -> None:
    """Refuse to serve on *host* beyond loopback when no password is set."""
    if not is_loopback(host) and not has_password:
        raise ConfigError(
            f"the dashboard will not listen on {host} without a password: set "
            "TOKOPS_DASHBOARD_PASSWORD (kept hashed in the store), or bind to 127.0.0.1"
        )


class Sessions:
    """The server's sessions: which are logged in, and their CSRF tokens."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._logged_in: dict[str, float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(32)

    def csrf(self, session: str) -> str:
        """The CSRF token of *session*."""
        return hmac.new(self._key, session.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: str, token: str) -> bool:
        return bool(session) and hmac.compare_digest(self.csrf(session), token)

    def log_in(self, session: str) -> None:
        with self._lock:
            self._logged_in[session] = time.monotonic() + _LOGIN_SECONDS

    def log_out(self, session: str) -> None:
        with self._lock:
            self._logged_in.pop(session, None)

    def logged_in(self, session: str) -> bool:
        with self._lock:
            until = self._logged_in.get(session)
            if until is not None and until < time.monotonic():
                del self._logged_in[session]
                until = None
        return until is not None

"""The sandbox's developer app and its OAuth flow (``marketing_api.md`` §1.5 code 40101, §3.1).

The sandbox has one developer app: ``marketing.app_id`` and ``marketing.app_secret`` from the
settings, the secret generated at start (``secrets.token_hex``) when none is configured. It
hands out its access token only to that app, and only for an authorisation code it granted:

- ``POST /sandbox/oauth2/authorize/ {app_id, redirect_uri?, state?}`` **[EMU]**: the
  advertiser's consent, which on the real platform is a click in the TikTok for Business portal
  (``…/portal/auth?app_id&state&redirect_uri``) followed by a redirect to
  ``redirect_uri?auth_code=…&code=…&state=…``. It needs the sandbox's ``Access-Token`` (the
  logged-in advertiser) and answers ``{auth_code, code, state, expires_in, redirect_url}``.
  A code is single-use and expires after ``marketing.auth_code_ttl_s`` (one hour by default;
  **[UNCONFIRMED]**: §3.1 does not give the real lifetime).
- ``POST /oauth2/access_token/ {app_id, secret, auth_code}`` (§3.1): no ``Access-Token``; the
  app id and secret must be the sandbox's (compared in constant time) and the code one it
  granted to that app, unused and not expired. Answers ``{access_token, advertiser_ids,
  scope}``; the token is long-lived (§3.1 conflict note). Every refusal is code **40101**
  "invalid auth parameters (app_id/secret/auth_code)" (§1.5); the messages are our wording.
- ``GET /oauth2/advertiser/get/?app_id&secret`` (§3.1; absent from the real sandbox): the
  world's advertisers, for the sandbox's app id and secret only (40101 otherwise).
- ``GET /sandbox/oauth2/credentials/``: the app id and secret, for tests and scripts that hold
  the access token (like ``/sandbox/shop/credentials/``).

Secrets and codes are never echoed in an error message.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlencode

from tokops.sandbox.marketing.context import Family, Market, RouteSpec
from tokops.sandbox.server.envelope import ApiFailure
from tokops.sandbox.server.params import Params
from tokops.sandbox.server.request import SandboxRequest

__all__ = [
    "CODE_AUTH_PARAMS",
    "MSG_APP_REQUIRED",
    "MSG_BAD_APP",
    "MSG_CODE_EXPIRED",
    "MSG_CODE_REQUIRED",
    "MSG_CODE_UNKNOWN",
    "OAuth",
]

CODE_AUTH_PARAMS: Final = 40101
MSG_APP_REQUIRED: Final = "app_id and secret are required."
MSG_BAD_APP: Final = "Invalid app_id or secret."
MSG_CODE_REQUIRED: Final = "auth_code is required."
MSG_CODE_UNKNOWN: Final = "Invalid auth_code: it was not granted to this app or was already used."
MSG_CODE_EXPIRED: Final = "auth_code has expired: authorize the app again to get a new one."
SCOPE: Final = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]


def _same(given: str, known: str) -> bool:
    return hmac.compare_digest(given.encode(), known.encode())


class OAuth(Family):
    """The sandbox's developer app: its credentials and the auth codes it granted."""

    def __init__(self, market: Market, token: str) -> None:
        super().__init__(market)
        self.token = token
        mk = market.settings.marketing
        self.app_id: str = mk.app_id
        self.app_secret: str = mk.app_secret or secrets.token_hex(16)
        self.secret_configured = mk.app_secret is not None
        self._ttl_s = mk.auth_code_ttl_s
        self._codes: dict[str, tuple[str, float]] = {}
        """Granted, unused codes: code → (app id, when granted, epoch seconds)."""

    def __repr__(self) -> str:  # never show the secret
        return f"OAuth(app_id={self.app_id!r})"

    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec(
                "GET", "/oauth2/advertiser/get/", self.advertisers, "Get authorized ad accounts"
            ),
        ]

    def public_routes(self) -> list[RouteSpec]:
        """Routes that take no ``Access-Token`` (they hand one out)."""
        return [
            RouteSpec("POST", "/oauth2/access_token/", self.access_token, "Get an access token")
        ]

    def sandbox_routes(self) -> list[RouteSpec]:
        """Absolute ``/sandbox/…`` routes (they need the token, never faulty)."""
        return [
            RouteSpec(
                "POST",
                "/sandbox/oauth2/authorize/",
                self.authorize,
                "Grant an auth code to the sandbox's app (the advertiser's consent)",
            ),
            RouteSpec(
                "GET",
                "/sandbox/oauth2/credentials/",
                self.credentials,
                "The sandbox's Marketing API app id and secret",
            ),
        ]

    # -- checks ------------------------------------------------------------------------------
    def _check_app(self, params: Params) -> None:
        app_id, secret = params.string("app_id"), params.string("secret")
        if not app_id or not secret:
            raise ApiFailure(CODE_AUTH_PARAMS, MSG_APP_REQUIRED)
        if not (_same(app_id, self.app_id) & _same(secret, self.app_secret)):
            raise ApiFailure(CODE_AUTH_PARAMS, MSG_BAD_APP)

    def _redeem(self, code: str, now: datetime) -> None:
        """Use up *code*: it must be one granted to this app, unused and not expired."""
        match = next((c for c in self._codes if _same(code, c)), None)
        if match is None:
            raise ApiFailure(CODE_AUTH_PARAMS, MSG_CODE_UNKNOWN)
        app_id, granted = self._codes.pop(match)
        if not _same(app_id, self.app_id):
            raise ApiFailure(CODE_AUTH_PARAMS, MSG_CODE_UNKNOWN)
        if now.timestamp() - granted > self._ttl_s:
            raise ApiFailure(CODE_AUTH_PARAMS, MSG_CODE_EXPIRED)

    def _forget_expired(self, now_s: float) -> None:
        for code, (_app, granted) in list(self._codes.items()):
            if now_s - granted > self._ttl_s:
                del self._codes[code]

    # -- handlers ----------------------------------------------------------------------------
    def advertisers(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        self._check_app(Params.of(request))
        w = self.market.world
        return {
            "list": [
                {"advertiser_id": a.advertiser_id, "advertiser_name": a.name}
                for a in w.advertisers.values()
            ]
        }

    def access_token(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        self._check_app(params)
        code = params.string("auth_code")
        if not code:
            raise ApiFailure(CODE_AUTH_PARAMS, MSG_CODE_REQUIRED)
        self._redeem(code, now)
        return {
            "access_token": self.token,
            "advertiser_ids": list(self.market.world.advertisers),
            "scope": list(SCOPE),
        }

    def authorize(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        app_id = params.string("app_id")
        if not app_id:
            raise ApiFailure(CODE_AUTH_PARAMS, "app_id is required.")
        if not _same(app_id, self.app_id):
            raise ApiFailure(CODE_AUTH_PARAMS, "Invalid app_id.")
        now_s = now.timestamp()
        self._forget_expired(now_s)
        code = secrets.token_hex(20)
        self._codes[code] = (app_id, now_s)
        state = params.string("state")
        answer: dict[str, Any] = {
            "auth_code": code,
            "code": code,
            "state": state,
            "expires_in": int(self._ttl_s),
        }
        redirect_uri = params.string("redirect_uri")
        if redirect_uri:
            query = urlencode({"auth_code": code, "code": code, "state": state})
            joiner = "&" if "?" in redirect_uri else "?"
            answer["redirect_url"] = f"{redirect_uri}{joiner}{query}"
        return answer

    def credentials(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        return {"app_id": self.app_id, "app_secret": self.app_secret}

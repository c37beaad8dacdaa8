"""App-level OAuth calls (``marketing_api.md`` §3.1).

- ``GET /oauth2/advertiser/get/?app_id=..&secret=..``: the advertisers that authorised the app
  (not available in the sandbox).
- ``POST /oauth2/access_token/ {app_id, secret, auth_code}``: a long-lived Marketing API token plus
  ``advertiser_ids`` and ``scope``; ads tokens are treated as non-expiring until revoked (§3.1
  conflict note).

The app *secret* is a :class:`~pydantic.SecretStr`: it is unwrapped only to build the request and
never appears in a repr, an error or a log line. (The HTTP core's error messages name the endpoint
path, never the query string that carries the secret.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import SecretStr

from tokops.errors import TikTokError
from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing._wire import sid
from tokops.tiktok.marketing.models import AuthorizedAdvertiser

__all__ = ["AccessTokenGrant", "OAuth"]


@dataclass(frozen=True)
class AccessTokenGrant:
    """The answer of ``/oauth2/access_token/``; the token stays wrapped."""

    access_token: SecretStr = field(repr=False)
    advertiser_ids: tuple[str, ...]
    scope: tuple[str, ...]


def _secret(value: SecretStr | str) -> str:
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not raw:
        raise ValueError("the app secret is empty")
    return raw


class OAuth:
    """Calls made with the app's id and secret rather than an advertiser's data."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def authorized_advertisers(self, app_id: str, secret: SecretStr) -> list[AuthorizedAdvertiser]:
        """Advertisers that granted this app access (``/oauth2/advertiser/get/``)."""
        data = self.api.get(
            "oauth2/advertiser/get/",
            params={"app_id": sid(app_id, name="app_id"), "secret": _secret(secret)},
        )
        items = data.get("list") if isinstance(data, dict) else None
        return [AuthorizedAdvertiser.model_validate(i) for i in items or []]

    def exchange_auth_code(
        self, app_id: str, secret: SecretStr, auth_code: str
    ) -> AccessTokenGrant:
        """Trade an authorisation code for an access token (``/oauth2/access_token/``)."""
        if not auth_code:
            raise ValueError("auth_code is empty")
        data = self.api.post(
            "oauth2/access_token/",
            json={
                "app_id": sid(app_id, name="app_id"),
                "secret": _secret(secret),
                "auth_code": auth_code,
            },
        )
        data = data if isinstance(data, dict) else {}
        token = data.get("access_token")
        if not token:
            raise TikTokError("oauth2/access_token/: the answer has no access_token")
        scope = data.get("scope") or []
        return AccessTokenGrant(
            SecretStr(str(token)),
            tuple(str(a) for a in data.get("advertiser_ids") or []),
            tuple(str(s) for s in scope) if isinstance(scope, list) else (str(scope),),
        )

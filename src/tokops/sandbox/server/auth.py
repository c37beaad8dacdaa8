"""Who may call, and on which assets: the ``Access-Token`` header and asset permissions.

- no ``Access-Token`` header (or an empty one) → 40104, TikTok's own message;
- a token the sandbox does not know, or one sent as ``Bearer <token>`` → 40105;
- an event source or advertiser the token may not operate → 40001 (unless
  ``allow_any_source``); the pixel message is TikTok's, the event-set, app and advertiser
  messages are our wording in the same form;
- app events through Events API 2.0 without the allowlist → 40118 (our wording).

Tokens are compared in constant time and never echoed back.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from typing import Final

from tokops.sandbox.server.envelope import (
    CODE_NO_PERMISSION,
    CODE_NOT_ALLOWLISTED,
    CODE_TOKEN_EMPTY,
    CODE_TOKEN_INVALID,
    ApiFailure,
)
from tokops.sandbox.settings import SandboxSettings

__all__ = ["MSG_TOKEN_EMPTY", "MSG_TOKEN_INVALID", "Permissions"]

MSG_TOKEN_EMPTY: Final = (
    "Access token is null, you should set it in http header with key Access-Token."
)
MSG_TOKEN_INVALID: Final = "Access token is incorrect or has been revoked."
_ADMIN: Final = "You must be an admin or operator of this advertiser account."


class Permissions:
    """Checks tokens and asset access for one sandbox world."""

    def __init__(self, settings: SandboxSettings, tokens: Iterable[str]) -> None:
        self._tokens = tuple(t.encode() for t in tokens)
        self._allow_any = settings.allow_any_source
        self._app_allowlisted = settings.app_events_allowlisted
        src = settings.sources
        self._by_source: Mapping[str, frozenset[str]] = {
            "web": frozenset(src.pixel_codes),
            "offline": frozenset(src.offline_event_set_ids),
            "crm": frozenset(src.crm_event_set_ids),
            "app": frozenset(src.app_ids),
        }
        self._advertisers = frozenset(src.advertiser_ids)

    def authenticate(self, headers: Mapping[str, str]) -> None:
        """*headers* have lower-case names."""
        token = headers.get("access-token", "").strip()
        if not token:
            raise ApiFailure(CODE_TOKEN_EMPTY, MSG_TOKEN_EMPTY)
        given = token.encode()
        if not any(hmac.compare_digest(given, known) for known in self._tokens):
            raise ApiFailure(CODE_TOKEN_INVALID, MSG_TOKEN_INVALID)

    def check_source(self, event_source: str, source_id: str) -> None:
        if event_source == "app" and not self._app_allowlisted:
            raise ApiFailure(
                CODE_NOT_ALLOWLISTED,
                "App events through the Events API 2.0 are only available to allowlisted "
                "advertisers.",
            )
        if self._allow_any or source_id in self._by_source.get(event_source, frozenset()):
            return
        what = {"web": "pixel code", "app": "app"}.get(event_source, "event set")
        raise ApiFailure(
            CODE_NO_PERMISSION, f"No permission to operate {what}: {source_id}. {_ADMIN}"
        )

    def check_any_source(self, source_id: str) -> None:
        """For read-outs: *source_id* is any of the world's event sources."""
        if self._allow_any or any(source_id in ids for ids in self._by_source.values()):
            return
        raise ApiFailure(
            CODE_NO_PERMISSION, f"No permission to operate event source: {source_id}. {_ADMIN}"
        )

    def check_advertiser(self, advertiser_id: str) -> None:
        if self._allow_any or advertiser_id in self._advertisers:
            return
        raise ApiFailure(
            CODE_NO_PERMISSION,
            f"No permission to operate advertiser: {advertiser_id}. {_ADMIN}",
        )

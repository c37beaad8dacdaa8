"""TikTok Shop credentials: from the environment only (secrets never go into ``tokops.toml``).

- ``TIKTOK_SHOP_APP_KEY`` — the Partner Center app key (sent in URLs, as the API requires);
- ``TIKTOK_SHOP_APP_SECRET`` — signs every request; never sent, logged or stored;
- ``TIKTOK_SHOP_ACCESS_TOKEN`` — the seller's token (``x-tts-access-token`` header only);
- ``TIKTOK_SHOP_CIPHER`` — optional: sync this shop only (default: every authorised shop);
- ``TIKTOK_SHOP_API_BASE`` — optional: another host, e.g. the local sandbox.

:func:`shop_credentials` returns ``None`` when the three required variables are all unset (the
Shop streams are then skipped) and raises :class:`~tokops.errors.ConfigError` when only some are.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from pydantic import SecretStr

from tokops.errors import ConfigError

__all__ = [
    "APP_KEY_ENV",
    "APP_SECRET_ENV",
    "CIPHER_ENV",
    "DEFAULT_SHOP_API_BASE",
    "SHOP_API_BASE_ENV",
    "TOKEN_ENV",
    "ShopCredentials",
    "shop_credentials",
]

DEFAULT_SHOP_API_BASE: Final = "https://open-api.tiktokglobalshop.com"
APP_KEY_ENV: Final = "TIKTOK_SHOP_APP_KEY"
APP_SECRET_ENV: Final = "TIKTOK_SHOP_APP_SECRET"
TOKEN_ENV: Final = "TIKTOK_SHOP_ACCESS_TOKEN"
CIPHER_ENV: Final = "TIKTOK_SHOP_CIPHER"
SHOP_API_BASE_ENV: Final = "TIKTOK_SHOP_API_BASE"


@dataclass(frozen=True)
class ShopCredentials:
    """One Partner app and one seller authorisation (``repr`` shows no secret)."""

    app_key: str
    app_secret: SecretStr = field(repr=False)
    access_token: SecretStr = field(repr=False)
    shop_cipher: str | None = None
    api_base: str = DEFAULT_SHOP_API_BASE


def shop_credentials(environ: Mapping[str, str] | None = None) -> ShopCredentials | None:
    """The Shop credentials of the environment (see the module doc)."""
    env = os.environ if environ is None else environ
    values = {k: env.get(k, "").strip() for k in (APP_KEY_ENV, APP_SECRET_ENV, TOKEN_ENV)}
    if not any(values.values()):
        return None
    missing = [k for k, v in values.items() if not v]
    if missing:
        raise ConfigError(
            f"TikTok Shop credentials are incomplete: set {', '.join(missing)} "
            f"(or unset {APP_KEY_ENV}, {APP_SECRET_ENV} and {TOKEN_ENV} to skip Shop orders)"
        )
    return ShopCredentials(
        app_key=values[APP_KEY_ENV],
        app_secret=SecretStr(values[APP_SECRET_ENV]),
        access_token=SecretStr(values[TOKEN_ENV]),
        shop_cipher=env.get(CIPHER_ENV, "").strip() or None,
        api_base=env.get(SHOP_API_BASE_ENV, "").strip() or DEFAULT_SHOP_API_BASE,
    )

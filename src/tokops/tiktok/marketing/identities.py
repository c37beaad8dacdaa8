"""Identities and their posts: ``/identity/get/``, ``/identity/video/get/`` (spec §4).

``identity_type``: ``CUSTOMIZED_USER`` (custom name and avatar, not Spark), ``AUTH_CODE`` (a
creator's post authorised with a code), ``TT_USER`` (TikTok account linked to the ad account),
``BC_AUTH_TT`` (TikTok account authorised to a Business Center: needs
``identity_authorized_bc_id``), ``TTS_TT`` (a TikTok Shop seller account, GMV Max).

``/identity/get/`` pages with ``page``/``page_size`` and lists ``identity_list``.
``/identity/video/get/`` pages with ``cursor`` + ``has_more`` per the docs; the list key changed
over time (``list``, ``video_list``, ``item_list``), so each is accepted (§4 conflict note; the
``page_size`` size parameter name is *unconfirmed*). A ``BC_AUTH_TT`` identity with
``can_pull_video`` may use all its posts without per-post codes (SPK-1).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final, Literal

from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing._wire import sid
from tokops.tiktok.marketing.models import Identity, IdentityVideo
from tokops.tiktok.marketing.paging import iter_cursor
from tokops.tiktok.paging import iter_items

__all__ = ["IDENTITY_TYPES", "Identities", "IdentityType"]

IdentityType = Literal["CUSTOMIZED_USER", "AUTH_CODE", "TT_USER", "BC_AUTH_TT", "TTS_TT"]
IDENTITY_TYPES: Final = frozenset(
    {"CUSTOMIZED_USER", "AUTH_CODE", "TT_USER", "BC_AUTH_TT", "TTS_TT"}
)
VIDEO_LIST_KEYS: Final = ("list", "video_list", "item_list", "videos")


class Identities:
    """Identity look-ups for Spark and Shop ads."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def iter(
        self,
        advertiser_id: str,
        *,
        identity_type: IdentityType | None = None,
        identity_authorized_bc_id: str | None = None,
        page_size: int = 100,
    ) -> Iterator[Identity]:
        """The identities the ad account can use, optionally of one type."""
        if identity_type is not None and identity_type not in IDENTITY_TYPES:
            raise ValueError(f"identity_type must be one of {', '.join(sorted(IDENTITY_TYPES))}")
        params: dict[str, object] = {"advertiser_id": sid(advertiser_id, name="advertiser_id")}
        if identity_type:
            params["identity_type"] = identity_type
        if identity_authorized_bc_id:
            params["identity_authorized_bc_id"] = sid(identity_authorized_bc_id, name="bc_id")
        for item in iter_items(
            self.api, "identity/get/", params, page_size=page_size, list_key="identity_list"
        ):
            yield Identity.model_validate(item)

    def videos(
        self,
        advertiser_id: str,
        identity_type: IdentityType,
        identity_id: str,
        *,
        identity_authorized_bc_id: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[IdentityVideo]:
        """Posts of a ``TT_USER`` / ``BC_AUTH_TT`` identity usable as Spark ads (cursor paging)."""
        if identity_type == "BC_AUTH_TT" and not identity_authorized_bc_id:
            raise ValueError("BC_AUTH_TT identities need identity_authorized_bc_id (§4)")
        if not identity_id:
            raise ValueError("identity_id is empty")
        params: dict[str, object] = {
            "advertiser_id": sid(advertiser_id, name="advertiser_id"),
            "identity_type": identity_type,
            "identity_id": identity_id,
        }
        if identity_authorized_bc_id:
            params["identity_authorized_bc_id"] = sid(identity_authorized_bc_id, name="bc_id")
        for item in iter_cursor(
            self.api,
            "identity/video/get/",
            params,
            list_keys=VIDEO_LIST_KEYS,
            size=page_size,
            size_param="page_size",
        ):
            yield IdentityVideo.model_validate(item)

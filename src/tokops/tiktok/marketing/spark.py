"""Spark posts authorised with a creator's code: ``/tt_video/*`` (``marketing_api.md`` §4).

The authorisation-code flow (SPK-1):

1. the creator makes a video code in the app (valid 7, 30, 60 or 365 days, *unconfirmed*);
2. :meth:`SparkPosts.authorize` binds it (``POST /tt_video/authorize/``, ``data: {}``);
3. :meth:`SparkPosts.info` previews a code without binding it (``GET /tt_video/info/``);
4. :meth:`SparkPosts.iter` lists bound posts (``GET /tt_video/list/``, page-based, 20 a page in
   the docs' example);
5. :meth:`SparkPosts.unbind` removes the binding (``POST /tt_video/unbind/``). A post must be
   de-authorised before its owner can delete it (SPK-7).

The official SDK has none of these endpoints (§7.1); they are written from the DOC pages.
Every engagement a boosted post earns is credited to the organic post (SPK-2).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from tokops.errors import TikTokError
from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing._wire import sid
from tokops.tiktok.marketing.models import SparkPost
from tokops.tiktok.paging import iter_items

__all__ = ["LIST_PAGE_SIZE", "SparkPosts"]

LIST_PAGE_SIZE: Final = 20


def _video_code(advertiser_id: str, auth_code: str) -> dict[str, str]:
    """The ad account and a creator's video code, as the ``tt_video`` calls take them."""
    account = sid(advertiser_id, name="advertiser_id")
    code = auth_code.strip()
    if not code:
        raise ValueError("auth_code is empty")
    return {"advertiser_id": account, "auth_code": code}


class SparkPosts:
    """Bind, inspect, list and unbind creator posts for Spark ads."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def authorize(self, advertiser_id: str, auth_code: str) -> None:
        """Bind a creator's video code to the ad account."""
        self.api.post(
            "tt_video/authorize/",
            json=_video_code(advertiser_id, auth_code),
        )

    def info(self, advertiser_id: str, auth_code: str) -> SparkPost:
        """The post behind a code, without binding it.

        The answer's shape is *unconfirmed*: a ``list`` of one element as in ``/tt_video/list/``,
        or the element itself; both are accepted.
        """
        data = self.api.get(
            "tt_video/info/",
            params=_video_code(advertiser_id, auth_code),
        )
        if isinstance(data, dict) and isinstance(data.get("list"), list):
            if not data["list"]:
                raise TikTokError("tt_video/info/: the answer lists no post")
            data = data["list"][0]
        return SparkPost.model_validate(data)

    def iter(self, advertiser_id: str, *, page_size: int = LIST_PAGE_SIZE) -> Iterator[SparkPost]:
        """Every post bound to the ad account with a code."""
        params = {"advertiser_id": sid(advertiser_id, name="advertiser_id")}
        for item in iter_items(self.api, "tt_video/list/", params, page_size=page_size):
            yield SparkPost.model_validate(item)

    def unbind(self, advertiser_id: str, auth_code: str) -> None:
        """Remove a post's authorisation from the ad account (SPK-7)."""
        self.api.post(
            "tt_video/unbind/",
            json=_video_code(advertiser_id, auth_code),
        )

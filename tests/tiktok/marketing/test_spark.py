"""Spark posts (``/tt_video/*``) and identities (``/identity/*``) (§4; SPK-1, SPK-7)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing import Identities, SparkPosts

MakeApi = Callable[..., ApiClient]
ADV = "7000000000000000001"
POST = {
    "item_info": {"item_id": "7300000000000000001", "status": "ENABLE", "auth_code": "#abc",
                  "text": "caption", "anchor_list": []},
    "auth_info": {"ad_auth_status": "AUTHORIZED", "auth_start_time": "2024-05-01 00:00:00",
                  "auth_end_time": "2024-05-31 00:00:00"},
    "video_info": {"duration": 15.0, "width": 1080, "height": 1920},
    "user_info": {"identity_id": "6c1e-identity", "identity_type": "AUTH_CODE",
                  "tiktok_name": "creator"},
}  # fmt: skip


def envelope(data: Any) -> dict[str, Any]:
    return {"code": 0, "message": "OK", "request_id": "r", "data": data}


class SparkServer:
    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.gets: list[tuple[str, httpx.QueryParams]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/open_api/v1.3/")
        if request.method == "POST":
            self.posts.append((path, json.loads(request.content)))
            return httpx.Response(200, json=envelope({}))
        self.gets.append((path, request.url.params))
        if path == "tt_video/info/":
            return httpx.Response(200, json=envelope({"list": [POST]}))
        if path == "tt_video/list/":
            info = {"page": 1, "page_size": 20, "total_number": 1, "total_page": 1}
            return httpx.Response(200, json=envelope({"list": [POST], "page_info": info}))
        if path == "identity/get/":
            info = {"page": 1, "page_size": 100, "total_number": 1, "total_page": 1}
            ident = {"identity_id": "i1", "identity_type": "TT_USER", "can_pull_video": True,
                     "identity_authorized_bc_id": None}  # fmt: skip
            return httpx.Response(200, json=envelope({"identity_list": [ident], "page_info": info}))
        if path == "identity/video/get/":
            cursor = request.url.params.get("cursor")
            items = [{"item_info": {"item_id": f"73000000000000000{cursor or 0}{i}",
                                    "item_type": "VIDEO"}} for i in range(2)]  # fmt: skip
            return httpx.Response(
                200, json=envelope({"video_list": items, "cursor": "1", "has_more": cursor is None})
            )
        raise AssertionError(path)


def test_the_auth_code_flow(make_api: MakeApi) -> None:
    server = SparkServer()
    spark = SparkPosts(make_api(server))
    spark.authorize(ADV, " #abc ")
    preview = spark.info(ADV, "#abc")
    (bound,) = spark.iter(ADV)
    spark.unbind(ADV, "#abc")  # SPK-7
    assert server.posts == [
        ("tt_video/authorize/", {"advertiser_id": ADV, "auth_code": "#abc"}),
        ("tt_video/unbind/", {"advertiser_id": ADV, "auth_code": "#abc"}),
    ]
    assert preview == bound
    assert bound.item_id == "7300000000000000001" and bound.identity_id == "6c1e-identity"
    assert bound.auth_end_time == "2024-05-31 00:00:00" and bound.duration == Decimal("15.0")
    assert server.gets[1][1]["page_size"] == "20"


def test_empty_auth_codes_are_refused(make_api: MakeApi) -> None:
    with pytest.raises(ValueError):
        SparkPosts(make_api(SparkServer())).authorize(ADV, "  ")


def test_identities_and_their_videos(make_api: MakeApi) -> None:
    server = SparkServer()
    identities = Identities(make_api(server))
    (ident,) = identities.iter(ADV, identity_type="TT_USER")
    assert ident.can_pull_video is True
    videos = list(identities.videos(ADV, "TT_USER", ident.identity_id))
    assert [v.item_id for v in videos] == [
        "7300000000000000000", "7300000000000000001", "7300000000000000010",
        "7300000000000000011",
    ]  # fmt: skip
    assert videos[0].item_type == "VIDEO"


def test_bc_auth_tt_videos_need_the_bc(make_api: MakeApi) -> None:
    with pytest.raises(ValueError, match="identity_authorized_bc_id"):
        list(Identities(make_api(SparkServer())).videos(ADV, "BC_AUTH_TT", "i1"))


def test_post_settings_are_lifted_from_item_info() -> None:
    """SPK-12: the Duet / Stitch / Sticker / music settings of a post (keys unconfirmed)."""
    from tokops.tiktok.marketing.models import SparkPost

    item = {**POST["item_info"], "item_duet_status": "DISABLE", "item_stitch_status": "ENABLE",
            "item_sticker_status": "ENABLE", "music_title": "Lo-fi Rain"}  # fmt: skip
    post = SparkPost.model_validate({**POST, "item_info": item})
    assert (post.item_duet_status, post.item_stitch_status) == ("DISABLE", "ENABLE")
    assert (post.item_sticker_status, post.music_title) == ("ENABLE", "Lo-fi Rain")
    bare = SparkPost.model_validate(POST)
    assert bare.item_duet_status is None and bare.music_title is None

"""Paging yields every row exactly once: page/page_size/page_info and cursor/has_more (§1.3, §4)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokops.errors import TikTokError
from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing.paging import iter_cursor, iter_unique
from tokops.tiktok.paging import iter_pages

MakeApi = Callable[..., ApiClient]


def ok(data: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"code": 0, "message": "OK", "request_id": "r", "data": data}
    return httpx.Response(200, json=body, headers=headers)


class ListServer:
    """A list endpoint sorted by ID descending (§1.3); *inserts* new objects before given pages."""

    def __init__(
        self,
        total: int,
        inserts: dict[int, int] | None = None,
        deletes: dict[int, int] | None = None,
    ) -> None:
        self.ids = [str(10**18 + i) for i in range(total, 0, -1)]
        self.inserts = dict(inserts or {})
        self.deletes = dict(deletes or {})
        self.next_id = 10**18 + total + 1
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        page = int(request.url.params["page"])
        size = int(request.url.params["page_size"])
        for _ in range(self.inserts.pop(self.calls, 0)):  # new objects land on top
            self.ids.insert(0, str(self.next_id))
            self.next_id += 1
        for _ in range(self.deletes.pop(self.calls, 0)):  # the newest object is deleted
            self.ids.pop(0)
        rows = [{"campaign_id": i} for i in self.ids[(page - 1) * size : page * size]]
        total = len(self.ids)
        info = {"page": page, "page_size": size, "total_number": total,
                "total_page": math.ceil(total / size)}  # fmt: skip
        return ok({"list": rows, "page_info": info}, headers={"X-Tt-Logid": f"log{page}"})


@settings(max_examples=60, deadline=None)
@given(total=st.integers(min_value=0, max_value=120), size=st.integers(min_value=1, max_value=25))
def test_page_paging_yields_every_row_once(total: int, size: int) -> None:
    server = ListServer(total)
    api = ApiClient("t", api_base="http://x.test", transport=httpx.MockTransport(server))
    got = [r["campaign_id"] for r in iter_unique(api, "campaign/get/", id_key="campaign_id",
                                                 page_size=size)]  # fmt: skip
    assert got == server.ids  # every row, once, in order
    assert server.calls == max(1, math.ceil(total / size))


@settings(max_examples=60, deadline=None)
@given(
    total=st.integers(min_value=1, max_value=80),
    size=st.integers(min_value=1, max_value=20),
    inserts=st.dictionaries(st.integers(min_value=2, max_value=6), st.integers(1, 5), max_size=3),
)
def test_rows_inserted_while_paging_are_neither_lost_nor_doubled(
    total: int, size: int, inserts: dict[int, int]
) -> None:
    server = ListServer(total, inserts)
    before = list(server.ids)
    api = ApiClient("t", api_base="http://x.test", transport=httpx.MockTransport(server))
    got = [r["campaign_id"] for r in iter_unique(api, "campaign/get/", id_key="campaign_id",
                                                 page_size=size)]  # fmt: skip
    assert len(got) == len(set(got))
    assert set(before) <= set(got)


def test_a_row_pulled_back_by_a_deletion_is_caught_by_a_second_pass(make_api: MakeApi) -> None:
    server = ListServer(6, deletes={2: 1})  # page 1 read, then its first row is deleted
    survivors = server.ids[1:]
    got = [r["campaign_id"] for r in iter_unique(make_api(server), "campaign/get/",
                                                 id_key="campaign_id", page_size=3)]  # fmt: skip
    assert set(survivors) <= set(got)
    assert len(got) == len(set(got))
    assert server.calls == 4  # two pages, total moved, two more pages


def test_header_pages_carry_each_response_headers(make_api: MakeApi) -> None:
    api = make_api(ListServer(5))
    pages = list(iter_pages(api, "campaign/get/", page_size=2))
    assert [p.headers["x-tt-logid"] for p in pages] == ["log1", "log2", "log3"]
    assert [len(p.items) for p in pages] == [2, 2, 1]


def test_an_empty_result_takes_one_call(make_api: MakeApi) -> None:
    server = ListServer(0)
    assert list(iter_pages(make_api(server), "campaign/get/")) != []
    assert server.calls == 1


def test_params_are_json_encoded_on_every_page(make_api: MakeApi) -> None:
    seen: list[httpx.Request] = []
    server = ListServer(3)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return server(request)

    params = {"advertiser_id": "7000000000000000001", "filtering": {"campaign_ids": ["1", "2"]}}
    list(iter_unique(make_api(handler), "campaign/get/", params, id_key="campaign_id",
                     page_size=2))  # fmt: skip
    assert len(seen) == 2
    for request in seen:
        assert json.loads(request.url.params["filtering"]) == {"campaign_ids": ["1", "2"]}
        assert request.url.params["advertiser_id"] == "7000000000000000001"


class CursorServer:
    """``cursor`` + ``has_more`` paging over *total* items; *key* is the list's name."""

    def __init__(self, total: int, size: int, key: str = "videos") -> None:
        self.items = [{"item_id": str(7 * 10**18 + i)} for i in range(total)]
        self.size = size
        self.key = key
        self.cursors: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        self.cursors.append(cursor)
        start = int(cursor or 0)
        chunk = self.items[start : start + self.size]
        more = start + self.size < len(self.items)
        return ok({self.key: chunk, "cursor": start + len(chunk), "has_more": more})


@settings(max_examples=50, deadline=None)
@given(total=st.integers(min_value=0, max_value=90), size=st.integers(min_value=1, max_value=20))
def test_cursor_paging_yields_every_item_once(total: int, size: int) -> None:
    server = CursorServer(total, size)
    api = ApiClient("t", api_base="http://x.test", transport=httpx.MockTransport(server))
    got = list(iter_cursor(api, "business/video/list/", list_keys=("videos",), size=size))
    assert got == server.items
    assert server.cursors[0] is None  # the first call sends no cursor


def test_cursor_paging_accepts_the_older_list_keys(make_api: MakeApi) -> None:
    server = CursorServer(3, 2, key="video_list")
    got = list(iter_cursor(make_api(server), "identity/video/get/",
                           list_keys=("list", "video_list")))  # fmt: skip
    assert len(got) == 3


def test_a_cursor_that_does_not_move_is_an_error(make_api: MakeApi) -> None:
    def stuck(request: httpx.Request) -> httpx.Response:
        return ok({"list": [{"item_id": "1"}], "cursor": 5, "has_more": True})

    with pytest.raises(TikTokError, match="did not advance"):
        list(iter_cursor(make_api(stuck), "identity/video/get/"))

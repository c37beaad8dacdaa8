"""Custom-audience client against MockTransport fakes shaped like the spec (EVT-8)."""

from __future__ import annotations

import hashlib
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx
import orjson
import pytest

from tokops.errors import ParameterError, TikTokError
from tokops.tiktok import ApiClient
from tokops.tiktok.audiences import AudiencesClient, file_signature
from tokops.tiktok.paging import iter_pages

TOKEN = "tok-secret"


def ok(data: Any) -> httpx.Response:
    return httpx.Response(
        200, json={"code": 0, "message": "OK", "request_id": "2025010100000000AA", "data": data}
    )


def form_of(request: httpx.Request) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """Decode a multipart body with the standard library (fields, files)."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.content)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        filename = part.get_filename()
        if filename is not None:
            files[str(name)] = (filename, payload)
        else:
            fields[str(name)] = payload.decode()
    return fields, files


class Recorder:
    """Answers each path with a canned ``data`` (or a callable) and keeps every request."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[request.url.path]
        if callable(answer):
            result: httpx.Response = answer(request)
            return result
        return ok(answer)


def client(handler: Any) -> AudiencesClient:
    api = ApiClient(
        TOKEN,
        api_base="http://tt.test",
        transport=httpx.MockTransport(handler),
        sleep=lambda s: None,
    )
    return AudiencesClient(api)


P = "/open_api/v1.3/dmp/custom_audience/"


def test_upload_sends_multipart_with_md5_signature_and_returns_file_path() -> None:
    rec = Recorder({P + "file/upload/": {"file_path": "/tmp/ca/abc.txt"}})
    content = b"a" * 64 + b"\n" + b"b" * 64 + b"\n"
    path = client(rec).upload_file("7001", content, "EMAIL_SHA256")
    assert path == "/tmp/ca/abc.txt"
    (req,) = rec.requests
    assert req.method == "POST"
    assert req.headers["Access-Token"] == TOKEN
    fields, files = form_of(req)
    assert fields == {
        "advertiser_id": "7001",
        "calculate_type": "EMAIL_SHA256",
        "file_signature": hashlib.md5(content).hexdigest(),
    }
    assert files["file"][1] == content


@pytest.mark.parametrize(
    ("content", "calc"), [(b"", "EMAIL_SHA256"), (b"x\n", "EMAIL_MD5"), (b"x\n", "email")]
)
def test_upload_refuses_bad_input_before_any_call(content: bytes, calc: str) -> None:
    rec = Recorder({})
    with pytest.raises(ValueError):
        client(rec).upload_file("7001", content, calc)
    assert rec.requests == []


def test_upload_without_file_path_in_answer_is_an_error() -> None:
    rec = Recorder({P + "file/upload/": {}})
    with pytest.raises(TikTokError, match="file_path"):
        client(rec).upload_file("7001", b"x\n", "PHONE_SHA256")


def test_create_posts_the_documented_body_and_returns_the_id() -> None:
    rec = Recorder({P + "create/": {"custom_audience_id": "1800000000000000001"}})
    got = client(rec).create(
        "7001", "Buyers 30d", ["/f/1.txt"], "EMAIL_SHA256", retention_in_days=30
    )
    assert got == "1800000000000000001"
    assert orjson.loads(rec.requests[0].content) == {
        "advertiser_id": "7001",
        "custom_audience_name": "Buyers 30d",
        "file_paths": ["/f/1.txt"],
        "calculate_type": "EMAIL_SHA256",
        "retention_in_days": 30,
    }


def test_create_accepts_audience_id_as_a_fallback_key() -> None:
    rec = Recorder({P + "create/": {"audience_id": "42"}})
    assert client(rec).create("7001", "n", ["/f"], "PHONE_SHA256") == "42"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "x" * 129},
        {"name": "  "},
        {"file_paths": []},
        {"retention_in_days": 0},
        {"retention_in_days": 366},
    ],
)
def test_create_validates_before_calling(kwargs: dict[str, Any]) -> None:
    rec = Recorder({})
    args: dict[str, Any] = {"name": "ok", "file_paths": ["/f"], "retention_in_days": None}
    args.update(kwargs)
    with pytest.raises(ValueError):
        client(rec).create("7001", calculate_type="EMAIL_SHA256", **args)
    assert rec.requests == []


def test_update_replace_and_rename_bodies() -> None:
    rec = Recorder({P + "update/": {}})
    c = client(rec)
    c.update("7001", "55", file_paths=["/f/2.txt"])
    c.update("7001", "55", name="Renamed")
    first, second = (orjson.loads(r.content) for r in rec.requests)
    assert first == {
        "advertiser_id": "7001",
        "custom_audience_id": "55",
        "file_paths": ["/f/2.txt"],
        "action": "REPLACE",
    }
    assert second == {
        "advertiser_id": "7001",
        "custom_audience_id": "55",
        "custom_audience_name": "Renamed",
    }
    with pytest.raises(ValueError):
        c.update("7001", "55")


def test_get_chunks_ids_by_100_and_json_encodes_them() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        ids = orjson.loads(request.url.params["custom_audience_ids"])
        return ok(
            {
                "list": [
                    {
                        "audience_details": {"audience_id": i, "cover_num": 1200, "is_valid": True},
                        "audience_history": [{"action": "create", "editor": "open_api"}],
                    }
                    for i in ids
                ]
            }
        )

    rec = Recorder({P + "get/": answer})
    ids = [str(i) for i in range(250)]
    details = client(rec).get("7001", ids, history_size=1)
    assert [d.audience.audience_id for d in details] == ids
    assert details[0].audience.cover_num == 1200
    assert details[0].history[0].editor == "open_api"
    assert [len(orjson.loads(r.url.params["custom_audience_ids"])) for r in rec.requests] == [
        100,
        100,
        50,
    ]
    assert rec.requests[0].url.params["history_size"] == "1"


class PagedList:
    """A list endpoint over *total* audiences that honours page / page_size like TikTok."""

    def __init__(self, total: int, *, with_page_info: bool = True) -> None:
        self.total = total
        self.with_page_info = with_page_info
        self.pages: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        size = int(request.url.params["page_size"])
        self.pages.append(page)
        rows = [
            {"audience_id": str(i), "name": f"a{i}"}
            for i in range((page - 1) * size, min(page * size, self.total))
        ]
        data: dict[str, Any] = {"list": rows}
        if self.with_page_info:
            data["page_info"] = {
                "page": page,
                "page_size": size,
                "total_number": self.total,
                "total_page": -(-self.total // size),
            }
        return ok(data)


@pytest.mark.parametrize("with_page_info", [True, False])
def test_list_walks_every_page_exactly_once(with_page_info: bool) -> None:
    fake = PagedList(250, with_page_info=with_page_info)
    rec = Recorder({P + "list/": fake})
    got = [a.audience_id for a in client(rec).list("7001")]
    assert got == [str(i) for i in range(250)]
    assert fake.pages == [1, 2, 3]
    assert all(r.url.params["page_size"] == "100" for r in rec.requests)


def test_list_caps_page_size_at_100() -> None:
    fake = PagedList(5)
    rec = Recorder({P + "list/": fake})
    assert len(list(client(rec).list("7001", page_size=1000))) == 5
    assert rec.requests[0].url.params["page_size"] == "100"


def test_iter_pages_stops_on_an_empty_page_and_reports_counters() -> None:
    fake = PagedList(0)
    api = ApiClient(TOKEN, api_base="http://tt.test", transport=httpx.MockTransport(fake))
    pages = list(iter_pages(api, "dmp/custom_audience/list/", {"advertiser_id": "1"}))
    assert len(pages) == 1
    assert pages[0].items == [] and pages[0].total_number == 0


def test_iter_pages_refuses_a_server_that_never_stops() -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        return ok({"list": [{"audience_id": str(page)}], "page_info": {"total_page": 10**9}})

    api = ApiClient(TOKEN, api_base="http://tt.test", transport=httpx.MockTransport(endless))
    with pytest.raises(TikTokError, match="more than 3 pages"):
        list(iter_pages(api, "dmp/custom_audience/list/", max_pages=3))


def test_delete_chunks_ids() -> None:
    rec = Recorder({P + "delete/": {}})
    client(rec).delete("7001", [str(i) for i in range(101)])
    bodies = [orjson.loads(r.content) for r in rec.requests]
    assert [len(b["custom_audience_ids"]) for b in bodies] == [100, 1]
    assert all(b["advertiser_id"] == "7001" for b in bodies)


def test_business_error_maps_to_the_error_tree() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"code": 40002, "message": "Audience size is less than 1000", "data": {}}
        )

    rec = Recorder({P + "update/": refuse})
    with pytest.raises(ParameterError, match="less than 1000"):
        client(rec).update("7001", "55", file_paths=["/f"])


def test_file_signature_is_md5_hex() -> None:
    assert file_signature(b"abc") == "900150983cd24fb0d6963f7d28e17f72"

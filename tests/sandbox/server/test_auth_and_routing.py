"""Auth codes, permissions, routes and the envelope (events_api.md §1.1, §5, §10.1–§10.2)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokops.sandbox import Sandbox, SandboxSettings
from tokops.sandbox.server.envelope import envelope, new_request_id
from tokops.sandbox.settings import DEFAULT_ADVERTISER_ID, DEFAULT_PIXEL_CODE, SourceSettings

TRACK = "/open_api/v1.3/event/track/"
REQUEST_ID = re.compile(r"\d{14}[0-9A-F]{20}")


def body(clock: Any, source_id: str = DEFAULT_PIXEL_CODE) -> bytes:
    return orjson.dumps(
        {
            "event_source": "web",
            "event_source_id": source_id,
            "data": [{"event": "Purchase", "event_time": clock.unix, "page": {"url": "u"}}],
        }
    )


@pytest.mark.parametrize(
    ("headers", "code", "message"),
    [
        (
            {},
            40104,
            "Access token is null, you should set it in http header with key Access-Token.",
        ),
        ({"Access-Token": ""}, 40104, None),
        ({"Access-Token": "nope"}, 40105, "Access token is incorrect or has been revoked."),
        ({"Access-Token": "Bearer sandbox-test-token"}, 40105, None),
        ({"Authorization": "Bearer sandbox-test-token"}, 40104, None),
        ({"access-token": "sandbox-test-token"}, 0, "OK"),
    ],
)
def test_auth_codes(
    sandbox: Sandbox, clock: Any, headers: dict[str, str], code: int, message: str | None
) -> None:
    answer = sandbox.handle("POST", TRACK, headers, {}, body(clock))
    assert answer.status == 200
    env = answer.json()
    assert env["code"] == code
    if message is not None:
        assert env["message"] == message
    assert "sandbox-test-token" not in answer.body.decode()


def test_auth_is_checked_before_validation(sandbox: Sandbox) -> None:
    assert sandbox.handle("POST", TRACK, {}, {}, b"garbage").json()["code"] == 40104


@pytest.mark.parametrize(
    "path",
    ["/sandbox/diagnostics/", "/sandbox/test_events/", "/open_api/v1.3/dmp/custom_audience/list/"],
)
def test_sandbox_and_marketing_routes_need_the_token_too(sandbox: Sandbox, path: str) -> None:
    assert (
        sandbox.handle("GET", path, {}, {"event_source_id": DEFAULT_PIXEL_CODE}).json()["code"]
        == 40104
    )


def test_unknown_event_source_is_40001(api: Any) -> None:
    answer = api.track([api.event()], source_id="CUNKNOWNPIXEL0000000")
    assert answer["code"] == 40001
    assert answer["message"] == (
        "No permission to operate pixel code: CUNKNOWNPIXEL0000000. "
        "You must be an admin or operator of this advertiser account."
    )


def test_source_of_another_kind_is_40001(api: Any) -> None:
    from tokops.sandbox.settings import DEFAULT_OFFLINE_EVENT_SET_ID

    answer = api.track([api.event()], source="web", source_id=DEFAULT_OFFLINE_EVENT_SET_ID)
    assert answer["code"] == 40001


def test_allow_any_source(clock: Any) -> None:
    sandbox = Sandbox(SandboxSettings(access_tokens=("t",), allow_any_source=True), now=clock)
    answer = sandbox.handle("POST", TRACK, {"Access-Token": "t"}, {}, body(clock, "CANY"))
    assert answer.json()["code"] == 0


def test_configured_sources_replace_the_seeded_ones(clock: Any) -> None:
    sources = SourceSettings(pixel_codes=("CMYOWNPIXEL000000001",))
    sandbox = Sandbox(SandboxSettings(access_tokens=("t",), sources=sources), now=clock)
    assert sandbox.handle("POST", TRACK, {"Access-Token": "t"}, {}, body(clock)).json()["code"] == (
        40001
    )
    mine = body(clock, "CMYOWNPIXEL000000001")
    assert sandbox.handle("POST", TRACK, {"Access-Token": "t"}, {}, mine).json()["code"] == 0


def test_default_token_is_generated_and_accepted(clock: Any) -> None:
    a, b = Sandbox(now=clock), Sandbox(now=clock)
    assert re.fullmatch(r"[0-9a-f]{40}", a.token)
    assert a.token != b.token
    assert a.handle("POST", TRACK, {"Access-Token": a.token}, {}, body(clock)).json()["code"] == 0
    assert a.handle("POST", TRACK, {"Access-Token": b.token}, {}, body(clock)).json()["code"] == (
        40105
    )
    assert a.token not in repr(a)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/open_api/v1.3/event/track", 404),  # no trailing slash
        ("POST", "/open_api/v1.4/event/track/", 404),
        ("POST", "/open_api/v1.2/event/track/", 404),  # 2.0 lives on v1.3 only
        ("GET", TRACK, 405),
        ("POST", "/", 404),
        ("POST", "/open_api/v1.2/pixel/batch/", 200),
        ("GET", "/open_api/v1.3/dmp/custom_audience/list", 404),
    ],
)
def test_routes(client: httpx.Client, method: str, path: str, status: int) -> None:
    response = client.request(method, path, content=b"{}")
    assert response.status_code == status
    if status != 200:
        with pytest.raises(ValueError):
            response.json()


def test_request_id_shape(clock: Any) -> None:
    rid = new_request_id(datetime(2023, 3, 14, 13, 0, 39, tzinfo=UTC))
    assert REQUEST_ID.fullmatch(rid)
    assert rid.startswith("20230314130039")
    assert rid != new_request_id(datetime(2023, 3, 14, 13, 0, 39, tzinfo=UTC))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(code=st.integers(0, 60001), message=st.text(), data=json_values)
def test_envelope_round_trips(code: int, message: str, data: Any) -> None:
    answer = envelope(code, message, "20260302120000ABCDEFABCDEFABCDEFAB", data)
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {
        "code": code,
        "message": message,
        "request_id": "20260302120000ABCDEFABCDEFABCDEFAB",
        "data": {} if data is None else data,
    }


def test_business_errors_are_http_200_with_empty_data(api: Any) -> None:
    response = api.client.post(TRACK, content=b"[]")
    assert response.status_code == 200
    env = response.json()
    assert set(env) == {"code", "message", "request_id", "data"}
    assert env["data"] == {}
    assert REQUEST_ID.fullmatch(env["request_id"])


def test_advertiser_permission(api: Any) -> None:
    ok = api.get("/open_api/v1.3/dmp/custom_audience/list/", advertiser_id=DEFAULT_ADVERTISER_ID)
    assert ok["code"] == 0
    denied = api.get("/open_api/v1.3/dmp/custom_audience/list/", advertiser_id="1")
    assert denied["code"] == 40001

"""The sandbox on a real socket: uvicorn on 127.0.0.1, httpx and raw sockets, dropped connections,
and a contract test with TikTok's official Python SDK (``business_api_client``)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from tokops.sandbox import FaultSettings, Sandbox, SandboxSettings, create_app
from tokops.sandbox.server.socket_server import RunningServer, is_loopback, serve_in_thread
from tokops.sandbox.settings import DEFAULT_PIXEL_CODE as PIXEL

pytestmark = pytest.mark.slow

TOKEN = "server-test-token"
TRACK = "/open_api/v1.3/event/track/"


def track_body(clock: Any, *event_ids: str) -> bytes:
    return orjson.dumps(
        {
            "event_source": "web",
            "event_source_id": PIXEL,
            "data": [
                {
                    "event": "Purchase",
                    "event_id": event_id,
                    "event_time": clock.unix,
                    "page": {"url": "https://shop.example/"},
                }
                for event_id in event_ids
            ],
        }
    )


@pytest.fixture
def server(clock: Any) -> Iterator[RunningServer]:
    sandbox = Sandbox(SandboxSettings(access_tokens=(TOKEN,)), now=clock)
    with serve_in_thread(sandbox) as running:
        yield running


def raw_request(port: int, request: bytes) -> bytes:
    """Send bytes on a fresh TCP connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
        return received


def http_post(path: str, body: bytes, token: str = TOKEN) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccess-Token: {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body


def test_serves_the_api_over_a_socket(server: RunningServer, clock: Any) -> None:
    assert server.url.startswith("http://127.0.0.1:") and server.port > 0
    with httpx.Client(base_url=server.url, headers={"Access-Token": TOKEN}) as client:
        assert client.get("/health").json()["status"] == "ok"
        answer = client.post(TRACK, content=track_body(clock, "a", "b"))
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert answer.json()["code"] == 0
        assert client.post(TRACK.rstrip("/"), content=b"{}").status_code == 404
        assert client.post("/open_api/v1.3/nope/", content=b"{}").status_code == 404
        no_token = httpx.post(server.url + TRACK, content=track_body(clock, "c"))
        assert no_token.json()["code"] == 40104
        report = client.get("/sandbox/diagnostics/", params={"event_source_id": PIXEL}).json()
        assert report["data"]["total_received"] == 2
    assert server.sandbox.diagnostics(PIXEL)["total_received"] == 2


def test_raw_socket_answer_is_a_plain_http_200_envelope(server: RunningServer, clock: Any) -> None:
    answer = raw_request(server.port, http_post(TRACK, track_body(clock, "x")))
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert orjson.loads(payload)["code"] == 0


def test_dropped_connection_sends_no_byte(clock: Any) -> None:
    sandbox = Sandbox(
        SandboxSettings(access_tokens=(TOKEN,), faults=FaultSettings(drop_rate=1.0)), now=clock
    )
    with serve_in_thread(sandbox) as running:
        assert raw_request(running.port, http_post(TRACK, track_body(clock, "d1"))) == b""
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post(
                running.url + TRACK,
                content=track_body(clock, "d1"),
                headers={"Access-Token": TOKEN},
            )
        # The server is still healthy afterwards, and both copies were processed (drop "after").
        assert httpx.get(running.url + "/health").status_code == 200
    report = sandbox.diagnostics(PIXEL)["events"][0]
    assert report["deduplication"] == {"kept": 1, "merged": 0, "dropped": 1}


def test_latency_does_not_block_other_requests(clock: Any) -> None:
    slow = Sandbox(
        SandboxSettings(access_tokens=(TOKEN,), faults=FaultSettings(latency_ms=400)), now=clock
    )
    with serve_in_thread(slow) as running:
        results: list[int] = []

        def call(i: int) -> None:
            r = httpx.post(
                running.url + TRACK,
                content=track_body(clock, f"p{i}"),
                headers={"Access-Token": TOKEN},
                timeout=5,
            )
            results.append(r.json()["code"])

        threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        # /health is never delayed even while four API calls wait.
        assert httpx.get(running.url + "/health", timeout=0.3).status_code == 200
        for t in threads:
            t.join()
        assert results == [0, 0, 0, 0]


def test_port_zero_picks_distinct_free_ports_and_stop_releases_them(clock: Any) -> None:
    a = serve_in_thread(Sandbox(now=clock))
    b = serve_in_thread(Sandbox(now=clock))
    try:
        assert a.port != b.port
    finally:
        a.stop()
        b.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(a.url + "/health", timeout=1)
    a.stop()  # idempotent


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert is_loopback("127.8.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    assert not is_loopback("example.com")


def test_openapi_lists_every_route(clock: Any) -> None:
    sandbox = Sandbox(now=clock)
    app = create_app(sandbox)
    paths = set(app.openapi()["paths"])
    assert {r.path for r in sandbox.routes} | {"/health"} == paths


# -- contract: TikTok's official SDK against the sandbox ------------------------------------------


def test_official_sdk_pixel_batch_reaches_the_sandbox(server: RunningServer, clock: Any) -> None:
    from business_api_client.api.event_callback_api import EventCallbackApi
    from business_api_client.api_client import ApiClient
    from business_api_client.configuration import Configuration
    from business_api_client.models.pixel_batch_body import PixelBatchBody
    from business_api_client.models.pixel_context import PixelContext
    from business_api_client.models.pixel_context_ad import PixelContextAd
    from business_api_client.models.pixel_context_page import PixelContextPage
    from business_api_client.models.pixel_context_user import PixelContextUser
    from business_api_client.models.pixel_properties import PixelProperties
    from business_api_client.models.pixelbatch_batch import PixelbatchBatch
    from business_api_client.tiktok_business.tiktok_exceptions import TiktokSDKError

    configuration = Configuration()
    configuration.host = server.url
    api = EventCallbackApi(ApiClient(configuration))
    context = PixelContext(
        ad=PixelContextAd(callback="E.C.P.sdk"),
        page=PixelContextPage(url="https://shop.example/thanks"),
        user=PixelContextUser(email="a" * 64, phone_number="b" * 64, external_id="c" * 64),
        ip="203.0.113.8",
        user_agent="Mozilla/5.0",
    )
    batch = [
        PixelbatchBatch(
            type="track",
            event="CompletePayment",
            event_id=f"sdk_{i}",
            timestamp="2026-03-02T11:59:00Z",
            context=context,
            properties=PixelProperties(currency="USD", value=12.5),
        )
        for i in range(3)
    ]
    result = api.pixel_batch(TOKEN, body=PixelBatchBody(pixel_code=PIXEL, batch=batch))
    assert isinstance(result, dict) and len(result["request_id"]) == 34

    report = server.sandbox.diagnostics(PIXEL)["events"]
    assert [(e["event"], e["received"]["server"]) for e in report] == [("CompletePayment", 3)]
    assert report[0]["match_key_coverage"]["ttclid"] == 1.0

    with pytest.raises(TiktokSDKError) as info:
        api.pixel_batch("wrong-token", body=PixelBatchBody(pixel_code=PIXEL, batch=batch))
    assert "Error Code: 40105" in str(info.value)

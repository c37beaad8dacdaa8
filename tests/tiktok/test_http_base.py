"""The HTTP core never sends the access token in clear over a network (issue 9 §6).

An ``http://`` base is refused unless its host is a loopback address or the caller says
``insecure``; the rule lives in :class:`ApiClient`, so the Marketing, Events and Shop clients all
follow it.
"""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from tokops.config import TikTokSettings
from tokops.errors import ConfigError
from tokops.ingest import connect_client
from tokops.ingest.metering import Meter, MeteredTransport
from tokops.sandbox import Sandbox
from tokops.tiktok import ApiClient
from tokops.tiktok._http import InsecureBaseError, check_api_base, is_loopback_host
from tokops.tiktok.marketing import MarketingClient
from tokops.tiktok.shop import ShopClient, ShopCredentials


class RecordingTransport(httpx.HTTPTransport):
    """A network transport that records instead of connecting."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return httpx.Response(200, json={"code": 0, "message": "OK", "data": {}})


@pytest.mark.parametrize(
    "base", ["http://api.example.com", "http://10.0.0.5:8765", "http://[2001:db8::1]:80"]
)
def test_plain_http_off_loopback_is_refused_before_any_request(base: str) -> None:
    """The old core built the client and sent ``Access-Token`` to any http:// host."""
    transport = RecordingTransport()
    with pytest.raises(InsecureBaseError) as caught:
        ApiClient("secret-token", api_base=base, transport=transport)
    message = str(caught.value)
    assert "\n" not in message and base in message and "secret-token" not in message
    assert isinstance(caught.value, ConfigError)
    assert transport.sent == []


@pytest.mark.parametrize(
    "base",
    [
        "http://127.0.0.1:8765",
        "http://127.8.9.10",
        "http://[::1]:8765",
        "http://localhost:8765",
        "http://LOCALHOST",
        "https://business-api.tiktok.com",
        "https://10.0.0.5:8443",
    ],
)
def test_https_and_loopback_bases_are_accepted(base: str) -> None:
    transport = RecordingTransport()
    with ApiClient("tok", api_base=base, transport=transport) as api:
        api.get("advertiser/info/")
    assert transport.sent[0].headers["Access-Token"] == "tok"


def test_insecure_allows_plain_http_explicitly() -> None:
    transport = RecordingTransport()
    with ApiClient("tok", api_base="http://10.0.0.5", transport=transport, insecure=True) as api:
        api.get("advertiser/info/")
    assert str(transport.sent[0].url).startswith("http://10.0.0.5/open_api/v1.3/")


@pytest.mark.parametrize("base", ["ftp://example.com", "example.com", "http://", "https:///x"])
def test_a_base_that_is_not_an_http_url_is_refused(base: str) -> None:
    with pytest.raises(ConfigError):
        check_api_base(base, insecure=True)


def test_loopback_hosts() -> None:
    assert is_loopback_host("127.0.0.1") and is_loopback_host("[::1]")
    assert is_loopback_host("localhost.")
    assert not is_loopback_host("localhost.example.com")
    assert not is_loopback_host("128.0.0.1") and not is_loopback_host("::2")


def test_in_process_transports_send_nothing_over_a_network() -> None:
    sandbox = Sandbox()
    ApiClient("t", api_base="http://sandbox.test", transport=sandbox.transport()).close()
    mock = httpx.MockTransport(lambda r: httpx.Response(200))
    ApiClient("t", api_base="http://x.test", transport=mock).close()
    metered = MeteredTransport(sandbox.transport(), Meter())
    ApiClient("t", api_base="http://sandbox.test", transport=metered).close()
    with pytest.raises(InsecureBaseError):  # metered real sockets are checked
        ApiClient("t", api_base="http://x.test", transport=MeteredTransport(None, Meter()))


def test_every_client_follows_the_rule() -> None:
    with pytest.raises(InsecureBaseError):
        MarketingClient.connect("t", api_base="http://ads.example")
    with pytest.raises(InsecureBaseError):
        connect_client("t", api_base="http://ads.example")
    settings = TikTokSettings(api_base="http://ads.example", insecure=True)
    MarketingClient.from_settings(settings, "t").close()
    creds = ShopCredentials("key", SecretStr("s"), SecretStr("t"), api_base="http://shop.example")
    with pytest.raises(InsecureBaseError):
        ShopClient(creds)
    ShopClient(creds, insecure=True).close()

"""Advertisers (time zone, currency) and app OAuth with a secret that never leaks (§3.1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tokops.errors import AuthError
from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing import Advertisers, OAuth

MakeApi = Callable[..., ApiClient]
SECRET = "app-secret-value-123"


def envelope(data: Any, code: int = 0, message: str = "OK") -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": "r", "data": data}


class AccountServer:
    def __init__(self, n_advertisers: int = 3, oauth_code: int = 0) -> None:
        self.ids = [str(7000000000000000000 + i) for i in range(n_advertisers)]
        self.oauth_code = oauth_code
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        rows: list[dict[str, Any]]
        path = request.url.path.removeprefix("/open_api/v1.3/")
        if path == "oauth2/advertiser/get/":
            if self.oauth_code:
                return httpx.Response(200, json=envelope({}, self.oauth_code, "invalid secret"))
            rows = [{"advertiser_id": i, "advertiser_name": f"a{i[-1]}"} for i in self.ids]
            return httpx.Response(200, json=envelope({"list": rows}))
        if path == "advertiser/info/":
            asked = json.loads(request.url.params["advertiser_ids"])
            rows = [{"advertiser_id": i, "name": "Shop", "currency": "EUR",
                     "timezone": "Europe/Paris", "display_timezone": "Europe/Paris",
                     "status": "STATUS_ENABLE", "balance": "12.30", "create_time": 1714521600}
                    for i in asked]  # fmt: skip
            return httpx.Response(200, json=envelope({"list": rows}))
        if path == "oauth2/access_token/":
            return httpx.Response(
                200,
                json=envelope(
                    {"access_token": "act.new-token", "advertiser_ids": self.ids, "scope": [1, 4]}
                ),
            )
        raise AssertionError(path)


def test_discover_gives_time_zone_and_currency(make_api: MakeApi) -> None:
    server = AccountServer()
    found = Advertisers(make_api(server)).discover("7100000000000000001", SecretStr(SECRET))
    assert [a.advertiser_id for a in found] == server.ids
    assert found[0].timezone == "Europe/Paris" and found[0].currency == "EUR"
    assert str(found[0].balance) == "12.30"
    assert server.requests[0].url.params["secret"] == SECRET  # sent, where the spec puts it


def test_info_batches_100_ids(make_api: MakeApi) -> None:
    server = AccountServer()
    ids = [str(7000000000000000000 + i) for i in range(250)]
    assert len(Advertisers(make_api(server)).info(ids)) == 250
    sizes = [len(json.loads(r.url.params["advertiser_ids"])) for r in server.requests]
    assert sizes == [100, 100, 50]


def test_the_secret_never_appears_in_errors_or_reprs(make_api: MakeApi) -> None:
    api = make_api(AccountServer(oauth_code=40101))
    with pytest.raises(AuthError) as info:
        OAuth(api).authorized_advertisers("7100000000000000001", SecretStr(SECRET))
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


def test_exchange_keeps_the_token_wrapped(make_api: MakeApi) -> None:
    grant = OAuth(make_api(AccountServer())).exchange_auth_code(
        "7100000000000000001", SecretStr(SECRET), "auth-code"
    )
    assert grant.access_token.get_secret_value() == "act.new-token"
    assert "act.new-token" not in repr(grant)
    assert grant.scope == ("1", "4")

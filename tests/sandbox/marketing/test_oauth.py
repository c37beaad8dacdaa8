"""The sandbox's OAuth: its token only for its own app and for codes it granted (issue 9 §6;
``marketing_api.md`` §1.5 code 40101, §3.1)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from tokops.cli.main import app
from tokops.errors import AuthError
from tokops.sandbox import Sandbox
from tokops.sandbox.marketing.oauth import (
    MSG_BAD_APP,
    MSG_CODE_EXPIRED,
    MSG_CODE_UNKNOWN,
)
from tokops.tiktok import ApiClient
from tokops.tiktok.marketing import OAuth

from ..conftest import TOKEN, Marketing, MockClock, marketing_settings

TOKEN_PATH = "/open_api/v1.3/oauth2/access_token/"


def _exchange(mk: Marketing, **body: str) -> dict[str, Any]:
    """``/oauth2/access_token/`` as an outsider calls it: no Access-Token header."""
    response = mk.client.post(TOKEN_PATH, content=orjson.dumps(body), headers={"Access-Token": ""})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _grant(mk: Marketing, **body: str) -> dict[str, Any]:
    response = mk.client.post(
        "/sandbox/oauth2/authorize/", content=orjson.dumps({"app_id": mk.sandbox.app_id, **body})
    )
    answer: dict[str, Any] = response.json()
    assert answer["code"] == 0, answer
    data: dict[str, Any] = answer["data"]
    return data


def _refused(answer: dict[str, Any], message: str) -> None:
    assert answer["code"] == 40101 and answer["message"] == message, answer
    assert TOKEN not in orjson.dumps(answer).decode()


def test_the_token_needs_the_apps_secret_and_a_granted_code(mk: Marketing) -> None:
    """The old endpoint answered any app id, secret and code with the real token."""
    app_id, secret = mk.sandbox.app_id, mk.sandbox.app_secret
    _refused(_exchange(mk, app_id="1", secret="s", auth_code="c"), MSG_BAD_APP)
    _refused(_exchange(mk, app_id=app_id, secret="wrong-secret", auth_code="c"), MSG_BAD_APP)
    _refused(_exchange(mk, app_id="1", secret=secret, auth_code="c"), MSG_BAD_APP)
    _refused(_exchange(mk, app_id=app_id, secret=secret, auth_code="made-up"), MSG_CODE_UNKNOWN)
    assert _exchange(mk, app_id=app_id, secret=secret)["code"] == 40101
    assert _exchange(mk, auth_code="c")["code"] == 40101

    code = _grant(mk)["auth_code"]
    _refused(_exchange(mk, app_id=app_id, secret="wrong-secret", auth_code=code), MSG_BAD_APP)
    answer = _exchange(mk, app_id=app_id, secret=secret, auth_code=code)
    assert answer["code"] == 0, answer
    assert answer["data"]["access_token"] == mk.sandbox.token
    assert answer["data"]["advertiser_ids"] == list(mk.world.advertisers)
    # single use
    _refused(_exchange(mk, app_id=app_id, secret=secret, auth_code=code), MSG_CODE_UNKNOWN)


def test_codes_expire(mk: Marketing, clock: MockClock) -> None:
    app_id, secret = mk.sandbox.app_id, mk.sandbox.app_secret
    first = _grant(mk)
    assert first["expires_in"] == 3600
    second = _grant(mk)["auth_code"]
    clock.advance(seconds=3599)
    assert _exchange(mk, app_id=app_id, secret=secret, auth_code=second)["code"] == 0
    clock.advance(seconds=2)
    _refused(
        _exchange(mk, app_id=app_id, secret=secret, auth_code=first["auth_code"]),
        MSG_CODE_EXPIRED,
    )


def test_authorize_is_the_advertisers_step(mk: Marketing) -> None:
    data = _grant(mk, redirect_uri="https://app.example/cb?x=1", state="s1")
    assert data["code"] == data["auth_code"] and data["state"] == "s1"
    url = httpx.URL(data["redirect_url"])
    assert url.params["auth_code"] == data["auth_code"] and url.params["x"] == "1"
    assert url.params["state"] == "s1"
    anonymous = mk.client.post(
        "/sandbox/oauth2/authorize/",
        content=orjson.dumps({"app_id": mk.sandbox.app_id}),
        headers={"Access-Token": ""},
    ).json()
    assert anonymous["code"] == 40104
    other_app = mk.client.post(
        "/sandbox/oauth2/authorize/", content=orjson.dumps({"app_id": "123"})
    ).json()
    assert other_app["code"] == 40101


def test_advertiser_list_needs_the_apps_secret(mk: Marketing) -> None:
    app_id, secret = mk.sandbox.app_id, mk.sandbox.app_secret
    data = mk.ok(mk.get("oauth2/advertiser/get/", app_id=app_id, secret=secret))
    assert [a["advertiser_id"] for a in data["list"]] == list(mk.world.advertisers)
    _refused(mk.get("oauth2/advertiser/get/", app_id=app_id, secret="anything"), MSG_BAD_APP)
    assert mk.get("oauth2/advertiser/get/", app_id=app_id)["code"] == 40101


def test_credentials_route_and_settings(mk: Marketing) -> None:
    creds = mk.client.get("/sandbox/oauth2/credentials/").json()["data"]
    assert creds == {"app_id": mk.sandbox.app_id, "app_secret": mk.sandbox.app_secret}
    anonymous = mk.client.get("/sandbox/oauth2/credentials/", headers={"Access-Token": ""})
    assert anonymous.json()["code"] == 40104
    assert Sandbox().app_secret != Sandbox().app_secret  # generated per run
    fixed = Sandbox(marketing_settings(marketing={"app_secret": "configured-secret"}))
    assert fixed.app_secret == "configured-secret"
    assert "configured-secret" not in repr(fixed.settings) + repr(fixed.marketing.oauth)


def test_the_client_library_runs_the_flow(mk: Marketing) -> None:
    code = _grant(mk)["auth_code"]
    with ApiClient("", api_base="http://sandbox.test", transport=mk.sandbox.transport()) as api:
        oauth = OAuth(api)
        with pytest.raises(AuthError):
            oauth.exchange_auth_code(mk.sandbox.app_id, SecretStr("wrong-secret"), code)
        grant = oauth.exchange_auth_code(mk.sandbox.app_id, SecretStr(mk.sandbox.app_secret), code)
    assert grant.access_token.get_secret_value() == mk.sandbox.token


def test_banner_shows_a_generated_secret_on_loopback_only(
    served: list[tuple[Sandbox, str, int]],
) -> None:
    local = CliRunner().invoke(app, ["sandbox", "serve", "--port", "0"])
    assert local.exit_code == 0, local.output
    assert f"app secret: {served[0][0].app_secret}" in local.output
    args = ["sandbox", "serve", "--host", "0.0.0.0", "--port", "0", "--token", "T"]
    public = CliRunner().invoke(app, args)
    assert public.exit_code == 0, public.output
    assert served[1][0].app_secret not in public.output
    assert "/sandbox/oauth2/credentials/" in public.output

"""The dashboard's guards: CSRF on every mutation, escaped text, security headers, and the
password rule beyond loopback (KPI-6)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tokops.cli.main import app
from tokops.config import write_workspace
from tokops.errors import ConfigError
from tokops.warehouse import connect
from tokops.web import DashboardConfig, RunningDashboard, prepare, serve_in_thread
from tokops.web.passwords import hash_password, verify_password
from tokops.web.security import is_loopback

from .conftest import NOW, csrf_of

_MUTATIONS = (
    ("/r/tiktok-ads/notes", {"day": "2024-05-20", "kpi": "spend", "text": "no token"}),
    ("/r/tiktok-ads/comments", {"text": "no token"}),
    ("/r/tiktok-ads/shares", {"query": ""}),
    ("/shares/abc/revoke", {}),
    ("/logout", {}),
)


@pytest.mark.parametrize(("path", "form"), _MUTATIONS)
def test_a_mutation_without_the_csrf_token_is_refused(
    path: str, form: dict[str, str], dashboard: RunningDashboard
) -> None:
    with httpx.Client(base_url=dashboard.url, timeout=60) as browser:
        browser.get("/")  # a session cookie, but no token sent
        assert browser.post(path, data=form).status_code == 403
        assert browser.post(path, data={**form, "csrf": "0" * 64}).status_code == 403


def test_another_sessions_token_is_refused(dashboard: RunningDashboard) -> None:
    with httpx.Client(base_url=dashboard.url, timeout=60) as mine:
        token = csrf_of(mine.get("/"))
    with httpx.Client(base_url=dashboard.url, timeout=60) as other:
        other.get("/")
        answer = other.post("/r/tiktok-ads/comments", data={"text": "x", "csrf": token})
        assert answer.status_code == 403


def test_every_answer_carries_the_security_headers(dashboard: RunningDashboard) -> None:
    for path in ("/", "/r/nope", "/static/dashboard.js"):
        headers = httpx.get(f"{dashboard.url}{path}", timeout=30).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-eval" not in csp and "default-src 'none'" in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    cookie = httpx.get(f"{dashboard.url}/", timeout=30).headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_pages_hold_no_inline_script(dashboard: RunningDashboard) -> None:
    page = httpx.get(f"{dashboard.url}/r/tiktok-organic", timeout=120).text
    assert page.count("<script") == page.count('<script src="/static/')
    assert " on" + "click=" not in page and "javascript:" not in page


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def _fresh_store(tmp_path: Path) -> str:
    url = f"duckdb://{tmp_path / 'dash.duckdb'}"
    connect(url).close()
    return url


def test_beyond_loopback_it_refuses_to_start_without_a_password(tmp_path: Path) -> None:
    config = DashboardConfig(_fresh_store(tmp_path), clock=lambda: NOW)
    with pytest.raises(ConfigError, match="without a password"):
        prepare(config, "0.0.0.0")
    prepare(config, "0.0.0.0", "correct horse")  # with one, it starts
    prepare(config, "0.0.0.0")  # and the stored hash is enough later


def test_the_command_refuses_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_workspace(tmp_path, store_url=f"duckdb://{tmp_path / 'store.duckdb'}", phone_region="US")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TOKOPS_DASHBOARD_PASSWORD", raising=False)
    out = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert out.exit_code != 0
    assert "without a password" in str(out.exception) + out.output


def test_the_password_is_stored_hashed_and_asked_for(tmp_path: Path) -> None:
    url = _fresh_store(tmp_path)
    secret = "correct horse battery"
    dash = prepare(DashboardConfig(url, clock=lambda: NOW), "127.0.0.1", secret)
    store = connect(url)
    try:
        stored = store.fetch(store.table("dashboard_secrets")).to_pylist()
    finally:
        store.close()
    assert len(stored) == 1 and secret not in stored[0]["value"]
    assert verify_password(secret, stored[0]["value"]) and not verify_password(
        "x", stored[0]["value"]
    )
    with serve_in_thread(dash) as running, httpx.Client(base_url=running.url, timeout=60) as b:
        first = b.get("/")
        assert first.status_code == 303 and first.headers["location"] == "/login"
        assert b.get("/shares").status_code == 303
        login = b.get("/login")
        wrong = b.post("/login", data={"password": "nope", "csrf": csrf_of(login)})
        assert wrong.status_code == 401 and "Wrong password" in wrong.text
        ok = b.post("/login", data={"password": secret, "csrf": csrf_of(login)})
        assert ok.status_code == 303
        index = b.get("/")
        assert index.status_code == 200 and "Log out" in index.text
        assert b.post("/logout", data={"csrf": csrf_of(index)}).status_code == 303
        assert b.get("/").status_code == 303


def test_a_hash_is_salted() -> None:
    assert hash_password("same") != hash_password("same")

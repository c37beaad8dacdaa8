"""A demo-like store for the report tests: ads and organic data synced from the sandbox; and a
real SMTP server on loopback (aiosmtpd) for the mail and schedule tests.

The sandbox runs in-process (its transport, no sockets) with a fixed clock, like the ingest's
end-to-end tests; the store is a DuckDB file in a workspace, so the CLI reads it too. The SMTP
server speaks STARTTLS with a certificate made for the test (``openssl``), which the client
trusts through ``SSL_CERT_FILE``, and requires a login.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tokops.config import write_workspace
from tokops.ingest import AdsSyncOptions, connect_client, sync_ads, sync_organic
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.warehouse import Store, connect

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
SINCE = date(2024, 3, 15)
TOKEN = "reports-sandbox-token"


@dataclass(frozen=True)
class Workspace:
    root: Path
    url: str

    def store(self) -> Store:
        return connect(self.url)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("reports")
    url = f"duckdb://{root / 'store.duckdb'}"
    write_workspace(root, store_url=url, api_base="http://127.0.0.1:1", phone_region="US")
    settings = SandboxSettings(
        seed=11, scale="small", world_anchor=TODAY, access_tokens=(TOKEN,), marketing_qps=1000
    )
    sandbox = Sandbox(settings, now=lambda: NOW)
    client = connect_client(
        TOKEN, api_base="http://sandbox.test", transport=sandbox.transport(), qps=1000
    )
    store = connect(url)
    try:
        clock = lambda: NOW  # noqa: E731
        ads = sync_ads(store, client, AdsSyncOptions(since=SINCE, concurrency=2), now=clock)
        assert ads.status == "ok", ads.to_json()
        accounts = sorted(sandbox.world.accounts)
        organic = sync_organic(store, client, accounts, now=clock)
        assert organic.status == "ok", organic.to_json()
    finally:
        store.close()
    return Workspace(root, url)


USER, PASSWORD = "reports", "s3cret-from-env"


@dataclass
class Inbox:
    """Collects what the server accepts."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def smtp(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Inbox, int]]:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts the test's certificate
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def smtp_env(monkeypatch: pytest.MonkeyPatch, port: int, password: str = PASSWORD) -> None:
    monkeypatch.setenv("TOKOPS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TOKOPS_SMTP_PORT", str(port))
    monkeypatch.setenv("TOKOPS_SMTP_TLS", "starttls")
    monkeypatch.setenv("TOKOPS_SMTP_USER", USER)
    monkeypatch.setenv("TOKOPS_SMTP_PASSWORD", password)
    monkeypatch.setenv("TOKOPS_MAIL_FROM", "reports@shop.example")
    monkeypatch.setenv("TOKOPS_PUBLIC_URL", "https://reports.shop.example/")

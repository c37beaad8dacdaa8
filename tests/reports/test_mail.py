"""``tokops report send`` against a real SMTP server on loopback (aiosmtpd; KPI-6).

The server speaks STARTTLS with a certificate made for the test (``openssl``), which the client
trusts through ``SSL_CERT_FILE``, and requires a login: the real path, TLS checks included.
"""

from __future__ import annotations

import email
import io
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pypdf import PdfReader
from typer.testing import CliRunner

from tokops.cli.main import app
from tokops.errors import ConfigError
from tokops.reports.mail import SmtpSettings

from .conftest import TODAY, Workspace

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


def _env(monkeypatch: pytest.MonkeyPatch, port: int, password: str = PASSWORD) -> None:
    monkeypatch.setenv("TOKOPS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TOKOPS_SMTP_PORT", str(port))
    monkeypatch.setenv("TOKOPS_SMTP_TLS", "starttls")
    monkeypatch.setenv("TOKOPS_SMTP_USER", USER)
    monkeypatch.setenv("TOKOPS_SMTP_PASSWORD", password)
    monkeypatch.setenv("TOKOPS_MAIL_FROM", "reports@shop.example")
    monkeypatch.setenv("TOKOPS_PUBLIC_URL", "https://reports.shop.example/")


def test_the_report_arrives_with_its_tiles_and_the_pdf(
    smtp: tuple[Inbox, int], workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    _env(monkeypatch, port)
    monkeypatch.chdir(workspace.root)
    monkeypatch.setattr("tokops.reports.ranges._today", lambda: TODAY)
    args = ["report", "send", "tiktok-ads", "--range", "last-7-complete-days"]
    out = CliRunner().invoke(app, [*args, "--to", "ana@agency.example", "--to", "bo@shop.example"])
    assert out.exit_code == 0, out.output
    assert "sent tiktok-ads" in out.stdout
    [(sender, recipients, raw)] = inbox.messages
    assert sender == "reports@shop.example"
    assert recipients == ["ana@agency.example", "bo@shop.example"]
    msg = email.message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    assert msg["Subject"] == "TikTok Ads · 25 May 2024 – 31 May 2024"
    body = msg.get_body(("html",))
    assert body is not None
    html = body.get_content()
    assert "Cost" in html and "Open the live report" in html
    assert (
        "https://reports.shop.example/reports/tiktok-ads?from=2024-05-25&amp;to=2024-05-31" in html
    )
    text = msg.get_body(("plain",))
    assert text is not None and "Cost: " in text.get_content()
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "tiktok-ads-2024-05-25-2024-05-31.pdf"
    pdf = PdfReader(io.BytesIO(attachment.get_content()))
    content = " ".join(page.extract_text() or "" for page in pdf.pages)
    assert "TikTok Ads" in content and "Cost per conversion" in content
    # the tiles of the mail are those of the PDF: every value in the body is in the PDF
    cost_line = next(line for line in text.get_content().splitlines() if line.startswith("Cost: "))
    value = cost_line.removeprefix("Cost: ").split(" ")[0]
    assert value in content and value in html


def test_a_wrong_password_is_one_clear_error(
    smtp: tuple[Inbox, int], workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    _env(monkeypatch, port, password="wrong")
    monkeypatch.chdir(workspace.root)
    out = CliRunner().invoke(
        app, ["report", "send", "social", "--range", "last-7-complete-days", "--to", "a@b.example"]
    )
    assert out.exit_code == 1
    assert isinstance(out.exception, ConfigError)
    assert "refused the report" in str(out.exception) and "wrong" not in str(out.exception)
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "TOKOPS_SMTP_HOST and TOKOPS_MAIL_FROM not set"),
        ({"TOKOPS_SMTP_HOST": "h", "TOKOPS_MAIL_FROM": "a@b", "TOKOPS_SMTP_TLS": "tls"}, "use"),
        ({"TOKOPS_SMTP_HOST": "h", "TOKOPS_MAIL_FROM": "a@b", "TOKOPS_SMTP_PORT": "x"}, "port"),
        ({"TOKOPS_SMTP_HOST": "h", "TOKOPS_MAIL_FROM": "a@b", "TOKOPS_SMTP_USER": "u"}, "PASSWORD"),
    ],
)
def test_smtp_settings_come_from_the_environment(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SmtpSettings.from_env(env)


def test_default_ports_and_the_password_is_not_shown() -> None:
    base = {"TOKOPS_SMTP_HOST": "mail.example", "TOKOPS_MAIL_FROM": "r@example.com"}
    assert SmtpSettings.from_env(base).port == 587
    assert SmtpSettings.from_env({**base, "TOKOPS_SMTP_TLS": "ssl"}).port == 465
    secret = SmtpSettings.from_env(
        {**base, "TOKOPS_SMTP_USER": "u", "TOKOPS_SMTP_PASSWORD": "hunter2"}
    )
    assert secret.password == "hunter2" and "hunter2" not in repr(secret)


def test_recipients_are_checked_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    out = CliRunner().invoke(
        app, ["report", "send", "shop", "--to", "a@b.example\r\nBcc: x@evil.example"]
    )
    assert out.exit_code == 1 and "not an e-mail address" in str(out.exception)

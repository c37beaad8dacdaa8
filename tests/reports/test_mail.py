"""``tokops report send`` against a real SMTP server on loopback (aiosmtpd; KPI-6).

The server (``smtp`` in conftest) speaks STARTTLS with a certificate made for the test
(``openssl``), which the client trusts through ``SSL_CERT_FILE``, and requires a login: the real
path, TLS checks included.
"""

from __future__ import annotations

import email
import io
from email.message import EmailMessage
from email.policy import default

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from tokops.cli.main import app
from tokops.errors import ConfigError
from tokops.reports.mail import SmtpSettings

from .conftest import TODAY, Inbox, Workspace, smtp_env


def test_the_report_arrives_with_its_tiles_and_the_pdf(
    smtp: tuple[Inbox, int], workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    smtp_env(monkeypatch, port)
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
    smtp_env(monkeypatch, port, password="wrong")
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

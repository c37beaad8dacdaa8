"""A report by e-mail: the key tiles in the body, the PDF attached, sent over SMTP (KPI-6).

SMTP comes from the environment (the password only from there, never from a file):

=========================  ================================================================
``TOKOPS_SMTP_HOST``       server name (required)
``TOKOPS_SMTP_PORT``       port (default: 465 with ``ssl``, 587 with ``starttls``, 25 with
                           ``none``)
``TOKOPS_SMTP_TLS``        ``starttls`` (default), ``ssl`` or ``none``
``TOKOPS_SMTP_USER``       login, when the server asks for one
``TOKOPS_SMTP_PASSWORD``   its password
``TOKOPS_MAIL_FROM``       the sender address (required)
``TOKOPS_PUBLIC_URL``      optional: where the live report is served; the mail links to it
=========================  ================================================================

``none`` sends in clear; it is meant for a relay on the same machine or a test server. TLS
certificates are checked against the system's trust store.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Final, Literal, cast
from urllib.parse import quote, urlencode

from tokops.errors import ConfigError
from tokops.reports.build import Report
from tokops.reports.html import tile_summary

__all__ = ["SmtpSettings", "build_message", "check_recipients", "send_message"]

Tls = Literal["starttls", "ssl", "none"]
_PORTS: Final[dict[str, int]] = {"ssl": 465, "starttls": 587, "none": 25}
_TIMEOUT_S: Final = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: Tls
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    public_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """The settings from ``TOKOPS_SMTP_*`` and ``TOKOPS_MAIL_FROM`` (see the module doc)."""
        env = os.environ if environ is None else environ
        host = env.get("TOKOPS_SMTP_HOST", "").strip()
        sender = env.get("TOKOPS_MAIL_FROM", "").strip()
        missing = [
            n for n, v in (("TOKOPS_SMTP_HOST", host), ("TOKOPS_MAIL_FROM", sender)) if not v
        ]
        if missing:
            raise ConfigError(f"{' and '.join(missing)} not set: export them to send reports")
        tls = env.get("TOKOPS_SMTP_TLS", "starttls").strip().lower() or "starttls"
        if tls not in _PORTS:
            raise ConfigError(f"TOKOPS_SMTP_TLS={tls!r}: use starttls, ssl or none")
        raw_port = env.get("TOKOPS_SMTP_PORT", "").strip()
        try:
            port = int(raw_port) if raw_port else _PORTS[tls]
        except ValueError:
            raise ConfigError(f"TOKOPS_SMTP_PORT={raw_port!r} is not a port number") from None
        if not 0 < port < 65536:
            raise ConfigError(f"TOKOPS_SMTP_PORT={port} is not a port number (1-65535)")
        user = env.get("TOKOPS_SMTP_USER", "").strip() or None
        password = env.get("TOKOPS_SMTP_PASSWORD") or None
        if user and not password:
            raise ConfigError("TOKOPS_SMTP_USER is set but TOKOPS_SMTP_PASSWORD is not")
        public = env.get("TOKOPS_PUBLIC_URL", "").strip().rstrip("/") or None
        return cls(host, port, cast(Tls, tls), sender, user, password, public)


def _link(report: Report, public_url: str | None) -> str | None:
    if public_url is None:
        return None
    rng = report.range
    query = {"from": rng.start.isoformat(), "to": rng.end.isoformat()}
    return f"{public_url}/reports/{quote(report.template.name)}?{urlencode(query)}"


def check_recipients(to: Sequence[str]) -> None:
    """A clear error for no recipient or one that is not a single plain address."""
    if not to:
        raise ConfigError("no recipient: give --to ADDRESS")
    bad = [a for a in to if a.count("@") != 1 or any(c in a for c in '\r\n,;<> "')]
    if bad:
        raise ConfigError(f"not an e-mail address: {', '.join(repr(a) for a in bad)}")


def build_message(
    report: Report,
    pdf: bytes,
    *,
    to: Sequence[str],
    sender: str,
    public_url: str | None = None,
) -> EmailMessage:
    """The mail: a text and an HTML body with the key tiles, the PDF attached."""
    check_recipients(to)
    template, rng = report.template, report.range
    msg = EmailMessage()
    msg["Subject"] = f"{template.title} · {rng.label}"
    msg["From"] = formataddr(("tokops reports", sender))
    msg["To"] = ", ".join(to)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    link = _link(report, public_url)
    text, html = tile_summary(report, link)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    filename = f"{template.name}-{rng.start}-{rng.end}.pdf"
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return msg


def send_message(message: EmailMessage, settings: SmtpSettings) -> None:
    """Send *message* through the SMTP server of *settings* (TLS as configured)."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    try:
        if settings.tls == "ssl":
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=_TIMEOUT_S, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=_TIMEOUT_S)
        with smtp:
            if settings.tls == "starttls":
                smtp.starttls(context=context)
            if settings.user and settings.password:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message, from_addr=settings.sender)
    except smtplib.SMTPException as exc:
        raise ConfigError(
            f"SMTP {settings.host}:{settings.port} refused the report: {exc}"
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ConfigError(f"cannot reach SMTP {settings.host}:{settings.port}: {reason}") from None

"""A report by e-mail: the key tiles in the body, the PDF attached, sent over SMTP (KPI-6).

SMTP comes from ``[smtp]`` in ``tokops.toml`` (``host``, ``port``, ``tls``, ``user``,
``mail_from``), each key overridden by its variable; the password only from the environment:

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

from tokops.config import SmtpSection
from tokops.errors import ConfigError, OptionError
from tokops.reports.build import Report
from tokops.reports.html import tile_summary

__all__ = ["SmtpSettings", "build_message", "check_recipients", "plain_message", "send_message"]

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
        """The settings from ``TOKOPS_SMTP_*`` and ``TOKOPS_MAIL_FROM`` alone."""
        return cls.load(SmtpSection(), environ)

    @classmethod
    def load(cls, section: SmtpSection, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """The settings of ``[smtp]`` in ``tokops.toml`` (*section*), each key overridden by its
        variable (see the module doc); the password from ``TOKOPS_SMTP_PASSWORD`` only."""
        env = os.environ if environ is None else environ

        def pick(var: str, value: object) -> str:
            return env.get(var, "").strip() or ("" if value is None else str(value).strip())

        host = pick("TOKOPS_SMTP_HOST", section.host)
        sender = pick("TOKOPS_MAIL_FROM", section.mail_from)
        missing = [
            n for n, v in (("TOKOPS_SMTP_HOST", host), ("TOKOPS_MAIL_FROM", sender)) if not v
        ]
        if missing:
            raise ConfigError(
                f"{' and '.join(missing)} not set: export them, or set host and mail_from "
                "under [smtp] in tokops.toml, to send reports"
            )
        tls = pick("TOKOPS_SMTP_TLS", section.tls).lower() or "starttls"
        if tls not in _PORTS:
            raise ConfigError(f"TOKOPS_SMTP_TLS={tls!r}: use starttls, ssl or none")
        raw_port = pick("TOKOPS_SMTP_PORT", section.port)
        try:
            port = int(raw_port) if raw_port else _PORTS[tls]
        except ValueError:
            raise ConfigError(f"TOKOPS_SMTP_PORT={raw_port!r} is not a port number") from None
        if not 0 < port < 65536:
            raise ConfigError(f"TOKOPS_SMTP_PORT={port} is not a port number (1-65535)")
        user = pick("TOKOPS_SMTP_USER", section.user) or None
        password = env.get("TOKOPS_SMTP_PASSWORD") or None
        if user and not password:
            raise ConfigError("an SMTP user is set but TOKOPS_SMTP_PASSWORD is not")
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
        raise OptionError("no recipient: give {recipients} ADDRESS")
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
    template, rng = report.template, report.range
    text, html = tile_summary(report, _link(report, public_url))
    msg = plain_message(f"{template.title} · {rng.label}", text, to=to, sender=sender)
    msg.add_alternative(html, subtype="html")
    filename = f"{template.name}-{rng.start}-{rng.end}.pdf"
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return msg


def plain_message(subject: str, text: str, *, to: Sequence[str], sender: str) -> EmailMessage:
    """A short text mail (the scheduler's notices to a schedule's owner)."""
    check_recipients(to)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = formataddr(("tokops reports", sender))
    msg["To"] = ", ".join(to)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text)
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

"""A report written as HTML, PDF or PNG bytes (what ``tokops report render`` saves)."""

from __future__ import annotations

from typing import Final

from tokops.errors import ConfigError
from tokops.reports.build import Report
from tokops.reports.html import render_html

__all__ = ["FORMATS", "render_report"]

FORMATS: Final = ("html", "pdf", "png")


def render_report(report: Report, fmt: str) -> bytes:
    """*report* in *fmt* (``html``, ``pdf`` or ``png``)."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r}: use {', '.join(FORMATS)}")
    html = render_html(report)
    if fmt == "html":
        return html.encode("utf-8")
    from tokops.reports.pdf import html_to_pdf, pdf_to_png

    pdf = html_to_pdf(html)
    return pdf if fmt == "pdf" else pdf_to_png(pdf)

"""The report as PDF (WeasyPrint) and PNG (the PDF's pages drawn by pdfium), offline (KPI-6).

Both start from the HTML snapshot (:mod:`.html`), whose charts are already static SVG, so the
PDF shows what the HTML shows. WeasyPrint lays the page out with the machine's Pango and
fonts (installed with the system, nothing downloaded); its URL fetcher is replaced by one that
refuses every URL, so a report can never reach the network while it renders.
"""

from __future__ import annotations

import io
from typing import Any, NoReturn

from tokops.errors import ConfigError

__all__ = ["html_to_pdf", "pdf_to_png"]

#: Pixels per PDF point of the PNG (2 ≈ 144 dpi: sharp on a high-density screen).
PNG_SCALE = 2.0


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ConfigError(f"a report does not fetch anything while it renders (asked for {url!r})")


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document."""
    import logging
    import warnings

    with warnings.catch_warnings():  # Debian 12 ships HarfBuzz without its subset library
        warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
        import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # font-subsetting chatter
    document = weasyprint.HTML(string=html, url_fetcher=_no_fetch)
    pdf: bytes = document.write_pdf()
    return pdf


def pdf_to_png(pdf: bytes) -> bytes:
    """Every page of *pdf* drawn and stacked top to bottom in one PNG."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = [document[i].render(scale=PNG_SCALE).to_pil() for i in range(len(document))]
    finally:
        document.close()
    width = max(p.width for p in pages)
    sheet = Image.new("RGB", (width, sum(p.height for p in pages)), "white")
    top = 0
    for page in pages:
        sheet.paste(page, (0, top))
        top += page.height
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()

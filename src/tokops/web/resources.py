"""The dashboard's files: Jinja page templates, its CSS and script, and the Vega bundle.

Everything is served from installed packages, nothing from a CDN: the pages work with no
network. The Vega, Vega-Lite and vega-embed bundle is the one vl-convert ships
(:func:`vl_convert.javascript_bundle`), the same Vega that draws the reports' SVG.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any, Final

from tokops.reports.html import environment

__all__ = ["asset", "page_template", "vega_bundle"]

_GLOBALS: Final = "window.vegaEmbed = vegaEmbed;"


def page_template(name: str) -> Any:
    """The Jinja template *name* (autoescape on: every text from data or a person is escaped)."""
    return environment("tokops.web").get_template(name)


def asset(name: str) -> bytes:
    """A static file: the reports' stylesheet (``report.css``, shared with the snapshots) or
    one of the dashboard's own (``dashboard.css``, ``dashboard.js``)."""
    package = "tokops.reports" if name == "report.css" else "tokops.web"
    return files(package).joinpath("assets", name).read_bytes()


def vega_bundle() -> bytes:
    """vega-embed, Vega-Lite and Vega as one script that sets ``window.vegaEmbed`` (about
    900 kB; built once per process)."""
    import vl_convert

    bundle: str = vl_convert.javascript_bundle(_GLOBALS)
    return bundle.encode()

"""The ``tokops`` command: a thin adapter over the library (parse, call, render)."""

from __future__ import annotations

import sys

import typer

from tokops.cli import _errors
from tokops.cli.audiences import app as audiences_app
from tokops.cli.demo import app as demo_app
from tokops.cli.events import app as events_app
from tokops.cli.insights import app as insights_app
from tokops.cli.kpi import register as register_kpi
from tokops.cli.report import app as report_app
from tokops.cli.sandbox import app as sandbox_app
from tokops.cli.scheduler import register as register_scheduler
from tokops.cli.serve import register as register_serve
from tokops.cli.spark import app as spark_app
from tokops.cli.sync import app as sync_app
from tokops.cli.workspace import register as register_workspace

app = typer.Typer(
    name="tokops",
    help="Warehouse-native toolkit for selling through TikTok.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
register_workspace(app)
register_kpi(app)
register_serve(app)
app.add_typer(events_app, name="events", help="Send conversions server-side (Events API).")
app.add_typer(
    audiences_app, name="audiences", help="Hashed customer lists to custom audiences (suppression)."
)
app.add_typer(sandbox_app, name="sandbox", help="The local emulator of the TikTok APIs.")
app.add_typer(
    insights_app,
    name="insights",
    help="Insights: creatives, Spark, A/B, saturation, hashtags, content, plans, budget.",
)
app.add_typer(spark_app, name="spark", help="Spark Ads: list, authorize, create, explain.")
app.add_typer(sync_app, name="sync", help="Pull TikTok ads and organic data into the store.")
app.add_typer(
    report_app, name="report", help="Reports: render (HTML, PDF, PNG), e-mail or schedule."
)
register_scheduler(app)
app.add_typer(demo_app, name="demo", help="Run the end-to-end demo on a generated shop.")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tokops")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown (not installed)"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"tokops {_version()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_show_version,
        is_eager=True,
        expose_value=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Warehouse-native toolkit for selling through TikTok."""


def main() -> None:
    """Entry point of the console script; TokopsError becomes a red one-liner and exit 1."""
    sys.exit(_errors.run(app))

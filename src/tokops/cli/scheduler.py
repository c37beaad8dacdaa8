"""``tokops scheduler``: send the scheduled reports that are due (KPI-6).

The work is in :mod:`tokops.reports.scheduler`; this module opens the store and SMTP, runs
one pass (``--once``) or one every ``--interval`` seconds, and prints what happened.
"""

from __future__ import annotations

import time

import typer

from tokops.cli._common import open_store
from tokops.cli.report import smtp_settings

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``tokops scheduler`` to *app*."""
    app.command("scheduler")(scheduler)


def scheduler(
    once: bool = typer.Option(False, "--once", help="One pass, then exit."),
    interval: float = typer.Option(
        60.0, "--interval", min=1.0, help="Seconds between passes (without --once)."
    ),
) -> None:
    """Send the scheduled reports that are due: held when the data is stale or a review is
    asked for, each firing recorded before its mail goes (never sent twice)."""
    from tokops.reports.scheduler import Scheduler

    smtp = smtp_settings()
    with open_store() as store:
        runner = Scheduler(store, smtp)
        while True:
            for o in runner.run_once():
                why = f": {o.reason}" if o.reason else ""
                typer.echo(f"{o.send_id} {o.report} ({o.schedule_id}) {o.status}{why}")
            if once:
                return
            time.sleep(interval)

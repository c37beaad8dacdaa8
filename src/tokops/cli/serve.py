"""``tokops serve``: the live dashboard over the workspace's store (KPI-6, KPI-7).

The work is in :mod:`tokops.web`; this module reads the options and the password from the
environment, and prints where the dashboard listens.
"""

from __future__ import annotations

import os

import typer

__all__ = ["register"]

PASSWORD_ENV = "TOKOPS_DASHBOARD_PASSWORD"


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind (loopback by default)."),
    port: int = typer.Option(8000, min=0, max=65535, help="TCP port (0: any free port)."),
) -> None:
    """Serve the report templates as live pages (charts, notes, comments, share links).

    Beyond loopback a password is required: set TOKOPS_DASHBOARD_PASSWORD (it is kept hashed in
    the store, so later starts need it only to change it).
    """
    from tokops.config import load_settings
    from tokops.web import DashboardConfig, prepare
    from tokops.web import serve as run

    settings = load_settings()
    app = prepare(DashboardConfig(settings.store.url), host, os.environ.get(PASSWORD_ENV) or None)

    def ready(url: str) -> None:
        typer.echo(f"dashboard: {url}/ (Ctrl-C stops it)", err=True)

    run(app, host, port, ready)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)

"""``tokops init``: write the workspace file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from tokops.config import DEFAULT_API_BASE, StoreSettings, write_workspace

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        store: str = typer.Option(
            StoreSettings().url, help="Store URL (duckdb://… or postgres://…)."
        ),
        api_base: str = typer.Option(DEFAULT_API_BASE, help="TikTok API base (or a sandbox URL)."),
        phone_region: str = typer.Option("US", help="Default region for phone numbers."),
        force: bool = typer.Option(False, "--force", help="Overwrite an existing tokops.toml."),
    ) -> None:
        """Write tokops.toml in the current folder (secrets stay in the environment)."""
        path = write_workspace(
            Path.cwd(),
            store_url=store,
            api_base=api_base,
            phone_region=phone_region,
            overwrite=force,
        )
        Console().print(f"wrote {path}; export TIKTOK_ACCESS_TOKEN before syncing")

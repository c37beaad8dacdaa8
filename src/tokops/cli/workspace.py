"""``tokops init``: write the workspace file (for TikTok, or for the local sandbox)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from tokops.config import (
    DEFAULT_API_BASE,
    WORKSPACE_FILE,
    StoreSettings,
    check_store_scheme,
    write_workspace,
)
from tokops.errors import ConfigError

__all__ = ["SANDBOX_URL", "register"]

SANDBOX_URL = "http://127.0.0.1:8765"
"""Where ``tokops sandbox serve`` listens by default."""


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        store: str = typer.Option(
            StoreSettings().url, help="Store URL (duckdb://… or postgres://…)."
        ),
        api_base: str | None = typer.Option(
            None,
            help=f"TikTok API base (default {DEFAULT_API_BASE}; with --sandbox {SANDBOX_URL}).",
        ),
        sandbox: bool = typer.Option(
            False,
            "--sandbox",
            help="Point the workspace (Marketing, Events and Shop APIs) at the local sandbox.",
        ),
        phone_region: str = typer.Option("US", help="Default region for phone numbers."),
        force: bool = typer.Option(False, "--force", help="Overwrite an existing tokops.toml."),
    ) -> None:
        """Write tokops.toml in the current folder (secrets stay in the environment)."""
        if (Path.cwd() / WORKSPACE_FILE).exists() and not force:
            raise ConfigError(f"{WORKSPACE_FILE} already exists here (use --force to overwrite it)")
        try:
            check_store_scheme(store)
        except ConfigError as exc:
            raise ConfigError(f"--store: {exc}") from None
        base = api_base or (SANDBOX_URL if sandbox else DEFAULT_API_BASE)
        path = write_workspace(
            Path.cwd(),
            store_url=store,
            api_base=base,
            shop_api_base=base if sandbox else None,
            phone_region=phone_region,
            overwrite=force,
        )
        out = Console(soft_wrap=True, highlight=False)
        if sandbox:
            out.print(f"wrote {path}: the Marketing, Events and Shop APIs go to the sandbox {base}")
            out.print(
                "start it with `tokops sandbox serve` (another terminal), then "
                "export TIKTOK_ACCESS_TOKEN=<the access token it prints>"
            )
        else:
            out.print(f"wrote {path}; export TIKTOK_ACCESS_TOKEN before syncing")

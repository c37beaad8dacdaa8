"""Turn tokops errors into one readable line and a non-zero exit; ``--debug`` re-raises."""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console

from tokops.errors import TokopsError

__all__ = ["run"]

_err = Console(stderr=True)


def run(app: typer.Typer) -> int:
    debug = "--debug" in sys.argv or os.environ.get("TOKOPS_DEBUG") == "1"
    if "--debug" in sys.argv:
        sys.argv.remove("--debug")
    try:
        result = app(standalone_mode=False)
    except TokopsError as exc:
        if debug:
            raise
        _err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        return 1
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        _err.print("aborted")
        return 130
    except KeyboardInterrupt:
        _err.print("interrupted: what was done is kept; run the same command again to resume")
        return 130
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    # click returns the exit code of ``raise typer.Exit(code)`` instead of raising it
    return result if isinstance(result, int) else 0

"""Turn every error a user can cause into a short message on stderr and a non-zero exit.

- a :class:`~tokops.errors.TokopsError` → ``error: …`` (one line), exit 1;
- a usage error (unknown command or option, missing or bad value) → the usage line and
  ``error: …``, exit 2, as Click prints it but without a traceback. Typer ≥ 0.29 raises the
  exceptions of its bundled Click (``typer._click``), whose public root is
  :class:`typer.TyperException`; the standalone ``click`` package is handled too;
- a bare group (``tokops``, ``tokops events``) → its help (already printed), exit 0;
- an :class:`OSError` (a path that cannot be read or written, a port in use …) → one line, exit 1;
- anything else is a bug: one line that says so and how to see the traceback (``--debug``).

``--debug`` (or ``TOKOPS_DEBUG=1``) re-raises instead, for the full traceback.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from tokops.errors import OptionError, TokopsError

__all__ = ["describe_os_error", "flag_of", "run"]

_err = Console(stderr=True, soft_wrap=True, highlight=False)

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _error(message: str) -> None:
    _err.print(f"[bold red]error:[/] {escape(message)}")


#: How the command line names a library option whose flag is not its field with dashes.
_FLAGS = {
    "advertiser_ids": "--advertiser",
    "business_ids": "--business-id",
    "fmt": "--format",
    "recipients": "--to",
    "retention_in_days": "--retention-days",
}


def flag_of(option: str) -> str:
    """The flag that sets a library option (``since_days`` → ``--since-days``)."""
    return _FLAGS.get(option, "--" + option.replace("_", "-"))


def describe_os_error(exc: OSError) -> str:
    """``cannot write /x/y.toml: No such file or directory`` from an :class:`OSError`."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is None:
        return reason
    return f"{exc.filename}: {reason}"


def _click_errors() -> tuple[type[Exception], ...]:
    """The usage-error roots: Typer's bundled Click and, when installed, the standalone one."""
    roots: list[type[Exception]] = [typer.TyperException]
    try:
        import click
    except ImportError:  # pragma: no cover - click is optional since Typer 0.29
        pass
    else:
        roots.append(click.ClickException)
    return tuple(roots)


def _show_usage_error(exc: Exception) -> int:
    """Print a Click/Typer error as usage line + ``error: …``; its exit code."""
    code = int(getattr(exc, "exit_code", EXIT_USAGE))
    if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: its help is the answer
        return 0
    ctx: Any = getattr(exc, "ctx", None)
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    message = message.replace("Value error, ", "")  # Typer's coercion prefix, noise for a user
    message = message.replace("the formats '%Y-%m-%d'", "YYYY-MM-DD")
    if ctx is not None:
        _err.print(escape(ctx.get_usage().strip()))
        message = f"{message} (see '{ctx.command_path} --help')"
    _error(message)
    return code


def run(app: typer.Typer) -> int:
    """Run the app as the console script does; the process exit code."""
    debug = "--debug" in sys.argv or os.environ.get("TOKOPS_DEBUG") == "1"
    if "--debug" in sys.argv:
        sys.argv.remove("--debug")
    try:
        result = app(standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        _err.print("aborted")
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        _err.print("interrupted: what was done is kept; run the same command again to resume")
        return EXIT_INTERRUPTED
    except TokopsError as exc:
        if debug:
            raise
        _error(exc.worded(flag_of) if isinstance(exc, OptionError) else str(exc))
        return 1
    except _click_errors() as exc:
        return _show_usage_error(exc)
    except BrokenPipeError:  # ``tokops … | head``: the reader left, nothing to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - flushed at exit, never closed
        return 1
    except OSError as exc:
        if debug:
            raise
        _error(describe_os_error(exc))
        return 1
    except Exception as exc:
        if debug:
            raise
        first = (str(exc).splitlines() or [""])[0][:300]
        _error(
            f"unexpected {type(exc).__name__}: {first} — this is a bug in tokops; "
            "run again with --debug to see the traceback and report it"
        )
        return 1
    # click returns the exit code of ``raise typer.Exit(code)`` instead of raising it
    return result if isinstance(result, int) else 0

"""Progress bars on stderr (stdout stays for ``--json``), for the commands that show progress.

:func:`reporting` gives a command the library reporter to pass on: a live bar on a terminal, the
library's silent reporter in a pipe or a log (no bar, nor its blank line) or when asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn

__all__ = ["ERR", "progress_bar", "reporting"]

ERR = Console(stderr=True)

_Reporter = TypeVar("_Reporter")


def progress_bar(*extra: ProgressColumn) -> Progress:
    """A transient bar on stderr: the task's description, the bar, done of total, the task's
    ``detail`` field, then *extra* columns."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        *extra,
        console=ERR,
        transient=True,
    )


@contextmanager
def reporting(
    quiet: Callable[[], _Reporter],
    live: Callable[[Progress], _Reporter],
    *,
    enabled: bool,
    extra: tuple[ProgressColumn, ...] = (),
) -> Iterator[_Reporter]:
    """``live(bar)`` when *enabled* and stderr is a terminal, else ``quiet()``; the bar is
    stopped on the way out, whatever happened."""
    if not enabled or not ERR.is_terminal:
        yield quiet()
        return
    bar = progress_bar(*extra)
    try:
        yield live(bar)
    finally:
        bar.stop()

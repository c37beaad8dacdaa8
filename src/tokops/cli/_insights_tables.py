"""Tables of the insights commands that fit the terminal without cutting a value (issue 9 §4).

Rich shrinks a table wider than the terminal by cutting cells with ``…``. Here every column
says whether its text may wrap (names, reasons) and how early it may be dropped; columns are
dropped, least important first, until the rest fits at their natural width, so numbers, IDs and
KPI names are never cut (a wrapping column is never narrower than its longest word, so an ID
stays whole; cells are plain text, never rich markup). What was left out is said under the
table; ``--format json`` keeps every column. When even the columns that are never dropped do not
fit, each row becomes a block of ``column value`` lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["Col", "fit_table"]

_WRAP_MIN = 12
"""Narrowest a wrapping column is made (its longest word if longer)."""


@dataclass(frozen=True, slots=True)
class Col:
    """A column: header, alignment, whether its text may wrap, and its drop order.

    ``drop`` 0 keeps the column at any width; among the others the highest goes first.
    """

    header: str
    justify: str = "right"
    wrap: bool = False
    drop: int = 0


def _widths(cells: Sequence[str], header: str, wrap: bool) -> tuple[int, int]:
    """(narrowest, natural) width of a column: a wrapping one down to its longest word."""
    lines = [line for cell in (*cells, header) for line in cell.split("\n")]
    natural = max((len(x) for x in lines), default=1)
    if not wrap:
        return natural, natural
    longest_word = max((len(w) for x in lines for w in x.split()), default=1)
    return min(natural, max(longest_word, _WRAP_MIN)), natural


def fit_table(
    title: str,
    cols: Sequence[Col],
    rows: Sequence[Sequence[str]],
    *,
    width: int | None = None,
    sections: Sequence[int] = (),
) -> Table:
    """A rich table of *rows* that fits *width* (the terminal's by default) uncut.

    *sections* are row indexes before which a separator line is drawn.
    """
    width = width or Console().width
    bounds = [_widths([r[i] for r in rows], c.header, c.wrap) for i, c in enumerate(cols)]
    widths = [low for low, _ in bounds]
    keep = list(range(len(cols)))

    def total() -> int:
        return sum(widths[i] + 3 for i in keep) + 1

    dropped: list[str] = []
    while total() > width:
        candidates = [i for i in keep if cols[i].drop > 0]
        if not candidates:
            break
        worst = max(candidates, key=lambda i: (cols[i].drop, i))
        keep.remove(worst)
        dropped.append(cols[worst].header.replace("\n", " "))
    if total() > width:  # even the essential columns do not fit: one block per row instead
        return _stacked(title, cols, rows)
    spare = width - total()
    for i in keep:  # wrapping columns take the room left, up to their natural width
        grow = min(max(spare, 0), bounds[i][1] - widths[i])
        widths[i] += grow
        spare -= grow
    out = Table(title=escape(title))
    if dropped:
        out.caption = f"left out at this width: {', '.join(dropped)} (--format json has all)"
    for i in keep:
        c = cols[i]
        out.add_column(
            c.header,
            justify=c.justify,  # type: ignore[arg-type]
            no_wrap=not c.wrap,
            overflow="fold",
            min_width=widths[i],
            max_width=widths[i],
        )
    for n, row in enumerate(rows):
        if n in sections:
            out.add_section()
        out.add_row(*(escape(row[i]) for i in keep))
    return out


def _stacked(title: str, cols: Sequence[Col], rows: Sequence[Sequence[str]]) -> Table:
    """Every row as a block of ``column  value`` lines (for very narrow terminals)."""
    out = Table(title=escape(title), show_header=False)
    out.add_column("", justify="left", no_wrap=True)
    out.add_column("", justify="left", overflow="fold")
    for n, row in enumerate(rows):
        if n:
            out.add_section()
        for c, value in zip(cols, row, strict=True):
            out.add_row(escape(c.header.replace("\n", " ")), escape(value))
    return out

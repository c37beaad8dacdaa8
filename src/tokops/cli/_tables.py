"""Tables a person can read at any terminal width: nothing becomes ``…`` (issue 9 §4).

Rich shrinks a table that is wider than the terminal and cuts what does not fit with an
ellipsis: a spend of ``1,234,567`` may print as ``1,23…``, an ad id or a KPI name a user must
type loses its end. :func:`print_table` applies one policy instead, for every command:

- a value that is one word (a number, an id, a date, a KPI name) or a number with its unit
  (``4.03 %``, ``1,234 JPY``) is never wrapped nor cut: its column is at least that wide
  (headers may wrap between words);
- a column of text (names, descriptions) wraps between words; a word longer than
  :data:`FOLD_AT` characters folds onto the next line, whole, never cut;
- the room the terminal lacks is taken from the widest columns that can give it (text first);
- when the columns still do not fit, the table is split into several tables that each repeat
  the key columns (the first *keys* columns: a campaign, a stream …) with as many of the other
  columns as fit, in order: every value is printed;
- when not even one column fits beside the keys, each row is printed as ``column: value``
  lines.

Commands that know which of their columns matter less build their table with
:func:`table_of`: columns marked droppable are left out (least important first, and said in the
caption) before a table would have to be split.

``--format json|csv`` stays the way for machines; this is only how the table mode looks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.errors import MarkupError
from rich.table import Column, Table
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import JustifyMethod

__all__ = ["FOLD_AT", "Col", "fit_table", "print_table", "table_of"]

FOLD_AT = 24
"""A word of a text column longer than this folds (whole, onto the next line)."""


def print_table(console: Console, table: Table, *, keys: int = 1) -> None:
    """Print *table* on *console* so that it fits the console's width (see the module doc)."""
    for part in fit_table(table, console.width, keys=keys):
        console.print(part)


def fit_table(table: Table, width: int, *, keys: int = 1) -> list[RenderableType]:
    """The renderables that show every value of *table* within *width* columns."""
    columns = table.columns
    if not columns:
        return [table]
    sizes = [_size(column) for column in columns]
    if _width(table, [s.natural for s in sizes]) <= width:
        return [table]
    if _width(table, [s.need for s in sizes]) <= width:
        _squeeze(table, sizes, width)
        return [table]
    keys = max(0, min(keys, len(columns) - 1))
    key_ids = list(range(keys))
    chunks: list[list[int]] = []
    current: list[int] = []
    for index in range(keys, len(columns)):
        if _width(table, [sizes[i].need for i in [*key_ids, *current, index]]) <= width:
            current.append(index)
            continue
        if not current:  # this column alone does not fit beside the keys
            return [_records(table)]
        chunks.append(current)
        current = [index]
    if current:
        if _width(table, [sizes[i].need for i in [*key_ids, *current]]) > width:
            return [_records(table)]
        chunks.append(current)
    parts: list[RenderableType] = []
    for number, chunk in enumerate(chunks):
        title = table.title
        if number and title is not None:
            title = Text.assemble(_plain(title), " (continued)")
        indexes = [*key_ids, *chunk]
        part = _subtable(table, indexes, title)
        _squeeze(part, [sizes[i] for i in indexes], width)
        parts.append(part)
    return parts


@dataclass(frozen=True, slots=True)
class Col:
    """A column of :func:`table_of`: header, alignment, whether its text may wrap, and its drop
    order (0 keeps it at any width; among the others the highest goes first)."""

    header: str
    justify: JustifyMethod = "right"
    wrap: bool = False
    drop: int = 0


def table_of(
    title: str,
    cols: Sequence[Col],
    rows: Sequence[Sequence[str]],
    *,
    width: int | None = None,
    sections: Sequence[int] = (),
) -> Table:
    """A table of plain-text *rows* (never rich markup) for :func:`print_table`: while it cannot
    fit *width* (the terminal's by default) even at its narrowest, the droppable column with the
    highest ``drop`` is left out; the caption names what was. *sections* are row indexes before
    which a separator line is drawn."""
    full = Table(title=Text(title))
    for c in cols:
        full.add_column(c.header, justify=c.justify, no_wrap=not c.wrap)
    for n, row in enumerate(rows):
        if n in sections:
            full.add_section()
        full.add_row(*(Text(cell) for cell in row))
    width = width or Console().width
    needs = [_size(column).need for column in full.columns]
    keep = list(range(len(cols)))
    dropped: list[str] = []
    while _width(full, [needs[i] for i in keep]) > width:
        candidates = [i for i in keep if cols[i].drop > 0]
        if not candidates:
            break
        worst = max(candidates, key=lambda i: (cols[i].drop, i))
        keep.remove(worst)
        dropped.append(cols[worst].header.replace("\n", " "))
    if not dropped:
        return full
    out = _subtable(full, keep, full.title)
    out.caption = f"left out at this width: {', '.join(dropped)} (--format json has all)"
    return out


# -- measuring --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Size:
    need: int
    """Narrowest width that shows every value whole (see the module doc)."""
    natural: int
    """Width of the longest line (header included): no wrapping at all."""


def _plain(cell: object) -> str:
    if isinstance(cell, Text):
        return cell.plain
    if isinstance(cell, str):
        return _text(cell).plain
    return ""  # another renderable: rich measures it itself


def _text(markup: str) -> Text:
    try:
        return Text.from_markup(markup)
    except MarkupError:
        return Text(markup)


_NUMBER_AND_UNIT = re.compile(r"^(\S*\d\S*\s+\S{1,4}|\S{1,4}\s+\S*\d\S*)$")
"""``4.03 %``, ``1,234 JPY``, ``JPY 1,234``: a value with its unit, kept on one line."""


def _line_need(line: str) -> int:
    """Narrowest width that shows *line* without cutting a value: all of it when it is one
    word or a number with its unit, else its longest word (at most :data:`FOLD_AT`)."""
    if len(line.split()) <= 1 or _NUMBER_AND_UNIT.match(line):
        return cell_len(line)
    return min(FOLD_AT, max(cell_len(word) for word in line.split()))


def _size(column: Column) -> _Size:
    """How narrow and how wide *column* may be; it folds rather than ending in ``…``."""
    lines = [line.strip() for cell in column.cells for line in _plain(cell).splitlines()]
    header = _plain(column.header).split()
    column.overflow = "fold"
    natural = max([cell_len(line) for line in lines] + [cell_len(" ".join(header)), 1])
    header_need = min(FOLD_AT, max([cell_len(word) for word in header] + [1]))
    if column.no_wrap:  # a column that must not wrap is as wide as its longest line
        return _Size(natural, natural)
    need = max([_line_need(line) for line in lines] + [header_need])
    return _Size(need, max(need, natural))


def _squeeze(table: Table, sizes: Sequence[_Size], width: int) -> None:
    """Fix each column's width: natural widths, minus what the terminal lacks, taken from the
    widest columns that are wider than they need to be."""
    widths = [s.natural for s in sizes]
    while _width(table, widths) > width:
        slack = [(w, i) for i, (w, s) in enumerate(zip(widths, sizes, strict=True)) if w > s.need]
        if not slack:
            break
        widths[max(slack)[1]] -= 1
    for column, w in zip(table.columns, widths, strict=True):
        column.width = w


def _width(table: Table, widths: Sequence[int]) -> int:
    """Width of a table of columns this wide: content, padding, separators and edges."""
    left, right = _horizontal_padding(table)
    total = sum(w + left + right for w in widths)
    if table.box is not None:
        total += len(widths) - 1 + (2 if table.show_edge else 0)
    return total


def _horizontal_padding(table: Table) -> tuple[int, int]:
    padding = table.padding
    if len(padding) == 4:
        return padding[3], padding[1]
    return (padding[1], padding[1]) if len(padding) == 2 else (padding[0], padding[0])


# -- building ---------------------------------------------------------------------------------
def _like(table: Table, title: str | Text | None, **changes: object) -> Table:
    """An empty table drawn like *table*."""
    options: dict[str, object] = {
        "title": title,
        "caption": table.caption,
        "box": table.box,
        "show_header": table.show_header,
        "show_edge": table.show_edge,
        "show_lines": table.show_lines,
        "title_justify": table.title_justify,
        "header_style": table.header_style,
        "border_style": table.border_style,
        "title_style": table.title_style,
        "padding": table.padding,
        "pad_edge": table.pad_edge,
        "leading": table.leading,
    }
    options.update(changes)
    return Table(**options)  # type: ignore[arg-type]


def _subtable(table: Table, indexes: Sequence[int], title: str | Text | None) -> Table:
    out = _like(table, title)
    for i in indexes:
        col = table.columns[i]
        out.add_column(
            col.header,
            justify=col.justify,
            style=col.style,
            header_style=col.header_style,
            no_wrap=col.no_wrap,
            overflow=col.overflow,
        )
    cells = [list(col.cells) for col in table.columns]
    for r, row in enumerate(table.rows):
        out.add_row(*(cells[i][r] for i in indexes), style=row.style, end_section=row.end_section)
    return out


def _records(table: Table) -> Table:
    """Each row as ``column: value`` lines (the value goes to the next line when both do not
    fit), rows separated by a rule."""
    out = _like(table, table.title, show_header=False)
    out.add_column("record", overflow="fold")
    names = [_plain(col.header) for col in table.columns]
    cells = [list(col.cells) for col in table.columns]
    for r in range(table.row_count):
        for i, name in enumerate(names):
            value = cells[i][r]
            shown = value if isinstance(value, Text) else _text(str(value))
            out.add_row(
                Text.assemble((f"{name}:", "bold"), " ", shown), end_section=i == len(names) - 1
            )
    return out

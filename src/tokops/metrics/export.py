"""A KPI roll-up as JSON-ready records, CSV text or display strings (the library never prints).

Serialisation rules (``tokops kpi --format json|csv``):

- **money** is a string with exactly two decimals (``"1234.50"``), rounded half-even from the
  exact Decimal, so no amount ever goes through a binary float;
- **percent** (rates as TikTok shows them: ``ctr`` 1.25 means 1.25 %), **ratio** (ROAS,
  frequency) and **seconds** are JSON numbers rounded to 4 decimals;
- **counts** are integers, dates ISO ``YYYY-MM-DD``, ``None`` is ``null`` (an empty CSV cell);
- **names** (``campaign_name`` … beside their IDs, :mod:`.names`) are text someone typed into
  an ad account, so never trusted: JSON keeps them as they are (JSON escapes them); a CSV
  cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return) gets a leading ``'``; on screen (:func:`display_value`) control
  characters and bidirectional overrides are shown as escapes (``\\x1b``, ``\\u202e``) so a
  name cannot move the cursor, recolour the terminal or reorder what follows it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Final, cast

from tokops.metrics.catalogue import format_value
from tokops.metrics.compute import KpiTable
from tokops.metrics.measures import Unit

__all__ = ["csv_safe", "display_value", "printable", "to_csv", "to_records"]

_CENT = Decimal("0.01")
_FOUR = Decimal("0.0001")


#: Characters a spreadsheet reads as the start of a formula (CSV injection).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
#: Bidirectional embedding/override/isolate controls and line/paragraph separators.
_INVISIBLE: Final = frozenset("\u061c\u200e\u200f\u2028\u2029") | frozenset(
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """*text* safe to print on a terminal: control characters (C0, DEL, C1) and bidirectional
    controls become visible escapes such as ``\\x1b``; everything else is kept."""
    if text.isprintable():
        return text
    return "".join(
        _escape(c) if c in _INVISIBLE or unicodedata.category(c) == "Cc" else c for c in text
    )


def csv_safe(text: str) -> str:
    """*text* as a CSV cell a spreadsheet shows as text (a leading ``'`` before a formula)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _json_value(value: Any, unit: str) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if unit == "money":
        return str(Decimal(value).quantize(_CENT, ROUND_HALF_EVEN))
    if unit in ("percent", "ratio", "seconds"):
        return float(Decimal(value).quantize(_FOUR, ROUND_HALF_EVEN))
    if unit == "count" and isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def to_records(table: KpiTable) -> list[dict[str, Any]]:
    """One JSON-ready object per group: the group columns, then each KPI by catalogue name."""
    units = table.units
    return [{c: _json_value(row.get(c), u) for c, u in units.items()} for row in table.rows]


def to_csv(table: KpiTable) -> str:
    """CSV with a header row (same values as :func:`to_records`)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    units = table.units
    writer.writerow(list(units))
    names = {c for c, u in units.items() if u == "name"}
    for record in to_records(table):
        writer.writerow(
            [
                "" if record[c] is None else csv_safe(record[c]) if c in names else record[c]
                for c in units
            ]
        )
    return buf.getvalue()


def display_value(value: Any, unit: str, currency: str | None = None) -> str:
    """A short human form, the catalogue's (:func:`~tokops.metrics.catalogue.format_value`):
    ``1,234``, ``12.35`` (money in *currency*'s minor units: ``1,235`` for JPY), ``1.25%``,
    ``3.20x``, ``4.1s``; ``-`` for None."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date) or unit in ("key", "name"):
        return printable(str(value))
    if unit in ("money", "percent", "ratio", "seconds", "count"):
        return format_value(cast(Unit, unit), value, currency)
    return f"{Decimal(value):,.0f}"

"""A KPI roll-up as JSON-ready records, CSV text or display strings (the library never prints).

Serialisation rules (``tokops kpi --format json|csv``):

- **money** is a string with exactly two decimals (``"1234.50"``), rounded half-even from the
  exact Decimal, so no amount ever goes through a binary float;
- **percent** (rates as TikTok shows them: ``ctr`` 1.25 means 1.25 %), **ratio** (ROAS,
  frequency) and **seconds** are JSON numbers rounded to 4 decimals;
- **counts** are integers, dates ISO ``YYYY-MM-DD``, ``None`` is ``null`` (an empty CSV cell).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from tokops.metrics.compute import KpiTable

__all__ = ["display_value", "to_csv", "to_records"]

_CENT = Decimal("0.01")
_FOUR = Decimal("0.0001")


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
    for record in to_records(table):
        writer.writerow(["" if record[c] is None else record[c] for c in units])
    return buf.getvalue()


def display_value(value: Any, unit: str) -> str:
    """A short human form: ``1,234``, ``12.35``, ``1.25%``, ``3.20x``, ``4.1s``; ``-`` for None."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date) or unit == "key":
        return str(value)
    number = Decimal(value)
    if unit == "money":
        return f"{number.quantize(_CENT, ROUND_HALF_EVEN):,}"
    if unit == "percent":
        return f"{number:.2f}%"
    if unit == "ratio":
        return f"{number:.2f}x"
    if unit == "seconds":
        return f"{number:.1f}s"
    return f"{number:,.0f}"

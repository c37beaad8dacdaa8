"""Tables built from column specs (the insights commands) fit the terminal without cutting a
value, leaving out the least important columns first (issue 9 §4)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tokops.cli._tables import Col, print_table, table_of

ROWS = [
    [
        "FR Web Conversions 01\n1777886453003802747",
        "explore: slope too uncertain (se 0.91)",
        "90",
        "1,234,567.89",
        "2,469,135.78",
        "0.67",
        "12,345.67",
        "[ctr]",
    ],
    ["JP Reach 04\n1706674643355259561", "fitted", "24", "33,559", "30,672", "1.00", "-", "x"],
]
COLS = [
    Col("campaign", "left", wrap=True),
    Col("role", "left", wrap=True),
    Col("days", drop=2),
    Col("current"),
    Col("recommended"),
    Col("b", drop=1),
    Col("marginal CPA", drop=3),
    Col("kpi", "left", drop=4),
]


def render(width: int) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None)
    print_table(console, table_of("t", COLS, ROWS, width=width))
    return buf.getvalue()


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_values_are_never_cut(width: int) -> None:
    out = render(width)
    assert "…" not in out
    assert all(len(line) <= width for line in out.splitlines())
    for value in ("1777886453003802747", "1706674643355259561", "1,234,567.89", "2,469,135.78"):
        assert value in out, (width, value)  # IDs and numbers whole, on one line


def test_columns_are_dropped_least_important_first_and_said() -> None:
    wide, narrow = render(200), render(80)
    assert "marginal CPA" in wide and "[ctr]" in wide  # a cell is text, not rich markup
    assert "left out" not in wide
    assert "marginal CPA" not in narrow.split("left out")[0]
    assert "left out at this width: kpi, marginal CPA" in narrow
    assert "recommended" in narrow and "current" in narrow  # never dropped

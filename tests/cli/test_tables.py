"""Tables at 80 and 120 columns: nothing becomes ``…``, every value is printed (issue 9 §4)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.table import Table

from tokops.cli._tables import FOLD_AT, fit_table, print_table

NAME = "Summer sale — retargeting broad audience women 25-34 (Spark Ads, lookalike 3%)"
LONG_WORD = "x" * (FOLD_AT + 10)


def _console(width: int) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=width, color_system=None, legacy_windows=False), out


def _kpi_like(rows: int = 4) -> tuple[Table, list[list[str]]]:
    """A wide table as ``tokops kpi --by campaign`` prints: ids, a name, money and rates."""
    headers = ["campaign_id", "campaign_name", "spend", "impressions", "clicks", "ctr",
               "cpc", "conversions", "cvr", "cpa", "roas", "purchase_value",
               "video_views_p100"]  # fmt: skip
    table = Table(title="KPIs from campaign_daily")
    for h in headers:
        table.add_column(h, justify="left" if h.startswith("campaign") else "right")
    data = []
    for i in range(rows):
        row = [f"17{i}6654800557423763", NAME, f"{4_036_011.86 + i:,.2f}", f"{98_765_432 + i:,}",
               f"{123_456 + i:,}", f"{1.25 + i:.2f}%", f"{285.81 + i:.2f}", f"{12_345 + i:,}",
               f"{0.01 + i:.2f}%", f"{1_081.00 + i:,.2f}", f"{3.45 + i:.2f}",
               f"{9_259_256.12 + i:,.2f}", f"{5_990_999 + i:,}"]  # fmt: skip
        table.add_row(*row)
        data.append(row)
    return table, data


@pytest.mark.parametrize("width", [80, 120])
def test_wide_table_keeps_every_value_whole(width: int) -> None:
    table, data = _kpi_like()
    console, out = _console(width)
    print_table(console, table)
    text = out.getvalue()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width
    for row in data:
        campaign_id, name, *numbers = row
        assert campaign_id in text
        for number in numbers:
            assert number in text, number
        for word in name.split():  # the name wraps between words, each word whole
            assert word in text, word


def test_the_same_table_with_rich_alone_cuts_values() -> None:
    """The problem this module solves: rich's default squeezes values into ``…`` at 80."""
    table, _ = _kpi_like()
    console, out = _console(80)
    console.print(table)
    assert "…" in out.getvalue()


def test_split_tables_repeat_the_key_columns() -> None:
    table, data = _kpi_like(rows=2)
    parts = fit_table(table, 80, keys=1)
    assert len(parts) > 1
    for part in parts:
        assert isinstance(part, Table)
        assert part.columns[0].header == "campaign_id"
        assert list(part.columns[0].cells) == [row[0] for row in data]
    headers = [c.header for p in parts if isinstance(p, Table) for c in p.columns[1:]]
    assert headers == [c.header for c in table.columns[1:]]  # every column once, in order


def test_a_table_that_fits_is_printed_as_it_is() -> None:
    table = Table(title="small")
    table.add_column("stream")
    table.add_column("rows", justify="right")
    table.add_row("ad_daily", "1,234")
    assert fit_table(table, 80) == [table]


def test_very_narrow_terminal_prints_rows_as_records() -> None:
    table, data = _kpi_like(rows=2)
    console, out = _console(30)
    print_table(console, table)
    text = out.getvalue()
    assert "…" not in text
    for row in data:
        assert row[0] in text and row[2] in text and row[-1] in text
    assert "purchase_value" in text  # column names label the values


def test_a_long_word_folds_whole_instead_of_ending_in_an_ellipsis() -> None:
    table = Table()
    table.add_column("id")
    table.add_column("note")
    table.add_row("7100000000000000001", f"see {LONG_WORD} and more words to make it wrap " * 3)
    console, out = _console(80)
    print_table(console, table)
    text = out.getvalue()
    assert "…" not in text and "7100000000000000001" in text
    flat = "".join(line.strip("│┃ ") for line in text.splitlines())
    assert LONG_WORD[:FOLD_AT] in flat


@pytest.mark.parametrize("width", [80, 120])
def test_kpi_list_shows_every_kpi_name_whole(width: int) -> None:
    """``tokops kpi --list``: the names a user types into ``--kpi`` are never cut."""
    from tokops.cli.kpi import render_catalogue
    from tokops.metrics.catalogue import CATALOGUE

    console, out = _console(width)
    render_catalogue(console, "table")
    text = out.getvalue()
    assert "…" not in text
    for name in CATALOGUE:
        assert f" {name} " in text, name


def test_a_number_keeps_its_unit_on_its_line() -> None:
    """``4.03 %`` or ``1,234 JPY`` is one value: never split between the number and the unit."""
    table = Table(title="Saturation")
    for header in ("key", "status", "posts", "prev posts", "ER now", "peak", "peak ER", "trend"):
        table.add_column(header)
    values = [f"{4.03 + i:.2f} %" for i in range(3)]
    for i, value in enumerate(values):
        table.add_row("behind_the_scenes", "insufficient", "12", "10", value, "2026-11-03",
                      f"{1_234 + i:,} JPY", "falling")  # fmt: skip
    console, out = _console(80)
    print_table(console, table)
    text = out.getvalue()
    for i, value in enumerate(values):
        assert value in text and f"{1_234 + i:,} JPY" in text

"""Serialising and displaying roll-up values: names are data, never markup or commands."""

from __future__ import annotations

from tokops.metrics.export import csv_safe, display_value, printable


def test_printable_escapes_terminal_controls_and_keeps_text() -> None:
    assert printable("Maison Lumière — FR 🕯️") == "Maison Lumière — FR 🕯️"
    assert printable("キャンドル\u3000春") == "キャンドル\u3000春"  # ideographic space stays
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("x\ny\tz\x7f\x9b") == "x\\x0ay\\x09z\\x7f\\x9b"
    assert printable("abc\u202edcba") == "abc\\u202edcba"  # right-to-left override
    assert printable("👩\u200d💻") == "👩\u200d💻"  # zero-width joiner of an emoji stays
    assert display_value("[red]x\x1b]0;title\x07", "name") == "[red]x\\x1b]0;title\\x07"


def test_csv_safe_defuses_formula_starts_only() -> None:
    for hostile in ("=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert csv_safe(hostile) == "'" + hostile
    assert csv_safe("Spring = sale") == "Spring = sale"
    assert csv_safe("") == ""


def test_money_is_shown_in_the_currencys_minor_units() -> None:
    """Issue 9 §4: one format per unit in every command; JPY has no minor unit."""
    from decimal import Decimal

    assert display_value(Decimal("5857758.4"), "money", "JPY") == "5,857,758"
    assert display_value(Decimal("80421.525"), "money", "EUR") == "80,421.52"
    assert display_value(Decimal("1.2345"), "money", "KWD") == "1.234"
    assert display_value(Decimal("1.03"), "percent") == "1.03%"
    assert display_value(None, "money", "JPY") == "-"

"""Declared formats (issue 9 §5): time patterns, zone offsets, number locales (EVT-1, EVT-4)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tokops.activate.formats import (
    check_timezone,
    compile_time_format,
    decimal_mark,
    zone_offsets,
)
from tokops.errors import ConfigError


@pytest.mark.parametrize(
    ("fmt", "text", "fields"),
    [
        ("%m/%d/%Y %I:%M %p", "12/05/2026 2:32 PM", {"mo": "12", "d": "05", "h12": "2"}),
        ("%d.%m.%y %H:%M", "05.12.26 14:32", {"d": "05", "mo": "12", "y2": "26"}),
        ("%d %b %Y", "05 Dec 2026", {"mon": "Dec", "y": "2026"}),
        ("%Y-%m-%dT%H:%M:%S%z", "2026-12-05T14:32:00+01:00", {"tz": "+01:00"}),
        ("day-first", "05/12/2026 14:32", {"d": "05", "mo": "12", "h": "14"}),
        ("month-first", "12/05/2026 2:32 pm", {"mo": "12", "d": "05", "ampm": "pm"}),
    ],
)
def test_time_format_pattern_captures_the_parts(
    fmt: str, text: str, fields: dict[str, str]
) -> None:
    compiled = compile_time_format(fmt)
    assert compiled is not None
    match = re.fullmatch(compiled.pattern, text)
    assert match is not None
    for part, value in fields.items():
        assert match.group(compiled.groups[part]) == value


def test_iso_is_the_default_parser() -> None:
    assert compile_time_format("iso") is None


@pytest.mark.parametrize(
    "fmt", ["%Q/%d/%Y", "%m/%d", "%I:%M %m/%d/%Y", "tomorrow", "%Y-%m-%d %", "%d/%d/%m/%Y"]
)
def test_bad_time_formats_are_config_errors(fmt: str) -> None:
    with pytest.raises(ConfigError):
        compile_time_format(fmt)


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Australia/Lord_Howe"])
def test_zone_offsets_match_zoneinfo_around_every_change(zone: str) -> None:
    """Every quarter hour of a year of local times converts as ``zoneinfo`` with fold=0."""
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
    offsets = zone_offsets(zone, start, end)
    assert offsets.changes  # these zones change their offset in 2026
    tz = ZoneInfo(zone)
    for threshold, _ in offsets.changes:
        for delta in range(-4 * 3600, 4 * 3600, 900):
            local = threshold + delta
            naive = datetime(1970, 1, 1) + timedelta(seconds=local)
            expected = int(naive.replace(tzinfo=tz).timestamp())
            assert local - offsets.offset_at_local(local) == expected, naive


def test_unknown_time_zone() -> None:
    assert check_timezone("Europe/Paris") == "Europe/Paris"
    for bad in ("Mars/Olympus", "", " UTC", "../etc/passwd"):
        with pytest.raises(ConfigError):
            check_timezone(bad)


@pytest.mark.parametrize(
    ("locale", "mark"),
    [("en", "."), ("en-US", "."), ("ja", "."), ("fr", ","), ("de_CH", ","), (",", ","), (".", ".")],
)
def test_decimal_mark(locale: str, mark: str) -> None:
    assert decimal_mark(locale) == mark


def test_unknown_locale() -> None:
    with pytest.raises(ConfigError, match="unknown value locale"):
        decimal_mark("xx")

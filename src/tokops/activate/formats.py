"""How a source writes its times and amounts: time formats, time zones, number locales.

Pure Python: this module checks what a mapping file declares and turns it into the small
pieces the engine expressions of :mod:`.normalize` are built from (a regular expression and the
meaning of its groups; a table of UTC offsets; a locale's decimal mark). Nothing per row runs
here (EVT-1, EVT-4).

- **Time formats** (``[formats] event_time_format``): a named style — ``"iso"`` (the default:
  ISO-8601 or unix seconds/milliseconds), ``"day-first"`` (``05/12/2026 14:32``) or
  ``"month-first"`` (``12/05/2026 2:32 PM``) — or a ``strptime`` pattern with the directives
  ``%Y %y %m %d %H %I %M %S %f %p %z %b %B %%`` (``"%m/%d/%Y %I:%M %p"``). A space in the
  pattern matches one or more spaces or tabs; numbers may have one or two digits, as
  ``strptime`` allows; ``%b``/``%B`` are English month names (their first three letters decide);
  ``%f`` (a fraction of a second) is matched and ignored.
- **Time zones** (``[formats] timezone`` or ``[events] timezone`` in ``tokops.toml``): an IANA
  name; times written without a zone are read as local times there. Only the offsets in force
  around the window of accepted event times matter (older or future events are rejected), so
  :func:`zone_offsets` gives the few offset changes in that window, which the engine applies
  with one ``CASE``. Local times that occur twice or never (DST changes) resolve as Python's
  ``zoneinfo`` does with ``fold=0``.
- **Number locales** (``[formats] value_locale``): a language code (``en``, ``fr``, ``de`` …,
  region suffix allowed: ``fr-CA``) that says whether the decimal mark is ``.`` or ``,`` — or
  that mark itself (``value_locale = ","``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

from tokops.config import check_timezone
from tokops.errors import ConfigError

__all__ = [
    "TIME_STYLES",
    "DecimalMark",
    "TimeFormat",
    "ZoneOffsets",
    "check_timezone",
    "compile_time_format",
    "decimal_mark",
    "zone_offsets",
]

TIME_STYLES: Final = ("iso", "day-first", "month-first")

#: Components a time pattern's groups can hold.
Part = Literal["y", "y2", "mo", "mon", "d", "h", "h12", "ampm", "mi", "sec", "tz"]

_MONTHS: Final = tuple("jan feb mar apr may jun jul aug sep oct nov dec".split())
#: Each directive: its regular expression (one capturing group) and the component it holds.
_DIRECTIVES: Final[dict[str, tuple[str, Part | None]]] = {
    "Y": ("([0-9]{4})", "y"),
    "y": ("([0-9]{2})", "y2"),
    "m": ("([0-9]{1,2})", "mo"),
    "d": ("([0-9]{1,2})", "d"),
    "H": ("([0-9]{1,2})", "h"),
    "I": ("([0-9]{1,2})", "h12"),
    "M": ("([0-9]{1,2})", "mi"),
    "S": ("([0-9]{1,2})", "sec"),
    "f": ("[0-9]{1,9}", None),
    "p": ("([AaPp][Mm])", "ampm"),
    "z": ("(Z|z|UTC|[+-][0-9]{2}(?::?[0-9]{2})?)", "tz"),
    "b": ("([A-Za-z]{3,9})", "mon"),
    "B": ("([A-Za-z]{3,9})", "mon"),
}
_ZONE: Final = "(Z|z|UTC|[+-][0-9]{2}(?::?[0-9]{2})?)"
_CLOCK: Final = (
    "(?:[ T]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,][0-9]+)?)?(?: *([AaPp][Mm]))?)?"
)


@dataclass(frozen=True)
class TimeFormat:
    """A compiled time format: a pattern for the engine and what each group holds."""

    source: str
    """As declared (a style name or a strptime pattern)."""
    pattern: str
    """Anchored regular expression (valid in RE2 and PostgreSQL's ARE)."""
    groups: dict[str, int]
    """Component → 1-based group number."""

    @property
    def month_names(self) -> bool:
        return "mon" in self.groups


def compile_time_format(fmt: str) -> TimeFormat | None:
    """The engine form of *fmt*; None for ``"iso"`` (the default parser). Raises
    :class:`ConfigError` for an unknown directive or a pattern without a full date."""
    name = fmt.strip()
    if name.lower() == "iso":
        return None
    if name.lower() in ("day-first", "month-first"):
        first, second = ("d", "mo") if name.lower() == "day-first" else ("mo", "d")
        pattern = f"^([0-9]{{1,2}})[/.-]([0-9]{{1,2}})[/.-]([0-9]{{4}}){_CLOCK} ?{_ZONE}?$"
        style = {first: 1, second: 2, "y": 3, "h": 4, "mi": 5, "sec": 6, "ampm": 7, "tz": 8}
        return TimeFormat(name.lower(), pattern, style)
    if "%" not in fmt:
        styles = ", ".join(TIME_STYLES)
        raise ConfigError(
            f"unknown time format {fmt!r}: use one of {styles} or a strptime pattern such as "
            '"%m/%d/%Y %I:%M %p"'
        )
    out = ["^"]
    groups: dict[str, int] = {}
    n = 0
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%":
            if i + 1 >= len(fmt):
                raise ConfigError(f"time format {fmt!r} ends with a lone %")
            d = fmt[i + 1]
            i += 2
            if d == "%":
                out.append("%")
                continue
            if d not in _DIRECTIVES:
                known = " ".join("%" + k for k in _DIRECTIVES)
                raise ConfigError(f"time format {fmt!r}: %{d} is not supported (known: {known} %%)")
            regex, part = _DIRECTIVES[d]
            if part is not None:
                if part in groups:
                    raise ConfigError(f"time format {fmt!r} gives %{d} twice")
                n += 1  # each directive with a part has exactly one capturing group
                groups[part] = n
            out.append(regex)
            continue
        if ch.isspace():
            while i < len(fmt) and fmt[i].isspace():
                i += 1
            out.append("[ \t]+")
            continue
        out.append(_escape(ch))
        i += 1
    out.append("$")
    has_year = "y" in groups or "y2" in groups
    has_month = "mo" in groups or "mon" in groups
    if not (has_year and has_month and "d" in groups):
        raise ConfigError(f"time format {fmt!r} needs a year, a month and a day (%Y/%y, %m/%b, %d)")
    if "h12" in groups and "ampm" not in groups:
        raise ConfigError(f"time format {fmt!r}: %I (12-hour clock) needs %p (AM/PM)")
    if "h12" in groups and "h" in groups:
        raise ConfigError(f"time format {fmt!r} gives the hour twice (%H and %I)")
    return TimeFormat(fmt, "".join(out), groups)


def _escape(ch: str) -> str:
    if ch.isalnum() or ch in "/:-,_@#'\"" or ord(ch) > 127:
        return ch
    return "\\" + ch if ch in ".^$*+?()[]{}|\\" else f"[{ch}]"


def month_number(name: str) -> int | None:
    """1–12 for an English month name or its first three letters (any case)."""
    low = name.lower()
    for i, month in enumerate(_MONTHS, 1):
        if low[:3] == month:
            return i
    return None


MONTHS: Final = _MONTHS


@dataclass(frozen=True)
class ZoneOffsets:
    """UTC offsets of a zone over a window: ``first`` before the first change, then each
    ``(local_seconds, offset)`` of ``changes`` from that local time on (local = UTC + offset)."""

    zone: str
    first: int
    changes: tuple[tuple[int, int], ...]

    def offset_at_local(self, local: int) -> int:
        """The offset of a naive local time (unix-like seconds of the local wall clock)."""
        offset = self.first
        for threshold, after in self.changes:
            if local >= threshold:
                offset = after
        return offset


def _offset(zone: ZoneInfo, utc_s: int) -> int:
    moment = datetime.fromtimestamp(utc_s, UTC).astimezone(zone)
    delta = moment.utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def zone_offsets(name: str, start: int, end: int) -> ZoneOffsets:
    """The offsets of zone *name* between unix seconds *start* and *end*.

    A change at UTC instant T from offset a to b applies to local times from T + max(a, b):
    local times in a gap (spring forward) or an overlap (fall back) take the earlier offset,
    as ``zoneinfo`` does with ``fold=0``.
    """
    zone = ZoneInfo(check_timezone(name))
    step = 3600
    first = _offset(zone, start)
    changes: list[tuple[int, int]] = []
    current = first
    t = start
    while t < end:
        nxt = min(t + step, end)
        after = _offset(zone, nxt)
        if after != current:
            lo, hi = t, nxt  # offset(lo) == current, offset(hi) == after: find the instant
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(zone, mid) == current:
                    lo = mid
                else:
                    hi = mid
            changes.append((hi + max(current, after), after))
            current = after
        t = nxt
    return ZoneOffsets(name, first, tuple(changes))


def window(now: int, max_age_days: int) -> tuple[int, int]:
    """The unix seconds whose offsets matter for events accepted at *now* (two days' margin
    on each side: a time outside is rejected as too old or in the future anyway)."""
    margin = int(timedelta(days=2).total_seconds())
    return now - max_age_days * 86400 - margin, now + margin


DecimalMark = Literal[".", ","]

#: Languages that write 1,234.50 (decimal point) and 1.234,50 / 1 234,50 (decimal comma).
_POINT: Final = frozenset(
    "en ja zh ko th he hi ms fil tl ga mt sw ta te bn ur my km lo mn si ne pa gu mr kn ml".split()
)
_COMMA: Final = frozenset(
    (
        "fr de es it pt nl ru pl tr sv da fi nb nn no cs sk hu ro el id vi uk bg hr sl sr lt lv "
        "et ca eu gl is be kk az ka hy af sq mk bs"
    ).split()
)


def decimal_mark(locale: str) -> DecimalMark:
    """The decimal mark of a language code (``en`` → ``.``, ``fr`` → ``,``; ``fr-CA``,
    ``de_CH`` … use the language part), or the mark itself (``"."`` or ``","``)."""
    if locale.strip() in (".", ","):
        return "." if locale.strip() == "." else ","
    lang = re.split(r"[-_.@]", locale.strip().lower(), maxsplit=1)[0]
    if lang in _POINT:
        return "."
    if lang in _COMMA:
        return ","
    raise ConfigError(
        f"unknown value locale {locale!r}: a language code such as en (1,234.50) or fr, de, es "
        "(1 234,50 / 1.234,50)"
    )

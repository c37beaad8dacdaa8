"""Python's ``str.strip()`` and ``str.lower()`` as portable SQL building blocks.

The reference hashing (:mod:`tokops.tiktok.hashing`) trims and lower-cases with Python's Unicode
rules. Engines do not: DuckDB's ``TRIM`` removes spaces only, PostgreSQL's ``LOWER`` depends on
the database locale. To give byte-identical hashes on every engine (EVT-4, BYD-2), the sync
rebuilds Python's rules from the running interpreter and expresses them with functions both
DuckDB and PostgreSQL have: ``REGEXP_REPLACE`` (RE2 and POSIX ARE share the subset used here),
``REPLACE`` and ``TRANSLATE``.

- strip: a character class of every code point for which ``str.isspace()`` is true.
- lower: a one-to-one ``TRANSLATE`` table, ``REPLACE`` for the few characters whose lower case is
  longer than one character (U+0130), and the Greek final-sigma rule (``Σ`` becomes ``ς`` at the
  end of a word) as a regular expression over the "cased" and "case-ignorable" classes that
  Python's own ``str.lower`` uses (derived by asking Python, not from a table of our own).

Everything is computed once per process and cached; building takes ~1–2 s of CPU, so the
result is also kept in a small JSON file (``$TOKOPS_CACHE_DIR``, else ``$XDG_CACHE_HOME/tokops``,
else ``~/.cache/tokops``) keyed by the interpreter's Unicode database version and
:data:`RULES_VERSION`. A missing, unreadable or stale file is simply rebuilt (and rewritten when
the directory is writable), so the cache can never change the rules, only skip their derivation.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

__all__ = ["RULES_VERSION", "TextRules", "build_text_rules", "char_class", "text_rules"]

RULES_VERSION: Final = 1
"""Bump when the way the rules are derived changes (invalidates cached files)."""
_CAPITAL_SIGMA = "\u03a3"
_FINAL_SIGMA = "\u03c2"
_BRACKET_SPECIAL = frozenset("\\]^-[")


def _ranges(code_points: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for cp in sorted(code_points):
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


def _escape(cp: int) -> str:
    ch = chr(cp)
    return "\\" + ch if ch in _BRACKET_SPECIAL else ch


def char_class(code_points: Iterable[int], *, negate: bool = False) -> str:
    """A bracket expression valid in both RE2 (DuckDB) and POSIX ARE (PostgreSQL).

    Characters are written literally (both engines read UTF-8 patterns); the bracket
    metacharacters are backslash-escaped, which both dialects accept inside brackets.
    NUL is never included (PostgreSQL text cannot hold it).
    """
    parts = []
    for lo, hi in _ranges(cp for cp in code_points if cp != 0):
        if lo == hi:
            parts.append(_escape(lo))
        elif hi == lo + 1:
            parts.append(_escape(lo) + _escape(hi))
        else:
            parts.append(f"{_escape(lo)}-{_escape(hi)}")
    return ("[^" if negate else "[") + "".join(parts) + "]"


def _assigned() -> tuple[int, ...]:
    """Code points that can carry case or whitespace properties at all.

    Unassigned (Cn), private-use (Co) and surrogate (Cs) code points have no case mapping, are
    neither cased nor case-ignorable nor whitespace in Python's database, so skipping them keeps
    the rules exact while probing ~7x fewer characters.
    """
    category = unicodedata.category
    return tuple(
        cp for cp in range(sys.maxunicode + 1) if category(chr(cp)) not in ("Cn", "Co", "Cs")
    )


def _all_code_points() -> Iterable[int]:
    return _ASSIGNED_CACHE.setdefault("cps", _assigned())


_ASSIGNED_CACHE: dict[str, tuple[int, ...]] = {}


@dataclass(frozen=True)
class TextRules:
    """Regular expressions and tables that reproduce ``str.strip()`` and ``str.lower()``."""

    whitespace: frozenset[str]
    """Every character ``str.isspace()`` accepts (what ``str.strip()`` removes)."""
    trim_pattern: str
    """``^[ws]+|[ws]+$``: replace globally with ``''`` to strip."""
    ws_class: str
    """The whitespace bracket expression (for patterns such as Python's ``\\s``)."""
    lower_from: str
    """``TRANSLATE`` source characters (one-to-one lower-case mappings, Σ included)."""
    lower_to: str
    """``TRANSLATE`` target characters."""
    lower_multi: tuple[tuple[str, str], ...]
    """Characters whose lower case is longer than one character (``REPLACE`` first)."""
    final_sigma_pattern: str
    """Matches a Σ in Python's Final_Sigma context; replace with ``final_sigma_replacement``."""
    final_sigma_replacement: str


def _sigma_classes() -> tuple[list[int], list[int]]:
    """(cased and not case-ignorable, case-ignorable) code points, as Python's lower sees them.

    For a character c, ``("1" + c + "Σ").lower()`` ends in ``ς`` exactly when c is cased and not
    case-ignorable (a case-ignorable c is skipped and "1" is not cased); ``("A" + c + "Σ")``
    ends in ``ς`` when c is case-ignorable or cased. One ``lower()`` call over a long string
    probes all code points at once ("1" resets the context between probes).
    """
    cps = [cp for cp in _all_code_points() if chr(cp) != "1"]

    def probe(lead: str) -> list[bool]:
        out: list[bool] = []
        for start in range(0, len(cps), 8192):  # chunks keep the probe strings small
            chunk = cps[start : start + 8192]
            text = "".join(lead + chr(cp) + _CAPITAL_SIGMA + "1" for cp in chunk).lower()
            pos = 0
            for cp in chunk:
                pos += len(lead) + len(chr(cp).lower())
                out.append(text[pos] == _FINAL_SIGMA)
                pos += 2  # the sigma and the "1"
        return out

    after_digit = probe("1")
    after_letter = probe("A")
    cased = [cp for cp, flag in zip(cps, after_digit, strict=True) if flag]
    ignorable = [cp for cp, a, b in zip(cps, after_digit, after_letter, strict=True) if b and not a]
    return cased, ignorable


def _cache_path() -> Path | None:
    base = os.environ.get("TOKOPS_CACHE_DIR")
    if base is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        try:
            root = Path(xdg) if xdg else Path.home() / ".cache"
        except RuntimeError:  # no home directory
            return None
        base = str(root / "tokops")
    if not base:
        return None  # TOKOPS_CACHE_DIR="" disables the file cache
    name = (
        f"textrules-v{RULES_VERSION}-unicode{unicodedata.unidata_version}"
        f"-py{sys.version_info[0]}.{sys.version_info[1]}.json"
    )
    return Path(base) / name


def _load(path: Path) -> TextRules | None:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        rules = TextRules(
            whitespace=frozenset(data["whitespace"]),
            trim_pattern=str(data["trim_pattern"]),
            ws_class=str(data["ws_class"]),
            lower_from=str(data["lower_from"]),
            lower_to=str(data["lower_to"]),
            lower_multi=tuple((str(a), str(b)) for a, b in data["lower_multi"]),
            final_sigma_pattern=str(data["final_sigma_pattern"]),
            final_sigma_replacement=str(data["final_sigma_replacement"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    # cheap sanity checks: a damaged file is rebuilt rather than trusted
    if (
        len(rules.lower_from) != len(rules.lower_to)
        or " " not in rules.whitespace
        or "\u3000" not in rules.whitespace
        or rules.lower_from.find("A") < 0
        or rules.lower_to[rules.lower_from.find("A")] != "a"
    ):
        return None
    return rules


def _store(path: Path, rules: TextRules) -> None:
    data = asdict(rules)
    data["whitespace"] = sorted(rules.whitespace)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".textrules-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=True)
            os.replace(tmp, path)  # atomic: readers see the old file or the whole new one
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only or missing cache directory only costs the rebuild next time


@lru_cache(maxsize=1)
def text_rules() -> TextRules:
    """The rules for the running Python's Unicode database (file cache, else :func:`build`)."""
    path = _cache_path()
    if path is not None and (cached := _load(path)) is not None:
        return cached
    rules = build_text_rules()
    if path is not None:
        _store(path, rules)
    return rules


def build_text_rules() -> TextRules:
    """Build the rules for the running Python's Unicode database (~1–2 s; see text_rules)."""
    whitespace = [cp for cp in _all_code_points() if chr(cp).isspace()]
    ws = char_class(whitespace)
    frm: list[str] = []
    to: list[str] = []
    multi: list[tuple[str, str]] = []
    for cp in _all_code_points():
        ch = chr(cp)
        low = ch.lower()
        if low == ch:
            continue
        if len(low) == 1:
            frm.append(ch)
            to.append(low)
        else:
            multi.append((ch, low))
    cased, ignorable = _sigma_classes()
    cased_cls = char_class(cased)
    ign_cls = char_class(ignorable)
    other_cls = char_class(set(cased) | set(ignorable), negate=True)
    pattern = f"({cased_cls}{ign_cls}*){_CAPITAL_SIGMA}({ign_cls}*)({other_cls}|$)"
    _ASSIGNED_CACHE.clear()  # only needed while building
    return TextRules(
        whitespace=frozenset(chr(cp) for cp in whitespace),
        trim_pattern=f"^{ws}+|{ws}+$",
        ws_class=ws,
        lower_from="".join(frm),
        lower_to="".join(to),
        lower_multi=tuple(multi),
        final_sigma_pattern=pattern,
        final_sigma_replacement=f"\\1{_FINAL_SIGMA}\\2\\3",
    )

"""CSV and Parquet files as temporary tables of the store, streamed, with CSV rejects.

CSV is read by DuckDB with every column as text (type problems become row rejections later,
not a failed load). The dialect is fixed from the header line (delimiter among ``, ; TAB |``,
double-quote quoting) instead of being sniffed from the data, because a sniffer guesses wrong
exactly on the broken files users need help with. Lines that cannot be parsed (too many or too
few fields, an unterminated quote, bytes that are not UTF-8) are skipped and returned as
:class:`RejectedLine` — line number and kind of problem only, never the line's content.

An engine that cannot run DuckDB's scans itself (PostgreSQL) gets the file parsed by an
in-process DuckDB and streamed into a temporary table.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tokops.errors import SourceError
from tokops.warehouse.quoting import quote_ident

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.warehouse.store import Store

__all__ = ["CSV_SUFFIXES", "FILE_SUFFIXES", "PARQUET_SUFFIXES", "LoadedFile", "RejectedLine"]

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
FILE_SUFFIXES = CSV_SUFFIXES + PARQUET_SUFFIXES
_DELIMITERS = (",", ";", "\t", "|")
_STREAM_ROWS = 50_000


@dataclass(frozen=True)
class RejectedLine:
    """A CSV line that could not be parsed."""

    line: int
    """Line number in the file (the header is line 1)."""
    problem: str
    """What was wrong, e.g. ``too many columns`` (never the line's content)."""


@dataclass(frozen=True)
class LoadedFile:
    table: ir.Table
    name: str
    rejected: tuple[RejectedLine, ...] = ()


def _literal(value: str) -> str:
    """A SQL string literal for DuckDB's table-function options (file path, names)."""
    if "\x00" in value:
        raise SourceError("file names and column names cannot contain NUL characters")
    return "'" + value.replace("'", "''") + "'"


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(FILE_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _header(path: Path) -> tuple[str, list[str]]:
    """Delimiter and column names from the header (blank and repeated names fixed).

    The delimiter is the most frequent of ``, ; TAB |`` on the first physical line (TAB for
    ``.tsv``); the header record itself is parsed with quoting, so a quoted name may hold the
    delimiter or even a line break.
    """
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as fh:
            first: str = fh.readline(1 << 20)
            if not first.strip():
                raise SourceError(f"{path}: the file is empty or has no header line")
            if _suffix(path).startswith(".tsv"):
                delim = "\t"
            else:
                delim = max(_DELIMITERS, key=first.count)
                if first.count(delim) == 0:
                    delim = ","
            fh.seek(0)
            fields = next(csv.reader(fh, delimiter=delim, quotechar='"'))
    except csv.Error as exc:
        raise SourceError(f"{path}: the header line cannot be parsed ({exc})") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if any("\ufffd" in field for field in fields):
        raise SourceError(f"{path}: the header is not UTF-8 text")
    names: list[str] = []
    seen: set[str] = set()
    for i, field in enumerate(fields, start=1):
        base = field.strip().replace("\x00", "") or f"column{i}"
        name, n = base, 1
        while name.lower() in seen:  # DuckDB column names are case-insensitive
            n += 1
            name = f"{base}_{n}"
        seen.add(name.lower())
        names.append(name)
    return delim, names


def _csv_scan(path: Path, delim: str, names: list[str], rejects: str, scans: str) -> str:
    columns = ", ".join(f"{_literal(n)}: 'VARCHAR'" for n in names)
    return (
        f"SELECT * FROM read_csv({_literal(str(path))}, auto_detect = false, header = true, "
        f"delim = {_literal(delim)}, quote = '\"', escape = '\"', columns = {{{columns}}}, "
        f"store_rejects = true, rejects_table = {_literal(rejects)}, "
        f"rejects_scan = {_literal(scans)})"
    )


_PROBLEMS = {
    "CAST": "a value could not be read",
    "MISSING COLUMNS": "too few columns",
    "TOO MANY COLUMNS": "too many columns",
    "UNQUOTED VALUE": "unterminated or misplaced quote",
    "LINE SIZE OVER MAXIMUM": "line too long",
    "INVALID ENCODING": "not UTF-8 text",
    "INVALID STATE": "malformed quoting",
}


def _collect_rejects(duck: Any, rejects: str, scans: str) -> tuple[RejectedLine, ...]:
    rows = duck.execute(
        f"SELECT line, min(error_type) FROM {quote_ident(rejects)} GROUP BY line ORDER BY line"
    ).fetchall()
    duck.execute(f"DROP TABLE IF EXISTS {quote_ident(rejects)}").fetchall()
    duck.execute(f"DROP TABLE IF EXISTS {quote_ident(scans)}").fetchall()
    return tuple(
        RejectedLine(int(line), _PROBLEMS.get(str(kind), str(kind).lower())) for line, kind in rows
    )


def _stream_in(
    store: Store, scan: str, name: str, rejects: tuple[str, str] | None
) -> tuple[RejectedLine, ...]:
    """Parse with an in-process DuckDB and insert the rows into the temporary table *name*
    (an engine that cannot run DuckDB's scans itself); the CSV rejects, when *rejects* names
    their tables."""
    import duckdb
    import ibis

    duck = duckdb.connect()
    try:
        reader = duck.sql(scan).to_arrow_reader(_STREAM_ROWS)
        store.create_temp_table(name, ibis.Schema.from_pyarrow(reader.schema))
        for batch in reader:
            store.insert(name, batch)
        return _collect_rejects(duck, *rejects) if rejects is not None else ()
    finally:
        duck.close()


def read_file(store: Store, path: Path, name: str) -> LoadedFile:
    """Load *path* as the temporary table (or view) *name* of *store*'s connection."""
    import duckdb

    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if path.is_dir():
        raise SourceError(f"{path}: is a folder, not a file")
    suffix = _suffix(path)
    rejects, scans = store.temp_name("tokops_rejects"), store.temp_name("tokops_scans")
    if suffix in PARQUET_SUFFIXES:
        scan = f"SELECT * FROM read_parquet({_literal(str(path))})"
    elif suffix in CSV_SUFFIXES:
        delim, names = _header(path)
        scan = _csv_scan(path, delim, names, rejects, scans)
    else:
        raise SourceError(f"{path}: unsupported file type (use .csv, .tsv or .parquet)")
    is_csv = suffix in CSV_SUFFIXES
    try:
        duck = store.adapter.scan_file(scan, name, view=not is_csv)
        if duck is not None:  # the engine ran the scan itself
            rejected = _collect_rejects(duck, rejects, scans) if is_csv else ()
        else:
            rejected = _stream_in(store, scan, name, (rejects, scans) if is_csv else None)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceError(f"{path}: cannot be read ({first})") from None
    return LoadedFile(store.con.table(name), name, rejected)

"""Where a sync reads its rows: a table or SQL query in the store, or a CSV/Parquet file (EVT-3).

``SRC`` is read as, in this order:

1. a SQL query when it starts with ``SELECT``, ``WITH``, ``FROM``, ``VALUES`` or ``(`` — the
   user's own SQL, run as they wrote it (through a temporary view) once it is known to be one
   read-only query (:func:`tokops.warehouse.user_sql.read_only_query`: ``select 1; drop table
   events_runs`` is refused, nothing of it runs). A source that starts with another statement's
   keyword (``DROP``, ``ATTACH``, ``COPY`` …) and names no file is refused the same way. The
   run record keeps the query with its literals as ``?`` and its SHA-256, never the literals
   themselves (BYD-4);
2. a file when it ends in ``.csv``, ``.tsv``, ``.txt`` (optionally ``.gz``), ``.parquet`` or
   ``.pq``, or names an existing file — loaded as a temporary table, CSV lines that cannot be
   parsed are kept aside as :attr:`Source.rejected`;
3. a table (or view) of the store, optionally ``schema.table``.

Anything else is a one-line :class:`~tokops.errors.SourceError`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tokops.activate.mapping import MappingProposal, propose_mapping
from tokops.errors import SourceError
from tokops.warehouse.files import FILE_SUFFIXES, RejectedLine
from tokops.warehouse.user_sql import LABEL_MARK, query_label, read_only_query

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.warehouse import Store

__all__ = ["Source", "open_source", "propose_for_source", "redact_recorded_queries"]

_SQL_START = re.compile(r"^\s*(select|with|from|values|\()", re.IGNORECASE)
_STATEMENT_START = re.compile(
    r"^\s*(insert|update|delete|merge|create|drop|alter|truncate|copy|attach|detach|pragma|"
    r"install|load|set|reset|call|vacuum|checkpoint|export|import|use|begin|commit|rollback|"
    r"grant|revoke|explain|describe|show|summarize|do|execute|prepare)\s",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Source:
    table: ir.Table
    label: str
    """What the run record says the source was: the file or table name, or for a query its
    redacted form and fingerprint (:func:`~tokops.warehouse.user_sql.query_label`)."""
    kind: str
    """``query``, ``file`` or ``table``."""
    rejected: tuple[RejectedLine, ...] = ()


def _is_sql(src: str) -> bool:
    return bool(_SQL_START.match(src)) and bool(re.search(r"\s", src.strip()))


def _is_file(src: str) -> bool:
    lowered = src.lower()
    if any(lowered.endswith(s) for s in FILE_SUFFIXES):
        return True
    try:
        return Path(src).is_file()
    except OSError:
        return False


def open_source(store: Store, src: str) -> Source:
    """Resolve *src* (see the module docstring)."""
    if not src or not src.strip():
        raise SourceError("no source given: name a table, a SQL query, or a CSV/Parquet file")
    if _is_sql(src):
        table = store.sql(src)  # refuses anything but one read-only query
        return Source(table, label=query_label(src, store.engine), kind="query")
    if _is_file(src):
        loaded = store.read_file(Path(src))
        return Source(loaded.table, label=src, kind="file", rejected=loaded.rejected)
    if _STATEMENT_START.match(src):
        store.sql(src)  # another statement (DROP …, ATTACH …): refused with the reason
    if store.exists(src):
        return Source(store.table(src), label=src, kind="table")
    if "." in src:
        database, _, name = src.rpartition(".")
        try:
            return Source(store.table(name, database=database), label=src, kind="table")
        except SourceError:
            pass
    raise SourceError(
        f"no table {src!r} in {store.url}, and it is not a file or a SQL query "
        "(CSV/Parquet files need their .csv/.parquet extension)"
    )


def propose_for_source(
    store: Store, src: str, event_source: Literal["web", "offline", "crm"] = "web"
) -> MappingProposal:
    """``tokops events map``: open *src* and propose a mapping for its columns."""
    source = open_source(store, src)
    return propose_mapping(list(source.table.columns), event_source)


def _recorded_label(text: str, engine: str) -> str:
    """The label a query recorded verbatim by an earlier version gets now; a query that no
    longer passes the check keeps only a fingerprint of its raw text."""
    try:
        read_only_query(text, engine)
        return query_label(text, engine)
    except SourceError:
        digest = hashlib.sha256(text.strip().encode("utf-8")).hexdigest()
        return f"(query not kept)  -- sha256:{digest}"


def redact_recorded_queries(store: Store, table: str, column: str = "source") -> int:
    """Rewrite the SQL queries an earlier version recorded verbatim in *table*.*column* (the run
    history) as :func:`~tokops.warehouse.user_sql.query_label` does now; returns how many rows
    changed. Table and file names stay as they are. Cheap: the run table has one row per run."""
    if not store.exists(table):
        return 0
    runs = store.table(table)
    pending = runs.filter(~runs[column].contains(LABEL_MARK)).select("run_id", column)
    rows = store.fetch(pending).to_pylist()
    changed = 0
    for row in rows:
        text = row[column]
        if text and _is_sql(text):
            label = _recorded_label(text, store.engine)
            store.update(table, {column: label}, {"run_id": row["run_id"]})
            changed += 1
    return changed

"""What a merge is, and its SQL, the same on every engine (see :mod:`tokops.warehouse.merge`).

The engine adapters (:mod:`tokops.warehouse.engines`) choose how to stage the rows and which of
these statements to run; the statements themselves only differ by the parameter placeholder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from tokops.errors import WarehouseError
from tokops.warehouse.quoting import quote_ident

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "SEQ",
    "MergeRequest",
    "MergeResult",
    "RowUpsert",
    "Scope",
    "delete_sql",
    "insert_sql",
    "outside_sql",
    "upsert_sql",
    "with_seq",
]

SEQ: Final = "_tokops_seq"
"""The staged rows' order: when a key is staged twice, the last row wins."""


@dataclass(frozen=True)
class Scope:
    """Target rows a merge replaces: ``equals`` on some columns and an inclusive ``between``."""

    equals: Mapping[str, Any] = field(default_factory=dict)
    between: tuple[str, Any, Any] | None = None

    def clause(self, mark: str) -> tuple[str, list[Any]]:
        parts = [f"{quote_ident(k)} = {mark}" for k in self.equals]
        params = list(self.equals.values())
        if self.between is not None:
            col, lo, hi = self.between
            parts.append(f"{quote_ident(col)} BETWEEN {mark} AND {mark}")
            params += [lo, hi]
        if not parts:
            raise WarehouseError("a merge scope needs at least one condition")
        return " AND ".join(parts), params


@dataclass(frozen=True)
class RowUpsert:
    """One row written (replacing the row with the same key) in a merge's transaction."""

    table: str
    key: tuple[str, ...]
    values: Mapping[str, Any]


@dataclass(frozen=True)
class MergeRequest:
    """One :func:`~tokops.warehouse.merge.merge_batches` call, as an adapter receives it."""

    table: str
    batches: Iterable[pa.RecordBatch | pa.Table]
    key: Sequence[str]
    scope: Scope | None
    also: Sequence[RowUpsert]


@dataclass(frozen=True)
class MergeResult:
    inserted: int
    """Rows now in the target for what was staged (duplicates of a key counted once)."""
    deleted: int
    """Rows removed first: replaced keys plus rows of the scope the source no longer has."""


def delete_sql(
    table: str, staging: str | None, key: Sequence[str], scope: Scope | None, mark: str
) -> tuple[str, list[Any]]:
    """Deletes the target rows of *scope* and those whose key is in *staging*."""
    conds: list[str] = []
    params: list[Any] = []
    if scope is not None:
        clause, params = scope.clause(mark)
        conds.append(f"({clause})")
    if staging is not None:
        match = " AND ".join(f"s.{quote_ident(k)} = t.{quote_ident(k)}" for k in key)
        conds.append(f"EXISTS (SELECT 1 FROM {quote_ident(staging)} AS s WHERE {match})")
    where = " OR ".join(conds) if conds else "FALSE"
    return f"DELETE FROM {quote_ident(table)} AS t WHERE {where}", params


def outside_sql(staging: str, scope: Scope, mark: str) -> tuple[str, list[Any]]:
    """Counts staged rows outside *scope*: when there are none, deleting the scope is enough
    (no key lookup against the whole target)."""
    clause, params = scope.clause(mark)
    return f"SELECT count(*) FROM {quote_ident(staging)} WHERE ({clause}) IS NOT TRUE", params


def insert_sql(table: str, staging: str, cols: Sequence[str], key: Sequence[str]) -> str:
    """Inserts the staged rows, the last one (highest :data:`SEQ`) of each key."""
    names = ", ".join(quote_ident(c) for c in cols)
    part = ", ".join(quote_ident(k) for k in key)
    return (
        f"INSERT INTO {quote_ident(table)} ({names}) SELECT {names} FROM ("
        f"SELECT {names}, row_number() OVER (PARTITION BY {part} ORDER BY {quote_ident(SEQ)} DESC)"
        f" AS _tokops_rn FROM {quote_ident(staging)}) AS d WHERE _tokops_rn = 1"
    )


def upsert_sql(upsert: RowUpsert, mark: str) -> list[tuple[str, list[Any]]]:
    """Writes one row: the row with its key deleted, then inserted."""
    where = " AND ".join(f"{quote_ident(k)} = {mark}" for k in upsert.key)
    cols = list(upsert.values)
    names = ", ".join(quote_ident(c) for c in cols)
    marks = ", ".join(mark for _ in cols)
    return [
        (
            f"DELETE FROM {quote_ident(upsert.table)} WHERE {where}",
            [upsert.values[k] for k in upsert.key],
        ),
        (
            f"INSERT INTO {quote_ident(upsert.table)} ({names}) VALUES ({marks})",
            list(upsert.values.values()),
        ),
    ]


def with_seq(batch: pa.RecordBatch | pa.Table, start: int) -> pa.Table:
    """*batch* with the :data:`SEQ` column numbering its rows from *start*."""
    import pyarrow as pa

    table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
    seq = pa.array(range(start, start + table.num_rows), pa.int64())
    return table.append_column(SEQ, seq)

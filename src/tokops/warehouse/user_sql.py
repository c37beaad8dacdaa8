"""The user's own SQL (``--source "SELECT …"``): checked to be one read-only query, and recorded
without its literal values (EVT-3, BYD-4).

:func:`read_only_query` parses the text with SQLGlot in the store's dialect and accepts exactly
one ``SELECT`` / ``WITH … SELECT`` (DuckDB's ``FROM t`` and ``VALUES`` too, and set operations of
them). Anything else is a one-line :class:`~tokops.errors.SourceError`: several statements
(``select 1; drop table events_runs``), DDL or DML (``CREATE``, ``INSERT``, a ``DELETE`` inside a
CTE, ``SELECT … INTO``), ``COPY``, ``ATTACH``, ``PRAGMA``, ``INSTALL`` / ``LOAD``, ``SET`` and
any statement SQLGlot can only read as an opaque command.

:func:`query_label` is what a run record keeps of such a query: string and number literals
replaced by ``?`` (a literal e-mail address in a ``WHERE`` clause never reaches the store) plus
the SHA-256 of the normalised query, so two runs of the same query can still be told apart from
runs of another one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

from tokops.errors import SourceError

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["LABEL_MARK", "QUERY_KINDS", "check_duckdb_query", "query_label", "read_only_query"]

QUERY_KINDS: Final = "one SELECT or WITH … SELECT statement"
LABEL_MARK: Final = "  -- sha256:"
"""What separates a recorded query's redacted text from its fingerprint."""
_DIALECTS: Final = {"duckdb": "duckdb", "postgres": "postgres"}


@contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    """SQLGlot logs a warning quoting the statement when it falls back to an opaque command;
    the user's SQL may hold personal data, so nothing of it goes to the log."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _forbidden() -> tuple[type[exp.Expr], ...]:
    from sqlglot import exp

    names = (
        "DML",  # INSERT, UPDATE, DELETE, MERGE, COPY
        "DDL",  # CREATE …
        "Drop",
        "Alter",
        "Command",  # anything SQLGlot cannot read (LOAD, VACUUM, CALL …)
        "Copy",
        "Attach",
        "Detach",
        "Pragma",
        "Install",
        "Set",
        "Use",
        "Transaction",
        "Commit",
        "Rollback",
        "Into",  # SELECT … INTO new_table
        "LoadData",
        "TruncateTable",
        "Grant",
        "Revoke",
    )
    return tuple(getattr(exp, n) for n in names if hasattr(exp, n))


def _problem(exc: Exception) -> str:
    """SQLGlot's first complaint, without its token dump."""
    errors = getattr(exc, "errors", None) or [{}]
    first = errors[0]
    text = str(first.get("description") or exc or "syntax error").split(" but got ")[0]
    where = f", line {first['line']}, col {first['col']}" if "line" in first else ""
    return text.strip().splitlines()[0] + where


def _parse(query: str, engine: str) -> exp.Expr:
    import sqlglot
    from sqlglot.errors import SqlglotError

    dialect = _DIALECTS.get(engine, engine)
    try:
        with _quiet_sqlglot():
            parsed = [s for s in sqlglot.parse(query, read=dialect) if s is not None]
    except SqlglotError as exc:
        raise SourceError(
            f"the SQL query could not be parsed ({_problem(exc)}); "
            f"a source query must be {QUERY_KINDS}"
        ) from None
    if len(parsed) != 1:
        raise SourceError(
            f"the SQL source holds {len(parsed)} statements: it must be {QUERY_KINDS} "
            "(nothing after it)"
        )
    return parsed[0]


def read_only_query(query: str, engine: str) -> str:
    """*query* as it will run (trailing ``;`` and blanks removed) once it is known to be one
    read-only query; a :class:`SourceError` saying why not otherwise."""
    from sqlglot import exp

    statement = _parse(query, engine)
    inner = statement
    while isinstance(inner, exp.Subquery):
        inner = inner.this
    if not isinstance(inner, exp.Select | exp.SetOperation | exp.Values):
        word = query.split(maxsplit=1)[0].upper() if query.split() else "?"
        raise SourceError(f"the SQL source is not a query ({word} …): it must be {QUERY_KINDS}")
    banned = _forbidden()
    for node in statement.walk():
        if isinstance(node, banned):
            what = "SELECT … INTO" if isinstance(node, exp.Into) else node.key.upper()
            raise SourceError(
                f"the SQL source contains {what}: it must be {QUERY_KINDS} that only reads"
            )
    return query.strip().rstrip(";").rstrip()


def query_label(query: str, engine: str) -> str:
    """``<query with literals as ?>  -- sha256:<hex of the normalised query>`` (see the module
    doc). The query must have passed :func:`read_only_query`."""
    from sqlglot import exp

    dialect = _DIALECTS.get(engine, engine)
    statement = _parse(query, engine)
    normalised = statement.sql(dialect=dialect, normalize=True)
    digest = hashlib.sha256(normalised.encode("utf-8")).hexdigest()

    def blank(node: exp.Expr) -> exp.Expr:
        return exp.Var(this="?") if isinstance(node, exp.Literal) else node

    redacted = statement.transform(blank).sql(dialect=dialect)
    return f"{redacted}{LABEL_MARK}{digest}"


def check_duckdb_query(raw: Any, query: str) -> None:
    """DuckDB's own parser must also see one ``SELECT`` in *query* (*raw*: a DuckDB
    connection): the statement that runs is the statement that was checked."""
    import duckdb

    try:
        statements = raw.extract_statements(query)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()
        raise SourceError(f"SQL query failed: {first[0] if first else exc}") from None
    kinds = [s.type for s in statements]
    if kinds != [duckdb.StatementType.SELECT]:
        raise SourceError(
            f"the SQL source holds {len(kinds)} statement(s) for DuckDB: it must be {QUERY_KINDS}"
        )

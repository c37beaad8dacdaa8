"""Shared fixtures: stores on DuckDB (in memory) and PostgreSQL (real server, required in CI)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tokops.warehouse import Store, connect

PG_URL = os.environ.get("TOKOPS_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgres://", "postgresql://"), connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL not reachable at {PG_URL}: {exc}".splitlines()[0]


@pytest.fixture(scope="session")
def pg_url() -> str:
    reason = _pg_available()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL: {reason}")
        pytest.skip(reason)
    return PG_URL


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    """A store on a fresh PostgreSQL schema, dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    dsn = pg_url.replace("postgres://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in pg_url else "?"
    store = connect(f"{pg_url}{sep}options=-csearch_path%3D{schema}")
    try:
        yield store
    finally:
        store.con.disconnect()
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def duck_store() -> Store:
    return connect("duckdb://")


@pytest.fixture(params=["duckdb", "postgres"])
def any_store(request: pytest.FixtureRequest) -> Store:
    """The same test on the embedded DuckDB and on PostgreSQL (BYD-2)."""
    if request.param == "duckdb":
        return connect("duckdb://")
    store: Store = request.getfixturevalue("pg_store")
    return store

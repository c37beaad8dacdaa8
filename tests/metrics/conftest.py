"""Small report tables built by hand, with the real columns of docs/schema.md."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import pytest

from tokops.warehouse import Store
from tokops.warehouse.merge import declare_table
from tokops.warehouse.schema import table as table_def

Loader = Callable[[Store, str, Sequence[dict[str, Any]]], None]


def load_rows(store: Store, name: str, rows: Sequence[dict[str, Any]]) -> None:
    """Create *name* from its declaration in the catalogue (warehouse/schema) and insert *rows*."""
    spec = table_def(name)
    declare_table(store, spec.spec())
    cols = [c for c in spec.names if any(c in r for r in rows)]
    data = pa.Table.from_pylist(
        [{c: r.get(c) for c in cols} for r in rows], schema=spec.arrow_schema(cols)
    )
    store.insert(name, data)


@pytest.fixture
def load() -> Loader:
    """``load(store, table, rows)``: create the table as declared and insert the rows."""
    return load_rows

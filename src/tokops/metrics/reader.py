"""What metrics needs of the store: read a table, know whether it exists, fetch a small result.

:class:`tokops.warehouse.Store` satisfies :class:`Reader`. Packages that stand on metrics (the
insights) hold a reader and hand it to metrics; they never import the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

__all__ = ["Reader"]


class Reader(Protocol):
    """The read side of the store (:class:`tokops.warehouse.Store` is one)."""

    def exists(self, name: str) -> bool: ...

    def table(self, name: str) -> ir.Table: ...

    def fetch(self, expr: ir.Expr) -> pa.Table: ...

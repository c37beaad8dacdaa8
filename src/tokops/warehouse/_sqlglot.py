"""Keep Ibis 12's ``DROP`` statements working with sqlglot ≥ 28.

Ibis builds ``sqlglot.expressions.Drop(this=table, kind=...)``; newer sqlglot reads the dropped
objects from ``tables`` instead and renders ``DROP TABLE`` with no name, which breaks
``drop_table``, ``drop_view`` and ``create_table`` from in-memory data on every backend. This
patch moves ``this`` into ``tables`` at render time; it is a no-op on versions where ``Drop``
still renders ``this`` itself. Applied once, when :mod:`tokops.warehouse` is imported.
"""

from __future__ import annotations

from typing import Any

__all__ = ["patch_drop"]


def patch_drop() -> None:
    from sqlglot import expressions as exp
    from sqlglot.generator import Generator

    if "tables" not in exp.Drop.arg_types or getattr(Generator, "_tokops_drop_patch", False):
        return
    original = Generator.drop_sql

    def drop_sql(self: Any, expression: Any) -> str:
        this = expression.args.get("this")
        if this is not None and not expression.args.get("tables"):
            expression = expression.copy()
            expression.set("tables", [expression.args["this"]])
            expression.set("this", None)
        result: str = original(self, expression)
        return result

    Generator.drop_sql = drop_sql  # type: ignore[method-assign]
    Generator._tokops_drop_patch = True  # type: ignore[attr-defined]

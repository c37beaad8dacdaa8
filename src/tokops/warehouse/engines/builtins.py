"""Engine functions as Ibis builtin UDFs: the adapters name them, Ibis writes the call."""

from __future__ import annotations

import functools
from typing import Any, Literal

__all__ = ["builtin", "concat_builtin"]


def builtin(name: str, returns: Literal["int64", "string", "float64"]) -> Any:
    """The one-argument engine function *name* as an Ibis builtin UDF."""
    import ibis

    def fn_int(s) -> int: ...  # type: ignore[no-untyped-def,empty-body]

    def fn_str(s) -> str: ...  # type: ignore[no-untyped-def,empty-body]

    def fn_float(s) -> float: ...  # type: ignore[no-untyped-def,empty-body]

    fn = {"int64": fn_int, "string": fn_str, "float64": fn_float}[returns]
    return ibis.udf.scalar.builtin(name=name)(fn)


@functools.cache
def concat_builtin(n: int, schema: str) -> Any:
    """``concat`` over *n* texts, named with its schema so that SQLGlot keeps the function
    (it would rewrite a bare ``concat`` into a ``||`` chain, which is NULL when a part is)."""
    import inspect

    import ibis
    import ibis.expr.datatypes as dt

    def fn(*args: Any) -> str: ...  # type: ignore[empty-body]

    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(f"p{i}", kind) for i in range(n)]
    )
    return ibis.udf.scalar.builtin(
        fn, name="concat", database=schema, signature=((dt.string,) * n, dt.string)
    )

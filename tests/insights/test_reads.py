"""Insights read through metrics functions only: no Ibis, no store table (issue 10 §2, BYD-3).

The import-linter contract keeps ``tokops.warehouse`` out of the insights; this keeps the query
building out too. An insight takes grouped rows (Arrow tables, dataclasses) from a function of
:mod:`tokops.metrics` and never opens a table, filters, groups or aggregates one itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tokops.insights

ROOT = Path(tokops.insights.__file__).parent
MODULES = sorted(ROOT.rglob("*.py"))

#: Methods that open or query a store table (a Reader's ``table``/``exists``/``fetch``, Ibis).
QUERY_METHODS = frozenset(
    {"table", "exists", "fetch", "filter", "group_by", "aggregate", "order_by", "mutate",
     "left_join", "unnest", "over"}
)  # fmt: skip
#: Names of :mod:`tokops.metrics` that hand out Ibis tables or expressions.
TABLE_FUNCTIONS = frozenset(
    {"synced_table", "ad_rows", "paid_base", "posts_base", "followers_base", "post_features",
     "post_tags", "measure_value", "measure_total", "key_expr"}
)  # fmt: skip


def _findings(source: str) -> list[str]:
    """What in *source* builds a query: Ibis imports, query method calls, table functions."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] == "ibis"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "ibis":
            found.append(f"from {node.module} import …")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in QUERY_METHODS:
                found.append(f"line {node.lineno}: .{node.func.attr}(…)")
        elif isinstance(node, ast.Name | ast.alias):
            name = node.id if isinstance(node, ast.Name) else node.name
            if name in TABLE_FUNCTIONS:
                found.append(f"line {getattr(node, 'lineno', '?')}: {name}")
    return found


def test_the_modules_are_found() -> None:
    names = {p.name for p in MODULES}
    assert {"organic.py", "saturation.py", "segments.py", "splittest.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_insights_build_no_query(path: Path) -> None:
    assert _findings(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import ibis",
        "import ibis.expr.types as ir",
        "from ibis import _",
        "t = store.table('ad_daily')",
        "rows = reader.fetch(expr)",
        "t = t.filter(t.day > 1).group_by('key').aggregate(n=t.count())",
        "from tokops.metrics.sources import synced_table",
        "t = ad_rows(reader, window)",
    ],
)
def test_the_check_catches_a_query(source: str) -> None:
    assert _findings(source)


def test_the_check_lets_plain_code_pass() -> None:
    assert _findings("text = ', '.join(sorted(rows))\nfrom tokops.metrics.query import x") == []

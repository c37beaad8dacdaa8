"""``docs/schema.md``, generated from the catalogue (a test keeps the committed file equal).

Regenerate it with ``python -m tokops.warehouse.schema.doc docs/schema.md`` (without a path the
text goes to standard output).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from tokops.warehouse.schema.catalogue import TABLES
from tokops.warehouse.schema.table import Group, Table

__all__ = ["main", "render_markdown", "render_schema_doc"]

_PREAMBLE = """\
# The store's schema

Generated from the table catalogue (`src/tokops/warehouse/schema/`) by
`python -m tokops.warehouse.schema.doc docs/schema.md`; a test fails when this file is out of date.
Every table and column also carries these descriptions as SQL comments, so any SQL tool (DuckDB
CLI, `psql \\d+`, DBeaver …) shows them.

Conventions:

- **IDs** are text (`VARCHAR`): TikTok IDs can exceed 2^53 and must never go through a float.
  (The events ledger's own `batch_id` is a number, `BIGINT`.)
- **Money** is `DECIMAL(18, 2)` in the **ad account's currency** (`advertisers.currency`, repeated
  as `currency` on report rows). Never add amounts of different currencies.
- **Counts** are `BIGINT`; other non-integral values (ratios, seconds) are `DECIMAL(18, 4)`.
  `NULL` means TikTok returned `"-"` (not available), which is not the same as `0`. A metric's
  unit and additivity are declared once, in `src/tokops/vocabulary.py`.
- **`stat_date` is a day in the advertiser's own time zone** (`advertisers.timezone`), exactly
  as TikTok reports it; it is never shifted to UTC. Two advertisers' `stat_date` = 2024-05-01
  cover different UTC hours. `stat_time_hour` is likewise a local wall-clock hour (`TIMESTAMP`
  without time zone). Other timestamps (`*_time`, `synced_at`, `taken_at`) are UTC; the events
  ledger's `event_time` is a UTC instant in Unix seconds (`BIGINT`), as sent to TikTok.
- **Derived ratios are not stored**: CTR, CPC, CPM, CVR, cost per result and ROAS are computed
  from sums at the grain asked for (Σ numerator / Σ denominator), never averaged.
- **Not additive** (marked below): `reach`, `frequency` and averages are stored per row as the
  API returns them and must not be summed over days, ads or segments. Account-level reach per
  day is in `advertiser_daily`.
- **Restatement**: conversions keep changing for days after the fact. Every sync re-pulls a
  look-back window (7 days by default) and replaces those days, so re-runs add no rows and
  correct restated ones.
"""

_GROUPS: Final[tuple[tuple[Group, str], ...]] = (
    ("ads", "Ads: accounts, objects and daily reports"),
    ("shop", "Shop: stores, GMV Max, products and orders"),
    ("organic", "Organic: accounts and posts"),
    ("sync", "Sync bookkeeping"),
    ("rollup", "Roll-ups maintained from the synced tables"),
    ("events", "Events sync: the ledger, its runs and samples"),
    ("audiences", "Audience syncs"),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _section(table: Table) -> str:
    out = [f"\n### `{table.name}`\n\n{table.doc}\n"]
    if table.view_of:
        out.append(f"\n- **View** of {' and '.join(f'`{t}`' for t in table.view_of)}")
    out.append(f"\n- **Grain**: {table.grain}")
    key = ", ".join(f"`{k}`" for k in table.key) or "none (append-only)"
    out.append(f"\n- **Key**: {key}")
    if table.window:
        scope = ", ".join(f"`{s}`" for s in table.scope)
        out.append(f"\n- **Incremental**: replaced per {scope} and `{table.window}` window")
    out.append("\n\n| column | type | description |\n|---|---|---|\n")
    for col in table.columns:
        desc = col.doc
        if col.additive is False:
            desc = f"{desc} **Not additive.**".strip()
        out.append(f"| `{col.name}` | {col.sql_type} | {_cell(desc)} |\n")
    return "".join(out)


def render_markdown(tables: Iterable[Table]) -> str:
    """Conventions, then one section per table, grouped by who writes them."""
    tables = list(tables)
    out = [_PREAMBLE]
    for group, title in _GROUPS:
        members = [t for t in tables if t.group == group]
        if members:
            out.append(f"\n## {title}\n")
            out.extend(_section(t) for t in members)
    return "".join(out)


def render_schema_doc() -> str:
    """The text of ``docs/schema.md``: the whole catalogue."""
    return render_markdown(TABLES)


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``docs/schema.md`` to the path given, or print it."""
    args = list(sys.argv[1:] if argv is None else argv)
    text = render_schema_doc()
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through main()
    raise SystemExit(main())

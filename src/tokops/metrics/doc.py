"""``docs/kpis.md``: the KPI catalogue, its base measures and grains, rendered from the registry.

A test fails when the file is out of date; regenerate it with
``python -c 'import tokops.metrics.doc as d; d.write_kpi_doc("docs/kpis.md")'``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from tokops.metrics.catalogue import CATALOGUE
from tokops.metrics.grain import DIMENSIONS
from tokops.metrics.measures import MEASURES, Source

__all__ = ["render_kpi_doc", "write_kpi_doc"]

_SOURCES: Final[tuple[tuple[Source, str, str], ...]] = (
    ("paid", "Paid (`--source paid`, the default)", "`ad_daily` and the coarser daily report "
     "tables; `audience_daily` for an audience segment grain (`age`, `gender`, `country`)"),
    ("organic", "Organic account (`--source organic`)", "`organic_account_daily`"),
    ("organic_video", "Organic posts (`--source posts`)", "the latest `organic_video_snapshots` "
     "row per post up to `--to` (lifetime values)"),
    ("followers", "Follower growth (`--source followers`)", "`follower_snapshots`, one reading "
     "per account per UTC day"),
)  # fmt: skip

_PREAMBLE = """\
# KPI catalogue

Generated from `src/tokops/metrics/catalogue.py` and `measures.py` by
`tokops.metrics.doc.render_kpi_doc()`; a test fails when this file is out of date.
`tokops kpi --list` prints the same catalogue.

Rules that hold for every KPI (KPI-1, KPI-5c):

- A KPI is **`scale × Σ numerator / Σ denominator`** over base measures, computed **after**
  summing at the grain asked for (`--by`), never as an average of per-row ratios. Without a
  denominator it is a plain sum. A zero denominator gives no value (`null`), never infinity.
- **Rates are in percent** as TikTok shows them (`ctr` 1.25 means 1.25 %); ratios (`roas`,
  `frequency`) are plain multiples; money is in the ad account's currency, and paid roll-ups
  always group by `currency` so amounts of different currencies are never added.
- **Reach and per-user averages are not additive**: they are shown only when each group is one
  store row (an entity-day, e.g. `--by ad,day`), `null` elsewhere with a note.
- **Audience segments** (`--by age`, `--by gender,week`, `--by country,campaign`) read
  `audience_daily`, TikTok's AUDIENCE report: one row per campaign per day per segment of one
  dimension. Only one of `age`, `gender`, `country` per roll-up (no joint table), and not with
  `adgroup`, `ad` or `spark`. KPIs whose measures the AUDIENCE report lacks (reach, plays,
  watch time …) are `null` there, with a note.
- **Follower growth** is a difference of follower snapshots (the API gives the count at call
  time only): a period opens at the last snapshot before its first one (that first one when
  there is none) and closes at its last one; a gap between snapshots counts in the period of
  the later one; a period without a snapshot has no row. Days are UTC days of the reading.
- **Names beside IDs**: a grain with `advertiser`, `campaign`, `adgroup`, `ad` or `account`
  adds `advertiser_name`, `campaign_name`, `adgroup_name`, `ad_name` or `account_name` right
  after the ID column (in tables, JSON and CSV), from the object tables `tokops sync ads` /
  `tokops sync organic` keep; empty when the store has no name for the ID. Names are shown as
  data: control characters are escaped on screen, and a CSV cell that a spreadsheet would run
  as a formula (`=`, `+`, `-`, `@` first) starts with `'`.
- **`--compare previous`** adds `<kpi>_previous` and `<kpi>_change` (percent) to each row.
  Without a time grain the previous period has the same length and ends the day before
  `--from` (1–7 May compares with 24–30 April). With `day`, `week` or `month` each bucket is
  compared with the bucket before it for the same group (the same campaign, ad …), even when
  that bucket lies before `--from`; where `--from`/`--to` cut a bucket, the previous one is
  cut the same way (the same weekdays of the week before, the same days of the month before
  up to its last day), so a partial week is never set against a whole one.
- **`ad_monthly`** is a pre-aggregate of `ad_daily` (keys `advertiser_id, campaign_id,
  adgroup_id, ad_id, currency, month`, plus `days` and one column per additive measure, named
  after it), refreshed by `tokops sync ads` after it merges `ad_daily` (`rollup_state` records
  the `ad_daily` row count and latest `synced_at` it was built from). Roll-ups without a day or
  week grain read whole months from it and the partial months at the edges of `--from`/`--to`
  from `ad_daily`, with the same results; when `ad_daily` changed since the refresh (other
  writers, a failed refresh) they read `ad_daily` only.
"""


def _row(*cells: str) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def render_kpi_doc() -> str:
    """The text of ``docs/kpis.md``."""
    out = [_PREAMBLE]
    for source, title, reads in _SOURCES:
        kpis = CATALOGUE.of_source(source)
        out.append(f"\n## {title}\n\nReads {reads}.\n")
        out.append("| KPI | Label | Formula | Unit | Better when | Description |")
        out.append("|---|---|---|---|---|---|")
        for k in kpis:
            better = {"up": "higher", "down": "lower", "neutral": "—"}[k.better]
            desc = k.description
            if k.spark_only and "Spark Ads only" not in desc:
                desc += " Spark Ads only."
            out.append(_row(f"`{k.name}`", k.label, f"`{k.formula}`", k.unit, better, desc))
    out.append("\n## Base measures\n")
    out.append("| Measure | Source | Sum of | Additive | Description |")
    out.append("|---|---|---|---|---|")
    for m in MEASURES.values():
        of = m.column if m.weight is None else f"{m.column} × {m.weight}"
        additive = "yes" if m.additive else "no"
        out.append(_row(f"`{m.name}`", m.source, f"`{of}`", additive, m.description))
    out.append("\n## Grains (`--by`)\n")
    out.append("| Name | Output column | Sources |")
    out.append("|---|---|---|")
    for d in DIMENSIONS.values():
        out.append(f"| `{d.name}` | `{d.output}` | {', '.join(d.sources)} |")
    return "\n".join(out) + "\n"


def write_kpi_doc(path: str | Path) -> None:
    """Write :func:`render_kpi_doc` to *path*."""
    Path(path).write_text(render_kpi_doc(), encoding="utf-8")

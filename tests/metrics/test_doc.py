"""docs/kpis.md is generated from the registry and kept current."""

from __future__ import annotations

from pathlib import Path

from tokops.metrics import CATALOGUE, MEASURES
from tokops.metrics.doc import render_kpi_doc

DOC = Path(__file__).resolve().parents[2] / "docs" / "kpis.md"


def test_docs_kpis_md_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render_kpi_doc(), (
        "docs/kpis.md is stale: regenerate it with "
        "python -c 'import tokops.metrics.doc as d; d.write_kpi_doc(\"docs/kpis.md\")'"
    )


def test_every_kpi_and_measure_has_a_row_with_formula_unit_and_direction() -> None:
    text = render_kpi_doc()
    for kpi in CATALOGUE.values():
        better = {"up": "higher", "down": "lower", "neutral": "—"}[kpi.better]
        row = f"| `{kpi.name}` | {kpi.label} | `{kpi.formula}` | {kpi.unit} | {better} |"
        assert row in text, kpi.name
    assert all(f"| `{m}` |" in text for m in MEASURES)
    assert "| `follower_growth_rate` | Follower growth rate | `100 × Σfollower_growth / " \
        "Σfollowers_start` | percent | higher |" in text  # fmt: skip

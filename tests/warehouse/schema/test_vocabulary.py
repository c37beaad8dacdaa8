"""One metric vocabulary: the client, the store's columns, the measures and the KPIs agree."""

from __future__ import annotations

from tokops.metrics.catalogue import CATALOGUE as KPIS
from tokops.tiktok.marketing.metrics import CATALOGUE as WIRE
from tokops.tiktok.marketing.metrics import parse_metrics
from tokops.vocabulary import (
    FOLLOWER_METRICS,
    GMV_MAX_METRICS,
    ORGANIC_DAY_METRICS,
    ORGANIC_VIDEO_METRICS,
    PAID_UNITS,
    REPORT_METRICS,
    UNITS,
)
from tokops.warehouse.schema import MEASURES, table

FAMILIES = (REPORT_METRICS, GMV_MAX_METRICS, ORGANIC_DAY_METRICS, ORGANIC_VIDEO_METRICS)
SOURCE_TABLES = {
    "paid": "ad_daily",
    "organic": "organic_account_daily",
    "organic_video": "organic_video_snapshots",
}


def test_every_paid_metric_has_one_unit_for_the_client_and_the_store() -> None:
    for name, unit in PAID_UNITS.items():
        assert WIRE[name].kind == unit, name
    assert WIRE["frequency"].kind == "ratio" == table("ad_daily").column("frequency").type
    assert KPIS["frequency"].unit == "ratio"
    assert WIRE["spend"].kind == "money" == table("ad_daily").column("spend").type
    assert KPIS["spend"].unit == "money" == MEASURES["spend"].unit


def test_a_metric_column_is_its_vocabulary_entry() -> None:
    by_family = {
        "ad_daily": REPORT_METRICS,
        "gmv_max_daily": GMV_MAX_METRICS,
        "organic_account_daily": ORGANIC_DAY_METRICS,
        "organic_video_snapshots": ORGANIC_VIDEO_METRICS,
        "follower_snapshots": FOLLOWER_METRICS,
    }
    for name, family in by_family.items():
        tbl = table(name)
        for metric in family:
            col = tbl.column(metric.name)
            assert (col.type, col.doc, col.additivity) == (
                metric.unit,
                metric.doc,
                metric.additivity,
            )
            assert col.additive is metric.additive


def test_additivity_marks_what_must_never_be_summed() -> None:
    additivity = {m.name: m.additivity for m in REPORT_METRICS}
    assert additivity["spend"] == "sum"
    assert additivity["reach"] == "unique"
    assert additivity["frequency"] == additivity["average_video_play"] == "ratio"
    assert {m.additivity for m in FOLLOWER_METRICS} == {"stock"}
    assert {m.name for m in ORGANIC_VIDEO_METRICS if m.additive} == set()
    assert all(m.unit in UNITS for family in FAMILIES for m in family)


def test_a_measure_over_one_column_has_the_column_unit() -> None:
    for m in MEASURES.values():
        if m.source == "followers" or m.weight is not None:
            continue
        assert m.unit == table(SOURCE_TABLES[m.source]).column(m.column).type, m.name


def test_a_plain_sum_kpi_has_its_measure_unit() -> None:
    for kpi in KPIS.values():
        if kpi.numerator == (kpi.name,) and not kpi.denominator:
            assert kpi.unit == MEASURES[kpi.name].unit, kpi.name


def test_wire_values_of_stored_metrics_are_typed_by_their_unit() -> None:
    typed = parse_metrics({"frequency": "1.08", "spend": "14.68", "impressions": "1079"})
    assert str(typed["frequency"]) == "1.08" and str(typed["spend"]) == "14.68"
    assert typed["impressions"] == 1079

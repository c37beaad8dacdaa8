"""Metric typing: "-" → None, money → Decimal, counts → int, rates → percent (§2.1, §2.3)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tokops.tiktok.marketing.metrics import (
    CATALOGUE,
    audience_forbidden,
    kind_of,
    parse_metrics,
    parse_value,
)


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("-", "money", None),
        ("", "count", None),
        (None, "percent", None),
        ("14.68", "money", Decimal("14.68")),
        ("1079", "count", 1079),
        ("1,079", "count", 1079),
        ("1.20", "percent", Decimal("1.20")),
        ("1.08", "ratio", Decimal("1.08")),
        ("6.5", "seconds", Decimal("6.5")),
        ("<5", "count", None),
        ("2.5", "count", None),
        ("Spring", "text", "Spring"),
        ("-", "text", None),
        (13, "count", 13),
        ("NaN", "money", None),
    ],
)
def test_parse_value(raw: object, kind: str, expected: object) -> None:
    value = parse_value(raw, kind)  # type: ignore[arg-type]
    assert value == expected
    assert type(value) is type(expected)


def test_the_spec_example_row_is_fully_typed() -> None:
    raw = {
        "spend": "14.68", "impressions": "1079", "clicks": "13", "ctr": "1.20", "cpc": "1.13",
        "cpm": "13.60", "reach": "998", "frequency": "1.08", "conversion": "2",
        "cost_per_conversion": "7.34", "conversion_rate": "15.38", "campaign_name": "Spring",
        "currency": "USD", "campaign_id": "1800000000000000001", "cost_per_1000_reached": "-",
    }  # fmt: skip
    typed = parse_metrics(raw)
    assert typed["spend"] == Decimal("14.68")
    assert typed["impressions"] == 1079
    assert typed["ctr"] == Decimal("1.20")
    assert typed["frequency"] == Decimal("1.08")
    assert typed["campaign_id"] == "1800000000000000001"  # ids never become numbers
    assert typed["cost_per_1000_reached"] is None


def test_unknown_metrics_are_typed_from_their_name_then_their_value() -> None:
    typed = parse_metrics(
        {"cost_per_new_thing": "3", "new_thing_rate": "2", "new_thing_roas": "1.5",
         "new_count": "7", "new_float": "7.25", "new_label": "abc"}
    )  # fmt: skip
    assert typed == {
        "cost_per_new_thing": Decimal("3"),
        "new_thing_rate": Decimal("2"),
        "new_thing_roas": Decimal("1.5"),
        "new_count": 7,
        "new_float": Decimal("7.25"),
        "new_label": "abc",
    }


KPI_1 = (
    "video_play_actions video_views_p25 video_views_p50 video_views_p75 video_views_p100 likes "
    "shares reach average_video_play_per_user impressions clicks ctr cpc cost_per_1000_reached "
    "conversion complete_payment_roas total_complete_payment_rate"
).split()


@pytest.mark.parametrize("name", KPI_1)
def test_kpi_1_metrics_are_catalogued(name: str) -> None:  # KPI-1
    assert name in CATALOGUE


def test_kinds_of_core_metrics() -> None:
    names = ("spend", "impressions", "ctr", "frequency", "average_video_play")
    assert [kind_of(n) for n in names] == [
        "money", "count", "percent", "ratio", "seconds",
    ]  # fmt: skip
    assert kind_of("total_complete_payment_rate") == "money"  # a VALUE despite its name (§2.3)


def test_spark_only_metrics_are_flagged() -> None:  # SPK-10
    spark = {d.name for d in CATALOGUE.values() if d.spark}
    assert {"follows", "profile_visits", "clicks_on_music_disc", "anchor_clicks",
            "anchor_click_rate"} <= spark  # fmt: skip
    assert "likes" not in spark


def test_audience_forbidden_lists_uv_metrics_in_order() -> None:
    assert audience_forbidden(["spend", "frequency", "reach", "video_play_actions", "x"]) == [
        "frequency", "reach", "video_play_actions",
    ]  # fmt: skip

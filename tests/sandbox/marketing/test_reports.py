"""``/report/integrated/get/``: validation, value formats, sums, time zones, latency (§2.1, §8)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
import pytest

from tokops.sandbox import Sandbox
from tokops.sandbox.settings import DEFAULT_ADVERTISER_ID
from tokops.sandbox.world.catalog import AGES

from ..conftest import ANCHOR, TOKEN, Marketing, MockClock, marketing_settings

PARIS, LA, TOKYO = DEFAULT_ADVERTISER_ID, "7100000000000000002", "7100000000000000003"
DAILY = {"dimensions": ["ad_id", "stat_time_day"], "data_level": "AUCTION_AD"}
FEB = {"start_date": "2026-02-01", "end_date": "2026-02-28"}
INVALID_METRICS = (
    "Please correct the information in invalid metric fields and try again. "
    "Invalid metric fields: ['foo', 'bar']. "
)


@pytest.mark.parametrize(
    ("params", "code", "needle"),
    [
        ({"advertiser_id": ""}, 40002, "advertiser_id"),
        ({"advertiser_id": "7999999999999999999"}, 40001, "No permission"),
        ({"report_type": ""}, 40002, "report_type"),
        ({"report_type": "BC"}, 40009, "not supported in the sandbox"),
        ({"report_type": "SOMETHING"}, 40002, "report_type"),
        ({"dimensions": None}, 40002, "dimensions"),
        ({"dimensions": ["ad_id", "gender"]}, 40002, "not supported in BASIC"),
        ({"dimensions": ["ad_id", "campaign_id"]}, 40002, "Conflict occurs"),
        ({"data_level": "AUCTION_CAMPAIGN"}, 40002, "Conflict occurs"),
        ({"dimensions": ["stat_time_day"], "data_level": None}, 40002, "data_level"),
        ({"data_level": "RESERVATION_AD"}, 40002, "deprecated"),
        ({"metrics": ["spend", "foo", "bar"]}, 40002, INVALID_METRICS),
        ({"metrics": ["spend"] * 101}, 40002, "at most 100"),
        ({"start_date": "2026/02/01"}, 40002, "YYYY-MM-DD"),
        ({"start_date": "2026-02-10", "end_date": "2026-02-09"}, 40002, "later than"),
        ({"start_date": "2026-01-01", "end_date": "2026-01-31"}, 40002, "30 days"),
        ({"query_lifetime": True}, 40002, "query_lifetime"),
        ({"page_size": 0}, 40002, "page_size"),
        ({"page_size": 1001}, 40002, "page_size"),
        ({"page": 0}, 40002, "page"),
        ({"filtering": {"field_name": "ad_ids"}}, 40002, "filtering"),
        (
            {"filtering": [{"field_name": "ad_ids", "filter_type": "IN", "filter_value": ["1"]}]},
            40002,
            "JSON-encoded string",
        ),
        (
            {"filtering": [{"field_name": "nope", "filter_type": "IN", "filter_value": "[]"}]},
            40002,
            "not supported",
        ),
        ({"order_field": "nope"}, 40002, "order_field"),
        ({"service_type": "RESERVATION"}, 40002, "deprecated"),
        ({"multi_adv_report_in_utc_time": True}, 40009, "multi_adv_report_in_utc_time"),
    ],
)
def test_basic_validation(mk: Marketing, params: dict[str, Any], code: int, needle: str) -> None:
    query: dict[str, Any] = {**DAILY, **FEB, "start_date": "2026-02-01", "end_date": "2026-02-10"}
    query.update(params)
    answer = mk.report(**{k: v for k, v in query.items() if v is not None})
    assert answer["code"] == code, answer
    assert needle in answer["message"]
    assert answer["data"] == {}


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"dimensions": ["ad_id", "gender"], "metrics": ["reach"]}, "UV metrics"),
        ({"dimensions": ["age"], "metrics": ["frequency", "spend"]}, "UV metrics"),
        ({"dimensions": ["ad_id", "stat_time_day"]}, "audience dimension"),
        ({"dimensions": ["gender"], "query_lifetime": True}, "query_lifetime"),
        ({"advertiser_ids": [PARIS, LA], "dimensions": ["gender"]}, "advertiser_ids"),
    ],
)
def test_audience_validation(mk: Marketing, params: dict[str, Any], needle: str) -> None:
    query = {"report_type": "AUDIENCE", "data_level": "AUCTION_AD", "dimensions": ["gender"]}
    query.update({"start_date": "2026-02-01", "end_date": "2026-02-07", **params})
    answer = mk.report(**query)
    assert answer["code"] == 40002, answer
    assert needle in answer["message"]


@pytest.mark.parametrize(
    ("dimensions", "days", "ok"),
    [
        (["ad_id", "stat_time_day"], 30, True),
        (["ad_id", "stat_time_day"], 31, False),
        (["ad_id", "stat_time_hour"], 1, True),
        (["ad_id", "stat_time_hour"], 2, False),
        (["ad_id"], 365, True),
        (["ad_id"], 366, False),
    ],
)
def test_date_range_caps(mk: Marketing, dimensions: list[str], days: int, ok: bool) -> None:
    end = date(2026, 2, 28)
    answer = mk.report(
        dimensions=dimensions,
        data_level="AUCTION_AD",
        start_date=str(end - timedelta(days=days - 1)),
        end_date=str(end),
    )
    assert (answer["code"] == 0) is ok, answer


def test_values_are_strings_in_the_documented_formats(mk: Marketing) -> None:
    metrics = [
        "spend", "impressions", "clicks", "ctr", "cpc", "cpm", "reach", "frequency",
        "conversion", "cost_per_conversion", "conversion_rate", "video_play_actions",
        "average_video_play", "engagement_rate", "follows", "campaign_name", "ad_name",
        "currency",
    ]  # fmt: skip
    rows = mk.all_rows(**DAILY, **FEB, metrics=metrics)
    assert rows
    money = re.compile(r"\d+\.\d\d")
    for row in rows:
        assert set(row) == {"dimensions", "metrics"}
        dims, values = row["dimensions"], row["metrics"]
        assert re.fullmatch(r"\d{19}", dims["ad_id"])
        assert re.fullmatch(r"2026-02-\d\d 00:00:00", dims["stat_time_day"])
        assert list(values) == metrics
        assert all(isinstance(v, str) for v in values.values())
        for name in ("spend", "ctr", "cpc", "cpm", "frequency", "conversion_rate"):
            assert money.fullmatch(values[name]), (name, values[name])
        for name in ("impressions", "clicks", "reach", "conversion", "video_play_actions"):
            assert values[name].isdigit(), (name, values[name])
        assert Decimal(values["spend"]) > 0  # rows without spend are dropped
        assert values["currency"] == "EUR"
        ctr = int(values["clicks"]) * 100 / int(values["impressions"])
        assert values["ctr"] == f"{ctr:.2f}"


def test_spark_only_metrics_are_dashes_for_regular_ads(mk: Marketing) -> None:
    world = mk.world
    rows = mk.all_rows(**DAILY, **FEB, metrics=["follows", "profile_visits", "anchor_clicks"])
    seen = {True: 0, False: 0}
    for row in rows:
        spark = world.ads[row["dimensions"]["ad_id"]].is_spark
        seen[spark] += 1
        if spark:
            assert row["metrics"]["follows"].isdigit()
        else:
            assert set(row["metrics"].values()) == {"-"}
    assert seen[True] and seen[False]


@pytest.mark.parametrize("advertiser", [PARIS, LA, TOKYO])
def test_sums_equal_the_worlds_own_totals(mk: Marketing, advertiser: str) -> None:
    metrics = ["spend", "impressions", "clicks", "conversion", "likes", "video_views_p100"]
    totals = mk.world.totals(advertiser, date(2026, 2, 1), date(2026, 2, 28), as_of=mk.clock())
    for level, dims in (
        ("AUCTION_AD", ["ad_id", "stat_time_day"]),
        ("AUCTION_CAMPAIGN", ["campaign_id"]),
        ("AUCTION_ADVERTISER", ["stat_time_day"]),
    ):
        rows = mk.all_rows(
            advertiser_id=advertiser, data_level=level, dimensions=dims, metrics=metrics, **FEB
        )
        spend = sum(Decimal(r["metrics"]["spend"]) for r in rows)
        assert spend == totals["spend"], level
        for name in ("impressions", "clicks", "conversion", "likes", "video_views_p100"):
            assert sum(int(r["metrics"][name]) for r in rows) == totals[name], (level, name)


def test_hours_sum_to_the_day(mk: Marketing) -> None:
    day = {"start_date": "2026-02-14", "end_date": "2026-02-14"}
    metrics = ["spend", "impressions", "clicks", "conversion"]
    daily = mk.all_rows(
        dimensions=["stat_time_day"], data_level="AUCTION_ADVERTISER", metrics=metrics, **day
    )
    hourly = mk.all_rows(
        dimensions=["stat_time_hour"], data_level="AUCTION_ADVERTISER", metrics=metrics, **day
    )
    assert len(daily) == 1 and len(hourly) == 24
    assert [r["dimensions"]["stat_time_hour"][11:] for r in hourly] == [
        f"{h:02d}:00:00" for h in range(24)
    ]
    for name in ("impressions", "clicks", "conversion"):
        assert sum(int(r["metrics"][name]) for r in hourly) == int(daily[0]["metrics"][name])
    assert sum(Decimal(r["metrics"]["spend"]) for r in hourly) == Decimal(
        daily[0]["metrics"]["spend"]
    )


def _day_rows(mk: Marketing, advertiser: str, day: str) -> list[dict[str, Any]]:
    return mk.all_rows(
        advertiser_id=advertiser,
        data_level="AUCTION_ADVERTISER",
        dimensions=["stat_time_day"],
        metrics=["spend", "impressions"],
        start_date=day,
        end_date=day,
    )


def test_days_are_the_ad_accounts_days(mk: Marketing, clock: MockClock) -> None:
    """2026-03-03 starts at 15:00 UTC on 03-02 in Tokyo, 08:00 UTC on 03-03 in Los Angeles."""
    clock.t = datetime(2026, 3, 2, 15, 20, tzinfo=UTC)  # Tokyo 00:20, latency 30 min
    assert _day_rows(mk, TOKYO, "2026-03-03") == []
    clock.t = datetime(2026, 3, 2, 15, 40, tzinfo=UTC)  # Tokyo 00:40
    assert len(_day_rows(mk, TOKYO, "2026-03-03")) == 1
    assert _day_rows(mk, LA, "2026-03-03") == []  # LA: 07:40 on 03-02
    clock.t = datetime(2026, 3, 3, 8, 45, tzinfo=UTC)  # LA 00:45
    assert len(_day_rows(mk, LA, "2026-03-03")) == 1
    hours = mk.all_rows(
        advertiser_id=TOKYO,
        data_level="AUCTION_ADVERTISER",
        dimensions=["stat_time_hour"],
        metrics=["spend"],
        start_date="2026-03-03",
        end_date="2026-03-03",
    )
    labels = [r["dimensions"]["stat_time_hour"] for r in hours]
    assert labels[0] == "2026-03-03 00:00:00"  # local wall-clock hours
    assert labels[-1] == "2026-03-03 17:00:00"  # 08:45 UTC = 17:45 JST, minus latency


def test_a_dst_day_has_23_hours() -> None:
    clock = MockClock(datetime(2026, 4, 2, 12, tzinfo=UTC))
    sandbox = Sandbox(marketing_settings(world_anchor=date(2026, 4, 1)), now=clock)
    mk = Marketing(sandbox, clock)
    hours = mk.all_rows(
        data_level="AUCTION_ADVERTISER",
        dimensions=["stat_time_hour"],
        metrics=["spend"],
        start_date="2026-03-29",
        end_date="2026-03-29",
    )
    labels = [r["dimensions"]["stat_time_hour"][11:13] for r in hours]
    assert len(labels) == 23 and "02" not in labels  # Paris springs forward at 02:00


def test_data_latency_and_partial_days(mk: Marketing, clock: MockClock) -> None:
    def spend_today() -> Decimal:
        rows = _day_rows(mk, PARIS, "2026-03-02")
        return Decimal(rows[0]["metrics"]["spend"]) if rows else Decimal(0)

    clock.t = datetime(2026, 3, 1, 23, 20, tzinfo=UTC)  # Paris 00:20 on 03-02
    assert spend_today() == 0
    clock.t = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    morning = spend_today()
    clock.t = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    evening = spend_today()
    clock.t = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    final = spend_today()
    assert 0 < morning < evening < final
    totals = mk.world.totals(PARIS, date(2026, 3, 2), date(2026, 3, 2))
    assert final == totals["spend"]


def test_conversions_are_restated_over_the_attribution_window(
    mk: Marketing, clock: MockClock
) -> None:
    def day_values() -> tuple[int, int]:
        rows = mk.all_rows(
            data_level="AUCTION_ADVERTISER",
            dimensions=["stat_time_day"],
            metrics=["conversion", "impressions"],
            start_date="2026-03-01",
            end_date="2026-03-01",
        )
        return int(rows[0]["metrics"]["conversion"]), int(rows[0]["metrics"]["impressions"])

    seen = []
    for days in (0, 1, 3, 6, 8, 30):
        clock.t = datetime(2026, 3, 2, 12, tzinfo=UTC) + timedelta(days=days)
        seen.append(day_values())
    conversions = [c for c, _ in seen]
    assert conversions == sorted(conversions) and conversions[0] < conversions[-1]
    assert conversions[-2] == conversions[-1]  # settled after 7 days
    assert len({i for _, i in seen}) == 1  # delivery counts do not restate
    settled = mk.world.totals(PARIS, date(2026, 3, 1), date(2026, 3, 1))["conversion"]
    assert conversions[-1] == settled


def test_uv_metrics_appear_16_hours_after_the_day(mk: Marketing, clock: MockClock) -> None:
    query = {
        "data_level": "AUCTION_ADVERTISER",
        "dimensions": ["stat_time_day"],
        "metrics": ["reach", "frequency", "impressions"],
        "start_date": "2026-03-01",
        "end_date": "2026-03-01",
    }
    clock.t = datetime(2026, 3, 2, 12, tzinfo=UTC)  # Paris day ended 11 h ago
    row = mk.all_rows(**query)[0]["metrics"]
    assert row["reach"] == row["frequency"] == "-" and row["impressions"] != "-"
    clock.t = datetime(2026, 3, 2, 17, tzinfo=UTC)
    row = mk.all_rows(**query)[0]["metrics"]
    assert row["reach"].isdigit() and float(row["frequency"]) >= 1.0


def test_audience_breakdowns_sum_to_the_basic_totals(mk: Marketing) -> None:
    week = {"start_date": "2026-02-01", "end_date": "2026-02-07"}
    metrics = ["spend", "impressions", "clicks", "conversion"]
    basic = mk.all_rows(
        data_level="AUCTION_ADVERTISER", dimensions=["stat_time_day"], metrics=metrics, **week
    )
    for dims in (["gender"], ["age"], ["country_code"], ["gender", "age", "stat_time_day"]):
        rows = mk.all_rows(
            report_type="AUDIENCE",
            data_level="AUCTION_ADVERTISER",
            dimensions=dims,
            metrics=metrics,
            **week,
        )
        assert rows and all(set(r["dimensions"]) == set(dims) for r in rows)
        for name in ("impressions", "clicks", "conversion"):
            got = sum(int(r["metrics"][name]) for r in rows)
            assert got == sum(int(r["metrics"][name]) for r in basic), (dims, name)
        spend = sum(Decimal(r["metrics"]["spend"]) for r in rows)
        assert spend == sum(Decimal(r["metrics"]["spend"]) for r in basic)
    genders = {
        r["dimensions"]["gender"]
        for r in mk.all_rows(
            report_type="AUDIENCE", data_level="AUCTION_ADVERTISER", dimensions=["gender"], **week
        )
    }
    assert genders <= {"FEMALE", "MALE", "NONE"}


def test_audience_rows_wait_16_hours(mk: Marketing, clock: MockClock) -> None:
    query = {
        "report_type": "AUDIENCE",
        "data_level": "AUCTION_ADVERTISER",
        "dimensions": ["gender", "stat_time_day"],
        "start_date": "2026-03-01",
        "end_date": "2026-03-01",
    }
    clock.t = datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert mk.all_rows(**query) == []
    clock.t = datetime(2026, 3, 2, 16, tzinfo=UTC)
    assert mk.all_rows(**query)


def test_segments_perform_as_the_ground_truth_says(mk: Marketing) -> None:
    """Among ads targeting every adult age group, CTR by age ranks as the truth's effects."""
    world = mk.world
    broad = [
        a.ad_id for a in world.ads_of(PARIS) if world.adgroups[a.adgroup_id].age_groups == AGES[1:]
    ]
    assert broad
    rows = mk.all_rows(
        report_type="AUDIENCE",
        data_level="AUCTION_AD",
        dimensions=["age"],
        metrics=["clicks", "impressions"],
        filtering=[
            {
                "field_name": "ad_ids",
                "filter_type": "IN",
                "filter_value": orjson.dumps(broad).decode(),
            }
        ],
        start_date="2026-02-01",
        end_date="2026-02-28",
    )
    clicks = {r["dimensions"]["age"]: int(r["metrics"]["clicks"]) for r in rows}
    impressions = {r["dimensions"]["age"]: int(r["metrics"]["impressions"]) for r in rows}
    ctr = {age: clicks[age] / impressions[age] for age in clicks}
    effects = world.truth.segment_effects["ctr"]
    assert sorted(ctr, key=ctr.__getitem__) == sorted(ctr, key=effects.__getitem__)


def test_truncation_at_the_ad_cap_sets_the_header(clock: MockClock) -> None:
    sandbox = Sandbox(marketing_settings(marketing={"report_ad_cap": 5, "qpm": 10**9}), now=clock)
    mk = Marketing(sandbox, clock)
    response = mk.raw_get(
        "report/integrated/get/", advertiser_id=PARIS, report_type="BASIC",
        data_level="AUCTION_AD", dimensions=["ad_id"], metrics=["spend"], page_size=100, **FEB,
    )  # fmt: skip
    assert response.headers["X-Tt-Ads-Throttle"]
    rows = response.json()["data"]["list"]
    kept = {r["dimensions"]["ad_id"] for r in rows}
    assert len(kept) == 5
    ads = sorted(
        (a for a in mk.world.ads_of(PARIS) if a.ad_id in kept or not a.deleted),
        key=lambda a: a.created,
    )
    newest = min(mk.world.ads[a].created for a in kept)
    assert all(a.created <= newest or a.ad_id in kept or a.deleted for a in ads)
    campaign = mk.raw_get(
        "report/integrated/get/", advertiser_id=PARIS, report_type="BASIC",
        data_level="AUCTION_CAMPAIGN", dimensions=["campaign_id"], **FEB,
    )  # fmt: skip
    assert "X-Tt-Ads-Throttle" not in campaign.headers


def test_total_metrics_multi_advertiser_and_order(mk: Marketing) -> None:
    data = mk.ok(
        mk.report(
            dimensions=["campaign_id"], metrics=["spend", "clicks"], enable_total_metrics=True,
            order_field="spend", page_size=3, **FEB,
        )
    )  # fmt: skip
    spends = [Decimal(r["metrics"]["spend"]) for r in data["list"]]
    assert spends == sorted(spends, reverse=True)
    everything = mk.all_rows(dimensions=["campaign_id"], metrics=["spend"], **FEB)
    assert Decimal(data["total_metrics"]["spend"]) == sum(
        Decimal(r["metrics"]["spend"]) for r in everything
    )
    multi = mk.all_rows(
        advertiser_id=None, advertiser_ids=[PARIS, TOKYO], data_level="AUCTION_ADVERTISER",
        dimensions=["advertiser_id"], metrics=["spend"], **FEB,
    )  # fmt: skip
    by_id = {r["dimensions"]["advertiser_id"]: r["metrics"] for r in multi}
    assert by_id[TOKYO]["currency"] == "JPY" and by_id[TOKYO]["timezone"] == "Asia/Tokyo"
    assert by_id[PARIS]["currency"] == "EUR"


def test_filters_and_deleted_objects(mk: Marketing) -> None:
    world = mk.world
    campaign = next(c for c in world.campaigns.values() if c.advertiser_id == PARIS)
    value = orjson.dumps([campaign.campaign_id]).decode()
    rows = mk.all_rows(
        **DAILY,
        **FEB,
        filtering=[{"field_name": "campaign_ids", "filter_type": "IN", "filter_value": value}],
    )
    assert rows and {world.ads[r["dimensions"]["ad_id"]].campaign_id for r in rows} == {
        campaign.campaign_id
    }
    deleted = [c for c in world.campaigns.values() if c.deleted and c.advertiser_id == PARIS]
    if deleted:
        everything = [
            {"field_name": "campaign_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}
        ]
        plain = mk.all_rows(
            dimensions=["campaign_id"], start_date="2025-11-02", end_date="2026-03-01"
        )
        full = mk.all_rows(
            dimensions=["campaign_id"],
            start_date="2025-11-02",
            end_date="2026-03-01",
            filtering=everything,
        )
        assert {r["dimensions"]["campaign_id"] for r in plain} < {
            r["dimensions"]["campaign_id"] for r in full
        }


def test_lifetime_totals(mk: Marketing) -> None:
    rows = mk.all_rows(
        dimensions=["advertiser_id"],
        data_level="AUCTION_ADVERTISER",
        query_lifetime=True,
        metrics=["spend", "impressions"],
    )
    totals = mk.world.totals(
        PARIS, mk.world.start - timedelta(days=60), ANCHOR + timedelta(days=1), as_of=mk.clock()
    )
    assert Decimal(rows[0]["metrics"]["spend"]) == totals["spend"]


def _data(answer: dict[str, Any]) -> bytes:
    return orjson.dumps(answer["data"])


def test_same_seed_same_answers_other_seed_other_answers(clock: MockClock) -> None:
    def answer(seed: int) -> bytes:
        sandbox = Sandbox(marketing_settings(seed=seed), now=clock)
        mk = Marketing(sandbox, clock)
        return _data(
            mk.report(**DAILY, **FEB, page_size=50, metrics=["spend", "clicks", "ad_name"])
        )

    assert answer(3) == answer(3)
    assert answer(3) != answer(4)


def test_get_with_a_json_body_is_accepted(mk: Marketing) -> None:
    body = {"advertiser_id": PARIS, "report_type": "BASIC", **DAILY, **FEB, "page_size": 5}
    response = mk.client.request(
        "GET", "/open_api/v1.3/report/integrated/get/", content=orjson.dumps(body)
    )
    assert response.json()["code"] == 0
    assert response.json()["data"]["page_info"]["page_size"] == 5


def test_token_and_route_checks(mk: Marketing) -> None:
    bare = mk.client.get("/open_api/v1.3/report/integrated/get", params={"advertiser_id": PARIS})
    assert bare.status_code == 404
    no_token = mk.client.get(
        "/open_api/v1.3/report/integrated/get/", headers={"Access-Token": ""}
    ).json()
    assert no_token["code"] == 40104
    wrong = mk.client.get(
        "/open_api/v1.3/report/integrated/get/", headers={"Access-Token": TOKEN + "x"}
    ).json()
    assert wrong["code"] == 40105


def test_real_time_conversion_metrics_are_served(mk: Marketing) -> None:
    """KPI-1: real-time conversion variants exist in TikTok's catalogue; the sandbox serves them
    ([EMU]: equal to their attributed twins)."""
    query: dict[str, Any] = {**DAILY, "start_date": "2026-02-01", "end_date": "2026-02-10"}
    query["metrics"] = ["conversion", "real_time_conversion", "real_time_cost_per_conversion"]
    rows = mk.all_rows(**query)
    assert rows
    assert all(r["metrics"]["real_time_conversion"] == r["metrics"]["conversion"] for r in rows)
    assert sum(int(r["metrics"]["conversion"]) for r in rows) > 0

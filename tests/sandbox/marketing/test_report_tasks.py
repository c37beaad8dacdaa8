"""Async report tasks (§2.5): the state machine on the injected clock, downloads, cancel."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tokops.sandbox import Sandbox

from ..conftest import ADVERTISER, Marketing, MockClock, marketing_settings

BODY: dict[str, Any] = {
    "advertiser_id": ADVERTISER,
    "report_type": "BASIC",
    "data_level": "AUCTION_CAMPAIGN",
    "dimensions": ["campaign_id", "stat_time_day"],
    "metrics": ["spend", "impressions", "campaign_name"],
    "start_date": "2025-12-01",
    "end_date": "2026-02-28",  # beyond the sync cap: tasks have none
}


def _create(mk: Marketing, **changes: Any) -> str:
    answer = mk.post("report/task/create/", {**BODY, **changes})
    task_id: str = mk.ok(answer)["task_id"]
    assert task_id.isdigit() and len(task_id) == 19
    return task_id


def _check(mk: Marketing, task_id: str) -> dict[str, Any]:
    return mk.get("report/task/check/", advertiser_id=ADVERTISER, task_id=task_id)


def test_queuing_processing_success(mk: Marketing, clock: MockClock) -> None:
    task_id = _create(mk, enable_report_title_translation=False)
    assert mk.ok(_check(mk, task_id))["status"] == "QUEUING"
    early = mk.raw_get("report/task/download/", advertiser_id=ADVERTISER, task_id=task_id)
    assert early.json()["code"] == 40201
    clock.advance(seconds=3)
    assert mk.ok(_check(mk, task_id))["status"] == "PROCESSING"
    clock.advance(seconds=3)
    assert mk.ok(_check(mk, task_id))["status"] == "SUCCESS"
    response = mk.raw_get("report/task/download/", advertiser_id=ADVERTISER, task_id=task_id)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == [*BODY["dimensions"], *BODY["metrics"]]
    sync = mk.all_rows(
        data_level="AUCTION_CAMPAIGN", dimensions=["campaign_id", "stat_time_day"],
        metrics=["spend"], start_date="2026-02-01", end_date="2026-02-28",
    )  # fmt: skip
    by_key = {(r["campaign_id"], r["stat_time_day"]): r["spend"] for r in rows}
    for row in sync:
        key = (row["dimensions"]["campaign_id"], row["dimensions"]["stat_time_day"])
        assert by_key[key] == row["metrics"]["spend"]


def test_translated_titles_and_country_names(mk: Marketing, clock: MockClock) -> None:
    task_id = _create(
        mk,
        report_type="AUDIENCE",
        dimensions=["country_code"],
        metrics=["spend"],
        start_date="2026-02-01",
        end_date="2026-02-07",
    )
    clock.advance(seconds=10)
    text = mk.raw_get("report/task/download/", advertiser_id=ADVERTISER, task_id=task_id).text
    header, *lines = text.strip().splitlines()
    assert header == "Country,Cost"
    assert {line.split(",")[0] for line in lines} == {"France", "Belgium"}  # TikTok's quirk


def test_csv_download_url(mk: Marketing, clock: MockClock) -> None:
    task_id = _create(mk, output_format="CSV_DOWNLOAD", file_name="q1")
    clock.advance(seconds=10)
    data = mk.ok(mk.get("report/task/download/", advertiser_id=ADVERTISER, task_id=task_id))
    assert data["file_name"] == "q1.csv" and data["output_format"] == "CSV_DOWNLOAD"
    file = mk.client.get(data["download_url"])
    assert file.status_code == 200 and file.text.startswith("Campaign ID,Date,Cost")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"output_format": "XLSX_DOWNLOAD"}, 40009),
        ({"output_format": "PDF"}, 40002),
        ({"metrics": ["nope"]}, 40002),
        (
            {
                "filtering": [
                    {
                        "field_name": "objective_type",
                        "filter_type": "IN",
                        "filter_value": '["REACH"]',
                    }
                ]
            },
            40002,
        ),
    ],
)
def test_create_validation(mk: Marketing, changes: dict[str, Any], code: int) -> None:
    assert mk.post("report/task/create/", {**BODY, **changes})["code"] == code


def test_cancel_and_unknown_tasks(mk: Marketing, clock: MockClock) -> None:
    task_id = _create(mk)
    cancel = mk.post("report/task/cancel/", {"advertiser_id": ADVERTISER, "task_id": task_id})
    assert mk.ok(cancel)["status"] == "CANCELED"
    clock.advance(seconds=10)
    assert mk.ok(_check(mk, task_id))["status"] == "CANCELED"
    assert (
        mk.get("report/task/download/", advertiser_id=ADVERTISER, task_id=task_id)["code"] == 40201
    )
    again = mk.post("report/task/cancel/", {"advertiser_id": ADVERTISER, "task_id": task_id})
    assert again["code"] == 40002
    assert _check(mk, "1400000000000000000")["code"] == 40200
    clock.advance(days=31)
    assert _check(mk, task_id)["code"] == 40200


def test_task_creation_is_limited_to_one_per_second(clock: MockClock) -> None:
    sandbox = Sandbox(marketing_settings(marketing={"qpm": 10**9}), now=clock)
    mk = Marketing(sandbox, clock)
    assert mk.post("report/task/create/", BODY)["code"] == 0
    refused = mk.post("report/task/create/", BODY)
    assert refused["code"] == 40100
    assert refused["message"] == (
        "App [7450000000000000001] reaches the QPS limit 1, current QPS is 2"
    )
    clock.advance(seconds=1)
    assert mk.post("report/task/create/", BODY)["code"] == 0

"""Async report tasks: QUEUING → PROCESSING → SUCCESS | FAILED | CANCELED, download (§2.5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tokops.errors import ServerError
from tokops.tiktok._http import ApiClient, RateLimiter
from tokops.tiktok.marketing import (
    Filter,
    PollPolicy,
    ReportQuery,
    ReportQueryError,
    ReportTaskError,
    ReportTasks,
    ReportTaskTimeout,
)

MakeApi = Callable[..., ApiClient]
ADV = "7000000000000000001"
CSV = (
    "\ufeffad_id,stat_time_day,spend,impressions,ctr\r\n"
    "1900000000000000001,2024-05-01 00:00:00,14.68,1079,1.20\r\n"
    "1900000000000000002,2024-05-01 00:00:00,-,0,-\r\n"
)


def envelope(data: Any, code: int = 0, message: str = "OK") -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": "r", "data": data}


class TaskServer:
    """One task whose state moves along *states* at each check; download per §2.5."""

    def __init__(self, states: list[str], message: str = "", fmt: str = "CSV_STRING") -> None:
        self.states = list(states)
        self.message = message
        self.fmt = fmt
        self.status = "QUEUING"
        self.created: list[dict[str, Any]] = []
        self.checks = 0
        self.cancelled = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/open_api/v1.3/")
        if path == "report/task/create/":
            self.created.append(json.loads(request.content))
            return httpx.Response(200, json=envelope({"task_id": "7351234567890123456"}))
        if path == "report/task/cancel/":
            self.cancelled = json.loads(request.content)["task_id"] == "7351234567890123456"
            return httpx.Response(200, json=envelope({}))
        assert request.url.params["task_id"] == "7351234567890123456"
        if path == "report/task/check/":
            self.checks += 1
            if self.states:
                self.status = self.states.pop(0)
            data = {
                "status": self.status,
                "message": self.message if self.status == "FAILED" else "",
            }
            return httpx.Response(200, json=envelope(data))
        if path == "report/task/download/":
            if self.status != "SUCCESS":
                return httpx.Response(200, json=envelope({}, 40201, "task not ready"))
            if self.fmt == "CSV_STRING":
                return httpx.Response(
                    200, content=CSV.encode(), headers={"content-type": "text/csv"}
                )
            return httpx.Response(200, json=envelope({"download_url": "https://dl.test/r.csv"}))
        raise AssertionError(path)


def query(**kw: Any) -> ReportQuery:
    return ReportQuery(ADV, ("ad_id", "stat_time_day"), ("spend", "impressions", "ctr"),
                       start_date=date(2023, 1, 1), end_date=date(2024, 5, 1), **kw)  # fmt: skip


def tasks(api: ApiClient, clock: Any, **kw: Any) -> ReportTasks:
    return ReportTasks(
        api,
        create_limiter=RateLimiter(1.0, clock=clock, sleep=clock.sleep),
        poll=kw.pop("poll", PollPolicy(first_s=2, factor=2, cap_s=10, timeout_s=60)),
        clock=clock,
        sleep=clock.sleep,
    )


def test_success_path_downloads_and_types_the_csv(make_api: MakeApi, clock: Any) -> None:
    server = TaskServer(["QUEUING", "PROCESSING", "PROCESSING", "SUCCESS"])
    rows = tasks(make_api(server), clock).run(query())
    body = server.created[0]
    assert body["start_date"] == "2023-01-01" and body["end_date"] == "2024-05-01"  # no chunking
    assert body["enable_report_title_translation"] is False
    assert body["output_format"] == "CSV_STRING" and "page" not in body
    assert server.checks == 4 and clock.sleeps == [2, 4, 8]  # backoff between checks
    assert rows[0].dimensions == {"ad_id": "1900000000000000001",
                                  "stat_time_day": "2024-05-01 00:00:00"}  # fmt: skip
    assert rows[0].metrics == {"spend": Decimal("14.68"), "impressions": 1079,
                               "ctr": Decimal("1.20")}  # fmt: skip
    assert rows[1].metrics["spend"] is None and rows[1].metrics["ctr"] is None


def test_failed_raises_with_tiktoks_message(make_api: MakeApi, clock: Any) -> None:
    server = TaskServer(["PROCESSING", "FAILED"], message="metrics conflict")
    client = tasks(make_api(server), clock)
    task_id = client.create(query())
    with pytest.raises(ReportTaskError, match="FAILED: metrics conflict") as info:
        client.wait(ADV, task_id)
    assert info.value.status == "FAILED" and info.value.task_id == task_id


def test_canceled_is_final(make_api: MakeApi, clock: Any) -> None:
    server = TaskServer(["CANCELED"])
    client = tasks(make_api(server), clock)
    with pytest.raises(ReportTaskError, match="CANCELED"):
        client.wait(ADV, client.create(query()))


def test_a_task_that_never_finishes_times_out(make_api: MakeApi, clock: Any) -> None:
    server = TaskServer(["QUEUING"])  # stays QUEUING
    client = tasks(make_api(server), clock)
    with pytest.raises(ReportTaskTimeout):
        client.wait(ADV, client.create(query()))
    assert clock.now <= 60 and server.checks >= 4


def test_complete_is_not_a_state(make_api: MakeApi, clock: Any) -> None:  # the MCP mistake (§7.4)
    client = tasks(make_api(TaskServer(["COMPLETE"])), clock)
    with pytest.raises(ReportTaskError, match="unknown task status"):
        client.check(ADV, "7351234567890123456")


def test_download_before_success_is_not_ready(make_api: MakeApi, clock: Any) -> None:
    client = tasks(make_api(TaskServer(["PROCESSING"]), max_retries=0), clock)
    client.check(ADV, "7351234567890123456")
    with pytest.raises(ServerError) as info:
        client.download(ADV, "7351234567890123456")
    assert info.value.code == 40201


def test_download_formats_give_a_url(make_api: MakeApi, clock: Any) -> None:
    client = tasks(make_api(TaskServer(["SUCCESS"], fmt="CSV_DOWNLOAD")), clock)
    task_id = client.create(query(), output_format="CSV_DOWNLOAD")
    client.wait(ADV, task_id)
    assert client.download(ADV, task_id) == "https://dl.test/r.csv"


def test_cancel(make_api: MakeApi, clock: Any) -> None:
    server = TaskServer(["QUEUING"])
    client = tasks(make_api(server), clock)
    client.cancel(ADV, client.create(query()))
    assert server.cancelled


def test_creation_is_paced_at_one_per_second(make_api: MakeApi, clock: Any) -> None:
    client = tasks(make_api(TaskServer(["SUCCESS"])), clock)
    for _ in range(3):
        client.create(query())
    assert clock.sleeps == pytest.approx([1.0, 1.0])


def test_tasks_refuse_filters_they_do_not_support(make_api: MakeApi, clock: Any) -> None:
    client = tasks(make_api(TaskServer([])), clock)
    with pytest.raises(ReportQueryError, match="filter only on"):
        client.create(query(filters=(Filter("campaign_name", "MATCH", "Spring"),)))
    with pytest.raises(ReportQueryError, match="PLAYABLE_MATERIAL"):
        client.create(query(report_type="PLAYABLE_MATERIAL"))

"""Async report tasks: ``/report/task/create|check|download|cancel/`` (``marketing_api.md`` §2.5).

- create (POST, 1 QPS per app by default): the sync report's fields without paging and
  without the date cap, plus ``output_format`` (``CSV_STRING`` default | ``CSV_DOWNLOAD``;
  ``XLSX_DOWNLOAD`` answers 40009, not emulated), ``file_name`` and
  ``enable_report_title_translation`` (default true: localised column titles; false: field
  names). Filters: ``campaign_ids``, ``adgroup_ids``, ``ad_ids`` (≤ 20,000) and
  ``country_code`` only. At most 500 tasks per ad account per hour (40016, **[EMU]** code).
  Answers ``{task_id}``.
- check: ``QUEUING`` for ``task_queue_seconds``, then ``PROCESSING`` for
  ``task_processing_seconds``, then ``SUCCESS`` — by the injected clock; ``CANCELED`` after a
  cancel; an unknown or expired (30 days) task is 40200.
- download before SUCCESS is 40201. ``CSV_STRING`` answers the raw CSV (no envelope);
  ``CSV_DOWNLOAD`` answers ``{download_url, file_name, output_format}``, the URL serving the
  same CSV for an hour (token needed, **[EMU]**). The data is the report as it stood when
  the task finished. TikTok's known quirk is kept: the ``country_code`` column holds the
  country's *name*.
- cancel (POST): a QUEUING or PROCESSING task becomes CANCELED.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from tokops.sandbox.marketing.context import Family, Market, RouteSpec
from tokops.sandbox.marketing.report_request import ReportQuery, parse_report
from tokops.sandbox.marketing.reports import Reports
from tokops.sandbox.server.envelope import ApiFailure
from tokops.sandbox.server.params import Params, bad
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.server.route_answers import RawAnswer

__all__ = ["CODE_TASK_ERROR", "CODE_TASK_NOT_READY", "ReportTasks"]

CODE_TASK_ERROR: Final = 40200
CODE_TASK_NOT_READY: Final = 40201
CODE_TOO_FREQUENT: Final = 40016
_TASK_FILTERS: Final = frozenset({"campaign_ids", "adgroup_ids", "ad_ids", "country_code"})
_COUNTRY_NAMES: Final = {
    "US": "United States", "CA": "Canada", "MX": "Mexico", "BR": "Brazil", "FR": "France",
    "BE": "Belgium", "DE": "Germany", "GB": "United Kingdom", "ES": "Spain", "IT": "Italy",
    "JP": "Japan", "AU": "Australia", "SG": "Singapore",
}  # fmt: skip
_TITLES: Final = {
    "advertiser_id": "Account ID", "campaign_id": "Campaign ID", "adgroup_id": "Ad group ID",
    "ad_id": "Ad ID", "stat_time_day": "Date", "stat_time_hour": "Hour", "spend": "Cost",
    "ctr": "CTR (destination)", "cpc": "CPC (destination)", "cpm": "CPM",
    "clicks": "Clicks (destination)", "conversion": "Conversions", "country_code": "Country",
}  # fmt: skip


@dataclass
class Task:
    task_id: str
    advertiser_id: str
    query: ReportQuery
    output_format: str
    file_name: str
    translate: bool
    created: datetime
    canceled: datetime | None = None


class ReportTasks(Family):
    def __init__(self, market: Market, reports: Reports) -> None:
        super().__init__(market)
        self.reports = reports
        self.tasks: dict[str, Task] = {}

    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec("POST", "/report/task/create/", self.create, "Create an async report task"),
            RouteSpec("GET", "/report/task/check/", self.check, "Check an async report task"),
            RouteSpec("GET", "/report/task/download/", self.download, "Download a task's report"),
            RouteSpec("POST", "/report/task/cancel/", self.cancel, "Cancel an async report task"),
        ]

    def file_routes(self) -> list[RouteSpec]:
        return [RouteSpec("GET", "/sandbox/report/file/", self.file, "A report task's CSV file")]

    def _done_at(self, task: Task) -> datetime:
        s = self.market.settings.marketing
        return task.created + timedelta(seconds=s.task_queue_seconds + s.task_processing_seconds)

    def status(self, task: Task, now: datetime) -> str:
        if task.canceled is not None:
            return "CANCELED"
        s = self.market.settings.marketing
        if now < task.created + timedelta(seconds=s.task_queue_seconds):
            return "QUEUING"
        return "PROCESSING" if now < self._done_at(task) else "SUCCESS"

    def create(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        query = parse_report(params, self.market.world, task=True)
        extra = [name for name, _, _ in query.filters if name not in _TASK_FILTERS]
        if extra:
            raise bad(
                "Invalid value for filtering: async tasks only filter on "
                f"{sorted(_TASK_FILTERS)}, not {extra!r}."
            )
        fmt = params.enum(
            "output_format", ("CSV_STRING", "CSV_DOWNLOAD", "XLSX_DOWNLOAD"), "CSV_STRING"
        )
        if fmt == "XLSX_DOWNLOAD":
            raise ApiFailure(40009, "XLSX_DOWNLOAD is not supported in the sandbox; use CSV.")
        hour_ago = now - timedelta(hours=1)
        recent = [
            t
            for t in self.tasks.values()
            if t.advertiser_id == adv.advertiser_id and t.created > hour_ago
        ]
        if len(recent) >= 500:
            raise ApiFailure(
                CODE_TOO_FREQUENT,
                f"Too many report tasks for advertiser {adv.advertiser_id}: at most 500 per hour.",
            )
        task = Task(
            task_id=self.market.world.new_id("task"),
            advertiser_id=adv.advertiser_id,
            query=query,
            output_format=fmt,
            file_name=params.string("file_name", max_len=200) or "report",
            translate=params.boolean("enable_report_title_translation", True),
            created=now,
        )
        self.tasks[task.task_id] = task
        return {"task_id": task.task_id}

    def _task(self, params: Params, now: datetime) -> Task:
        adv = self.market.advertiser(params)
        task_id = params.ident("task_id")
        task = self.tasks.get(task_id)
        if (
            task is None
            or task.advertiser_id != adv.advertiser_id
            or now > task.created + timedelta(days=30)
        ):
            raise ApiFailure(CODE_TASK_ERROR, f"Task {task_id} does not exist.")
        return task

    def check(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        task = self._task(Params.of(request), now)
        status = self.status(task, now)
        out: dict[str, Any] = {"task_id": task.task_id, "status": status}
        if status == "CANCELED":
            out["message"] = "The task was canceled."
        return out

    def csv_text(self, task: Task) -> str:
        q = task.query
        result = self.reports.engine.run(q, self._done_at(task))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        columns = [*q.dims, *q.metrics]
        if task.translate:
            writer.writerow([_TITLES.get(c, c.replace("_", " ").capitalize()) for c in columns])
        else:
            writer.writerow(columns)
        for entry in self.reports.engine.rows(q, result.rows):
            dims = dict(entry["dimensions"])
            if "country_code" in dims:
                dims["country_code"] = _COUNTRY_NAMES.get(
                    dims["country_code"], dims["country_code"]
                )
            writer.writerow([*(dims[d] for d in q.dims), *(entry["metrics"][m] for m in q.metrics)])
        return buffer.getvalue()

    def download(self, request: SandboxRequest, now: datetime) -> Any:
        task = self._task(Params.of(request), now)
        status = self.status(task, now)
        if status != "SUCCESS":
            raise ApiFailure(CODE_TASK_NOT_READY, f"Task {task.task_id} is not ready ({status}).")
        if task.output_format == "CSV_STRING":
            return RawAnswer(self.csv_text(task).encode())
        return {
            "download_url": "/sandbox/report/file/"
            f"?task_id={task.task_id}&advertiser_id={task.advertiser_id}",
            "file_name": f"{task.file_name}.csv",
            "output_format": task.output_format,
        }

    def file(self, request: SandboxRequest, now: datetime) -> RawAnswer:
        task = self._task(Params.of(request), now)
        if self.status(task, now) != "SUCCESS" or now > self._done_at(task) + timedelta(hours=1):
            raise ApiFailure(CODE_TASK_NOT_READY, "The download link is not valid.")
        return RawAnswer(self.csv_text(task).encode())

    def cancel(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        task = self._task(Params.of(request), now)
        status = self.status(task, now)
        if status not in ("QUEUING", "PROCESSING"):
            raise bad(f"Invalid value for task_id: a {status} task cannot be canceled.")
        task.canceled = now
        return {"task_id": task.task_id, "status": "CANCELED"}

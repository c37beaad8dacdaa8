"""Async report tasks: create → check → download (→ cancel) (``marketing_api.md`` §2.5).

States: ``QUEUING`` → ``PROCESSING`` → ``SUCCESS`` | ``FAILED`` | ``CANCELED``. The success state
is ``SUCCESS``, not ``COMPLETE`` (a mistake seen in an MCP server, §7.4); any state outside the
five is an error, never "still running".

- ``POST /report/task/create/`` takes the sync fields plus ``output_format`` (``CSV_STRING``
  default, ``CSV_DOWNLOAD``, ``XLSX_DOWNLOAD``), ``file_name`` and
  ``enable_report_title_translation`` (we send **false** so CSV columns are API field names).
  No date limit, no paging; filters only on ``campaign_ids``, ``adgroup_ids``, ``ad_ids`` and
  ``country_code``; ``PLAYABLE_MATERIAL`` is not supported. Creation is limited to **1 QPS per
  app** (the stricter of the conflicting sources, §1.6), so it has its own limiter on top of the
  app-wide one; the ad account also has 500 creations per hour.
- ``GET /report/task/check/`` → ``data.status`` (+ ``message`` when FAILED). Polled with
  exponential backoff until a final state or a timeout.
- ``GET /report/task/download/``: for ``CSV_STRING`` the body is the **raw CSV**, not an
  envelope; for ``*_DOWNLOAD`` the envelope holds ``download_url`` (valid 1 h). 40201 means "not
  ready".
- ``POST /report/task/cancel/ {advertiser_id, task_id}``. Tasks stay valid for 30 days.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

from tokops.errors import TikTokError
from tokops.tiktok._http import ApiClient, RateLimiter
from tokops.tiktok.marketing._wire import get_raw, sid
from tokops.tiktok.marketing.report_query import ReportQuery, ReportQueryError
from tokops.tiktok.marketing.report_rows import ReportRow, parse_csv

__all__ = [
    "FINAL_STATES",
    "TASK_CREATE_QPS",
    "TASK_STATES",
    "OutputFormat",
    "PollPolicy",
    "ReportTaskError",
    "ReportTaskTimeout",
    "ReportTasks",
    "TaskState",
    "TaskStatus",
]

TaskStatus = Literal["QUEUING", "PROCESSING", "SUCCESS", "FAILED", "CANCELED"]
OutputFormat = Literal["CSV_STRING", "CSV_DOWNLOAD", "XLSX_DOWNLOAD"]
TASK_STATES: Final = frozenset({"QUEUING", "PROCESSING", "SUCCESS", "FAILED", "CANCELED"})
FINAL_STATES: Final = frozenset({"SUCCESS", "FAILED", "CANCELED"})
TASK_CREATE_QPS: Final = 1.0
TASK_FILTERS: Final = frozenset({"campaign_ids", "adgroup_ids", "ad_ids", "country_code"})


def _tid(task_id: str) -> str:
    text = str(task_id).strip()
    if not text:
        raise ValueError("task_id is empty")
    return text


class ReportTaskError(TikTokError):
    """An async report task ended in FAILED or CANCELED (or reported an unknown state)."""

    def __init__(self, task_id: str, status: str, message: str = "") -> None:
        self.task_id = task_id
        self.status = status
        self.message = message
        detail = f": {message}" if message else ""
        super().__init__(f"report task {task_id} is {status}{detail}")


class ReportTaskTimeout(ReportTaskError):
    """The task did not reach a final state in time (it may still finish: check it later)."""


@dataclass(frozen=True)
class TaskState:
    """One answer of ``/report/task/check/``."""

    task_id: str
    status: TaskStatus
    message: str = ""

    @property
    def done(self) -> bool:
        return self.status in FINAL_STATES


@dataclass(frozen=True)
class PollPolicy:
    """Backoff between checks: ``first_s · factor^n`` capped at ``cap_s``; give up after
    ``timeout_s``."""

    first_s: float = 2.0
    factor: float = 1.5
    cap_s: float = 60.0
    timeout_s: float = 1800.0

    def delay(self, n: int) -> float:
        return float(min(self.cap_s, self.first_s * self.factor**n))


class ReportTasks:
    """Async report tasks with their own 1 QPS creation limiter and a polling state machine."""

    def __init__(
        self,
        api: ApiClient,
        *,
        create_limiter: RateLimiter | None = None,
        poll: PollPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api = api
        self.create_limiter = create_limiter or RateLimiter(TASK_CREATE_QPS)
        self.poll = poll or PollPolicy()
        self._clock = clock
        self._sleep = sleep

    def create(
        self,
        query: ReportQuery,
        *,
        output_format: OutputFormat = "CSV_STRING",
        file_name: str | None = None,
    ) -> str:
        """Start a task for *query* (dates not chunked: tasks have no range limit)."""
        query.validate()
        if query.report_type == "PLAYABLE_MATERIAL":
            raise ReportQueryError("PLAYABLE_MATERIAL reports cannot run as async tasks")
        bad = sorted({f.field_name for f in query.filters} - TASK_FILTERS)
        if bad:
            raise ReportQueryError(
                f"async tasks filter only on {', '.join(sorted(TASK_FILTERS))}; got {bad}"
            )
        body: dict[str, Any] = query.params(None)
        if not query.query_lifetime and query.start_date and query.end_date:
            body["start_date"] = query.start_date.isoformat()
            body["end_date"] = query.end_date.isoformat()
        body["output_format"] = output_format
        body["enable_report_title_translation"] = False
        if file_name:
            body["file_name"] = file_name
        self.create_limiter.acquire()
        data = self.api.post("report/task/create/", json=body)
        task_id = data.get("task_id") if isinstance(data, dict) else None
        if task_id in (None, ""):
            raise TikTokError("report/task/create/: the answer has no task_id")
        return str(task_id)

    def check(self, advertiser_id: str, task_id: str) -> TaskState:
        """The task's current state; an unknown state raises :class:`ReportTaskError`."""
        data = self.api.get(
            "report/task/check/",
            params={
                "advertiser_id": sid(advertiser_id, name="advertiser_id"),
                "task_id": _tid(task_id),
            },
        )
        data = data if isinstance(data, dict) else {}
        status = str(data.get("status", ""))
        if status not in TASK_STATES:
            raise ReportTaskError(task_id, status or "<missing>", "unknown task status")
        return TaskState(task_id, cast(TaskStatus, status), str(data.get("message") or ""))

    def wait(self, advertiser_id: str, task_id: str) -> TaskState:
        """Poll until SUCCESS; FAILED / CANCELED raise :class:`ReportTaskError`, time-out
        :class:`ReportTaskTimeout`."""
        deadline = self._clock() + self.poll.timeout_s
        n = 0
        while True:
            state = self.check(advertiser_id, task_id)
            if state.status == "SUCCESS":
                return state
            if state.done:
                raise ReportTaskError(task_id, state.status, state.message)
            wait = self.poll.delay(n)
            if self._clock() + wait > deadline:
                raise ReportTaskTimeout(task_id, state.status, "gave up waiting")
            self._sleep(wait)
            n += 1

    def download(self, advertiser_id: str, task_id: str) -> str:
        """The CSV text (``CSV_STRING``) or the ``download_url`` (``*_DOWNLOAD`` formats)."""
        answer = get_raw(
            self.api,
            "report/task/download/",
            {"advertiser_id": sid(advertiser_id, name="advertiser_id"), "task_id": _tid(task_id)},
        )
        if not answer.is_envelope:
            return answer.body.decode("utf-8-sig")
        data = answer.data if isinstance(answer.data, dict) else {}
        url = data.get("download_url")
        if not url:
            raise TikTokError("report/task/download/: neither CSV nor download_url in the answer")
        return str(url)

    def cancel(self, advertiser_id: str, task_id: str) -> None:
        self.api.post(
            "report/task/cancel/",
            json={
                "advertiser_id": sid(advertiser_id, name="advertiser_id"),
                "task_id": _tid(task_id),
            },
        )

    def run(self, query: ReportQuery) -> list[ReportRow]:
        """Create, wait for SUCCESS, download the CSV and type its rows."""
        task_id = self.create(query)
        self.wait(query.advertiser_id, task_id)
        text = self.download(query.advertiser_id, task_id)
        return list(parse_csv(text, query.dimensions))

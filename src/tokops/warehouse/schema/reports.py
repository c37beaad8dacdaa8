"""The reports' own records: schedules and the send log of the scheduler (KPI-6).

``tokops report schedule`` writes a schedule; ``tokops scheduler`` writes one send-log row per
firing **before** the mail goes (status ``sending``), so a restart never sends twice.
"""

from __future__ import annotations

from typing import Final

from tokops.warehouse.schema.columns import col
from tokops.warehouse.schema.table import Table

__all__ = ["REPORT_SCHEDULES", "REPORT_SENDS"]

REPORT_SCHEDULES: Final = Table(
    "report_schedules",
    "Reports mailed on a schedule (tokops report schedule).",
    "one row per schedule",
    ("schedule_id",),
    (
        col("schedule_id", "id", "Schedule ID (tokops report schedules)."),
        col("report", "text", "Report template name (tokops report list)."),
        col("every", "text", "As written: daily, weekly, monthly or a cron expression."),
        col("cron", "text", "The cron expression it runs on (UTC)."),
        col("range_name", "text", "The named range each issue covers."),
        col("recipients", "json", "Recipient addresses (JSON list)."),
        col("advertiser_ids", "json", "Ad accounts kept (JSON list; empty: all)."),
        col("owner", "text", "Who is told when an issue is held (an address)."),
        col("review", "bool", "Each issue waits for tokops report approve before it is sent."),
        col("max_age_days", "count", "Freshness rule: data may end at most this many days ago."),
        col("next_run_at", "timestamp", "When it fires next (UTC)."),
        col("created_at", "timestamp", "When it was created (UTC)."),
    ),
    group="reports",
)
REPORT_SENDS: Final = Table(
    "report_sends",
    "The send log: one row per firing of a schedule, written before the mail goes.",
    "one row per firing",
    ("send_id",),
    (
        col("send_id", "id", "Send ID (tokops report approve ID)."),
        col("schedule_id", "id", "The schedule (report_schedules)."),
        col("due_at", "timestamp", "The firing this row is for (UTC)."),
        col("range_start", "date", "First day the issue covers."),
        col("range_end", "date", "Last day the issue covers."),
        col(
            "status",
            "text",
            "sending | sent | failed | held-stale | held-review | approved | interrupted.",
        ),
        col("reason", "text", "Why it was held, failed or interrupted (plain words)."),
        col("updated_at", "timestamp", "When the status last changed (UTC)."),
    ),
    group="reports",
)

"""Split tests: ``/split_test/create|update|end|promote/`` and ``/split_test/result/get/``
(``marketing_api.md`` §6.1; KPI-5e).

Only ``/split_test/promote/`` is confirmed by a DOC page; the other shapes come from third-party
generated types and are **unconfirmed** (field names included). The official SDK has none of these.

- ``split_test_level`` ``ADGROUP`` | ``CAMPAIGN``; two cells (``object_ids``);
  ``test_variable`` ``BIDDING_OPTIMIZATION`` | ``TARGTING`` (sic) | ``CREATIVE`` | ``CUSTOM``.
- Result: ``split_test_status`` ∈ ``UNKNOWN`` | ``NOT_STARTED`` | ``IN_PROGRESS`` |
  ``REPORTING_GENERATING`` | ``COMPLETED`` | ``CANCELLED``, ``cells``, ``key_metric`` and
  ``p_value_info: [{metric, p_value}]``. TikTok declares a winner at 90 % confidence; reading that
  as ``p_value < 0.10`` is an inference (§6.1).
- Promote (ad-group tests only) pauses the loser and raises the winner's budget.
- KPI-5e: tests run at least 7 days; shorter ones are refused unless ``allow_short=True``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

from pydantic import Field, field_validator

from tokops.errors import TikTokError
from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing._wire import json_body, sid, sids
from tokops.tiktok.marketing.models import WireModel

__all__ = ["MIN_DAYS", "SplitTestResult", "SplitTests", "SplitVariable"]

SplitVariable = Literal["BIDDING_OPTIMIZATION", "TARGTING", "CREATIVE", "CUSTOM"]
MIN_DAYS: Final = 7
SIGNIFICANCE: Final = Decimal("0.10")
_TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"


class SplitTestResult(WireModel):
    """``/split_test/result/get/`` data (unknown fields are kept in ``model_extra``)."""

    split_test_group_id: str | None = None
    split_test_status: str | None = None
    split_test_level: str | None = None
    test_variable: str | None = None
    key_metric: str | None = None
    start_time: datetime | None = None
    """Start of the test (UTC; sent as ``"YYYY-MM-DD HH:MM:SS"``)."""
    end_time: datetime | None = None
    """Planned end, or when it was ended early (UTC)."""
    object_info: list[dict[str, Any]] = Field(default_factory=list)
    cells: list[dict[str, Any]] = Field(default_factory=list)
    p_values: dict[str, Decimal | None] = Field(default_factory=dict, alias="p_value_info")
    winning_object_id: str | None = None
    """The platform's winner once the test is over and significant; ``None`` otherwise."""
    is_significant: bool | None = None

    @field_validator("start_time", "end_time", mode="before")
    @classmethod
    def _utc(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            try:
                return datetime.strptime(value.strip()[:19], _TIME_FORMAT).replace(tzinfo=UTC)
            except ValueError:
                return value
        return value or None

    @field_validator("winning_object_id", mode="before")
    @classmethod
    def _empty_id(cls, value: Any) -> Any:
        return None if value in ("", 0, "0") else value

    @property
    def object_ids(self) -> tuple[str, ...]:
        """The cells' object IDs (ad groups or campaigns), control first, as the API lists them."""
        rows = self.object_info or self.cells
        return tuple(str(r["object_id"]) for r in rows if r.get("object_id") not in (None, ""))

    @property
    def key_p_value(self) -> Decimal | None:
        return self.p_values.get(self.key_metric or "")

    @field_validator("p_values", mode="before")
    @classmethod
    def _p_values(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value or {}
        out: dict[str, Decimal | None] = {}
        for item in value:
            if isinstance(item, dict) and item.get("metric"):
                try:
                    out[str(item["metric"])] = Decimal(str(item.get("p_value")))
                except InvalidOperation:
                    out[str(item["metric"])] = None
        return out

    def significant(self, metric: str | None = None) -> bool | None:
        """Whether *metric* (default: the key metric) beat 90 % confidence; None if unknown."""
        p = self.p_values.get(metric or self.key_metric or "")
        return None if p is None else p < SIGNIFICANCE


class SplitTests:
    """Split-test calls."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def create(
        self,
        advertiser_id: str,
        *,
        object_ids: list[str],
        test_variable: SplitVariable,
        key_metric: str,
        start_time: datetime,
        end_time: datetime,
        split_test_level: Literal["ADGROUP", "CAMPAIGN"] = "ADGROUP",
        budget: Decimal | None = None,
        allow_short: bool = False,
    ) -> str:
        """Start a two-cell test; returns ``split_test_group_id``. Times are UTC."""
        ids = sids(object_ids, name="object_ids")
        if len(ids) != 2 or ids[0] == ids[1]:
            raise ValueError("a split test compares exactly two different objects")
        if end_time - start_time < timedelta(days=MIN_DAYS) and not allow_short:
            raise ValueError(f"a split test should run at least {MIN_DAYS} days (KPI-5e)")
        body = {
            "advertiser_id": sid(advertiser_id, name="advertiser_id"),
            "split_test_level": split_test_level,
            "object_ids": ids,
            "test_variable": test_variable,
            "key_metric": key_metric,
            "budget": budget,
            "start_time": start_time.strftime(_TIME_FORMAT),
            "end_time": end_time.strftime(_TIME_FORMAT),
        }
        data = self.api.post("split_test/create/", json=json_body(body))
        group = data.get("split_test_group_id") if isinstance(data, dict) else None
        if group in (None, ""):
            raise TikTokError("split_test/create/: the answer has no split_test_group_id")
        return str(group)

    def update(self, advertiser_id: str, split_test_group_id: str, *, end_time: datetime) -> None:
        """Move the end of a running test."""
        self.api.post(
            "split_test/update/",
            json={
                "advertiser_id": sid(advertiser_id, name="advertiser_id"),
                "split_test_group_id": sid(split_test_group_id, name="split_test_group_id"),
                "end_time": end_time.strftime(_TIME_FORMAT),
            },
        )

    def end(self, advertiser_id: str, split_test_group_id: str) -> None:
        """End a test early."""
        self.api.post(
            "split_test/end/",
            json={
                "advertiser_id": sid(advertiser_id, name="advertiser_id"),
                "split_test_group_id": sid(split_test_group_id, name="split_test_group_id"),
            },
        )

    def result(self, advertiser_id: str, split_test_group_id: str) -> SplitTestResult:
        data = self.api.get(
            "split_test/result/get/",
            params={
                "advertiser_id": sid(advertiser_id, name="advertiser_id"),
                "split_test_group_id": sid(split_test_group_id, name="split_test_group_id"),
            },
        )
        return SplitTestResult.model_validate(data if isinstance(data, dict) else {})

    def promote(self, advertiser_id: str, split_test_group_id: str, winning_object_id: str) -> None:
        """Keep the winner of an ad-group test (DOC:1742666543736834)."""
        self.api.post(
            "split_test/promote/",
            json={
                "advertiser_id": sid(advertiser_id, name="advertiser_id"),
                "split_test_group_id": sid(split_test_group_id, name="split_test_group_id"),
                "winning_object_id": sid(winning_object_id, name="winning_object_id"),
            },
        )

"""``GET /report/integrated/get/``: the synchronous report (``marketing_api.md`` §2.1).

Validation in :mod:`.report_request`, computation in :mod:`.report_engine`. The answer is
``{list: [{dimensions, metrics}], page_info}`` plus ``total_metrics`` when
``enable_total_metrics`` is true (one ID dimension, optionally with ``stat_time_day``).
A result truncated at the ad cap carries the ``X-Tt-Ads-Throttle`` header (**[UNCONFIRMED]**
value: we send ``1``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tokops.sandbox.marketing.context import Family, Market, RouteSpec
from tokops.sandbox.marketing.report_engine import ReportEngine
from tokops.sandbox.marketing.report_request import CONFLICT, ID_DIMS, parse_report
from tokops.sandbox.server.paging import page_info, page_params, page_slice
from tokops.sandbox.server.params import Params, bad
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.server.route_answers import Answer

__all__ = ["THROTTLE_HEADER", "Reports"]

THROTTLE_HEADER = "X-Tt-Ads-Throttle"


class Reports(Family):
    def __init__(self, market: Market) -> None:
        super().__init__(market)
        self._engine: ReportEngine | None = None

    @property
    def engine(self) -> ReportEngine:
        if self._engine is None:
            self._engine = ReportEngine(self.market.world)
        return self._engine

    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec(
                "GET", "/report/integrated/get/", self.integrated_get, "Run a synchronous report"
            )
        ]

    def integrated_get(self, request: SandboxRequest, now: datetime) -> Answer:
        params = Params.of(request)
        query = parse_report(params, self.market.world)
        page, size = page_params(params)
        if query.total_metrics:
            others = [d for d in query.dims if d not in ID_DIMS and d != "stat_time_day"]
            if others or query.id_dim is None:
                raise bad(CONFLICT)
        engine = self.engine
        result = engine.run(query, now)
        rows = page_slice(result.rows, page, size)
        data: dict[str, Any] = {
            "list": engine.rows(query, rows),
            "page_info": page_info(len(result.rows), page, size),
        }
        if query.total_metrics:
            data["total_metrics"] = engine.totals(query, result.totals)
        headers = {THROTTLE_HEADER: "1"} if result.truncated else {}
        return Answer(data, headers)

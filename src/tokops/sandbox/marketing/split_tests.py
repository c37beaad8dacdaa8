"""Split tests (``marketing_api.md`` §6.1, KPI-5e; **[UNCONFIRMED]** field names partly).

- ``POST /split_test/create/``: ``advertiser_id``, ``split_test_level`` ADGROUP | CAMPAIGN,
  ``object_ids`` (exactly 2, or ``cells: [{object_ids}]``), ``test_variable``
  (BIDDING_OPTIMIZATION | TARGTING (sic) | CREATIVE | CUSTOM), ``key_metric``, ``start_time``
  and ``end_time`` (UTC; at most 30 days apart) → ``{split_test_group_id}``. Ad-group tests
  need two live ad groups of one campaign, not already under test.
- ``POST /split_test/update/`` (a new ``end_time``), ``POST /split_test/end/`` (end now).
- ``GET /split_test/result/get/``: ``split_test_status`` NOT_STARTED → IN_PROGRESS →
  REPORTING_GENERATING (24 h after the end) → COMPLETED; per-cell metrics over the test
  window from the delivery simulator; ``p_value_info`` per metric; a ``winning_object_id``
  once COMPLETED with p < 0.10 on the key metric (TikTok's 90 % confidence).
- ``POST /split_test/promote/``: ad-group tests only; pauses the loser and doubles the
  winner's budget.

**[EMU]** Statistics: a two-proportion z-test for rate metrics (CTR, CVR, …) and, for cost
metrics, a test of conversions (or clicks, impressions) per unit of spend — conditional on the
total, arm B's share is binomial with p = its share of spend.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from tokops.sandbox.marketing.campaign_write import set_status
from tokops.sandbox.marketing.context import Family, RouteSpec
from tokops.sandbox.server.params import Params, bad
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.world.ids import fmt_time
from tokops.sandbox.world.model import Advertiser, SplitTest

__all__ = ["KEY_METRICS", "SplitTests", "p_value_proportions", "p_value_rates"]

KEY_METRICS: Final = {
    # key metric → (numerator, denominator, kind, higher is better)
    "CONVERT_RATE": ("conversion", "clicks", "prop", True),
    "CLICK_THROUGH_RATE": ("clicks", "impressions", "prop", True),
    "COST_PER_CONVERT": ("conversion", "spend", "rate", True),
    "COST_PER_CLICK": ("clicks", "spend", "rate", True),
    "COST_PER_SHOW": ("impressions", "spend", "rate", True),
    "COST_PER_REACH": ("impressions", "spend", "rate", True),
    "COMPLETE_PAYMENT_ROAS": ("conversion", "spend", "rate", True),
    "CONVERT": ("conversion", "spend", "rate", True),
    "CLICK": ("clicks", "spend", "rate", True),
    "SHOW": ("impressions", "spend", "rate", True),
    "REACH": ("impressions", "spend", "rate", True),
    "COST": ("impressions", "spend", "rate", True),
}
_VARIABLES: Final = ("BIDDING_OPTIMIZATION", "TARGTING", "CREATIVE", "CUSTOM")


def _two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2.0))


def p_value_proportions(x_a: int, n_a: int, x_b: int, n_b: int) -> float:
    """Pooled two-proportion z-test, two-sided."""
    if n_a <= 0 or n_b <= 0:
        return 1.0
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    return 1.0 if se == 0 else _two_sided((x_b / n_b - x_a / n_a) / se)


def p_value_rates(x_a: int, s_a: float, x_b: int, s_b: float) -> float:
    """Counts per unit of spend: B's share of the total vs its share of spend (two-sided)."""
    n = x_a + x_b
    if n <= 0 or s_a + s_b <= 0:
        return 1.0
    p = s_b / (s_a + s_b)
    se = math.sqrt(n * p * (1 - p))
    return 1.0 if se == 0 else _two_sided((x_b - n * p) / se)


class SplitTests(Family):
    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec("POST", "/split_test/create/", self.create, "Create a split test"),
            RouteSpec("POST", "/split_test/update/", self.update, "Change a split test's end"),
            RouteSpec("POST", "/split_test/end/", self.end, "End a split test early"),
            RouteSpec("GET", "/split_test/result/get/", self.result, "Get split test results"),
            RouteSpec("POST", "/split_test/promote/", self.promote, "Promote a split test winner"),
        ]

    def _test(self, adv: Advertiser, params: Params) -> SplitTest:
        group_id = params.ident("split_test_group_id")
        missing = f"Invalid value for split_test_group_id: {group_id} not found."
        return self.market.owned(self.market.world.split_tests, adv, group_id, missing)

    def create(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        w = self.market.world
        level = params.enum("split_test_level", ("ADGROUP", "CAMPAIGN"))
        ids = params.strings("object_ids")
        cells = params.raw("cells")
        if ids is None and isinstance(cells, list):
            ids = [str(i) for c in cells if isinstance(c, dict) for i in c.get("object_ids", [])]
        if not ids or len(ids) != 2 or ids[0] == ids[1]:
            raise bad("Invalid value for object_ids: exactly two different objects.")
        variable = params.enum("test_variable", _VARIABLES)
        key_metric = params.enum("key_metric", tuple(KEY_METRICS))
        start = params.timestamp("start_time", required=True)
        end = params.timestamp("end_time", required=True)
        assert start is not None and end is not None
        if end <= start or end - start > timedelta(days=30):
            raise bad("Invalid value for end_time: after start_time, at most 30 days later.")
        if level == "ADGROUP":
            groups = [w.adgroups.get(i) for i in ids]
            if any(g is None or g.advertiser_id != adv.advertiser_id or g.deleted for g in groups):
                raise bad("Invalid value for object_ids: live ad groups of this ad account.")
            a, b = groups
            assert a is not None and b is not None
            if a.campaign_id != b.campaign_id:
                raise bad("Invalid value for object_ids: both ad groups must be in one campaign.")
            if a.split_test_group_id or b.split_test_group_id:
                raise bad("Invalid value for object_ids: an ad group is already under test.")
        else:
            for i in ids:
                c = w.campaigns.get(i)
                if c is None or c.advertiser_id != adv.advertiser_id or c.deleted:
                    raise bad("Invalid value for object_ids: live campaigns of this ad account.")
        test = SplitTest(
            w.new_id("split_test"), adv.advertiser_id, level, (ids[0], ids[1]), variable,
            key_metric, start, end, now,
        )  # fmt: skip
        w.split_tests[test.split_test_group_id] = test
        if level == "ADGROUP":
            for i in ids:
                w.adgroups[i].split_test_group_id = test.split_test_group_id
        w.touch()
        return {"split_test_group_id": test.split_test_group_id}

    def update(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        test = self._test(self.market.advertiser(params), params)
        end = params.timestamp("end_time", required=True)
        assert end is not None
        if end <= max(test.start, now) or end - test.start > timedelta(days=30):
            raise bad("Invalid value for end_time: in the future, at most 30 days after the start.")
        test.end = end
        return {}

    def end(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        test = self._test(self.market.advertiser(params), params)
        if now < test.end and test.ended_early is None:
            test.ended_early = max(now, test.start)
        return {}

    @staticmethod
    def status(test: SplitTest, now: datetime) -> str:
        end = test.ended_early or test.end
        if now < test.start:
            return "NOT_STARTED"
        if now < end:
            return "IN_PROGRESS"
        return "REPORTING_GENERATING" if now < end + timedelta(hours=24) else "COMPLETED"

    def _cell(self, test: SplitTest, object_id: str, now: datetime) -> dict[str, float]:
        w = self.market.world
        end = min(test.ended_early or test.end, now)
        sums = {"spend": 0.0, "impressions": 0.0, "clicks": 0.0, "conversion": 0.0}
        attr = "adgroup_id" if test.level == "ADGROUP" else "campaign_id"
        for ad in w.ads_of(test.advertiser_id):
            if getattr(ad, attr) != object_id:
                continue
            m = w.sim.model(ad)
            clock_days = range(
                test.start.astimezone(ZoneInfo(m.tz)).date().toordinal(),
                end.astimezone(ZoneInfo(m.tz)).date().toordinal() + 1,
            )
            for ordinal in clock_days:
                rec = w.sim.day(m, ordinal, now.timestamp())
                if rec is not None:
                    sums["spend"] += rec[0] / 100
                    sums["impressions"] += rec[1]
                    sums["clicks"] += rec[3]
                    sums["conversion"] += rec[22] + rec[24] + rec[26] + rec[27]
        return sums

    def result(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        test = self._test(self.market.advertiser(params), params)
        status = self.status(test, now)
        cells = [(i, self._cell(test, i, now)) for i in test.object_ids]
        (_, a), (_, b) = cells
        p_values = {
            "CONVERT_RATE": p_value_proportions(
                int(a["conversion"]), int(a["clicks"]), int(b["conversion"]), int(b["clicks"])
            ),
            "CLICK_THROUGH_RATE": p_value_proportions(
                int(a["clicks"]), int(a["impressions"]), int(b["clicks"]), int(b["impressions"])
            ),
            "COST_PER_CONVERT": p_value_rates(
                int(a["conversion"]), a["spend"], int(b["conversion"]), b["spend"]
            ),
            "COST_PER_CLICK": p_value_rates(
                int(a["clicks"]), a["spend"], int(b["clicks"]), b["spend"]
            ),
        }
        numerator, denominator, kind, _ = KEY_METRICS[test.key_metric]
        key_p = p_values.get(test.key_metric)
        if key_p is None:
            fn = p_value_proportions if kind == "prop" else p_value_rates
            key_p = fn(int(a[numerator]), a[denominator], int(b[numerator]), b[denominator])  # type: ignore[arg-type]
            p_values[test.key_metric] = key_p
        winner = None
        if status == "COMPLETED" and key_p < 0.10:
            ratio_a = a[numerator] / a[denominator] if a[denominator] else 0.0
            ratio_b = b[numerator] / b[denominator] if b[denominator] else 0.0
            winner = test.object_ids[1] if ratio_b > ratio_a else test.object_ids[0]
        return {
            "split_test_group_id": test.split_test_group_id,
            "split_test_status": status,
            "split_test_level": test.level,
            "test_variable": test.test_variable,
            "key_metric": test.key_metric,
            "start_time": fmt_time(test.start),
            "end_time": fmt_time(test.ended_early or test.end),
            "object_info": [{"object_id": i} for i in test.object_ids],
            "cells": [
                {
                    "object_id": i,
                    "metrics": {
                        "spend": f"{c['spend']:.2f}",
                        "impressions": str(int(c["impressions"])),
                        "clicks": str(int(c["clicks"])),
                        "conversion": str(int(c["conversion"])),
                        "ctr": f"{c['clicks'] * 100 / c['impressions']:.2f}"
                        if c["impressions"]
                        else "0.00",
                        "conversion_rate": f"{c['conversion'] * 100 / c['clicks']:.2f}"
                        if c["clicks"]
                        else "0.00",
                        "cost_per_conversion": f"{c['spend'] / c['conversion']:.2f}"
                        if c["conversion"]
                        else "0.00",
                    },
                }
                for i, c in cells
            ],
            "p_value_info": [{"metric": k, "p_value": round(v, 6)} for k, v in p_values.items()],
            "winning_object_id": winner,
            "is_significant": winner is not None,
        }

    def promote(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        test = self._test(self.market.advertiser(params), params)
        if test.level != "ADGROUP":
            raise bad("Only ad group split tests can be promoted.")
        winner = params.ident("winning_object_id")
        if winner not in test.object_ids:
            raise bad("Invalid value for winning_object_id: one of the test's ad groups.")
        if self.status(test, now) not in ("COMPLETED", "REPORTING_GENERATING"):
            raise bad("The split test has not ended yet.")
        w = self.market.world
        loser = next(i for i in test.object_ids if i != winner)
        set_status(w.adgroups[loser], "DISABLE", now)
        group = w.adgroups[winner]
        group.budget = round(group.budget * 2, 2)
        group.budget_log.append((now, group.budget))
        group.modified = now
        test.promoted = winner
        w.touch()
        return {"split_test_group_id": test.split_test_group_id, "winning_object_id": winner}

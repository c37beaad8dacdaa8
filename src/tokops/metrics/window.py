"""The one date and account filter of the daily report tables (KPI-1, KPI-5a).

``start <= stat_date <= end`` (both optional), the accounts asked for, and one currency. The KPI
roll-ups (:mod:`.compute`), the measure sums (:mod:`.query`) and the insights built on them all
filter through :meth:`Window.restrict`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["ALL_TIME", "Window"]


@dataclass(frozen=True, slots=True)
class Window:
    """Which daily rows to read: ``start <= stat_date <= end``, optional account filter.

    *currency* keeps the rows reported in that currency only (one table per currency).
    """

    start: dt.date | None = None
    end: dt.date | None = None
    advertiser_ids: tuple[str, ...] = ()
    currency: str | None = None

    def restrict(self, t: ir.Table) -> ir.Table:
        """*t* (a daily report table) filtered to this window."""
        if self.start is not None:
            t = t.filter(t.stat_date >= self.start)
        if self.end is not None:
            t = t.filter(t.stat_date <= self.end)
        if self.advertiser_ids:
            t = t.filter(t.advertiser_id.isin(list(self.advertiser_ids)))
        if self.currency is not None:
            t = t.filter(t.currency == self.currency)
        return t


ALL_TIME = Window()
"""No filter: every row."""

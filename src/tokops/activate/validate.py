"""Row validation in the engine: each rejected row gets one fixed reason (EVT-1, EVT-3, EVT-9).

Reasons are fixed sentences (never the rejected value), so they can be counted ("top rejection
reasons") and stored without leaking PII. When several checks fail, the first in
:data:`REASON_ORDER` is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["REASON_ORDER", "Checks", "Reason", "first_reason", "reason_text"]


class Reason:
    """Every reason a row can be invalid (before anything is sent)."""

    MISSING_EVENT: Final = "missing event name"
    NOT_STANDARD_EVENT: Final = "offline event is not a standard event"
    MISSING_TIME: Final = "missing event time"
    BAD_TIME: Final = "unparseable event time"
    FUTURE_TIME: Final = "event time in the future"
    BAD_EMAIL: Final = "invalid email"
    BAD_PHONE: Final = "invalid phone"
    BAD_VALUE: Final = "non-numeric value"
    NEGATIVE_VALUE: Final = "negative value"
    BAD_CURRENCY: Final = "unknown currency"
    BAD_NUM_ITEMS: Final = "num_items is not a whole number"
    WEB_WITHOUT_URL: Final = "web event without page url"
    CRM_WITHOUT_LEAD: Final = "crm event without lead_id"
    OFFLINE_WITHOUT_KEY: Final = "offline event without email, phone or external_id"
    MALFORMED_LINE: Final = "malformed CSV line"

    @staticmethod
    def too_old(days: int) -> str:
        return f"event time older than {days} days"


REASON_ORDER: Final = (
    "missing_event",
    "not_standard_event",
    "missing_time",
    "bad_time",
    "future_time",
    "too_old",
    "bad_email",
    "bad_phone",
    "bad_value",
    "negative_value",
    "bad_currency",
    "bad_num_items",
    "web_without_url",
    "crm_without_lead",
    "offline_without_key",
)


@dataclass(frozen=True)
class Checks:
    """One boolean expression per check (True = the row fails it); None = not applicable."""

    missing_event: ir.BooleanValue
    missing_time: ir.BooleanValue
    bad_time: ir.BooleanValue
    future_time: ir.BooleanValue
    too_old: ir.BooleanValue
    max_age_days: int
    not_standard_event: ir.BooleanValue | None = None
    bad_email: ir.BooleanValue | None = None
    bad_phone: ir.BooleanValue | None = None
    bad_value: ir.BooleanValue | None = None
    negative_value: ir.BooleanValue | None = None
    bad_currency: ir.BooleanValue | None = None
    bad_num_items: ir.BooleanValue | None = None
    web_without_url: ir.BooleanValue | None = None
    crm_without_lead: ir.BooleanValue | None = None
    offline_without_key: ir.BooleanValue | None = None


_TEXT: Final = {
    "missing_event": Reason.MISSING_EVENT,
    "not_standard_event": Reason.NOT_STANDARD_EVENT,
    "missing_time": Reason.MISSING_TIME,
    "bad_time": Reason.BAD_TIME,
    "future_time": Reason.FUTURE_TIME,
    "bad_email": Reason.BAD_EMAIL,
    "bad_phone": Reason.BAD_PHONE,
    "bad_value": Reason.BAD_VALUE,
    "negative_value": Reason.NEGATIVE_VALUE,
    "bad_currency": Reason.BAD_CURRENCY,
    "bad_num_items": Reason.BAD_NUM_ITEMS,
    "web_without_url": Reason.WEB_WITHOUT_URL,
    "crm_without_lead": Reason.CRM_WITHOUT_LEAD,
    "offline_without_key": Reason.OFFLINE_WITHOUT_KEY,
}


def reason_text(check: str) -> str:
    """The fixed sentence of a check (``too_old`` needs its days: see :meth:`Reason.too_old`)."""
    return _TEXT[check]


def first_reason(checks: Checks) -> ir.StringValue:
    """The reason of the first failing check, or NULL for a valid row."""
    branches: list[tuple[ir.BooleanValue, str]] = []
    for name in REASON_ORDER:
        cond: ir.BooleanValue | None = getattr(checks, name)
        if cond is None:
            continue
        text = Reason.too_old(checks.max_age_days) if name == "too_old" else _TEXT[name]
        branches.append((cond.fill_null(False), text))
    result: ir.StringValue = ibis.cases(*branches, else_=ibis.null()).cast("string")
    return result

"""Validation vocabulary shared by the event routes: names, currencies, match keys, type checks.

Everything here is taken from ``events_api.md`` (§1.3–§1.5, §2, §3) and written independently
of the client in ``tokops.tiktok``, so that a misreading of the spec is not mirrored.

A failed check raises :class:`Invalid` with the JSON path of the bad value (``data.3.event_id``)
so a client can tell which event made TikTok reject the whole request.
"""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = [
    "CURRENCIES",
    "EMPTY_SHA256",
    "EVENT_SOURCES",
    "FLAG_EMAIL_UNHASHED",
    "FLAG_EMPTY_HASH",
    "FLAG_PHONE_UNHASHED",
    "KEY_EMAIL",
    "KEY_EXTERNAL_ID",
    "KEY_IP_UA",
    "KEY_PHONE",
    "KEY_TTCLID",
    "KEY_TTP",
    "MATCH_KEYS",
    "STANDARD_EVENTS",
    "HashedIds",
    "Invalid",
    "hashed_ids",
    "is_number",
    "optional_str",
]

EVENT_SOURCES: Final = ("web", "app", "offline", "crm")

#: Web / offline / CRM standard events, case-sensitive (Sept 2025 list, spec §2).
STANDARD_EVENTS: Final = frozenset(
    {
        "AddPaymentInfo",
        "AddToCart",
        "AddToWishlist",
        "ApplicationApproval",
        "CompleteRegistration",
        "Contact",
        "CustomizeProduct",
        "Download",
        "FindLocation",
        "InitiateCheckout",
        "Lead",
        "Purchase",
        "Schedule",
        "Search",
        "StartTrial",
        "SubmitApplication",
        "Subscribe",
        "ViewContent",
    }
)

#: ISO 4217 codes listed as supported (spec §1.5, 59 unique codes).
CURRENCIES: Final = frozenset(
    (
        "AED ARS AUD BDT BHD BIF BOB BRL CAD CHF CLP CNY COP CRC CZK DKK DZD EGP EUR GBP GTQ "
        "HKD HNL HUF IDR ILS INR ISK JPY KES KHR KRW KWD KZT MAD MOP MXN MYR NGN NIO NOK NZD "
        "OMR PEN PHP PKR PLN PYG QAR RON RUB SAR SEK SGD THB TRY TWD UAH USD VES VND ZAR"
    ).split()
)

#: SHA-256 of the empty string: a classic bug (hashing a missing value), never a match key.
EMPTY_SHA256: Final = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# Match keys present on an event, as bits (cheap to store per dedup entry and to merge).
KEY_TTCLID: Final = 1
KEY_EMAIL: Final = 2
KEY_PHONE: Final = 4
KEY_EXTERNAL_ID: Final = 8
KEY_IP_UA: Final = 16
KEY_TTP: Final = 32
MATCH_KEYS: Final = (
    ("ttclid", KEY_TTCLID),
    ("email", KEY_EMAIL),
    ("phone", KEY_PHONE),
    ("external_id", KEY_EXTERNAL_ID),
    ("ip_user_agent", KEY_IP_UA),
    ("ttp", KEY_TTP),
)

# Quality flags of an event (diagnostics only).
FLAG_EMAIL_UNHASHED: Final = 1
FLAG_PHONE_UNHASHED: Final = 2
FLAG_EMPTY_HASH: Final = 4

_LEGACY_WORDING: Final = {"field is required": "missing data for required field"}

_is_sha256_hex = re.compile(r"[0-9A-Fa-f]{64}").fullmatch


class Invalid(Exception):
    """A value failed validation; the whole request is rejected with 40002."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem

    def message(self) -> str:
        """Events API 2.0 wording: ``Invalid value for data.3.event_id: not a valid string.``"""
        return f"Invalid value for {self.path}: {self.problem}."

    def legacy_message(self) -> str:
        """Events API 1.0 wording: ``Batch.0.properties.contents.0.price: Not a valid number``."""
        problem = _LEGACY_WORDING.get(self.problem, self.problem)
        return f"{self.path}: {problem[:1].upper()}{problem[1:]}"


def is_number(value: Any) -> bool:
    """A JSON number (int or float); booleans and numeric strings are not."""
    kind = type(value)
    return kind is int or kind is float


def optional_str(obj: dict[str, Any], key: str, path: str = "") -> str | None:
    """``obj[key]`` if it is a string, ``None`` if absent or null; otherwise :class:`Invalid`."""
    value = obj.get(key)
    if value is None or type(value) is str:
        return value
    raise Invalid(f"{path}.{key}" if path else key, "not a valid string")


class HashedIds:
    """Outcome of checking one hashed identifier field (email, phone or external_id)."""

    __slots__ = ("empty_hash", "present", "unhashed")

    def __init__(self, present: bool, unhashed: bool, empty_hash: bool) -> None:
        self.present = present
        self.unhashed = unhashed
        self.empty_hash = empty_hash


_ABSENT: Final = HashedIds(False, False, False)


def hashed_ids(value: Any, path: str) -> HashedIds:
    """Check a ``user.email/phone/external_id`` value: a string or a list of strings.

    Values are expected to be 64-hex SHA-256 digests. A value that is not hex is accepted (TikTok
    cannot verify hashing, spec §10.3) but flagged as not hashed; the digest of the empty string
    is flagged too and does not count as a match key.
    """
    if value is None:
        return _ABSENT
    if type(value) is str:
        values: list[Any] = [value]
    elif type(value) is list:
        values = value
    else:
        raise Invalid(path, "not a valid string or list of strings")
    present = unhashed = empty = False
    for j, item in enumerate(values):
        if type(item) is not str:
            raise Invalid(f"{path}.{j}", "not a valid string")
        if not item:
            continue
        if _is_sha256_hex(item):
            if item.lower() == EMPTY_SHA256:
                empty = True
                continue
        else:
            unhashed = True
        present = True
    if not (present or empty):
        return _ABSENT
    return HashedIds(present, unhashed, empty)

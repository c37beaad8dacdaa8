"""Marketing API request parameters, read the way TikTok reads them (``marketing_api.md`` §1.1).

- GET: scalars are plain query values; lists and objects are JSON-encoded into one value
  (``dimensions=["ad_id","stat_time_day"]``). Some official examples send GET with a JSON body
  instead; **[EMU]** both are accepted, the query winning on a clash.
- POST: a JSON object body.
- IDs are strings (they exceed 2^53); numbers are tolerated and turned into strings.

Every problem is a 40002 ``Invalid value for <field>: …`` (our wording, TikTok's code).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Final

import orjson

from tokops.sandbox.server.envelope import CODE_PARAMETER, ApiFailure
from tokops.sandbox.server.request import SandboxRequest

__all__ = ["ID_PATTERN", "Params", "bad", "check_strings"]

ID_PATTERN: Final = re.compile(r"[0-9]{1,19}")
_TRUE: Final = frozenset({"true", "1", "yes"})
_FALSE: Final = frozenset({"false", "0", "no"})


def bad(message: str) -> ApiFailure:
    """A 40002 parameter error."""
    return ApiFailure(CODE_PARAMETER, message)


def _decode(raw: str) -> Any:
    text = raw.strip()
    if text[:1] in ("[", "{"):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return raw
    return raw


class Params:
    """Typed access to one request's parameters (query + JSON body)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    @classmethod
    def of(cls, request: SandboxRequest) -> Params:
        values: dict[str, Any] = {}
        if request.body.strip():
            body = request.json_body()
            if not isinstance(body, dict):
                raise bad("Invalid request body: not a valid JSON object.")
            values.update(body)
        elif request.method == "POST":
            raise bad("Invalid request body: not valid JSON.")
        if request.method == "GET":
            values.update({k: _decode(v) for k, v in request.query.items()})
        return cls(values)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    # -- scalars ---------------------------------------------------------------------------
    def string(self, name: str, *, required: bool = False, max_len: int | None = None) -> str:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad(f"Invalid value for {name}: field is required.")
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise bad(f"Invalid value for {name}: not a valid string.")
        if max_len is not None and len(value) > max_len:
            raise bad(f"Invalid value for {name}: at most {max_len} characters.")
        return value

    def ident(self, name: str, *, required: bool = True) -> str:
        """A numeric id (string of 1–19 digits)."""
        value = self.string(name, required=required)
        if value and not ID_PATTERN.fullmatch(value):
            raise bad(f"Invalid value for {name}: not a valid id.")
        return value

    def integer(
        self, name: str, default: int, low: int | None = None, high: int | None = None
    ) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad(f"Invalid value for {name}: not a valid integer.")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise bad(f"Invalid value for {name}: not a valid integer.") from None
        if isinstance(value, float) and value != number:
            raise bad(f"Invalid value for {name}: not a valid integer.")
        if (low is not None and number < low) or (high is not None and number > high):
            if high is None:
                raise bad(f"Invalid value for {name}: must be at least {low}.")
            raise bad(f"Invalid value for {name}: must be between {low} and {high}.")
        return number

    def number(self, name: str, *, required: bool = False) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad(f"Invalid value for {name}: field is required.")
            return None
        if isinstance(value, bool):
            raise bad(f"Invalid value for {name}: not a valid number.")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad(f"Invalid value for {name}: not a valid number.") from None

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad(f"Invalid value for {name}: not a valid boolean.")

    def enum(
        self, name: str, allowed: tuple[str, ...] | frozenset[str], default: str | None = None
    ) -> str:
        value = self.string(name, required=default is None)
        if not value:
            return default or ""
        if value not in allowed:
            raise bad(f"Invalid value for {name}: must be one of {', '.join(sorted(allowed))}.")
        return value

    def day(self, name: str, *, required: bool = True) -> date | None:
        value = self.string(name, required=required)
        if not value:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            raise bad(f"Invalid value for {name}: expected a date as YYYY-MM-DD.") from None

    def timestamp(self, name: str, *, required: bool = False) -> datetime | None:
        """``YYYY-MM-DD HH:MM:SS`` in UTC (the Marketing API's object time format)."""
        value = self.string(name, required=required)
        if not value:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", value):
                raise ValueError(value)
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:
            raise bad(f"Invalid value for {name}: expected YYYY-MM-DD HH:MM:SS (UTC).") from None

    # -- lists and objects -----------------------------------------------------------------
    def strings(
        self, name: str, *, required: bool = False, max_items: int | None = None
    ) -> list[str] | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad(f"Invalid value for {name}: field is required.")
            return None
        return check_strings(value, name, max_items=max_items)

    def idents(
        self, name: str, *, required: bool = False, max_items: int = 100
    ) -> list[str] | None:
        values = self.strings(name, required=required, max_items=max_items)
        if values is None:
            return None
        if required and not values:
            raise bad(f"Invalid value for {name}: must hold 1 to {max_items} ids.")
        for j, value in enumerate(values):
            if not ID_PATTERN.fullmatch(value):
                raise bad(f"Invalid value for {name}.{j}: not a valid id.")
        return values

    def obj(self, name: str) -> dict[str, Any] | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            raise bad(f"Invalid value for {name}: must be a JSON object.")
        return value


def check_strings(value: Any, name: str, *, max_items: int | None = None) -> list[str]:
    """*value* as a list of strings (numbers tolerated), else a 40002 naming *name*."""
    if not isinstance(value, list):
        raise bad(f"Invalid value for {name}: must be a JSON list.")
    if max_items is not None and len(value) > max_items:
        raise bad(f"Invalid value for {name}: at most {max_items} items, got {len(value)}.")
    out: list[str] = []
    for j, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise bad(f"Invalid value for {name}.{j}: not a valid string.")
        out.append(str(item))
    return out

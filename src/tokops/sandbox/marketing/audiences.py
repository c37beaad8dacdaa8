"""Customer-file custom audiences (EVT-8), Marketing API v1.3 ``/dmp/custom_audience/…``.

Facts (field names, enums, limits) come from TikTok's official SDK models and from the Go SDK
that translates the official reference (``bububa/tiktok-business``):

- ``file/upload/`` (multipart): ``advertiser_id``, ``file``, ``file_signature`` (MD5 hex of the
  file), ``calculate_type`` → ``data.file_path``. Only the advertiser that uploaded a file may
  use its ``file_path``.
- ``create/`` (JSON): ``advertiser_id``, ``custom_audience_name`` (≤128 chars), ``file_paths``,
  ``calculate_type`` (must be the files' type), ``retention_in_days`` [1, 365],
  ``audience_sub_type`` NORMAL | REACH_FREQUENCY → ``data.custom_audience_id``.
- ``update/`` (JSON): ``custom_audience_id`` plus ``custom_audience_name`` and/or
  ``file_paths`` with ``action`` APPEND | REMOVE | REPLACE (default REPLACE); the operation fails
  if the audience would hold fewer than 1,000 users afterwards.
- ``list/`` (GET): ``advertiser_id``, ``custom_audience_ids``, ``page`` ≥ 1 (default 1),
  ``page_size`` 1..100 (default 10) → ``data.list`` + ``data.page_info``.
- ``get/`` (GET): ``advertiser_id``, ``custom_audience_ids`` (1..100), ``history_size`` →
  ``data.list[].audience_details`` + ``audience_history``.
- ``delete/`` (JSON): ``advertiser_id``, ``custom_audience_ids`` (1..100).
- ``calculate_type``: FIRST_SHA256, FIRST_MD5, EMAIL_SHA256, PHONE_SHA256, IDFA_SHA256, IDFA_MD5,
  GAID_SHA256, GAID_MD5, MULTIPLE_TYPES (FIRST_NORMAL is deprecated and refused).

Our choices where nothing is documented: files hold one hashed value per line (64 hex for
``*_SHA256``, 32 for ``*_MD5``; comma-separated cells for MULTIPLE_TYPES; blank lines skipped,
other lines counted as invalid); ``file_path`` looks like ``sandbox/dmp/<advertiser>/<md5>``;
unknown audience ids answer 40007; ``update/`` and ``delete/`` answer ``data: {}``; lists are
newest first; history actions are CREATE / APPEND / REMOVE / REPLACE / RENAME.
``cover_num`` (TikTok's "matched users") is simulated: a hash matches when its first 32 bits
fall below ``audience_match_rate``. ``audience_details`` also carries two sandbox-only fields,
``size`` (hashes held) and ``matched`` (= ``cover_num``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from tokops.sandbox.server.auth import Permissions
from tokops.sandbox.server.envelope import CODE_NOT_FOUND, CODE_PARAMETER, ApiFailure
from tokops.sandbox.server.request import SandboxRequest

__all__ = ["CALCULATE_TYPES", "Audience", "Audiences", "UploadedFile"]

CALCULATE_TYPES: Final = frozenset(
    {
        "FIRST_SHA256",
        "FIRST_MD5",
        "EMAIL_SHA256",
        "PHONE_SHA256",
        "IDFA_SHA256",
        "IDFA_MD5",
        "GAID_SHA256",
        "GAID_MD5",
        "MULTIPLE_TYPES",
    }
)
ACTIONS: Final = ("APPEND", "REMOVE", "REPLACE")
SUB_TYPES: Final = ("NORMAL", "REACH_FREQUENCY")
MAX_NAME: Final = 128
MAX_IDS: Final = 100
FIRST_AUDIENCE_ID: Final = 7600000000000000001
_TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
_HEX: Final = {64: re.compile(r"[0-9a-f]{64}").fullmatch, 32: re.compile(r"[0-9a-f]{32}").fullmatch}


def _bad(message: str) -> ApiFailure:
    return ApiFailure(CODE_PARAMETER, message)


def _required_str(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if value is None or value == "":
        raise _bad(f"Invalid value for {key}: field is required.")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # ids sent as numbers are tolerated
    if not isinstance(value, str):
        raise _bad(f"Invalid value for {key}: not a valid string.")
    return value


def _id_list(value: Any, key: str, *, required: bool = True) -> list[str] | None:
    if value is None and not required:
        return None
    if not isinstance(value, list) or not value:
        raise _bad(f"Invalid value for {key}: must be a list of 1 to {MAX_IDS} ids.")
    if len(value) > MAX_IDS:
        raise _bad(f"Invalid value for {key}: at most {MAX_IDS} ids, got {len(value)}.")
    out = []
    for j, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise _bad(f"Invalid value for {key}.{j}: not a valid string.")
        out.append(str(item))
    return out


def _int_param(value: Any, key: str, default: int, low: int, high: int | None) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise _bad(f"Invalid value for {key}: not a valid integer.")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _bad(f"Invalid value for {key}: not a valid integer.") from None
    if number < low or (high is not None and number > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _bad(f"Invalid value for {key}: must be {bounds}.")
    return number


def _calculate_type(value: Any, key: str = "calculate_type") -> str:
    if not isinstance(value, str) or not value:
        raise _bad(f"Invalid value for {key}: field is required.")
    if value not in CALCULATE_TYPES:
        raise _bad(f"Invalid value for {key}: must be one of {', '.join(sorted(CALCULATE_TYPES))}.")
    return value


@dataclass(frozen=True)
class UploadedFile:
    advertiser_id: str
    calculate_type: str | None
    hashes: frozenset[str]
    invalid_lines: int


@dataclass
class Audience:
    audience_id: str
    advertiser_id: str
    name: str
    calculate_type: str
    sub_type: str
    hashes: set[str]
    created_at: datetime
    modified_at: datetime
    retention_in_days: int | None
    cover_num: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)

    def expires_at(self) -> datetime:
        if self.retention_in_days is not None:
            return self.created_at + timedelta(days=self.retention_in_days)
        return self.modified_at + timedelta(days=365)


class Audiences:
    """The custom-audience world of one sandbox, and its route handlers."""

    def __init__(self, permissions: Permissions, *, min_size: int, match_rate: float) -> None:
        self._perms = permissions
        self.min_size = min_size
        self._match_below = int(match_rate * 2**32)
        self.files: dict[str, UploadedFile] = {}
        self.audiences: dict[str, Audience] = {}
        self._next_id = FIRST_AUDIENCE_ID

    # -- helpers ---------------------------------------------------------------------------
    def _matches(self, value: str) -> bool:
        return int(value[:8], 16) < self._match_below

    def _set_hashes(self, audience: Audience, hashes: set[str]) -> None:
        audience.hashes = hashes
        audience.cover_num = sum(1 for h in hashes if self._matches(h))

    def _advertiser(self, obj: dict[str, Any]) -> str:
        advertiser_id = _required_str(obj, "advertiser_id")
        self._perms.check_advertiser(advertiser_id)
        return advertiser_id

    def _audience(self, advertiser_id: str, audience_id: str) -> Audience:
        audience = self.audiences.get(audience_id)
        if audience is None or audience.advertiser_id != advertiser_id:
            raise ApiFailure(CODE_NOT_FOUND, f"Custom audience {audience_id} does not exist.")
        return audience

    def _files(self, advertiser_id: str, paths: Any, calculate_type: str) -> set[str]:
        if not isinstance(paths, list) or not paths:
            raise _bad("Invalid value for file_paths: must be a non-empty list.")
        hashes: set[str] = set()
        for j, path in enumerate(paths):
            uploaded = self.files.get(path) if isinstance(path, str) else None
            if uploaded is None or uploaded.advertiser_id != advertiser_id:
                raise _bad(f"Invalid value for file_paths.{j}: no such file for this advertiser.")
            if uploaded.calculate_type not in (None, calculate_type):
                raise _bad(
                    f"Invalid value for file_paths.{j}: the file was uploaded as "
                    f"{uploaded.calculate_type}, not {calculate_type}."
                )
            hashes |= uploaded.hashes
        return hashes

    @staticmethod
    def _log(audience: Audience, action: str, detail: str, now: datetime) -> None:
        audience.history.append(
            {
                "action": action,
                "action_detail": detail,
                "editor": "open_api",
                "msg": "",
                "opt_time": now.strftime(_TIME_FORMAT),
            }
        )

    def _details(self, audience: Audience, now: datetime) -> dict[str, Any]:
        expires = audience.expires_at()
        return {
            "audience_id": audience.audience_id,
            "name": audience.name,
            "audience_type": "Customer File Audience",
            "audience_sub_type": audience.sub_type,
            "calculate_type": audience.calculate_type,
            "cover_num": audience.cover_num,
            "shared": False,
            "is_creator": True,
            "is_valid": now < expires,
            "is_expiring": now < expires <= now + timedelta(days=60),
            "is_auto_refresh": False,
            "owner_id": audience.advertiser_id,
            "msg": "",
            "error_msg": "",
            "create_time": audience.created_at.strftime(_TIME_FORMAT),
            "expired_time": expires.strftime(_TIME_FORMAT),
            "size": len(audience.hashes),
            "matched": audience.cover_num,
        }

    # -- routes ----------------------------------------------------------------------------
    def upload_file(self, req: SandboxRequest, now: datetime) -> dict[str, Any]:
        form = req.form()
        advertiser_id = self._advertiser(dict(form.fields))
        declared = form.fields.get("calculate_type") or None
        calculate_type = _calculate_type(declared) if declared is not None else None
        if "file" not in form.files:
            raise _bad("Invalid value for file: field is required.")
        content = form.files["file"][1]
        signature = form.fields.get("file_signature", "").strip().lower()
        if not signature:
            raise _bad("Invalid value for file_signature: field is required.")
        digest = hashlib.md5(content, usedforsecurity=False).hexdigest()
        if not hmac.compare_digest(signature, digest):
            raise _bad("Invalid value for file_signature: does not match the MD5 of the file.")
        hashes, invalid = _parse_file(content, calculate_type)
        if not hashes:
            raise _bad("Invalid value for file: no valid hashed value found (one per line).")
        path = f"sandbox/dmp/{advertiser_id}/{digest}"
        self.files[path] = UploadedFile(advertiser_id, calculate_type, frozenset(hashes), invalid)
        return {"file_path": path}

    def create_audience(self, req: SandboxRequest, now: datetime) -> dict[str, Any]:
        body = req.json_object()
        advertiser_id = self._advertiser(body)
        name = _required_str(body, "custom_audience_name")
        if len(name) > MAX_NAME:
            raise _bad(f"Invalid value for custom_audience_name: at most {MAX_NAME} characters.")
        calculate_type = _calculate_type(body.get("calculate_type"))
        retention = body.get("retention_in_days")
        if retention is not None:
            if not isinstance(retention, int) or isinstance(retention, bool):
                raise _bad("Invalid value for retention_in_days: not a valid integer.")
            _int_param(retention, "retention_in_days", 0, 1, 365)
        sub_type = body.get("audience_sub_type") or "NORMAL"
        if sub_type not in SUB_TYPES:
            raise _bad(
                f"Invalid value for audience_sub_type: must be one of {', '.join(SUB_TYPES)}."
            )
        hashes = self._files(advertiser_id, body.get("file_paths"), calculate_type)
        audience_id = str(self._next_id)
        self._next_id += 1
        audience = Audience(
            audience_id, advertiser_id, name, calculate_type, sub_type, set(), now, now, retention
        )
        self._set_hashes(audience, hashes)
        self._log(audience, "CREATE", f"{len(hashes)} users uploaded", now)
        self.audiences[audience_id] = audience
        return {"custom_audience_id": audience_id}

    def update_audience(self, req: SandboxRequest, now: datetime) -> dict[str, Any]:
        body = req.json_object()
        advertiser_id = self._advertiser(body)
        audience = self._audience(advertiser_id, _required_str(body, "custom_audience_id"))
        name = body.get("custom_audience_name")
        paths = body.get("file_paths")
        if not name and not paths:
            raise _bad("You must pass in either custom_audience_name or file_paths.")
        if name is not None and (not isinstance(name, str) or len(name) > MAX_NAME):
            raise _bad(f"Invalid value for custom_audience_name: at most {MAX_NAME} characters.")
        new_hashes: set[str] | None = None
        action = body.get("action") or "REPLACE"
        if paths:
            if action not in ACTIONS:
                raise _bad(f"Invalid value for action: must be one of {', '.join(ACTIONS)}.")
            incoming = self._files(advertiser_id, paths, audience.calculate_type)
            if action == "APPEND":
                new_hashes = audience.hashes | incoming
            elif action == "REMOVE":
                new_hashes = audience.hashes - incoming
            else:
                new_hashes = set(incoming)
            if len(new_hashes) < self.min_size:
                raise _bad(
                    f"The audience would hold {len(new_hashes)} users after {action}, "
                    f"below the minimum of {self.min_size}."
                )
        if name:
            audience.name = name
            self._log(audience, "RENAME", name, now)
        if new_hashes is not None:
            added = len(new_hashes - audience.hashes)
            removed = len(audience.hashes - new_hashes)
            self._set_hashes(audience, new_hashes)
            self._log(audience, action, f"+{added} -{removed} users", now)
        audience.modified_at = now
        return {}

    def delete_audiences(self, req: SandboxRequest, now: datetime) -> dict[str, Any]:
        body = req.json_object()
        advertiser_id = self._advertiser(body)
        ids = _id_list(body.get("custom_audience_ids"), "custom_audience_ids") or []
        for audience_id in ids:
            self._audience(advertiser_id, audience_id)
        for audience_id in ids:
            del self.audiences[audience_id]
        return {}

    def list_audiences(self, req: SandboxRequest, now: datetime) -> dict[str, Any]:
        query = dict(req.query)
        advertiser_id = self._advertiser(query)
        wanted = _id_list(
            req.query_json("custom_audience_ids"), "custom_audience_ids", required=False
        )
        page = _int_param(query.get("page"), "page", 1, 1, None)
        page_size = _int_param(query.get("page_size"), "page_size", 10, 1, 100)
        rows = [
            a
            for a in reversed(self.audiences.values())
            if a.advertiser_id == advertiser_id and (wanted is None or a.audience_id in wanted)
        ]
        start = (page - 1) * page_size
        return {
            "list": [self._details(a, now) for a in rows[start : start + page_size]],
            "page_info": {
                "page": page,
                "page_size": page_size,
                "total_number": len(rows),
                "total_page": math.ceil(len(rows) / page_size),
            },
        }

    def get_audiences(self, req: SandboxRequest, now: datetime) -> dict[str, Any]:
        query = dict(req.query)
        advertiser_id = self._advertiser(query)
        ids = _id_list(req.query_json("custom_audience_ids"), "custom_audience_ids") or []
        history_size = _int_param(query.get("history_size"), "history_size", 0, 0, None)
        out = []
        for audience_id in ids:
            audience = self._audience(advertiser_id, audience_id)
            history = audience.history[-history_size:] if history_size else audience.history
            out.append(
                {
                    "audience_details": self._details(audience, now),
                    "audience_history": list(reversed(history)),
                }
            )
        return {"list": out}


def _parse_file(content: bytes, calculate_type: str | None) -> tuple[set[str], int]:
    """Hashed values of an audience file, and how many non-blank lines were not valid."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad("Invalid value for file: not UTF-8 text.") from None
    if calculate_type is None or calculate_type == "MULTIPLE_TYPES":
        checks = [_HEX[64], _HEX[32]]
    else:
        checks = [_HEX[32] if calculate_type.endswith("_MD5") else _HEX[64]]
    hashes: set[str] = set()
    invalid = 0
    for line in text.splitlines():
        cells = line.split(",") if calculate_type == "MULTIPLE_TYPES" else [line]
        for cell in cells:
            value = cell.strip().lower()
            if not value:
                continue
            if any(check(value) for check in checks):
                hashes.add(value)
            else:
                invalid += 1
    return hashes, invalid

"""Custom audiences from customer files: ``/open_api/v1.3/dmp/custom_audience/…`` (EVT-8).

Flow (``marketing_api.md`` §6.2; field names checked against the official SDK's
``AudienceApi`` / ``CustomAudience*Body`` models and TikTok's "Encryption type" enumeration):

1. ``POST dmp/custom_audience/file/upload/`` — multipart form: ``advertiser_id``,
   ``calculate_type``, ``file`` (.txt or .csv, one identifier per line) and ``file_signature``
   (MD5 hex of the file's bytes, checked by TikTok) → ``data.file_path``. Only the advertiser that
   uploaded a file may use its ``file_path``.
2. ``POST dmp/custom_audience/create/`` — JSON ``advertiser_id``, ``custom_audience_name`` (≤ 128
   characters), ``file_paths``, ``calculate_type`` (must match every file), optional
   ``retention_in_days`` (1–365) → ``data.custom_audience_id``.
3. ``POST dmp/custom_audience/update/`` — ``custom_audience_id`` plus ``file_paths`` and
   ``action`` (``APPEND`` / ``REMOVE`` / ``REPLACE``, default ``REPLACE``) and/or a new
   ``custom_audience_name``. Any of the three actions fails when the audience would hold fewer
   than 1,000 entries afterwards.
4. ``GET dmp/custom_audience/get/`` (``custom_audience_ids``, 1–100) → ``data.list[]`` of
   ``{audience_details, audience_history}``; ``GET dmp/custom_audience/list/`` (page-based,
   ``page_size`` ≤ 100) → ``data.list[]`` of audiences; ``POST dmp/custom_audience/delete/``
   (``custom_audience_ids``, 1–100).

TikTok needs at least 1,000 entries for a customer-file audience, and matching takes 24–48 h
(``analytics_and_reverse_etl.md`` §4a); ``cover_num`` is the matched size once it is known.
"""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Iterator, Sequence
from typing import Any, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from tokops.errors import TikTokError
from tokops.tiktok._http import ApiClient
from tokops.tiktok.paging import iter_items

__all__ = [
    "CALCULATE_TYPES",
    "MAX_IDS_PER_CALL",
    "MAX_NAME_LENGTH",
    "MIN_AUDIENCE_SIZE",
    "AudienceDetail",
    "AudienceHistory",
    "AudiencesClient",
    "CalculateType",
    "CustomAudience",
    "UpdateAction",
    "file_signature",
]

#: TikTok's "Encryption type" enumeration for customer files (``FIRST_NORMAL``, raw device ids,
#: is deprecated and left out; a ``MAID_*`` pair seen in one third-party tool is unconfirmed).
CalculateType = Literal[
    "EMAIL_SHA256",
    "PHONE_SHA256",
    "FIRST_SHA256",
    "FIRST_MD5",
    "IDFA_SHA256",
    "IDFA_MD5",
    "GAID_SHA256",
    "GAID_MD5",
    "MULTIPLE_TYPES",
]
CALCULATE_TYPES: Final[tuple[str, ...]] = get_args(CalculateType)
UpdateAction = Literal["APPEND", "REMOVE", "REPLACE"]

MIN_AUDIENCE_SIZE: Final = 1000
MAX_NAME_LENGTH: Final = 128
MAX_IDS_PER_CALL: Final = 100
MAX_LIST_PAGE_SIZE: Final = 100

UPLOAD_PATH: Final = "dmp/custom_audience/file/upload/"
CREATE_PATH: Final = "dmp/custom_audience/create/"
UPDATE_PATH: Final = "dmp/custom_audience/update/"
GET_PATH: Final = "dmp/custom_audience/get/"
LIST_PATH: Final = "dmp/custom_audience/list/"
DELETE_PATH: Final = "dmp/custom_audience/delete/"


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CustomAudience(_Wire):
    """One audience as ``list`` / ``get`` describe it (fields TikTok does not send stay None)."""

    audience_id: str
    """The custom audience id (19-digit string)."""
    name: str | None = None
    audience_type: str | None = None
    """e.g. "Customer File Audience"."""
    calculate_type: str | None = None
    cover_num: int | None = None
    """Matched TikTok users; 0 or missing while TikTok is still computing (24–48 h)."""
    is_valid: bool | None = None
    """False while computing or once expired."""
    is_expiring: bool | None = None
    is_creator: bool | None = None
    shared: bool | None = None
    owner_id: str | None = None
    msg: str | None = None
    error_msg: str | None = None
    create_time: str | None = None
    expired_time: str | None = None


class AudienceHistory(_Wire):
    """One change of an audience (``get`` with ``history_size``)."""

    action: str | None = None
    action_detail: str | None = None
    editor: str | None = None
    msg: str | None = None
    opt_time: str | None = None


class AudienceDetail(_Wire):
    """One element of ``dmp/custom_audience/get/``."""

    audience: CustomAudience = Field(alias="audience_details")
    history: list[AudienceHistory] = Field(default_factory=list, alias="audience_history")


def file_signature(content: bytes) -> str:
    """MD5 hex digest of an audience file, as ``file_signature`` wants it."""
    return hashlib.md5(content, usedforsecurity=False).hexdigest()


def _check_calculate_type(value: str) -> None:
    if value not in CALCULATE_TYPES:
        raise ValueError(f"calculate_type must be one of {', '.join(CALCULATE_TYPES)}")


def _chunks(ids: Sequence[str]) -> Iterator[builtins.list[str]]:
    for start in range(0, len(ids), MAX_IDS_PER_CALL):
        yield [str(i) for i in ids[start : start + MAX_IDS_PER_CALL]]


def _required_str(data: Any, key: str, endpoint: str, *fallbacks: str) -> str:
    if isinstance(data, dict):
        for name in (key, *fallbacks):
            value = data.get(name)
            if value not in (None, ""):
                return str(value)
    raise TikTokError(f"{endpoint}: the answer has no '{key}'")


class AudiencesClient:
    """Typed calls for customer-file custom audiences. Every id is a string."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def upload_file(
        self,
        advertiser_id: str,
        content: bytes,
        calculate_type: CalculateType | str,
        *,
        file_name: str = "audience.txt",
    ) -> str:
        """Upload one file of identifiers (one per line); returns TikTok's ``file_path``."""
        _check_calculate_type(calculate_type)
        if not content:
            raise ValueError("an audience file cannot be empty")
        resp = self.api.call(
            "POST",
            UPLOAD_PATH,
            files={"file": (file_name, content, "text/plain")},
            data={
                "advertiser_id": str(advertiser_id),
                "calculate_type": calculate_type,
                "file_signature": file_signature(content),
            },
        )
        return _required_str(resp.data, "file_path", UPLOAD_PATH)

    def create(
        self,
        advertiser_id: str,
        name: str,
        file_paths: Sequence[str],
        calculate_type: CalculateType | str,
        *,
        retention_in_days: int | None = None,
    ) -> str:
        """Create a customer-file audience from uploaded files; returns its id."""
        _check_calculate_type(calculate_type)
        if not name.strip() or len(name) > MAX_NAME_LENGTH:
            raise ValueError(f"an audience name has 1..{MAX_NAME_LENGTH} characters")
        if not file_paths:
            raise ValueError("create needs at least one file_path")
        if retention_in_days is not None and not 1 <= retention_in_days <= 365:
            raise ValueError("retention_in_days must be within 1..365")
        body: dict[str, Any] = {
            "advertiser_id": str(advertiser_id),
            "custom_audience_name": name,
            "file_paths": list(file_paths),
            "calculate_type": calculate_type,
        }
        if retention_in_days is not None:
            body["retention_in_days"] = retention_in_days
        data = self.api.post(CREATE_PATH, json=body)
        # ``custom_audience_id`` per the reference; some integrations read ``audience_id``.
        return _required_str(data, "custom_audience_id", CREATE_PATH, "audience_id")

    def update(
        self,
        advertiser_id: str,
        custom_audience_id: str,
        *,
        file_paths: Sequence[str] | None = None,
        action: UpdateAction = "REPLACE",
        name: str | None = None,
    ) -> None:
        """Change an audience's content (*file_paths* with *action*) and/or its *name*."""
        if not file_paths and name is None:
            raise ValueError("update needs file_paths or a new name")
        if action not in get_args(UpdateAction):
            raise ValueError("action must be APPEND, REMOVE or REPLACE")
        body: dict[str, Any] = {
            "advertiser_id": str(advertiser_id),
            "custom_audience_id": str(custom_audience_id),
        }
        if file_paths:
            body["file_paths"] = list(file_paths)
            body["action"] = action
        if name is not None:
            if not name.strip() or len(name) > MAX_NAME_LENGTH:
                raise ValueError(f"an audience name has 1..{MAX_NAME_LENGTH} characters")
            body["custom_audience_name"] = name
        self.api.post(UPDATE_PATH, json=body)

    def get(
        self, advertiser_id: str, ids: Sequence[str], *, history_size: int | None = None
    ) -> builtins.list[AudienceDetail]:
        """Details (and optionally change history) of audiences, 100 ids per call."""
        out: builtins.list[AudienceDetail] = []
        for chunk in _chunks(ids):
            params: dict[str, Any] = {
                "advertiser_id": str(advertiser_id),
                "custom_audience_ids": chunk,
            }
            if history_size is not None:
                params["history_size"] = history_size
            data = self.api.get(GET_PATH, params=params)
            items = data.get("list") if isinstance(data, dict) else None
            out.extend(AudienceDetail.model_validate(item) for item in items or [])
        return out

    def delete(self, advertiser_id: str, ids: Sequence[str]) -> None:
        """Delete audiences, 100 ids per call."""
        for chunk in _chunks(ids):
            self.api.post(
                DELETE_PATH,
                json={"advertiser_id": str(advertiser_id), "custom_audience_ids": chunk},
            )

    def list(
        self, advertiser_id: str, *, page_size: int = MAX_LIST_PAGE_SIZE
    ) -> Iterator[CustomAudience]:
        """Every audience of the advertiser, all pages (``page_size`` at most 100)."""
        size = max(1, min(page_size, MAX_LIST_PAGE_SIZE))
        for item in iter_items(
            self.api, LIST_PATH, {"advertiser_id": str(advertiser_id)}, page_size=size
        ):
            yield CustomAudience.model_validate(item)

"""What campaigns, ad groups and ads share: get, update, status (``marketing_api.md`` §3.1).

- ``GET {kind}/get/``: ``advertiser_id``, ``filtering`` (an **object** here, not the report's
  array), ``fields``, ``page``/``page_size`` (≤ 1000). Deleted objects are excluded unless
  ``primary_status`` is ``STATUS_ALL`` (§3.5). There is no ``modify_time`` filter (§3.1).
- ``POST {kind}/update/``: a partial update.
- ``POST {kind}/status/update/``: 1–20 IDs per call, ``operation_status`` ``ENABLE`` |
  ``DISABLE`` | ``DELETE`` (deletion cannot be undone, §3.1).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final, Generic, Literal, TypeVar

from tokops.tiktok._http import ApiClient
from tokops.tiktok.marketing._wire import (
    RequestIdFactory,
    chunked,
    json_body,
    new_request_id,
    sid,
    sids,
)
from tokops.tiktok.marketing.models import StatusUpdate, WireModel
from tokops.tiktok.marketing.paging import iter_unique

__all__ = ["MAX_FILTER_IDS", "MAX_STATUS_IDS", "ObjectResource", "OperationStatus"]

OperationStatus = Literal["ENABLE", "DISABLE", "DELETE"]
MAX_STATUS_IDS: Final = 20
PARTIAL_SUCCESS: Final = 20001
MAX_FILTER_IDS: Final = 100

M = TypeVar("M", bound=WireModel)


class ObjectResource(Generic[M]):
    """Typed calls for one object kind; subclasses set the paths, keys and model."""

    kind: str
    """Path segment: ``campaign``, ``adgroup`` or ``ad``."""
    id_key: str
    ids_key: str
    model: type[M]

    def __init__(self, api: ApiClient, *, request_ids: RequestIdFactory = new_request_id) -> None:
        self.api = api
        self._request_ids = request_ids

    # -- reading ------------------------------------------------------------------------------
    def iter(
        self,
        advertiser_id: str,
        *,
        filtering: Mapping[str, Any] | None = None,
        fields: Sequence[str] | None = None,
        include_deleted: bool = False,
        page_size: int = 1000,
    ) -> Iterator[M]:
        """Every object of the account matching *filtering*, each once (even if it changes)."""
        flt = dict(filtering or {})
        if include_deleted:
            flt.setdefault("primary_status", "STATUS_ALL")
        params: dict[str, Any] = {"advertiser_id": sid(advertiser_id, name="advertiser_id")}
        if flt:
            params["filtering"] = flt
        if fields:
            params["fields"] = list(fields)
        for item in iter_unique(
            self.api, f"{self.kind}/get/", params, id_key=self.id_key, page_size=page_size
        ):
            yield self.model.model_validate(item)

    def get(
        self, advertiser_id: str, ids: Sequence[str], *, include_deleted: bool = True
    ) -> list[M]:
        """The objects with these IDs (100 per call); deleted ones included by default."""
        out: list[M] = []
        for chunk in chunked(sids(ids, name=self.ids_key), MAX_FILTER_IDS):
            out.extend(
                self.iter(
                    advertiser_id,
                    filtering={self.ids_key: chunk},
                    include_deleted=include_deleted,
                )
            )
        return out

    # -- writing ------------------------------------------------------------------------------
    def _create(self, body: Mapping[str, Any], request_id: str | None) -> Any:
        """POST ``{kind}/create/`` with an idempotency ``request_id`` (§1.4)."""
        payload = {**body, "request_id": request_id or self._request_ids()}
        return self.api.post(f"{self.kind}/create/", json=json_body(payload))

    def update(self, advertiser_id: str, object_id: str, **fields: Any) -> Any:
        """Partial update of one object; returns TikTok's ``data`` as it is."""
        if not fields:
            raise ValueError("update needs at least one field")
        body = {
            "advertiser_id": sid(advertiser_id, name="advertiser_id"),
            self.id_key: sid(object_id, name=self.id_key),
            **fields,
        }
        return self.api.post(f"{self.kind}/update/", json=json_body(body))

    def set_status(
        self, advertiser_id: str, ids: Sequence[str], operation_status: OperationStatus
    ) -> list[StatusUpdate]:
        """Enable, disable or delete objects, 20 IDs per call (§3.1).

        A 20001 "partial success" answer is not an error: the IDs the answer does not list as
        changed are in :attr:`StatusUpdate.failed_ids` (check it)."""
        if operation_status not in ("ENABLE", "DISABLE", "DELETE"):
            raise ValueError("operation_status must be ENABLE, DISABLE or DELETE")
        id_list = sids(ids, name=self.ids_key)
        if not id_list:
            raise ValueError("set_status needs at least one ID")
        out: list[StatusUpdate] = []
        for chunk in chunked(id_list, MAX_STATUS_IDS):
            resp = self.api.call(
                "POST",
                f"{self.kind}/status/update/",
                json={
                    "advertiser_id": sid(advertiser_id, name="advertiser_id"),
                    self.ids_key: chunk,
                    "operation_status": operation_status,
                },
            )
            data = resp.data if isinstance(resp.data, dict) else {}
            update = StatusUpdate.model_validate(data)
            if resp.code == PARTIAL_SUCCESS:
                done = set(update.ids)
                update = update.model_copy(
                    update={"failed_ids": [i for i in chunk if i not in done]}
                )
            out.append(update)
        return out

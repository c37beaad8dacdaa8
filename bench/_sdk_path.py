"""The same purchases sent the way a user of TikTok's official Python SDK would send them.

``tiktok-business-api-sdk-official`` (module ``business_api_client``) has no Events API 2.0
call, only the legacy ``pixel/batch`` endpoint (``events_api.md`` §1.7), so this path builds
``PixelBatchBody`` / ``PixelbatchBatch`` / ``PixelContext*`` models, hashes email, phone and
external id with :mod:`hashlib` in Python, and posts 1,000 events per request (the largest batch
TikTok accepts; the SDK itself sets no limit) to ``/open_api/v1.3/pixel/batch/`` of the sink.
Rows are read from the same DuckDB table, 1,000 at a time.
"""

from __future__ import annotations

import hashlib
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _data import TABLE

BATCH = 1000
_NOT_PHONE = re.compile(r"[^0-9+]")

_COLUMNS = (
    "order_id, epoch(created_at), customer_id, email, phone, ip, user_agent, ttclid, ttp, "
    "landing_url, CAST(total_amount AS DOUBLE), currency, skus"
)


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _phone(raw: str) -> str:
    """What a careful SDK user writes: digits and +, national French numbers get +33."""
    kept = _NOT_PHONE.sub("", raw.strip())
    if kept.startswith("+"):
        return kept
    if kept.startswith("00"):
        return "+" + kept[2:]
    return "+33" + kept.lstrip("0")


def _event(models: Any, row: tuple[Any, ...]) -> Any:
    (order_id, ts, customer_id, email, phone, ip, ua, ttclid, ttp, url, value, currency, skus) = row
    user = models.PixelContextUser(
        email=_sha(email.strip().lower()) if email else None,
        phone_number=_sha(_phone(phone)) if phone else None,
        external_id=_sha(customer_id.strip()),
        ttp=ttp,
    )
    context = models.PixelContext(
        ad=models.PixelContextAd(callback=ttclid) if ttclid else None,
        ip=ip,
        page=models.PixelContextPage(url=url),
        user=user,
        user_agent=ua,
    )
    contents = [
        models.PixelContent(content_id=sku, content_type="product", quantity=1)
        for sku in skus.split(",")
    ]
    properties = models.PixelProperties(contents=contents, currency=currency, value=value)
    return models.PixelbatchBatch(
        type="track",
        event="Purchase",
        event_id=order_id,
        timestamp=datetime.fromtimestamp(ts, UTC).isoformat(),
        context=context,
        properties=properties,
    )


def run_sdk(db: Path, sink_url: str, events: int, pixel_code: str) -> dict[str, Any]:
    """Send *events* rows through the SDK; returns seconds and events sent."""
    import business_api_client as models
    import duckdb
    from business_api_client.api.event_callback_api import EventCallbackApi

    config = models.Configuration()
    config.host = sink_url
    api = EventCallbackApi(models.ApiClient(config))
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET enable_progress_bar = false")
    sent = 0
    started = time.perf_counter()
    cursor = con.execute(f"SELECT {_COLUMNS} FROM {TABLE} LIMIT {int(events)}")
    while rows := cursor.fetchmany(BATCH):
        body = models.PixelBatchBody(
            pixel_code=pixel_code, batch=[_event(models, row) for row in rows]
        )
        api.pixel_batch("bench-token", body=body)  # raises TiktokSDKError unless code is 0
        sent += len(rows)
    seconds = time.perf_counter() - started
    con.close()
    return {"events": sent, "seconds": seconds}

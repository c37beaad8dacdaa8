"""The ingest's entry points: ``sync_ads`` and ``sync_organic`` (the CLI and the demo call these).

>>> client = connect_client(token, api_base="http://127.0.0.1:8765")  # doctest: +SKIP
>>> result = sync_ads(store, client)                             # doctest: +SKIP
>>> result.status, result.rows, result.api_calls                  # doctest: +SKIP

``sync_ads`` pulls, for every advertiser of the token (or the ones asked for): the account
(time zone, currency), campaigns / ad groups / ads, daily reports at four levels, audience
breakdowns, Shop stores, their catalogues and GMV Max results, and — given a
:class:`~tokops.tiktok.shop.ShopClient` (``shop=``) — the TikTok Shop orders of the seller's
shops (without one, ``shop_orders`` is reported as skipped). ``sync_organic`` pulls business
accounts, their follower count (snapshotted daily), daily account metrics and every post's
metrics. Both are incremental with a look-back for restated numbers, idempotent, and resume
after a crash (see :mod:`tokops.ingest.state`); the tables are documented in ``docs/schema.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final

from pydantic import SecretStr

from tokops.errors import AuthError, ConfigError, OptionError, TikTokError, TransportError
from tokops.ingest.ads import DEFAULT_HOURLY_DAYS, HOURLY, AdvertiserInfo, ads_tasks, stream_names
from tokops.ingest.batches import BatchBuilder
from tokops.ingest.metering import meter_of
from tokops.ingest.organic import organic_stream_names, organic_tasks
from tokops.ingest.runner import DEFAULT_CONCURRENCY, Runner, declare_tables
from tokops.ingest.shop import SHOP_STREAMS, shop_tasks
from tokops.ingest.split_tests import SPLIT_TEST_STREAMS, split_test_tasks
from tokops.ingest.state import DEFAULT_HISTORY_DAYS, DEFAULT_LOOKBACK_DAYS, CursorBook
from tokops.ingest.summary import IngestReporter, StreamResult, SyncResult
from tokops.ingest.tasks import TaskContext
from tokops.warehouse import schema
from tokops.warehouse.merge import merge_batches
from tokops.warehouse.rollup import is_fresh, refresh_ad_monthly

if TYPE_CHECKING:
    from tokops.tiktok.marketing import MarketingClient
    from tokops.tiktok.shop import ShopClient
    from tokops.warehouse import Store

__all__ = [
    "AdsSyncOptions",
    "OrganicSyncOptions",
    "ads_streams",
    "discover_advertisers",
    "sync_ads",
    "sync_all",
    "sync_organic",
]

ADVERTISERS: Final = schema.ADVERTISERS.name


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AdsSyncOptions:
    """What ``sync_ads`` pulls and how."""

    advertiser_ids: tuple[str, ...] = ()
    """Empty: every advertiser the token can reach (:func:`discover_advertisers`)."""
    since: date | None = None
    """First day to pull (advertiser's time zone). Default: the cursor, else 90 days back."""
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    history_days: int = DEFAULT_HISTORY_DAYS
    hourly_days: int = DEFAULT_HOURLY_DAYS
    """Local days of ``ad_hourly`` kept in sync (each costs a request per page); 0: off."""
    streams: tuple[str, ...] = ()
    """Empty: every stream (:func:`ads_streams`)."""
    concurrency: int = DEFAULT_CONCURRENCY
    max_window_days: int | None = None
    """Smaller report windows than the API's 30 days (a workaround for 40067)."""
    app_id: str | None = None
    app_secret: SecretStr | None = None
    """With *app_id*: list the app's authorised advertisers (``/oauth2/advertiser/get/``)."""

    def check(self) -> None:
        if not 0 <= self.lookback_days <= 28:
            raise ConfigError("the look-back must be between 0 and 28 days")
        if self.history_days < 1:
            raise ConfigError("history days must be at least 1")
        if not 0 <= self.hourly_days <= 365:
            raise ConfigError("hourly days must be between 0 (off) and 365")
        if self.hourly_days == 0 and HOURLY.stream in self.streams:
            raise ConfigError(f"the {HOURLY.stream} stream needs hourly days above 0")
        if not 1 <= self.concurrency <= 64:
            raise ConfigError("concurrency must be between 1 and 64")
        unknown = set(self.streams) - set(ads_streams())
        if unknown:
            raise ConfigError(
                f"unknown stream(s) {', '.join(sorted(unknown))}; known: {', '.join(ads_streams())}"
            )


@dataclass(frozen=True)
class OrganicSyncOptions:
    since: date | None = None
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    history_days: int = 60
    streams: tuple[str, ...] = ()
    concurrency: int = DEFAULT_CONCURRENCY


def ads_streams() -> list[str]:
    """Every stream name ``sync_ads`` accepts."""
    return [*stream_names(), *SHOP_STREAMS, *SPLIT_TEST_STREAMS]


def discover_advertisers(
    client: MarketingClient, *, app_id: str | None = None, app_secret: SecretStr | None = None
) -> list[str]:
    """Advertisers the token can reach: the app's authorised ones (with *app_id* and
    *app_secret*), else every ad account of the token's Business Centers."""
    ids: list[str] = []
    if app_id and app_secret is not None:
        ids = [a.advertiser_id for a in client.oauth.authorized_advertisers(app_id, app_secret)]
    else:
        try:
            for bc in client.business_centers.iter():
                for asset in client.business_centers.assets(bc.bc_id, "ADVERTISER"):
                    found = asset.get("asset_id") or asset.get("advertiser_id")
                    if found:
                        ids.append(str(found))
        except (TransportError, AuthError):
            raise  # the API is unreachable or the token is refused: naming advertisers won't help
        except TikTokError as exc:
            raise OptionError(
                "cannot list the token's advertisers ({cause}); give {advertiser_ids} ID", cause=exc
            ) from None
    if not ids:
        raise OptionError("the token reaches no advertiser; give {advertiser_ids} ID")
    return sorted(set(ids))


def _context(
    store: Store,
    client: MarketingClient,
    now: Callable[[], datetime],
    options: AdsSyncOptions | OrganicSyncOptions,
) -> TaskContext:
    """What every task of a sync sees: the client, the stored cursors and the options' windows."""
    return TaskContext(
        client,
        CursorBook.load(store),
        now,
        since=options.since,
        lookback_days=options.lookback_days,
        history_days=options.history_days,
        max_window_days=options.max_window_days if isinstance(options, AdsSyncOptions) else None,
    )


def _write_advertisers(store: Store, infos: Sequence[Any], now: datetime) -> None:
    tbl = schema.ADVERTISERS
    builder = BatchBuilder(
        tbl, [c for c in tbl.names if c != "synced_at"], constants={"synced_at": now}
    )
    rows = [i.model_dump() for i in infos]
    merge_batches(store, ADVERTISERS, list(builder.build(rows)), key=tbl.key)


def sync_ads(
    store: Store,
    client: MarketingClient,
    options: AdsSyncOptions | None = None,
    *,
    reporter: IngestReporter | None = None,
    now: Callable[[], datetime] = _utc_now,
    shop: ShopClient | None = None,
) -> SyncResult:
    """Pull the ads side into *store* (see the module doc); never raises for one stream's
    failure: the result says which failed (its ``status`` is then ``failed``). *shop* pulls
    the TikTok Shop orders (``shop_orders``, skipped when ``None``)."""
    options = options or AdsSyncOptions()
    options.check()
    t0 = time.perf_counter()
    meter = meter_of(client)
    declare_tables(store)
    if meter is not None:
        meter.tag(ADVERTISERS)
    ids = list(options.advertiser_ids) or discover_advertisers(
        client, app_id=options.app_id, app_secret=options.app_secret
    )
    infos = client.advertisers.info(ids)
    if meter is not None:
        meter.tag(None)
    _write_advertisers(store, infos, now())
    known = {i.advertiser_id for i in infos}
    extra = [
        StreamResult(
            ADVERTISERS,
            a,
            "failed",
            error="not returned by /advertiser/info/ (no access with this token?)",
        )
        for a in ids
        if a not in known
    ]
    accounts = [AdvertiserInfo(i.advertiser_id, i.timezone, i.currency) for i in infos]
    streams = options.streams
    ads_part = [s for s in streams if s not in (*SHOP_STREAMS, *SPLIT_TEST_STREAMS)]
    shop_part = [s for s in streams if s in SHOP_STREAMS]
    tasks = []
    if not streams or ads_part:
        tasks += ads_tasks(accounts, ads_part or None, hourly_days=options.hourly_days)
    if not streams or shop_part:
        tasks += shop_tasks(accounts, shop_part or None, shop=shop)
    tasks += split_test_tasks(accounts, streams or None)
    ctx = _context(store, client, now, options)
    runner = Runner(
        store,
        ctx,
        tasks,
        command="ads",
        concurrency=options.concurrency,
        reporter=reporter,
        meter=meter,
        extra_results=extra,
        started_perf=t0,
    )
    daily = not streams or schema.AD_DAILY.name in streams
    fresh = daily and is_fresh(store)  # else ad_monthly may be stale for other advertisers too
    result = runner.run()
    if daily:  # ad_monthly (KPI roll-ups) follows the ad_daily rows just merged
        rollup = StreamResult(
            schema.AD_MONTHLY.name, f"{len(known)} advertisers" if fresh else "all"
        )
        try:
            rollup.rows = refresh_ad_monthly(store, sorted(known) if fresh else None)
            rollup.status = "ok"
        except Exception as exc:  # noqa: BLE001 - the data is merged; KPIs read ad_daily until
            # the next refresh (the roll-up counts as stale), so the sync itself stands
            rollup.status, rollup.error = "failed", str(exc)
        result.streams.append(rollup)
    return result


def sync_organic(
    store: Store,
    client: MarketingClient,
    business_ids: Sequence[str],
    options: OrganicSyncOptions | None = None,
    *,
    reporter: IngestReporter | None = None,
    now: Callable[[], datetime] = _utc_now,
) -> SyncResult:
    """Pull organic accounts and posts of *business_ids* into *store*."""
    options = options or OrganicSyncOptions()
    if not business_ids:
        raise OptionError("no business account to sync: give {business_ids} ID")
    unknown = set(options.streams) - set(organic_stream_names())
    if unknown:
        raise ConfigError(f"unknown organic stream(s) {', '.join(sorted(unknown))}")
    t0 = time.perf_counter()
    declare_tables(store)
    ctx = _context(store, client, now, options)
    tasks = organic_tasks(sorted(set(business_ids)), options.streams or None)
    runner = Runner(
        store,
        ctx,
        tasks,
        command="organic",
        concurrency=options.concurrency,
        reporter=reporter,
        meter=meter_of(client),
        started_perf=t0,
    )
    return runner.run()


def sync_all(
    store: Store,
    client: MarketingClient,
    *,
    business_ids: Sequence[str] = (),
    ads: AdsSyncOptions | None = None,
    organic: OrganicSyncOptions | None = None,
    reporter: IngestReporter | None = None,
    now: Callable[[], datetime] = _utc_now,
    shop: ShopClient | None = None,
) -> list[SyncResult]:
    """Everything: ``sync_ads`` for the token's advertisers, then ``sync_organic`` for
    *business_ids* (skipped when empty). One result per part; neither raises for a stream.

    The demo calls this with a client of the local sandbox, e.g.
    ``sync_all(store, connect_client(token, api_base=url), business_ids=ids)`` where *ids* are
    the ``business_id`` of the sandbox's advertisers (``GET /sandbox/world/``).
    """
    results = [sync_ads(store, client, ads, reporter=reporter, now=now, shop=shop)]
    if business_ids:
        results.append(
            sync_organic(store, client, business_ids, organic, reporter=reporter, now=now)
        )
    return results

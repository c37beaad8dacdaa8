"""The end-to-end demo: a generated shop, the local sandbox, three syncs, the health read-out.

:func:`run_demo` does the work and returns a :class:`DemoResult`; it never prints. It tells a
:class:`DemoReporter` what it is about to do and what came out, so the CLI can show each step as
it happens (the CLI renders with the same functions as the other commands).

Steps (numbered as the reporter is told):

1. generate the shop's files (:mod:`tokops.demo.shop`) into the folder;
2. start the sandbox on a free loopback port (its own generated token is used; the user's
   ``TIKTOK_ACCESS_TOKEN`` is never read) and write ``tokops.toml`` pointing at it, with the
   store ``duckdb://<folder>/tokops.duckdb``;
3. play the browser Pixel's events into the sandbox, each at its arrival time in the past;
4–6. load ``store_sales.parquet``, ``orders.csv`` and ``crm_leads.csv`` into store tables (the
   warehouse, for the README's query examples), then
   sync web orders from the CSV file (mapping proposed from the column names), CRM leads with
   their mapping file, and store sales from the warehouse table;
7. compute the health read-out (ledger + the sandbox's server-vs-pixel diagnostics);
8. sync a suppression audience: buyers of the last 30 days, online and in store;
9. pull the sandbox world's ads (objects, daily reports, audience breakdowns) and organic account
   data into the same store with :func:`tokops.ingest.sync_all`.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from tokops.demo.pixel import PIXEL_EVENTS_PATH, post_pixel_traffic
from tokops.demo.report import (
    DemoOptions,
    DemoReporter,
    DemoResult,
    NullDemoReporter,
    PixelPosting,
    SourceRun,
)
from tokops.demo.shop import Shop, generate_shop
from tokops.demo.truth import FileTruth
from tokops.errors import TokopsError
from tokops.warehouse import schema

if TYPE_CHECKING:
    from tokops.activate.audiences import AudienceSyncResult
    from tokops.activate.health import HealthReport
    from tokops.activate.mapping import FieldMapping
    from tokops.config import Settings
    from tokops.ingest.summary import SyncResult as IngestResult
    from tokops.tiktok import ApiClient
    from tokops.warehouse import Store

__all__ = [
    "AUDIENCE_NAME",
    "CRM_TABLE",
    "ORDERS_TABLE",
    "SALES_TABLE",
    "STORE_TABLES",
    "TRY_NEXT",
    "DemoOptions",
    "DemoResult",
    "next_steps",
    "run_demo",
]

STORE_FILE: Final = "tokops.duckdb"
SALES_TABLE: Final = "store_sales"
ORDERS_TABLE: Final = "web_orders"
CRM_TABLE: Final = "crm_leads"
#: The tables a finished demo leaves in its store, for a newcomer to look at.
STORE_TABLES: Final = (
    schema.EVENTS_LEDGER.name, schema.EVENTS_RUNS.name, ORDERS_TABLE, SALES_TABLE, CRM_TABLE,
    schema.AUDIENCE_SYNCS.name, schema.AD_DAILY.name, schema.ORGANIC_ACCOUNT_DAILY.name,
)  # fmt: skip
AUDIENCE_NAME: Final = "Buyers - last 30 days"
PHONE_REGION: Final = "FR"
DEMO_QPS: Final = 50


#: Commands a newcomer can run on the demo's store once it is done (no sandbox needed).
TRY_NEXT: Final = (
    "tokops kpi --by campaign --kpi spend,roas",
    "tokops insights top-creatives",
    "tokops events health",
)


def next_steps(folder: Path, cwd: Path | None = None) -> list[str]:
    """Shell lines that run :data:`TRY_NEXT` from *cwd* (default: the working folder).

    First ``. <venv>/bin/activate`` when this ``tokops`` runs from a virtual environment whose
    ``bin`` is not on ``PATH`` (``make demo`` runs ``.venv/bin/tokops``), then ``cd`` into the
    demo folder when *cwd* is not it (``tokops.toml`` there points the commands at its store).
    """
    import os
    import shlex
    import sys

    here = (cwd or Path.cwd()).resolve()
    lines: list[str] = []
    venv_bin = Path(sys.prefix) / "bin"
    on_path = any(
        Path(p).resolve() == venv_bin.resolve()
        for p in os.environ.get("PATH", "").split(os.pathsep)
        if p
    )
    if sys.prefix != sys.base_prefix and not on_path:
        lines.append(f". {shlex.quote(_relative(venv_bin / 'activate', here))}")
    if folder.resolve() != here:
        lines.append(f"cd {shlex.quote(_relative(folder.resolve(), here))}")
    return [*lines, *TRY_NEXT]


def _relative(path: Path, cwd: Path) -> str:
    """*path* relative to *cwd* when it lies below it, else absolute."""
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


class _Clock:
    """The sandbox's clock: real time, or "N seconds ago" while browser events are played."""

    def __init__(self) -> None:
        self._lead_s = 0
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            lead = self._lead_s
        return datetime.now(UTC) - timedelta(seconds=lead)

    def set_lead(self, seconds: int) -> None:
        with self._lock:
            self._lead_s = seconds


def _fresh_store(folder: Path) -> None:
    """Remove the demo's own store from a previous run (nothing else in the folder)."""
    for name in (STORE_FILE, STORE_FILE + ".wal"):
        (folder / name).unlink(missing_ok=True)


def _api(settings: Settings, token: str) -> ApiClient:
    from tokops.tiktok import ApiClient, RateLimiter, RetryPolicy

    return ApiClient(
        token,
        api_base=settings.tiktok.api_base,
        timeout_s=settings.tiktok.timeout_s,
        retry=RetryPolicy(max_retries=settings.tiktok.max_retries),
        rate_limiter=RateLimiter(settings.tiktok.qps),
    )


def _load_table(store: Store, path: Path, name: str) -> None:
    """Copy a file into a persistent store table (the "warehouse" side of the demo)."""
    from tokops.warehouse import quote_ident

    loaded = store.read_file(path)
    store.drop(name)
    store.execute(f"CREATE TABLE {quote_ident(name)} AS SELECT * FROM {quote_ident(loaded.name)}")


def _proposed(
    store: Store, source: str, event_source: Literal["web", "offline", "crm"], path: Path
) -> FieldMapping:
    """The mapping ``tokops events map`` proposes for *source*, written to *path* to look at."""
    from tokops.activate import propose_for_source, to_toml

    proposal = propose_for_source(store, source, event_source)
    header = f"Proposed by tokops for {Path(source).name}; review it before production use."
    path.write_text(to_toml(proposal.mapping, header=header), encoding="utf-8")
    return proposal.mapping


def run_demo(options: DemoOptions, reporter: DemoReporter | None = None) -> DemoResult:
    """Run every step of the demo (see the module docstring) and return what came out."""
    from tokops.config import load_settings, write_workspace
    from tokops.sandbox import Sandbox, SandboxSettings
    from tokops.sandbox.server import serve_in_thread
    from tokops.warehouse import connect

    rep = reporter or NullDemoReporter()
    started = time.monotonic()
    folder = options.folder.resolve()

    rep.step(
        1,
        "Generate a shop",
        "A candle shop's last weeks: web orders (CSV), CRM leads (CSV + mapping file), in-store "
        "sales (Parquet) and the browser Pixel's events, with dirty rows mixed in on purpose.",
    )
    folder.mkdir(parents=True, exist_ok=True)
    _fresh_store(folder)
    shop = generate_shop(folder, orders=options.orders, seed=options.seed)
    rep.shop_ready(shop)

    rep.step(
        2,
        "Start the local TikTok sandbox",
        "An emulator of the Events and Audiences APIs on a free loopback port; tokops.toml in "
        "the folder points the workspace at it. No account, no network, no real token needed.",
    )
    clock = _Clock()
    # The Marketing API routes allow DEMO_QPS (TikTok's basic tier is 10) so step 9 is quick.
    sandbox = Sandbox(SandboxSettings(marketing_qps=DEMO_QPS), now=clock)
    with serve_in_thread(sandbox, "127.0.0.1", 0) as server:
        write_workspace(
            folder,
            store_url=f"duckdb://{folder / STORE_FILE}",
            api_base=server.url,
            phone_region=PHONE_REGION,
            overwrite=True,
        )
        # environ={}: a TOKOPS_STORE_URL set for real work must not send the demo elsewhere.
        settings = load_settings(folder, environ={})
        rep.sandbox_ready(server.url, folder / "tokops.toml")
        with _api(settings, sandbox.token) as api:
            posting = _replay_pixel(rep, api, shop, clock)
            store = connect(settings.store.url)
            try:
                runs = _sync_sources(rep, store, api, settings, shop)
                health = _health(rep, store, api)
                audience, note = _audience(rep, store, api)
                ingest = _ingest(rep, store, api, server.url, sandbox.token)
            finally:
                store.close()
    return DemoResult(
        folder=folder,
        shop=shop,
        sandbox_url=server.url,
        pixel=posting,
        runs=runs,
        health=health,
        audience=audience,
        audience_note=note,
        seconds=time.monotonic() - started,
        ingest=ingest,
    )


def _replay_pixel(rep: DemoReporter, api: ApiClient, shop: Shop, clock: _Clock) -> PixelPosting:
    from tokops.sandbox.settings import DEFAULT_PIXEL_CODE

    rep.step(
        3,
        "Replay the browser Pixel",
        "Shoppers' browsers reported most purchases too, with the order id as event_id. Each "
        "arrives at its real time: minutes before the server sync (TikTok merges the two) or "
        "hours before (TikTok keeps the first and drops the server copy).",
    )
    outcomes: Counter[str] = Counter()

    def post(body: dict[str, Any]) -> None:
        answer = api.call("POST", api.api_base + PIXEL_EVENTS_PATH, json=body)
        outcomes.update(answer.data.get("outcomes", []))

    requests = post_pixel_traffic(shop.pixel_events, DEFAULT_PIXEL_CODE, post, clock.set_lead)
    posting = PixelPosting(len(shop.pixel_events), requests, dict(outcomes))
    rep.pixel_done(posting)
    return posting


@dataclass(frozen=True)
class _Plan:
    number: int
    title: str
    explanation: str
    source: str
    event_source: Literal["web", "offline", "crm"]
    event_source_id: str
    mapping: FieldMapping
    mapping_note: str
    truth: FileTruth


def _plans(store: Store, shop: Shop) -> list[_Plan]:
    from tokops.activate import load_mapping
    from tokops.sandbox.settings import (
        DEFAULT_CRM_EVENT_SET_ID,
        DEFAULT_OFFLINE_EVENT_SET_ID,
        DEFAULT_PIXEL_CODE,
    )

    orders = str(shop.path(shop.orders))
    return [
        _Plan(
            4,
            "Sync web orders from orders.csv",
            "Purchases read straight from the CSV file, with the column mapping tokops proposed "
            "from the names (orders_mapping.toml). Emails and phones are normalised and hashed "
            "in DuckDB; rows with a problem are kept aside with a reason, never sent.",
            orders,
            "web",
            DEFAULT_PIXEL_CODE,
            _proposed(store, orders, "web", shop.folder / "orders_mapping.toml"),
            "mapping proposed from the column names (orders_mapping.toml)",
            shop.orders,
        ),
        _Plan(
            5,
            "Sync CRM leads from crm_leads.csv",
            "The CRM names its columns its own way, so crm_mapping.toml says which column is "
            "the event, the time, the email, the phone and the lead id.",
            str(shop.path(shop.crm_leads)),
            "crm",
            DEFAULT_CRM_EVENT_SET_ID,
            load_mapping(shop.crm_mapping),
            "mapping file crm_mapping.toml",
            shop.crm_leads,
        ),
        _Plan(
            6,
            f"Sync in-store sales from the warehouse table {SALES_TABLE}",
            "store_sales.parquet was loaded into the store as a table, the way a till system "
            "lands in a warehouse. Offline events are accepted up to 28 days back.",
            SALES_TABLE,
            "offline",
            DEFAULT_OFFLINE_EVENT_SET_ID,
            _proposed(store, SALES_TABLE, "offline", shop.folder / "store_sales_mapping.toml"),
            "mapping proposed from the column names (store_sales_mapping.toml)",
            shop.store_sales,
        ),
    ]


def _sync_sources(
    rep: DemoReporter, store: Store, api: ApiClient, settings: Settings, shop: Shop
) -> list[SourceRun]:
    from tokops.activate import SyncOptions, run_sync
    from tokops.tiktok.events import EventsClient

    _load_table(store, shop.path(shop.store_sales), SALES_TABLE)
    _load_table(store, shop.path(shop.orders), ORDERS_TABLE)
    _load_table(store, shop.path(shop.crm_leads), CRM_TABLE)
    client = EventsClient(api)
    ev = settings.events
    runs: list[SourceRun] = []
    for plan in _plans(store, shop):
        rep.step(plan.number, plan.title, plan.explanation)
        options = SyncOptions(
            source=plan.source,
            event_source=plan.event_source,
            event_source_id=plan.event_source_id,
            mapping=plan.mapping,
            phone_region=ev.phone_region,
            batch_size=ev.batch_size,
            concurrency=ev.concurrency,
            max_age_days=ev.max_age_days(plan.event_source),
        )
        summary = run_sync(store, client, options, reporter=rep.sync_reporter())
        run = SourceRun(
            plan.title,
            plan.source,
            plan.event_source,
            plan.event_source_id,
            plan.mapping_note,
            plan.truth,
            summary,
        )
        runs.append(run)
        rep.sync_done(run)
    return runs


def _health(rep: DemoReporter, store: Store, api: ApiClient) -> HealthReport:
    from tokops.activate.health import compute_health, diagnostics_from_api

    rep.step(
        7,
        "Event health",
        "What Events Manager would show, from tokops's own ledger plus the sandbox's "
        "server-vs-pixel counts: match keys, match quality, deduplication.",
    )
    report = compute_health(store, diagnostics=diagnostics_from_api(api))
    rep.health_done(report)
    return report


_BUYERS_SQL: Final = (
    f"SELECT email, TRY_CAST(created_at AS TIMESTAMPTZ) AS bought_at FROM {ORDERS_TABLE} "
    f"UNION ALL SELECT loyalty_email AS email, purchased_at AS bought_at FROM {SALES_TABLE}"
)


def _audience(
    rep: DemoReporter, store: Store, api: ApiClient
) -> tuple[AudienceSyncResult | None, str]:
    from tokops.activate.audiences import AudienceSyncOptions, run_audience_sync
    from tokops.sandbox.settings import DEFAULT_ADVERTISER_ID
    from tokops.tiktok.audiences import AudiencesClient

    rep.step(
        8,
        "Suppression audience",
        "Everyone who bought in the last 30 days, online or in store, as a hashed customer "
        "list, so ads stop paying to reach people who just bought.",
    )
    options = AudienceSyncOptions(
        source=_BUYERS_SQL,
        name=AUDIENCE_NAME,
        key="email",
        advertiser_id=DEFAULT_ADVERTISER_ID,
        since_days=30,
        time_column="bought_at",
        phone_region=PHONE_REGION,
    )
    result: AudienceSyncResult | None = None
    note = ""
    try:
        result = run_audience_sync(store, AudiencesClient(api), options)
    except TokopsError as exc:
        note = f"audience not synced: {exc}"
    rep.audience_done(result, note)
    return result, note


def _ingest(
    rep: DemoReporter, store: Store, api: ApiClient, url: str, token: str
) -> list[IngestResult]:
    from pydantic import SecretStr

    from tokops.ingest import connect_client, sync_all
    from tokops.ingest.metering import metered
    from tokops.tiktok.shop import ShopClient, ShopCredentials

    rep.step(
        9,
        "Pull the ads, shop and organic data",
        "The sandbox world's ad accounts (three time zones and currencies), campaigns, ad "
        "groups, ads, daily reports and audience breakdowns, the TikTok Shop catalogues and "
        "orders (signed Shop Partner API calls), and the TikTok accounts' organic metrics, into "
        "the same store (tables ad_daily, shop_orders, organic_account_daily …).",
    )
    world = api.get(f"{url}/sandbox/world/")
    business_ids = [a["business_id"] for a in world["advertisers"] if a.get("business_id")]
    app = api.get(f"{url}/sandbox/shop/credentials/")  # the sandbox's own Shop app
    shop_creds = ShopCredentials(
        app["app_key"], SecretStr(app["app_secret"]), SecretStr(token), api_base=url
    )
    with (
        connect_client(token, api_base=url, qps=DEMO_QPS) as client,
        ShopClient(shop_creds, qps=DEMO_QPS, transport=metered(client)) as shop,
    ):
        results = sync_all(store, client, business_ids=business_ids, shop=shop)
    rep.ingest_done(results)
    return results

"""End to end against the sandbox: what lands in the store equals the simulated world's totals.

The sandbox is in-process (its transport, no sockets) with a fixed clock; the world's ground
truth (``world.totals``) applies the same latency and restatement as its report endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tokops.ingest import AdsSyncOptions, SyncResult, connect_client, sync_ads, sync_organic
from tokops.ingest.tasks import local_today
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.tiktok.marketing import MarketingClient
from tokops.warehouse import Store

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SINCE = date(2024, 4, 1)
TOKEN = "ingest-sandbox-token"


def query(store: Store, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.con.con.execute(sql).fetchall()]


class World:
    """A small sandbox world whose clock the test moves."""

    def __init__(self) -> None:
        self.now = NOW
        settings = SandboxSettings(
            seed=11,
            scale="small",
            world_anchor=NOW.date(),
            access_tokens=(TOKEN,),
            marketing_qps=1000,
        )
        self.sandbox = Sandbox(settings, now=lambda: self.now)
        self.client: MarketingClient = connect_client(
            TOKEN, api_base="http://sandbox.test", transport=self.sandbox.transport(), qps=1000
        )

    def clock(self) -> Callable[[], datetime]:
        return lambda: self.now

    def totals(self, advertiser_id: str) -> dict[str, Any]:
        tz = self.sandbox.world.advertisers[advertiser_id].timezone
        end = local_today(self.now, tz)
        return self.sandbox.world.totals(
            advertiser_id, SINCE, end, as_of=self.now, include_deleted=True
        )

    def sync(self, store: Store, **options: Any) -> SyncResult:
        opts = AdsSyncOptions(**{"since": SINCE, "concurrency": 4, **options})
        return sync_ads(store, self.client, opts, now=self.clock())


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def assert_matches_world(store: Store, world: World) -> None:
    for adv in world.sandbox.world.advertisers:
        truth = world.totals(adv)
        got = query(
            store,
            f"SELECT sum(spend), sum(impressions), sum(conversion) FROM ad_daily "
            f"WHERE advertiser_id = '{adv}'",
        )
        assert got == [(truth["spend"], truth["impressions"], truth["conversion"])], adv


def test_sums_in_the_store_equal_the_worlds_totals_on_both_engines(
    any_store: Store, world: World
) -> None:
    world.now = NOW
    result = world.sync(any_store)
    assert result.status == "ok", result.to_json()
    assert_matches_world(any_store, world)
    for adv in world.sandbox.world.advertisers:
        spend = world.totals(adv)["spend"]
        for level in ("advertiser_daily", "campaign_daily", "adgroup_daily"):
            got = query(any_store, f"SELECT sum(spend) FROM {level} WHERE advertiser_id = '{adv}'")
            assert got == [(spend,)], (level, adv)
        tz = world.sandbox.world.advertisers[adv].timezone
        day = local_today(world.now, tz) - timedelta(days=2)  # past the breakdowns' latency
        level = query(
            any_store,
            f"SELECT sum(spend), sum(clicks) FROM campaign_daily "
            f"WHERE advertiser_id = '{adv}' AND stat_date <= DATE '{day}'",
        )
        for dim in ("gender", "age", "country_code"):  # each dimension splits the same totals
            got = query(
                any_store,
                f"SELECT sum(spend), sum(clicks) FROM audience_daily WHERE "
                f"advertiser_id = '{adv}' AND dimension = '{dim}' AND "
                f"stat_date <= DATE '{day}'",
            )
            assert got == level, (adv, dim)


def test_reruns_are_idempotent_and_restated_conversions_are_corrected(
    duck_store: Store, world: World
) -> None:
    world.now = NOW
    assert world.sync(duck_store).status == "ok"
    before = query(duck_store, "SELECT count(*), sum(conversion), sum(spend) FROM ad_daily")
    assert world.sync(duck_store).status == "ok"
    assert query(duck_store, "SELECT count(*), sum(conversion), sum(spend) FROM ad_daily") == before
    world.now = NOW + timedelta(days=3)  # conversions of the last days were restated upwards
    assert world.sync(duck_store, since=None).status == "ok"
    assert_matches_world(duck_store, world)
    after = query(
        duck_store, "SELECT sum(conversion) FROM ad_daily WHERE stat_date <= DATE '2024-06-01'"
    )
    assert after[0][0] > before[0][1]
    world.now = NOW


def test_days_follow_each_advertisers_time_zone(duck_store: Store, world: World) -> None:
    world.now = datetime(2024, 6, 1, 20, 0, tzinfo=UTC)  # 2 June in Tokyo, 1 June elsewhere
    world.sync(duck_store, streams=("advertiser_daily",))
    zones = dict(query(duck_store, "SELECT advertiser_id, timezone FROM advertisers"))
    last = dict(
        query(duck_store, "SELECT advertiser_id, max(stat_date) FROM advertiser_daily GROUP BY 1")
    )
    for adv, tz in zones.items():
        assert last[adv] == local_today(world.now, tz), tz
    assert date(2024, 6, 2) in last.values() and date(2024, 6, 1) in last.values()
    world.now = NOW


def test_organic_accounts_and_posts_of_the_world(duck_store: Store, world: World) -> None:
    world.now = NOW
    accounts = sorted(world.sandbox.world.accounts)
    result = sync_organic(duck_store, world.client, accounts, now=world.clock())
    assert result.status == "ok", result.to_json()
    assert query(duck_store, "SELECT count(*) FROM organic_accounts") == [(len(accounts),)]
    snaps = query(duck_store, "SELECT count(*), min(followers_count) FROM follower_snapshots")
    assert snaps[0][0] == len(accounts) and snaps[0][1] > 0
    assert query(duck_store, "SELECT count(*) > 0 FROM organic_video_snapshots") == [(True,)]
    days = query(duck_store, "SELECT count(DISTINCT stat_date) FROM organic_account_daily")
    assert 50 <= days[0][0] <= 60


def test_shop_stores_and_gmv_max_orders(duck_store: Store, world: World) -> None:
    world.now = NOW
    result = world.sync(duck_store, streams=("stores", "gmv_max_daily"))
    assert {s.status for s in result.streams} == {"ok"}, result.to_json()
    stores = query(duck_store, "SELECT count(*) FROM stores")
    assert stores == [(len(world.sandbox.world.stores),)]
    got = query(duck_store, "SELECT sum(orders), sum(gross_revenue) FROM gmv_max_daily")
    assert got[0][0] > 0 and isinstance(got[0][1], Decimal)

"""The seeded world: scales, ids, determinism, ground truth, read-outs, CLI, package hygiene."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

import tokops.sandbox
import tokops.sandbox.server.socket_server
from tokops.cli.main import app
from tokops.errors import ConfigError
from tokops.sandbox import Sandbox
from tokops.sandbox.world import World, build_world
from tokops.sandbox.world.delivery import Simulator
from tokops.sandbox.world.generate import populate
from tokops.sandbox.world.organic import Organic

from ..conftest import ANCHOR, TOKEN, Marketing, MockClock

ID = re.compile(r"\d{19}")


def _ids(world: Any) -> list[str]:
    return [*world.bcs, *world.campaigns, *world.adgroups, *world.ads, *world.stores]


def test_a_world_builds_its_own_simulator() -> None:
    """``World`` owns its delivery simulator, organic dynamics and truth (issue 10 §3):
    populating a bare ``World`` gives the same numbers as ``build_world``."""
    world = World(1, "small", ANCHOR)
    assert isinstance(world.sim, Simulator) and world.sim.world is world
    assert isinstance(world.organic, Organic) and world.organic.world is world
    assert world.truth.creative_quality == {}
    populate(world)
    built = build_world(1, "small", ANCHOR)
    adv = next(iter(built.advertisers))
    start = ANCHOR - timedelta(days=7)
    assert world.totals(adv, start, ANCHOR) == built.totals(adv, start, ANCHOR)
    assert world.truth.creative_quality == built.truth.creative_quality


def test_small_world_shape() -> None:
    world = build_world(1, "small", ANCHOR)
    assert len(world.bcs) == 1
    markets = {(a.timezone, a.currency) for a in world.advertisers.values()}
    assert markets == {
        ("Europe/Paris", "EUR"),
        ("America/Los_Angeles", "USD"),
        ("Asia/Tokyo", "JPY"),
    }
    assert 45 <= len(world.ads) <= 90
    assert (world.anchor - world.start).days == 120
    spark = sum(a.is_spark for a in world.ads.values())
    assert 0.3 < spark / len(world.ads) < 0.7
    assert {a.identity_type for a in world.ads.values()} == {
        "CUSTOMIZED_USER", "TT_USER", "BC_AUTH_TT", "AUTH_CODE",
    }  # fmt: skip
    ids = _ids(world)
    assert all(ID.fullmatch(i) for i in ids) and len(set(ids)) == len(ids)
    assert all(ID.fullmatch(p) for p in world.posts)
    assert any(p.banned for p in world.posts.values())
    assert {p.content_type for p in world.posts.values()} >= {
        "challenge",
        "tutorial",
        "unboxing",
        "review",
    }


@pytest.mark.parametrize(("scale", "low", "high", "advertisers"), [("medium", 850, 1200, 6)])
def test_bigger_worlds(scale: str, low: int, high: int, advertisers: int) -> None:
    world = build_world(1, scale, ANCHOR)
    assert low <= len(world.ads) <= high and len(world.advertisers) == advertisers
    assert (world.anchor - world.start).days == 365
    assert len({a.timezone for a in world.advertisers.values()}) == advertisers


def test_same_seed_same_world() -> None:
    def fingerprint(seed: int) -> list[tuple[str, str, float]]:
        world = build_world(seed, "small", ANCHOR)
        return [(a.ad_id, a.name, a.quality) for a in world.ads.values()]

    assert fingerprint(5) == fingerprint(5)
    assert fingerprint(5) != fingerprint(6)


def test_ground_truth() -> None:
    world = build_world(1, "small", ANCHOR)
    truth = world.truth
    assert truth.spark_uplift == {
        "complete_view_rate": 0.30, "engagement_rate": 1.42, "cvr": 0.43, "cpm": -0.04,
    }  # fmt: skip
    assert sum(truth.hourly_activity) == pytest.approx(1.0)
    assert len(truth.best_posting_hours) == 3
    assert len(truth.creative_quality) == len(world.ads)
    for trends in (truth.saturating_formats, truth.saturating_hashtags):
        assert trends
        for info in trends.values():
            peak, collapse = date.fromisoformat(info["peak"]), date.fromisoformat(info["collapse"])
            assert world.start < peak < collapse
            assert info["peak_engagement_multiplier"] > 1 > info["saturated_engagement_multiplier"]
    assert set(truth.split_test_winners) == set(world.split_tests)
    summary = truth.summary()
    assert set(summary) >= {"spark_uplift", "saturating_formats", "creative_quality"}


def test_totals_settle(mk: Marketing) -> None:
    world = mk.world
    day = ANCHOR
    settled = world.totals(mk.adv, day, day)
    now = world.totals(mk.adv, day, day, as_of=mk.clock())
    assert settled["spend"] == now["spend"] and settled["impressions"] == now["impressions"]
    assert settled["conversion"] >= now["conversion"]  # still being restated
    week = world.totals(mk.adv, day - timedelta(days=6), day)
    assert week["spend"] > settled["spend"]


def test_world_readouts(mk: Marketing) -> None:
    summary = mk.client.get("/sandbox/world/").json()["data"]
    assert summary["seed"] == 1 and summary["scale"] == "small"
    assert summary["anchor"] == "2026-03-01" and summary["history_start"] == "2025-11-01"
    first = summary["advertisers"][0]
    assert (first["timezone"], first["currency"]) == ("Europe/Paris", "EUR")
    assert summary["counts"]["ads"] == len(mk.world.ads)
    truth = mk.client.get("/sandbox/world/truth/").json()["data"]
    assert truth["spark_uplift"]["engagement_rate"] == 1.42
    denied = mk.client.get("/sandbox/world/", headers={"Access-Token": "nope"}).json()
    assert denied["code"] == 40105


def test_the_anchor_defaults_to_the_clock(clock: MockClock) -> None:
    sandbox = Sandbox(tokops.sandbox.SandboxSettings(access_tokens=(TOKEN,)), now=clock)
    assert sandbox.world.anchor == clock().date()


def test_cli_world_flags(served: list[tuple[Sandbox, str, int]]) -> None:
    args = ["sandbox", "serve", "--port", "0", "--seed", "9", "--scale", "small",
            "--marketing-qps", "20", "--world-anchor", "2026-01-31"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    settings = served[0][0].settings
    assert (settings.seed, settings.scale, settings.marketing_qps) == (9, "small", 20)
    assert served[0][0].world.anchor == date(2026, 1, 31)
    for adv in served[0][0].world.advertisers.values():
        assert adv.advertiser_id in result.output and adv.timezone in result.output
    assert "world: seed 9, scale small" in result.output
    bad = CliRunner().invoke(app, ["sandbox", "serve", "--scale", "huge"])
    assert isinstance(bad.exception, ConfigError) and "scale" in str(bad.exception)

"""Ground truth: saturating formats of an ingested sandbox world are flagged (backtest)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from tokops.ingest import connect_client, sync_organic
from tokops.insights.saturation import assess, load_series
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.warehouse import connect

pytestmark = pytest.mark.slow
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def test_world_saturating_formats_are_flagged() -> None:
    settings = SandboxSettings.unthrottled(seed=11, world_anchor=NOW.date())
    sandbox = Sandbox(settings, now=lambda: NOW)
    client = connect_client("t", api_base="http://sandbox.test", transport=sandbox.transport())
    store = connect("duckdb://")
    assert (
        sync_organic(store, client, sorted(sandbox.world.accounts), now=lambda: NOW).status == "ok"
    )
    truth = sandbox.world.truth.saturating_formats
    series = load_series(store, "content_type")
    assert series is not None
    first: dict[str, date] = {}
    for t in range(len(series.days)):
        for j, key in enumerate(series.keys):
            if key not in first and assess(series, j, t).status == "saturating":
                first[key] = series.days[t]
    true_flags = [k for k in first if k in truth]
    assert set(true_flags) == set(truth)  # recall 2/2 (measured)
    assert len(true_flags) / len(first) >= 0.6  # precision 2/3 measured
    early = [k for k in true_flags if first[k] < date.fromisoformat(truth[k]["collapse"])]
    assert len(early) >= 1  # "review" flagged 15 days before collapse; before_after 4 days late


def _world(seed: int) -> tuple[Sandbox, object]:
    settings = SandboxSettings.unthrottled(seed=seed, world_anchor=NOW.date())
    sandbox = Sandbox(settings, now=lambda: NOW)
    client = connect_client("t", api_base="http://sandbox.test", transport=sandbox.transport())
    store = connect("duckdb://")
    assert (
        sync_organic(store, client, sorted(sandbox.world.accounts), now=lambda: NOW).status == "ok"
    )
    return sandbox, store


def _first_flags(series: object, *, baseline: bool) -> dict[str, date]:
    first: dict[str, date] = {}
    for t in range(len(series.days)):  # type: ignore[attr-defined]
        for j, key in enumerate(series.keys):  # type: ignore[attr-defined]
            status = assess(series, j, t, baseline=baseline).status  # type: ignore[arg-type]
            if key not in first and status == "saturating":
                first[key] = series.days[t]  # type: ignore[attr-defined]
    return first


def test_hashtags_are_stored_and_the_baseline_removes_niche_tags() -> None:
    flagged = {True: 0, False: 0}
    right = {True: 0, False: 0}
    observable = 0
    for seed in (11, 12, 13):
        sandbox, store = _world(seed)
        videos = store.fetch(store.table("organic_videos")).to_pylist()  # type: ignore[attr-defined]
        posts = {p.item_id: p for p in sandbox.world.posts.values()}
        for v in videos[:50]:  # the API's hashtags and format are stored as sent
            assert json.loads(v["hashtags"]) == list(posts[v["item_id"]].hashtags)
            assert v["content_type"] == posts[v["item_id"]].content_type
        truth = sandbox.world.truth.saturating_hashtags
        series = load_series(store, "hashtag")  # type: ignore[arg-type]
        assert series is not None
        used = {k for j, k in enumerate(series.keys) if series.posts[j].sum() >= 5}
        observable += len(used & set(truth))
        tribes = {f"{n}tok" for n in ("beauty", "tech", "food", "fashion", "fit", "home")}
        for baseline in (True, False):
            first = _first_flags(series, baseline=baseline)
            flagged[baseline] += len(first)
            right[baseline] += len(set(first) & set(truth))
            if baseline:
                assert not set(first) & tribes  # a tag on every post has no baseline
    # measured on seeds 11-13: 18 of the 36 true tags are used at all (3 niches of 6 have an
    # account at this scale); baseline 3 right of 6 flagged, raw ER 4 right of 16
    assert observable == 18
    assert right[True] / flagged[True] >= 0.5 > right[False] / flagged[False]
    assert right[True] >= 3

"""End to end on the served sandbox: from a creator's code to a delivering Spark ad whose paid
engagement shows on the organic post (SPK-1, SPK-2, SPK-4), through real ``tokops`` processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tokops.sandbox import Sandbox, SandboxSettings
from tokops.sandbox.server import serve_in_thread
from tokops.tiktok.marketing import MarketingClient

TOKEN = "spark-e2e-token"
ADV = "7100000000000000001"


class Clock:
    """The sandbox's clock, moved by the test (the CLI processes use their own)."""

    def __init__(self) -> None:
        self.t = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.t


def _cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKOPS_", "TIKTOK_"))}
    env["TIKTOK_ACCESS_TOKEN"] = TOKEN
    code = "from tokops.cli.main import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "spark", *args, "--advertiser", ADV],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.slow
def test_creator_code_to_delivering_spark_ad(tmp_path: Path) -> None:
    clock = Clock()
    settings = SandboxSettings.unthrottled(seed=3, world_anchor=clock.t.date(), token=TOKEN)
    sandbox = Sandbox(settings, now=clock)
    world = sandbox.world
    code = next(
        c for c in sorted(world.auth_codes.values(), key=lambda c: c.code)
        if c.issued <= clock.t and c.expires > clock.t + timedelta(days=20) and not c.spans
        and not world.posts[c.item_id].banned
    )  # fmt: skip
    post = world.posts[code.item_id]
    assert world.organic.post_paid(post, clock.t)["video_views"] == 0
    with serve_in_thread(sandbox) as server:
        base = ("--api-base", server.url)
        authorized = _cli(tmp_path, "authorize", code.code, *base)
        assert authorized.returncode == 0, authorized.stderr
        listed = _cli(tmp_path, "list", "--format", "json", *base)
        rows = {r["item_id"]: r for r in json.loads(listed.stdout)}
        assert rows[code.item_id]["source"] == "creator code"
        created = _cli(
            tmp_path, "create", "--post", code.item_id, "--objective", "VIDEO_VIEWS",
            "--buying-type", "AUCTION", "--format", "json", *base,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        made = json.loads(created.stdout)
        assert TOKEN not in created.stdout + created.stderr
        clock.t += timedelta(days=2)
        with MarketingClient.connect(TOKEN, api_base=server.url) as mk:
            (ad,) = mk.ads.get(ADV, [made["ad_id"]])
    assert ad.tiktok_item_id == code.item_id and ad.identity_type == "AUTH_CODE"
    assert ad.secondary_status == "AD_STATUS_DELIVERY_OK"
    paid = world.organic.post_paid(post, clock.t)  # SPK-2: credited to the organic post
    assert paid["video_views"] > 0 and paid["likes"] > 0

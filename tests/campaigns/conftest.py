"""An in-process sandbox and a Marketing API client on it, for the campaigns flows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tokops.sandbox import Sandbox, SandboxSettings
from tokops.tiktok.marketing import MarketingClient

TOKEN = "campaigns-token"
ADV = "7100000000000000001"
CREATOR_POSTS = (
    {"code": "#FRESH-POST", "duet": False, "sticker": False},  # valid 30 days
    {"code": "#BANNED-POST", "banned": True},  # SPK-6
    {"code": "#LONG-VIDEO", "duration_s": 720.0},  # SPK-5
    {"code": "#EXPIRES-SOON", "expires_in_days": 3, "valid_days": 7},
    {"code": "#EXPIRED-CODE", "expires_in_days": -1, "valid_days": 7},
)
"""Creators' posts the sandbox adds as given: a world that fails each way on purpose."""


@pytest.fixture
def sandbox() -> Sandbox:
    settings = SandboxSettings.unthrottled(
        seed=3,
        world_anchor=datetime.now(UTC).date(),
        token=TOKEN,
        marketing={"creator_posts": CREATOR_POSTS},
    )
    return Sandbox(settings)


@pytest.fixture
def mk(sandbox: Sandbox) -> Iterator[MarketingClient]:
    with MarketingClient.connect(
        TOKEN, api_base="http://127.0.0.1:9", transport=sandbox.transport()
    ) as client:
        yield client

"""An in-process sandbox and a Marketing API client on it, for the campaigns flows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tokops.sandbox import Sandbox, SandboxSettings
from tokops.tiktok.marketing import MarketingClient

TOKEN = "campaigns-token"
ADV = "7100000000000000001"


@pytest.fixture
def sandbox() -> Sandbox:
    settings = SandboxSettings.unthrottled(
        seed=3, world_anchor=datetime.now(UTC).date(), token=TOKEN
    )
    return Sandbox(settings)


@pytest.fixture
def mk(sandbox: Sandbox) -> Iterator[MarketingClient]:
    with MarketingClient.connect(
        TOKEN, api_base="http://127.0.0.1:9", transport=sandbox.transport()
    ) as client:
        yield client

"""A demo-like store for the report tests: ads and organic data synced from the sandbox.

The sandbox runs in-process (its transport, no sockets) with a fixed clock, like the ingest's
end-to-end tests; the store is a DuckDB file in a workspace, so the CLI reads it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tokops.config import write_workspace
from tokops.ingest import AdsSyncOptions, connect_client, sync_ads, sync_organic
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.warehouse import Store, connect

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
SINCE = date(2024, 3, 15)
TOKEN = "reports-sandbox-token"


@dataclass(frozen=True)
class Workspace:
    root: Path
    url: str

    def store(self) -> Store:
        return connect(self.url)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("reports")
    url = f"duckdb://{root / 'store.duckdb'}"
    write_workspace(root, store_url=url, api_base="http://127.0.0.1:1", phone_region="US")
    settings = SandboxSettings(
        seed=11, scale="small", world_anchor=TODAY, access_tokens=(TOKEN,), marketing_qps=1000
    )
    sandbox = Sandbox(settings, now=lambda: NOW)
    client = connect_client(
        TOKEN, api_base="http://sandbox.test", transport=sandbox.transport(), qps=1000
    )
    store = connect(url)
    try:
        clock = lambda: NOW  # noqa: E731
        ads = sync_ads(store, client, AdsSyncOptions(since=SINCE, concurrency=2), now=clock)
        assert ads.status == "ok", ads.to_json()
        accounts = sorted(sandbox.world.accounts)
        organic = sync_organic(store, client, accounts, now=clock)
        assert organic.status == "ok", organic.to_json()
    finally:
        store.close()
    return Workspace(root, url)

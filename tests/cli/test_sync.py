"""``tokops sync``'s clients: the Shop API base from the workspace, and where calls go (§5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokops.cli._client import marketing_client, shop_client
from tokops.config import load_settings, write_workspace


@pytest.fixture
def shop_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", "tok")
    monkeypatch.setenv("TIKTOK_SHOP_APP_KEY", "key")
    monkeypatch.setenv("TIKTOK_SHOP_APP_SECRET", "shop-secret")
    monkeypatch.setenv("TIKTOK_SHOP_ACCESS_TOKEN", "seller")
    monkeypatch.delenv("TIKTOK_SHOP_API_BASE", raising=False)
    monkeypatch.delenv("TOKOPS_API_BASE", raising=False)


def test_a_sandbox_workspace_sends_shop_calls_to_the_sandbox(
    tmp_path: Path, shop_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    base = "http://127.0.0.1:8765"
    write_workspace(tmp_path, api_base=base, shop_api_base=base)
    settings = load_settings(tmp_path)
    with marketing_client(settings) as client:
        shop = shop_client(settings, client)
        assert shop is not None
        with shop:
            assert shop.api.api_base == base
    err = capsys.readouterr().err.splitlines()
    assert err == [f"→ sandbox at {base}", f"→ sandbox at {base}"]
    assert not any("secret" in line or "seller" in line for line in err)


def test_without_a_shop_base_the_real_shop_api_is_used(
    tmp_path: Path, shop_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from tokops.tiktok.shop.credentials import DEFAULT_SHOP_API_BASE

    write_workspace(tmp_path)
    settings = load_settings(tmp_path)
    with marketing_client(settings) as client:
        shop = shop_client(settings, client)
        assert shop is not None
        with shop:
            assert shop.api.api_base == DEFAULT_SHOP_API_BASE
    assert capsys.readouterr().err.splitlines() == [
        "→ TikTok API https://business-api.tiktok.com",
        f"→ TikTok Shop API {DEFAULT_SHOP_API_BASE}",
    ]

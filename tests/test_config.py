"""Workspace configuration: defaults, file, environment, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokops.config import (
    EventsSettings,
    access_token,
    app_credentials,
    check_store_scheme,
    load_settings,
    write_workspace,
)
from tokops.errors import ConfigError


def test_defaults_without_a_file(tmp_path: Path) -> None:
    s = load_settings(tmp_path, environ={})
    assert s.store.url == "duckdb://tokops.duckdb"
    assert s.tiktok.api_base == "https://business-api.tiktok.com"


def test_written_workspace_round_trips_and_env_overrides(tmp_path: Path) -> None:
    write_workspace(tmp_path, store_url="postgres://u@h/db", phone_region="FR")
    s = load_settings(tmp_path, environ={})
    assert s.store.url == "postgres://u@h/db" and s.events.phone_region == "FR"
    s = load_settings(tmp_path, environ={"TOKOPS_API_BASE": "http://127.0.0.1:8765"})
    assert s.tiktok.api_base == "http://127.0.0.1:8765"
    with pytest.raises(ConfigError, match="already exists"):
        write_workspace(tmp_path)


def test_bad_file_names_the_problem(tmp_path: Path) -> None:
    (tmp_path / "tokops.toml").write_text("[events]\nbatch_size = 5000\n")
    with pytest.raises(ConfigError, match="events.batch_size"):
        load_settings(tmp_path, environ={})
    (tmp_path / "tokops.toml").write_text("[store\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(tmp_path, environ={})
    (tmp_path / "tokops.toml").write_text('[store]\nurl = "x"\nsecret = 1\n')
    with pytest.raises(ConfigError, match="secret"):
        load_settings(tmp_path, environ={})


def test_token_only_from_environment_and_never_shown() -> None:
    with pytest.raises(ConfigError, match="TIKTOK_ACCESS_TOKEN"):
        access_token({})
    tok = access_token({"TIKTOK_ACCESS_TOKEN": " abc123 "})
    assert tok.get_secret_value() == "abc123"
    assert "abc123" not in repr(tok) and "abc123" not in str(tok)


def test_shop_api_base_from_the_file_then_the_environment(tmp_path: Path) -> None:
    write_workspace(
        tmp_path, api_base="http://127.0.0.1:8765", shop_api_base="http://127.0.0.1:8765"
    )
    assert load_settings(tmp_path, environ={}).tiktok.shop_api_base == "http://127.0.0.1:8765"
    s = load_settings(tmp_path, environ={"TIKTOK_SHOP_API_BASE": "http://127.0.0.1:9"})
    assert s.tiktok.shop_api_base == "http://127.0.0.1:9"


def test_values_with_quotes_are_written_as_valid_toml(tmp_path: Path) -> None:
    odd = 'duckdb://my "shop"\\store.duckdb'
    write_workspace(tmp_path, store_url=odd)
    assert load_settings(tmp_path, environ={}).store.url == odd


def test_an_unwritable_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot write"):
        write_workspace(tmp_path / "missing" / "folder")


def test_events_timezone_is_checked(tmp_path: Path) -> None:
    """Issue 9 §5: the zone of event times written without one (default: UTC)."""
    assert load_settings(tmp_path, environ={}).events.timezone is None
    (tmp_path / "tokops.toml").write_text('[events]\ntimezone = "Europe/Paris"\n')
    assert load_settings(tmp_path, environ={}).events.timezone == "Europe/Paris"
    (tmp_path / "tokops.toml").write_text('[events]\ntimezone = "Paris"\n')
    with pytest.raises(ConfigError, match=r"events\.timezone.*unknown time zone"):
        load_settings(tmp_path, environ={})


def test_app_credentials_only_from_the_environment() -> None:
    assert app_credentials({}) == (None, None)
    app_id, secret = app_credentials({"TIKTOK_APP_ID": "123", "TIKTOK_APP_SECRET": "s3cret"})
    assert app_id == "123" and secret is not None
    assert secret.get_secret_value() == "s3cret" and "s3cret" not in repr(secret)
    assert app_credentials({"TIKTOK_APP_ID": "", "TIKTOK_APP_SECRET": ""}) == (None, None)


@pytest.mark.parametrize("url", ["duckdb://x.duckdb", "postgres://u@h/db", "postgresql://h/db"])
def test_store_urls_of_known_engines_pass(url: str) -> None:
    assert check_store_scheme(url) == url


@pytest.mark.parametrize(
    ("url", "got"), [("mysql://u:s3cret@h/db", "scheme 'mysql'"), ("tokops.duckdb", "no scheme")]
)
def test_other_store_urls_are_refused_without_showing_them(url: str, got: str) -> None:
    with pytest.raises(ConfigError, match=got) as err:
        check_store_scheme(url)
    assert "s3cret" not in str(err.value) and "duckdb://" in str(err.value)


def test_max_event_age_by_source() -> None:
    ev = EventsSettings(web_max_age_days=3, crm_max_age_days=20)
    assert [ev.max_age_days(s) for s in ("web", "crm", "offline")] == [3, 20, None]

"""Suppression audiences from the store (EVT-8): normalise, hash, dedupe, upload, record."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from tokops.activate.audiences import (
    RECORD_TABLE,
    AudienceRecord,
    AudienceSyncOptions,
    audience_status,
    last_record,
    run_audience_sync,
)
from tokops.errors import ConfigError, NotFoundError, ParameterError, PipelineError, SourceError
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.tiktok import ApiClient
from tokops.tiktok.audiences import AudiencesClient, CustomAudience
from tokops.tiktok.hashing import hash_email, hash_phone
from tokops.warehouse import Store
from tokops.warehouse.schema import AUDIENCE_SYNCS

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
ADV = "7100000000000000001"


def make_table(store: Store, name: str, data: dict[str, list[Any]]) -> None:
    table = pa.table(data)
    store.ensure_table(name, ibis.Schema.from_pyarrow(table.schema))
    store.insert(name, table)


def lines(content: bytes) -> list[str]:
    return content.decode().splitlines()


class FakeAudiences:
    """Stands in for AudiencesClient: records calls, can forget an audience (404 on update)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.uploaded: list[bytes] = []
        self.gone: set[str] = set()
        self.next_id = 900

    def upload_file(self, advertiser_id: str, content: bytes, calculate_type: str) -> str:
        self.calls.append(("upload", calculate_type))
        self.uploaded.append(content)
        return f"/files/{len(self.uploaded)}"

    def create(
        self,
        advertiser_id: str,
        name: str,
        file_paths: list[str],
        calculate_type: str,
        *,
        retention_in_days: int | None = None,
    ) -> str:
        self.next_id += 1
        self.calls.append(("create", (name, file_paths, calculate_type, retention_in_days)))
        return str(self.next_id)

    def update(
        self, advertiser_id: str, audience_id: str, *, file_paths: list[str], action: str
    ) -> None:
        self.calls.append(("update", (audience_id, file_paths, action)))
        if audience_id in self.gone:
            raise NotFoundError(40007, f"Custom audience {audience_id} does not exist.")

    def list(self, advertiser_id: str) -> Iterator[CustomAudience]:
        yield CustomAudience(audience_id="901", cover_num=3, is_valid=True)


def opts(**kw: Any) -> AudienceSyncOptions:
    base: dict[str, Any] = {"source": "buyers", "name": "Buyers 30d", "advertiser_id": ADV}
    return AudienceSyncOptions(**(base | kw))


EMAILS = [" Alice@Shop.test", "alice@shop.test", "BOB@shop.test", "not-an-email", "", None, "  "]


# -- normalise, hash, dedupe ------------------------------------------------------------------
def test_email_file_on_every_engine(any_store: Store) -> None:
    pre = hashlib.sha256(b"carol@shop.test").hexdigest().upper()  # pre-hashed passes through
    make_table(any_store, "buyers", {"email": [*EMAILS, pre]})
    result = run_audience_sync(any_store, None, opts(dry_run=True), now=NOW)
    expected = sorted(
        {hash_email("alice@shop.test"), hash_email("bob@shop.test"), pre.lower()}  # type: ignore[arg-type]
    )
    assert (result.rows_read, result.rows, result.entries, result.duplicates) == (8, 8, 3, 1)
    assert result.invalid == 4
    assert result.invalid_reasons == [("email: empty", 3), ("email: not an email address", 1)]
    assert result.file_md5 == hashlib.md5(("\n".join(expected) + "\n").encode()).hexdigest()
    assert result.file_bytes == 3 * 65
    assert result.action == "create" and result.custom_audience_id is None
    assert any("at least 1,000" in w for w in result.warnings)


def test_phone_uses_the_workspace_region(duck_store: Store) -> None:
    make_table(duck_store, "buyers", {"tel": ["06 12 34 56 78", "+33 6 12 34 56 78", "abc", "12"]})
    fake = FakeAudiences()
    result = run_audience_sync(
        duck_store, fake, opts(key="phone", column="tel", phone_region="FR"), now=NOW
    )  # type: ignore[arg-type]
    assert lines(fake.uploaded[0]) == [hash_phone("+33612345678")]
    assert result.calculate_type == "PHONE_SHA256" and result.duplicates == 1
    assert dict(result.invalid_reasons) == {"phone: not a phone number (no valid E.164 form)": 2}
    assert fake.calls[0] == ("upload", "PHONE_SHA256")


@pytest.mark.parametrize(
    "times",
    [
        [NOW - timedelta(days=1), NOW - timedelta(days=40), None],
        [
            (NOW - timedelta(days=1)).replace(tzinfo=None),
            (NOW - timedelta(days=40)).replace(tzinfo=None),
            None,
        ],
        [date(2025, 6, 29), date(2025, 5, 1), None],
        [
            int((NOW - timedelta(days=1)).timestamp()),
            int((NOW - timedelta(days=40)).timestamp()),
            None,
        ],
        ["2025-06-29T08:00:00", "2025-05-01 00:00:00", "next tuesday"],
    ],
    ids=["timestamptz", "timestamp", "date", "unix", "text"],
)
def test_since_days_window(duck_store: Store, times: list[Any]) -> None:
    make_table(
        duck_store,
        "buyers",
        {"email": ["new@shop.test", "old@shop.test", "when@shop.test"], "bought_at": times},
    )
    result = run_audience_sync(
        duck_store, None, opts(dry_run=True, since_days=30, time_column="bought_at"), now=NOW
    )
    assert (result.rows_read, result.rows, result.entries, result.untimed) == (3, 1, 1, 1)
    assert any("no readable bought_at" in w for w in result.warnings)


def test_csv_source_with_a_broken_line(duck_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "buyers.csv"
    path.write_text("email,total\na@shop.test,10\nc@shop.test,7,extra\nd@shop.test,3\n")
    result = run_audience_sync(duck_store, None, opts(source=str(path), dry_run=True), now=NOW)
    assert (result.rows_read, result.entries, result.rejected_lines) == (2, 2, 1)
    assert any("1 lines of the file could not be read" in w for w in result.warnings)


def test_key_column_is_found_like_the_events_sync_does(duck_store: Store) -> None:
    make_table(duck_store, "buyers", {"Email ": ["a@shop.test", "b@shop.test"]})
    result = run_audience_sync(duck_store, None, opts(dry_run=True), now=NOW)
    assert result.entries == 2


def test_sql_source(duck_store: Store) -> None:
    make_table(duck_store, "orders", {"mail": ["a@shop.test", "b@shop.test"], "total": [5, 50]})
    result = run_audience_sync(
        duck_store,
        None,
        opts(source="SELECT mail AS email FROM orders WHERE total > 10", dry_run=True),
        now=NOW,
    )
    assert result.entries == 1


@pytest.mark.parametrize(
    ("kw", "error", "text"),
    [
        ({"column": "nope"}, SourceError, "no column 'nope'"),
        ({"since_days": 7}, ConfigError, "^since_days needs time_column "),
        ({"since_days": 0, "time_column": "email"}, ConfigError, "^since_days must be"),
        ({"name": "x" * 129}, ConfigError, "^name must have 1 to 128 characters"),
        ({"retention_in_days": 400}, ConfigError, "^retention_in_days must be within"),
        ({"advertiser_id": None}, ConfigError, "TIKTOK_ADVERTISER_ID"),
        ({"source": "missing_table"}, SourceError, "missing_table"),
    ],
)
def test_bad_input_is_one_clear_error(
    duck_store: Store, kw: dict[str, Any], error: type[Exception], text: str
) -> None:
    make_table(duck_store, "buyers", {"email": ["a@shop.test"]})
    with pytest.raises(error, match=text):
        run_audience_sync(duck_store, FakeAudiences(), opts(**kw), now=NOW)  # type: ignore[arg-type]


def test_nothing_usable_is_an_error_but_a_dry_run_reports_it(duck_store: Store) -> None:
    make_table(duck_store, "buyers", {"email": ["nope", "bad", None]})
    dry = run_audience_sync(duck_store, None, opts(dry_run=True), now=NOW)
    assert dry.entries == 0 and any("nothing would be uploaded" in w for w in dry.warnings)
    fake = FakeAudiences()
    with pytest.raises(PipelineError, match="not an email address"):
        run_audience_sync(duck_store, fake, opts(), now=NOW)  # type: ignore[arg-type]
    assert fake.calls == []


# -- create, replace, skip -------------------------------------------------------------------
def test_create_then_unchanged_then_replace(duck_store: Store) -> None:
    make_table(duck_store, "buyers", {"email": ["a@shop.test", "b@shop.test"]})
    fake = FakeAudiences()
    first = run_audience_sync(duck_store, fake, opts(retention_in_days=30), now=NOW)  # type: ignore[arg-type]
    assert (first.action, first.custom_audience_id) == ("create", "901")
    assert fake.calls[1] == ("create", ("Buyers 30d", ["/files/1"], "EMAIL_SHA256", 30))

    later = NOW + timedelta(days=1)
    second = run_audience_sync(duck_store, fake, opts(), now=later)  # type: ignore[arg-type]
    assert (second.action, second.custom_audience_id) == ("unchanged", "901")
    assert len(fake.uploaded) == 1  # same MD5: nothing uploaded

    dry = run_audience_sync(duck_store, None, opts(dry_run=True), now=later)
    assert dry.action == "unchanged"

    make_table(duck_store, "buyers", {"email": ["c@shop.test"]})
    third = run_audience_sync(duck_store, fake, opts(), now=later + timedelta(days=1))  # type: ignore[arg-type]
    assert (third.action, third.custom_audience_id) == ("replace", "901")
    assert fake.calls[-1] == ("update", ("901", ["/files/2"], "REPLACE"))
    assert len(lines(fake.uploaded[1])) == 3

    record = last_record(duck_store, ADV, "Buyers 30d")
    assert record is not None
    assert (record.action, record.entries, record.custom_audience_id) == ("replace", 3, "901")
    assert record.synced_at == later + timedelta(days=1)
    assert record.file_md5 == third.file_md5
    history = duck_store.fetch(duck_store.table(RECORD_TABLE)).to_pylist()
    assert [r["action"] for r in history] == ["create", "unchanged", "replace"]  # no dry run
    assert all("@" not in str(v) for r in history for v in r.values())  # no PII recorded
    # The record is the catalogue's audience_syncs, column for column (docs/schema.md).
    assert RECORD_TABLE == AUDIENCE_SYNCS.name
    assert list(history[0]) == list(AUDIENCE_SYNCS.names)
    assert [f.name for f in fields(AudienceRecord)] == list(AUDIENCE_SYNCS.names)


def test_force_uploads_unchanged_content(duck_store: Store) -> None:
    make_table(duck_store, "buyers", {"email": ["a@shop.test"]})
    fake = FakeAudiences()
    run_audience_sync(duck_store, fake, opts(), now=NOW)  # type: ignore[arg-type]
    again = run_audience_sync(duck_store, fake, opts(force=True), now=NOW)  # type: ignore[arg-type]
    assert again.action == "replace" and len(fake.uploaded) == 2


def test_audience_deleted_on_tiktok_is_created_again(duck_store: Store) -> None:
    make_table(duck_store, "buyers", {"email": ["a@shop.test"]})
    fake = FakeAudiences()
    run_audience_sync(duck_store, fake, opts(), now=NOW)  # type: ignore[arg-type]
    fake.gone.add("901")
    make_table(duck_store, "buyers", {"email": ["b@shop.test"]})
    result = run_audience_sync(duck_store, fake, opts(), now=NOW)  # type: ignore[arg-type]
    assert (result.action, result.custom_audience_id) == ("recreate", "902")
    assert any("no longer exists" in w for w in result.warnings)


def test_switching_key_type_under_the_same_name_is_refused(duck_store: Store) -> None:
    make_table(duck_store, "buyers", {"email": ["a@shop.test"], "phone": ["+33612345678"]})
    fake = FakeAudiences()
    run_audience_sync(duck_store, fake, opts(), now=NOW)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="EMAIL_SHA256"):
        run_audience_sync(duck_store, fake, opts(key="phone"), now=NOW)  # type: ignore[arg-type]


def test_status_reports_census_match_rate(duck_store: Store) -> None:
    make_table(duck_store, "buyers", {"email": ["a@shop.test", "b@shop.test", "c@shop.test", "x"]})
    run_audience_sync(duck_store, FakeAudiences(), opts(), now=NOW)  # type: ignore[arg-type]
    (status,) = audience_status(duck_store, FakeAudiences(), ADV)  # type: ignore[arg-type]
    assert status.cover_num == 3 and status.record.rows == 4
    assert status.match_rate == 0.75  # invalid rows stay in the denominator
    assert audience_status(duck_store, None, "other") == []


# -- against the sandbox ---------------------------------------------------------------------
def test_full_sync_against_the_sandbox(any_store: Store) -> None:
    sandbox = Sandbox(SandboxSettings(access_tokens=("tok",)), now=lambda: NOW)
    api = ApiClient("tok", api_base="http://sandbox.test", transport=sandbox.transport())
    client = AudiencesClient(api)
    emails = [f"Buyer{i}@Shop.test " for i in range(1200)] + ["broken", None]
    make_table(any_store, "buyers", {"email": emails})

    created = run_audience_sync(any_store, client, opts(), now=NOW)
    assert created.action == "create" and created.entries == 1200 and created.warnings == []
    audience = sandbox.audiences.audiences[created.custom_audience_id or ""]
    assert audience.hashes == {hash_email(f"buyer{i}@shop.test") for i in range(1200)}
    assert audience.calculate_type == "EMAIL_SHA256"

    make_table(any_store, "buyers", {"email": ["late@shop.test"]})
    replaced = run_audience_sync(any_store, client, opts(), now=NOW + timedelta(hours=1))
    assert (
        replaced.action == "replace" and replaced.custom_audience_id == created.custom_audience_id
    )
    assert len(audience.hashes) == 1201

    (status,) = audience_status(any_store, client, ADV)
    assert status.cover_num == audience.cover_num > 0
    assert status.match_rate == pytest.approx(audience.cover_num / 1203)


def test_sandbox_refuses_to_replace_below_the_minimum(duck_store: Store) -> None:
    sandbox = Sandbox(SandboxSettings(access_tokens=("tok",), audience_min_size=2), now=lambda: NOW)
    api = ApiClient("tok", api_base="http://sandbox.test", transport=sandbox.transport())
    make_table(duck_store, "buyers", {"email": ["a@shop.test", "b@shop.test"]})
    run_audience_sync(duck_store, AudiencesClient(api), opts(), now=NOW)
    duck_store.execute('DELETE FROM "buyers" WHERE "email" = ?', ["b@shop.test"])
    with pytest.raises(ParameterError, match="below the minimum"):
        run_audience_sync(duck_store, AudiencesClient(api), opts(), now=NOW)
    record = last_record(duck_store, ADV, "Buyers 30d")
    assert record is not None and record.action == "create"  # the failed run left no record

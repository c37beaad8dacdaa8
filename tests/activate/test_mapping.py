"""Mapping: self-named columns, synonym proposals, mapping files (EVT-5: connect in minutes)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tokops.activate.mapping import (
    FieldMapping,
    detect_mapping,
    load_mapping,
    propose_mapping,
    resolve_mapping,
    to_toml,
)
from tokops.activate.source import open_source, propose_for_source
from tokops.errors import ConfigError, SourceError
from tokops.warehouse import Store


def test_self_named_columns_map_themselves_whatever_the_case() -> None:
    cols = ["Event", "EVENT_TIME", "email", "Content-IDs", "other"]
    assert detect_mapping(cols).columns == {
        "event": "Event",
        "event_time": "EVENT_TIME",
        "email": "email",
        "content_ids": "Content-IDs",
    }


def test_proposal_matches_synonyms_and_reports_what_is_missing() -> None:
    cols = ["order_number", "customer_email", "Mobile", "amount", "created_at", "sku", "notes"]
    proposal = propose_mapping(cols, "offline")
    assert proposal.mapping.columns == {
        "event_time": "created_at",
        "order_id": "order_number",
        "email": "customer_email",
        "phone": "Mobile",
        "value": "amount",
        "content_ids": "sku",
    }
    assert proposal.mapping.constants == {"event": "Purchase"}
    assert {m.field for m in proposal.missing} == {"currency"}
    assert proposal.unused == ("notes",)
    assert proposal.notes  # the assumed event name is called out


@pytest.mark.parametrize(
    ("cols", "field", "column"),
    [
        (["mail"], "email", "mail"),
        (["billing_email_address"], "email", "billing_email_address"),
        (["revenue", "amount"], "value", "amount"),  # an earlier synonym wins
        (["timestamp"], "event_time", "timestamp"),
        (["order_date"], "event_time", "order_date"),
        (["product_ids"], "content_ids", "product_ids"),
    ],
)
def test_synonyms(cols: list[str], field: str, column: str) -> None:
    assert propose_mapping(cols).mapping.columns[field] == column


def test_missing_required_fields_by_source() -> None:
    web = propose_mapping(["email"], "web")
    assert {m.field for m in web.missing} >= {"event", "event_time", "url"}
    crm = propose_mapping(["event", "event_time", "email"], "crm")
    assert "lead_id" in {m.field for m in crm.missing}
    offline = propose_mapping(["event", "event_time"], "offline")
    assert "email/phone/external_id" in {m.field for m in offline.missing}


def test_toml_round_trip_with_hostile_column_names(tmp_path: Path) -> None:
    mapping = FieldMapping(
        columns={"email": 'e"mail\\\n', "value": "montant €"},
        constants={"event": "Purchase", "currency": "EUR", "num_items": 1},
    )
    path = tmp_path / "m.toml"
    path.write_text(to_toml(mapping, header="review me"), encoding="utf-8")
    assert load_mapping(path) == mapping
    tomllib.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[columns]\nemial = 'x'\n", "unknown field"),
        ("[constants]\nemail = 'a@b.co'\n", "cannot be a constant"),
        ("[columns]\nevent = 3\n", "must be a column name"),
        ("[columns]\nevent = 'e'\n[constants]\nevent = 'Purchase'\n", "both a column and"),
        ("[oops]\n", "unknown section"),
        ("[columns\n", "not valid TOML"),
    ],
)
def test_bad_mapping_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_mapping(path)


def test_resolve_requires_the_essentials() -> None:
    with pytest.raises(ConfigError, match="event_time"):
        resolve_mapping(["event", "email", "url"], None, "web")
    with pytest.raises(ConfigError, match="not in the source"):
        resolve_mapping(["a"], FieldMapping(columns={"event": "zzz"}), "web")
    resolved = resolve_mapping(
        ["when", "email", "url"],
        FieldMapping(columns={"event_time": "when"}, constants={"event": "Lead"}),
        "web",
    )
    assert resolved.columns == {"event_time": "when", "email": "email", "url": "url"}


def test_sources_table_query_file_and_errors(duck_store: Store, tmp_path: Path) -> None:
    duck_store.execute("CREATE TABLE orders AS SELECT 1 AS amount")
    assert open_source(duck_store, "orders").kind == "table"
    assert open_source(duck_store, "  select amount from orders").kind == "query"
    path = tmp_path / "leads.csv"
    path.write_text("lead,mail\n1,a@b.co\n", encoding="utf-8")
    proposal = propose_for_source(duck_store, str(path), "crm")
    assert proposal.mapping.columns == {"email": "mail", "lead_id": "lead"}
    with pytest.raises(SourceError, match="no table 'nope'"):
        open_source(duck_store, "nope")
    with pytest.raises(SourceError, match="no such file"):
        open_source(duck_store, str(tmp_path / "missing.csv"))


# -- constants and formats (issue 9 §5) -----------------------------------------------------------


def test_web_rows_without_url_take_a_constant(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text(
        '[constants]\nevent = "Purchase"\nurl = "https://shop.example/checkout"\n'
        "[formats]\n"
        'event_time_format = "%m/%d/%Y %I:%M %p"\ntimezone = "Europe/Paris"\nvalue_locale = "fr"\n',
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    assert mapping.constants["url"] == "https://shop.example/checkout"
    assert (mapping.event_time_format, mapping.timezone, mapping.value_locale) == (
        "%m/%d/%Y %I:%M %p",
        "Europe/Paris",
        "fr",
    )
    resolved = resolve_mapping(["event_time", "email"], mapping, "web")  # no url column
    assert resolved.constants["url"] == "https://shop.example/checkout"
    assert resolved.timezone == "Europe/Paris"
    again = tmp_path / "again.toml"
    again.write_text(to_toml(mapping), encoding="utf-8")
    assert load_mapping(again) == mapping


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[constants]\nurl = "shop.example"\n', "http"),
        ("[constants]\nurl = 3\n", "http"),
        ('[formats]\nevent_time_format = "%Q"\n', "not supported"),
        ('[formats]\ntimezone = "Mars/Base"\n', "unknown time zone"),
        ('[formats]\nvalue_locale = "xx"\n', "unknown value locale"),
        ('[formats]\ndate_order = "dmy"\n', "unknown format"),
        ("[formats]\ntimezone = 1\n", "non-empty string"),
    ],
)
def test_bad_constants_and_formats_are_config_errors(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_mapping(path)


def test_proposal_explains_the_url_constant_and_the_formats() -> None:
    proposal = propose_mapping(["customer_email", "amount", "created_at"], "web")
    hint = next(m.hint for m in proposal.missing if m.field == "url")
    assert "[constants]" in hint and "url =" in hint
    text = to_toml(proposal.mapping, missing=proposal.missing)
    assert '# url = "https://shop.example/checkout"' in text
    assert "# event_time_format" in text and "# timezone" in text and "# value_locale" in text
    uncommented = text.replace('# url = "', 'url = "')
    assert tomllib.loads(uncommented)["constants"]["url"].startswith("https://")

"""``tokops kpi``: JSON, CSV and table output from a small store in a workspace."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
import typer
from typer.testing import CliRunner

from tokops.cli import kpi as kpi_cli
from tokops.config import write_workspace
from tokops.warehouse import connect
from tokops.warehouse.merge import declare_table
from tokops.warehouse.schema import table as table_def

D1, D2 = dt.date(2024, 5, 1), dt.date(2024, 5, 2)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    url = f"duckdb://{tmp_path / 'store.duckdb'}"
    write_workspace(tmp_path, store_url=url, api_base="http://127.0.0.1:1", phone_region="US")
    monkeypatch.chdir(tmp_path)
    store = connect(url)
    spec = table_def("ad_daily")
    declare_table(store, spec.spec())
    cols = ["advertiser_id", "campaign_id", "ad_id", "stat_date", "currency", "spend",
            "impressions", "clicks", "conversion", "total_complete_payment_rate"]  # fmt: skip
    rows = [
        ("adv1", "c1", "a1", D1, "USD", Decimal("10.00"), 1000, 10, 1, Decimal("25.00")),
        ("adv1", "c1", "a2", D2, "USD", Decimal("5.00"), 100, 5, 0, Decimal("0.00")),
        ("adv1", "c2", "a3", D2, "USD", Decimal("1.00"), 0, 0, 0, Decimal("0.00")),
    ]
    data = pa.Table.from_pylist([dict(zip(cols, r, strict=True)) for r in rows],
                                schema=spec.arrow_schema(cols))  # fmt: skip
    store.insert("ad_daily", data)
    store.close()
    root = typer.Typer()
    kpi_cli.register(root)

    @root.command()
    def _other() -> None:  # a second command keeps `kpi` a subcommand, as in tokops
        """Placeholder."""

    return root


def test_json_one_object_per_group_with_catalogue_names(app: typer.Typer) -> None:
    out = CliRunner().invoke(app, ["kpi", "--by", "campaign", "--format", "json"])
    assert out.exit_code == 0, out.output
    records = json.loads(out.stdout)
    c1, c2 = records
    assert c1["campaign_id"] == "c1" and c1["currency"] == "USD"
    assert c1["spend"] == "15.00" and c1["cpc"] == "1.00" and c1["cpm"] == "13.64"
    assert c1["ctr"] == pytest.approx(1.3636) and c1["roas"] == pytest.approx(1.6667)
    assert c1["cvr"] == pytest.approx(0.0909) and c1["cvr_click"] == pytest.approx(6.6667)
    assert c1["reach"] is None and c2["ctr"] is None
    assert "not additive" in out.stderr


def test_csv_dates_filter_and_compare(app: typer.Typer) -> None:
    args = ["kpi", "--by", "day", "--from", "2024-05-02", "--to", "2024-05-02"]
    out = CliRunner().invoke(app, [*args, "--format", "csv", "--kpi", "spend,ctr"])
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines() == ["day,currency,spend,ctr", "2024-05-02,USD,6.00,5.0"]
    cmp = ["kpi", "--by", "campaign", "--from", "2024-05-02", "--to", "2024-05-02",
           "--compare", "previous", "--kpi", "spend", "--format", "json"]  # fmt: skip
    c1 = json.loads(CliRunner().invoke(app, cmp).stdout)[0]
    assert (c1["spend"], c1["spend_previous"], c1["spend_change"]) == ("5.00", "10.00", -50.0)
    by_day = ["kpi", "--by", "campaign,day", "--from", "2024-05-02", "--to", "2024-05-02",
              "--compare", "previous", "--kpi", "spend", "--format", "csv"]  # fmt: skip
    out = CliRunner().invoke(app, by_day)
    assert out.exit_code == 0, out.output
    assert "c1,,2024-05-02,USD,5.00,10.00,-50.0" in out.stdout.splitlines()  # no name stored
    backwards = CliRunner().invoke(app, [*cmp[:3], "--from", "2024-05-03", "--to", "2024-05-02",
                                         "--compare", "previous"])  # fmt: skip
    assert backwards.exit_code != 0 and "before --from" in str(backwards.exception)


def test_table_list_and_errors(app: typer.Typer) -> None:
    args = ["kpi", "--by", "campaign", "--target", "roas=1", "--kpi", "spend,roas"]
    out = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "KPIs from ad_daily" in out.stdout and "roas_on_target" in out.stdout
    assert "1.67x" in out.stdout and "15.00" in out.stdout
    listing = CliRunner().invoke(app, ["kpi", "--list", "--format", "json"])
    names = [k["name"] for k in json.loads(listing.stdout)]
    assert {"ctr", "cpc", "cpm", "roas", "cvr", "cvr_click", "reach"} <= set(names)
    bad = CliRunner().invoke(app, ["kpi", "--by", "planet"])
    assert bad.exit_code != 0 and "unknown grain" in str(bad.exception)


@pytest.fixture
def app_segments(app: typer.Typer, tmp_path: Path) -> typer.Typer:
    """The same workspace with audience_daily (gender and age) and follower snapshots."""
    store = connect(f"duckdb://{tmp_path / 'store.duckdb'}")
    audience = table_def("audience_daily")
    declare_table(store, audience.spec())
    cols = ["advertiser_id", "campaign_id", "stat_date", "dimension", "segment", "currency",
            "spend", "impressions", "clicks"]  # fmt: skip
    rows = [
        ("adv1", "c1", D1, "gender", "FEMALE", "USD", Decimal("6.00"), 600, 12),
        ("adv1", "c1", D1, "gender", "MALE", "USD", Decimal("4.00"), 400, 2),
        ("adv1", "c1", D1, "age", "AGE_18_24", "USD", Decimal("10.00"), 1000, 14),
    ]
    data = pa.Table.from_pylist([dict(zip(cols, r, strict=True)) for r in rows],
                                schema=audience.arrow_schema(cols))  # fmt: skip
    store.insert("audience_daily", data)
    snaps = table_def("follower_snapshots")
    declare_table(store, snaps.spec())
    at = dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC)
    snap_rows = [
        {"business_id": "b1", "snapshot_date": D1, "followers_count": 200, "taken_at": at},
        {"business_id": "b1", "snapshot_date": D2 + dt.timedelta(days=2),
         "followers_count": 230, "taken_at": at + dt.timedelta(days=3)},
    ]  # fmt: skip
    store.insert("follower_snapshots", pa.Table.from_pylist(snap_rows, schema=snaps.arrow_schema()))
    store.close()
    return app


def test_segment_grain_and_impossible_combination(app_segments: typer.Typer) -> None:
    args = ["kpi", "--by", "gender", "--kpi", "spend,ctr,reach", "--format", "json"]
    out = CliRunner().invoke(app_segments, args)
    assert out.exit_code == 0, out.output
    female, male = json.loads(out.stdout)
    assert (female["gender"], female["spend"], female["ctr"]) == ("FEMALE", "6.00", 2.0)
    assert (male["gender"], male["spend"], male["ctr"]) == ("MALE", "4.00", 0.5)
    assert female["reach"] is None and "not in audience_daily" in out.stderr
    bad = CliRunner().invoke(app_segments, ["kpi", "--by", "age,gender"])
    assert bad.exit_code != 0 and "cannot be combined" in str(bad.exception)


def test_follower_growth_source(app_segments: typer.Typer) -> None:
    args = ["kpi", "--source", "followers", "--by", "account,day", "--format", "csv"]
    out = CliRunner().invoke(app_segments, args)
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines() == [
        "business_id,account_name,day,followers_start,followers_end,follower_growth,"
        "follower_growth_rate",
        "b1,,2024-05-01,200,200,0,0.0",
        "b1,,2024-05-04,200,230,30,15.0",  # 2 and 3 May missing: the gap counts on 4 May
    ]
    assert "a gap between snapshots" in out.stderr


def test_names_beside_ids_as_typed(app: typer.Typer, tmp_path: Path) -> None:
    store = connect(f"duckdb://{tmp_path / 'store.duckdb'}")
    spec = table_def("campaigns")
    declare_table(store, spec.spec())
    rows = [
        {"advertiser_id": "adv1", "campaign_id": "c1", "campaign_name": "[bold red]Boom\x1b[2J"}
    ]
    store.insert("campaigns", pa.Table.from_pylist(rows, schema=spec.arrow_schema(list(rows[0]))))
    store.close()
    args = ["kpi", "--by", "campaign", "--kpi", "spend"]
    table = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "[bold red]Boom\\x1b[2J" in table.stdout and "\x1b" not in table.stdout
    csv_out = CliRunner().invoke(app, [*args, "--format", "csv"]).stdout.splitlines()
    assert csv_out[:3] == ["campaign_id,campaign_name,currency,spend",
                           "c1,[bold red]Boom\x1b[2J,USD,15.00", "c2,,USD,1.00"]  # fmt: skip
    records = json.loads(CliRunner().invoke(app, [*args, "--format", "json"]).stdout)
    assert [r["campaign_name"] for r in records] == ["[bold red]Boom\x1b[2J", None]


def test_comparisons_sit_beside_their_kpi(app: typer.Typer) -> None:
    args = ["kpi", "--by", "campaign", "--kpi", "spend,impressions", "--compare", "previous",
            "--from", "2024-05-02", "--to", "2024-05-02"]  # fmt: skip
    wide = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert wide.exit_code == 0, wide.output
    header = next(line for line in wide.stdout.splitlines() if "spend_previous" in line)
    assert header.index("spend") < header.index("spend_previous") < header.index("impressions")
    assert header.index("spend_change") < header.index("impressions")


@pytest.mark.parametrize(
    ("source", "stream"), [("paid", "ads"), ("organic", "organic"), ("followers", "organic")]
)
def test_an_empty_store_says_which_sync_fills_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, stream: str
) -> None:
    write_workspace(tmp_path, store_url=f"duckdb://{tmp_path / 'empty.duckdb'}")
    monkeypatch.chdir(tmp_path)
    root = typer.Typer()
    kpi_cli.register(root)
    root.command("other")(lambda: None)
    result = CliRunner().invoke(root, ["kpi", "--source", source])
    assert result.exit_code != 0
    assert f"run `tokops sync {stream}` first" in str(result.exception)


def test_library_errors_are_worded_as_the_flags(app_segments: typer.Typer) -> None:
    """issue 10 §2: metrics raises typed errors in plain words; the command names its flags."""
    args = ["kpi", "--source", "followers", "--advertiser", "adv1"]
    paid_only = CliRunner().invoke(app_segments, args)
    assert paid_only.exit_code != 0
    assert str(paid_only.exception) == "--advertiser applies to paid KPIs only"
    unknown = CliRunner().invoke(app_segments, ["kpi", "--kpi", "nope"])
    assert str(unknown.exception) == "unknown KPI nope; see `tokops kpi --list`"

"""The demo end to end on a small shop: the whole product against the shop's ground truth.

Real sandbox on a loopback port, real DuckDB file, the three syncs, health and the audience.
The sync counts must equal what the generator wrote (sent / invalid / duplicate per source), and
the sandbox's Pixel ↔ server deduplication must equal the Pixel traffic's truth (EVT-7).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tokops.cli.main import app
from tokops.demo.run import TRY_NEXT, DemoOptions, DemoResult, next_steps, run_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(DemoOptions(folder=tmp_path_factory.mktemp("demo"), orders=400, seed=3))


def test_sync_counts_equal_ground_truth(result: DemoResult) -> None:
    assert [r.event_source for r in result.runs] == ["web", "crm", "offline"]
    for run in result.runs:
        assert run.summary.completed, run.summary.error
        assert run.actual_counts() == run.expected_counts(), run.title
        assert run.summary.counts["total"] == run.truth.rows
        assert run.summary.counts["rejected"] == run.summary.counts["failed"] == 0
    assert result.matches_truth


def test_invalid_reasons_cover_every_dirty_kind(result: DemoResult) -> None:
    web, crm, offline = result.runs
    reasons = {reason for run in result.runs for reason, _ in run.summary.top_reasons}
    assert any(r.startswith("malformed CSV line") for r in reasons)
    assert sum(n for _, n in web.summary.top_reasons) <= web.summary.counts["invalid"]
    assert "crm event without lead_id" in {r for r, _ in crm.summary.top_reasons}
    assert "offline event without email, phone or external_id" in {
        r for r, _ in offline.summary.top_reasons
    }


def test_pixel_dedup_equals_pixel_truth(result: DemoResult) -> None:
    truth = result.shop.pixel
    assert result.pixel.outcomes == {"kept": truth.events}
    web = next(e for e in result.health.events if e.event_source == "web" and e.event == "Purchase")
    assert web.pixel is not None
    cm, dedup = web.pixel.connection_method, web.pixel.deduplication
    assert web.pixel.received.server == result.shop.orders.sent
    assert web.pixel.received.browser == truth.events
    assert cm.server_and_browser == dedup.merged == truth.merged
    assert dedup.dropped == truth.deduplicated
    assert cm.server_only == truth.server_only
    assert cm.browser_only == truth.deduplicated + truth.pixel_only


def test_folder_holds_the_workspace(result: DemoResult) -> None:
    names = {p.name for p in result.folder.iterdir()}
    expected = {"tokops.toml", "tokops.duckdb", "orders_mapping.toml", "crm_mapping.toml"}
    assert expected <= names
    toml = (result.folder / "tokops.toml").read_text()
    assert result.sandbox_url in toml and "ACCESS_TOKEN =" not in toml


def test_cli_runs_and_never_prints_the_users_token(tmp_path: Path) -> None:
    secret = "user-secret-token-5f1c0a"
    out = CliRunner().invoke(
        app,
        ["demo", "run", "--folder", str(tmp_path / "d"), "--orders", "200"],
        env={"TIKTOK_ACCESS_TOKEN": secret, "COLUMNS": "160"},
    )
    assert out.exit_code == 0, out.output
    assert secret not in out.output
    for text in ("Generate a shop", "Replay the browser Pixel", "Event health", "ground truth"):
        assert text in out.output
    assert "differs from the shop's ground truth" not in out.output
    assert "Render a report" in out.output
    assert f"Report: {tmp_path / 'd' / 'tiktok-ads.pdf'}" in out.output
    assert "Dashboard: run `tokops serve` there, then open http://127.0.0.1:8000/" in out.output


def test_ads_and_organic_land_in_the_store(result: DemoResult) -> None:
    """Step 9: the sandbox world's ads and organic data are pulled into the same store."""
    from tokops.warehouse import connect

    assert [r.command for r in result.ingest] == ["ads", "organic"]
    assert all(r.completed for r in result.ingest)
    store = connect(f"duckdb://{result.folder / 'tokops.duckdb'}")
    try:
        ad_days = store.table("ad_daily").count().execute()
        advertisers = store.table("ad_daily").advertiser_id.nunique().execute()
        organic = store.table("organic_account_daily").count().execute()
        shops = store.table("shop_orders").shop_id.nunique().execute()  # signed Shop API calls
    finally:
        store.close()
    assert ad_days > 0 and advertisers == 3 and organic > 0 and shops == 3


def test_the_demo_ends_with_a_pdf_report(result: DemoResult) -> None:
    """Step 10: the TikTok Ads report of the demo's store, rendered to a PDF that opens."""
    from pypdf import PdfReader

    assert result.report_pdf == result.folder / "tiktok-ads.pdf"
    pdf = PdfReader(result.report_pdf)
    text = " ".join(page.extract_text() or "" for page in pdf.pages)
    assert "TikTok Ads" in text and "Cost per conversion" in text
    assert "No data" not in text  # step 9 synced what the report reads
    assert result.to_dict()["report_pdf"] == str(result.report_pdf)


def test_try_next_lines_run_as_printed(result: DemoResult) -> None:
    """The closing hint's lines, run in one shell from the working folder, as a newcomer would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKOPS_", "VIRTUAL_ENV"))}
    venv_bin = str(Path(sys.prefix) / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env["COLUMNS"] = "100"
    lines = next_steps(result.folder)
    assert lines[-3:] == list(TRY_NEXT) and any(line.startswith("cd ") for line in lines)
    if sys.prefix != sys.base_prefix:
        assert lines[0].startswith(". ") and lines[0].endswith("/bin/activate")
    script = " && ".join(lines)
    done = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "KPIs from" in done.stdout and "campaign_name" in done.stdout

"""The dashboard in a real headless Chromium (Debian's ``chromium``, driven by Playwright):
every template draws its charts with no console error, and a note holding ``<script>`` shows
as text (KPI-6)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tokops.reports import TEMPLATES
from tokops.web import RunningDashboard

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(browser: Any, url: str) -> tuple[Any, list[str]]:
    """A page at *url* with its console errors, page errors and dialogs collected."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(url, wait_until="load", timeout=120_000)
    return page, problems


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_template_draws_its_charts_without_console_errors(
    name: str, dashboard: RunningDashboard, browser: Any
) -> None:
    page, problems = _open(browser, f"{dashboard.url}/r/{name}?range=last-30-days")
    try:
        charts = page.locator(".vega[data-spec]")
        count = charts.count()
        if count:
            page.wait_for_function(
                "() => [...document.querySelectorAll('.vega[data-spec]')]"
                ".every(e => e.dataset.drawn || e.dataset.error)",
                timeout=60_000,
            )
        assert page.locator(".vega[data-error]").count() == 0, problems
        assert page.locator(".vega[data-drawn] svg").count() == count
        for i in range(count):
            assert charts.nth(i).locator("svg .mark-line, svg .mark-rect").count() > 0
        assert problems == []
    finally:
        page.close()


def test_a_script_in_a_note_shows_as_text(dashboard: RunningDashboard, browser: Any) -> None:
    page, problems = _open(browser, f"{dashboard.url}/r/tiktok-ads?range=last-30-days")
    try:
        text = "<script>alert('x')</script> spend paused"
        page.fill("form.note-form input[name=day]", "2024-05-21")
        page.select_option("form.note-form select[name=kpi]", "spend")
        page.fill("form.note-form input[name=text]", text)
        page.click("form.note-form button[type=submit]")
        page.wait_for_load_state("load")
        shown = page.locator("li.note .text").first
        assert shown.inner_text() == text
        assert problems == []  # no alert dialog: the script never ran
    finally:
        page.close()

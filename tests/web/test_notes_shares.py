"""Notes pinned to a day and a KPI, free comments, and read-only share links (KPI-6)."""

from __future__ import annotations

import html
import json
import re

import httpx

from tokops.warehouse import connect
from tokops.web import RunningDashboard
from tokops.web.pages import with_notes
from tokops.web.records import Note

from .conftest import NOW, Workspace, csrf_of

_PAGE = "/r/tiktok-organic?range=last-30-days"


def _post(browser: httpx.Client, path: str, page: httpx.Response, **form: str) -> httpx.Response:
    return browser.post(path, data={**form, "csrf": csrf_of(page), "query": "range=last-30-days"})


def test_a_note_shows_on_every_chart_of_its_kpi_as_text(dashboard: RunningDashboard) -> None:
    evil = "<script>alert('followers')</script> why followers dropped"
    with httpx.Client(base_url=dashboard.url, timeout=120) as browser:
        page = browser.get(_PAGE)
        made = _post(
            browser,
            "/r/tiktok-organic/notes",
            page,
            day="2024-05-20",
            kpi="lost_followers",
            text=evil,
        )
        assert made.status_code == 303
        assert made.headers["location"] == "/r/tiktok-organic?range=last-30-days"
        after = browser.get(_PAGE).text
    assert "<script>alert" not in after
    escaped = "&lt;script&gt;alert(&#39;followers&#39;)&lt;/script&gt; why followers dropped"
    sections = [s for s in after.split("<section")[1:] if "lost_followers" in s.split(">")[0]]
    assert sections, "no widget shows lost_followers"
    for section in sections:  # listed under every widget of that KPI
        assert escaped in section
    specs = [json.loads(html.unescape(s)) for s in re.findall(r'data-spec="([^"]*)"', after)]
    ruled = [s for s in specs if "layer" in s and s["layer"][1]["mark"]["type"] == "rule"]
    assert ruled and ruled[0]["layer"][1]["data"]["values"][0]["note"].startswith("<script>")


def test_a_note_shows_on_every_template_with_its_kpi(dashboard: RunningDashboard) -> None:
    with httpx.Client(base_url=dashboard.url, timeout=120) as browser:
        page = browser.get("/")
        text = "views dipped: no post that day"
        form = {"day": "2024-05-23", "kpi": "organic_video_views", "text": text}
        assert _post(browser, "/r/social/notes", page, **form).status_code == 303
        for name in ("tiktok-organic", "social"):
            assert text in browser.get(f"/r/{name}?range=last-30-days").text, name
        assert text not in browser.get("/r/tiktok-ads?range=last-30-days").text
        earlier = browser.get("/r/social?from=2024-04-01&to=2024-04-30").text
        assert text not in earlier  # a note shows in the ranges that hold its day


def test_a_note_on_an_unknown_kpi_is_refused(dashboard: RunningDashboard) -> None:
    with httpx.Client(base_url=dashboard.url, timeout=120) as browser:
        page = browser.get("/")
        answer = _post(browser, "/r/tiktok-ads/notes", page, day="2024-05-20", kpi="nope", text="x")
        assert answer.status_code == 400 and "unknown KPI" in answer.text


def test_a_comment_is_kept_shown_escaped_and_deleted(
    dashboard: RunningDashboard, workspace: Workspace
) -> None:
    with httpx.Client(base_url=dashboard.url, timeout=120) as browser:
        page = browser.get("/")
        made = _post(browser, "/r/tiktok-ads/comments", page, text="Budget <b>paused</b> 22 May")
        assert made.status_code == 303
        shown = browser.get("/r/tiktok-ads?range=last-30-days").text
        assert '<div class="comment">Budget &lt;b&gt;paused&lt;/b&gt; 22 May</div>' in shown
        store = connect(workspace.url)
        try:
            rows = store.fetch(store.table("dashboard_comments")).to_pylist()
        finally:
            store.close()
        mine = [r for r in rows if r["text"] == "Budget <b>paused</b> 22 May"]
        assert len(mine) == 1 and mine[0]["template"] == "tiktok-ads"
        path = f"/r/tiktok-ads/comments/{mine[0]['comment_id']}/delete"
        assert _post(browser, path, page).status_code == 303
        assert "Budget &lt;b&gt;paused" not in browser.get("/r/tiktok-ads?range=last-30-days").text


def test_a_share_link_is_read_only_and_stops_after_revoke(
    dashboard: RunningDashboard, workspace: Workspace
) -> None:
    with httpx.Client(base_url=dashboard.url, timeout=120) as owner:
        page = owner.get("/")
        made = owner.post(
            "/r/tiktok-ads/shares",
            data={"csrf": csrf_of(page), "query": "from=2024-05-01&to=2024-05-10"},
        )
        assert made.status_code == 200
        link = re.search(r'value="(http://[^"]+/s/([A-Za-z0-9_-]+))"', made.text)
        assert link, made.text
        url, token = link.groups()
        assert len(token) >= 40
        with httpx.Client(timeout=120) as guest:  # no session of the owner
            shared = guest.get(url)
            assert shared.status_code == 200
            assert "01 May 2024 – 10 May 2024" in shared.text and 'data-kpi="spend"' in shared.text
            assert 'method="post"' not in shared.text and "read-only link" in shared.text
            token_form = {"text": "from a guest", "csrf": csrf_of(shared)}
            assert (
                guest.post(f"{dashboard.url}/r/tiktok-ads/comments", data={"text": "x"}).status_code
                == 403
            )
            assert token_form["csrf"]  # the guest's own session token is no share of the owner's
        listed = owner.get("/shares").text
        share_id = re.findall(r'data-share="([0-9a-f]+)"', listed)[0]
        store = connect(workspace.url)
        try:
            kept = store.fetch(store.table("dashboard_shares")).to_pylist()
        finally:
            store.close()
        assert all(token not in str(r) for r in kept)  # only its hash is stored
        revoked = owner.post(f"/shares/{share_id}/revoke", data={"csrf": csrf_of(page)})
        assert revoked.status_code == 303
        assert "revoked" in owner.get("/shares").text
    assert httpx.get(url, timeout=60).status_code == 404
    assert httpx.get(f"{dashboard.url}/s/not-a-token", timeout=60).status_code == 404


def test_notes_draw_as_rules_on_a_time_series_only() -> None:
    note = Note("n1", NOW.date(), "spend", "why", NOW)
    line = {"mark": "line", "encoding": {"x": {"field": "day"}}, "width": 5, "config": {}}
    drawn = with_notes(line, [note])
    assert drawn["width"] == 5 and "config" in drawn and len(drawn["layer"]) == 2
    assert "width" not in drawn["layer"][0]
    facet = {"facet": {}, "spec": {}}
    assert with_notes(facet, [note]) == facet
    bars = {"layer": [], "encoding": {"x": {"field": "value"}}}
    assert with_notes(bars, [note]) == bars
    assert with_notes(line, []) == line

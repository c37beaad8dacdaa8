"""The dashboard served for real on 127.0.0.1 over the reports' sandbox-synced store.

The store is the reports tests' workspace (``tests/reports/conftest.py``: ads and organic
synced from the sandbox with a fixed clock); the dashboard's clock is fixed at the same moment,
so its ranges are the ones the reports tests check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from tests.reports.conftest import NOW, TODAY, Workspace, workspace

from tokops.web import DashboardConfig, RunningDashboard, prepare, serve_in_thread

__all__ = ["NOW", "TODAY", "Workspace", "csrf_of", "dashboard", "workspace"]


@pytest.fixture(scope="module")
def dashboard(workspace: Workspace) -> Iterator[RunningDashboard]:
    """The dashboard over the workspace's store, open on loopback (no password)."""
    app = prepare(DashboardConfig(workspace.url, clock=lambda: NOW), "127.0.0.1")
    with serve_in_thread(app) as running:
        yield running


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf" (?:value|content)="([0-9a-f]+)"', page.text)
    assert found, "no CSRF token in the page"
    return found.group(1)

"""The live dashboard, ``tokops serve``: report templates as web pages (KPI-6, KPI-7).

FastAPI and Jinja render each template of :mod:`tokops.reports` with the same figures and the
same chart specs, interactive through vega-embed (:mod:`.pages`); notes, comments, share links
and the password live in the store (:mod:`.records`); the guards are in :mod:`.security`;
:mod:`.server` runs it with uvicorn. See docs/dashboard.md.
"""

from __future__ import annotations

from tokops.web.app import DashboardConfig, create_app
from tokops.web.server import RunningDashboard, prepare, serve, serve_in_thread

__all__ = [
    "DashboardConfig",
    "RunningDashboard",
    "create_app",
    "prepare",
    "serve",
    "serve_in_thread",
]

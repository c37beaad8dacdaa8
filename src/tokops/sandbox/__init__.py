"""The sandbox: a faithful local emulator of the TikTok APIs (BYD-1).

It plays TikTok's side — Events API 2.0 and legacy 1.0, custom audiences, Events-Manager-like
diagnostics, and the Marketing API v1.3 over a seeded, simulated world (advertisers, campaigns,
Spark and Shop ads, reports with latency and restatement, organic accounts, stores, GMV Max,
split tests) — and never imports the client in ``tokops.tiktok``: both follow the specs on
their own, so a misreading is not mirrored. ``Sandbox.world`` exposes the world and its
ground truth (``world.truth``, ``world.totals(...)``).

>>> sandbox = Sandbox(SandboxSettings(access_tokens=("t",)))
>>> sandbox.handle("GET", "/open_api/v1.3/nowhere/").status
404
"""

from __future__ import annotations

from tokops.sandbox.server.app import create_app
from tokops.sandbox.server.envelope import ConnectionDropped, SandboxResponse
from tokops.sandbox.server.service import Sandbox
from tokops.sandbox.settings import (
    FaultSettings,
    MarketingSettings,
    SandboxSettings,
    SourceSettings,
    SparkEffects,
    load_settings,
)
from tokops.sandbox.world import World

__all__ = [
    "ConnectionDropped",
    "FaultSettings",
    "MarketingSettings",
    "Sandbox",
    "SandboxResponse",
    "SandboxSettings",
    "SourceSettings",
    "SparkEffects",
    "World",
    "create_app",
    "load_settings",
]

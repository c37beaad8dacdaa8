"""The sandbox: a faithful local emulator of the TikTok APIs (BYD-1).

It plays TikTok's side (Events API 2.0 and legacy 1.0, custom audiences, Events-Manager-like
diagnostics) and never imports the client in ``tokops.tiktok``: both follow the specs on their
own, so a misreading is not mirrored.

>>> sandbox = Sandbox(SandboxSettings(access_tokens=("t",)))
>>> sandbox.handle("GET", "/open_api/v1.3/nowhere/").status
404
"""

from __future__ import annotations

from tokops.sandbox.app import create_app
from tokops.sandbox.envelope import ConnectionDropped, SandboxResponse
from tokops.sandbox.service import Sandbox
from tokops.sandbox.settings import FaultSettings, SandboxSettings, SourceSettings, load_settings

__all__ = [
    "ConnectionDropped",
    "FaultSettings",
    "Sandbox",
    "SandboxResponse",
    "SandboxSettings",
    "SourceSettings",
    "create_app",
    "load_settings",
]

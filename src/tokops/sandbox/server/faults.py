"""Fault injection for the API routes: latency, 50000 errors, HTTP 503, 40100 storms, drops.

One RNG seeded with ``faults.seed`` is shared by every request, and each request draws exactly
four values (drop, 5xx, storm, error) whatever the knobs, so the same sequence of requests meets
the same faults on every run and turning one knob does not reshuffle the others.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from tokops.sandbox.settings import FaultSettings

__all__ = ["FaultDecision", "FaultInjector"]


@dataclass(frozen=True)
class FaultDecision:
    """What goes wrong with one request (several may apply; drop and 503 win over the rest)."""

    latency_s: float = 0.0
    drop: bool = False
    http5xx: bool = False
    storm: bool = False
    error: bool = False


NO_FAULT = FaultDecision()


class FaultInjector:
    """Draws a :class:`FaultDecision` per request from the fault settings."""

    def __init__(self, settings: FaultSettings, started_s: float) -> None:
        self.settings = settings
        self._started_s = started_s
        self._rng = random.Random(settings.seed)
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        s = self.settings
        return bool(
            s.latency_ms
            or s.error_rate
            or s.http5xx_rate
            or s.drop_rate
            or s.storm_seconds
            or s.storm_rate
        )

    def decide(self, now_s: float) -> FaultDecision:
        s = self.settings
        with self._lock:
            u_drop, u_5xx, u_storm, u_error = (self._rng.random() for _ in range(4))
        in_storm_window = now_s - self._started_s < s.storm_seconds
        return FaultDecision(
            latency_s=s.latency_ms / 1000.0,
            drop=u_drop < s.drop_rate,
            http5xx=u_5xx < s.http5xx_rate,
            storm=in_storm_window or u_storm < s.storm_rate,
            error=u_error < s.error_rate,
        )

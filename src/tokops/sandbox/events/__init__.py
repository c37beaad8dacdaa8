"""The event side of the sandbox (EVT-1…EVT-7): what the Events API and the pixel accept.

- :mod:`~tokops.sandbox.events.track`: ``/event/track/`` (Events API 2.0), validated in one pass;
- :mod:`~tokops.sandbox.events.pixel`: the legacy 1.0 routes and the browser-pixel simulator;
- :mod:`~tokops.sandbox.events.validation`: the vocabulary both check against;
- :mod:`~tokops.sandbox.events.sink`: where accepted events land (live and test streams);
- :mod:`~tokops.sandbox.events.dedup`: pixel ↔ Events API deduplication;
- :mod:`~tokops.sandbox.events.diagnostics`: the Events-Manager-like read-outs.

It imports nothing else of the sandbox: the server wires it in.
"""

from __future__ import annotations

__all__: list[str] = []

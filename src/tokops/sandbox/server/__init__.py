"""How the sandbox answers: the dispatcher, HTTP, the envelope, parameters, tokens and limits.

- :mod:`~tokops.sandbox.server.service`: :class:`Sandbox`, its route table and the one dispatcher;
- :mod:`~tokops.sandbox.server.app`, :mod:`~tokops.sandbox.server.socket_server`,
  :mod:`~tokops.sandbox.server.transport`: the same dispatcher over FastAPI, a real socket
  (uvicorn) or an in-process ``httpx`` transport;
- :mod:`~tokops.sandbox.server.request`, :mod:`~tokops.sandbox.server.params`,
  :mod:`~tokops.sandbox.server.paging`: one call as data, read the way TikTok reads it;
- :mod:`~tokops.sandbox.server.envelope`, :mod:`~tokops.sandbox.server.route_answers`: what
  comes back;
- :mod:`~tokops.sandbox.server.auth`, :mod:`~tokops.sandbox.server.ratelimit`,
  :mod:`~tokops.sandbox.server.throttle`, :mod:`~tokops.sandbox.server.faults`: who may call, how
  often, and the faults injected on purpose.

``tokops.sandbox.server.serve_in_thread`` (and ``serve``, ``bind``, ``is_loopback``) stay
importable from here, as ``docs/CONTRACTS.md`` documents; they load uvicorn on first use only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tokops.sandbox.server.socket_server import (
        RunningServer,
        bind,
        is_loopback,
        serve,
        serve_in_thread,
    )

__all__ = ["RunningServer", "bind", "is_loopback", "serve", "serve_in_thread"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tokops.sandbox.server import socket_server

        return getattr(socket_server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

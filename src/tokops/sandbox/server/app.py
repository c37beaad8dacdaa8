"""The sandbox over HTTP: a FastAPI app whose thin routes call :meth:`Sandbox.handle`.

Every route of the sandbox's table is registered as is (trailing slash included, no redirect:
a path without its slash is a 404, as on TikTok), plus ``GET /health``. The service runs in the
thread pool, so added latency never blocks the event loop.

Dropped connections: the sandbox raises :class:`ConnectionDropped`; the app then aborts the TCP
connection without writing a byte. To reach the socket, :class:`SandboxApp` keeps the server's
own ``send`` callable (uvicorn's h11 protocol exposes its transport on it) before Starlette wraps
it. Under a server where that is not possible, the exception propagates and the server answers
its generic 500 instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from tokops.sandbox.server.envelope import ConnectionDropped
from tokops.sandbox.server.routing import Route
from tokops.sandbox.server.service import Sandbox

__all__ = ["ABORT_SCOPE_KEY", "SandboxApp", "create_app"]

ABORT_SCOPE_KEY = "tokops.sandbox.abort"


def _abort_from(send: Send) -> Callable[[], bool]:
    """A function that aborts the connection behind the server's raw *send*, if reachable."""

    def abort() -> bool:
        transport = getattr(getattr(send, "__self__", None), "transport", None)
        if transport is None or not hasattr(transport, "abort"):
            return False
        transport.abort()
        return True

    return abort


class SandboxApp(FastAPI):
    """FastAPI that remembers how to abort the current connection (see the module doc)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[ABORT_SCOPE_KEY] = _abort_from(send)
        await super().__call__(scope, receive, send)


def _endpoint(sandbox: Sandbox, route: Route) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        body = await request.body()
        query = dict(request.query_params.multi_items())
        try:
            answer = await run_in_threadpool(
                sandbox.handle, request.method, route.path, request.headers, query, body
            )
        except ConnectionDropped:
            abort = request.scope.get(ABORT_SCOPE_KEY)
            if abort is None or not abort():
                raise
            for _ in range(3):  # let the server see the connection is gone before we return
                await asyncio.sleep(0)
            return Response(status_code=500)
        return Response(content=answer.body, status_code=answer.status, headers=answer.headers)

    endpoint.__name__ = route.path.strip("/").replace("/", "_").replace(".", "_")
    return endpoint


def create_app(sandbox: Sandbox | None = None) -> FastAPI:
    """The HTTP face of *sandbox* (a default one when omitted)."""
    sb = sandbox if sandbox is not None else Sandbox()
    app = SandboxApp(
        title="tokops sandbox",
        description="A local emulator of the TikTok Events and Marketing APIs.",
        redirect_slashes=False,
    )
    app.state.sandbox = sb
    for route in sb.routes:
        app.add_api_route(
            route.path,
            _endpoint(sb, route),
            methods=[route.method],
            summary=route.summary,
            response_class=Response,
        )

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "routes": len(sb.routes)}

    return app

"""A synchronous :class:`httpx.BaseTransport` that calls the sandbox in-process (no sockets).

``httpx.Client(transport=sandbox.transport())`` talks to the sandbox exactly as to the real API:
same paths, headers, envelope and HTTP statuses. A dropped-connection fault surfaces as
:class:`httpx.RemoteProtocolError`, as it does over a socket.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx

from tokops.sandbox.server.envelope import ConnectionDropped, SandboxResponse

__all__ = ["Handle", "SandboxTransport"]


Handle = Callable[
    [str, str, Mapping[str, str] | None, Mapping[str, str] | None, bytes], SandboxResponse
]
"""``Sandbox.handle``: method, path, headers, query, body → the answer."""


class SandboxTransport(httpx.BaseTransport):
    """Routes each :class:`httpx.Request` to a sandbox's ``handle``."""

    in_process = True
    """Nothing goes over a network: a plain ``http://`` base is fine (``tiktok._http``)."""

    def __init__(self, handle: Handle) -> None:
        self._handle = handle

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        query = dict(request.url.params.multi_items())
        try:
            answer = self._handle(request.method, request.url.path, request.headers, query, body)
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        return httpx.Response(
            answer.status, headers=answer.headers, content=answer.body, request=request
        )

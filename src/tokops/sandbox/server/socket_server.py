"""Run the sandbox on a real socket with uvicorn: in the foreground, or in a background thread.

``serve_in_thread`` is what end-to-end tests and the demo use::

    with serve_in_thread(Sandbox()) as server:
        httpx.post(server.url + "/open_api/v1.3/event/track/", ...)

It binds before returning (``port=0`` picks a free port), waits until uvicorn accepts
connections, and stops cleanly on exit. The h11 protocol is used on purpose: the dropped
connection fault needs its transport (see :mod:`tokops.sandbox.server.app`).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
import time
from types import TracebackType

import uvicorn

from tokops.sandbox.server.app import create_app
from tokops.sandbox.server.service import Sandbox
from tokops.sandbox.settings import SandboxConfigError

__all__ = ["RunningServer", "bind", "is_loopback", "serve", "serve_in_thread"]


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to *host*:*port* (``0``: a free port), for uvicorn to listen on.

    Binding first lets the caller say what is wrong before printing anything: a
    :class:`~tokops.sandbox.settings.SandboxConfigError` names the port in use, a port out of
    range, or a host that is not an address of this machine.
    """
    if not 0 <= port <= 65535:
        raise SandboxConfigError(f"port {port} is out of range (0-65535)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise SandboxConfigError(f"port {port} on {host} is in use") from None
        raise SandboxConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except OverflowError:  # pragma: no cover - the range check above comes first
        sock.close()
        raise SandboxConfigError(f"port {port} is out of range (0-65535)") from None
    return sock


def _config(
    sandbox: Sandbox, host: str, port: int, log_level: str, access_log: bool
) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(sandbox),
        host=host,
        port=port,
        http="h11",
        lifespan="off",
        proxy_headers=False,
        server_header=False,
        log_level=log_level,
        access_log=access_log,
        timeout_graceful_shutdown=2,
    )


def serve(
    sandbox: Sandbox, host: str = "127.0.0.1", port: int = 8765, sock: socket.socket | None = None
) -> None:
    """Serve in the foreground until interrupted (Ctrl-C); on *sock* when given (:func:`bind`)."""
    server = uvicorn.Server(_config(sandbox, host, port, "info", access_log=True))
    server.run(sockets=None if sock is None else [sock])


class RunningServer:
    """A sandbox served by uvicorn in a daemon thread; a context manager that stops it on exit."""

    def __init__(self, sandbox: Sandbox, host: str, port: int, *, startup_timeout_s: float = 10.0):
        self.sandbox = sandbox
        self._socket = bind(host, port)
        self.host = host
        self.port: int = self._socket.getsockname()[1]
        self._server = uvicorn.Server(
            _config(sandbox, host, self.port, "warning", access_log=False)
        )
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"tokops-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + startup_timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the sandbox server did not start on {host}:{self.port}")
            time.sleep(0.01)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask uvicorn to exit and wait for the thread (idempotent)."""
        self._server.should_exit = True
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
        self._socket.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_in_thread(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Start serving *sandbox* in a background thread; returns once connections are accepted."""
    return RunningServer(sandbox, host, port)

"""Start the dashboard: check the store and the exposure, then serve with uvicorn (KPI-6).

:func:`prepare` creates the dashboard's tables, stores the password's hash when one is given,
and refuses a non-loopback address without a password; :func:`serve` runs in the foreground
(``tokops serve``) and :func:`serve_in_thread` in a background thread (the tests).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from tokops.errors import ConfigError
from tokops.warehouse import connect
from tokops.web import records
from tokops.web.app import DashboardConfig, create_app
from tokops.web.passwords import hash_password
from tokops.web.security import check_exposure

__all__ = ["RunningDashboard", "prepare", "serve", "serve_in_thread"]


def prepare(config: DashboardConfig, host: str, password: str | None = None) -> FastAPI:
    """The dashboard's app, ready to serve on *host*: a *password* given replaces the stored
    one (kept as a hash); without any, only loopback is allowed."""
    store = connect(config.store_url)
    try:
        records.declare(store)
        if password:
            records.set_password_hash(store, hash_password(password), config.clock())
        stored = records.password_hash(store)
    finally:
        store.close()
    check_exposure(host, stored is not None)
    return create_app(config, stored)


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on *host*:*port* (``0``: a free port), or why there is none."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host.strip("[]"), port), family=family)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _server(app: FastAPI, log_level: str) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        lifespan="off",
        proxy_headers=False,
        server_header=False,
        log_level=log_level,
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(
    app: FastAPI, host: str, port: int, on_ready: Callable[[str], None] | None = None
) -> None:
    """Serve *app* on *host*:*port* until interrupted; *on_ready* gets the URL once bound."""
    sock = _bind(host, port)
    if on_ready is not None:
        on_ready(_url(sock))
    _server(app, "warning").run(sockets=[sock])


@dataclass(frozen=True)
class RunningDashboard:
    url: str


@contextmanager
def serve_in_thread(app: FastAPI, host: str = "127.0.0.1") -> Iterator[RunningDashboard]:
    """*app* on a free port of *host* in a background thread, stopped on exit."""
    sock = _bind(host, 0)
    server = _server(app, "error")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise ConfigError("the dashboard did not start")
        time.sleep(0.02)
    try:
        yield RunningDashboard(_url(sock))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

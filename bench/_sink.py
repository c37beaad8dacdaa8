"""A minimal, fast HTTP/1.1 sink that answers like the Events API and counts events.

Run as its own process (``python bench/_sink.py``): it prints ``PORT <n>`` once listening on
127.0.0.1, answers every ``POST`` with ``{"code":0,"message":"OK",...}`` and ``GET /stats`` with
its counters as JSON. Keep-alive, no framework: one asyncio protocol, so the sink costs far less
CPU than the client it measures (its own CPU seconds are reported so you can check).

Events are counted by the number of ``"event":`` keys in the body, which is exact for both the
Events API 2.0 (``data[]``) and legacy ``pixel/batch`` (``batch[]``) bodies: inside a JSON string
a quote is always escaped, so the pattern can only be a key. One request in 50 is also fully
parsed to check that the count and the JSON agree.
"""

from __future__ import annotations

import asyncio
import sys
import time

import orjson

_OK = b'{"code":0,"message":"OK","request_id":"20250101000000BENCHSINK00000000000000","data":{}}'
_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(_OK)).encode()
    + b"\r\n\r\n"
)
_KEY = b'"event":'


class Stats:
    def __init__(self) -> None:
        self.requests = 0
        self.events: dict[str, int] = {}
        self.bytes = 0
        self.checked = 0
        self.mismatches = 0
        self.started = time.monotonic()

    def as_json(self) -> bytes:
        return orjson.dumps(
            {
                "requests": self.requests,
                "events": self.events,
                "bytes": self.bytes,
                "checked": self.checked,
                "mismatches": self.mismatches,
                "cpu_s": time.process_time(),
                "wall_s": time.monotonic() - self.started,
            }
        )

    def record(self, path: str, body: bytes) -> None:
        self.requests += 1
        self.bytes += len(body)
        n = body.count(_KEY)
        self.events[path] = self.events.get(path, 0) + n
        if self.requests % 50 == 1:
            self.checked += 1
            doc = orjson.loads(body)
            items = doc.get("data") if "data" in doc else doc.get("batch")
            if not isinstance(items, list) or len(items) != n:
                self.mismatches += 1


class SinkProtocol(asyncio.Protocol):
    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end]).decode("latin-1")
            lines = head.split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            total = end + 4 + length
            if len(self.buf) < total:
                return
            body = bytes(self.buf[end + 4 : total])
            del self.buf[:total]
            assert self.transport is not None
            if method == "GET" and path.startswith("/stats"):
                payload = self.stats.as_json()
                self.transport.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(payload)).encode()
                    + b"\r\n\r\n"
                    + payload
                )
            else:
                self.stats.record(path.split("?", 1)[0], body)
                self.transport.write(_HEAD + _OK)


async def _main() -> None:
    stats = Stats()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SinkProtocol(stats), "127.0.0.1", 0, backlog=256)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_main())

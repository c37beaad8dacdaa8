"""Deterministic ids, hashing and time formats shared by the world and the simulator.

Ids are 19-digit numeric strings (``marketing_api.md`` §8.10), drawn from a keyed BLAKE2b of
``(seed, kind, n)`` so the same seed names everything the same way; prefixes keep kinds apart
(campaigns ``17…``, ad groups ``18…``, ads ``19…``, posts ``73…``). Uniform draws for the
delivery simulator come from the same hash of ``(seed, key, day)``: any (ad, day) can be
computed alone, in any order, and always gives the same numbers.
"""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, datetime
from typing import Final

__all__ = [
    "ID_PREFIX",
    "TIME_FORMAT",
    "draws",
    "draws2",
    "fmt_time",
    "make_id",
    "parse_time",
    "token_text",
]

TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
ID_PREFIX: Final = {
    "bc": "69",
    "campaign": "17",
    "adgroup": "18",
    "ad": "19",
    "post": "73",
    "identity_video": "74",
    "store": "75",
    "product": "17",
    "gmv_campaign": "16",
    "split_test": "15",
    "task": "14",
    "order": "57",
    "room": "72",
    "video": "76",
}
_U32: Final = struct.Struct("<16I")
_SCALE: Final = 1.0 / 4294967296.0


def make_id(seed: int, kind: str, n: int | str) -> str:
    """A 19-digit id for the *n*-th object of *kind* in the world of *seed*."""
    digest = hashlib.blake2b(f"{seed}|{kind}|{n}".encode(), digest_size=16).digest()
    body = int.from_bytes(digest, "big") % 10**17
    return f"{ID_PREFIX.get(kind, '10')}{body:017d}"


def draws(key: bytes, *parts: int) -> tuple[float, ...]:
    """16 uniform numbers in [0, 1) from a keyed hash of integer *parts*."""
    data = b"".join(p.to_bytes(8, "little", signed=True) for p in parts)
    digest = hashlib.blake2b(data, digest_size=64, key=key).digest()
    return tuple((x + 0.5) * _SCALE for x in _U32.unpack(digest))


_PAIR = struct.Struct("<qq").pack
_blake2b = hashlib.blake2b


def draws2(key: bytes, a: int, b: int) -> list[float]:
    """:func:`draws` for exactly two parts, faster (the simulator's hot path)."""
    digest = _blake2b(_PAIR(a, b), digest_size=64, key=key).digest()
    return [(x + 0.5) * _SCALE for x in _U32.unpack(digest)]


def token_text(seed: int, kind: str, n: int | str, length: int) -> str:
    """Deterministic URL-safe text (auth codes, open ids)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    out: list[str] = []
    counter = 0
    while len(out) < length:
        digest = hashlib.blake2b(f"{seed}|{kind}|{n}|{counter}".encode()).digest()
        out.extend(alphabet[b % len(alphabet)] for b in digest)
        counter += 1
    return "".join(out[:length])


def fmt_time(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC, the Marketing API's object time format."""
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)

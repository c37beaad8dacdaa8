"""What the dashboard keeps in the store: notes, comments, share links and its password (KPI-6).

The tables are declared in :mod:`tokops.warehouse.schema.dashboard` and created by
:func:`declare` when the server starts. A share link's token is returned once, when the link is
made; the store keeps its SHA-256 only, so a copy of the store opens no page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from tokops.errors import ConfigError
from tokops.metrics.catalogue import CATALOGUE
from tokops.warehouse import quote_ident
from tokops.warehouse.merge import declare_table
from tokops.warehouse.schema.dashboard import (
    DASHBOARD_COMMENTS,
    DASHBOARD_NOTES,
    DASHBOARD_SECRETS,
    DASHBOARD_SHARES,
)

if TYPE_CHECKING:
    from tokops.warehouse import Store
    from tokops.warehouse.schema.table import Table

__all__ = [
    "MAX_TEXT",
    "Comment",
    "Note",
    "Share",
    "add_comment",
    "add_note",
    "add_share",
    "comments",
    "declare",
    "delete_comment",
    "delete_note",
    "find_share",
    "notes",
    "password_hash",
    "revoke_share",
    "set_password_hash",
    "shares",
]

#: The longest note or comment kept, in characters.
MAX_TEXT: Final = 2000
_TABLES: Final = (DASHBOARD_NOTES, DASHBOARD_COMMENTS, DASHBOARD_SHARES, DASHBOARD_SECRETS)


@dataclass(frozen=True, slots=True)
class Note:
    note_id: str
    day: dt.date
    kpi: str
    text: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Comment:
    comment_id: str
    template: str
    text: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Share:
    share_id: str
    template: str
    query: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def declare(store: Store) -> None:
    """Create the dashboard's tables that are missing."""
    for table in _TABLES:
        declare_table(store, table.spec())


def _insert(store: Store, table: Table, row: Mapping[str, Any]) -> None:
    import pyarrow as pa

    store.insert(table.name, pa.Table.from_pylist([dict(row)], schema=table.arrow_schema()))


def _rows(store: Store, table: Table, **equal: Any) -> list[dict[str, Any]]:
    t = store.table(table.name)
    for column, value in equal.items():
        t = t.filter(t[column] == value)
    rows: list[dict[str, Any]] = store.fetch(t).to_pylist()
    return rows


def _delete(store: Store, table: Table, key: str, value: str) -> None:
    where = f"{quote_ident(key)} = {store.param_mark}"
    store.execute(f"DELETE FROM {quote_ident(table.name)} WHERE {where}", [value])


def _text(text: str, what: str) -> str:
    clean = text.strip()
    if not clean:
        raise ConfigError(f"the {what} is empty")
    if len(clean) > MAX_TEXT:
        raise ConfigError(f"the {what} is longer than {MAX_TEXT} characters")
    return clean


def add_note(store: Store, day: dt.date, kpi: str, text: str, now: dt.datetime) -> Note:
    """Pin *text* to *day* and the catalogue KPI *kpi*."""
    if kpi not in CATALOGUE:
        raise ConfigError(f"unknown KPI {kpi!r}; see tokops kpi --list")
    note = Note(secrets.token_hex(8), day, kpi, _text(text, "note"), now)
    _insert(store, DASHBOARD_NOTES, _as_row(note))
    return note


def notes(store: Store, start: dt.date, end: dt.date) -> list[Note]:
    """The notes pinned to a day of ``start..end``, by day."""
    t = store.table(DASHBOARD_NOTES.name)
    rows = store.fetch(t.filter(t.day.between(start, end)).order_by("day", "created_at"))
    return [Note(**r) for r in rows.to_pylist()]


def delete_note(store: Store, note_id: str) -> None:
    _delete(store, DASHBOARD_NOTES, "note_id", note_id)


def add_comment(store: Store, template: str, text: str, now: dt.datetime) -> Comment:
    comment = Comment(secrets.token_hex(8), template, _text(text, "comment"), now)
    _insert(store, DASHBOARD_COMMENTS, _as_row(comment))
    return comment


def comments(store: Store, template: str) -> list[Comment]:
    """The comments of *template*, oldest first."""
    rows = _rows(store, DASHBOARD_COMMENTS, template=template)
    return sorted((Comment(**r) for r in rows), key=lambda c: c.created_at)


def delete_comment(store: Store, comment_id: str) -> None:
    _delete(store, DASHBOARD_COMMENTS, "comment_id", comment_id)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_share(store: Store, template: str, query: str, now: dt.datetime) -> tuple[Share, str]:
    """A new read-only link to *template* with *query* (range, filters): the link and its
    token, which is not kept (only its hash is)."""
    token = secrets.token_urlsafe(32)
    share = Share(secrets.token_hex(8), template, query, now, None)
    _insert(store, DASHBOARD_SHARES, {**_as_row(share), "token_sha256": _token_hash(token)})
    return share, token


def _share(row: Mapping[str, Any]) -> Share:
    return Share(
        row["share_id"], row["template"], row["query"], row["created_at"], row["revoked_at"]
    )


def shares(store: Store) -> list[Share]:
    """Every share link, newest first (revoked ones too)."""
    rows = _rows(store, DASHBOARD_SHARES)
    return sorted((_share(r) for r in rows), key=lambda s: s.created_at, reverse=True)


def find_share(store: Store, token: str) -> Share | None:
    """The link *token* opens, None when there is none or it was revoked."""
    rows = _rows(store, DASHBOARD_SHARES, token_sha256=_token_hash(token))
    found = [_share(r) for r in rows if r["revoked_at"] is None]
    return found[0] if found else None


def revoke_share(store: Store, share_id: str, now: dt.datetime) -> None:
    store.update(DASHBOARD_SHARES.name, {"revoked_at": now}, {"share_id": share_id})


def password_hash(store: Store) -> str | None:
    """The stored password hash, None when no password was ever set."""
    rows = _rows(store, DASHBOARD_SECRETS, name="password")
    value = rows[0]["value"] if rows else None
    return value if isinstance(value, str) else None


def set_password_hash(store: Store, value: str, now: dt.datetime) -> None:
    _delete(store, DASHBOARD_SECRETS, "name", "password")
    _insert(store, DASHBOARD_SECRETS, {"name": "password", "value": value, "updated_at": now})


def _as_row(record: Note | Comment | Share) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__slots__}

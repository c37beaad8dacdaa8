"""The dashboard's own records (`tokops serve`): notes, comments, share links, password.

Written by :mod:`tokops.web` only, which creates them when it starts. No secret is kept in
clear: the password and every share token are stored as hashes.
"""

from __future__ import annotations

from typing import Final

from tokops.warehouse.schema.columns import col
from tokops.warehouse.schema.table import Table

__all__ = ["DASHBOARD_COMMENTS", "DASHBOARD_NOTES", "DASHBOARD_SECRETS", "DASHBOARD_SHARES"]

_CREATED = col("created_at", "timestamp", "When it was written (UTC).")

DASHBOARD_NOTES: Final = Table(
    "dashboard_notes",
    "Notes pinned to a day and a KPI, shown on every chart of that KPI (why followers dropped).",
    "one row per note",
    ("note_id",),
    (
        col("note_id", "text", "Note ID (random)."),
        col("day", "date", "The day the note is about."),
        col("kpi", "text", "Catalogue KPI name (tokops kpi --list)."),
        col("text", "text", "The note as written (shown escaped)."),
        _CREATED,
    ),
    group="dashboard",
)
DASHBOARD_COMMENTS: Final = Table(
    "dashboard_comments",
    "Free comments of a report template, shown at the top of its page.",
    "one row per comment",
    ("comment_id",),
    (
        col("comment_id", "text", "Comment ID (random)."),
        col("template", "text", "Report template name (tokops report list)."),
        col("text", "text", "The comment as written (shown escaped)."),
        _CREATED,
    ),
    group="dashboard",
)
DASHBOARD_SHARES: Final = Table(
    "dashboard_shares",
    "Read-only share links of a report page; the token itself is never stored.",
    "one row per link",
    ("share_id",),
    (
        col("share_id", "text", "Link ID (random, shown in the list of links)."),
        col("token_sha256", "text", "SHA-256 of the link's token (hex)."),
        col("template", "text", "Report template name."),
        col("query", "text", "The page's range and filters (URL query string)."),
        _CREATED,
        col("revoked_at", "timestamp", "When it was revoked (UTC); NULL while it works."),
    ),
    group="dashboard",
)
DASHBOARD_SECRETS: Final = Table(
    "dashboard_secrets",
    "The dashboard's login: the password as a salted scrypt hash.",
    "one row per secret",
    ("name",),
    (
        col("name", "text", "password."),
        col("value", "text", "scrypt$N$r$p$salt$hash (hex); never the secret in clear."),
        col("updated_at", "timestamp", "When it was set (UTC)."),
    ),
    group="dashboard",
)

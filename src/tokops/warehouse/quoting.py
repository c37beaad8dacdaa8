"""Identifiers in SQL text: always double-quoted (the same rule on every engine), and fresh
names for temporary tables and views."""

from __future__ import annotations

import uuid

from tokops.errors import WarehouseError

__all__ = ["quote_ident", "temp_name"]


def quote_ident(name: str) -> str:
    """A double-quoted SQL identifier (same rule on DuckDB and PostgreSQL)."""
    if "\x00" in name:
        raise WarehouseError("identifiers cannot contain NUL characters")
    return '"' + name.replace('"', '""') + '"'


def temp_name(prefix: str = "tokops_tmp") -> str:
    """A fresh name for a temporary table or view."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"

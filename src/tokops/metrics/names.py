"""Names beside IDs: ad accounts, campaigns, ad groups, ads and organic accounts (KPI-1).

The ingest keeps each entity's name in the store (``advertisers.name``,
``campaigns.campaign_name``, ``adgroups.adgroup_name``, ``ads.ad_name``,
``organic_accounts.display_name``; see ``docs/schema.md``). :func:`entity_names` looks them up
for a set of IDs; :func:`with_names` adds a ``<entity>_name`` column beside each ID column of a
KPI roll-up. Any report that lists entities can use :func:`entity_names` the same way.

A name is text chosen by whoever set up the account, so it is shown as data: renderers escape
it for the terminal and for spreadsheets (see :mod:`tokops.metrics.export`). An ID without a
stored name (the entity was deleted, or the objects were never synced) gets ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from tokops.metrics.compute import KpiTable
    from tokops.metrics.reader import Reader

__all__ = ["NAMED", "Named", "entity_names", "name_columns", "with_names"]

#: Up to this many IDs are looked up with ``IN (…)``; more read the whole (small) object table.
_IN_LIMIT: Final = 1000


@dataclass(frozen=True, slots=True)
class Named:
    """Where the name of the entity an ID column identifies is stored."""

    table: str
    column: str
    output: str
    """The column added beside the ID, e.g. ``campaign_name``."""


NAMED: Final[dict[str, Named]] = {
    "advertiser_id": Named("advertisers", "name", "advertiser_name"),
    "campaign_id": Named("campaigns", "campaign_name", "campaign_name"),
    "adgroup_id": Named("adgroups", "adgroup_name", "adgroup_name"),
    "ad_id": Named("ads", "ad_name", "ad_name"),
    "business_id": Named("organic_accounts", "display_name", "account_name"),
}


def name_columns(columns: Sequence[str]) -> list[tuple[str, str]]:
    """``(id column, name column)`` for each ID column among *columns* that has a name."""
    return [(c, NAMED[c].output) for c in columns if c in NAMED]


def entity_names(store: Reader, id_column: str, ids: Iterable[object]) -> dict[str, str]:
    """``{id: name}`` for the *ids* of the entity *id_column* names (e.g. ``campaign_id``).

    IDs without a stored name are left out; a store without the object table gives ``{}``.
    """
    named = NAMED[id_column]
    wanted = sorted({str(i) for i in ids if i is not None})
    if not wanted or not store.exists(named.table):
        return {}
    t = store.table(named.table)
    if id_column not in t.columns or named.column not in t.columns:
        return {}
    if len(wanted) <= _IN_LIMIT:
        t = t.filter(t[id_column].isin(wanted))
    t = t.filter(t[named.column].notnull())
    result = t.group_by(id_column).aggregate(name=t[named.column].max()).to_pyarrow()
    pairs = zip(
        result.column(id_column).to_pylist(), result.column("name").to_pylist(), strict=True
    )
    return {str(k): str(v) for k, v in pairs}


def with_names(store: Reader, table: KpiTable) -> KpiTable:
    """*table* with a ``<entity>_name`` column after each entity ID column (``None`` if unknown)."""
    pairs = name_columns(table.keys)
    if not pairs:
        return table
    rows = [dict(r) for r in table.rows]
    for id_col, name_col in pairs:
        names = entity_names(store, id_col, (r.get(id_col) for r in rows))
        for row in rows:
            value = row.get(id_col)
            row[name_col] = None if value is None else names.get(str(value))
    return replace(table, rows=rows, names=(*table.names, *pairs))

"""Warehouse → TikTok: server-side conversions (Events API) from the store (EVT-1…EVT-9).

Entry points: :func:`run_sync` with :class:`SyncOptions` (returns a :class:`SyncSummary`), and the
mapping helpers :func:`propose_for_source`, :func:`propose_mapping`, :func:`load_mapping`,
:func:`to_toml`. The ledger (``events_ledger``, ``events_runs``) is described in
:mod:`tokops.activate.ledger`.
"""

from tokops.activate.mapping import (
    FieldMapping,
    MappingProposal,
    load_mapping,
    propose_mapping,
    to_toml,
)
from tokops.activate.source import propose_for_source
from tokops.activate.summary import NullReporter, SyncReporter, SyncSummary
from tokops.activate.sync import SyncOptions, run_sync

__all__ = [
    "FieldMapping",
    "MappingProposal",
    "NullReporter",
    "SyncOptions",
    "SyncReporter",
    "SyncSummary",
    "load_mapping",
    "propose_for_source",
    "propose_mapping",
    "run_sync",
    "to_toml",
]

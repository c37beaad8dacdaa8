"""The engines behind the store, one adapter module each, registered here by name (BYD-2).

Adding an engine is adding a module with an :class:`~tokops.warehouse.engines.base.EngineAdapter`
subclass and one line in :data:`ADAPTERS`. Only :mod:`tokops.warehouse` imports this package.
"""

from __future__ import annotations

from typing import Final

from tokops.errors import ConfigError
from tokops.warehouse.engines.base import EngineAdapter
from tokops.warehouse.engines.duckdb import DuckDBAdapter
from tokops.warehouse.engines.postgres import PostgresAdapter

__all__ = ["ADAPTERS", "EngineAdapter", "adapter_class"]

ADAPTERS: Final[dict[str, type[EngineAdapter]]] = {
    DuckDBAdapter.name: DuckDBAdapter,
    PostgresAdapter.name: PostgresAdapter,
}


def adapter_class(engine: str) -> type[EngineAdapter]:
    """The adapter of the engine named *engine*."""
    try:
        return ADAPTERS[engine]
    except KeyError:
        raise ConfigError(
            f"no adapter for the store engine {engine!r} (known: {', '.join(sorted(ADAPTERS))})"
        ) from None

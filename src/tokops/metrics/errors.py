"""Typed errors of the KPI library, in plain words (the CLI adds its own flag wording)."""

from __future__ import annotations

from tokops.errors import ConfigError, OptionError

__all__ = ["PaidOnlyFilter", "UnknownKpi"]


class UnknownKpi(ConfigError):
    """KPI names that are not in the catalogue (*noun*: ``KPI`` or ``metric``, as asked)."""

    def __init__(self, names: tuple[str, ...], noun: str = "KPI") -> None:
        self.names = names
        listed = ", ".join(names) if noun == "KPI" else ", ".join(repr(n) for n in names)
        super().__init__(f"unknown {noun} {listed}")


class PaidOnlyFilter(OptionError):
    """A filter (*field*, e.g. ``advertiser_ids``) was given for KPIs of a source without it."""

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(f"{{{field}}} applies to paid KPIs only")

"""Grains: which columns a roll-up groups by, and which store table it reads.

A grain is a list of dimensions (``--by campaign,day``): at most one time dimension (``day``,
``week``, ``month``, from ``stat_date``; weeks start on Monday) plus entities (``advertiser``,
``campaign``, ``adgroup``, ``ad``, ``account``, ``post``), the Spark flag (``spark``, from
``ads.is_spark``) and ``currency``. Paid roll-ups read the coarsest report table that holds
every entity asked for (``advertiser_daily`` → ``campaign_daily`` → ``adgroup_daily`` →
``ad_daily``), falling back to ``ad_daily`` when a coarser one is not in the store.

Audience segments (``age``, ``gender``, ``country``; KPI-5c) read ``audience_daily``, one row per
campaign per day per value of **one** audience dimension: they combine with ``advertiser``,
``campaign``, ``currency`` and a time dimension, not with ``adgroup``/``ad``/``spark`` (the
report is at campaign level) nor with each other (the store holds no joint age × gender split,
and summing across dimensions would count the same delivery twice).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from tokops.errors import ConfigError
from tokops.metrics.measures import Source
from tokops.metrics.tables import AD_DAILY, AUDIENCE_DAILY

__all__ = ["DIMENSIONS", "Dimension", "Grain", "PaidTable", "choose_paid_table", "parse_grain"]

TIME_DIMS: Final = ("day", "week", "month")


@dataclass(frozen=True, slots=True)
class Dimension:
    name: str
    output: str
    column: str
    sources: tuple[Source, ...]
    segment: str | None = None
    """For audience segments: the ``audience_daily.dimension`` value the rows are filtered on."""


DIMENSIONS: Final[dict[str, Dimension]] = {
    d.name: d
    for d in (
        Dimension("day", "day", "stat_date", ("paid", "organic", "followers")),
        Dimension("week", "week", "stat_date", ("paid", "organic", "followers")),
        Dimension("month", "month", "stat_date", ("paid", "organic", "followers")),
        Dimension("advertiser", "advertiser_id", "advertiser_id", ("paid",)),
        Dimension("campaign", "campaign_id", "campaign_id", ("paid",)),
        Dimension("adgroup", "adgroup_id", "adgroup_id", ("paid",)),
        Dimension("ad", "ad_id", "ad_id", ("paid",)),
        Dimension("spark", "is_spark", "is_spark", ("paid",)),
        Dimension("currency", "currency", "currency", ("paid",)),
        Dimension("age", "age", "segment", ("paid",), "age"),
        Dimension("gender", "gender", "segment", ("paid",), "gender"),
        Dimension("country", "country", "segment", ("paid",), "country_code"),
        Dimension(
            "account", "business_id", "business_id", ("organic", "organic_video", "followers")
        ),
        Dimension("post", "item_id", "item_id", ("organic_video",)),
    )
}
_ALIASES: Final = {d.output: d.name for d in DIMENSIONS.values()} | {
    "ad_group": "adgroup",
    "country_code": "country",
}
AUDIENCE_TABLE: Final = AUDIENCE_DAILY.name
_NOT_WITH_SEGMENTS: Final = ("adgroup", "ad", "spark")


@dataclass(frozen=True, slots=True)
class Grain:
    dims: tuple[Dimension, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dims)

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(d.output for d in self.dims)

    @property
    def time(self) -> str | None:
        return next((n for n in self.names if n in TIME_DIMS), None)

    @property
    def segment(self) -> Dimension | None:
        """The audience dimension of the grain, if any (at most one; see :func:`parse_grain`)."""
        return next((d for d in self.dims if d.segment is not None), None)


def parse_grain(by: Sequence[str] | str | None, source: Source = "paid") -> Grain:
    """``"campaign,day"`` (or a list) → :class:`Grain`; unknown or misplaced names raise."""
    if by is None:
        items: list[str] = []
    elif isinstance(by, str):
        items = [p.strip() for p in by.split(",") if p.strip()]
    else:
        items = [p.strip() for p in by if p.strip()]
    dims: list[Dimension] = []
    for item in items:
        name = _ALIASES.get(item.lower(), item.lower())
        dim = DIMENSIONS.get(name)
        if dim is None:
            known = ", ".join(n for n, d in DIMENSIONS.items() if source in d.sources)
            raise ConfigError(f"unknown grain {item!r}; use one of: {known}")
        if source not in dim.sources:
            raise ConfigError(f"grain {item!r} does not apply to {source} KPIs")
        if dim in dims:
            raise ConfigError(f"grain {item!r} given twice")
        dims.append(dim)
    if sum(d.name in TIME_DIMS for d in dims) > 1:
        raise ConfigError("use at most one of day, week, month")
    segments = [d.name for d in dims if d.segment is not None]
    if len(segments) > 1:
        raise ConfigError(
            f"{' and '.join(segments)} cannot be combined: {AUDIENCE_TABLE} splits delivery by "
            "one audience dimension at a time (no joint table), and adding dimensions would "
            "count the same delivery twice; use one of age, gender, country"
        )
    clash = [d.name for d in dims if d.name in _NOT_WITH_SEGMENTS]
    if segments and clash:
        raise ConfigError(
            f"{segments[0]} cannot be combined with {', '.join(clash)}: {AUDIENCE_TABLE} "
            "(TikTok's AUDIENCE report) is one row per campaign per day per segment; use "
            "advertiser, campaign, currency or day/week/month with it"
        )
    return Grain(tuple(dims))


@dataclass(frozen=True, slots=True)
class PaidTable:
    name: str
    entities: tuple[str, ...]
    native: str
    """The entity that, with ``day``, makes one row per group (reach is read only there)."""


PAID_TABLES: Final = (
    PaidTable("advertiser_daily", ("advertiser",), "advertiser"),
    PaidTable("campaign_daily", ("advertiser", "campaign"), "campaign"),
    PaidTable("adgroup_daily", ("advertiser", "campaign", "adgroup"), "adgroup"),
    PaidTable(AD_DAILY.name, ("advertiser", "campaign", "adgroup", "ad", "spark"), "ad"),
)
_ENTITIES: Final = {"advertiser", "campaign", "adgroup", "ad", "spark"}


def choose_paid_table(grain: Grain, exists: Callable[[str], bool]) -> PaidTable:
    """The coarsest report table holding the grain's entities (``ad_daily`` as the fallback)."""
    wanted = {n for n in grain.names if n in _ENTITIES}
    for table in PAID_TABLES:
        if wanted <= set(table.entities) and (table.name == AD_DAILY.name or exists(table.name)):
            return table
    raise AssertionError("unreachable: ad_daily holds every entity")  # pragma: no cover


def is_native(grain: Grain, table: PaidTable) -> bool:
    """True when each group of *grain* is one row of *table* (an entity-day)."""
    return grain.time == "day" and table.native in grain.names

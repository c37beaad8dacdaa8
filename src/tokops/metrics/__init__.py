"""The KPI catalogue and its roll-ups at any grain (KPI-1, SPK-10, SPK-11, BYD-3)."""

from tokops.metrics.catalogue import CATALOGUE, Catalogue, Kpi
from tokops.metrics.measures import MEASURES, Measure

__all__ = ["CATALOGUE", "MEASURES", "Catalogue", "Kpi", "Measure"]

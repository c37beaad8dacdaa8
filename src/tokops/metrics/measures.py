"""Base measures, as the KPI engine names them: declared beside the store's schema.

A measure is a named sum over one store column (``SUM(column)``, or ``SUM(column * weight)`` for
per-row averages); it is declared in :mod:`tokops.warehouse.schema.measures` because the store
keeps the ``ad_monthly`` roll-up of these sums, and its unit is the column's, from
:mod:`tokops.vocabulary`. Packages above the KPI engine (insights, reports) import them from here.
"""

from __future__ import annotations

from tokops.vocabulary import Unit
from tokops.warehouse.schema.measures import MEASURES, Measure, Source

__all__ = ["MEASURES", "Measure", "Source", "Unit"]

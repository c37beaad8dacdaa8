"""Pure statistics: A/B tests, power, proportions, ratios of sums, shrinkage (analytics §3, §6.8).

Numbers in, typed results out: no I/O and no store. The insights features (:mod:`tokops.insights`)
read their sums through :mod:`tokops.metrics.query` and call these.
"""

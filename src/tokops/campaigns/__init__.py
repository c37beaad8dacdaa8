"""Spark and Shop ads: the rules the help pages state, checked before any call, and the flows
that create ads through :mod:`tokops.tiktok` (``DESIGN.md``: ``campaigns/ ──► tiktok/``).

- :mod:`~tokops.campaigns.findings`: what a check returns (a typed finding with its fix) and the
  error a refused operation raises;
- :mod:`~tokops.campaigns.spark_rules`: the Spark rules as data and pure checks (SPK-4 … SPK-12);
- :mod:`~tokops.campaigns.spark_posts`: the posts an ad account can use as Spark ads;
- :mod:`~tokops.campaigns.spark_create`: the creation flow (checks, then campaign, ad group, ad);
- :mod:`~tokops.campaigns.spark_explain`: where each tap on a Spark ad leads and what counts it.
"""

from __future__ import annotations

from tokops.campaigns.findings import Finding, RuleRefused, Severity, errors_of
from tokops.campaigns.spark_create import (
    NewAdGroup,
    SparkAdRequest,
    SparkAdResult,
    SparkFacts,
    check_spark_ad,
    create_spark_ad,
)
from tokops.campaigns.spark_explain import TAPS, Tap
from tokops.campaigns.spark_posts import (
    PostSettings,
    UsablePost,
    check_delete,
    check_new_code,
    find_post,
    list_usable_posts,
)
from tokops.campaigns.spark_rules import (
    BUYING_TYPES,
    DEFAULT_EXPIRY_WARNING_DAYS,
    MAX_SPARK_ADS,
    MAX_VIDEO_SECONDS,
    SPARK_OBJECTIVES,
)

__all__ = [
    "BUYING_TYPES",
    "DEFAULT_EXPIRY_WARNING_DAYS",
    "MAX_SPARK_ADS",
    "MAX_VIDEO_SECONDS",
    "SPARK_OBJECTIVES",
    "TAPS",
    "Finding",
    "NewAdGroup",
    "PostSettings",
    "RuleRefused",
    "Severity",
    "SparkAdRequest",
    "SparkAdResult",
    "SparkFacts",
    "Tap",
    "UsablePost",
    "check_delete",
    "check_new_code",
    "check_spark_ad",
    "create_spark_ad",
    "errors_of",
    "find_post",
    "list_usable_posts",
]

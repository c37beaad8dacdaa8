"""Client side of the TikTok Marketing API v1.3 and the organic business-account endpoints.

Start from :class:`MarketingClient`; everything else is the typed values it returns and takes.
Specs: ``../shared/specs/marketing_api.md`` and ``analytics_and_reverse_etl.md`` §2b.
"""

from __future__ import annotations

from tokops.tiktok.marketing.adgroups import AdGroups
from tokops.tiktok.marketing.ads import Ads, check_creative
from tokops.tiktok.marketing.advertisers import Advertisers
from tokops.tiktok.marketing.business_center import BusinessCenters
from tokops.tiktok.marketing.campaigns import Campaigns
from tokops.tiktok.marketing.client import BASIC_TIER_QPS, MarketingClient
from tokops.tiktok.marketing.gmv_max import GmvMax
from tokops.tiktok.marketing.identities import Identities, IdentityType
from tokops.tiktok.marketing.metrics import (
    CATALOGUE,
    MetricDef,
    MetricKind,
    MetricValue,
    parse_metrics,
    parse_value,
)
from tokops.tiktok.marketing.models import (
    Ad,
    AdGroup,
    Advertiser,
    AuthorizedAdvertiser,
    BusinessCenter,
    Campaign,
    Identity,
    IdentityVideo,
    SparkPost,
    StatusUpdate,
    Store,
)
from tokops.tiktok.marketing.oauth import AccessTokenGrant, OAuth
from tokops.tiktok.marketing.organic import AccountDay, AccountReport, Organic, OrganicVideo
from tokops.tiktok.marketing.report_query import (
    DataLevel,
    Filter,
    ReportQuery,
    ReportQueryError,
    ReportType,
)
from tokops.tiktok.marketing.report_rows import ReportRow
from tokops.tiktok.marketing.report_tasks import (
    PollPolicy,
    ReportTaskError,
    ReportTasks,
    ReportTaskTimeout,
    TaskState,
    TaskStatus,
)
from tokops.tiktok.marketing.report_windows import DateWindow, chunk_window, report_windows
from tokops.tiktok.marketing.reports import ReportRun, Reports, TruncationError
from tokops.tiktok.marketing.spark import SparkPosts
from tokops.tiktok.marketing.split_tests import SplitTestResult, SplitTests
from tokops.tiktok.marketing.stores import Stores

__all__ = [
    "AccessTokenGrant",
    "AccountDay",
    "AccountReport",
    "Ad",
    "AdGroup",
    "AdGroups",
    "Ads",
    "Advertiser",
    "Advertisers",
    "AuthorizedAdvertiser",
    "BASIC_TIER_QPS",
    "BusinessCenter",
    "BusinessCenters",
    "CATALOGUE",
    "Campaign",
    "Campaigns",
    "DataLevel",
    "DateWindow",
    "Filter",
    "GmvMax",
    "Identities",
    "Identity",
    "IdentityType",
    "IdentityVideo",
    "MarketingClient",
    "MetricDef",
    "MetricKind",
    "MetricValue",
    "OAuth",
    "Organic",
    "OrganicVideo",
    "PollPolicy",
    "ReportQuery",
    "ReportQueryError",
    "ReportRow",
    "ReportRun",
    "ReportTaskError",
    "ReportTaskTimeout",
    "ReportTasks",
    "ReportType",
    "Reports",
    "SparkPost",
    "SparkPosts",
    "SplitTestResult",
    "SplitTests",
    "StatusUpdate",
    "Store",
    "Stores",
    "TaskState",
    "TaskStatus",
    "TruncationError",
    "check_creative",
    "chunk_window",
    "parse_metrics",
    "parse_value",
    "report_windows",
]

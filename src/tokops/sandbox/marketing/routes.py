"""Every Marketing API route of the sandbox, gathered from the per-family modules.

:class:`MarketingApi` builds each family once (they share the :class:`Market`) and exposes
three lists for :class:`tokops.sandbox.server.service.Sandbox`: ``routes`` (under
``/open_api/v1.3``, token + app rate limit), ``public_routes`` (under ``/open_api/v1.3``, no
token: ``/oauth2/access_token/``) and ``sandbox_routes`` (absolute ``/sandbox/…`` read-outs).
"""

from __future__ import annotations

from tokops.sandbox.marketing.ad_write import AdWrites
from tokops.sandbox.marketing.adgroup_write import AdGroupWrites
from tokops.sandbox.marketing.business_center import BusinessCenters
from tokops.sandbox.marketing.campaign_write import CampaignWrites
from tokops.sandbox.marketing.context import Family, Market, RouteSpec
from tokops.sandbox.marketing.gmv_max import GmvMax
from tokops.sandbox.marketing.oauth import OAuth
from tokops.sandbox.marketing.objects_read import ObjectReads
from tokops.sandbox.marketing.organic_routes import OrganicRoutes
from tokops.sandbox.marketing.report_tasks import ReportTasks
from tokops.sandbox.marketing.reports import Reports
from tokops.sandbox.marketing.spark import Spark
from tokops.sandbox.marketing.split_tests import SplitTests
from tokops.sandbox.marketing.stores import Stores
from tokops.sandbox.marketing.world_routes import WorldReadout

__all__ = ["MarketingApi"]


class MarketingApi:
    """The Marketing API families of one sandbox."""

    def __init__(self, market: Market, token: str) -> None:
        self.reports = Reports(market)
        self.tasks = ReportTasks(market, self.reports)
        self.stores = Stores(market)
        self.oauth = OAuth(market, token)
        families: list[Family] = [
            self.reports,
            self.tasks,
            ObjectReads(market),
            CampaignWrites(market),
            AdGroupWrites(market),
            AdWrites(market),
            Spark(market),
            BusinessCenters(market),
            self.oauth,
            self.stores,
            GmvMax(market, self.stores),
            SplitTests(market),
            OrganicRoutes(market),
        ]
        self.routes: list[RouteSpec] = [spec for f in families for spec in f.routes()]
        self.public_routes: list[RouteSpec] = self.oauth.public_routes()
        self.sandbox_routes: list[RouteSpec] = [
            *WorldReadout(market).routes(),
            *self.tasks.file_routes(),
            *self.stores.sandbox_routes(),
            *self.oauth.sandbox_routes(),
        ]

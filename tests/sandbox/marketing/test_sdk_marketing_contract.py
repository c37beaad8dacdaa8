"""Contract: TikTok's official Python SDK, pointed at a real sandbox server, parses its answers.

The SDK (``tiktok-business-api-sdk-official``, ``business_api_client``) sends list parameters
JSON-encoded in the query, booleans as ``True``, the token in ``Access-Token``. Version 1.1.x
returns ``{"data", "request_id"}`` on ``code == 0`` and raises ``TiktokSDKError`` (code in
its message) otherwise — not what ``marketing_api.md`` §7.1 describes for older versions.
Every call below goes over a socket to ``serve_in_thread``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

business_api_client = pytest.importorskip("business_api_client")

from tokops.sandbox import Sandbox  # noqa: E402
from tokops.sandbox.server.socket_server import RunningServer, serve_in_thread  # noqa: E402

from ..conftest import ADVERTISER, TOKEN, marketing_settings  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serve_in_thread(Sandbox(marketing_settings())) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Any:
    configuration = business_api_client.Configuration()
    configuration.host = server.url
    return business_api_client.ApiClient(configuration)


def _ok(answer: Any) -> Any:
    assert isinstance(answer, dict), answer
    assert set(answer) == {"data", "request_id"} and answer["request_id"], answer
    return answer["data"]


def test_sync_report(client: Any) -> None:
    api = business_api_client.ReportingApi(client)
    data = _ok(
        api.report_integrated_get(
            "BASIC", TOKEN, advertiser_id=ADVERTISER, data_level="AUCTION_AD",
            dimensions=["ad_id", "stat_time_day"], metrics=["spend", "impressions", "ctr"],
            start_date="2026-02-01", end_date="2026-02-07", page=1, page_size=50,
            query_lifetime=False, enable_total_metrics=True,
            filtering=[
                {"field_name": "ad_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}
            ],
        )
    )  # fmt: skip
    assert data["page_info"]["page_size"] == 50 and data["list"]
    row = data["list"][0]
    assert set(row["dimensions"]) == {"ad_id", "stat_time_day"}
    assert all(isinstance(v, str) for v in row["metrics"].values())
    assert set(data["total_metrics"]) == {"spend", "impressions", "ctr"}


def test_async_report(client: Any) -> None:
    api = business_api_client.ReportingApi(client)
    body = business_api_client.ReportTaskCreateBody(
        advertiser_id=ADVERTISER, report_type="BASIC", data_level="AUCTION_CAMPAIGN",
        dimensions=["campaign_id"], metrics=["spend"], start_date="2026-01-01",
        end_date="2026-02-28",
    )  # fmt: skip
    task_id = _ok(api.report_task_create(TOKEN, body=body))["task_id"]
    status = _ok(api.report_task_check(task_id, ADVERTISER, TOKEN))["status"]
    assert status in ("QUEUING", "PROCESSING", "SUCCESS")


def test_campaigns_adgroups_ads(client: Any) -> None:
    campaigns = _ok(
        business_api_client.CampaignCreationApi(client).campaign_get(
            ADVERTISER, TOKEN, page=1, page_size=5, fields=["campaign_id", "campaign_name"]
        )
    )
    assert campaigns["list"] and set(campaigns["list"][0]) == {"campaign_id", "campaign_name"}
    adgroups = _ok(
        business_api_client.AdgroupApi(client).adgroup_get(ADVERTISER, TOKEN, page_size=5)
    )
    assert adgroups["list"][0]["advertiser_id"] == ADVERTISER
    ads = _ok(business_api_client.AdApi(client).ad_get(ADVERTISER, TOKEN, page_size=5))
    assert ads["page_info"]["total_number"] >= len(ads["list"]) > 0
    body = business_api_client.CampaignCreateBody(
        advertiser_id=ADVERTISER, campaign_name="From the SDK", objective_type="TRAFFIC",
        budget_mode="BUDGET_MODE_DAY", budget=120.0,
    )  # fmt: skip
    created = _ok(business_api_client.CampaignCreationApi(client).campaign_create(TOKEN, body=body))
    assert created["campaign_name"] == "From the SDK" and len(created["campaign_id"]) == 19


def test_accounts_identities_and_business_centers(client: Any, server: RunningServer) -> None:
    sandbox = server.sandbox
    listed = _ok(
        business_api_client.AuthenticationApi(client).oauth2_advertiser_get(
            sandbox.app_id, sandbox.app_secret, TOKEN
        )
    )
    assert ADVERTISER in [a["advertiser_id"] for a in listed["list"]]
    info = _ok(
        business_api_client.AccountManagementApi(client).advertiser_info([ADVERTISER], TOKEN)
    )
    assert info["list"][0]["currency"] == "EUR"
    identities = _ok(
        business_api_client.IdentityApi(client).identity_get(
            ADVERTISER, TOKEN, identity_type="TT_USER"
        )
    )
    assert identities["identity_list"][0]["identity_type"] == "TT_USER"
    centers = _ok(business_api_client.BCApi(client).bc_get(TOKEN, page=1, page_size=10))
    assert centers["list"][0]["bc_info"]["bc_id"]
    stores = _ok(business_api_client.StoreApi(client).gmv_max_store_list(ADVERTISER, TOKEN))
    assert stores["store_list"][0]["store_id"]


def test_errors_reach_the_sdk_with_their_codes(client: Any) -> None:
    from business_api_client.tiktok_business.tiktok_exceptions import TiktokSDKError

    api = business_api_client.ReportingApi(client)
    with pytest.raises(TiktokSDKError) as metric:
        api.report_integrated_get(
            "BASIC", TOKEN, advertiser_id=ADVERTISER, data_level="AUCTION_AD",
            dimensions=["ad_id"], metrics=["nope"], start_date="2026-02-01",
            end_date="2026-02-02",
        )  # fmt: skip
    assert str(metric.value).startswith("Error Code: 40002,")
    assert "Invalid metric fields: ['nope']" in str(metric.value)
    with pytest.raises(TiktokSDKError) as token:
        business_api_client.AdApi(client).ad_get(ADVERTISER, "not-the-token")
    assert str(token.value).startswith("Error Code: 40105,")

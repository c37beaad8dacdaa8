"""Error codes beyond 40100 (``marketing_api.md`` §1.5, §1.6): 40133 per advertiser, 40132 per
field value, any transient code through the ``error_code`` fault, and 20001 partial success."""

from __future__ import annotations

from typing import Any

import pytest

from tokops.errors import APIError, RateLimitError, ServerError, Transient, error_for_code
from tokops.sandbox import Sandbox
from tokops.sandbox.settings import SandboxConfigError, load_settings
from tokops.tiktok._http import ApiClient, RetryPolicy

from ..conftest import ADVERTISER, TOKEN, Marketing, MockClock, marketing_settings

OTHER = "7100000000000000002"


def market(clock: MockClock, **overrides: Any) -> Marketing:
    return Marketing(Sandbox(marketing_settings(**overrides), now=clock), clock)


def info(mk: Marketing, advertiser: str = ADVERTISER) -> int:
    code: int = mk.get("campaign/get/", advertiser_id=advertiser)["code"]
    return code


def with_limits(**limits: Any) -> dict[str, Any]:
    return {
        "marketing": {"qpm": 10**9, "qpd": 10**9, "endpoint_qps": {}, **limits},
    }


# -- 40133: advertiser-level QPS ------------------------------------------------------------------
def test_advertiser_qps_answers_40133_per_advertiser_and_recovers(clock: MockClock) -> None:
    mk = market(clock, **with_limits(advertiser_qps=2))
    assert [info(mk) for _ in range(2)] == [0, 0]
    refused = mk.get("campaign/get/", advertiser_id=ADVERTISER)
    assert refused["code"] == 40133 and refused["data"] == {}
    assert refused["message"] == (
        f"Advertiser ({ADVERTISER})'s QPS reaches QPS limit 2, current QPS is 3"
    )
    assert info(mk, OTHER) == 0  # another advertiser has its own window
    clock.advance(seconds=1)
    assert info(mk) == 0  # the next second is a new window


def test_advertiser_qps_counts_post_bodies_and_report_advertiser_lists(clock: MockClock) -> None:
    mk = market(clock, **with_limits(advertiser_qps=1))
    body = {"advertiser_id": ADVERTISER, "campaign_ids": ["1"], "operation_status": "ENABLE"}
    assert mk.post("campaign/status/update/", body)["code"] == 40002  # counted, then validated
    assert mk.post("campaign/status/update/", body)["code"] == 40133
    clock.advance(seconds=1)
    multi = mk.get(
        "report/integrated/get/",
        advertiser_ids=[OTHER, ADVERTISER],
        report_type="BASIC",
        data_level="AUCTION_ADVERTISER",
        dimensions=["advertiser_id"],
        query_lifetime=True,
    )
    assert multi["code"] == 0
    assert info(mk, OTHER) == 40133  # the multi-advertiser report used OTHER's second


def test_advertiser_qps_is_off_by_default(clock: MockClock) -> None:
    mk = market(clock)
    assert {info(mk) for _ in range(50)} == {0}


# -- 40132: QPS per field value -------------------------------------------------------------------
def test_field_qps_answers_40132_per_value(clock: MockClock) -> None:
    mk = market(clock, **with_limits(field_qps={"auth_code": 1}))
    first = mk.get("tt_video/info/", advertiser_id=ADVERTISER, auth_code="#code-a")
    assert first["code"] != 40132  # an unknown code: refused by the route, but counted
    second = mk.get("tt_video/info/", advertiser_id=ADVERTISER, auth_code="#code-a")
    assert second["code"] == 40132 and "auth_code #code-a" in second["message"]
    other = mk.get("tt_video/info/", advertiser_id=ADVERTISER, auth_code="#code-b")
    assert other["code"] != 40132
    assert info(mk) == 0  # calls without the field are not limited by it
    clock.advance(seconds=1)
    assert mk.get("tt_video/info/", advertiser_id=ADVERTISER, auth_code="#code-a")["code"] != 40132


# -- transient codes through the error_code fault -------------------------------------------------
@pytest.mark.parametrize(
    ("code", "cls"),
    [(40133, RateLimitError), (40132, RateLimitError), (40016, RateLimitError),
     (50002, ServerError), (60001, ServerError), (50000, ServerError)],
)  # fmt: skip
def test_error_code_fault_answers_the_code_and_the_client_retries_it(
    clock: MockClock, code: int, cls: type[APIError]
) -> None:
    sandbox = Sandbox(
        marketing_settings(faults={"error_rate": 0.5, "error_code": code, "seed": 4}), now=clock
    )
    mk = Marketing(sandbox, clock)
    codes = {info(mk) for _ in range(30)}
    assert codes == {0, code}
    assert error_for_code(code) is cls and issubclass(cls, Transient)
    waits: list[float] = []
    api = ApiClient(
        TOKEN,
        api_base="http://sandbox.test",
        transport=sandbox.transport(),
        retry=RetryPolicy(max_retries=8, base_s=0.01),
        sleep=waits.append,
    )
    answers = [
        api.call("GET", "campaign/get/", params={"advertiser_id": ADVERTISER}) for _ in range(6)
    ]
    assert all(a.code == 0 for a in answers)
    assert max(a.attempts for a in answers) > 1 and len(waits) > 0  # some were retried


def test_error_code_fault_exhausts_retries_with_the_mapped_error(clock: MockClock) -> None:
    sandbox = Sandbox(
        marketing_settings(faults={"error_rate": 1.0, "error_code": 40133}), now=clock
    )
    api = ApiClient(
        TOKEN,
        api_base="http://sandbox.test",
        transport=sandbox.transport(),
        retry=RetryPolicy(max_retries=2, base_s=0.01),
        sleep=lambda _s: None,
    )
    with pytest.raises(RateLimitError) as caught:
        api.get("campaign/get/", params={"advertiser_id": ADVERTISER})
    assert caught.value.code == 40133


def test_error_code_setting_is_validated() -> None:
    assert load_settings(overrides={"faults": {"error_code": 40133}}).faults.error_code == 40133
    with pytest.raises(SandboxConfigError, match="error_code"):
        load_settings(overrides={"faults": {"error_code": 7}})


# -- 20001: partial success -----------------------------------------------------------------------
def _live(mk: Marketing, kind: str, n: int) -> list[Any]:
    objects = {"campaign": mk.world.campaigns, "adgroup": mk.world.adgroups, "ad": mk.world.ads}
    return [o for o in objects[kind].values() if o.advertiser_id == ADVERTISER and not o.deleted][
        :n
    ]


@pytest.mark.parametrize("kind", ["campaign", "adgroup", "ad"])
def test_status_update_with_some_bad_ids_is_a_partial_success(mk: Marketing, kind: str) -> None:
    good = _live(mk, kind, 2)
    ids = [getattr(o, f"{kind}_id") for o in good]
    missing = "1999999999999999999"
    answer = mk.post(
        f"{kind}/status/update/",
        {"advertiser_id": ADVERTISER, f"{kind}_ids": [ids[0], missing, ids[1]],
         "operation_status": "DISABLE"},
    )  # fmt: skip
    assert answer["code"] == 20001, answer
    data = answer["data"]
    assert data[f"{kind}_ids"] == ids and data["status"] == "DISABLE"
    assert [e[f"{kind}_id"] for e in data["error_list"]] == [missing]
    assert all(o.operation_status == "DISABLE" for o in good)  # the good ones did change
    none = mk.post(
        f"{kind}/status/update/",
        {"advertiser_id": ADVERTISER, f"{kind}_ids": [missing], "operation_status": "ENABLE"},
    )
    assert none["code"] == 40002  # nothing could change: not a partial success


def test_20001_is_a_success_for_the_client_and_failed_ids_are_reported(
    mk_sandbox: Sandbox, mk: Marketing
) -> None:
    from tokops.tiktok.marketing import MarketingClient

    api = ApiClient(TOKEN, api_base="http://sandbox.test", transport=mk_sandbox.transport())
    good = _live(mk, "ad", 1)[0]
    resp = api.call(
        "POST",
        "ad/status/update/",
        json={
            "advertiser_id": ADVERTISER,
            "ad_ids": [good.ad_id, "1"],
            "operation_status": "DISABLE",
        },
    )
    assert (resp.code, resp.attempts, resp.message) == (20001, 1, "Partial success.")
    client = MarketingClient(api)
    campaign = _live(mk, "campaign", 1)[0]
    [update] = client.campaigns.set_status(ADVERTISER, [campaign.campaign_id, "2", "3"], "DISABLE")
    assert update.ids == [campaign.campaign_id] and update.failed_ids == ["2", "3"]
    [clean] = client.campaigns.set_status(ADVERTISER, [campaign.campaign_id], "ENABLE")
    assert clean.failed_ids == []

"""Custom audiences (EVT-8): upload → create → get → update → list paging → delete."""

from __future__ import annotations

import hashlib
import math
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokops.sandbox import Sandbox, SandboxSettings
from tokops.sandbox.settings import DEFAULT_ADVERTISER_ID as ADV

DMP = "/open_api/v1.3/dmp/custom_audience/"


def hashes(prefix: str, n: int) -> list[str]:
    return [hashlib.sha256(f"{prefix}{i}@example.com".encode()).hexdigest() for i in range(n)]


def upload(
    client: httpx.Client,
    values: list[str],
    calculate_type: str | None = "EMAIL_SHA256",
    signature: str | None = None,
    advertiser_id: str = ADV,
) -> dict[str, Any]:
    content = ("\n".join(values) + "\n").encode()
    fields = {
        "advertiser_id": advertiser_id,
        "file_signature": signature or hashlib.md5(content).hexdigest(),
    }
    if calculate_type:
        fields["calculate_type"] = calculate_type
    response = client.post(
        DMP + "file/upload/", data=fields, files={"file": ("emails.txt", content, "text/plain")}
    )
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def post(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = client.post(DMP + path, json=body).json()
    return answer


def get(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    encoded = {
        k: v if isinstance(v, str | int) else orjson.dumps(v).decode() for k, v in params.items()
    }
    answer: dict[str, Any] = client.get(DMP + path, params=encoded).json()
    return answer


def create(client: httpx.Client, paths: list[str], name: str = "Recent buyers", **kw: Any) -> str:
    body = {
        "advertiser_id": ADV,
        "custom_audience_name": name,
        "file_paths": paths,
        "calculate_type": "EMAIL_SHA256",
        **kw,
    }
    answer = post(client, "create/", body)
    assert answer["code"] == 0, answer
    audience_id: str = answer["data"]["custom_audience_id"]
    return audience_id


def update(client: httpx.Client, audience_id: str, **changes: Any) -> dict[str, Any]:
    body = {"advertiser_id": ADV, "custom_audience_id": audience_id, **changes}
    return post(client, "update/", body)


def details(client: httpx.Client, audience_id: str) -> dict[str, Any]:
    answer = get(client, "get/", advertiser_id=ADV, custom_audience_ids=[audience_id])
    assert answer["code"] == 0, answer
    found: dict[str, Any] = answer["data"]["list"][0]
    return found


def test_full_flow(client: httpx.Client, clock: Any) -> None:
    first = upload(client, hashes("a", 1200))
    assert first["code"] == 0, first
    path_a = first["data"]["file_path"]
    audience_id = create(client, [path_a], retention_in_days=30)
    assert audience_id.isdigit() and len(audience_id) == 19

    got = details(client, audience_id)
    d = got["audience_details"]
    assert d["audience_id"] == audience_id
    assert d["name"] == "Recent buyers"
    assert d["audience_type"] == "Customer File Audience"
    assert d["calculate_type"] == "EMAIL_SHA256"
    assert d["size"] == 1200
    assert d["matched"] == d["cover_num"]
    assert 0.5 * 1200 < d["cover_num"] < 0.7 * 1200  # default match rate 0.6
    assert d["is_valid"] is True
    assert d["create_time"] == "2026-03-02 12:00:00"
    assert d["expired_time"] == "2026-04-01 12:00:00"
    assert got["audience_history"][0]["action"] == "CREATE"

    path_b = upload(client, hashes("b", 300))["data"]["file_path"]
    clock.advance(minutes=1)
    assert update(client, audience_id, file_paths=[path_b], action="APPEND")["code"] == 0
    assert details(client, audience_id)["audience_details"]["size"] == 1500
    # APPEND of what is already there adds nothing.
    update(client, audience_id, file_paths=[path_b], action="APPEND")
    assert details(client, audience_id)["audience_details"]["size"] == 1500

    assert update(client, audience_id, file_paths=[path_b], action="REMOVE")["code"] == 0
    assert details(client, audience_id)["audience_details"]["size"] == 1200

    path_c = upload(client, hashes("c", 1100))["data"]["file_path"]
    assert update(client, audience_id, file_paths=[path_c])["code"] == 0  # REPLACE by default
    got = details(client, audience_id)
    assert got["audience_details"]["size"] == 1100
    assert [h["action"] for h in got["audience_history"]][:2] == ["REPLACE", "REMOVE"]
    assert got["audience_history"][0]["action_detail"] == "+1100 -1200 users"
    assert got["audience_history"][0]["editor"] == "open_api"

    assert update(client, audience_id, custom_audience_name="Buyers 30d")["code"] == 0
    assert details(client, audience_id)["audience_details"]["name"] == "Buyers 30d"

    assert (
        post(client, "delete/", {"advertiser_id": ADV, "custom_audience_ids": [audience_id]})[
            "code"
        ]
        == 0
    )
    gone = get(client, "get/", advertiser_id=ADV, custom_audience_ids=[audience_id])
    assert gone["code"] == 40007


def test_update_below_1000_users_fails_and_changes_nothing(client: httpx.Client) -> None:
    path = upload(client, hashes("a", 1050))["data"]["file_path"]
    audience_id = create(client, [path])
    small = upload(client, hashes("a", 100))["data"]["file_path"]
    answer = update(client, audience_id, file_paths=[small], action="REMOVE")
    assert answer["code"] == 40002
    assert "950 users after REMOVE, below the minimum of 1000" in answer["message"]
    assert details(client, audience_id)["audience_details"]["size"] == 1050


def test_create_itself_has_no_minimum(client: httpx.Client) -> None:
    path = upload(client, hashes("x", 3))["data"]["file_path"]
    audience_id = create(client, [path])
    assert details(client, audience_id)["audience_details"]["size"] == 3


def test_list_paging_yields_every_audience_once_newest_first(client: httpx.Client) -> None:
    path = upload(client, hashes("a", 10))["data"]["file_path"]
    ids = [create(client, [path], name=f"aud {i}") for i in range(23)]
    seen: list[str] = []
    page = 1
    while True:
        answer = get(client, "list/", advertiser_id=ADV, page=page, page_size=10)
        assert answer["code"] == 0
        info = answer["data"]["page_info"]
        assert info == {"page": page, "page_size": 10, "total_number": 23, "total_page": 3}
        seen += [a["audience_id"] for a in answer["data"]["list"]]
        if page >= info["total_page"]:
            break
        page += 1
    assert seen == list(reversed(ids))
    default = get(client, "list/", advertiser_id=ADV)["data"]
    assert default["page_info"]["page_size"] == 10 and len(default["list"]) == 10
    beyond = get(client, "list/", advertiser_id=ADV, page=9, page_size=10)["data"]
    assert beyond["list"] == []
    picked = get(client, "list/", advertiser_id=ADV, custom_audience_ids=ids[:2])["data"]
    assert {a["audience_id"] for a in picked["list"]} == set(ids[:2])


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 30), page_size=st.integers(1, 100))
def test_paging_property(n: int, page_size: int) -> None:
    sandbox = Sandbox(SandboxSettings(access_tokens=("t",)))
    with httpx.Client(
        transport=sandbox.transport(), base_url="http://s", headers={"Access-Token": "t"}
    ) as client:
        path = upload(client, hashes("p", 2))["data"]["file_path"]
        ids = {create(client, [path], name=str(i)) for i in range(n)}
        seen: list[str] = []
        total_page = max(1, math.ceil(n / page_size))
        for page in range(1, total_page + 1):
            data = get(client, "list/", advertiser_id=ADV, page=page, page_size=page_size)["data"]
            assert data["page_info"]["total_page"] == math.ceil(n / page_size)
            seen += [a["audience_id"] for a in data["list"]]
    assert sorted(seen) == sorted(ids) and len(seen) == n


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page_size": 101}, "Invalid value for page_size: must be between 1 and 100."),
        ({"page_size": 0}, "Invalid value for page_size: must be between 1 and 100."),
        ({"page": 0}, "Invalid value for page: must be at least 1."),
        ({"page": "two"}, "Invalid value for page: not a valid integer."),
    ],
)
def test_list_parameters(client: httpx.Client, params: dict[str, Any], message: str) -> None:
    answer = get(client, "list/", advertiser_id=ADV, **params)
    assert (answer["code"], answer["message"]) == (40002, message)


def test_wrong_signature_is_40002(client: httpx.Client) -> None:
    answer = upload(client, hashes("a", 5), signature="0" * 32)
    assert answer["code"] == 40002
    assert answer["message"] == (
        "Invalid value for file_signature: does not match the MD5 of the file."
    )


@pytest.mark.parametrize(
    ("values", "calculate_type", "code"),
    [
        (["not-a-hash"], "EMAIL_SHA256", 40002),
        ([hashlib.md5(b"x").hexdigest()], "EMAIL_SHA256", 40002),
        ([hashlib.md5(b"x").hexdigest()], "IDFA_MD5", 0),
        (["A" * 64], "PHONE_SHA256", 0),
        (["a" * 64], "SOMETHING", 40002),
        (["a" * 64], "FIRST_NORMAL", 40002),
        (["a" * 64 + "," + "b" * 32], "MULTIPLE_TYPES", 0),
        (["a" * 64], None, 0),
    ],
)
def test_upload_contents_and_types(
    client: httpx.Client, values: list[str], calculate_type: str | None, code: int
) -> None:
    assert upload(client, values, calculate_type)["code"] == code


def test_file_paths_belong_to_their_advertiser_and_type(clock: Any) -> None:
    other = "7100000000000000002"
    sandbox = Sandbox(
        SandboxSettings(access_tokens=("t",), sources={"advertiser_ids": (ADV, other)}), now=clock
    )
    with httpx.Client(
        transport=sandbox.transport(), base_url="http://s", headers={"Access-Token": "t"}
    ) as client:
        path = upload(client, hashes("a", 5), advertiser_id=other)["data"]["file_path"]
        answer = post(
            client,
            "create/",
            {
                "advertiser_id": ADV,
                "custom_audience_name": "x",
                "file_paths": [path],
                "calculate_type": "EMAIL_SHA256",
            },
        )
        assert answer["code"] == 40002
        assert answer["message"] == (
            "Invalid value for file_paths.0: no such file for this advertiser."
        )
        phones = upload(client, hashes("p", 5), "PHONE_SHA256")["data"]["file_path"]
        answer = post(
            client,
            "create/",
            {
                "advertiser_id": ADV,
                "custom_audience_name": "x",
                "file_paths": [phones],
                "calculate_type": "EMAIL_SHA256",
            },
        )
        assert answer["message"] == (
            "Invalid value for file_paths.0: "
            "the file was uploaded as PHONE_SHA256, not EMAIL_SHA256."
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"custom_audience_name": "n" * 129}, "at most 128 characters"),
        ({"custom_audience_name": ""}, "custom_audience_name: field is required"),
        ({"retention_in_days": 0}, "retention_in_days: must be between 1 and 365"),
        ({"retention_in_days": 366}, "retention_in_days: must be between 1 and 365"),
        ({"retention_in_days": "30"}, "retention_in_days: not a valid integer"),
        ({"calculate_type": None}, "calculate_type: field is required"),
        ({"file_paths": []}, "file_paths: must be a non-empty list"),
        ({"audience_sub_type": "VIP"}, "audience_sub_type: must be one of NORMAL, REACH_FREQUENCY"),
    ],
)
def test_create_validation(client: httpx.Client, change: dict[str, Any], message: str) -> None:
    path = upload(client, hashes("a", 5))["data"]["file_path"]
    body = {
        "advertiser_id": ADV,
        "custom_audience_name": "ok",
        "file_paths": [path],
        "calculate_type": "EMAIL_SHA256",
        **change,
    }
    answer = post(client, "create/", body)
    assert answer["code"] == 40002
    assert message in answer["message"]


def test_update_and_delete_validation(client: httpx.Client) -> None:
    path = upload(client, hashes("a", 1000))["data"]["file_path"]
    audience_id = create(client, [path])
    nothing = update(client, audience_id)
    assert nothing["message"] == "You must pass in either custom_audience_name or file_paths."
    bad_action = update(client, audience_id, file_paths=[path], action="MERGE")
    assert (
        bad_action["message"] == "Invalid value for action: must be one of APPEND, REMOVE, REPLACE."
    )
    missing = post(
        client,
        "update/",
        {"advertiser_id": ADV, "custom_audience_id": "1", "custom_audience_name": "x"},
    )
    assert missing["code"] == 40007
    too_many = post(
        client,
        "delete/",
        {"advertiser_id": ADV, "custom_audience_ids": [str(i) for i in range(101)]},
    )
    assert too_many["code"] == 40002
    partial = post(
        client, "delete/", {"advertiser_id": ADV, "custom_audience_ids": [audience_id, "1"]}
    )
    assert partial["code"] == 40007
    assert details(client, audience_id)["audience_details"]["size"] == 1000, "nothing deleted"


def test_match_share_follows_the_setting(clock: Any) -> None:
    sandbox = Sandbox(SandboxSettings(access_tokens=("t",), audience_match_rate=0.0), now=clock)
    with httpx.Client(
        transport=sandbox.transport(), base_url="http://s", headers={"Access-Token": "t"}
    ) as client:
        audience_id = create(client, [upload(client, hashes("a", 50))["data"]["file_path"]])
        assert details(client, audience_id)["audience_details"]["cover_num"] == 0


def test_expiry_without_retention_is_365_days_after_the_last_change(
    client: httpx.Client, clock: Any
) -> None:
    audience_id = create(client, [upload(client, hashes("a", 5))["data"]["file_path"]])
    clock.advance(days=310)
    d = details(client, audience_id)["audience_details"]
    assert d["is_expiring"] is True and d["is_valid"] is True
    clock.advance(days=56)
    d = details(client, audience_id)["audience_details"]
    assert d["is_valid"] is False

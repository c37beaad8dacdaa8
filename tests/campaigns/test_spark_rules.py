"""The Spark rules as pure checks: each one triggered on purpose (SPK-1, 4, 5, 6, 8, 9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokops.campaigns import spark_rules as rules
from tokops.campaigns.findings import Finding, RuleRefused, errors_of

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
ALL_OBJECTIVES = (
    "REACH VIDEO_VIEWS ENGAGEMENT TRAFFIC APP_PROMOTION WEB_CONVERSIONS LEAD_GENERATION "
    "PRODUCT_SALES RF_REACH CONVERSIONS APP_INSTALL SHOP_PURCHASES CATALOG_SALES"
).split()


def test_the_table_is_spk_4_word_for_word() -> None:
    """SPK-4: Auction → 8 objectives; Reach & Frequency → Reach, Traffic, Video views."""
    assert set(rules.SPARK_OBJECTIVES["AUCTION"]) == {
        "REACH", "VIDEO_VIEWS", "ENGAGEMENT", "TRAFFIC", "APP_PROMOTION", "WEB_CONVERSIONS",
        "LEAD_GENERATION", "PRODUCT_SALES",
    }  # fmt: skip
    assert set(rules.SPARK_OBJECTIVES["RESERVATION_RF"]) == {"REACH", "TRAFFIC", "VIDEO_VIEWS"}


@given(st.sampled_from(ALL_OBJECTIVES), st.sampled_from(rules.BUYING_TYPES))
def test_any_other_pairing_is_refused(objective: str, buying_type: str) -> None:
    """SPK-4: a pairing passes exactly when the table lists it; a refusal says what to pick."""
    found = rules.check_pairing(objective, buying_type)
    allowed = rules.normalize_objective(objective) in rules.SPARK_OBJECTIVES[buying_type]
    assert (found == []) is allowed
    if not allowed:
        assert found[0].rule == "SPK-4" and found[0].severity == "error"
        assert "pick one of" in found[0].fix


def test_refusal_names_the_buying_type_that_would_work() -> None:
    (finding,) = rules.check_pairing("ENGAGEMENT", "RESERVATION_RF")
    assert "Community interaction (ENGAGEMENT)" in finding.message
    assert "Reach & Frequency" in finding.message
    assert "buy it as Auction (AUCTION)" in finding.fix
    (legacy,) = rules.check_pairing("SHOP_PURCHASES", "AUCTION")
    assert "buy it as" not in legacy.fix  # no buying type takes a legacy objective
    (unknown,) = rules.check_pairing("REACH", "RESERVATION_TOP_VIEW")
    assert "AUCTION, RESERVATION_RF" in unknown.fix


def test_rf_reach_is_reach_under_reach_and_frequency() -> None:
    assert rules.normalize_objective(" rf_reach ") == "REACH"
    assert rules.normalize_objective("video-views") == "VIDEO_VIEWS"
    assert rules.check_pairing("RF_REACH", "RESERVATION_RF") == []
    assert rules.campaign_fields("REACH", "RESERVATION_RF") == {
        "objective_type": "RF_REACH",
        "rf_campaign_type": "STANDARD",
    }
    assert rules.campaign_fields("TRAFFIC", "RESERVATION_RF")["objective_type"] == "TRAFFIC"
    assert rules.campaign_fields("REACH", "AUCTION") == {"objective_type": "REACH"}


def test_buying_type_of_a_campaign() -> None:
    assert rules.buying_type_of("REACH", {}) == "AUCTION"
    assert rules.buying_type_of("RF_REACH", {}) == "RESERVATION_RF"
    assert rules.buying_type_of("TRAFFIC", {"rf_campaign_type": "STANDARD"}) == "RESERVATION_RF"
    assert rules.buying_type_of("TRAFFIC", {"buying_type": "RESERVATION_RF"}) == "RESERVATION_RF"


@given(st.decimals(min_value=0, max_value=3600, places=1))
def test_ten_minutes_of_video_at_most(seconds: Decimal) -> None:
    """SPK-5: up to 600 s passes, anything longer is refused with its length in minutes."""
    found = rules.check_duration(seconds)
    assert (found == []) is (seconds <= 600)
    if found:
        assert found[0].rule == "SPK-5" and "10 minutes" in found[0].message


def test_unknown_length_is_a_warning() -> None:
    (finding,) = rules.check_duration(None)
    assert finding.severity == "warning" and "cannot be checked" in finding.message
    assert rules.check_duration(600.0) == [] and rules.check_duration(600.5)


def test_banned_post_sends_to_the_owner() -> None:
    """SPK-6: the advertiser is told to contact the post's owner."""
    (finding,) = rules.check_banned("BANNED")
    assert finding.severity == "error" and "contact the post's owner" in finding.fix
    assert rules.check_banned("AVAILABLE") == rules.check_banned(None) == []


@given(st.integers(min_value=0, max_value=20_000), st.integers(min_value=1, max_value=20))
def test_ten_thousand_spark_ads_per_account(existing: int, adding: int) -> None:
    """SPK-8."""
    found = rules.check_quota(existing, adding)
    assert (found == []) is (existing + adding <= 10_000)
    if found:
        assert "10,000" in found[0].message


def test_landing_page_for_website_objectives() -> None:
    assert rules.check_landing_page("TRAFFIC", None)[0].rule == "SPK-9"
    assert rules.check_landing_page("WEB_CONVERSIONS", "https://shop.example") == []
    assert rules.check_landing_page("REACH", None) == []
    assert "not a web address" in rules.check_landing_page("REACH", "shop.example")[0].message


def test_code_must_cover_the_flight() -> None:
    end = NOW + timedelta(days=30)
    assert rules.check_authorization(None, None, now=NOW) == []  # own post: no code
    assert rules.check_authorization(end, end, now=NOW) == []
    (late,) = rules.check_authorization(end, end + timedelta(hours=1), now=NOW)
    assert late.severity == "error" and "AD_STATUS_ASSET_AUTHORIZATION_LOST" in late.message
    assert "end the flight by 2026-07-01 12:00 UTC" in late.fix
    (open_ended,) = rules.check_authorization(end, None, now=NOW)
    assert "no end date" in open_ended.message
    (expired,) = rules.check_authorization(NOW - timedelta(days=1), None, now=NOW)
    assert "expired" in expired.message and "new video code" in expired.fix
    (canceled,) = rules.check_authorization(end, end, now=NOW, auth_status="CANCELED")
    assert "canceled" in canceled.message


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=1, max_value=60 * 24))
def test_expiry_warning_days_are_configurable(warn_days: int, hours_left: int) -> None:
    end = NOW + timedelta(hours=hours_left)
    found = rules.check_authorization(end, end, now=NOW, warn_days=warn_days)
    assert errors_of(found) == []
    assert bool(found) is (timedelta(hours=hours_left) <= timedelta(days=warn_days))
    if found:
        assert found[0].severity == "warning" and "expires in" in found[0].message


def test_refusal_carries_every_finding() -> None:
    findings = [
        Finding("SPK-5", "error", "too long", "pick a shorter post"),
        Finding("SPK-1", "warning", "expires soon", "ask for a new code"),
    ]
    with pytest.raises(RuleRefused) as caught:
        raise RuleRefused(findings)
    assert caught.value.findings == tuple(findings)
    assert str(caught.value) == "refused: too long — pick a shorter post (SPK-5)"
    assert Finding("SPK-8", "info", "x").to_dict() == {
        "rule": "SPK-8", "severity": "info", "message": "x", "fix": ""
    }  # fmt: skip

"""``check_spark_ad`` on facts built by hand: every rule of a Spark ad creation, no call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tokops.campaigns import SparkAdRequest, SparkFacts, UsablePost, check_spark_ad, errors_of
from tokops.campaigns.spark_posts import PostSettings

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
ADV = "7100000000000000001"


def post(**changes: object) -> UsablePost:
    base: dict[str, object] = {
        "item_id": "7300000000000000001",
        "caption": "a post",
        "duration": Decimal(30),
        "status": "AVAILABLE",
        "source": "own account",
        "identity_type": "TT_USER",
        "identity_id": "ident",
        "settings": PostSettings(duet=True, stitch=False, sticker=True, music="Lo-fi Rain"),
    }
    base.update(changes)
    return UsablePost(**base)  # type: ignore[arg-type]


def request(**changes: object) -> SparkAdRequest:
    base: dict[str, object] = {
        "advertiser_id": ADV,
        "item_id": "7300000000000000001",
        "objective": "VIDEO_VIEWS",
        "buying_type": "AUCTION",
    }
    base.update(changes)
    return SparkAdRequest(**base)  # type: ignore[arg-type]


def facts(**changes: object) -> SparkFacts:
    base: dict[str, object] = {
        "post": post(),
        "spark_ads": 3,
        "flight_start": NOW,
        "flight_end": NOW + timedelta(days=7),
    }
    base.update(changes)
    return SparkFacts(**base)  # type: ignore[arg-type]


def rules_of(req: SparkAdRequest, fx: SparkFacts) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in errors_of(check_spark_ad(req, fx, now=NOW))]


def test_a_good_ad_has_only_the_settings_note() -> None:
    """SPK-12: the post's Duet / Stitch / Sticker / music settings are shown, kept as they are."""
    (note,) = check_spark_ad(request(), facts(), now=NOW)
    assert note.rule == "SPK-12" and note.severity == "info"
    assert 'duet on, stitch off, sticker on, music "Lo-fi Rain"' in note.message
    assert post().settings.creative_fields() == {
        "item_duet_status": "ENABLE",
        "item_stitch_status": "DISABLE",
    }


def test_each_rule_refuses_on_its_own() -> None:
    cases = {
        "SPK-4": (request(objective="ENGAGEMENT", buying_type="RESERVATION_RF"), facts()),
        "SPK-5": (request(), facts(post=post(duration=Decimal(601)))),
        "SPK-6": (request(), facts(post=post(status="BANNED"))),
        "SPK-8": (request(), facts(spark_ads=10_000)),
        "SPK-9": (request(objective="TRAFFIC"), facts()),
    }
    for rule, (req, fx) in cases.items():
        found = rules_of(req, fx)
        assert [r for r, _ in found] == [rule], (rule, found)


def test_missing_post_says_how_to_get_one() -> None:
    (finding,) = errors_of(check_spark_ad(request(), facts(post=None), now=NOW))
    assert finding.rule == "SPK-1" and "not usable" in finding.message
    assert "authorize the creator's video code" in finding.fix


def test_creator_code_must_cover_the_flight() -> None:
    creator = post(
        source="creator code",
        identity_type="AUTH_CODE",
        auth_status="AUTHORIZED",
        auth_end=NOW + timedelta(days=3),
    )
    (found,) = rules_of(request(), facts(post=creator))
    assert found[0] == "SPK-1" and "expires 2026-06-04 12:00 UTC" in found[1]
    warnings = check_spark_ad(request(), facts(post=creator), now=NOW)
    assert any(f.severity == "warning" and "expires in 3 days" in f.message for f in warnings)
    fits = facts(post=creator, flight_end=NOW + timedelta(days=2))
    assert rules_of(request(), fits) == []


def test_given_ad_group_must_match_the_pairing() -> None:
    req = request(adgroup_id="1800000000000000001")
    other = facts(campaign_objective="TRAFFIC", campaign_buying_type="AUCTION")
    ((rule, message),) = rules_of(req, other)
    assert rule == "SPK-4" and "Traffic (TRAFFIC) campaign bought as Auction" in message
    same = facts(campaign_objective="VIDEO_VIEWS", campaign_buying_type="AUCTION")
    assert rules_of(req, same) == []
    rf = facts(campaign_objective="RF_REACH", campaign_buying_type="RESERVATION_RF")
    assert (
        rules_of(request(objective="REACH", buying_type="RESERVATION_RF", adgroup_id="1"), rf) == []
    )
    ((rule, message),) = rules_of(req, facts(adgroup_found=False))
    assert "does not exist" in message


def test_flight_must_end_after_it_starts() -> None:
    ((rule, message),) = rules_of(request(), facts(flight_end=NOW - timedelta(hours=1)))
    assert rule == "SPK-1" and "before it starts" in message

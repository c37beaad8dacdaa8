"""The Spark flows against the in-process sandbox: list, authorize, create, delete (SPK-1 …)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tokops.campaigns import (
    NewAdGroup,
    RuleRefused,
    SparkAdRequest,
    UsablePost,
    check_delete,
    check_new_code,
    create_spark_ad,
    list_usable_posts,
)
from tokops.sandbox import Sandbox
from tokops.sandbox.world.model import AuthCode
from tokops.tiktok.marketing import MarketingClient

ADV = "7100000000000000001"


def code_of(sandbox: Sandbox, text: str) -> AuthCode:
    """One of the codes the world was built with (``conftest.CREATOR_POSTS``)."""
    code: AuthCode = sandbox.world.auth_codes[text]
    return code


def own_post(mk: MarketingClient) -> UsablePost:
    return next(p for p in list_usable_posts(mk, ADV) if p.source == "own account")


def ad_count(sandbox: Sandbox) -> int:
    return len(sandbox.world.ads)


def test_list_has_every_source_once(mk: MarketingClient) -> None:
    posts = list_usable_posts(mk, ADV)
    sources = {p.source for p in posts}
    assert sources == {"own account", "business center", "creator code"}
    assert len({p.item_id for p in posts}) == len(posts)
    for p in posts:
        assert p.duration is not None and p.duration > 0
        if p.source == "creator code":
            assert p.auth_code and p.auth_end is not None and "until" in p.allows()
        else:
            assert p.auth_end is None and "no end date" in p.allows()


def test_own_post_creates_campaign_ad_group_and_ad(mk: MarketingClient, sandbox: Sandbox) -> None:
    post = own_post(mk)
    result = create_spark_ad(mk, SparkAdRequest(ADV, post.item_id, "VIDEO_VIEWS", "AUCTION"))
    assert result.ad_id and result.adgroup_id and result.campaign_id
    ad = sandbox.world.ads[result.ad_id]
    assert ad.tiktok_item_id == post.item_id and ad.identity_type == "TT_USER"
    assert ad.campaign_id == result.campaign_id
    assert "ad_text" not in result.creative  # SPK-5: the caption comes from the post


def test_reach_and_frequency_is_modelled_on_create(mk: MarketingClient) -> None:
    """SPK-4: a Reach & Frequency campaign is created as such (``RF_REACH``, reservation)."""
    post = own_post(mk)
    result = create_spark_ad(mk, SparkAdRequest(ADV, post.item_id, "REACH", "RESERVATION_RF"))
    assert result.campaign_id is not None
    (campaign,) = mk.campaigns.get(ADV, [result.campaign_id])
    assert campaign.objective_type == "RF_REACH"


def test_refused_pairing_sends_nothing(mk: MarketingClient, sandbox: Sandbox) -> None:
    before = ad_count(sandbox)
    campaigns = len(sandbox.world.campaigns)
    post = own_post(mk)
    with pytest.raises(RuleRefused) as refused:
        create_spark_ad(mk, SparkAdRequest(ADV, post.item_id, "ENGAGEMENT", "RESERVATION_RF"))
    assert refused.value.findings[0].rule == "SPK-4"
    assert ad_count(sandbox) == before and len(sandbox.world.campaigns) == campaigns


def test_dry_run_sends_nothing(mk: MarketingClient, sandbox: Sandbox) -> None:
    before = ad_count(sandbox), len(sandbox.world.campaigns)
    post = own_post(mk)
    result = create_spark_ad(
        mk, SparkAdRequest(ADV, post.item_id, "REACH", "AUCTION"), dry_run=True
    )
    assert result.dry_run and result.ad_id is None
    assert result.creative["tiktok_item_id"] == post.item_id
    assert (ad_count(sandbox), len(sandbox.world.campaigns)) == before


def test_creator_code_flight_ends_with_the_code(mk: MarketingClient, sandbox: Sandbox) -> None:
    """SPK-1: authorize a creator's code; the new ad group ends when the code expires."""
    code = code_of(sandbox, "#FRESH-POST")
    preview = mk.spark.info(ADV, code.code)
    assert [
        f for f in check_new_code(preview, now=datetime.now(UTC)) if f.severity == "error"
    ] == []
    mk.spark.authorize(ADV, code.code)
    url = "https://shop.example"
    req = SparkAdRequest(ADV, code.item_id, "TRAFFIC", "AUCTION", landing_page_url=url)
    result = create_spark_ad(mk, req)
    assert result.adgroup_id is not None
    group = sandbox.world.adgroups[result.adgroup_id]
    assert group.schedule_end == code.expires
    assert sandbox.world.ads[result.ad_id or ""].identity_type == "AUTH_CODE"
    too_long = NewAdGroup(end=code.expires + timedelta(days=1))
    with pytest.raises(RuleRefused) as refused:
        create_spark_ad(
            mk, SparkAdRequest(ADV, code.item_id, "REACH", "AUCTION", new_adgroup=too_long)
        )
    assert "AD_STATUS_ASSET_AUTHORIZATION_LOST" in str(refused.value)


def test_existing_ad_group_without_end_refuses_a_creator_post(
    mk: MarketingClient, sandbox: Sandbox
) -> None:
    own = create_spark_ad(mk, SparkAdRequest(ADV, own_post(mk).item_id, "REACH", "AUCTION"))
    code = code_of(sandbox, "#FRESH-POST")
    mk.spark.authorize(ADV, code.code)
    req = SparkAdRequest(ADV, code.item_id, "REACH", "AUCTION", adgroup_id=own.adgroup_id)
    with pytest.raises(RuleRefused) as refused:
        create_spark_ad(mk, req)
    assert "has no end date" in str(refused.value)
    wrong = SparkAdRequest(ADV, code.item_id, "VIDEO_VIEWS", "AUCTION", adgroup_id=own.adgroup_id)
    with pytest.raises(RuleRefused) as mismatch:
        create_spark_ad(mk, wrong)
    assert any(f.rule == "SPK-4" for f in mismatch.value.findings)


def test_post_not_usable(mk: MarketingClient, sandbox: Sandbox) -> None:
    code = code_of(sandbox, "#FRESH-POST")  # not authorized on this ad account
    with pytest.raises(RuleRefused) as refused:
        create_spark_ad(mk, SparkAdRequest(ADV, code.item_id, "REACH", "AUCTION"))
    assert "not usable" in str(refused.value)


def test_codes_refused_before_binding(mk: MarketingClient) -> None:
    """SPK-6 and SPK-1 on a code's preview: banned post, expired code, code about to expire."""
    now = datetime.now(UTC)
    (banned,) = check_new_code(mk.spark.info(ADV, "#BANNED-POST"), now=now)
    assert banned.rule == "SPK-6" and "contact the post's owner" in banned.fix
    (old,) = check_new_code(mk.spark.info(ADV, "#EXPIRED-CODE"), now=now)
    assert old.rule == "SPK-1" and "expired" in old.message
    (soon,) = check_new_code(mk.spark.info(ADV, "#EXPIRES-SOON"), now=now)
    assert soon.severity == "warning" and "expires in" in soon.message


def test_long_video_refused_before_the_call(mk: MarketingClient, sandbox: Sandbox) -> None:
    """SPK-5: tokops refuses a post over 10 minutes itself (the sandbox would too)."""
    mk.spark.authorize(ADV, "#LONG-VIDEO")
    item_id = code_of(sandbox, "#LONG-VIDEO").item_id
    before = ad_count(sandbox)
    with pytest.raises(RuleRefused) as refused:
        create_spark_ad(mk, SparkAdRequest(ADV, item_id, "REACH", "AUCTION"))
    assert [f.rule for f in refused.value.findings if f.severity == "error"] == ["SPK-5"]
    assert "12.0 minutes" in str(refused.value) and ad_count(sandbox) == before


def test_settings_kept_and_expiry_warned(mk: MarketingClient, sandbox: Sandbox) -> None:
    """SPK-12: the post's Duet / Stitch settings go into the creative; a code that expires
    within the warning window is warned about, and the flight ends with it."""
    mk.spark.authorize(ADV, "#FRESH-POST")
    fresh = code_of(sandbox, "#FRESH-POST").item_id
    made = create_spark_ad(mk, SparkAdRequest(ADV, fresh, "REACH", "AUCTION"), dry_run=True)
    assert made.creative["item_duet_status"] == "DISABLE"
    assert made.creative["item_stitch_status"] == "ENABLE"
    (note,) = [f for f in made.findings if f.rule == "SPK-12"]
    assert "duet off, stitch on, sticker off, music" in note.message
    mk.spark.authorize(ADV, "#EXPIRES-SOON")
    soon = code_of(sandbox, "#EXPIRES-SOON")
    result = create_spark_ad(mk, SparkAdRequest(ADV, soon.item_id, "REACH", "AUCTION"))
    assert any(f.severity == "warning" and "expires in" in f.message for f in result.findings)
    assert sandbox.world.adgroups[result.adgroup_id or ""].schedule_end == soon.expires
    quiet = create_spark_ad(
        mk, SparkAdRequest(ADV, soon.item_id, "REACH", "AUCTION"), warn_days=1, dry_run=True
    )
    assert not [f for f in quiet.findings if f.severity == "warning"]


def test_delete_waits_for_the_unbinding(mk: MarketingClient, sandbox: Sandbox) -> None:
    """SPK-7: refused while the code is bound; allowed once it is unbound."""
    code = code_of(sandbox, "#FRESH-POST")
    mk.spark.authorize(ADV, code.code)
    check = check_delete(mk, ADV, code.item_id)
    assert not check.allowed and check.codes == (code.code,)
    assert check.findings[0].rule == "SPK-7"
    mk.spark.unbind(ADV, code.code)
    assert check_delete(mk, ADV, code.item_id).allowed


def test_same_post_backs_many_ads_and_bc_posts_carry_their_bc(
    mk: MarketingClient, sandbox: Sandbox
) -> None:
    """SPK-3: one post, any number of ads; a Business Center post names its BC (§4)."""
    post = own_post(mk)
    first = create_spark_ad(mk, SparkAdRequest(ADV, post.item_id, "REACH", "AUCTION"))
    again = SparkAdRequest(ADV, post.item_id, "REACH", "AUCTION", adgroup_id=first.adgroup_id)
    second = create_spark_ad(mk, again)
    assert first.ad_id != second.ad_id and second.adgroup_id == first.adgroup_id
    bc = next(p for p in list_usable_posts(mk, ADV) if p.source == "business center")
    made = create_spark_ad(mk, SparkAdRequest(ADV, bc.item_id, "VIDEO_VIEWS", "AUCTION"))
    assert made.creative["identity_authorized_bc_id"] == bc.identity_authorized_bc_id
    assert sandbox.world.ads[made.ad_id or ""].identity_type == "BC_AUTH_TT"

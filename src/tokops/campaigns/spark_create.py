"""Create a Spark ad with every rule checked before the first call (SPK-1 … SPK-12).

:func:`check_spark_ad` is pure: it takes the request and the :class:`SparkFacts` read from the
account and returns findings. :func:`create_spark_ad` reads the facts, runs the checks, raises
:class:`~tokops.campaigns.findings.RuleRefused` on any error finding, and otherwise creates
what is missing (campaign and ad group unless an ad group is given) and the ad itself. With
``dry_run`` it stops after the checks and shows the creative it would send.

A creator's post (``AUTH_CODE``) must stay authorized for the whole flight (§4): a new ad group
for such a post ends when the code expires unless an earlier end is given. The ad keeps the
post's Duet and Stitch settings (``item_duet_status``/``item_stitch_status``, SPK-12); the
caption and display name come from the post and are never sent (SPK-5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from tokops.campaigns.findings import SEVERITY_ORDER, Finding, RuleRefused, errors_of
from tokops.campaigns.spark_posts import UsablePost, find_post, parse_time
from tokops.campaigns.spark_rules import (
    BUYING_TYPE_NAMES,
    DEFAULT_EXPIRY_WARNING_DAYS,
    OBJECTIVE_NAMES,
    buying_type_of,
    campaign_fields,
    check_authorization,
    check_banned,
    check_duration,
    check_landing_page,
    check_pairing,
    check_quota,
    normalize_objective,
)
from tokops.tiktok.marketing import MarketingClient

__all__ = [
    "DEFAULT_GOALS",
    "NewAdGroup",
    "SparkAdRequest",
    "SparkAdResult",
    "SparkFacts",
    "check_spark_ad",
    "create_spark_ad",
    "gather_facts",
]

DEFAULT_GOALS: Final = {
    "REACH": "REACH",
    "TRAFFIC": "CLICK",
    "VIDEO_VIEWS": "ENGAGED_VIEW",
    "ENGAGEMENT": "FOLLOWERS",
    "LEAD_GENERATION": "LEAD_GENERATION",
    "APP_PROMOTION": "INSTALL",
    "WEB_CONVERSIONS": "CONVERT",
    "PRODUCT_SALES": "CONVERT",
}
"""The optimisation goal a new ad group gets for each objective (§3.4)."""
US: Final = "6252001"


def _wire_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True, slots=True)
class NewAdGroup:
    """The campaign and ad group made for the ad when no ad group is given."""

    budget: Decimal = Decimal(50)
    """Daily budget of the ad group, in the ad account's currency."""
    start: datetime | None = None
    """Default: now."""
    end: datetime | None = None
    """Default: a creator's code's expiry, else no end."""
    location_ids: tuple[str, ...] = (US,)
    campaign_name: str | None = None
    adgroup_name: str | None = None


@dataclass(frozen=True, slots=True)
class SparkAdRequest:
    """What to create: the post, the objective × buying type, and where the ad goes."""

    advertiser_id: str
    item_id: str
    objective: str
    buying_type: str
    adgroup_id: str | None = None
    new_adgroup: NewAdGroup = field(default_factory=NewAdGroup)
    ad_name: str | None = None
    call_to_action: str = "LEARN_MORE"
    landing_page_url: str | None = None


@dataclass(frozen=True, slots=True)
class SparkFacts:
    """What the checks need to know about the account, read before any write."""

    post: UsablePost | None
    spark_ads: int
    """Spark ads the ad account holds (SPK-8)."""
    flight_start: datetime
    flight_end: datetime | None
    adgroup_found: bool = True
    campaign_objective: str | None = None
    """Objective of the given ad group's campaign (``None``: a new campaign is made)."""
    campaign_buying_type: str | None = None


def _campaign_findings(request: SparkAdRequest, facts: SparkFacts) -> list[Finding]:
    if request.adgroup_id is None:
        return []
    if not facts.adgroup_found:
        return [
            Finding(
                "SPK-1",
                "error",
                f"ad group {request.adgroup_id} does not exist on ad account "
                f"{request.advertiser_id}",
                "give an ad group of this ad account, or none to create one",
            )
        ]
    objective = normalize_objective(facts.campaign_objective or "")
    buying = facts.campaign_buying_type or "AUCTION"
    asked = (normalize_objective(request.objective), request.buying_type)
    if (objective, buying) == asked:
        return []
    return [
        Finding(
            "SPK-4",
            "error",
            f"ad group {request.adgroup_id} belongs to a "
            f"{OBJECTIVE_NAMES.get(objective, objective)} ({objective}) campaign bought as "
            f"{BUYING_TYPE_NAMES.get(buying, buying)} ({buying}), not {asked[0]} × {asked[1]}",
            f"ask for objective {objective} and buying type {buying}, or pick another ad group",
        )
    ]


def _post_findings(
    request: SparkAdRequest, facts: SparkFacts, *, now: datetime, warn_days: int
) -> list[Finding]:
    post = facts.post
    if post is None:
        return [
            Finding(
                "SPK-1",
                "error",
                f"post {request.item_id} is not usable by ad account {request.advertiser_id}",
                "authorize the creator's video code, or link the TikTok account that posted it",
            )
        ]
    found = check_banned(post.status) + check_duration(post.duration)
    found += check_authorization(
        post.auth_end, facts.flight_end, now=now, warn_days=warn_days, auth_status=post.auth_status
    )
    found.append(
        Finding(
            "SPK-12",
            "info",
            f"the ad keeps the post's settings: {post.settings.describe()}",
            "change them on the post in the TikTok app if needed",
        )
    )
    return found


def check_spark_ad(
    request: SparkAdRequest,
    facts: SparkFacts,
    *,
    now: datetime,
    warn_days: int = DEFAULT_EXPIRY_WARNING_DAYS,
) -> list[Finding]:
    """Every Spark rule against *request* and *facts*; no call (SPK-1, 4, 5, 6, 8, 9, 12).
    Errors come first, then warnings, then notes."""
    found = check_pairing(request.objective, request.buying_type)
    found += _campaign_findings(request, facts)
    if facts.flight_end is not None and facts.flight_end <= facts.flight_start:
        found.append(
            Finding(
                "SPK-1",
                "error",
                f"the flight ends ({_wire_time(facts.flight_end)} UTC) before it starts "
                f"({_wire_time(facts.flight_start)} UTC)",
                "give an end after the start",
            )
        )
    found += _post_findings(request, facts, now=now, warn_days=warn_days)
    found += check_quota(facts.spark_ads)
    found += check_landing_page(request.objective, request.landing_page_url)
    return sorted(found, key=lambda f: SEVERITY_ORDER[f.severity])


def _adgroup_schedule(
    mk: MarketingClient, request: SparkAdRequest
) -> tuple[bool, datetime | None, datetime | None, str | None, str | None]:
    """The given ad group: found, start, end, its campaign's objective and buying type."""
    assert request.adgroup_id is not None
    groups = mk.adgroups.get(request.advertiser_id, [request.adgroup_id], include_deleted=False)
    if not groups or not groups[0].campaign_id:
        return False, None, None, None, None
    group = groups[0]
    extra = group.model_extra or {}
    start = parse_time(extra.get("schedule_start_time"))
    end = parse_time(extra.get("schedule_end_time"))
    if extra.get("schedule_type") == "SCHEDULE_FROM_NOW":
        end = None
    assert group.campaign_id is not None
    campaigns = mk.campaigns.get(request.advertiser_id, [group.campaign_id])
    if not campaigns:
        return False, None, None, None, None
    campaign = campaigns[0]
    buying = buying_type_of(campaign.objective_type, campaign.model_extra or {})
    return True, start, end, campaign.objective_type, buying


def gather_facts(mk: MarketingClient, request: SparkAdRequest, *, now: datetime) -> SparkFacts:
    """Read what the checks need: the post, the Spark ad count, the flight."""
    post = find_post(mk, request.advertiser_id, request.item_id)
    spark_ads = sum(1 for a in mk.ads.iter(request.advertiser_id) if a.tiktok_item_id)
    if request.adgroup_id is not None:
        found, start, end, objective, buying = _adgroup_schedule(mk, request)
        return SparkFacts(
            post,
            spark_ads,
            start or now,
            end,
            adgroup_found=found,
            campaign_objective=objective,
            campaign_buying_type=buying,
        )
    new = request.new_adgroup
    end = new.end
    if end is None and post is not None and post.auth_end is not None and post.auth_end > now:
        end = post.auth_end
    return SparkFacts(post, spark_ads, new.start or now, end)


@dataclass(frozen=True, slots=True)
class SparkAdResult:
    """What was checked and created (or, in a dry run, would be)."""

    request: SparkAdRequest
    post: UsablePost
    findings: tuple[Finding, ...]
    creative: dict[str, Any]
    dry_run: bool
    campaign_id: str | None = None
    adgroup_id: str | None = None
    ad_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "advertiser_id": self.request.advertiser_id,
            "item_id": self.post.item_id,
            "objective": normalize_objective(self.request.objective),
            "buying_type": self.request.buying_type,
            "campaign_id": self.campaign_id,
            "adgroup_id": self.adgroup_id,
            "ad_id": self.ad_id,
            "creative": self.creative,
            "findings": [f.to_dict() for f in self.findings],
        }


def spark_creative(request: SparkAdRequest, post: UsablePost) -> dict[str, Any]:
    """The ``/ad/create/`` creative: identity and post, no ``ad_text`` (SPK-5, SPK-12)."""
    creative: dict[str, Any] = {
        "ad_name": request.ad_name or f"Spark {post.item_id}",
        "ad_format": "SINGLE_VIDEO",
        "identity_type": post.identity_type,
        "identity_id": post.identity_id,
        "tiktok_item_id": post.item_id,
        "call_to_action": request.call_to_action,
        **post.settings.creative_fields(),
    }
    if post.identity_authorized_bc_id:
        creative["identity_authorized_bc_id"] = post.identity_authorized_bc_id
    if request.landing_page_url:
        creative["landing_page_url"] = request.landing_page_url
    return creative


def _new_adgroup(
    mk: MarketingClient, request: SparkAdRequest, post: UsablePost, facts: SparkFacts
) -> tuple[str, str]:
    new = request.new_adgroup
    objective = normalize_objective(request.objective)
    fields: dict[str, Any] = campaign_fields(objective, request.buying_type)
    stamp = facts.flight_start.strftime("%Y-%m-%d %H:%M:%S")
    campaign = mk.campaigns.create(
        request.advertiser_id,
        new.campaign_name or f"Spark {post.item_id} {objective} {stamp}",
        fields.pop("objective_type"),
        budget_mode="BUDGET_MODE_INFINITE",
        **fields,
    )
    identity: dict[str, Any] = {
        "identity_type": post.identity_type,
        "identity_id": post.identity_id,
        "identity_authorized_bc_id": post.identity_authorized_bc_id,
    }
    end = facts.flight_end
    adgroup = mk.adgroups.create(
        request.advertiser_id,
        campaign.campaign_id,
        new.adgroup_name or f"Spark {post.item_id} {stamp}",
        placement_type="PLACEMENT_TYPE_NORMAL",
        placements=["PLACEMENT_TIKTOK"],
        location_ids=list(new.location_ids),
        budget_mode="BUDGET_MODE_DAY",
        budget=new.budget,
        schedule_type="SCHEDULE_START_END" if end else "SCHEDULE_FROM_NOW",
        schedule_start_time=_wire_time(facts.flight_start),
        schedule_end_time=_wire_time(end) if end else None,
        optimization_goal=DEFAULT_GOALS[objective],
        **identity,
    )
    return campaign.campaign_id, adgroup.adgroup_id


def create_spark_ad(
    mk: MarketingClient,
    request: SparkAdRequest,
    *,
    now: datetime | None = None,
    warn_days: int = DEFAULT_EXPIRY_WARNING_DAYS,
    dry_run: bool = False,
) -> SparkAdResult:
    """Check every rule, then create the campaign, ad group (unless given) and the Spark ad.

    Raises :class:`RuleRefused` (with every finding) before any write when a rule is not met.
    """
    now = now or datetime.now(UTC)
    facts = gather_facts(mk, request, now=now)
    findings = tuple(check_spark_ad(request, facts, now=now, warn_days=warn_days))
    if errors_of(findings):
        raise RuleRefused(findings)
    assert facts.post is not None  # no error finding: the post was found
    post = facts.post
    creative = spark_creative(request, post)
    result = SparkAdResult(
        request, post, findings, creative, dry_run, adgroup_id=request.adgroup_id
    )
    if dry_run:
        return result
    campaign_id = None
    adgroup_id = request.adgroup_id
    if adgroup_id is None:
        campaign_id, adgroup_id = _new_adgroup(mk, request, post, facts)
    ads = mk.ads.create(request.advertiser_id, adgroup_id, [creative])
    return SparkAdResult(
        request,
        post,
        findings,
        creative,
        dry_run,
        campaign_id=campaign_id or (ads[0].campaign_id if ads else None),
        adgroup_id=adgroup_id,
        ad_id=ads[0].ad_id if ads else None,
    )

"""``POST /ad/create/``, ``/ad/update/``, ``/ad/status/update/`` (§3.6, §4, SPK-1…SPK-8).

create takes ``advertiser_id``, ``adgroup_id`` and ``creatives`` (1–20 per call; at most 50
live ads per ad group, else 40502). Each creative needs ``ad_name``, ``ad_format``,
``identity_type`` and ``identity_id``. A **Spark ad** (``tiktok_item_id`` given) must:

- use ``AUTH_CODE`` (the post's code bound to this ad account with ``/tt_video/authorize/``
  and not expired; ``identity_id`` is the creator's), ``TT_USER`` (the account's own TikTok
  account) or ``BC_AUTH_TT`` (a TikTok account of the ad account's Business Center, with
  ``identity_authorized_bc_id``) — SPK-1;
- carry no ``ad_text``: the caption comes from the post and cannot be edited (SPK-5);
- not promote a banned post: refused, asking to contact the post's owner (SPK-6);
- run under an objective its campaign's buying type allows for Spark ads (SPK-4: Auction →
  eight objectives, Reach & Frequency → Reach, Traffic, Video views);
- be a video of at most 10 minutes (SPK-5);
- stay within 10,000 Spark ads per ad account (SPK-8, 40502; ``spark_ads_limit``).

A non-Spark video ad needs ``video_id`` and ``ad_text`` (1–100 characters). Website
objectives need an ``http(s)`` ``landing_page_url``. The same post may back any number of ads
(SPK-3). New ads are in review for a few minutes, then deliver like the world's ads.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Final

from tokops.sandbox.marketing.campaign_write import (
    CODE_NOTHING_TO_UPDATE,
    partial,
    resolve_ids,
    set_status,
)
from tokops.sandbox.marketing.context import Family, RouteSpec
from tokops.sandbox.marketing.serialize import ad_dict
from tokops.sandbox.marketing.write_rules import SPARK_OBJECTIVES
from tokops.sandbox.server.envelope import ApiFailure
from tokops.sandbox.server.params import Params, bad
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.world.ids import draws
from tokops.sandbox.world.model import Ad, Advertiser, Campaign

__all__ = ["CODE_AD_LIMIT", "MAX_SPARK_ADS", "MAX_SPARK_SECONDS", "AdWrites"]

CODE_AD_LIMIT: Final = 40502
MAX_ADS_PER_ADGROUP: Final = 50
MAX_SPARK_ADS: Final = 10_000
"""SPK-8; a world's ``spark_ads_limit`` may lower it (to build a full account)."""
MAX_SPARK_SECONDS: Final = 600
"""SPK-5: a Spark ad's video lasts at most 10 minutes."""
_FORMATS: Final = ("SINGLE_VIDEO", "SINGLE_IMAGE", "CAROUSEL", "LIVE_CONTENT")
_IDENTITIES: Final = ("CUSTOMIZED_USER", "AUTH_CODE", "TT_USER", "BC_AUTH_TT")
_WEBSITE: Final = frozenset({"TRAFFIC", "WEB_CONVERSIONS", "LEAD_GENERATION"})
SPARK_BANNED: Final = (
    "This post cannot be promoted: it has been banned from TikTok. "
    "Contact the post's owner to resolve it."
)


class AdWrites(Family):
    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec("POST", "/ad/create/", self.create, "Create ads"),
            RouteSpec("POST", "/ad/update/", self.update, "Update ads"),
            RouteSpec("POST", "/ad/status/update/", self.status, "Update ad statuses"),
        ]

    def _ad(self, adv: Advertiser, ad_id: str) -> Ad:
        missing = f"Invalid value for ad_id: ad {ad_id} does not exist."
        return self.market.owned(self.market.world.ads, adv, ad_id, missing)

    def create(self, request: SandboxRequest, now: datetime) -> Any:
        return self.market.create_once("/ad/create/", request, now, self._create)

    def _create(self, adv: Advertiser, params: Params, now: datetime) -> dict[str, Any]:
        world = self.market.world
        adgroup = world.adgroups.get(params.ident("adgroup_id"))
        if adgroup is None or adgroup.advertiser_id != adv.advertiser_id or adgroup.deleted:
            raise bad("Invalid value for adgroup_id: ad group does not exist.")
        campaign = world.campaigns[adgroup.campaign_id]
        creatives = params.raw("creatives")
        if not isinstance(creatives, list) or not 1 <= len(creatives) <= 20:
            raise bad("Invalid value for creatives: a list of 1 to 20 creatives.")
        live = list(world.siblings(adgroup.adgroup_id))
        if len(live) + len(creatives) > MAX_ADS_PER_ADGROUP:
            raise ApiFailure(CODE_AD_LIMIT, f"An ad group holds at most {MAX_ADS_PER_ADGROUP} ads.")
        spark_count = sum(
            1 for a in world.ads_of(adv.advertiser_id) if a.is_spark and not a.deleted
        )
        limit = min(MAX_SPARK_ADS, world.settings.spark_ads_limit)
        ads = []
        for j, raw in enumerate(creatives):
            if not isinstance(raw, dict):
                raise bad(f"Invalid value for creatives.{j}: must be an object.")
            ad = self._build(adv, campaign, adgroup.adgroup_id, Params(raw), j, now)
            if ad.is_spark:
                spark_count += 1
                if spark_count > limit:
                    raise ApiFailure(
                        CODE_AD_LIMIT, f"An ad account holds at most {limit:,} Spark Ads."
                    )
            ads.append(ad)
        for ad in ads:
            ad.campaign_id = campaign.campaign_id
            world.ads[ad.ad_id] = ad
        world.touch()
        return {
            "ad_ids": [a.ad_id for a in ads],
            "need_audit": False,
            "creatives": [ad_dict(world, a, now) for a in ads],
        }

    def _build(
        self, adv: Advertiser, campaign: Campaign, adgroup_id: str, c: Params, j: int, now: datetime
    ) -> Ad:
        world = self.market.world
        objective = campaign.objective_type
        where = f"creatives.{j}"
        name = c.string("ad_name", max_len=512)
        if not name:
            raise bad(f"Invalid value for {where}.ad_name: field is required.")
        ad_format = c.string("ad_format")
        if ad_format not in _FORMATS:
            raise bad(f"Invalid value for {where}.ad_format: must be one of {', '.join(_FORMATS)}.")
        identity_type = c.string("identity_type")
        if identity_type not in _IDENTITIES:
            raise bad(
                f"Invalid value for {where}.identity_type: must be one of {', '.join(_IDENTITIES)}."
            )
        identity_id = c.string("identity_id")
        if not identity_id:
            raise bad(f"Invalid value for {where}.identity_id: field is required.")
        landing = c.string("landing_page_url") or None
        if landing is not None and not landing.startswith(("http://", "https://")):
            raise bad(f"Invalid value for {where}.landing_page_url: must be an http(s) URL.")
        if objective in _WEBSITE and landing is None:
            raise bad(f"Invalid value for {where}.landing_page_url: required for {objective}.")
        ad_id = world.new_id("ad")
        u = draws(world.key, 0xAD, int(ad_id) % 2**63)
        ad = Ad(
            ad_id=ad_id,
            adgroup_id=adgroup_id,
            campaign_id="",
            advertiser_id=adv.advertiser_id,
            name=name,
            ad_format=ad_format,
            identity_type=identity_type,
            identity_id=identity_id,
            quality=round(math.exp(0.35 * (u[0] + u[1] + u[2] - 1.5) * 2.0) * 0.94, 4),
            duration=float(int(9 + 40 * u[3])),
            created=now,
            modified=now,
            landing_page_url=landing,
            call_to_action=c.string("call_to_action") or "LEARN_MORE",
            has_anchor=u[4] < 0.3,
        )
        ad.status_log.append((now, c.enum("operation_status", ("ENABLE", "DISABLE"), "ENABLE")))
        ad.operation_status = ad.status_log[-1][1]
        item_id = c.string("tiktok_item_id")
        if item_id:
            self._spark(adv, campaign, ad, item_id, c, where, now)
        else:
            text = c.string("ad_text")
            if not 1 <= len(text) <= 100:
                raise bad(f"Invalid value for {where}.ad_text: 1 to 100 characters.")
            if ad_format == "SINGLE_VIDEO" and not c.string("video_id"):
                raise bad(f"Invalid value for {where}.video_id: required for SINGLE_VIDEO.")
            ad.ad_text, ad.video_id = text, c.string("video_id") or None
        return ad

    def _spark(
        self,
        adv: Advertiser,
        campaign: Campaign,
        ad: Ad,
        item_id: str,
        c: Params,
        where: str,
        now: datetime,
    ) -> None:
        world = self.market.world
        objective, buying = campaign.objective_type, campaign.buying_type
        if objective not in SPARK_OBJECTIVES.get(buying, ()):
            raise bad(
                f"Spark Ads cannot run under the {objective} objective with the {buying} "
                "buying type."
            )
        if c.has("ad_text"):
            raise bad(
                f"Invalid value for {where}.ad_text: Spark Ads use the post's caption; "
                "it cannot be edited."
            )
        post = world.posts.get(item_id)
        if post is None or post.created > now:
            raise bad(f"Invalid value for {where}.tiktok_item_id: post {item_id} not found.")
        if post.banned:
            raise bad(SPARK_BANNED)
        if post.duration > MAX_SPARK_SECONDS:
            raise bad(
                f"Invalid value for {where}.tiktok_item_id: the video lasts {post.duration:.0f} "
                f"seconds; Spark Ads take videos of at most {MAX_SPARK_SECONDS // 60} minutes."
            )
        if ad.identity_type == "AUTH_CODE":
            code = next((k for k in world.auth_codes.values() if k.item_id == item_id), None)
            if code is None or not code.active(adv.advertiser_id):
                raise bad(
                    f"Invalid value for {where}.tiktok_item_id: the post is not authorized for "
                    "this ad account; bind its code with /tt_video/authorize/."
                )
            if code.expires <= now:
                raise bad(
                    f"Invalid value for {where}.tiktok_item_id: the post's authorization expired."
                )
            if ad.identity_id != code.identity_id:
                raise bad(f"Invalid value for {where}.identity_id: not the post's owner.")
        elif ad.identity_type in ("TT_USER", "BC_AUTH_TT"):
            owner = world.accounts.get(post.owner_id)
            if owner is None or owner.identity_id != ad.identity_id:
                raise bad(
                    f"Invalid value for {where}.identity_id: the post is not this identity's."
                )
            if ad.identity_type == "TT_USER" and owner.advertiser_id != adv.advertiser_id:
                raise bad(f"Invalid value for {where}.identity_id: not linked to this ad account.")
            if ad.identity_type == "BC_AUTH_TT":
                bc_id = c.string("identity_authorized_bc_id")
                if not bc_id:
                    raise bad(
                        f"Invalid value for {where}.identity_authorized_bc_id: field is required."
                    )
                if bc_id != owner.bc_id or adv.bc_id != bc_id:
                    raise bad(
                        f"Invalid value for {where}.identity_authorized_bc_id: not authorized."
                    )
                ad.identity_authorized_bc_id = bc_id
        else:
            raise bad(
                f"Invalid value for {where}.identity_type: "
                "Spark Ads need AUTH_CODE, TT_USER or BC_AUTH_TT."
            )
        ad.tiktok_item_id, ad.duration = item_id, post.duration

    def update(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        """``{advertiser_id, creatives: [{ad_id, ad_name?, call_to_action?, …}]}``."""
        params = Params.of(request)
        adv = self.market.advertiser(params)
        creatives = params.raw("creatives")
        if not isinstance(creatives, list) or not creatives:
            raise bad("Invalid value for creatives: a non-empty list.")
        changed: list[Ad] = []
        for j, raw in enumerate(creatives):
            c = Params(raw if isinstance(raw, dict) else {})
            ad = self._ad(adv, c.ident("ad_id"))
            if ad.deleted:
                raise bad(f"Invalid value for creatives.{j}.ad_id: ad {ad.ad_id} is deleted.")
            touched = False
            if c.has("ad_name"):
                ad.name, touched = c.string("ad_name", max_len=512), True
            if c.has("call_to_action"):
                ad.call_to_action, touched = c.string("call_to_action"), True
            if c.has("landing_page_url"):
                url = c.string("landing_page_url")
                if not url.startswith(("http://", "https://")):
                    raise bad(f"Invalid value for creatives.{j}.landing_page_url: http(s) URL.")
                ad.landing_page_url, touched = url, True
            if c.has("ad_text"):
                if ad.is_spark:
                    raise bad(
                        f"Invalid value for creatives.{j}.ad_text: "
                        "Spark Ads use the post's caption."
                    )
                ad.ad_text, touched = c.string("ad_text", max_len=100), True
            if touched:
                ad.modified = now
                changed.append(ad)
        if not changed:
            raise ApiFailure(CODE_NOTHING_TO_UPDATE, "Nothing to update.")
        self.market.world.touch()
        world = self.market.world
        return {
            "ad_ids": [a.ad_id for a in changed],
            "creatives": [ad_dict(world, a, now) for a in changed],
        }

    def status(self, request: SandboxRequest, now: datetime) -> Any:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        ids = params.idents("ad_ids", required=True, max_items=20) or []
        operation = params.enum("operation_status", ("ENABLE", "DISABLE", "DELETE"))
        world = self.market.world

        def lookup(ad_id: str) -> Ad | None:
            ad = world.ads.get(ad_id)
            return ad if ad is not None and ad.advertiser_id == adv.advertiser_id else None

        ads, failed = resolve_ids(ids, lookup, operation, ids_key="ad_ids", label="ad")
        for ad in ads:
            set_status(ad, operation, now)
        world.touch()
        return partial({"ad_ids": [a.ad_id for a in ads], "status": operation}, failed, "ad_id")

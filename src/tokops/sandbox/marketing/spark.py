"""Identities and Spark Ads authorization (``marketing_api.md`` §4, SPK-1…SPK-7).

- ``GET /identity/get/``: the ad account's identities — ``CUSTOMIZED_USER`` (non-Spark),
  ``TT_USER`` (its own TikTok account), ``BC_AUTH_TT`` (TikTok accounts of its Business
  Center) and ``AUTH_CODE`` (creators whose video codes it has bound).
- ``GET /identity/video/get/``: an identity's posts, newest first, cursor + ``has_more``
  (**[CONFLICT]** in the spec: ``page``/``page_size`` are accepted too); BC_AUTH_TT needs
  ``identity_authorized_bc_id``. **[UNCONFIRMED]** the list key: we answer ``video_list``.
- ``GET /identity/video/info/``: one post of an identity.
- ``POST /tt_video/authorize/`` binds a creator's video code to the ad account; unknown codes,
  expired codes and banned posts (SPK-6) are refused. ``GET /tt_video/info/`` previews a code
  without binding; ``GET /tt_video/list/`` pages through the bound posts;
  ``POST /tt_video/unbind/`` unbinds — ads on the post then show
  ``AD_STATUS_ASSET_AUTHORIZATION_LOST`` and stop delivering, as when the code expires.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tokops.sandbox.marketing.ad_write import SPARK_BANNED
from tokops.sandbox.marketing.context import Family, RouteSpec
from tokops.sandbox.server.paging import cursor_slice, page_info, page_params, page_slice
from tokops.sandbox.server.params import Params, bad
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.world.ids import fmt_time, make_id
from tokops.sandbox.world.model import Advertiser, AuthCode, Post

__all__ = ["Spark"]

_TYPES = ("CUSTOMIZED_USER", "AUTH_CODE", "TT_USER", "BC_AUTH_TT")


class Spark(Family):
    def routes(self) -> list[RouteSpec]:
        return [
            RouteSpec("GET", "/identity/get/", self.identities, "Get identities"),
            RouteSpec(
                "GET", "/identity/video/get/", self.identity_videos, "Get an identity's posts"
            ),
            RouteSpec("GET", "/identity/video/info/", self.identity_video, "Get one identity post"),
            RouteSpec("POST", "/tt_video/authorize/", self.authorize, "Bind a Spark video code"),
            RouteSpec("GET", "/tt_video/info/", self.info, "Preview a Spark video code"),
            RouteSpec("GET", "/tt_video/list/", self.bound, "List authorized Spark posts"),
            RouteSpec("POST", "/tt_video/unbind/", self.unbind, "Unbind a Spark video code"),
        ]

    # -- identities ---------------------------------------------------------------------------
    def _identities(self, adv: Advertiser) -> list[dict[str, Any]]:
        w = self.market.world
        image = "https://p16-sandbox.tiktokcdn.example/avatar/{}.jpeg"
        out: list[dict[str, Any]] = [
            {
                "identity_id": w.custom_identity(adv.advertiser_id),
                "identity_type": "CUSTOMIZED_USER",
                "identity_authorized_bc_id": None,
                "display_name": adv.brand,
                "profile_image": image.format(adv.index),
                "available_status": "AVAILABLE",
                "can_push_video": False,
                "can_pull_video": False,
                "can_use_live_ads": False,
            }
        ]
        for account in w.accounts.values():
            base = {
                "identity_id": account.identity_id,
                "display_name": account.display_name,
                "profile_image": image.format(account.username),
                "available_status": "AVAILABLE",
                "can_push_video": True,
                "can_pull_video": True,
                "can_use_live_ads": True,
            }
            if account.advertiser_id == adv.advertiser_id:
                out.append({**base, "identity_type": "TT_USER", "identity_authorized_bc_id": None})
            if account.bc_id == adv.bc_id:
                out.append(
                    {
                        **base,
                        "identity_type": "BC_AUTH_TT",
                        "identity_authorized_bc_id": account.bc_id,
                    }
                )
        creators = {
            code.identity_id for code in w.auth_codes.values() if code.active(adv.advertiser_id)
        }
        for identity_id in sorted(creators):
            creator = w.creators[identity_id]
            out.append(
                {
                    "identity_id": identity_id,
                    "identity_type": "AUTH_CODE",
                    "identity_authorized_bc_id": None,
                    "display_name": creator.display_name,
                    "profile_image": image.format(creator.tiktok_name),
                    "available_status": "AVAILABLE",
                    "can_push_video": False,
                    "can_pull_video": True,
                    "can_use_live_ads": False,
                }
            )
        return out

    def identities(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        kind = params.string("identity_type")
        if kind and kind not in _TYPES:
            raise bad(f"Invalid value for identity_type: must be one of {', '.join(_TYPES)}.")
        bc_id = params.string("identity_authorized_bc_id")
        page, size = page_params(params, max_size=100)
        rows = [
            i
            for i in self._identities(adv)
            if (not kind or i["identity_type"] == kind)
            and (not bc_id or i["identity_authorized_bc_id"] == bc_id)
        ]
        return {
            "identity_list": list(page_slice(rows, page, size)),
            "page_info": page_info(len(rows), page, size),
        }

    def _identity_posts(self, adv: Advertiser, params: Params, now: datetime) -> list[Post]:
        w = self.market.world
        kind = params.enum("identity_type", ("AUTH_CODE", "TT_USER", "BC_AUTH_TT"))
        identity_id = params.string("identity_id", required=True)
        known = {(i["identity_type"], i["identity_id"]): i for i in self._identities(adv)}
        found = known.get((kind, identity_id))
        if found is None:
            raise bad(f"Invalid value for identity_id: no {kind} identity {identity_id}.")
        if kind == "BC_AUTH_TT":
            bc_id = params.string("identity_authorized_bc_id", required=True)
            if bc_id != found["identity_authorized_bc_id"]:
                raise bad("Invalid value for identity_authorized_bc_id: not this identity's.")
        if kind == "AUTH_CODE":
            items = {
                c.item_id
                for c in w.auth_codes.values()
                if c.identity_id == identity_id and c.active(adv.advertiser_id)
            }
            posts = [w.posts[i] for i in items]
            posts.sort(key=lambda p: (p.created, p.item_id), reverse=True)
            return posts
        account = next(a for a in w.accounts.values() if a.identity_id == identity_id)
        return [p for p in w.posts_of(account.business_id, now) if not p.banned]

    def identity_videos(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        posts = self._identity_posts(adv, params, now)
        if params.has("page") and not params.has("cursor"):
            page, size = page_params(params, max_size=20, default_size=20)
            chunk = page_slice(posts, page, size)
            return {
                "video_list": [self._item(p) for p in chunk],
                "page_info": page_info(len(posts), page, size),
                "cursor": page * size,
                "has_more": page * size < len(posts),
            }
        chunk, more = cursor_slice(posts, params, count_name="count", default=20, max_count=20)
        return {"video_list": [self._item(p) for p in chunk], **more}

    def identity_video(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        item_id = params.ident("item_id")
        for post in self._identity_posts(adv, params, now):
            if post.item_id == item_id:
                return self._item(post)
        raise bad(f"Invalid value for item_id: {item_id} is not a post of this identity.")

    # -- authorization codes ------------------------------------------------------------------
    def _item(self, post: Post, code: AuthCode | None = None) -> dict[str, Any]:
        w = self.market.world
        size = int(post.duration * 250_000)
        return {
            "item_info": {
                "item_id": post.item_id,
                "auth_code": code.code if code else None,
                "item_type": post.item_type,
                "status": "BANNED" if post.banned else "AVAILABLE",
                "text": post.caption,
                "anchor_list": [],
                # SPK-12 [UNCONFIRMED] keys, named as the /ad/create/ creative fields (§3.6)
                "item_duet_status": "ENABLE" if post.duet else "DISABLE",
                "item_stitch_status": "ENABLE" if post.stitch else "DISABLE",
                "item_sticker_status": "ENABLE" if post.sticker else "DISABLE",
                "music_title": post.music_title,
                "create_time": fmt_time(post.created),
            },
            "video_info": {
                "video_id": "v10033g5" + make_id(w.seed, "video", post.item_id)[3:],
                "duration": post.duration,
                "width": 1080,
                "height": 1920,
                "size": size,
                "bit_rate": size * 8 // max(int(post.duration), 1),
                "format": "mp4",
                "preview_url": f"https://v16-sandbox.tiktokcdn.example/{post.item_id}.mp4",
                "poster_url": f"https://p16-sandbox.tiktokcdn.example/{post.item_id}.jpeg",
                "signature": make_id(w.seed, "signature", post.item_id),
            },
        }

    def _code(self, params: Params, now: datetime) -> AuthCode:
        text = params.string("auth_code", required=True)
        code = self.market.world.auth_codes.get(text)
        if code is None or code.issued > now:
            raise bad("Invalid value for auth_code: the authorization code does not exist.")
        return code

    def _entry(self, code: AuthCode, adv: Advertiser | None, now: datetime) -> dict[str, Any]:
        w = self.market.world
        creator = w.creators[code.identity_id]
        status = "AUTHORIZED" if now < code.expires else "EXPIRED"
        if (
            adv is not None
            and adv.advertiser_id in code.spans
            and not code.active(adv.advertiser_id)
        ):
            status = "CANCELED"
        return {
            **self._item(w.posts[code.item_id], code),
            "auth_info": {
                "ad_auth_status": status,
                "auth_start_time": fmt_time(code.issued),
                "auth_end_time": fmt_time(code.expires),
                "invite_start_time": fmt_time(code.issued),
            },
            "user_info": {
                "identity_id": creator.identity_id,
                "identity_type": "AUTH_CODE",
                "tiktok_name": creator.tiktok_name,
                "display_name": creator.display_name,
            },
        }

    def authorize(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        code = self._code(params, now)
        if code.expires <= now:
            raise bad("Invalid value for auth_code: the authorization code has expired.")
        if self.market.world.posts[code.item_id].banned:
            raise bad(SPARK_BANNED)
        code.bind(adv.advertiser_id, now)
        self.market.world.touch()
        return {}

    def info(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        return self._entry(self._code(params, now), adv, now)

    def bound(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        page, size = page_params(params, max_size=50, default_size=20)
        codes = [c for c in self.market.world.auth_codes.values() if c.active(adv.advertiser_id)]
        codes.sort(key=lambda c: (c.spans[adv.advertiser_id][-1][0], c.code), reverse=True)
        return {
            "list": [self._entry(c, adv, now) for c in page_slice(codes, page, size)],
            "page_info": page_info(len(codes), page, size),
        }

    def unbind(self, request: SandboxRequest, now: datetime) -> dict[str, Any]:
        params = Params.of(request)
        adv = self.market.advertiser(params)
        code = self._code(params, now)
        if not code.active(adv.advertiser_id):
            raise bad("Invalid value for auth_code: the post is not bound to this ad account.")
        code.unbind(adv.advertiser_id, now)
        self.market.world.touch()
        return {}

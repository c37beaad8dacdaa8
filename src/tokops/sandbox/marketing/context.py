"""What every Marketing API route shares: the (lazily built) world, settings, advertiser checks.

A route module receives one :class:`Market` and registers its handlers as :class:`RouteSpec`
entries; :class:`tokops.sandbox.server.service.Sandbox` turns them into routes under
``/open_api/v1.3`` with the app-level rate limit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from tokops.sandbox.server.envelope import CODE_NO_PERMISSION, ApiFailure
from tokops.sandbox.server.params import Params, bad
from tokops.sandbox.server.request import SandboxRequest
from tokops.sandbox.server.routing import Handler
from tokops.sandbox.settings import SandboxSettings
from tokops.sandbox.world.calendar import local_date
from tokops.sandbox.world.model import Ad, Advertiser
from tokops.sandbox.world.world import World

__all__ = ["Family", "Handler", "Market", "RouteSpec", "no_permission"]


@dataclass(frozen=True)
class RouteSpec:
    """One Marketing API endpoint: ``path`` is relative to ``/open_api/v1.3``."""

    method: str
    path: str
    handler: Handler
    summary: str


class Family:
    """A module's set of endpoints, over the :class:`Market` they share."""

    def __init__(self, market: Market) -> None:
        self.market = market

    def routes(self) -> list[RouteSpec]:
        raise NotImplementedError


class _Owned(Protocol):
    @property
    def advertiser_id(self) -> str: ...


_T = TypeVar("_T", bound=_Owned)


def no_permission(advertiser_id: str) -> ApiFailure:
    return ApiFailure(
        CODE_NO_PERMISSION,
        f"No permission to operate advertiser: {advertiser_id}. "
        "You must be an admin or operator of this advertiser account.",
    )


class Market:
    """The Marketing API's shared state for one sandbox."""

    #: How long a create request's ``request_id`` is remembered (§1.4; GMV Max documents
    #: 10 s, **[EMU]** we use it for every create endpoint).
    IDEMPOTENCY_S = 10.0

    def __init__(self, settings: SandboxSettings, world: Callable[[], World]) -> None:
        self.settings = settings
        self._world = world
        self._done: dict[tuple[str, str, str], tuple[float, Any]] = {}

    def once(
        self,
        path: str,
        advertiser_id: str,
        params: Params,
        now: datetime,
        work: Callable[[], Any],
        *,
        required: bool = False,
    ) -> Any:
        """Run *work* unless the same ``request_id`` was seen lately (then: the first answer).

        ``request_id`` is a 64-bit integer sent as a string (§1.4).
        """
        request_id = params.string("request_id", required=required)
        if not request_id:
            return work()
        if not request_id.isdigit() or int(request_id) >= 2**63:
            raise bad("Invalid value for request_id: must be a 64-bit integer as a string.")
        key = (path, advertiser_id, request_id)
        seen = self._done.get(key)
        if seen is not None and now.timestamp() - seen[0] < self.IDEMPOTENCY_S:
            return seen[1]
        result = work()
        self._done[key] = (now.timestamp(), result)
        return result

    def create_once(
        self,
        path: str,
        request: SandboxRequest,
        now: datetime,
        create: Callable[[Advertiser, Params, datetime], Any],
        *,
        required: bool = False,
    ) -> Any:
        """A create endpoint: the request's advertiser, then *create* once per ``request_id``."""
        params = Params.of(request)
        adv = self.advertiser(params)
        return self.once(
            path,
            adv.advertiser_id,
            params,
            now,
            lambda: create(adv, params, now),
            required=required,
        )

    @staticmethod
    def owned(objects: Mapping[str, _T], adv: Advertiser, object_id: str, missing: str) -> _T:
        """*adv*'s object *object_id*; 40002 *missing* when it is unknown or another's."""
        obj = objects.get(object_id)
        if obj is None or obj.advertiser_id != adv.advertiser_id:
            raise bad(missing)
        return obj

    def spent(self, ads: list[Ad], now: datetime, *, today_only: bool) -> float:
        """What *ads* have spent (account currency) so far, or today only (local day)."""
        world = self.world
        cents = 0
        for ad in ads:
            m = world.sim.model(ad)
            span = m.active_days()
            if span is None:
                continue
            today = local_date(m.tz, now).toordinal()
            first = today if today_only else span[0]
            for ordinal in range(max(first, span[0]), min(today, span[1]) + 1):
                rec = world.sim.day(m, ordinal, now.timestamp())
                if rec is not None:
                    cents += rec[0]
        return cents / 100.0

    @property
    def world(self) -> World:
        return self._world()

    def advertiser(self, params: Params, name: str = "advertiser_id") -> Advertiser:
        """The request's advertiser (40002 when missing, 40001 when not the token's)."""
        advertiser_id = params.ident(name)
        adv = self.world.advertisers.get(advertiser_id)
        if adv is None:
            raise no_permission(advertiser_id)
        return adv

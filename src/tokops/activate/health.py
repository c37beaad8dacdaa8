"""Event health: what Events Manager shows, computed from our own ledger (EVT-6).

Everything here is read from the store's ``events_ledger`` and ``events_runs`` tables
(``docs/CONTRACTS.md``). The ledger holds no raw PII — only flags saying which match keys an event
carried — so nothing personal can reach this read-out. Per (event source, event name):

- **events sent** and the other outcomes (invalid, rejected, failed, duplicate);
- **match-key coverage**: the share of sent events carrying each key (email, phone, external_id,
  ttclid, ttp, ip + user agent);
- **match quality score** (see :func:`match_quality_score`);
- **dedup readiness**: the share of sent events whose ``event_id`` came from the source rather than
  being derived by tokops. Only a source-provided id (an order id, an id the page also passed to
  ``ttq.track``) can match what the Pixel sends, so only those can be deduplicated (EVT-7,
  ``events_api.md`` §6);
- **top rejection reasons** (invalid: refused by us before sending; rejected: refused by TikTok);
- **server vs pixel counts** and TikTok-side dedup merges/drops, when the API is the local sandbox
  (it exposes ``GET /sandbox/diagnostics/``); the real TikTok has no such endpoint, so the
  read-out then points to Events Manager. TikTok wants at least as many server events as pixel
  events for an event it receives from both (EVT-6); fewer is a warning.

Heavy work (counting, grouping) runs in the engine; Python only sees one row per event name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal

from tokops.activate.ledger import COUNT_KEYS, LEDGER_TABLE, RUNS_TABLE
from tokops.activate.samples import latest_samples
from tokops.errors import TikTokError
from tokops.tiktok.diagnostics import (
    EventDiagnostics,
    SourceDiagnostics,
    fetch_diagnostics,
    is_real_tiktok,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.tiktok import ApiClient
    from tokops.warehouse import Store

__all__ = [
    "ACTIVE_DAYS",
    "KEYS_BY_SOURCE",
    "MATCH_KEYS",
    "MATCH_KEY_WEIGHTS",
    "SCORE_BANDS",
    "DiagnosticsFetcher",
    "EVENTS_MANAGER_NOTE",
    "DiagnosticsOutcome",
    "EventHealth",
    "HealthReport",
    "RunStatus",
    "compute_health",
    "diagnostics_from_api",
    "match_quality_score",
    "score_band",
]


#: Match keys in display order; each maps to a ledger flag ``has_<key>``.
MATCH_KEYS: Final = ("email", "phone", "external_id", "ttclid", "ttp", "ip_ua")

#: Our weights for the match quality score (TikTok does not publish its own).
#:
#: - ``ttclid`` 0.25: the click id ties the conversion to the very ad click (deterministic).
#: - ``email`` 0.25 and ``phone`` 0.20: hashed first-party identifiers, the "advanced matching"
#:   keys TikTok stresses most; email is the one most often present and stable.
#: - ``external_id`` 0.10: matches only when the Pixel sends the same id through ``identify``.
#: - ``ttp`` 0.10: the first-party cookie links to the browser session of the Pixel.
#: - ``ip_ua`` 0.10: IP + user agent together; weak alone (shared IPs, common agents).
MATCH_KEY_WEIGHTS: Final[Mapping[str, float]] = {
    "ttclid": 0.25,
    "email": 0.25,
    "phone": 0.20,
    "external_id": 0.10,
    "ttp": 0.10,
    "ip_ua": 0.10,
}

#: Keys each event source can carry at all (``events_api.md`` §1.4/§1.6): the score of an offline
#: or CRM event is not held down by browser-only keys it could never have.
KEYS_BY_SOURCE: Final[Mapping[str, tuple[str, ...]]] = {
    "web": MATCH_KEYS,
    "app": ("email", "phone", "external_id", "ip_ua"),
    "offline": ("email", "phone", "external_id"),
    "crm": ("email", "phone", "external_id"),
}

#: Score bands, checked from the top: score ≥ bound → label.
SCORE_BANDS: Final = ((8.0, "great"), (6.0, "good"), (4.0, "fair"), (0.0, "poor"))

#: Events Manager calls an event "Active" when it was received in the last 7 days.
ACTIVE_DAYS: Final = 7

#: Sent events whose event_id came from the source, as a share, below which we warn when the
#: Pixel also sends the event.
DEDUP_READY_MIN: Final = 0.9

SCORE_DOC: Final = (
    "match quality 0-10 = 10 x weighted average of match-key coverages over the keys the event "
    "source can carry; weights ttclid 0.25, email 0.25, phone 0.20, external_id 0.10, ttp 0.10, "
    "ip+user agent 0.10 (TikTok does not publish its EMQ weights); bands: >=8 great, >=6 good, "
    ">=4 fair, <4 poor"
)

DiagnosticsState = Literal["ok", "unsupported", "unavailable", "skipped"]


@dataclass(frozen=True)
class DiagnosticsOutcome:
    """What asking the API for server-vs-pixel counts gave, for one event source id."""

    state: DiagnosticsState
    """``ok`` (sandbox answered), ``unsupported`` (real TikTok: see Events Manager),
    ``unavailable`` (the call failed) or ``skipped`` (not asked: no token, --no-api …)."""
    note: str = ""
    data: SourceDiagnostics | None = None


DiagnosticsFetcher = Callable[[str], DiagnosticsOutcome]
"""Asks the API for one event source id's diagnostics (injected by the CLI; tests pass fakes)."""


EVENTS_MANAGER_NOTE: Final = "server-vs-pixel counts: see Events Manager"


def diagnostics_from_api(api: ApiClient) -> DiagnosticsFetcher:
    """A fetcher asking *api* (the sandbox) for diagnostics; never raises for a missing route."""

    def fetch(event_source_id: str) -> DiagnosticsOutcome:
        if is_real_tiktok(api.api_base):
            return DiagnosticsOutcome("unsupported", EVENTS_MANAGER_NOTE)
        try:
            data = fetch_diagnostics(api, event_source_id)
        except TikTokError as exc:
            return DiagnosticsOutcome("unavailable", f"diagnostics failed: {exc}")
        if data is None:
            return DiagnosticsOutcome("unsupported", EVENTS_MANAGER_NOTE)
        return DiagnosticsOutcome("ok", "from the sandbox's diagnostics", data)

    return fetch


def match_quality_score(coverage: Mapping[str, float], event_source: str = "web") -> float:
    """Our EMQ-like score on a 0–10 scale, one decimal.

    TikTok defines its Event Match Quality as a "weighted average of all your match key
    coverages" per event type and does not publish the weights (``events_api.md`` §7). We use
    :data:`MATCH_KEY_WEIGHTS`, renormalised over the keys the *event_source* can carry
    (:data:`KEYS_BY_SOURCE`)::

        score = 10 × Σ_k w_k · coverage_k / Σ_k w_k      (k over the applicable keys)

    where ``coverage_k`` is the share (0–1) of sent events carrying key *k*. Every applicable key
    on every event gives 10; no key at all gives 0. Bands: ≥ 8 great, ≥ 6 good, ≥ 4 fair, < 4 poor.
    """
    keys = KEYS_BY_SOURCE.get(event_source, MATCH_KEYS)
    total = sum(MATCH_KEY_WEIGHTS[k] for k in keys)
    value = sum(MATCH_KEY_WEIGHTS[k] * min(1.0, max(0.0, coverage.get(k, 0.0))) for k in keys)
    return round(10.0 * value / total, 1)


def score_band(score: float) -> str:
    for bound, label in SCORE_BANDS:
        if score >= bound:
            return label
    return "poor"


@dataclass(frozen=True)
class RunStatus:
    """The last sync run (dry runs only when there is no real one)."""

    run_id: str
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    dry_run: bool
    event_source_id: str | None
    counts: dict[str, int]
    """The run's counts; ``not_processed`` where a run that stopped early did not reach every
    source row, so that they add up to :attr:`total`."""
    total: int | None = None
    """Source rows the run was to account for (None for runs recorded before issue 9)."""


@dataclass(frozen=True)
class EventHealth:
    """Health of one event name of one event source."""

    event_source: str
    event_source_id: str
    event: str
    sent: int
    invalid: int
    rejected: int
    failed: int
    duplicate: int
    coverage: dict[str, float]
    """Share (0–1) of sent events carrying each match key; empty when nothing was sent."""
    score: float | None
    band: str | None
    with_event_id: int
    """Sent events that carried any event_id (given or derived)."""
    event_id_from_source: int
    """Sent events whose event_id came from the source (see ``dedup_origin_known``)."""
    dedup_readiness: float | None
    top_reasons: list[tuple[str, str, int]]
    """(status, reason, count) for invalid and rejected rows, most frequent first."""
    last_sent_at: datetime | None
    active: bool
    pixel: EventDiagnostics | None
    """The sandbox's counters for this event (server vs pixel, dedup), when available."""
    warnings: list[str] = field(default_factory=list)
    notes: list[tuple[str, int]] = field(default_factory=list)
    """Notes on sent events (e.g. ``phone dropped: invalid``) and how many carry each."""
    samples: dict[str, str] = field(default_factory=dict)
    """Reason → one redacted sample of a rejected value (from the latest run that had one)."""

    @property
    def server_events(self) -> int | None:
        return self.pixel.server_events if self.pixel is not None else None

    @property
    def pixel_events(self) -> int | None:
        return self.pixel.browser_events if self.pixel is not None else None


@dataclass(frozen=True)
class HealthReport:
    """The whole read-out; :meth:`to_dict` is what ``--json`` prints."""

    generated_at: datetime
    since_days: int | None
    event_source_id: str | None
    events: list[EventHealth]
    top_reasons: list[tuple[str, str, int]]
    last_run: RunStatus | None
    diagnostics: dict[str, DiagnosticsOutcome]
    """Per event source id asked."""
    dedup_origin_known: bool
    """False when the ledger has no ``event_id_source`` column: ids that look derived (64 hex)
    are then counted as derived."""
    warnings: list[str] = field(default_factory=list)

    def sample(self, reason: str) -> str | None:
        """One redacted sample of a value rejected for *reason* (of any event), if kept."""
        return next((e.samples[reason] for e in self.events if reason in e.samples), None)

    def to_dict(self) -> dict[str, Any]:
        def ts(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "generated_at": ts(self.generated_at),
            "since_days": self.since_days,
            "event_source_id": self.event_source_id,
            "score": {"scale": "0-10", "weights": dict(MATCH_KEY_WEIGHTS), "doc": SCORE_DOC},
            "dedup_origin_known": self.dedup_origin_known,
            "last_run": None
            if self.last_run is None
            else {
                "run_id": self.last_run.run_id,
                "status": self.last_run.status,
                "started_at": ts(self.last_run.started_at),
                "finished_at": ts(self.last_run.finished_at),
                "dry_run": self.last_run.dry_run,
                "event_source_id": self.last_run.event_source_id,
                "counts": self.last_run.counts,
                "total": self.last_run.total,
            },
            "diagnostics": {
                sid: {"state": d.state, "note": d.note} for sid, d in self.diagnostics.items()
            },
            "events": [
                {
                    "event_source": e.event_source,
                    "event_source_id": e.event_source_id,
                    "event": e.event,
                    "sent": e.sent,
                    "invalid": e.invalid,
                    "rejected": e.rejected,
                    "failed": e.failed,
                    "duplicate": e.duplicate,
                    "coverage": {k: round(v, 4) for k, v in e.coverage.items()},
                    "score": e.score,
                    "band": e.band,
                    "with_event_id": e.with_event_id,
                    "event_id_from_source": e.event_id_from_source,
                    "dedup_readiness": None
                    if e.dedup_readiness is None
                    else round(e.dedup_readiness, 4),
                    "top_reasons": [
                        {"status": s, "reason": r, "count": n, "sample": e.samples.get(r)}
                        for s, r, n in e.top_reasons
                    ],
                    "notes": [{"note": r, "count": n} for r, n in e.notes],
                    "last_sent_at": ts(e.last_sent_at),
                    "active": e.active,
                    "connection": None if e.pixel is None else e.pixel.to_dict(),
                    "warnings": e.warnings,
                }
                for e in self.events
            ],
            "top_reasons": [
                {"status": s, "reason": r, "count": n, "sample": self.sample(r)}
                for s, r, n in self.top_reasons
            ],
            "warnings": self.warnings,
        }


# -- computation ----------------------------------------------------------------------------------
_NO_EVENT: Final = "(no event name)"


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _cutoff_literal(column: ir.TimestampColumn, moment: datetime) -> datetime:
    """*moment* in the form the column compares with (naive UTC for a zone-less timestamp)."""
    moment = moment.astimezone(UTC)
    return moment if column.type().timezone else moment.replace(tzinfo=None)


#: What a tokops-derived event_id looks like (``activate/prepare.py``: lowercase SHA-256 hex).
DERIVED_ID_PATTERN: Final = "^[0-9a-f]{64}$"


def _event_id_origin_column(t: ir.Table) -> ir.BooleanValue | None:
    """Whether the row's event_id came from the source, when the ledger records it.

    Reads an ``event_id_source`` column (``event_id`` / ``order_id`` / ``derived``) if the ledger
    has one; None otherwise.
    """
    if "event_id_source" in t.columns:
        return t.event_id_source != "derived"
    return None


def _event_id_from_source(t: ir.Table) -> ir.BooleanValue:
    """The origin column when present, else a heuristic: a derived id is 64 lowercase hex.

    The heuristic counts a source id that is itself a SHA-256 hex digest as derived, so it can
    only under-state readiness.
    """
    known = _event_id_origin_column(t)
    if known is not None:
        return known.fill_null(False)
    return ~t.event_id.re_search(DERIVED_ID_PATTERN)


def _ledger_rows(
    store: Store,
    *,
    event_source_id: str | None,
    since: datetime | None,
    include_test: bool,
) -> tuple[ir.Table, bool]:
    t = store.table(LEDGER_TABLE)
    if event_source_id is not None:
        t = t.filter(t.event_source_id == event_source_id)
    if not include_test:
        t = t.filter(t.test_event_code.isnull())
    if since is not None:
        t = t.filter(t.recorded_at >= _cutoff_literal(t.recorded_at, since))
    return t, _event_id_origin_column(t) is not None


def _latest_outcomes(t: ir.Table) -> ir.Table:
    """The ledger rows that say what each source row's outcome is now: one count per source
    row, not per attempt (issue 9 §4).

    A source row is known by its event source id, stream (test code), event name and event_id.
    For each such key the rows of one run count: the latest run that sent it (an event once
    sent stays sent, whatever later runs say about it), else the latest run that recorded it —
    so rows rejected again on every re-run count once, and rows that failed and were sent later
    count as sent. (Rows of that run with the same key, such as duplicates, count with it.)
    Rows without a key (no event name or no event_id: a missing time, a malformed line) cannot
    be followed across runs: those of the latest run of their event source count. Runs of one
    event source follow each other, so the latest row tells the latest run.
    """
    import ibis

    k = t.mutate(_h_stream=t.test_event_code.fill_null(""))
    keys = ["event_source_id", "_h_stream", "event", "event_id"]
    has_key = k.event.notnull() & k.event_id.notnull()
    keyed = k.filter(has_key)
    # one hash aggregate: the run of the key's latest row, sent rows ranked after all others
    rank = ibis.cases(
        (keyed.status == "sent", keyed.recorded_at + ibis.interval(days=_SENT_FIRST_DAYS)),
        else_=keyed.recorded_at,
    )
    chosen = keyed.group_by(keys).aggregate(run_id=keyed.run_id.argmax(rank))
    keyed_now = keyed.semi_join(chosen, [*keys, "run_id"])
    runs = ["event_source_id", "_h_stream"]
    last = k.group_by(runs).aggregate(run_id=k.run_id.argmax(k.recorded_at))
    loose_now = k.filter(~has_key).semi_join(last, [*runs, "run_id"])
    result: ir.Table = keyed_now.union(loose_now).drop("_h_stream")
    return result


#: Added to a sent row's time when ranking a key's rows: later than any row of any run.
_SENT_FIRST_DAYS: Final = 365_000


def _current_rows(store: Store, t: ir.Table) -> str:
    """Materialise :func:`_latest_outcomes` of *t* in a temporary table (both read-outs use
    it; computing it once costs less than twice). Returns its name; drop it after use."""
    from tokops.errors import WarehouseError

    name = store.temp_name("tokops_health")
    try:
        store.con.create_table(name, _latest_outcomes(t), temp=True)
    except Exception as exc:  # noqa: BLE001 - any engine error is a WarehouseError
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WarehouseError(f"cannot read the events ledger: {first}") from None
    return name


def _aggregate(store: Store, t: ir.Table) -> list[dict[str, Any]]:
    sent = t.status == "sent"
    metrics: dict[str, Any] = {
        status: (t.status == status).sum()
        for status in ("sent", "invalid", "rejected", "failed", "duplicate")
    }
    for key in MATCH_KEYS:
        metrics[f"k_{key}"] = (sent & t[f"has_{key}"].fill_null(False)).sum()
    metrics["with_event_id"] = (sent & t.event_id.notnull()).sum()
    metrics["from_source"] = (sent & t.event_id.notnull() & _event_id_from_source(t)).sum()
    metrics["last_sent_at"] = t.recorded_at.max(where=sent)
    grouped = t.mutate(event=t.event.fill_null(_NO_EVENT)).group_by(
        ["event_source", "event_source_id", "event"]
    )
    rows: list[dict[str, Any]] = store.fetch(grouped.aggregate(**metrics)).to_pylist()
    return rows


def _reasons(store: Store, t: ir.Table) -> list[dict[str, Any]]:
    noted = (t.status == "sent") & t.reason.notnull()  # notes on sent events
    bad = t.filter(t.status.isin(["invalid", "rejected"]) | noted)
    bad = bad.mutate(event=bad.event.fill_null(_NO_EVENT), reason=bad.reason.fill_null("(none)"))
    counted = bad.group_by(["event_source_id", "event", "status", "reason"]).aggregate(
        n=bad.count()
    )
    rows: list[dict[str, Any]] = store.fetch(counted).to_pylist()
    return rows


def _last_run(store: Store, event_source_id: str | None) -> RunStatus | None:
    if not store.exists(RUNS_TABLE):
        return None
    runs = store.table(RUNS_TABLE)
    if event_source_id is not None:
        runs = runs.filter(runs.event_source_id == event_source_id)
    # Real runs first, then the latest start.
    ordered = runs.order_by([runs.dry_run.fill_null(False).asc(), runs.started_at.desc()])
    rows = store.fetch(ordered.limit(1)).to_pylist()
    if not rows:
        return None
    row = rows[0]
    counts = {n: int(row[n] or 0) for n in COUNT_KEYS if n in row}
    total = row.get("total")
    if total is not None and not row.get("dry_run") and sum(counts.values()) < total:
        counts["not_processed"] = int(total) - sum(counts.values())
    return RunStatus(
        run_id=str(row["run_id"]),
        status=str(row.get("status")),
        started_at=_utc(row.get("started_at")),
        finished_at=_utc(row.get("finished_at")),
        dry_run=bool(row.get("dry_run")),
        event_source_id=row.get("event_source_id"),
        counts=counts,
        total=None if total is None else int(total),
    )


def _top(items: Sequence[tuple[str, str, int]], n: int) -> list[tuple[str, str, int]]:
    return sorted(items, key=lambda x: (-x[2], x[0], x[1]))[:n]


def _pixel_warnings(pixel: EventDiagnostics) -> list[str]:
    """What TikTok's diagnostics of one event say is wrong."""
    out: list[str] = []
    if pixel.server_events < pixel.browser_events:
        out.append(
            f"server events ({pixel.server_events}) < pixel events ({pixel.browser_events}): "
            "TikTok wants the server to send at least as many as the Pixel"
        )
    for key, share in (("email", pixel.not_hashed.email), ("phone", pixel.not_hashed.phone)):
        if share > 0:
            out.append(f"TikTok received {share:.0%} of {key}s unhashed (check the Pixel side)")
    if pixel.empty_string_hashes:
        out.append(
            f"{pixel.empty_string_hashes} events carried SHA-256 of an empty string "
            "(a hashing bug: the empty value was hashed)"
        )
    return out


def _event_warnings(e: EventHealth, dedup_origin_known: bool) -> list[str]:
    pixel = e.pixel
    out = _pixel_warnings(pixel) if pixel is not None else []
    if e.sent == 0:
        return out
    if e.score is not None and e.score < 4.0:
        out.append(
            f"match quality {e.score}/10 is poor: send hashed email/phone, and for web events "
            "ttclid, _ttp, IP and user agent"
        )
    if e.event_source == "web":
        if e.coverage.get("ttclid", 0.0) == 0.0 and e.coverage.get("ttp", 0.0) == 0.0:
            out.append("no ttclid nor _ttp on any event: capture them in the browser at checkout")
        if e.coverage.get("ip_ua", 0.0) == 0.0:
            out.append("no IP + user agent: the Events API does not add them, map them explicitly")
    pixel_also = pixel is not None and pixel.browser_events > 0
    if (
        e.dedup_readiness is not None
        and e.dedup_readiness < DEDUP_READY_MIN
        and (pixel_also or e.event_source == "web")
    ):
        about = "" if dedup_origin_known else "about "
        out.append(
            f"only {about}{e.dedup_readiness:.0%} of events carry an event_id from the source: "
            "the Pixel cannot send a derived id, so TikTok cannot deduplicate the rest"
        )
    if not e.active:
        out.append(f"no recent activity: nothing sent in the last {ACTIVE_DAYS} days")
    return out


def compute_health(
    store: Store,
    *,
    event_source_id: str | None = None,
    since_days: int | None = None,
    include_test: bool = False,
    top: int = 5,
    diagnostics: DiagnosticsFetcher | None = None,
    now: datetime | None = None,
) -> HealthReport:
    """Build the health read-out from the ledger (and the API's diagnostics if *diagnostics*).

    *since_days* keeps ledger rows recorded in the last N days; *include_test* keeps events sent
    with a ``test_event_code`` (left out by default: they are not in the live stream). The
    *diagnostics* callable is asked once per web event source id (the Pixel is a web concept).
    """
    if since_days is not None and since_days < 1:
        raise ValueError("since_days must be at least 1")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    since = moment - timedelta(days=since_days) if since_days is not None else None
    read = _read_ledger(store, event_source_id, since, include_test)
    outcomes = _diagnose(diagnostics, read.rows, event_source_id)
    per_pixel = {
        (sid, ev.event): ev
        for sid, outcome in outcomes.items()
        if outcome.state == "ok" and outcome.data is not None
        for ev in outcome.data.events
    }
    grouped = _GroupedReasons.of(read.reasons)
    context = _EventContext(
        grouped, per_pixel, read.samples, top, moment - timedelta(days=ACTIVE_DAYS)
    )
    events = [_event_health(r, context) for r in read.rows]
    # Events the Pixel sends that the server never sent: exactly what EVT-6 wants to surface.
    seen = {(r["event_source_id"], r["event"]) for r in read.rows}
    events += [
        _pixel_only(sid, name, diag)
        for (sid, name), diag in sorted(per_pixel.items())
        if (sid, name) not in seen
    ]
    for health in events:
        health.warnings.extend(_event_warnings(health, read.origin_known))
    events.sort(key=lambda e: (e.event_source_id, -e.sent, e.event))
    return HealthReport(
        generated_at=moment,
        since_days=since_days,
        event_source_id=event_source_id,
        events=events,
        top_reasons=_top([(s, r, n) for (s, r), n in grouped.overall.items()], top),
        last_run=_last_run(store, event_source_id),
        diagnostics=outcomes,
        dedup_origin_known=read.origin_known,
        warnings=read.warnings,
    )


@dataclass(frozen=True)
class _LedgerRead:
    """What the read-out takes from the ledger."""

    rows: list[dict[str, Any]]
    """One aggregate per (event source id, event) (:func:`_aggregate`)."""
    reasons: list[dict[str, Any]]
    samples: dict[tuple[str, str | None, str], str]
    origin_known: bool
    """Whether the ledger records if an event_id came from the source."""
    warnings: list[str]


def _read_ledger(
    store: Store, event_source_id: str | None, since: datetime | None, include_test: bool
) -> _LedgerRead:
    if not store.exists(LEDGER_TABLE):
        warning = "no events ledger in the store yet: run `tokops events sync` first"
        return _LedgerRead([], [], {}, False, [warning])
    t, origin_known = _ledger_rows(
        store, event_source_id=event_source_id, since=since, include_test=include_test
    )
    scratch = _current_rows(store, t)
    try:
        current = store.table(scratch)
        rows = _aggregate(store, current)
        reasons = _reasons(store, current)
    finally:
        store.drop(scratch)
    warnings = []
    if rows and not origin_known:
        warnings.append(
            "dedup readiness is approximate: the ledger does not record whether an event_id "
            "was given by the source or derived by tokops, so 64-hex ids count as derived"
        )
    samples = latest_samples(store, event_source_id)
    return _LedgerRead(rows, reasons, samples, origin_known, warnings)


def _diagnose(
    diagnostics: DiagnosticsFetcher | None,
    rows: list[dict[str, Any]],
    event_source_id: str | None,
) -> dict[str, DiagnosticsOutcome]:
    """Diagnostics: one call per web event source id seen (or the one asked for)."""
    if diagnostics is None:
        return {}
    ids = {r["event_source_id"] for r in rows if r["event_source"] == "web"}
    if event_source_id is not None:
        ids = {event_source_id}
    return {sid: diagnostics(sid) for sid in sorted(i for i in ids if i)}


@dataclass(frozen=True)
class _GroupedReasons:
    """The ledger's reasons per (event source id, event): why rows were not sent, and the
    notes on sent rows; plus the not-sent reasons over all events."""

    by_event: dict[tuple[str, str], list[tuple[str, str, int]]]
    notes_by_event: dict[tuple[str, str], list[tuple[str, int]]]
    overall: dict[tuple[str, str], int]

    @classmethod
    def of(cls, reasons: list[dict[str, Any]]) -> _GroupedReasons:
        grouped = cls({}, {}, {})
        for r in reasons:
            key = (r["event_source_id"], r["event"])
            if r["status"] == "sent":
                grouped.notes_by_event.setdefault(key, []).append((str(r["reason"]), int(r["n"])))
                continue
            item = (str(r["status"]), str(r["reason"]), int(r["n"]))
            grouped.by_event.setdefault(key, []).append(item)
            grouped.overall[item[:2]] = grouped.overall.get(item[:2], 0) + item[2]
        return grouped


@dataclass(frozen=True)
class _EventContext:
    """What every event's health needs beside its own ledger aggregate."""

    reasons: _GroupedReasons
    per_pixel: dict[tuple[str, str], EventDiagnostics]
    samples: dict[tuple[str, str | None, str], str]
    top: int
    active_since: datetime


def _event_health(r: dict[str, Any], ctx: _EventContext) -> EventHealth:
    """One event's health from its ledger aggregate (warnings are added by the caller)."""
    sid, name, source = r["event_source_id"], r["event"], r["event_source"]
    sent = int(r["sent"])
    coverage = {k: int(r[f"k_{k}"]) / sent for k in MATCH_KEYS} if sent else {}
    score = match_quality_score(coverage, source) if sent else None
    from_source = int(r["from_source"])
    last_sent = _utc(r["last_sent_at"])
    notes = ctx.reasons.notes_by_event.get((sid, name), [])
    return EventHealth(
        event_source=source,
        event_source_id=sid,
        event=name,
        sent=sent,
        invalid=int(r["invalid"]),
        rejected=int(r["rejected"]),
        failed=int(r["failed"]),
        duplicate=int(r["duplicate"]),
        coverage=coverage,
        score=score,
        band=score_band(score) if score is not None else None,
        with_event_id=int(r["with_event_id"]),
        event_id_from_source=from_source,
        dedup_readiness=from_source / sent if sent else None,
        top_reasons=_top(ctx.reasons.by_event.get((sid, name), []), ctx.top),
        last_sent_at=last_sent,
        active=last_sent is not None and last_sent >= ctx.active_since,
        pixel=ctx.per_pixel.get((sid, name)),
        notes=sorted(notes, key=lambda x: (-x[1], x[0])),
        samples={
            reason: sample
            for (s_sid, s_event, reason), sample in ctx.samples.items()
            if s_sid == sid and (s_event or _NO_EVENT) == name
        },
    )


def _pixel_only(sid: str, name: str, diag: EventDiagnostics) -> EventHealth:
    """The health of an event the Pixel sends and the server never sent (EVT-6)."""
    return EventHealth(
        event_source="web",
        event_source_id=sid,
        event=name,
        sent=0,
        invalid=0,
        rejected=0,
        failed=0,
        duplicate=0,
        coverage={},
        score=None,
        band=None,
        with_event_id=0,
        event_id_from_source=0,
        dedup_readiness=None,
        top_reasons=[],
        last_sent_at=None,
        active=False,
        pixel=diag,
    )

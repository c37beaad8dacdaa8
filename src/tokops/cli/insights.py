"""``tokops insights``: best creatives, Spark vs non-Spark, A/B tests (parse, call, render).

The work is in :mod:`tokops.insights` (``creatives``, ``spark_store``); this module only parses
options, opens the store from the settings and renders a table or JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from tokops.cli._common import (
    ADVERTISER,
    DATE_FROM,
    DATE_TO,
    FORMAT,
    check_format,
    emit,
    open_store,
    parse_date,
    parse_window,
)
from tokops.cli._tables import Col, table_of
from tokops.cli.kpi import kpi_words
from tokops.errors import ConfigError

if TYPE_CHECKING:
    from datetime import date

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

_ALPHA = typer.Option(0.10, "--alpha", help="1 − confidence (0.10 = 90 %, TikTok's level).")


def _pct(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f}%"


def _rel(value: float | None, digits: int = 1) -> str:
    """A relative change (test/control − 1) as a signed percent: ``+20.6%``."""
    return "–" if value is None else f"{100 * value:+.{digits}f}%"


def _ci(ci: tuple[float, float] | list[float] | None) -> str:
    return "–" if ci is None else f"[{_rel(ci[0])}, {_rel(ci[1])}]"


def _kpi_value(metric: str, value: float | None, currency: str | None = None) -> str:
    """*value* (already in the catalogue KPI's unit) as every command shows it."""
    from tokops.metrics.catalogue import CATALOGUE

    return CATALOGUE[metric].format(value, currency)


def _kpi_label(metric: str) -> str:
    from tokops.metrics.catalogue import CATALOGUE

    kpi = CATALOGUE.get(metric)
    return metric if kpi is None else f"{kpi.label} [{metric}]"


@app.command("top-creatives")
def top_creatives(
    metric: str = typer.Option("ctr", "--metric", help="ctr | cvr | cvr_click | completion_rate…"),
    date_from: str | None = DATE_FROM,
    date_to: str | None = DATE_TO,
    top: int = typer.Option(10, "--top", help="How many ads to show."),
    by: str = typer.Option("shrunk", "--by", help="shrunk (posterior mean) | lower (cautious)."),
    level: float = typer.Option(0.90, "--level", help="Credible interval level."),
    advertiser: list[str] = ADVERTISER,
    fmt: str = FORMAT,
) -> None:
    """Ads ranked by empirical-Bayes shrunk rate: a lucky small ad cannot top the list."""
    from tokops.insights.creatives import top_creatives as run

    check_format(fmt)
    window = parse_window(date_from, date_to, advertiser)
    with open_store() as store, kpi_words(":"):
        result = run(store, metric, window, top=top, by=by, level=level)  # type: ignore[arg-type]

    def table() -> Table:
        from tokops.metrics.catalogue import CATALOGUE

        kpi = CATALOGUE[metric]

        def show(v: float | None) -> str:
            return kpi.format(kpi.of_fraction(v))

        num, den = kpi.numerator[0], kpi.denominator[0]
        cols = [
            Col("#"),
            Col("ad", "left", wrap=True),
            Col("spark", "left", drop=3),
            Col(num.replace("_", " "), drop=2),
            Col(den.replace("_", " "), drop=2),
            Col("raw", drop=4),
            Col("shrunk"),
            Col("interval", drop=1),
            Col("raw #", drop=5),
        ]
        rows = [
            [
                str(r.rank),
                r.ad_id if not r.ad_name else f"{r.ad_name}\n{r.ad_id}",
                "yes" if r.is_spark else "",
                f"{r.successes:,.0f}",
                f"{r.trials:,.0f}",
                show(r.raw),
                show(r.shrunk),
                "–" if r.ci is None else f"[{show(r.ci[0])}, {show(r.ci[1])}]",
                str(r.raw_rank),
            ]
            for r in result.rows
        ]
        title = f"Top creatives by shrunk {_kpi_label(metric)} ({level:.0%} interval)"
        return table_of(title, cols, rows)

    emit(result.to_dict(), fmt, table)


@app.command("spark")
def spark(
    date_from: str | None = DATE_FROM,
    date_to: str | None = DATE_TO,
    cluster: str = typer.Option(
        "ad",
        "--cluster",
        help="ad (default: carries the spread between creatives) | day (narrower; overconfident "
        "when Spark is a property of ads, as the sandbox's ground truth shows).",
    ),
    alpha: float = _ALPHA,
    advertiser: list[str] = ADVERTISER,
    fmt: str = FORMAT,
) -> None:
    """Spark vs non-Spark on your data, next to TikTok's claimed uplifts (SPK-11)."""
    from tokops.insights.spark_store import spark_from_store

    check_format(fmt)
    if cluster not in ("day", "ad"):
        raise ConfigError(f"--cluster {cluster!r}: use day or ad")
    window = parse_window(date_from, date_to, advertiser)
    with open_store() as store, kpi_words(":"):
        report = spark_from_store(store, window, alpha=alpha, cluster=cluster)  # type: ignore[arg-type]

    def table() -> Table:
        cols = [
            Col("metric", "left", wrap=True),
            Col("spark"),
            Col("non-Spark"),
            Col("measured"),
            Col("interval", drop=1),
            Col("TikTok"),
            Col("verdict", "left", wrap=True),
        ]
        rows = [
            [
                f"{m.label}\n[{m.metric}]",
                _kpi_value(m.metric, m.spark, m.currency),
                _kpi_value(m.metric, m.non_spark, m.currency),
                _rel(m.measured_rel),
                _ci(m.ci),
                _rel(m.claimed_rel, 0),
                m.verdict.replace("_", " "),
            ]
            for m in report.comparison.metrics
        ]
        title = f"Spark vs non-Spark ({1 - alpha:.0%} interval, {cluster} clusters)"
        return table_of(title, cols, rows)

    emit(report.to_dict(), fmt, table)


@app.command("ab")
def ab(
    control_adgroup: str | None = typer.Option(None, "--control-adgroup", help="Control ad group."),
    test_adgroup: str | None = typer.Option(None, "--test-adgroup", help="Test ad group ID."),
    split_test: str | None = typer.Option(
        None, "--split-test", help="A TikTok split test ID (synced): its cells and verdict."
    ),
    metric: str = typer.Option("ctr", "--metric", help="ctr | cvr | cpa | roas | cpc | cpm…"),
    date_from: str | None = DATE_FROM,
    date_to: str | None = DATE_TO,
    alpha: float = _ALPHA,
    mde: float = typer.Option(0.10, "--mde", help="Relative effect for power and days needed."),
    fmt: str = FORMAT,
) -> None:
    """Two ad groups, or a TikTok split test, compared on day clusters (KPI-5e)."""
    check_format(fmt)
    if split_test is not None:
        if control_adgroup or test_adgroup:
            raise ConfigError("--split-test takes its cells from the test: drop the ad groups")
        _split_test(split_test, alpha, mde, parse_date(date_to, "--to"), fmt)
        return
    if not control_adgroup or not test_adgroup:
        raise ConfigError("give --control-adgroup and --test-adgroup, or --split-test ID")
    from tokops.insights.spark_store import ab_from_store
    from tokops.metrics.query import adgroup_currency

    window = parse_window(date_from, date_to, [])
    with open_store() as store, kpi_words(":"):
        result = ab_from_store(
            store, control_adgroup, test_adgroup, metric, window, alpha=alpha, mde_rel=mde
        )
        currency = adgroup_currency(store, control_adgroup)
    data = result.to_dict()

    def table() -> Table:
        out = Table(
            title=escape(
                f"A/B on {_kpi_label(metric)}: {result.outcome} at {result.confidence:.0%}"
            )
        )
        out.add_column("", justify="left")
        out.add_column("value", justify="right")
        rows = {
            "control": _kpi_value(metric, result.estimates[0], currency),
            "test": _kpi_value(metric, result.estimates[1], currency),
            "relative lift": f"{_rel(result.lift_rel)} {_ci(result.lift_rel_ci)}",
            "p-value": f"{result.p_value:.3g}",
            "winner": data["winner"],
            "SRM p-value": f"{result.srm.p_value:.3g}",
            f"power at {result.mde_rel:.0%}": _pct(result.power, 0),
            "days run / needed": f"{result.days_run} / {result.days_needed or '–'}",
        }
        for k, v in rows.items():
            out.add_row(k, v)
        return out

    emit(data, fmt, table)


def _split_test(group_id: str, alpha: float, mde: float, as_of: date | None, fmt: str) -> None:
    from tokops.insights.splittest import split_test_report

    with open_store() as store, kpi_words(":"):
        report = split_test_report(store, group_id, alpha=alpha, mde_rel=mde, as_of=as_of)
    data = report.to_dict()
    t = report.test
    cell = {t.object_ids[0]: "A", t.object_ids[1]: "B"}

    def name(verdict: str | None) -> str:
        return f"{cell[verdict]} ({verdict})" if verdict in cell else verdict or "no winner"

    data["warnings"] = list(dict.fromkeys(w for a in report.analyses for w in a.result.warnings))

    def table() -> Table:
        p = t.key_p_value
        title = (
            f"Split test {t.split_test_group_id} ({t.test_variable}, key {t.key_metric}, "
            f"{report.start_day} – {report.end_day} {report.timezone}): "
            f"TikTok {name(t.platform_verdict)}"
            + ("" if p is None else f" p={p:.3g}")
            + f"; tokops {name(report.verdict)} [{report.agreement}]"
        )
        cols = [
            Col("metric", "left", wrap=True),
            Col("method", "left", wrap=True),
            Col("A"),
            Col("B"),
            Col("lift B vs A", wrap=True),
            Col("p", drop=2),
            Col("winner", "left", wrap=True),
            Col("power", drop=1),
            Col("days", drop=1),
        ]
        rows = []
        for a in report.analyses:
            r = a.result
            rows.append(
                [
                    a.metric + (" (key)" if a.key else ""),
                    "z, totals" if r.method == "two_proportion_z" else "delta, days",
                    _kpi_value(a.metric, r.estimates[0], report.currency),
                    _kpi_value(a.metric, r.estimates[1], report.currency),
                    f"{_rel(r.lift_rel)}\n{_ci(r.lift_rel_ci)}",
                    f"{r.p_value:.2g}",
                    cell.get(r.winner, r.winner) if r.winner else "inconclusive",
                    _pct(r.power, 0),
                    f"{r.days_run} / {r.days_needed or '–'}",
                ]
            )
        return table_of(title, cols, rows)

    emit(data, fmt, table)


@app.command("saturation")
def saturation(
    by: str = typer.Option("format", "--by", help="format (content type) | hashtag."),
    window: int = typer.Option(14, "--window", help="Days per window (current, previous, peak)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Assess as of this day (YYYY-MM-DD)."),
    fmt: str = FORMAT,
) -> None:
    """Formats or hashtags whose engagement rate peaked and is falling as posts pile on (KPI-4)."""
    from tokops.insights.saturation import saturation_report

    check_format(fmt)
    if by not in ("format", "hashtag"):
        raise ConfigError(f"--by {by!r}: use format or hashtag")
    with open_store() as store, kpi_words(":"):
        report = saturation_report(
            store,
            by="hashtag" if by == "hashtag" else "content_type",
            window_days=window,
            as_of=parse_date(as_of, "--as-of"),
        )

    def table() -> Table:
        cols = [
            Col("key", "left", wrap=True),
            Col("status", "left"),
            Col("posts"),
            Col("prev posts", drop=3),
            Col("ER now"),
            Col("peak", drop=2),
            Col("peak ER"),
            Col("decline", drop=1),
        ]
        rows = [
            [
                r.key,
                r.status,
                str(r.posts_current),
                str(r.posts_previous),
                _pct(r.rate_current),
                "–" if r.peak_date is None else r.peak_date.isoformat(),
                _pct(r.peak_rate),
                _pct(r.decline, 0),
            ]
            for r in report.rows
        ]
        title = f"Saturation by {by} as of {report.as_of} ({window}-day windows)"
        return table_of(title, cols, rows)

    emit(report.to_dict(with_series=False), fmt, table)


@app.command("hashtags")
def hashtags(
    top: int = typer.Option(20, "--top", help="How many hashtags to show."),
    window: int = typer.Option(14, "--window", help="Days compared for rising / falling."),
    fmt: str = FORMAT,
) -> None:
    """Top hashtags by views and engagement rate, rising or falling, generic or niche (KPI-5d)."""
    from tokops.insights.organic import hashtag_report

    check_format(fmt)
    with open_store() as store, kpi_words(":"):
        report = hashtag_report(store, window_days=window, top=top)

    def table() -> Table:
        cols = [
            Col("hashtag", "left", wrap=True),
            Col("posts"),
            Col("views"),
            Col("ER"),
            Col("share", drop=1),
            Col("kind", "left", drop=2),
            Col("trend", "left"),
        ]
        rows = [
            [
                r.hashtag,
                str(r.posts),
                f"{r.views:,.0f}",
                _pct(r.engagement_rate),
                _pct(r.usage_share, 0),
                r.kind,
                r.trend,
            ]
            for r in report.rows
        ]
        return table_of(f"Top hashtags by views ({report.total_posts} posts)", cols, rows)

    emit(report.to_dict(), fmt, table)


@app.command("content")
def content(
    days: int = typer.Option(7, "--days", help="Snapshot days to track."),
    top: int = typer.Option(10, "--top", help="How many videos to rank."),
    fmt: str = FORMAT,
) -> None:
    """Per video per day: views gained, engagement, attributed new followers (KPI-3)."""
    from tokops.insights.organic import content_tracker

    check_format(fmt)
    with open_store() as store, kpi_words(":"):
        report = content_tracker(store, days=days, top=top)

    def table() -> Table:
        cols = [
            Col("video", "left"),
            Col("caption", "left", wrap=True, drop=1),
            Col("views"),
            Col("engagements", drop=2),
            Col("ER"),
            Col("new followers", wrap=True),
        ]
        rows = [
            [
                r.item_id,
                r.caption or "",
                f"{r.views:,.0f}",
                f"{r.engagements:,.0f}",
                _pct(r.engagement_rate),
                f"{r.attributed_followers:,.1f}",
            ]
            for r in report.top
        ]
        return table_of(f"Top content {report.start} – {report.end}", cols, rows)

    emit(report.to_dict(), fmt, table)


def _register_planning() -> None:
    """Goal planner, budget reallocation and segments live in their own module."""
    from tokops.cli.insights_plan import register

    register(app)


_register_planning()

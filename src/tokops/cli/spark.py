"""``tokops spark …``: Spark Ads with every rule checked before the call (SPK-1 … SPK-12).

Commands parse, call :mod:`tokops.campaigns` and render; the rules live there. A refusal prints
each reason with its fix on stderr (or as JSON on stdout with ``--format json``) and exits 1.
The ad account comes from ``--advertiser``, ``TIKTOK_ADVERTISER_ID`` or ``[tiktok]
advertiser_id``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import orjson
import typer
from rich.console import Console

from tokops.cli._client import INSECURE, marketing_client, with_insecure
from tokops.cli._tables import Col, print_table, table_of
from tokops.config import load_settings
from tokops.errors import ConfigError

if TYPE_CHECKING:
    from tokops.campaigns import Finding, UsablePost
    from tokops.tiktok.marketing import MarketingClient

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Spark Ads: creators' posts and your own, as ads.")

ADVERTISER = typer.Option(
    None, "--advertiser", envvar="TIKTOK_ADVERTISER_ID", help="Advertiser (ad account) id."
)
API_BASE = typer.Option(None, "--api-base", help="API base (or a sandbox URL).")
WARN_DAYS = typer.Option(
    7, "--warn-days", min=0, help="Warn this many days before a creator's code expires."
)


class Fmt(StrEnum):
    table = "table"
    json = "json"


class BuyingType(StrEnum):
    AUCTION = "AUCTION"
    RESERVATION_RF = "RESERVATION_RF"


FORMAT = typer.Option(Fmt.table, "--format", help="table | json.")


def _json(data: object) -> None:
    typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


@contextmanager
def _marketing(
    advertiser: str | None, api_base: str | None, insecure: bool
) -> Iterator[tuple[MarketingClient, str]]:
    settings = with_insecure(load_settings(), insecure)
    advertiser_id = advertiser or settings.tiktok.advertiser_id
    if not advertiser_id:
        raise ConfigError("no ad account: pass --advertiser ID (or set TIKTOK_ADVERTISER_ID)")
    with marketing_client(settings, api_base) as mk:
        yield mk, advertiser_id


def _print_findings(findings: Sequence[Finding], *, skip_info: bool = False) -> None:
    for f in findings:
        if skip_info and f.severity == "info":
            continue
        typer.echo(f"{f.severity}: {f} ({f.rule})", err=True)


def _refuse(findings: Sequence[Finding], fmt: Fmt, extra: str = "") -> None:
    if fmt is Fmt.json:
        _json({"refused": True, "findings": [f.to_dict() for f in findings]})
    _print_findings(findings)
    if extra:
        typer.echo(extra, err=True)
    raise typer.Exit(1)


def _seconds(post: UsablePost) -> str:
    return "?" if post.duration is None else f"{post.duration:.0f} s"


@app.command("list")
def list_(
    advertiser: str | None = ADVERTISER,
    fmt: Fmt = FORMAT,
    warn_days: int = WARN_DAYS,
    api_base: str | None = API_BASE,
    insecure: bool = INSECURE,
) -> None:
    """Posts usable as Spark ads: your account's, your Business Center's, creators' codes."""
    from tokops.campaigns import list_usable_posts
    from tokops.campaigns.spark_rules import check_code_expiring

    with _marketing(advertiser, api_base, insecure) as (mk, advertiser_id):
        posts = list_usable_posts(mk, advertiser_id)
    now = dt.datetime.now(dt.UTC)
    for p in posts:
        if p.auth_end is not None and p.auth_status == "AUTHORIZED":
            for f in check_code_expiring(p.auth_end, now=now, warn_days=warn_days):
                typer.echo(f"warning: post {p.item_id}: {f} ({f.rule})", err=True)
    if fmt is Fmt.json:
        _json([p.to_dict() for p in posts])
        return
    cols = (
        Col("item_id", "left"),
        Col("source", "left", wrap=True),
        Col("caption", "left", wrap=True, drop=3),
        Col("duration"),
        Col("status", "left"),
        Col("allows", "left", wrap=True),
        Col("duet / stitch / sticker / music", "left", wrap=True, drop=2),
    )
    rows = [
        (
            p.item_id,
            p.source,
            p.caption,
            _seconds(p),
            p.status or "?",
            p.allows(),
            p.settings.describe(),
        )
        for p in posts
    ]
    title = f"Posts usable as Spark ads on ad account {advertiser_id} ({len(rows)})"
    print_table(Console(), table_of(title, cols, rows))


@app.command()
def authorize(
    code: str = typer.Argument(..., help="The creator's video code (starts with #)."),
    advertiser: str | None = ADVERTISER,
    warn_days: int = WARN_DAYS,
    api_base: str | None = API_BASE,
    insecure: bool = INSECURE,
) -> None:
    """Bind a creator's video code to the ad account, after checking the post (SPK-1, SPK-6)."""
    from tokops.campaigns import check_new_code, errors_of

    with _marketing(advertiser, api_base, insecure) as (mk, advertiser_id):
        post = mk.spark.info(advertiser_id, code)
        findings = check_new_code(post, now=dt.datetime.now(dt.UTC), warn_days=warn_days)
        if errors_of(findings):
            _refuse(findings, Fmt.table)
        mk.spark.authorize(advertiser_id, code)
    until = f" until {post.auth_end_time} UTC" if post.auth_end_time else ""
    typer.echo(f"authorized post {post.item_id} of {post.tiktok_name or 'the creator'}{until}")
    _print_findings(findings)


@app.command()
def unauthorize(
    code: str = typer.Argument(..., help="The video code to remove from the ad account."),
    advertiser: str | None = ADVERTISER,
    api_base: str | None = API_BASE,
    insecure: bool = INSECURE,
) -> None:
    """Remove a creator's code from the ad account; its ads stop delivering (SPK-7)."""
    with _marketing(advertiser, api_base, insecure) as (mk, advertiser_id):
        mk.spark.unbind(advertiser_id, code)
    typer.echo(f"unauthorized {code} on ad account {advertiser_id}")


@app.command("delete-post")
def delete_post(
    item_id: str = typer.Argument(..., help="The post's item_id."),
    advertiser: str | None = ADVERTISER,
    api_base: str | None = API_BASE,
    insecure: bool = INSECURE,
) -> None:
    """Check that a post may be deleted: refused while it is authorized as a Spark ad (SPK-7)."""
    from tokops.campaigns import check_delete

    with _marketing(advertiser, api_base, insecure) as (mk, advertiser_id):
        check = check_delete(mk, advertiser_id, item_id)
    if not check.allowed:
        commands = "\n".join(
            f"  tokops spark unauthorize '{c}' --advertiser {advertiser_id}" for c in check.codes
        )
        _refuse(check.findings, Fmt.table, f"run first:\n{commands}")
    _print_findings(check.findings)
    typer.echo(
        f"post {item_id} is not authorized as a Spark ad on ad account {advertiser_id}: "
        "its owner can delete it in the TikTok app (the API has no delete)"
    )


def _moment(value: str | None, flag: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{flag} {value!r}: use YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (UTC)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _money(value: str) -> Decimal:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ConfigError(f"--budget {value!r}: not a number") from None
    if not amount.is_finite() or amount <= 0:
        raise ConfigError(f"--budget {value!r}: must be above 0")
    return amount


@app.command()
def create(
    advertiser: str | None = ADVERTISER,
    post: str = typer.Option(..., "--post", help="The post's item_id (see 'tokops spark list')."),
    objective: str = typer.Option(
        ..., "--objective", help="objective_type: REACH, VIDEO_VIEWS, TRAFFIC, ENGAGEMENT …"
    ),
    buying_type: BuyingType = typer.Option(..., "--buying-type", help="AUCTION | RESERVATION_RF."),
    adgroup: str | None = typer.Option(
        None, "--adgroup", help="Put the ad in this ad group (else a campaign and one are made)."
    ),
    budget: str = typer.Option("50", "--budget", help="Daily budget of a new ad group."),
    start: str | None = typer.Option(None, "--start", help="Flight start, UTC (default: now)."),
    end: str | None = typer.Option(
        None, "--end", help="Flight end, UTC (default: a creator's code's expiry, else none)."
    ),
    location: list[str] = typer.Option([], "--location", help="Location id (repeat; US)."),
    campaign_name: str | None = typer.Option(None, "--campaign-name"),
    ad_name: str | None = typer.Option(None, "--ad-name"),
    call_to_action: str = typer.Option("LEARN_MORE", "--cta", help="Call to action."),
    landing_page_url: str | None = typer.Option(None, "--landing-page-url"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Run every check; send nothing."),
    warn_days: int = WARN_DAYS,
    fmt: Fmt = FORMAT,
    api_base: str | None = API_BASE,
    insecure: bool = INSECURE,
) -> None:
    """Create a Spark ad from a post; every rule is checked first, and a refusal says the fix."""
    from tokops.campaigns import NewAdGroup, RuleRefused, SparkAdRequest, create_spark_ad

    new = NewAdGroup(
        budget=_money(budget),
        start=_moment(start, "--start"),
        end=_moment(end, "--end"),
        location_ids=tuple(location) or NewAdGroup().location_ids,
        campaign_name=campaign_name,
    )
    with _marketing(advertiser, api_base, insecure) as (mk, advertiser_id):
        request = SparkAdRequest(
            advertiser_id,
            post,
            objective,
            buying_type.value,
            adgroup_id=adgroup,
            new_adgroup=new,
            ad_name=ad_name,
            call_to_action=call_to_action,
            landing_page_url=landing_page_url,
        )
        try:
            result = create_spark_ad(mk, request, warn_days=warn_days, dry_run=dry_run)
        except RuleRefused as refused:
            _refuse(refused.findings, fmt)
            raise  # pragma: no cover - _refuse always exits
    if fmt is Fmt.json:
        _json(result.to_dict())
        return
    _print_findings(result.findings)
    if result.dry_run:
        typer.echo("dry run, nothing sent: every check passed; the creative would be:")
        typer.echo(orjson.dumps(result.creative, option=orjson.OPT_INDENT_2).decode())
        return
    typer.echo(
        f"created Spark ad {result.ad_id} (ad group {result.adgroup_id}, "
        f"campaign {result.campaign_id}) from post {result.post.item_id}"
    )


@app.command()
def explain(fmt: Fmt = FORMAT) -> None:
    """Where each tap on a Spark ad leads, and which metric counts it (SPK-9, SPK-10)."""
    from tokops.campaigns import TAPS
    from tokops.campaigns.spark_explain import describe_metric

    if fmt is Fmt.json:
        data: dict[str, Any] = {
            "taps": [t.to_dict() for t in TAPS],
            "metrics": {
                m: describe_metric(m)
                for t in TAPS
                for m in (*t.non_spark_metrics, *t.spark_metrics)
            },
        }
        _json(data)
        return
    cols = (
        Col("tap on", "left", wrap=True),
        Col("non-Spark ad leads to", "left", wrap=True),
        Col("counted as", "left", wrap=True),
        Col("Spark ad leads to", "left", wrap=True),
        Col("counted as", "left", wrap=True),
    )
    rows = [
        (
            t.element,
            t.non_spark,
            ", ".join(t.non_spark_metrics) or "-",
            t.spark,
            ", ".join(t.spark_metrics) or "-",
        )
        for t in TAPS
    ]
    console = Console()
    print_table(console, table_of("Taps on an ad and the metrics that count them", cols, rows))
    names = dict.fromkeys(m for t in TAPS for m in (*t.non_spark_metrics, *t.spark_metrics))
    for name in names:
        typer.echo(f"  {name}: {describe_metric(name)}")
    typer.echo(
        "Paid clicks: non-Spark = CTA + caption + nickname + profile photo + swipe; "
        "Spark = CTA + caption only (SPK-10)."
    )

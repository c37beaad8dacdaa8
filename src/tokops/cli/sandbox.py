"""`tokops sandbox …` commands: run the local TikTok emulator."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from tokops.cli._common import check_date
from tokops.errors import ConfigError

if TYPE_CHECKING:
    from tokops.sandbox import Sandbox

app = typer.Typer(no_args_is_help=True)


def _overrides(
    token: str | None,
    qps: int | None,
    allow_any_source: bool,
    faults: dict[str, Any],
    world: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in (world or {}).items() if v is not None}
    if token is not None:
        out["access_tokens"] = [token]
    if qps is not None:
        out["qps"] = qps
    if allow_any_source:
        out["allow_any_source"] = True
    given = {k: v for k, v in faults.items() if v is not None}
    if given:
        out["faults"] = given
    return out


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind (loopback by default)."),
    port: int = typer.Option(8765, min=0, max=65535, help="TCP port (0: any free port)."),
    token: str | None = typer.Option(
        None, help="Access token to accept (default: one is generated and printed)."
    ),
    config: Path | None = typer.Option(
        None, "--config", exists=True, dir_okay=False, help="TOML file of sandbox settings."
    ),
    qps: int | None = typer.Option(None, help="QPS limit of the event routes (default 1000)."),
    latency_ms: int | None = typer.Option(None, help="Latency added to every API call."),
    error_rate: float | None = typer.Option(None, help="Share of calls answered code 50000."),
    http5xx_rate: float | None = typer.Option(None, help="Share of calls answered HTTP 503."),
    drop_rate: float | None = typer.Option(None, help="Share of connections dropped."),
    storm_seconds: float | None = typer.Option(
        None, help="Answer 40100 to every call during the first N seconds."
    ),
    fault_seed: int | None = typer.Option(None, help="Seed of the fault RNG (reproducible)."),
    allow_any_source: bool = typer.Option(
        False, "--allow-any-source", help="Accept any event_source_id / advertiser_id."
    ),
    seed: int | None = typer.Option(None, help="Seed of the simulated world (default 1)."),
    scale: str | None = typer.Option(
        None, help="World size: small (default), medium (~1,000 ads) or large."
    ),
    marketing_qps: int | None = typer.Option(
        None, help="App-level QPS of the Marketing API routes (default 10)."
    ),
    world_anchor: str | None = typer.Option(
        None,
        "--world-anchor",
        callback=check_date,
        help="Last day of the world's history, YYYY-MM-DD (default: today, UTC); "
        "fix it to get the same answers on another day.",
    ),
) -> None:
    """Serve the sandbox over HTTP until Ctrl-C; prints its URL, token, seeded ids, the
    simulated world's advertisers and organic business ids (the port is bound first: a busy
    port is one error line, nothing else)."""
    from tokops.sandbox import Sandbox
    from tokops.sandbox.server.socket_server import bind, is_loopback
    from tokops.sandbox.server.socket_server import serve as run_server
    from tokops.sandbox.settings import SandboxConfigError, load_settings

    if not is_loopback(host) and token is None:
        raise ConfigError(
            f"refusing to bind {host}: a non-loopback host needs an explicit --token "
            "(the sandbox would be reachable from the network)"
        )
    faults = {
        "latency_ms": latency_ms,
        "error_rate": error_rate,
        "http5xx_rate": http5xx_rate,
        "drop_rate": drop_rate,
        "storm_seconds": storm_seconds,
        "seed": fault_seed,
    }
    try:
        world = {
            "seed": seed,
            "scale": scale,
            "marketing_qps": marketing_qps,
            "world_anchor": world_anchor,
        }
        settings = load_settings(config, _overrides(token, qps, allow_any_source, faults, world))
    except SandboxConfigError as exc:
        raise ConfigError(f"sandbox settings: {exc}") from None
    sandbox = Sandbox(settings)
    try:  # before printing anything: a busy port is one line, no banner
        sock = bind(host, port)
    except SandboxConfigError as exc:
        raise ConfigError(str(exc)) from None
    try:
        port = sock.getsockname()[1]
        _banner(sandbox, host, port)
        run_server(sandbox, host, port, sock=sock)
    finally:
        sock.close()


def _banner(sandbox: Sandbox, host: str, port: int) -> None:
    """What a user needs to point tokops at this sandbox: URL, token, seeded ids, the world."""
    from tokops.sandbox.server.socket_server import is_loopback

    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}"
    typer.echo(f"tokops sandbox on {url}")
    typer.echo(f"  access token: {sandbox.token}   (export TIKTOK_ACCESS_TOKEN={sandbox.token})")
    if is_loopback(host) or sandbox.settings.marketing.app_secret is not None:
        typer.echo(f"  app id: {sandbox.app_id}   app secret: {sandbox.app_secret}")
    else:  # a generated secret is not shown to a network-facing terminal log
        typer.echo(f"  app id: {sandbox.app_id}   app secret: GET /sandbox/oauth2/credentials/")
    typer.echo(f"  workspace:    tokops init --sandbox --api-base {url}")
    for kind, ids in sandbox.event_sources().items():
        typer.echo(f"  {kind.replace('_', ' ')}: {', '.join(ids) or '-'}")
    world_ = sandbox.world
    typer.echo(
        f"  world: seed {world_.seed}, scale {world_.scale}, "
        f"{world_.start} .. {world_.anchor}, {len(world_.ads)} ads"
    )
    for adv in world_.advertisers.values():
        typer.echo(
            f"  advertiser {adv.advertiser_id}  {adv.timezone:<20} {adv.currency}  {adv.name}"
        )
    accounts = world_.accounts.values()
    typer.echo("  organic business ids: " + (", ".join(a.business_id for a in accounts) or "-"))
    typer.echo(
        f"  shop app key: {sandbox.shop_api.app_key}  "
        f"(secret and shop ciphers: GET {url}/sandbox/shop/credentials/)"
    )
    active = {
        k: v for k, v in sandbox.settings.faults.model_dump().items() if v and k != "drop_phase"
    }
    if active:
        typer.echo(f"  faults: {active}")

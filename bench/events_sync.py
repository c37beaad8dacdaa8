"""Benchmark: events from a DuckDB table to an Events-API-shaped HTTP sink, tokops vs the SDK.

    python bench/events_sync.py [--events 1000000] [--sdk-events 50000]
    python bench/events_sync.py --cli [--events 1000000] [--runs 5]

``--cli`` (whole process, what a user runs; issue 9): writes ``--events`` web purchases to a
Parquet file with every email as a CRM exports it (``'  User1.Name@Example1.com '``) and phones
in E.164, then ``--runs`` times in a row: a fresh workspace (``tokops init`` in a new folder)
and ``tokops events sync --source ev.parquet --event-source web --event-source-id … --api-base
<sink>`` as its own process. For each run it prints whether it completed, events/s (events the
sink received ÷ the process's wall time, start-up included), the wall time, the process's peak
RSS and its CPU use (user + system ÷ wall: 200 % is both cores of a 2-core machine), with the
load average beside them. The in-process comparison with the SDK below is the default mode.

1. Generates ``--events`` realistic web purchases in a DuckDB file, in SQL (raw, messy emails
   and phones, so normalising and hashing are part of the work).
2. Starts a minimal HTTP sink on 127.0.0.1 in its own process (``bench/_sink.py``): it answers
   ``{"code":0,"message":"OK",…}`` and counts the events it receives.
3. Runs ``tokops.activate.sync.run_sync`` on the whole table in a child process, and reads that
   process's peak RSS (``VmHWM``; see :func:`peak_rss_kb`); then runs it again, as a re-run after
   a crash would (every event is already in the ledger: nothing may be sent, memory stays
   bounded).
4. Sends the first ``--sdk-events`` rows of the same table with TikTok's official Python SDK
   (``business_api_client``, legacy ``pixel/batch``, 1,000 events a request, hashing with
   :mod:`hashlib`) in another child process. The SDK runs on a sample to save time; events/s
   is what is compared.

Each side is timed inside its own process around the work only (reading the table, normalising,
hashing, building and sending the requests; not the interpreter's start, and each side imports
its libraries before its timer starts). It prints figures;
nothing here asserts on time. The sink's own CPU time is printed so you can check it was not the
bottleneck.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PIXEL_CODE = "CBENCHPIXEL000000001"
TOKEN = "bench-token"


def peak_rss_kb() -> int:
    """This process's peak resident set size in KiB.

    Linux: ``VmHWM`` from ``/proc/self/status``, which belongs to the process's own address space.
    (``ru_maxrss`` is not used there: Linux carries the pre-``exec`` high-water mark over, so a
    child would report its parent's size at fork time when that is larger.) Elsewhere:
    ``ru_maxrss`` (KiB on Linux and BSD, bytes on macOS).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


# -- child roles --------------------------------------------------------------------------------
def _role_tokops(db: Path, sink_url: str, concurrency: int) -> dict[str, Any]:
    from _data import TABLE
    from tokops.activate import SyncOptions, run_sync
    from tokops.tiktok import ApiClient, EventsClient
    from tokops.warehouse import connect

    store = connect(f"duckdb://{db}")
    # No client-side QPS cap: TikTok allows 1,000 QPS on event/track/ (events_api.md §4), far
    # above what one process sends here (about events/s ÷ 1,000 requests a second).
    options = SyncOptions(
        source=TABLE,
        event_source="web",
        event_source_id=PIXEL_CODE,
        mapping=_bench_mapping(),
        phone_region="FR",
        batch_size=1000,
        concurrency=concurrency,
    )
    _load_libraries()
    try:
        with ApiClient(TOKEN, api_base=sink_url) as api:
            started = time.perf_counter()
            summary = run_sync(store, EventsClient(api), options)
            seconds = time.perf_counter() - started
    finally:
        store.close()  # checkpoints, so the SDK's child does not replay the ledger's WAL
    return {
        "seconds": seconds,
        "counts": dict(summary.counts),
        "max_rss_kb": peak_rss_kb(),
    }


def _load_libraries() -> None:
    """Import what the sync loads lazily, before the timer starts, as the SDK's side imports its
    modules before its timer: both measure the work, not module loading. (pyarrow imports
    pandas on its first conversion of Python values; httpx imports its HTTP/1.1 stack on the
    first request.)"""
    import h11  # noqa: F401
    import httpcore  # noqa: F401
    import numpy  # noqa: F401
    import pyarrow as pa
    import pyarrow.compute  # noqa: F401

    pa.array([0])


def _bench_mapping() -> Any:
    from tokops.activate import FieldMapping

    return FieldMapping(
        columns={
            "event_time": "created_at",
            "order_id": "order_id",
            "email": "email",
            "phone": "phone",
            "external_id": "customer_id",
            "ip": "ip",
            "user_agent": "user_agent",
            "ttclid": "ttclid",
            "ttp": "ttp",
            "url": "landing_url",
            "value": "total_amount",
            "currency": "currency",
            "content_ids": "skus",
        },
        constants={"event": "Purchase"},
    )


def _role_sdk(db: Path, sink_url: str, events: int) -> dict[str, Any]:
    from _sdk_path import run_sdk

    result = run_sdk(db, sink_url, events, PIXEL_CODE)
    result["max_rss_kb"] = peak_rss_kb()
    return result


# -- orchestration ------------------------------------------------------------------------------
class Sink:
    """The sink process: start, read its port, ask for its counters, stop."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "_sink.py")], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            self.stop()
            raise RuntimeError("the sink did not start")
        self.url = f"http://127.0.0.1:{line[1]}"

    def stats(self) -> dict[str, Any]:
        import httpx

        answer: dict[str, Any] = httpx.get(self.url + "/stats", timeout=10).json()
        return answer

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _child(role: str, *args: str) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--role", role, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {role} run failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _received(before: dict[str, Any], after: dict[str, Any]) -> tuple[int, int, float]:
    """(events, requests, sink CPU seconds) between two snapshots of the sink's counters."""
    events = sum(after["events"].values()) - sum(before["events"].values())
    return events, after["requests"] - before["requests"], after["cpu_s"] - before["cpu_s"]


def _command(args: argparse.Namespace) -> str:
    parts = ["python", "bench/events_sync.py", "--events", str(args.events)]
    parts += ["--sdk-events", str(args.sdk_events), "--concurrency", str(args.concurrency)]
    return shlex.join(parts)


# -- whole-process mode (--cli) -----------------------------------------------------------------
def _tokops_command() -> list[str]:
    """The ``tokops`` console script beside this interpreter (as installed), else the module."""
    script = Path(sys.executable).parent / "tokops"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from tokops.cli.main import main; main()"]


def _timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run *cmd*; its wall time, exit code, output, and its own rusage (``wait4`` on its pid:
    peak RSS and CPU of that process, not of other children)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    import threading

    chunks: dict[str, str] = {}

    def drain(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=(n, s))
        for n, s in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    for r in readers:
        r.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = chunks.get("out", ""), chunks.get("err", "")
    peak_kb = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return {
        "rc": proc.returncode,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": peak_kb / 1024,
        "stdout": out,
        "stderr": err,
    }


def _cli_runs(args: argparse.Namespace) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKOPS_")}
    env["TIKTOK_ACCESS_TOKEN"] = TOKEN
    env["COLUMNS"] = "200"
    tokops = _tokops_command()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tokops-bench-cli-") as tmp:
        source = Path(tmp) / "ev.parquet"
        print(f"writing {args.events:,} messy web purchases to {source.name} …", flush=True)
        # in a child: a parent's size at fork time would show as the runs' peak RSS (Linux
        # carries the pre-exec high-water mark into ru_maxrss)
        _child("parquet", "--db", str(source), "--events", str(args.events))
        sink = Sink()
        try:
            for i in range(1, args.runs + 1):
                folder = Path(tmp) / f"ws{i}"
                folder.mkdir()
                init = subprocess.run(
                    [*tokops, "init"], cwd=folder, env=env, capture_output=True, text=True
                )
                if init.returncode != 0:
                    raise SystemExit(f"tokops init failed: {init.stderr.strip()}")
                cmd = [*tokops, "events", "sync", "--source", str(source)]
                cmd += ["--event-source", "web", "--event-source-id", PIXEL_CODE]
                cmd += ["--api-base", sink.url, "--json"]
                load = os.getloadavg()[0]
                before = sink.stats()
                run = _timed(cmd, folder, env)
                received, requests, _ = _received(before, sink.stats())
                run.update(_run_figures(run, received, requests, load, os.getloadavg()[0]))
                results.append(run)
                print(_run_line(i, args.runs, run), flush=True)
        finally:
            sink.stop()
    rates = sorted(r["events_per_s"] for r in results)
    completed = sum(r["completed"] for r in results)
    summary = {
        "mode": "cli",
        "events": args.events,
        "runs": len(results),
        "completed": completed,
        "median_events_per_s": rates[len(rates) // 2] if rates else 0,
        "max_peak_rss_mb": round(max((r["peak_rss_mb"] for r in results), default=0), 1),
        "results": [{k: v for k, v in r.items() if k not in ("stdout", "stderr")} for r in results],
        "command": shlex.join(
            [
                "python",
                "bench/events_sync.py",
                "--cli",
                "--events",
                str(args.events),
                "--runs",
                str(args.runs),
            ]
        ),  # fmt: skip
    }
    median, peak = summary["median_events_per_s"], summary["max_peak_rss_mb"]
    print(
        f"\n{completed} of {len(results)} runs completed; median {median:,} events/s "
        f"(target >= 100,000); max peak RSS {peak:.0f} MB "
        f"(target < 500 MB); {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs\nreproduce: {summary['command']}"
    )
    if args.json:
        print(json.dumps(summary))
    return 0 if completed == len(results) else 1


def _run_figures(
    run: dict[str, Any], received: int, requests: int, load_start: float, load_end: float
) -> dict[str, Any]:
    try:
        report = json.loads(run["stdout"])
    except ValueError:
        report = {}
    wall = run["wall_s"]
    return {
        "completed": run["rc"] == 0 and bool(report.get("completed")),
        "sent": int(report.get("counts", {}).get("sent", 0)),
        "received": received,
        "requests": requests,
        "events_per_s": round(received / wall) if wall else 0,
        "cpu_percent": round(100 * run["cpu_s"] / wall) if wall else 0,
        "load": f"{load_start:.1f}->{load_end:.1f}",
        "error": "" if run["rc"] == 0 else (run["stderr"].strip().splitlines() or [""])[-1],
    }


def _run_line(i: int, n: int, r: dict[str, Any]) -> str:
    state = "completed" if r["completed"] else f"NOT completed (exit {r['rc']}: {r['error']})"
    return (
        f"run {i}/{n}  {state}  {r['received']:,} events  {r['events_per_s']:,} events/s  "
        f"wall {r['wall_s']:.2f} s  peak RSS {r['peak_rss_mb']:.0f} MB  "
        f"CPU {r['cpu_percent']} %  load {r['load']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events tokops sends")
    parser.add_argument("--sdk-events", type=int, default=50_000, help="events the SDK sends")
    parser.add_argument("--concurrency", type=int, default=4, help="tokops request workers")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument(
        "--cli", action="store_true", help="whole-process runs of `tokops events sync` on Parquet"
    )
    parser.add_argument("--runs", type=int, default=5, help="--cli: fresh runs in a row")
    parser.add_argument(
        "--role", choices=("generate", "parquet", "tokops", "sdk"), help=argparse.SUPPRESS
    )
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sink", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))

    if args.role == "generate":
        from _data import generate

        generate(args.db, args.events, datetime.now(UTC))
        print(json.dumps({"events": args.events}))
        return 0
    if args.role == "parquet":
        from _data import generate_messy_parquet

        generate_messy_parquet(args.db, args.events, datetime.now(UTC))
        print(json.dumps({"events": args.events}))
        return 0
    if args.role == "tokops":
        print(json.dumps(_role_tokops(args.db, args.sink, args.concurrency)))
        return 0
    if args.role == "sdk":
        print(json.dumps(_role_sdk(args.db, args.sink, args.sdk_events)))
        return 0
    if args.cli:
        return _cli_runs(args)

    sdk_events = min(args.sdk_events, args.events)
    load = os.getloadavg()[0]  # other work on the machine skews the figures: say so
    with tempfile.TemporaryDirectory(prefix="tokops-bench-") as tmp:
        db = Path(tmp) / "bench.duckdb"
        print(f"generating {args.events:,} purchases in DuckDB …", flush=True)
        t0 = time.perf_counter()
        _child("generate", "--db", str(db), "--events", str(args.events))  # keeps this one small
        print(f"  done in {time.perf_counter() - t0:.1f} s", flush=True)
        sink = Sink()
        try:
            print(f"tokops: run_sync of {args.events:,} events to {sink.url} …", flush=True)
            s0 = sink.stats()
            common = ["--db", str(db), "--sink", sink.url]
            tokops = _child("tokops", *common, "--concurrency", str(args.concurrency))
            s1 = sink.stats()
            print(
                "tokops: the same sync again (a re-run: everything is already sent) …", flush=True
            )
            rerun = _child("tokops", *common, "--concurrency", str(args.concurrency))
            s1r = sink.stats()
            print(f"SDK: {sdk_events:,} events through business_api_client …", flush=True)
            sdk = _child("sdk", *common, "--sdk-events", str(sdk_events))
            s2 = sink.stats()
        finally:
            sink.stop()

    t_events, t_requests, t_sink_cpu = _received(s0, s1)
    r_events, r_requests, _ = _received(s1, s1r)
    k_events, k_requests, k_sink_cpu = _received(s1r, s2)
    t_rate = t_events / tokops["seconds"] if tokops["seconds"] else 0.0
    k_rate = k_events / sdk["seconds"] if sdk["seconds"] else 0.0
    figures = {
        "machine": f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}, load average at start {load:.1f}",
        "tokops": {
            "events_in_table": args.events,
            "events_received_by_sink": t_events,
            "requests": t_requests,
            "seconds": round(tokops["seconds"], 3),
            "events_per_s": round(t_rate),
            "peak_rss_mb": round(tokops["max_rss_kb"] / 1024, 1),
            "sync_counts": tokops["counts"],
            "sink_cpu_s": round(t_sink_cpu, 3),
        },
        "rerun": {
            "seconds": round(rerun["seconds"], 3),
            "sync_counts": rerun["counts"],
            "events_received_by_sink": r_events,
            "requests": r_requests,
            "peak_rss_mb": round(rerun["max_rss_kb"] / 1024, 1),
        },
        "sdk": {
            "events_sent": sdk_events,
            "events_received_by_sink": k_events,
            "requests": k_requests,
            "seconds": round(sdk["seconds"], 3),
            "events_per_s": round(k_rate),
            "peak_rss_mb": round(sdk["max_rss_kb"] / 1024, 1),
            "sink_cpu_s": round(k_sink_cpu, 3),
        },
        "ratio": round(t_rate / k_rate, 1) if k_rate else None,
        "command": _command(args),
    }
    _print(figures, sdk_sampled=sdk_events < args.events)
    if args.json:
        print(json.dumps(figures))
    return 0


def _print(f: dict[str, Any], *, sdk_sampled: bool) -> None:
    t, k = f["tokops"], f["sdk"]
    ratio = f["ratio"]
    sample = " (a sample of the table, to save time)" if sdk_sampled else ""
    lines = [
        "",
        f"machine            {f['machine']}",
        f"tokops             {t['events_received_by_sink']:,} events in {t['seconds']:.2f} s "
        f"= {t['events_per_s']:,} events/s ({t['requests']:,} requests)",
        f"tokops peak RSS    {t['peak_rss_mb']:.0f} MB (target < 500 MB: "
        f"{'met' if t['peak_rss_mb'] < 500 else 'NOT met'})",
        f"tokops sync counts {t['sync_counts']}",
        f"tokops re-run      {f['rerun']['sync_counts'].get('already_sent', 0):,} already sent, "
        f"{f['rerun']['events_received_by_sink']:,} events sent again, in "
        f"{f['rerun']['seconds']:.2f} s (peak RSS {f['rerun']['peak_rss_mb']:.0f} MB)",
        f"official SDK       {k['events_received_by_sink']:,} events{sample} in "
        f"{k['seconds']:.2f} s = {k['events_per_s']:,} events/s ({k['requests']:,} requests, "
        f"peak RSS {k['peak_rss_mb']:.0f} MB)",
        f"ratio              {ratio}x (target >= 10x: "
        f"{'met' if ratio is not None and ratio >= 10 else 'NOT met'})",
        f"sink CPU           {t['sink_cpu_s']:.2f} s during tokops, {k['sink_cpu_s']:.2f} s "
        "during the SDK (not the bottleneck when well below the run's seconds)",
        f"reproduce          {f['command']}",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())

"""Nothing a user types gives a traceback (issue 9 §2).

The test walks the command tree of the Typer app (new commands are covered without editing this
file) and feeds every command bad input: an unknown option, missing required options, a bad
date where a date option exists, a missing file where a path/source option exists, an output
path under a file, a port out of range. Each must exit non-zero with a short message on stderr:
no ``Traceback``, no "this is a bug" fallback, at most a usage line and an error line.

The full walk runs in process (through :func:`tokops.cli._errors.run`, as the console script
does); a sample runs as real ``tokops`` processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

from tokops.cli import _errors
from tokops.cli.main import app

MAX_STDERR_LINES = 3
BAD_DATE = "2026-99-01"
MISSING = "/nonexistent-tokops/missing.csv"
TOKOPS = Path(sys.executable).with_name("tokops")


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    expect: str
    """Text the error must contain (case-insensitive): proof it is about the bad input."""
    usage: bool = False
    """A usage error: exit code 2."""

    @property
    def id(self) -> str:
        return " ".join(self.args)


def _tree() -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, click command) of every group and command, depth first."""

    def walk(path: tuple[str, ...], cmd: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
        yield path, cmd
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            if not sub.hidden:
                yield from walk((*path, name), sub)

    yield from walk((), typer.main.get_command(app))


def _is_group(cmd: Any) -> bool:
    return bool(getattr(cmd, "commands", None))


def _descriptor(param: Any) -> Any:
    return getattr(param, "type_descriptor", None)


def _is_date(param: Any) -> bool:
    desc = _descriptor(param)
    return bool(desc is not None and desc.is_datetime) or "YYYY-MM-DD" in (
        getattr(param, "help", None) or ""
    )


def _is_output(param: Any) -> bool:
    return param.name in {"out", "folder"}


def _is_input_path(param: Any) -> bool:
    desc = _descriptor(param)
    is_path = bool(desc is not None and desc.is_path)
    help_text = (getattr(param, "help", None) or "").lower()
    return (is_path and not _is_output(param)) or "csv" in help_text


def _filler(param: Any) -> str:
    """A plausible value for a required parameter (the error must come from another one)."""
    desc = _descriptor(param)
    if desc is not None and desc.is_choice and desc.choices:
        return str(desc.choices[0])
    return "x"


def _with(cmd: Any, path: tuple[str, ...], bad: Any, value: str) -> tuple[str, ...]:
    """The command with every other required parameter filled and *bad* set to *value*."""
    args: list[str] = list(path)
    for param in cmd.params:
        if param is bad or not param.required:
            continue
        if param.param_type_name == "argument":
            args.append(_filler(param))
        else:
            args += [param.opts[0], _filler(param)]
    if bad.param_type_name == "argument":
        return (*args, value)
    return (*args, bad.opts[0], value)


def _cases(tmp: Path) -> list[Case]:
    a_file = tmp / "a-file.txt"
    under_file = str(a_file / "sub" / "out.toml")
    cases: list[Case] = []
    for path, cmd in _tree():
        cases.append(Case((*path, "--no-such-option"), "--no-such-option", usage=True))
        if _is_group(cmd):
            cases.append(Case((*path, "no-such-command"), "no-such-command", usage=True))
            continue
        required = [p for p in cmd.params if p.required and not p.envvar]  # env can fill one
        if required:
            cases.append(Case(path, "missing", usage=True))
        for param in cmd.params:
            if not param.opts[0].startswith("-") and param.param_type_name != "argument":
                continue
            if _is_date(param):
                cases.append(Case(_with(cmd, path, param, BAD_DATE), BAD_DATE))
            if _is_input_path(param):
                cases.append(Case(_with(cmd, path, param, MISSING), MISSING))
            if _is_output(param):
                cases.append(Case(_with(cmd, path, param, under_file), str(a_file)))
            if param.name == "port":
                for port in ("99999", "-1"):
                    cases.append(Case(_with(cmd, path, param, port), "--port", usage=True))
    return cases


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh workspace whose API is unreachable at once (no retries), with a token set."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file.txt").write_text("not a folder\n")
    (tmp_path / "tokops.toml").write_text(
        '[store]\nurl = "duckdb://store.duckdb"\n'
        '[tiktok]\napi_base = "http://127.0.0.1:9"\nmax_retries = 0\ntimeout_s = 2\n',
        encoding="utf-8",
    )
    for var in list(os.environ):
        if var.startswith(("TIKTOK_", "TOKOPS_")):
            monkeypatch.delenv(var)
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", "test-token")
    monkeypatch.setenv("TIKTOK_ADVERTISER_ID", "7100000000000000001")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    return tmp_path


def _check(case: Case, code: int, stderr: str) -> list[str]:
    """What is wrong with how *case* ended (empty: fine)."""
    problems: list[str] = []
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("→")]
    if code == 0:
        problems.append("exit code 0")
    if case.usage and code != 2:
        problems.append(f"exit code {code}, not 2 (usage error)")
    if "Traceback" in stderr or "this is a bug" in stderr:
        problems.append("traceback or unexpected error")
    if not lines:
        problems.append("nothing on stderr")
    if len(lines) > MAX_STDERR_LINES:
        problems.append(f"{len(lines)} lines on stderr")
    if case.expect.lower() not in stderr.lower():
        problems.append(f"the error does not mention {case.expect!r}")
    return [f"tokops {case.id}: {p}\n{stderr}" for p in problems]


def test_the_walk_covers_every_command(tmp_path: Path) -> None:
    """The walk finds the commands (a broken introspection would make the next test vacuous)."""
    ids = {c.id for c in _cases(tmp_path)}
    for expected in (
        "--no-such-option",
        "events sync",
        f"sync ads --since {BAD_DATE}",
        "sandbox serve --port 99999",
        f"events map {MISSING}",
        f"kpi --from {BAD_DATE}",
    ):
        assert expected in ids, expected
    assert len(ids) > 60


def test_every_command_answers_bad_input_in_one_line(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    problems: list[str] = []
    for case in _cases(workspace):
        monkeypatch.setattr(sys, "argv", ["tokops", *case.args])
        code = _errors.run(app)
        problems += _check(case, code, capsys.readouterr().err)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("args", "expect", "code"),
    [
        (("foo",), "No such command 'foo'", 2),
        (("events", "sync", "--event-source", "web", "--event-source-id", "C1"), "--source", 2),
        (
            ("events", "sync", "--source", "x", "--event-source", "tv", "--event-source-id", "C"),
            "'tv' is not one of",
            2,
        ),
        (("sync", "ads", "--since", BAD_DATE), BAD_DATE, 2),
        (("sandbox", "serve", "--config", "/nonexistent.toml"), "/nonexistent.toml", 2),
        (("sandbox", "serve", "--port", "99999"), "--port", 2),
        (("events", "map", "a-file.txt", "--out", "/nonexistent/dir/m.toml"), "does not exist", 1),
        (("demo", "run", "--folder", "a-file.txt/demo"), "a-file.txt", 1),
    ],  # fmt: skip
)
def test_as_a_process(workspace: Path, args: tuple[str, ...], expect: str, code: int) -> None:
    """What a user sees in a shell: the console script, its exit code and its stderr."""
    done = subprocess.run(
        [str(TOKOPS), *args], capture_output=True, text=True, timeout=60, env=os.environ.copy()
    )
    assert done.returncode == code, done.stderr
    assert not _check(Case(args, expect, usage=code == 2), done.returncode, done.stderr)


def test_version_and_bare_groups_exit_zero(workspace: Path) -> None:
    version = subprocess.run([str(TOKOPS), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("tokops ")
    assert version.stdout.split()[1][0].isdigit()
    for group in ((), ("events",), ("sandbox",)):
        done = subprocess.run([str(TOKOPS), *group], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "Usage: tokops" in done.stdout and "Traceback" not in done.stderr


def test_debug_shows_the_traceback(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--debug`` is the way to the traceback: the error is raised, not summarised."""
    from tokops.errors import ConfigError

    monkeypatch.setattr(sys, "argv", ["tokops", "--debug", "sync", "organic"])
    with pytest.raises(ConfigError, match="business"):
        _errors.run(app)


def test_an_os_error_is_one_line_and_a_bug_says_so(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path the system refuses is one line; an unexpected exception (a bug) is one line that
    says how to get the traceback — never a traceback by default."""
    import tokops.cli.workspace

    def refused(*args: object, **kwargs: object) -> Path:
        raise PermissionError(13, "Permission denied", "/srv/shop/tokops.toml")

    monkeypatch.setattr(tokops.cli.workspace, "write_workspace", refused)
    monkeypatch.setattr(sys, "argv", ["tokops", "init", "--force"])
    assert _errors.run(app) == 1
    err = capsys.readouterr().err
    assert err == "error: /srv/shop/tokops.toml: Permission denied\n"

    def bug(*args: object, **kwargs: object) -> Path:
        raise KeyError("boom")

    monkeypatch.setattr(tokops.cli.workspace, "write_workspace", bug)
    assert _errors.run(app) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert "KeyError" in err and "--debug" in err


def test_option_errors_are_printed_with_the_flags(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tokops` words a library OptionError as its flags (cli/_errors.flag_of), in one line."""
    import typer

    from tokops.cli._errors import run
    from tokops.errors import OptionError

    app = typer.Typer()

    @app.command()
    def organic() -> None:
        raise OptionError("no business account to sync: give {business_ids} ID")

    monkeypatch.setattr(sys, "argv", ["tokops"])
    assert run(app) == 1
    err = capsys.readouterr().err
    assert "no business account to sync: give --business-id ID" in err
    assert "Traceback" not in err

"""Progress bars only on a terminal, stopped whatever happens (stdout stays for ``--json``)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.progress import Progress

from tokops.cli import _progress


class Quiet:
    pass


class Live:
    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        bar.start()


def _terminal(monkeypatch: pytest.MonkeyPatch, *, terminal: bool = True) -> None:
    console = Console(file=io.StringIO(), force_terminal=terminal)
    monkeypatch.setattr(_progress, "ERR", console)


def test_a_pipe_gets_the_quiet_reporter(monkeypatch: pytest.MonkeyPatch) -> None:
    _terminal(monkeypatch, terminal=False)
    with _progress.reporting(Quiet, Live, enabled=True) as reporter:
        assert isinstance(reporter, Quiet)


def test_a_terminal_gets_a_bar_unless_it_is_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    _terminal(monkeypatch)
    with _progress.reporting(Quiet, Live, enabled=False) as reporter:
        assert isinstance(reporter, Quiet)
    with _progress.reporting(Quiet, Live, enabled=True) as live:
        assert isinstance(live, Live) and live.bar.live.is_started
    assert not live.bar.live.is_started


def test_the_bar_stops_when_the_command_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    _terminal(monkeypatch)
    with pytest.raises(RuntimeError), _progress.reporting(Quiet, Live, enabled=True) as live:
        assert isinstance(live, Live)
        raise RuntimeError("the sync broke")
    assert not live.bar.live.is_started
    assert [c.__class__.__name__ for c in live.bar.columns][-1] == "TextColumn"

"""What a rule check returns, and the error a refused operation raises.

A check never raises: it returns :class:`Finding` values, each naming the requirement it comes
from (``SPK-4`` …), how serious it is, what was found and what to do about it. An operation
that meets an ``error`` finding raises :class:`RuleRefused`, which carries every finding (the
warnings too), so a caller can show all of them at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Final, Literal

from tokops.errors import TokopsError

__all__ = ["SEVERITY_ORDER", "Finding", "RuleRefused", "Severity", "errors_of"]

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: Final[Mapping[str, int]] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of a rule check: *message* says what was found, *fix* what to do."""

    rule: str
    """The requirement it comes from (``REQUIREMENTS.md``), e.g. ``SPK-4``."""
    severity: Severity
    message: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.message} — {self.fix}" if self.fix else self.message


def errors_of(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that block the operation."""
    return [f for f in findings if f.severity == "error"]


class RuleRefused(TokopsError):
    """An operation was refused before any call because a rule is not met."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        blocking = errors_of(self.findings) or list(self.findings)
        super().__init__("refused: " + "; ".join(f"{f} ({f.rule})" for f in blocking))

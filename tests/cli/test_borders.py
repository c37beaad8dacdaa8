"""The CLI holds no logic: it builds clients in one place and uses the library's public faces
(issue 10 §4; ARCHITECTURE.md, ``cli``).

import-linter checks the package arrows (``make lint``); these checks read the CLI's own source
for what a package contract cannot say.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import tokops.cli

CLI = Path(tokops.cli.__file__).parent
MODULES = sorted(CLI.glob("*.py"))

#: What makes a connection to TikTok; only ``cli/_client.py`` calls these.
CLIENT_BUILDERS = frozenset(
    {"ApiClient", "MarketingClient", "ShopClient", "connect_client", "Client", "AsyncClient"}
)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported(tree: ast.Module, *, names: bool) -> Iterator[str]:
    """Every module an import statement names; with *names*, ``from a import b`` also
    yields ``a.b``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            if names:
                yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _called(tree: ast.Module) -> Iterator[str]:
    """The name of every function called (``x.y.f(…)`` gives ``f``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                yield func.id
            elif isinstance(func, ast.Attribute):
                yield func.attr


def _private_outside_cli(module: str) -> bool:
    """``tokops.<package>…._name``: another package's private module or name."""
    parts = module.split(".")
    return (
        parts[0] == "tokops"
        and parts[1:2] != ["cli"]
        and any(p.startswith("_") and not p.startswith("__") for p in parts[2:])
    )


def test_the_cli_modules_are_found() -> None:
    names = {p.name for p in MODULES}
    assert {"_client.py", "_common.py", "sync.py", "health.py", "main.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_only_the_client_module_builds_api_clients(path: Path) -> None:
    built = CLIENT_BUILDERS.intersection(_called(_tree(path)))
    if path.name == "_client.py":
        assert {"ApiClient", "ShopClient", "connect_client"} <= built
    else:
        assert not built, f"cli/{path.name} builds {sorted(built)}: use tokops.cli._client"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_the_cli_uses_public_faces_only(path: Path) -> None:
    """No ``tokops.tiktok._http`` or other private module or name, no warehouse internals: the
    store is ``tokops.warehouse`` (``Store``, ``connect``)."""
    tree = _tree(path)
    private = sorted({m for m in _imported(tree, names=True) if _private_outside_cli(m)})
    assert not private, f"cli/{path.name} imports private modules or names {private}"
    inner = sorted({m for m in _imported(tree, names=False) if m.startswith("tokops.warehouse.")})
    assert not inner, f"cli/{path.name} imports warehouse internals {inner}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_the_store_is_opened_in_one_place(path: Path) -> None:
    connects = [name for name in _called(_tree(path)) if name == "connect"]
    if path.name == "_common.py":
        assert connects == ["connect"]
    else:
        assert not connects, f"cli/{path.name} connects to the store: use _common.open_store"


def test_the_private_module_rule_can_fail() -> None:
    assert _private_outside_cli("tokops.tiktok._http")
    assert _private_outside_cli("tokops.tiktok._http.ApiClient")
    assert not _private_outside_cli("tokops.tiktok")
    assert not _private_outside_cli("tokops.tiktok.ApiClient")
    assert not _private_outside_cli("tokops.cli._client")
    assert not _private_outside_cli("tokops.tiktok.__init__")
    assert _private_outside_cli("tokops.insights.plan._measure")

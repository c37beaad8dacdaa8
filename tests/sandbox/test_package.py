"""Package hygiene: the public API, settings loading, and the client/sandbox independence rule."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

import tokops.sandbox
from tokops.sandbox import FaultSettings, SandboxSettings, load_settings
from tokops.sandbox.settings import (
    DEFAULT_ADVERTISER_ID,
    DEFAULT_CRM_EVENT_SET_ID,
    DEFAULT_OFFLINE_EVENT_SET_ID,
    DEFAULT_PIXEL_CODE,
    SandboxConfigError,
)

SANDBOX_SRC = Path(tokops.sandbox.__file__).parent


def isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions (ruff's RUF022 order, as in tokops.config)."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def declared_all(path: Path) -> list[str]:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            assert isinstance(node.value, ast.List)
            return [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
    return []


def test_public_api_is_sorted_and_complete() -> None:
    public = tokops.sandbox.__all__
    assert public == sorted(public, key=isort_key)
    assert {"Sandbox", "SandboxSettings", "create_app"} <= set(public)
    for name in public:
        assert getattr(tokops.sandbox, name) is not None


@pytest.mark.parametrize("path", sorted(SANDBOX_SRC.glob("*.py")), ids=lambda p: p.name)
def test_each_module_declares_a_sorted_all(path: Path) -> None:
    names = declared_all(path)
    assert names, f"{path.name} has no __all__"
    assert names == sorted(names, key=isort_key)
    module = __import__(f"tokops.sandbox.{path.stem}", fromlist=["_"])
    assert all(hasattr(module, n) for n in names)


SUBPACKAGES = ("events", "marketing", "server", "shop", "world")


def test_the_sandbox_is_grouped_by_role() -> None:
    """Beside settings, every module sits in the package of its role (issue 10 §3)."""
    assert sorted(p.name for p in SANDBOX_SRC.glob("*.py")) == ["__init__.py", "settings.py"]
    assert sorted(p.name for p in SANDBOX_SRC.iterdir() if (p / "__init__.py").exists()) == sorted(
        SUBPACKAGES
    )


@pytest.mark.parametrize(
    "path",
    sorted(path for name in SUBPACKAGES for path in SANDBOX_SRC.glob(f"{name}/*.py")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_subpackage_modules_declare_a_sorted_all_and_stay_small(path: Path) -> None:
    names = declared_all(path)
    if path.name != "__init__.py" or names:
        assert names == sorted(names, key=isort_key)
    module = __import__(f"tokops.sandbox.{path.parent.name}.{path.stem}", fromlist=["_"])
    assert all(hasattr(module, n) for n in names)
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 420


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_sandbox_never_imports_the_client_nor_the_error_tree() -> None:
    """Client and sandbox are built from the spec independently (DESIGN.md)."""
    files = list(SANDBOX_SRC.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for module in _imports(path):
            assert not module.startswith("tokops.tiktok"), f"{path.name} imports {module}"
            assert module != "tokops.errors", f"{path.name} imports {module}"


def test_seeded_world_has_the_documented_shapes() -> None:
    assert len(DEFAULT_PIXEL_CODE) == 20 and DEFAULT_PIXEL_CODE.startswith("C")
    for numeric in (DEFAULT_OFFLINE_EVENT_SET_ID, DEFAULT_CRM_EVENT_SET_ID, DEFAULT_ADVERTISER_ID):
        assert numeric.isdigit() and len(numeric) == 19
    settings = SandboxSettings()
    assert settings.qps == 1000 and settings.allow_any_source is False
    assert settings.sources.pixel_codes == (DEFAULT_PIXEL_CODE,)


def test_settings_refuse_unknown_keys_and_bad_values() -> None:
    with pytest.raises(ValidationError):
        SandboxSettings(qsp=5)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        FaultSettings(error_rate=1.5)
    with pytest.raises(ValidationError):
        SandboxSettings(qps=0)


def test_load_settings_from_toml_with_overrides(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.toml"
    path.write_text(
        'access_tokens = ["file-token"]\nqps = 5\n\n'
        '[sources]\npixel_codes = ["CFILEPIXEL0000000001"]\n\n'
        "[faults]\nlatency_ms = 20\nerror_rate = 0.1\nseed = 7\n",
        encoding="utf-8",
    )
    settings = load_settings(path, {"qps": 9, "faults": {"latency_ms": 1}})
    assert settings.access_tokens == ("file-token",)
    assert settings.qps == 9
    assert settings.sources.pixel_codes == ("CFILEPIXEL0000000001",)
    assert settings.faults == FaultSettings(latency_ms=1, error_rate=0.1, seed=7)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("qps = 'fast'", "qps"),
        ("[faults]\ndrop_rate = 2", "faults.drop_rate"),
        ("bogus = 1", "bogus"),
        ("qps = = 1", "not valid TOML"),
    ],
)
def test_load_settings_errors_name_the_key(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SandboxConfigError, match=needle):
        load_settings(path)


def test_load_settings_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SandboxConfigError, match="cannot be read"):
        load_settings(tmp_path / "nope.toml")

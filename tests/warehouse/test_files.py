"""CSV and Parquet sources: fixed dialect, every column as text, unparseable lines reported."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tokops.errors import SourceError
from tokops.warehouse import Store

BROKEN_CSV = (
    "event,email,value,note\n"
    'Purchase,a@b.com,10,"hi, there"\n'  # line 2: fine (quoted delimiter)
    "Purchase,x@y.com,5,too,many,cols\n"  # line 3: too many columns
    "Lead,c@d.com\n"  # line 4: too few columns
    'Purchase,e@f.com,7,"multi\nline note"\n'  # lines 5-6: one quoted field with a newline
    "Purchase,g@h.com,8,ok\n"
)


def _rows(store: Store, path: Path) -> tuple[list[dict[str, str]], list[tuple[int, str]]]:
    loaded = store.read_file(path)
    rows = store.fetch(loaded.table).to_pylist()
    return rows, [(r.line, r.problem) for r in loaded.rejected]


def test_broken_lines_are_reported_and_good_ones_kept(any_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(BROKEN_CSV, encoding="utf-8")
    rows, rejected = _rows(any_store, path)
    assert [r["email"] for r in rows] == ["a@b.com", "e@f.com", "g@h.com"]
    assert rows[0]["note"] == "hi, there" and rows[1]["note"] == "multi\nline note"
    assert rejected == [(3, "too many columns"), (4, "too few columns")]
    assert all(isinstance(v, str) for r in rows for v in r.values())


def test_non_utf8_line_is_rejected(duck_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"event,email\nPurchase,a@b.com\nPurchase,caf\xe9@b.com\n")
    rows, rejected = _rows(duck_store, path)
    assert [r["email"] for r in rows] == ["a@b.com"]
    assert rejected == [(3, "not UTF-8 text")]


@pytest.mark.parametrize(("sep", "suffix"), [(";", ".csv"), ("\t", ".tsv"), ("|", ".txt")])
def test_delimiter_from_header(duck_store: Store, tmp_path: Path, sep: str, suffix: str) -> None:
    path = tmp_path / f"data{suffix}"
    path.write_text(f"event{sep}value\nPurchase{sep}1,5\n", encoding="utf-8")
    rows, rejected = _rows(duck_store, path)
    assert rows == [{"event": "Purchase", "value": "1,5"}] and not rejected


def test_hostile_header_names_bom_and_gzip(any_store: Store, tmp_path: Path) -> None:
    header = '\ufeffevent,"we""ird, name",\'; DROP TABLE x;--,,event\n'
    path = tmp_path / "h.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(header + "Purchase,1,2,3,4\n")
    loaded = any_store.read_file(path)
    assert loaded.table.columns == (
        "event",
        'we"ird, name',
        "'; DROP TABLE x;--",
        "column4",
        "event_2",
    )
    assert any_store.fetch(loaded.table).to_pylist()[0]["event_2"] == "4"


def test_parquet_keeps_types(any_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"value": [1.5], "content_ids": [["a", "b"]], "n": [3]}), path)
    rows = any_store.fetch(any_store.read_file(path).table).to_pylist()
    assert rows == [{"value": 1.5, "content_ids": ["a", "b"], "n": 3}]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file"),
        ("empty.csv", "", "empty"),
        ("data.json", "{}", "unsupported file type"),
    ],
)
def test_unreadable_files_are_one_line_errors(
    duck_store: Store, tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError, match=message) as info:
        duck_store.read_file(path)
    assert "\n" not in str(info.value)

"""Discovery, fingerprinting and decoding of source files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from flows.reading import UnreadableInput, content_type, decode, discover


def test_discover_is_recursive_sorted_and_hashes_bytes(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.html").write_bytes(b"<p>two</p>")
    (tmp_path / "one.txt").write_bytes(b"one")
    (tmp_path / "notes.csv").write_bytes(b"ignored")
    files, problems = discover(tmp_path)
    assert [f.rel_path for f in files] == ["b/two.html", "one.txt"]
    assert files[1].doc_id == hashlib.sha256(b"one").hexdigest()
    assert files[1].byte_size == 3
    assert problems == []


def test_discover_does_not_follow_symlinked_folders(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("text")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    files, _ = discover(tmp_path)
    assert [f.rel_path for f in files] == ["a.txt"]


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        ("Raisi said, “We welcome it.”".encode(), "Raisi said, “We welcome it.”", "utf-8"),
        ("\ufeffBOM first".encode(), "BOM first", "utf-8"),
        (
            "Дорогой житель города Баку! Вы тоже можете внести свой вклад".encode("cp1251"),
            "Дорогой житель города Баку! Вы тоже можете внести свой вклад",
            "cp1251",
        ),
    ],
)
def test_decode(data: bytes, text: str, encoding: str) -> None:
    assert decode(data) == (text, encoding)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b" \n\t\n", "only whitespace"),
        (b"\x00\x01\x02binary", "NUL"),
    ],
)
def test_decode_rejects_unusable_bytes(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableInput, match=reason):
        decode(data)


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("a.html", "plain words", "html"),
        ("a.HTM", "", "html"),
        ("a.txt", "  <!DOCTYPE html><html>", "html"),
        ("a.md", "## Heading", "text"),
        ("a.txt", "Plain <b>text</b>", "text"),
    ],
)
def test_content_type(path: str, text: str, kind: str) -> None:
    assert content_type(path, text) == kind

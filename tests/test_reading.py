"""Discovery, fingerprinting and decoding of source files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from flows.ingest.reading import UnreadableInput, content_type, decode, discover, trusted_stats


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


def test_unchanged_stat_keeps_the_digest_without_reading(tmp_path: Path) -> None:
    import os

    article = tmp_path / "a.txt"
    article.write_bytes(b"first")
    (first,) = discover(tmp_path)[0]
    known = {"a.txt": (first.byte_size, first.mtime_ns, first.ctime_ns, "digest-from-before")}
    (again,) = discover(tmp_path, known)[0]
    assert (again.doc_id, again.hashed) == ("digest-from-before", False)  # not read

    article.write_bytes(b"other")  # same size, new content and times
    (edited,) = discover(tmp_path, known)[0]
    assert (edited.doc_id, edited.hashed) == (hashlib.sha256(b"other").hexdigest(), True)

    stat = article.stat()
    os.utime(article, ns=(stat.st_atime_ns, first.mtime_ns))  # mtime put back: ctime moved
    (restored,) = discover(tmp_path, known)[0]
    assert restored.hashed


def test_recently_modified_files_are_not_trusted_by_stat(tmp_path: Path) -> None:
    import time

    (tmp_path / "a.txt").write_bytes(b"text")
    files, _ = discover(tmp_path)
    assert trusted_stats(files, time.time_ns()) == []  # could still be being written
    assert trusted_stats(files, time.time_ns() + 10**10) == files


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
        (
            "Le président a reçu à Bakou son homologue, déjà célèbre".encode("cp1252"),
            "Le président a reçu à Bakou son homologue, déjà célèbre",
            "cp1252",
        ),
        ("Tehran “talks”".encode("utf-16"), "Tehran “talks”", "utf-16"),
    ],
)
def test_decode(data: bytes, text: str, encoding: str) -> None:
    decoded = decode(data)
    assert (decoded.text, decoded.encoding, decoded.repair) == (text, encoding, None)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b" \n\t\n", "only whitespace"),
        (b"\x00\x01\x02binary", "binary content"),
        (b"text\x00" * 50, "NUL"),
        (bytes(range(1, 32)) * 50, "binary content"),
        (b"\xff\xfe" + bytes(range(0xD8, 0xE0)) * 20, "utf-16"),
    ],
)
def test_decode_rejects_unusable_bytes(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableInput, match=reason):
        decode(data)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        # the one-liners of issue 15: ASCII with one high byte, and a short Cyrillic line
        ("The delegation visited a café in Baku on Monday.", "cp1252"),
        ("Алиев принял министра в Баку.", "cp1251"),
        (
            "See https://example.org/news/2024/03/11/a-very-long-address-of-the-story, café.",
            "cp1252",
        ),
        ("Erdoğan ve Aliyev Bakü’de görüştü.", "cp1254"),
        ("Президент в Баку.", "koi8_r"),
        ("الرئيس يزور باكو", "cp1256"),
    ],
    ids=["latin1-one-e", "cp1251-one-line", "long-url", "cp1254", "koi8_r", "cp1256"],
)
def test_short_legacy_text_is_decoded_not_rejected(text: str, encoding: str) -> None:
    decoded = decode(text.encode(encoding))
    assert (decoded.text, decoded.encoding, decoded.repair) == (text, encoding, None)


@pytest.mark.parametrize(
    "data",
    [bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 300, bytes(range(128, 256)) * 20],
    ids=["undefined-bytes", "every-high-byte"],
)
def test_bytes_no_codec_decodes_plausibly_are_rejected(data: bytes) -> None:
    with pytest.raises(UnreadableInput, match="no legacy encoding decodes it plausibly"):
        decode(data)


def test_damaged_utf8_is_still_repaired_in_a_short_text() -> None:
    data = "Erdoğan met Aliyev.".encode() + b"\xff"
    decoded = decode(data)
    assert decoded.encoding == "utf-8"
    assert decoded.repair == "replaced 1 invalid UTF-8 byte sequence(s)"


def test_stray_nul_bytes_are_removed_and_reported() -> None:
    text = "A long enough paragraph of article text about the meeting in Baku. " * 20
    data = text.encode()[:700] + b"\x00" + text.encode()[700:]
    decoded = decode(data)
    assert decoded.text == text
    assert decoded.repair == "removed stray NUL bytes"


def test_discover_reports_broken_links_and_survives_deep_folders(tmp_path: Path) -> None:
    deep = tmp_path
    for level in range(120):
        deep = deep / f"d{level % 10}"
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text("deep")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "loop_a.txt").symlink_to(tmp_path / "loop_b.txt")
    (tmp_path / "loop_b.txt").symlink_to(tmp_path / "loop_a.txt")
    files, problems = discover(tmp_path)
    assert [f.rel_path.endswith("deep.txt") for f in files] == [True]
    assert dict(problems) == {
        "dangling.txt": "broken or looping symbolic link",
        "loop_a.txt": "broken or looping symbolic link",
        "loop_b.txt": "broken or looping symbolic link",
    }


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

"""Find article files under the source folder, fingerprint them and decode their bytes."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm"})
HTML_SUFFIXES = frozenset({".html", ".htm"})


class UnreadableInput(Exception):
    """A file whose bytes cannot become article text; the message says why."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One candidate article file and the SHA-256 of its bytes."""

    path: Path
    rel_path: str
    doc_id: str
    byte_size: int


def discover(source: Path) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Article files below `source` (sorted), and (rel_path, reason) for unreadable ones."""
    found: list[SourceFile] = []
    problems: list[tuple[str, str]] = []
    for path in _walk(source):
        rel_path = path.relative_to(source).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append((rel_path, f"cannot read file: {exc.strerror or exc}"))
            continue
        found.append(SourceFile(path, rel_path, hashlib.sha256(data).hexdigest(), len(data)))
    return found, problems


def _walk(source: Path) -> list[Path]:
    """Regular article files below `source`; symlinked folders are not followed (no loops)."""
    paths: list[Path] = []
    for folder, dirs, files in os.walk(source, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix.lower() in ARTICLE_SUFFIXES and path.is_file():
                paths.append(path)
    return sorted(paths)


def content_type(path: str, text: str) -> str:
    """`html` for .html/.htm files or text that starts like an HTML document, else `text`."""
    if Path(path).suffix.lower() in HTML_SUFFIXES:
        return "html"
    head = text.lstrip()[:200].lower()
    return "html" if head.startswith(("<!doctype html", "<html")) else "text"


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) for article bytes; raises UnreadableInput for empty or binary data."""
    if not data.strip():
        raise UnreadableInput("empty file" if not data else "file holds only whitespace")
    if b"\x00" in data[:8192]:
        raise UnreadableInput("binary content (NUL bytes)")
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        # Legacy codecs (cp1251 from Russian/Azerbaijani sites, cp1252, ...): charset-normalizer
        # weighs every candidate codec by how coherent the decoded text is.
        guess = from_bytes(data[:200_000]).best()
        if guess is None:
            raise UnreadableInput("not valid UTF-8 and no legacy encoding fits") from None
        text, encoding = data.decode(guess.encoding, errors="replace"), guess.encoding
    if not _looks_like_text(text):
        raise UnreadableInput(f"binary content (as {encoding} it is mostly control characters)")
    return text, encoding


def _looks_like_text(text: str) -> bool:
    """Reject decodings that are mostly control characters (binary data that happened to decode)."""
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls <= len(sample) * 0.01

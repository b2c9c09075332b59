"""Find article files under the source folder, fingerprint them and decode their bytes.

Hostile input never raises out of here: every file that cannot become article text comes
back with a plain-language reason, for meta.quarantine.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
# A few stray NUL bytes (a damaged save) are removed; more than this share means binary data.
MAX_NUL_SHARE = 0.01
MAX_CHAOS = 0.2
# Legacy codecs of the region's and wire services' sites, most common first (ties go to the
# earlier one: cp1252 and cp1250 decode plain Western text identically).
LEGACY_CODECS = (
    "cp1252",
    "cp1251",
    "cp1254",
    "cp1256",
    "koi8_r",
    "iso8859_5",
    "iso8859_9",
    "cp1250",
    "latin_1",
)
# A UTF-8 file with a handful of damaged bytes is repaired, not rejected.
MAX_BAD_UTF8_SHARE = 0.001
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


_NOISE = frozenset({"Cn", "Co", "Cs"})
# Bytes below 0x20 other than tab, newline, form feed and carriage return: text has almost none.
_CONTROL_BYTES = frozenset(set(range(1, 32)) - {9, 10, 12, 13})


class UnreadableInput(Exception):
    """A file whose bytes cannot become article text; the message says why."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One candidate article file and the SHA-256 of its bytes."""

    location: str  # the file's path as found (kept as text: pathlib costs seconds at 100k)
    rel_path: str
    doc_id: str
    byte_size: int
    mtime_ns: int = 0
    ctime_ns: int = 0  # changes when the file is replaced or renamed, even with its mtime kept
    hashed: bool = True  # False when the digest was taken over from an unchanged stat

    @property
    def path(self) -> Path:
        """The file's path."""
        return Path(self.location)


# A file modified this close to the scan may still be being written, or modified again
# within the clock's granularity without its size changing: its stat is not trusted.
RACY_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class Decoded:
    """Article text, the codec it was decoded with, and any repair made on the way."""

    text: str
    encoding: str
    repair: str | None = None


def discover(
    source: Path, known: dict[str, tuple[int, int, int, str]] | None = None
) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Article files below `source` (sorted), and (rel_path, reason) for unreadable ones.

    `known` maps rel_path -> (byte_size, mtime_ns, ctime_ns, doc_id) from an earlier scan: a
    file whose size and times are unchanged keeps its digest without being read again (as
    git's index does); any other file is read and hashed.
    """
    known = known or {}
    found: list[SourceFile] = []
    problems: list[tuple[str, str]] = []
    prefix = len(os.path.join(str(source), ""))
    for path, problem, info in _walk(source):
        rel_path = path[prefix:].replace(os.sep, "/") or "."
        if problem or info is None:
            problems.append((rel_path, problem or "file vanished"))
            continue
        size, mtime, ctime = info.st_size, info.st_mtime_ns, info.st_ctime_ns
        previous = known.get(rel_path)
        if previous is not None and previous[:3] == (size, mtime, ctime):
            found.append(SourceFile(path, rel_path, previous[3], size, mtime, ctime, False))
            continue
        try:
            digest, size = _fingerprint(Path(path))
        except OSError as exc:
            problems.append((rel_path, f"cannot read file: {exc.strerror or exc}"))
            continue
        found.append(SourceFile(path, rel_path, digest, size, mtime, ctime))
    return found, problems


def trusted_stats(files: list[SourceFile], scanned_at_ns: int) -> list[SourceFile]:
    """The freshly hashed files whose stat can vouch for their digest next time."""
    return [f for f in files if f.hashed and max(f.mtime_ns, f.ctime_ns) < scanned_at_ns - RACY_NS]


def _fingerprint(path: Path) -> tuple[str, int]:
    """SHA-256 hex and size, streamed so a huge file never sits in memory whole."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
        return digest.hexdigest(), handle.tell()


def _walk(source: Path) -> list[tuple[str, str | None, os.stat_result | None]]:
    """(path, problem, stat) for every article file below `source`, depth-first without
    recursion (deep folders cannot exhaust the stack); symlinked folders are not followed.
    Sorted folder by folder, as paths compare."""
    results: list[tuple[str, str | None, os.stat_result | None]] = []
    pending = [str(source)]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            results.append((folder, f"cannot list folder: {exc.strerror or exc}", None))
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            elif os.path.splitext(entry.name)[1].lower() in ARTICLE_SUFFIXES:
                results.append((entry.path, *_file_problem(entry)))
    return sorted(results, key=lambda item: item[0].split(os.sep))


def _file_problem(entry: os.DirEntry[str]) -> tuple[str | None, os.stat_result | None]:
    """(why an article-named entry is not a readable regular file or None, its stat)."""
    try:
        info = os.stat(entry.path)  # follows symlinks
    except OSError:
        why = "broken or looping symbolic link" if entry.is_symlink() else "file vanished"
        return why, None
    if stat.S_ISDIR(info.st_mode):  # only a symlink gets here: folders are walked
        return "symbolic link to a folder (not followed)", None
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (device, socket or pipe)", None
    return None, info


def content_type(path: str, text: str) -> str:
    """`html` for .html/.htm files or text that starts like an HTML document, else `text`."""
    if Path(path).suffix.lower() in HTML_SUFFIXES:
        return "html"
    head = text.lstrip()[:200].lower()
    return "html" if head.startswith(("<!doctype html", "<html")) else "text"


def decode(data: bytes) -> Decoded:
    """Article text from bytes; raises UnreadableInput for empty, binary or undecodable data."""
    if not data.strip():
        raise UnreadableInput("empty file" if not data else "file holds only whitespace")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(_strict(data, encoding), encoding.removesuffix("-sig"))
    head = data[:65536]
    controls = sum(head.count(bytes([b])) for b in _CONTROL_BYTES)
    if controls > len(head) * 0.05:
        raise UnreadableInput("binary content (control bytes)")
    repair = None
    if b"\x00" in data:
        if data.count(b"\x00") > len(data) * MAX_NUL_SHARE:
            raise UnreadableInput("binary content (NUL bytes)")
        data, repair = data.replace(b"\x00", b""), "removed stray NUL bytes"
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding, repair = _damaged_utf8(data, repair)
    return _checked(text, encoding, repair)


def _damaged_utf8(data: bytes, repair: str | None) -> tuple[str, str, str | None]:
    """UTF-8 with a few broken bytes is repaired; anything else is a legacy encoding.

    Text with valid multi-byte UTF-8 sequences and a handful of broken ones is damaged UTF-8.
    Text whose every high byte is invalid UTF-8 (plain ASCII with one `é` saved as Latin-1,
    say) was never UTF-8: it is decoded as a legacy single-byte codec.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 127) - bad
    if valid and bad <= max(3, len(data) * MAX_BAD_UTF8_SHARE):
        note = f"replaced {bad} invalid UTF-8 byte sequence(s)"
        return text, "utf-8", f"{repair}; {note}" if repair else note
    legacy_text, encoding = _legacy(data)
    return legacy_text, encoding, repair


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableInput(f"invalid {encoding} despite its byte-order mark") from exc


def _legacy(data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes with the legacy codec of the region whose text reads best, or
    refuse. Every codec that decodes the bytes is judged on the decoded text (`implausibility`:
    words mixing scripts, Latin words made mostly of accented letters, a capital inside a
    lowercase word, symbols and control characters where letters belong); charset-normalizer's
    coherence (how much it reads like a known language, reliable on longer text) breaks ties,
    then the order of LEGACY_CODECS."""
    sample = data[:200_000]
    judged: dict[str, float] = {}
    seen: set[str] = set()
    for codec in LEGACY_CODECS:
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        if text not in seen:  # the same text from a later codec: the earlier one names it
            seen.add(text)
            judged[codec] = implausibility(text)
    coherence = {
        match.encoding: match.coherence
        for match in from_bytes(sample, cp_isolation=[c for c in LEGACY_CODECS if c in judged])
        if match.chaos <= MAX_CHAOS
    }
    ranked = sorted(
        judged, key=lambda c: (round(judged[c], 3), -coherence.get(c, 0.0), LEGACY_CODECS.index(c))
    )
    if not ranked or judged[ranked[0]] > MAX_IMPLAUSIBILITY:
        raise UnreadableInput("not valid UTF-8 and no legacy encoding decodes it plausibly")
    best = ranked[0]
    return data.decode(best, errors="replace"), best


# Above this (penalty per non-ASCII character) a decoding does not read as text.
MAX_IMPLAUSIBILITY = 0.5
# Punctuation legacy codecs are used for: never a sign of a wrong codec.
_TYPOGRAPHY = frozenset(
    "\u201c\u201d\u2018\u2019\u201a\u201e\u2013\u2014\u2026\u00ab\u00bb\u20ac\u00a0\u2022\u00b7\u2116"
)
# Letters of Icelandic and Old English that a wrong Western codec makes of Turkish ğ, ş.
_RARE_LETTERS = frozenset("\u00f0\u00d0\u00fe\u00de")
# Non-ASCII characters that are not letters, by Unicode category: control and unassigned
# characters never belong in text, symbols (box drawing, modifier marks) seldom do.
_CHARACTER_PENALTY = {"Cc": 3.0, "Cf": 1.0, "Cn": 3.0, "Co": 3.0, "Cs": 3.0, "So": 1.5}
_CHARACTER_PENALTY |= {"Sk": 1.5, "Sm": 1.0, "Lm": 1.0, "No": 1.0, "Po": 0.5, "Sc": 0.5}
_WORD = re.compile(r"[^\W\d_]+")


def implausibility(text: str) -> float:
    """How little `text` reads like text, per non-ASCII character (0: reads well)."""
    high = sum(1 for ch in text if ord(ch) > 127)
    if not high:
        return 0.0
    penalty = 0.0
    for ch in text:
        if ord(ch) > 127 and ch not in _TYPOGRAPHY:
            penalty += _CHARACTER_PENALTY.get(unicodedata.category(ch), 0.0)
    for match in _WORD.finditer(text):
        word = match.group()
        if word.isascii():
            continue
        scripts = {unicodedata.name(ch, "?").split()[0] for ch in word}
        penalty += 3.0 * (len(scripts) - 1)
        accented = sum(1 for ch in word if ord(ch) > 127)
        if scripts == {"LATIN"} and len(word) >= 3 and accented > 0.7 * len(word):
            penalty += accented
        penalty += sum(2.0 for a, b in itertools.pairwise(word) if a.islower() and b.isupper())
        penalty += sum(0.5 for ch in word if ch in _RARE_LETTERS)
    # Text has spaces: a long run without any is noise (no language has words this long).
    penalty += sum(max(0, len(token) - 30) for token in text.split() if not token.isascii())
    return penalty / high


def _checked(text: str, encoding: str, repair: str | None = None) -> Decoded:
    """Reject decodings that are mostly control characters (binary that happened to decode)."""
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    # Unassigned, private-use, surrogate and replacement characters: bytes decoded as noise.
    noise = sum(1 for ch in sample if ch == "\ufffd" or unicodedata.category(ch) in _NOISE)
    if controls + noise > max(3, len(sample) * 0.01):
        raise UnreadableInput(f"binary content (as {encoding} it does not read as text)")
    if not text.strip():
        raise UnreadableInput("file holds only whitespace")
    return Decoded(text, encoding, repair)

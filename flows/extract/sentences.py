"""Sentence spans of a paragraph, and lookups of the item nearest a position."""

from __future__ import annotations

import re

# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------

_BOUNDARY_RE = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "jr", "gen", "col", "prof", "u.s", "u.n", "no"}


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a full stop after a short abbreviation or an initial is
    no boundary."""
    spans, start = [], 0
    for m in _BOUNDARY_RE.finditer(text):
        word = re.findall(r"[\w.]+$", text[start : m.start()])
        if word and word[0].lower().rstrip(".") in _ABBREVIATIONS:
            continue
        if word and len(word[0]) == 1 and word[0].isupper():
            continue  # an initial ("Keisal M. Peters")
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def span_at(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The sentence span holding a character offset."""
    for span in spans:
        if span[0] <= pos < span[1]:
            return span
    return (0, spans[-1][1]) if spans else (0, 0)


def closest(items: list, pos: int, lo: int = 0, hi: int | None = None):  # type: ignore[no-untyped-def]
    """The item (with .start) inside [lo, hi) nearest to pos, or None."""
    inside = [i for i in items if i.start >= lo and (hi is None or i.start < hi)]
    return min(inside, key=lambda i: abs(i.start - pos), default=None)

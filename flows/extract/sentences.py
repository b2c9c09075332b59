"""Sentence spans of a paragraph, and lookups of the item nearest a position."""

from __future__ import annotations

import re

# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------

_BOUNDARY_RE = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_ABBREVIATIONS = {
    *("mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "col", "prof", "u.s", "u.n", "no"),
    *("hon", "sen", "rep", "gov", "lt", "capt", "maj", "amb", "sec"),
}
_DOTTED = re.compile(r"(?:[A-Z]\.)+[A-Z]")  # "H.H", "H.E", "U.A.E": initials, not an end


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a full stop after a short abbreviation, an initial or
    dotted initials ("H.H. Sheikh ...") is no boundary. (Memoised by text - a paragraph is
    split by several steps of event detection - so treat the list as read-only.)"""
    spans = _SPANS_MEMO.get(text)
    if spans is None:
        if len(_SPANS_MEMO) >= 1024:
            _SPANS_MEMO.clear()
        spans = _SPANS_MEMO[text] = _sentence_spans(text)
    return spans


_SPANS_MEMO: dict[str, list[tuple[int, int]]] = {}


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _BOUNDARY_RE.finditer(text):
        word = re.findall(r"[\w.]+$", text[start : m.start()])
        if word and word[0].lower().rstrip(".") in _ABBREVIATIONS:
            continue
        if word and len(word[0]) == 1 and word[0].isupper():
            continue  # an initial ("Keisal M. Peters")
        if word and _DOTTED.fullmatch(word[0]):
            continue
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

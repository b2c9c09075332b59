"""Strings dateparser cannot parse, told without running it (it takes ~0.2 ms to say None).

dateparser (English locale, the strict settings of dates.py: no surrounding text ignored,
custom formats and absolute time only) parses a string only when its locale knows every
token of it: numbers, dictionary words (months, weekdays, "at", "of", time zones ...) and
its relative phrases. A known word is matched whole, bounded by non-word characters or
digits, so a word of the string that is no word of dateparser's at all leaves a token the
locale does not know, and dateparser returns None ("News ID: 100035", "Story Code : 29").

The words dateparser knows are taken from dateparser itself: every run of letters in its
installed package (code, English and every other language's data, time zones). A word
counts as unknown only when it is none of them, has three letters or more and is not made
of Roman numeral letters (dateparser reads Roman years). A string holding "on:" is left to
dateparser: it drops whatever comes before "on:". tests/test_dates_gate.py checks the gate
against dateparser on the corpus strings that reach the fallback.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

# a run of ASCII letters that is a whole word (no letter of any script on either side)
_ASCII_WORD = re.compile(r"(?<![^\W\d_])[A-Za-z]{3,}(?![^\W\d_])")
_ROMAN = re.compile(r"[ivxlcdm]+")
_LETTERS = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def dateparser_words() -> frozenset[str]:
    """Every run of ASCII letters in the installed dateparser package, lower-cased."""
    import dateparser

    words: set[str] = set()
    for root in {Path(dateparser.__file__).parent, _settings_package()}:
        for path in root.rglob("*.py"):
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            words.update(_LETTERS.findall(text))
    return frozenset(words)


def _settings_package() -> Path:
    import dateparser_data  # type: ignore[import-untyped]

    return Path(dateparser_data.__file__).parent


def dateparser_cannot_parse(candidate: str) -> bool:
    """True when a word of the string is unknown to dateparser (see the module docstring):
    dateparser.parse returns None for it. False says nothing."""
    if "on:" in candidate.lower():
        return False
    words = _ASCII_WORD.findall(candidate)
    if not words:
        return False
    known = dateparser_words()
    return any((low := word.lower()) not in known and not _ROMAN.fullmatch(low) for word in words)

"""Literal hints (flows/extract/regexes.py): a regex is skipped only on texts it cannot match.

Every text here is written for the test.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.extract import dates
from flows.extract.gazetteer import Gazetteer
from flows.extract.regexes import (
    HintedPatterns,
    hinted_finditer,
    literal_hint,
    lowered,
    may_match,
    phrase_alternation,
    word_alternation,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TRIGGERS = [p for p, _, _, _ in Gazetteer.from_seeds(SEEDS).triggers._patterns]


def test_hints_are_words_every_match_holds() -> None:
    assert literal_hint(re.compile(r"\bmeetings?\s+with\b", re.I)) == (("meeting",), ())
    assert literal_hint(re.compile(r"\b(?:held|had)\s+(?:talks|a\s+meeting)\b", re.I)) == (
        ("meeting", "talks"),
        (),
    )
    # a case-sensitive part keeps its case
    assert literal_hint(re.compile(r"\b(?-i:PM|HE)\s+\w+", re.I)) == ((), ("HE", "PM"))
    assert literal_hint(re.compile(r"\b(?i:minister)\s+X")) == (("minister",), ())
    assert literal_hint(re.compile(r"\w+\s+\d+")) is None  # nothing literal to require
    assert literal_hint(re.compile(r"(?:met|)\s+\d")) is None  # an empty branch requires none
    assert literal_hint(re.compile(r"(?:met|)\s+xy")) == ((), ("xy",))


def test_a_text_without_the_hint_is_skipped_and_one_with_it_is_not() -> None:
    pattern = re.compile(r"\bphone\s+call\b", re.I)
    hint = literal_hint(pattern)
    text = "They met in Rome on Monday."
    assert not may_match(hint, lowered(text), text)
    text = "A PHONE Call took place."
    assert may_match(hint, lowered(text), text)
    exact = literal_hint(re.compile(r"(?-i:PM)\s+\w+", re.I))
    assert not may_match(exact, "pm modi", "pm Modi")
    assert may_match(exact, "pm modi", "PM Modi")


def test_characters_that_match_ascii_letters_case_insensitively_disable_the_hint() -> None:
    # "ı" (dotless i) matches "i" under re.IGNORECASE, but "ı".lower() is not "i"
    pattern = re.compile(r"\bmeeting\b", re.I)
    text = "the meetıng ended"
    assert pattern.search(text)
    assert may_match(literal_hint(pattern), lowered(text), text)


WORDS = ["met", "Met", "meeting", "talks", "held", "phone", "call", "with", "his", "the", "ı"]
WORDS += ["counterpart", "President", "Ana", "Alvarez", "received", "on", "Monday", "sidelines"]
WORDS += ["of", "letter", "to", "congratulated", "by", "telephone", "virtual", ",", ".", "İn"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
def test_no_trigger_match_is_ever_skipped(words: list[str]) -> None:
    text = " ".join(words)
    low = lowered(text)
    for pattern in TRIGGERS:
        if pattern.search(text):
            assert may_match(literal_hint(pattern), low, text), (pattern.pattern, text)


def test_hinted_patterns_keep_every_pattern_that_matches() -> None:
    patterns = [
        re.compile(r"\bphone\s+call\b", re.I),
        re.compile(r"\w+\d"),  # no hint: always a candidate
        re.compile(r"\b(?-i:PM)\s+\w+", re.I),
    ]
    hinted = HintedPatterns(patterns)
    assert hinted.candidates("They met on Monday.") == [1]
    assert hinted.candidates("A Phone call with PM Modi.") == [0, 1, 2]
    assert hinted.candidates("ſ") == [0, 1, 2]  # folds to an ASCII letter: no skipping


LETTERS = st.text(alphabet="aAbBıiİIkK.- ", min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(st.lists(LETTERS, min_size=1, max_size=8), st.text(alphabet="aAbBıiİIkK.- x", max_size=30))
def test_word_alternation_matches_as_the_plain_alternation(words: list[str], text: str) -> None:
    for flags in (0, re.IGNORECASE):
        plain = re.compile("|".join(re.escape(w) for w in words), flags)
        grouped = re.compile(word_alternation(words, bool(flags)), flags)
        for pos in range(len(text) + 1):
            a, b = plain.match(text, pos), grouped.match(text, pos)
            assert (a and a.span()) == (b and b.span()), (words, text, pos)


def test_word_alternation_groups_by_first_letter() -> None:
    assert word_alternation(["Minister", "Mayor", "Dr"], True) == "M(?:inister|ayor)|D(?:r)"
    # a dotless i matches i case-insensitively: grouping could change the preferred word
    assert word_alternation(["ıx", "iy"], True) == "ıx|iy"


@settings(max_examples=300, deadline=None)
@given(st.lists(LETTERS, min_size=1, max_size=3).map(" ".join), st.lists(LETTERS, max_size=4))
def test_phrase_alternation_matches_as_the_plain_alternation(first: str, more: list[str]) -> None:
    phrases = [first, *more, "pointed out", "said", "ſays", "a b"][: 2 + len(more)]
    texts = [" ".join(phrases), "x".join(phrases), "  ".join(phrases).upper(), "pointed \t out"]
    for flags in (0, re.IGNORECASE):
        plain = re.compile(
            r"\b(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases) + r")\b",
            flags,
        )
        grouped = re.compile(r"\b(?:" + phrase_alternation(phrases, bool(flags)) + r")\b", flags)
        for text in texts:
            assert [m.span() for m in plain.finditer(text)] == [
                m.span() for m in grouped.finditer(text)
            ], (phrases, text)


def test_phrase_alternation_groups_by_first_letter() -> None:
    assert phrase_alternation(["pointed out", "praised", "said"], True) == (
        r"p(?:ointed\s+out|raised)|s(?:aid)"
    )
    assert phrase_alternation(["a b", "said"], True) == r"a\s+b|said"  # a lone first letter


DATE_WORDS = ["on", "Monday", "MAY", "5", "5th", "2024", "of", "yesterday", "later", "that"]
DATE_WORDS += ["day", "the", "same", "Sept.", "12.03.2021", "dated", "ſunday", "next", "tonight"]
DATE_PATTERNS = [dates._EXPLICIT_RE, dates._NUMERIC_RE, dates._WEEKDAY_RE, dates._SAME_DAY_RE]
DATE_PATTERNS += [dates._RELATIVE_RE]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(DATE_WORDS), min_size=1, max_size=8))
def test_no_date_expression_is_ever_skipped(words: list[str]) -> None:
    text = " ".join(words)
    for pattern in DATE_PATTERNS:
        found = [m.span() for m in hinted_finditer(pattern, text, lowered(text))]
        assert found == [m.span() for m in pattern.finditer(text)], (pattern.pattern, text)

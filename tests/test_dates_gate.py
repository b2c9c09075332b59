"""The dateparser gate (flows/extract/dateparser_gate.py) answers only where dateparser itself
returns None: strings it calls unparseable never parse, over made-up header strings and over
random mixes of date words, dateparser's own words, unknown words, numbers and punctuation."""

from __future__ import annotations

import re

import dateparser
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.extract.dateparser_gate import dateparser_cannot_parse, dateparser_words
from flows.extract.dates import _DATEPARSER_SETTINGS, _dateparser_fallback, _safe_date


def _parses(text: str) -> bool:
    return dateparser.parse(text, languages=["en"], settings=_DATEPARSER_SETTINGS) is not None


HEADERS = [
    "News ID: 100035",
    "News Code 146789",
    "Story Code : 2951234",
    "© 2025 Example Wire. All rights reserved.",
    "Posted on: 12 March 2020",
    "Updated on: 12 March 2020 Newsdesk",
    "Newsdesk 12 March 2020",
    "12 March 2020 Newsdesk",
    "Sunday, 19 April 2015",
    "Saturday 5 Sep 2016",
    "MMXX 12 March",
    "12 March MMXX",
    "Q1 2020",
    "since 1987",
    "18 Juli 2018",
    "2021Politics",
    "Exampletown, Jul 19 2016",
    "EXAMPLETOWN DEC 10, 2021",
    "12 March 2020 EST",
    "12 March 2020 at 10:00 GMT",
]


def test_the_gate_never_rejects_what_dateparser_parses() -> None:
    rejected = [text for text in HEADERS if dateparser_cannot_parse(text)]
    assert "News ID: 100035" in rejected and "Newsdesk 12 March 2020" in rejected
    assert "Posted on: 12 March 2020" not in rejected  # dateparser drops what precedes "on:"
    for text in HEADERS:
        if dateparser_cannot_parse(text):
            assert not _parses(text), text


def test_the_fallback_gives_what_dateparser_gives() -> None:
    """The gated fallback answers as the plain call to dateparser does."""
    for text in HEADERS:
        parsed = dateparser.parse(text, languages=["en"], settings=_DATEPARSER_SETTINGS)
        expected = None
        if re.search(r"\d{4}", text) and parsed is not None:
            expected = _safe_date(parsed.year, parsed.month, parsed.day)
        assert _dateparser_fallback(text) == expected, text


_KNOWN = sorted(w for w in dateparser_words() if 3 <= len(w) <= 9)[:400]
_WORDS = st.one_of(
    st.sampled_from(["March", "Sunday", "Sep", "of", "at", "on", "on:", "the", "GMT", "am"]),
    st.sampled_from(_KNOWN),
    st.sampled_from(["News", "Newsdesk", "Story", "Wire", "Politics", "Exampletown", "Zyx"]),
    st.integers(0, 3000).map(str),
    st.sampled_from([",", ":", "|", "-", "•", "©", "(", ")", "/", "."]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=6), st.sampled_from([" ", "", ", "]))
def test_the_gate_on_random_word_mixes(words: list[str], glue: str) -> None:
    text = glue.join(words)
    if dateparser_cannot_parse(text):
        assert not _parses(text), text

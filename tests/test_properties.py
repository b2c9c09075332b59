"""Properties that must hold for any input: extraction never raises and never invents text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flows.extract.cleaning import BoilerplatePatterns, clean_document, normalise_line
from flows.extract.people import PeopleDirectory
from flows.extract.quotes import extract_quotes
from flows.ingest.reading import UnreadableInput, decode

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# Fragments that exercise the quote grammar: marks of every kind, speech verbs, names.
_PIECES = st.sampled_from(
    [
        "“",
        "”",
        '"',
        "‘",
        "’",
        ":",
        ",",
        ".",
        " said",
        " he added",
        " Aliyev",
        " Raisi said,",
        " the Iranian president warned",
        "According to Zarif, ",
        "We will",
        " not allow it",
        "\n",
        " ",
        "Daesh",
        "«",
        "»",
    ]
)
_PARAGRAPH = st.lists(_PIECES | st.text(max_size=12), max_size=25).map("".join)


@pytest.fixture(scope="module")
def people() -> PeopleDirectory:
    return PeopleDirectory.from_seeds(SEEDS)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_PARAGRAPH, max_size=6))
def test_quotes_never_raise_and_come_from_the_text(
    people: PeopleDirectory, paragraphs: list[str]
) -> None:
    quotes = extract_quotes(paragraphs, people, None)
    for quote in quotes:
        last = quote.end_paragraph_no if quote.end_paragraph_no is not None else quote.paragraph_no
        source = "\n".join(paragraphs[quote.paragraph_no : last + 1])
        words = set(re.findall(r"\w+", quote.text))
        assert words <= set(re.findall(r"\w+", source)), (quote, paragraphs)
        assert quote.speaker is None or people.canonical(quote.speaker) or quote.speaker


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_PARAGRAPH, max_size=6))
def test_quote_extraction_is_deterministic(people: PeopleDirectory, paragraphs: list[str]) -> None:
    assert extract_quotes(paragraphs, people, None) == extract_quotes(paragraphs, people, None)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
@example(">>")  # nested blockquote marks
@example("> # Title")  # a heading inside a blockquote
@example("\xa0\x83Ä")  # ftfy fixes the C1 character, and then what the space hid
def test_line_normalisation_is_idempotent(line: str) -> None:
    once, _ = normalise_line(line)
    assert normalise_line(once)[0] == once


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=400))
def test_cleaning_never_raises_on_any_string(text: str) -> None:
    patterns = _patterns()
    document = clean_document(text, "text", patterns)
    assert all(paragraph.strip() for paragraph in document.paragraphs)
    html = clean_document(f"<html><body><p>{text}</p></body></html>", "html", patterns)
    assert isinstance(html.paragraphs, list)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_decode_accepts_or_explains_any_bytes(data: bytes) -> None:
    try:
        decoded = decode(data)
    except UnreadableInput as exc:
        assert str(exc)
    else:
        assert decoded.text.strip()


_CACHE: dict[str, BoilerplatePatterns] = {}


def _patterns() -> BoilerplatePatterns:
    if "p" not in _CACHE:
        _CACHE["p"] = BoilerplatePatterns.from_seeds(SEEDS)
    return _CACHE["p"]

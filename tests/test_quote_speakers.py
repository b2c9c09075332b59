"""Speakers the story names once in full, in its headline or a caption, or with an apposition
(second real-news round). Texts written for the test; the people are invented."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows.extract.people import PeopleDirectory
from flows.extract.quotes import extract_quotes

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ON = date(2023, 5, 10)


@pytest.fixture(scope="module")
def people() -> PeopleDirectory:
    return PeopleDirectory.from_seeds(SEEDS)


def _speakers(people: PeopleDirectory, paragraphs: list[str], context=None) -> list:
    quotes = extract_quotes(paragraphs, people, ON, None, context)
    return [(q.text.split()[0], q.speaker, q.attribution_verb) for q in quotes]


def test_pronoun_takes_the_subject_opening_the_sentence(people: PeopleDirectory) -> None:
    paragraphs = [
        "President Tomas Varga held talks with a visiting delegation on Tuesday. Varga said "
        "that former minister Karel Dvorsky presented a goodwill message.",
        "“We are scaling up our ties in training and energy,” he said.",
    ]
    assert _speakers(people, paragraphs) == [("We", "Tomas Varga", "said")]


def test_surname_resolved_by_a_caption(people: PeopleDirectory) -> None:
    paragraphs = ["“We both underlined the importance of peace at sea,” Lindqvist said."]
    caption = "Foreign Minister Anna Lindqvist and her counterpart in the capital. Photo: Agency"
    assert _speakers(people, paragraphs) == [("We", None, None)]
    assert _speakers(people, paragraphs, [caption]) == [("We", "Anna Lindqvist", "said")]


def test_name_opening_the_clause_before_its_apposition(people: PeopleDirectory) -> None:
    paragraphs = [
        "“You cannot solve geopolitics with economic policy,” Maria Okafor, head of the "
        "regional fund, told reporters. “It will be very difficult to cooperate.”"
    ]
    assert _speakers(people, paragraphs) == [
        ("You", "Maria Okafor", "told"),
        ("It", "Maria Okafor", "told"),
    ]

"""Speakers named by an office and a relative clause, name runs that start with a country,
West African honorifics, and a closing mark typed for an opening one (fourth real-news
round). Texts written for the test; the people are invented."""

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


def _speakers(people: PeopleDirectory, paragraphs: list[str]) -> list[tuple[str, str | None]]:
    quotes = extract_quotes(paragraphs, people, ON, None, None)
    return [(q.text.split()[0], q.speaker) for q in quotes]


def test_an_office_before_a_relative_clause_names_the_speaker(people: PeopleDirectory) -> None:
    paragraphs = [
        "President Tomas Varga said Ruritania would raise its ties with Borduria, whose "
        "President Karel Dvorsky arrived on Monday.",
        "The Ruritanian leader, who described the relationship as “steady and warm and "
        "growing,” praised his guest as a friend.",
    ]
    assert _speakers(people, paragraphs) == [("steady", "Tomas Varga")]


def test_a_relative_clause_after_an_institution_is_no_person(people: PeopleDirectory) -> None:
    paragraphs = [
        "The foreign ministry, which described the talks as “open and very productive for "
        "both sides,” gave no details."
    ]
    assert [speaker for _, speaker in _speakers(people, paragraphs)] in ([], [None])


def test_a_name_run_loses_the_country_it_starts_with(people: PeopleDirectory) -> None:
    paragraphs = [
        "Ruritanian Ambassador to the Philippines Lena Varga said she handed over the letter.",
        "“We look forward to working with the next government on every file,” said Varga.",
    ]
    assert _speakers(people, paragraphs) == [("We", "Lena Varga")]


def test_a_west_african_honorific_is_not_part_of_the_name(people: PeopleDirectory) -> None:
    paragraphs = [
        "“The talks were warm and candid from the start,” said Mallam Sani Okoro, the "
        "president's spokesman."
    ]
    assert _speakers(people, paragraphs) == [("The", "Sani Okoro")]


def test_a_closing_mark_typed_for_an_opening_one(people: PeopleDirectory) -> None:
    paragraphs = [
        "The spokesman Sani Okoro said the leaders were at ease.",
        "” Throughout the dinner the goodwill between the two leaders was plain,” Okoro said.",
    ]
    assert _speakers(people, paragraphs) == [("Throughout", "Sani Okoro")]

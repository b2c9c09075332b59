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


@pytest.mark.parametrize(
    ("office", "want"),
    [
        ("the visiting president", "Karel Dvorsky"),
        ("the host president", "Tomas Varga"),
    ],
)
def test_the_visiting_or_host_office_names_the_guest_or_host(
    people: PeopleDirectory, office: str, want: str
) -> None:
    paragraphs = [
        "President Tomas Varga hosted Bordurian President Karel Dvorsky on Monday.",
        f"“We will keep working on the trade file together,” {office} said.",
    ]
    assert [speaker for _, speaker in _speakers(people, paragraphs)] == [want]


def test_an_office_is_read_up_to_the_next_name(people: PeopleDirectory) -> None:
    paragraphs = [
        "Prime Minister Lena Varga of Ruritania met President Karel Dvorsky of Borduria.",
        "“We will keep working on the trade file together,” the Bordurian leader said.",
    ]
    assert _speakers(people, paragraphs) == [("We", "Karel Dvorsky")]


def test_a_country_owning_the_office_names_its_holder(people: PeopleDirectory) -> None:
    paragraphs = [
        "Prime Minister Lena Varga of Ruritania met President Karel Dvorsky of Nigeria.",
        "“We will keep working on the trade file together,” Nigeria’s president said.",
    ]
    assert _speakers(people, paragraphs) == [("We", "Karel Dvorsky")]


def test_a_name_and_a_colon_before_the_quotation(people: PeopleDirectory) -> None:
    paragraphs = ["Karel Dvorsky: “We will keep working on the trade file together.”"]
    assert _speakers(people, paragraphs) == [("We", "Karel Dvorsky")]


def test_a_single_name_with_a_macron_finds_the_person(people: PeopleDirectory) -> None:
    paragraphs = [
        "Prime Minister Tala Vaiuli Sefo met the visiting delegation in the capital.",
        "Later, Talā told reporters that with “so many partners coming into the region” small "
        "administrations struggle.",
    ]
    assert _speakers(people, paragraphs) == [("so", "Tala Vaiuli Sefo")]


def test_two_curly_apostrophes_close_a_quotation(people: PeopleDirectory) -> None:
    paragraphs = [
        "Karel Dvorsky said the visit would help “consider recurrent issues of trade and "
        "investment.’’ He left on Friday.",
        "‘‘We will keep working on the trade file together,’’ said Karel Dvorsky.",
    ]
    quotes = extract_quotes(paragraphs, people, ON, None, None)
    assert [q.text for q in quotes][-1] == "We will keep working on the trade file together"
    assert all("He left" not in q.text for q in quotes)


def test_the_speaker_named_only_in_the_headline(people: PeopleDirectory) -> None:
    paragraphs = [
        "The minister spoke to reporters after the talks in the capital on Monday.",
        "“We will keep working on the trade file together,” she said.",
    ]
    title = "Foreign Minister Lena Varga Says Ruritania Will Deepen Ties"
    quotes = extract_quotes(paragraphs, people, ON, None, [title, ""])
    assert [q.speaker for q in quotes] == ["Lena Varga"]
    # a headline naming two people gives no speaker
    both = "Foreign Minister Lena Varga Meets President Karel Dvorsky"
    assert [q.speaker for q in extract_quotes(paragraphs, people, ON, None, [both, ""])] == [None]


def test_a_quotation_cut_off_at_the_page_end_keeps_the_speaker(people: PeopleDirectory) -> None:
    paragraphs = [
        "“This summit is a chance for all of us,” President Karel Dvorsky said.",
        '"What a fine way to begin the',
    ]
    quotes = extract_quotes(paragraphs, people, ON, None, None)
    assert [(q.text.split()[0], q.speaker) for q in quotes][-1] == ("What", "Karel Dvorsky")


@pytest.mark.parametrize(
    ("office", "want"),
    [("the Chinese leader", "Karel Dvorsky"), ("the Dutch premier", "Tomas Janssen")],
)
def test_a_nationality_the_stem_rule_misses(
    people: PeopleDirectory, office: str, want: str
) -> None:
    paragraphs = [
        "President Karel Dvorsky of China met Premier Tomas Janssen of the Netherlands and "
        "Prime Minister Lena Varga of Ruritania.",
        f"“We will keep working on the trade file together,” {office} said.",
    ]
    assert [speaker for _, speaker in _speakers(people, paragraphs)] == [want]


@pytest.mark.parametrize(
    ("first", "second", "office", "want"),
    [
        ("President", "Prime Minister", "the premier", "Karel Dvorsky"),
        ("President", "Prime Minister", "the PM", "Karel Dvorsky"),
        ("President", "Foreign Minister", "the FM", "Karel Dvorsky"),
        ("Foreign Minister", "President", "the head of state", "Karel Dvorsky"),
        ("Foreign Minister", "President", "the Ruritanian top diplomat", "Lena Varga"),
        ("President", "Foreign Minister", "the minister", "Karel Dvorsky"),
    ],
)
def test_an_office_written_another_way_in_the_title(
    people: PeopleDirectory, first: str, second: str, office: str, want: str
) -> None:
    paragraphs = [
        f"Ruritanian {first} Lena Varga met Bordurian {second} Karel Dvorsky.",
        f"“We will keep working on the trade file together,” {office} said.",
    ]
    assert [speaker for _, speaker in _speakers(people, paragraphs)] == [want]


def test_an_event_name_with_a_year_is_no_quotation(people: PeopleDirectory) -> None:
    paragraph = 'Karel Dvorsky attended the "Ruritania Investment Forum 2024" on Monday.'
    assert extract_quotes([paragraph], people, ON, None, None) == []


def test_revealed_is_a_speech_verb(people: PeopleDirectory) -> None:
    paragraphs = [
        "President Karel Dvorsky will host the talks, spokesman Tomas Varga said.",
        "“The leaders are likely to review the partnership,” Varga revealed.",
    ]
    assert _speakers(people, paragraphs) == [("The", "Tomas Varga")]

"""Third real-news round: quotation marks typed wrong, three-word quotations attributed after
them, titles with accents at the verb, a speaker called by title and one name. Texts written
for the test; the people are invented."""

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


def _quotes(people: PeopleDirectory, paragraphs: list[str]) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in extract_quotes(paragraphs, people, ON)]


def test_opening_mark_typed_for_a_closing_one(people: PeopleDirectory) -> None:
    paragraphs = [
        "Prime Minister Lena Okafor said she wanted to “welcome “ what the envoy said about "
        "the outcome of the talks.",
    ]
    assert _quotes(people, paragraphs) == []


def test_three_words_attributed_after_the_quote(people: PeopleDirectory) -> None:
    paragraphs = [
        "Prime Minister Lena Okafor met the envoy on Monday.",
        "Ties will reach “a higher plane”, despite the delay, Okafor says.",
    ]
    assert _quotes(people, paragraphs) == [("a higher plane", "Lena Okafor")]


def test_one_and_two_word_fragments_are_not_quotes(people: PeopleDirectory) -> None:
    paragraphs = ["President Tomas Varga said the talks were of “great importance” to him."]
    assert _quotes(people, paragraphs) == []


def test_new_speech_verb(people: PeopleDirectory) -> None:
    paragraphs = [
        "President Tomas Varga met Prime Minister Lena Okafor in the capital.",
        "“When you are invited, you have to turn up,” quipped Mr Varga.",
    ]
    assert _quotes(people, paragraphs) == [
        ("When you are invited, you have to turn up", "Tomas Varga")
    ]


def test_accented_name_at_the_verb(people: PeopleDirectory) -> None:
    paragraphs = [
        "President Jacinto Ramírez welcomed Prime Minister Eliška Nováková to the capital.",
        "“We covered a lot of ground in our first meeting,” Eliška said.",
    ]
    assert _quotes(people, paragraphs)[0][1] == "Eliška Nováková"


def test_title_and_one_name_take_the_full_name(people: PeopleDirectory) -> None:
    paragraphs = [
        "Sheikh Tamer bin Salem Al Noori received the visiting minister at the palace.",
        "“Our relations rest on trust and understanding,” Sheikh Tamer said.",
    ]
    assert _quotes(people, paragraphs)[0][1] == "Tamer bin Salem Al Noori"


def test_theme_of_an_event_is_not_a_quote(people: PeopleDirectory) -> None:
    paragraphs = [
        "Prime Minister Lena Okafor opened the forum, whose theme this year is “Bridges over "
        "every river we share”, and said it would meet again.",
        "The summit was held under the motto “Our region can do much better together”.",
    ]
    assert _quotes(people, paragraphs) == []


def test_unattributed_quote_after_an_institution_spoke(people: PeopleDirectory) -> None:
    paragraphs = [
        "Foreign Minister Lena Okafor received her counterpart on Tuesday.",
        "The Department of Foreign Affairs said the two officials agreed to expand trade.",
        "“The ministers also agreed to set up a joint commission on fisheries and ports.”",
    ]
    assert _quotes(people, paragraphs) == []


def test_unattributed_quote_after_an_office_spoke(people: PeopleDirectory) -> None:
    paragraphs = [
        "Prime Minister Lena Okafor met Examplian President Tomas Varga in the capital.",
        "The Examplian President, who took office in May, announced that visas would go.",
        "“There will be no visas for tourists from the start of next year.”",
    ]
    assert _quotes(people, paragraphs)[0][1] == "Tomas Varga"


def test_statement_opening_a_sentence_keeps_the_office_holder(people: PeopleDirectory) -> None:
    paragraphs = [
        "President Tomas Varga held a phone call with Prime Minister Lena Okafor on Monday.",
        "In a statement, the president said they discussed a trade agreement.",
        "“We agreed to conclude the trade agreement before the end of the year.”",
    ]
    assert _quotes(people, paragraphs)[0][1] == "Tomas Varga"


def test_office_words_leading_a_speakers_name_are_left_out(people: PeopleDirectory) -> None:
    paragraphs = [
        "Special Assistant for Press and Public Relations Amos Obuya said the leaders agreed "
        "to fight piracy.",
        "“The President urged him to keep the coast safe for every ship,” Mr Obuya said.",
    ]
    assert _quotes(people, paragraphs)[0][1] == "Amos Obuya"


def test_office_nobody_is_named_with_goes_to_the_story_subject(people: PeopleDirectory) -> None:
    paragraphs = [
        "Chancellor Lena Okafor has had her first call with President Tomas Varga since he "
        "took office on Monday.",
        "After the call, the prime minister tweeted: “Great to speak to my friend this evening.”",
    ]
    assert _quotes(people, paragraphs)[0][1] == "Lena Okafor"

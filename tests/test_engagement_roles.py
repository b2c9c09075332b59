"""Participants, triggers and dates of engagements on real outlets' shapes (issue 13, round
four). Every sentence is written for the test, about fictional people and places; each test
checks one mechanism through the whole extraction path (clean, people, events)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from devtools.evaluate.real import spelling_key
from flows.extract.article import Extraction, Reference, extract
from flows.extract.dates import _page_date, anchored_dates
from flows.extract.name_cues import same_person

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference.from_seeds(ROOT / "seeds")


def _extract(reference: Reference, *lines: str) -> Extraction:
    return extract("\n\n".join(lines), "text", reference)


def _engagements(ex: Extraction) -> list[tuple[str, list[str]]]:
    return [(e.kind, e.participants) for e in ex.events if e.kind in ("meeting", "phone_call")]


HEAD = "Leaders pledge closer ties after talks in Port Arlen"


def test_airport_greeting_party_and_entourage_are_no_participants(reference: Reference) -> None:
    ex = _extract(
        reference,
        HEAD,
        "President Tomas Velikan of Arlenia was in Port Arlen yesterday for a one-day official "
        "visit and held talks on various issues with his host at State House.",
        "Mr Velikan arrived at Port Arlen International Airport in the morning, where he was met "
        "by Vice President Kofi Mbatha and Foreign Minister Amara Diallo.",
        "Mr Velikan was accompanied by his Special Assistant for Press and Public Relations Mr "
        "Peter Lungisa and his adviser Mr Samuel Obi.",
        "President Ruben Osei thanked his guest for the visit.",
    )
    assert _engagements(ex) == [("meeting", ["Ruben Osei", "Tomas Velikan"])]


def test_accompanied_visitor_still_meets_the_host(reference: Reference) -> None:
    ex = _extract(
        reference,
        HEAD,
        "President Tomas Velikan, who was accompanied by Foreign Minister Amara Diallo, met "
        "President Ruben Osei at State House in Port Arlen on Tuesday.",
        "The two presidents discussed trade and the new border bridge.",
    )
    (_kind, people), *_ = _engagements(ex)
    assert {"Ruben Osei", "Tomas Velikan"} <= set(people)


def test_a_head_of_state_named_by_one_word_is_a_participant(reference: Reference) -> None:
    ex = _extract(
        reference,
        HEAD,
        "Arlenian President Tomas Velikan held talks on various issues with President Osemba at "
        "State House yesterday.",
        "“President Osemba is the most senior in the region,” said Mr Velikan.",
    )
    assert _engagements(ex) == [("meeting", ["Osemba", "Tomas Velikan"])]


def test_a_one_word_name_no_other_paragraph_writes_is_no_person(reference: Reference) -> None:
    headline_and_body = [
        "Arlenian President Arrives for Talks",
        "Arlenian President Tomas Velikan held talks with Prime Minister Ruben Osei in the "
        "capital on Monday.",
    ]
    found = {m.person for m in reference.people.find_mentions(headline_and_body, None)}
    assert found == {"Tomas Velikan", "Ruben Osei"}


def test_one_word_names_join_the_full_name_of_the_article(reference: Reference) -> None:
    ex = _extract(
        reference,
        "Arlenian Pres Naledi, Corvish Pres Tambo meet in Port Arlen",
        "The Corvish head of state arrived on Monday evening and was greeted at the airport by "
        "Foreign Minister Amara Diallo.",
        "President Joaquim Tambo is expected to open a trade fair, accompanied by his host, "
        "Arlenia’s President, Naledi Amani Sato.",
        "Ms Diallo said that President Tambo’s visit would deepen ties.",
        "The two presidents held a closed-door meeting at State House on Tuesday.",
    )
    assert _engagements(ex) == [("meeting", ["Joaquim Tambo", "Naledi Amani Sato"])]


def test_a_quoted_nickname_alone_is_the_person_who_carries_it(reference: Reference) -> None:
    ex = _extract(
        reference,
        "President Dodo Holds Bilateral Meetings with Visiting Leaders",
        "President Ardi “Dodo” Prasetyo on Monday opened a forum on fisheries with Trade "
        "Minister Budi Santoso.",
        "In a bilateral meeting with Prime Minister Lena Okafor, President Dodo discussed "
        "fisheries.",
    )
    people = {p for _, ps in _engagements(ex) for p in ps}
    assert people == {"Ardi Prasetyo", "Lena Okafor"}


def test_a_source_who_only_reports_is_left_out(reference: Reference) -> None:
    ex = _extract(
        reference,
        HEAD,
        "Arlenian President Tomas Velikan was in Port Arlen on Tuesday and held talks with his "
        "host at State House.",
        "President Ruben Osei thanked his guest for the visit.",
        "Foreign Minister Amara Diallo said the visit was crucial for trade.",
        "“The two countries are like twins,” said Ms Diallo.",
    )
    assert _engagements(ex) == [("meeting", ["Ruben Osei", "Tomas Velikan"])]


def test_hosted_a_reception_for_a_visitor_is_a_meeting(reference: Reference) -> None:
    ex = _extract(
        reference,
        " date 2023-12-11 Arlenia news",
        "PORT ARLEN — Arlenian President Tomas Velikan hosted a reception in Port Arlen on "
        "Monday for visiting Corvish Prime Minister Joaquim Tambo.",
        "President Velikan congratulated the Corvish government on its new fisheries law.",
    )
    assert _engagements(ex) == [("meeting", ["Joaquim Tambo", "Tomas Velikan"])]
    assert ex.events[0].event_date == date(2023, 12, 11)


def test_received_reaches_the_name_after_a_long_title(reference: Reference) -> None:
    ex = _extract(
        reference,
        HEAD,
        "On March 21, in the capital, Prime Minister Tomas Velikan received Corvish Deputy Prime "
        "Minister and Minister of Foreign Affairs and International Cooperation Joaquim Tambo.",
        "Prime Minister Velikan extended greetings to the people of Corvia.",
    )
    assert _engagements(ex) == [("meeting", ["Joaquim Tambo", "Tomas Velikan"])]


@pytest.mark.parametrize(
    ("text", "anchors", "expected"),
    [
        ("He met her on Friday afternoon.", {date(2016, 9, 16)}, date(2016, 9, 16)),
        ("He met her on Friday afternoon.", {date(2016, 9, 15)}, None),
        ("On March 21, in Port Arlen, he met her.", {date(2023, 3, 21)}, date(2023, 3, 21)),
        ("On March 21 he met her.", {date(2023, 3, 21), date(2022, 3, 21)}, None),
        ("He will meet her next Friday.", {date(2016, 9, 16)}, None),
    ],
)
def test_undated_page_dates_by_its_one_matching_full_date(
    text: str, anchors: set[date], expected: date | None
) -> None:
    hits = anchored_dates(text, frozenset(anchors))
    assert (hits[0].value if hits else None) == expected


def test_caption_date_fixes_the_weekday_of_an_undated_page(reference: Reference) -> None:
    ex = _extract(
        reference,
        "Velikan meets Corvish counterpart Tambo",
        "Corvish Prime Minister Joaquim Tambo (left) is greeted by Arlenian Prime Minister Tomas "
        "Velikan in Port Arlen, Friday, Sept. 16, 2016. Photo: AP",
        "PORT ARLEN: Prime Minister Tomas Velikan on Friday afternoon met his Corvish "
        "counterpart Joaquim Tambo at the State Guest House in Port Arlen.",
    )
    assert ex.document.published_date is None
    assert ex.events[0].event_date == date(2016, 9, 16)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Mohamed Salah Idris", "Mohammed Salah Idriss", True),
        ("Felipe Nunez", "Filipe Nunez", True),
        ("Muhammad Bin Rashid", "Mohamed bin Rashid", True),
        ("Tomas Velikan", "Tomas Velikov", False),
    ],
)
def test_the_scorer_compares_participants_by_spelling_skeleton(a: str, b: str, same: bool) -> None:
    assert (spelling_key(a) == spelling_key(b)) is same


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Carlos Benedito", "Carlos Benedito do Amaral", True),  # a family name joined by "do"
        ("Salim bin Abdel Karim", "Salim bin Abdulkarim", True),  # one word split two ways
        ("Carlos Benedito", "Carlos Benedito Amaral", False),  # no particle: maybe another man
        ("Ana Lenz", "Anal Enz", False),
    ],
)
def test_spellings_of_one_name(a: str, b: str, same: bool) -> None:
    assert same_person(a, b) is same


def test_the_head_who_sent_a_representative_is_no_participant(reference: Reference) -> None:
    ex = _extract(
        reference,
        HEAD,
        "Prime Minister of Corvia Carlos Benedito do Amaral and President of Arlenia, Ruben "
        "Osei, discussed border security at a meeting in the capital on Thursday.",
        "The meeting took place after the prime minister, representing President of the "
        "Republic and SADC chairperson, Joaquim Tambo, attended the inauguration of Osei.",
        "“It was a good meeting,” Carlos Benedito do Amaral said.",
    )
    assert _engagements(ex) == [("meeting", ["Carlos Benedito do Amaral", "Ruben Osei"])]


def test_who_reports_an_earlier_engagement_is_not_its_principal(reference: Reference) -> None:
    ex = _extract(
        reference,
        "Velikan and Osei discuss trade by phone",
        "President of Arlenia Tomas Velikan had a telephone conversation with President Ruben "
        "Osei on Tuesday.",
        "During the conversation, Velikan noted that Foreign Minister Amara Diallo and his "
        "counterpart Joaquim Tambo had held useful talks in Geneva last month.",
    )
    assert [(e.kind, e.participants) for e in ex.events] == [
        ("phone_call", ["Ruben Osei", "Tomas Velikan"]),
        ("meeting", ["Amara Diallo", "Joaquim Tambo"]),
    ]
    assert ex.events[1].event_date is None  # "had held": recalled, undated


def test_a_pronoun_subject_is_the_person_of_the_paragraph_before(reference: Reference) -> None:
    ex = _extract(
        reference,
        "Velikan holds talks with Corvish leader",
        "PORT ARLEN, March 3, 2021. Arlenian President Tomas Velikan arrived in Corvia on an "
        "official visit at the invitation of Prime Minister Amara Diallo.",
        "He held talks with President Ruben Osei at the presidential palace on Tuesday.",
        "Speaker of Parliament Kofi Mbatha also met the guest.",
    )
    assert _engagements(ex) == [("meeting", ["Ruben Osei", "Tomas Velikan"])]
    # the dateline's date opens the first paragraph: "on Tuesday" is the day before
    assert ex.events[0].event_date == date(2021, 3, 2)


def test_received_at_the_palace_and_greetings_from_a_third(reference: Reference) -> None:
    ex = _extract(
        reference,
        "Osei receives Arlenian foreign minister",
        "PORT ARLEN, May 4, 2022. Foreign Minister of Arlenia Amara Diallo was received at the "
        "presidential palace on Wednesday.",
        "During the meeting, the head of state stressed the importance of trade. Diallo "
        "conveyed greetings from President Tomas Velikan.",
        "President Ruben Osei said the country valued the partnership.",
    )
    assert _engagements(ex) == [("meeting", ["Amara Diallo", "Ruben Osei"])]
    assert (ex.events[0].event_date, ex.events[0].date_certain) == (date(2022, 5, 4), True)


def test_a_deputy_who_took_part_is_in_the_delegation(reference: Reference) -> None:
    ex = _extract(
        reference,
        "Velikan receives Corvish delegation",
        "President Tomas Velikan on Thursday received a delegation headed by Corvish Foreign "
        "Minister Amara Diallo.",
        "Deputy Foreign Minister Kofi Mbatha and Ambassador Peter Lungisa took part in the "
        "meeting.",
    )
    assert _engagements(ex) == [("meeting", ["Amara Diallo", "Tomas Velikan"])]


def test_ministers_of_a_list_of_countries_name_the_principals(reference: Reference) -> None:
    ex = _extract(
        reference,
        "Foreign ministers of three countries meet",
        "The foreign ministers of Kenya, Ghana and Zambia, Amara Diallo, Joaquim Tambo and Kofi "
        "Mbatha, held a trilateral meeting in the capital on Monday.",
    )
    assert _engagements(ex) == [("meeting", ["Amara Diallo", "Joaquim Tambo", "Kofi Mbatha"])]


def test_the_visiting_president_is_the_person_of_the_paragraph_before(
    reference: Reference,
) -> None:
    ex = _extract(
        reference,
        "Arlenian leader in Corvia",
        "President Tomas Velikan arrived in Corvia on Monday for a state visit.",
        "The visiting president held talks with President Ruben Osei on Tuesday. Trade Minister "
        "Amara Diallo briefed reporters after the talks.",
    )
    assert _engagements(ex) == [("meeting", ["Ruben Osei", "Tomas Velikan"])]


def test_people_under_a_photo_or_a_relative_are_no_participants(reference: Reference) -> None:
    ex = _extract(
        reference,
        "Bilateral meeting marks sixty years of friendship",
        "(Picture caption: L-R Deputy Secretary Kofi Mbatha, Prime Minister Tomas Velikan and "
        "Minister Ruben Osei after the bilateral meeting.)",
        "Prime Minister Tomas Velikan held talks with Minister Ruben Osei in the capital.",
        "The treaty was signed by Velikan's father, Rt Hon Peter Velikan Lungisa II, in 1962.",
    )
    assert _engagements(ex) == [("meeting", ["Ruben Osei", "Tomas Velikan"])]


def test_a_caption_names_who_met_when_the_body_does_not(reference: Reference) -> None:
    ex = _extract(
        reference,
        "Bilateral meeting marks sixty years of friendship",
        "(Picture caption: L-R Prime Minister Tomas Velikan and Minister Ruben Osei following "
        "the bilateral meeting.)",
        "Prime Minister Velikan has concluded her visit with a bilateral meeting in the capital.",
    )
    assert _engagements(ex) == [("meeting", ["Ruben Osei", "Tomas Velikan"])]


@pytest.mark.parametrize(
    "sentence",
    [
        "The new border bridge was inaugurated on Monday in a ceremony attended by President "
        "Tomas Velikan and President Ruben Osei.",
        "A bilateral meeting of the two presidents, Tomas Velikan and Ruben Osei, was held in "
        "the capital on Monday.",
        "President Tomas Velikan and his Corvish counterpart Ruben Osei co-chaired the fourth "
        "session of the joint commission in the capital on Monday.",
    ],
)
def test_engagements_phrased_other_than_met(reference: Reference, sentence: str) -> None:
    ex = _extract(reference, "Leaders of Arlenia and Corvia", sentence)
    assert _engagements(ex) == [("meeting", ["Ruben Osei", "Tomas Velikan"])]


def test_a_date_line_of_any_shape_is_the_page_date_for_events() -> None:
    paragraphs = ["Sun 10 - September 2017", "President Tomas Velikan met President Ruben Osei."]
    assert _page_date("Leaders of Arlenia and Corvia meet", paragraphs) == date(2017, 9, 10)

"""The trigger grammar on real-news shapes: light verbs, passives, possessives, remote talks,
modality and negation, quotation and trigger strength. Every text here is written for the test.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from flows.extract.events import detect_events
from flows.extract.gazetteer import Gazetteer
from flows.records import Event, Mention

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PEOPLE = {"Alvarez": "Ana Alvarez", "Brenner": "Tomas Brenner", "Okafor": "Ngozi Okafor"}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_seeds(SEEDS)


def _detect(text: str, gz: Gazetteer, published: date | None = date(2024, 3, 8)) -> list[Event]:
    paragraphs = text.split("\n")
    mentions = [
        Mention(no, m.start(), m.end(), person, surface, "name")
        for no, para in enumerate(paragraphs)
        for surface, person in PEOPLE.items()
        for m in re.finditer(rf"\b{surface}\b", para)
    ]
    return detect_events(paragraphs, None, published, mentions, gz)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("President Alvarez held two rounds of talks with Chancellor Brenner.", "meeting"),
        ("Alvarez and Brenner held constructive discussions on trade.", "meeting"),
        ("Alvarez met Thursday evening with Brenner at the palace.", "meeting"),
        ("Alvarez and Brenner this morning met for talks at the forum.", "meeting"),
        ("Speaking after their meeting in the capital, Alvarez praised Brenner.", "meeting"),
        (
            "The Fourth Meeting of the Joint Council was held in the capital, with Alvarez and "
            "Brenner in the chair.",
            "meeting",
        ),
        ("This was said at a courtesy call received by Alvarez from Brenner.", "meeting"),
        ("Alvarez hosted a summit meeting with Brenner at her residence.", "meeting"),
        ("Alvarez has had her first call with Brenner since the election.", "phone_call"),
        ("Alvarez spoke Wednesday with Brenner about the floods.", "phone_call"),
        ("Alvarez on Friday called up Brenner to discuss the floods.", "phone_call"),
        ("Alvarez and Brenner on Thursday held a virtual summit on health.", "phone_call"),
    ],
)
def test_engagement_shapes(gazetteer: Gazetteer, text: str, kind: str) -> None:
    events = _detect(text, gazetteer)
    assert [e.kind for e in events] == [kind], events
    assert events[0].participants == ["Ana Alvarez", "Tomas Brenner"]


@pytest.mark.parametrize(
    "text",
    [
        "Alvarez would meet Brenner in the spring.",
        "Alvarez and Brenner are set to meet next month.",
        "Alvarez plans to hold talks with Brenner.",
        "Alvarez and Brenner agreed to meet at the coming summit.",
        "There was no agreement to hold a meeting between Alvarez and Brenner.",
        "Alvarez had been due to meet Brenner on Friday.",
        "The talks between Alvarez and Brenner were postponed.",
        "Alvarez invited Brenner to visit and hold talks.",
        "Alvarez said: “Brenner and I met with the donors and we agreed.”",
    ],
)
def test_no_engagement(gazetteer: Gazetteer, text: str) -> None:
    assert _detect(text, gazetteer) == []


def test_a_quoted_letter_recalling_a_dated_meeting_still_counts(gazetteer: Gazetteer) -> None:
    text = "Alvarez wrote to Okafor: “Only yesterday I met with Brenner at the border.”"
    events = _detect(text, gazetteer)
    assert [e.kind for e in events] == ["meeting"]
    assert events[0].event_date == date(2024, 3, 7)


def test_the_strongest_trigger_wins(gazetteer: Gazetteer) -> None:
    text = "Alvarez congratulated Brenner on his election during a phone conversation on Monday."
    events = _detect(text, gazetteer)
    assert [(e.kind, e.event_date) for e in events] == [("phone_call", date(2024, 3, 4))]


def test_a_weak_lead_takes_the_kind_of_the_first_strong_cue(gazetteer: Gazetteer) -> None:
    text = "Alvarez congratulated Brenner on his victory.\nThe two spoke by phone for an hour."
    events = _detect(text, gazetteer)
    assert [e.kind for e in events] == ["phone_call"]


def test_a_day_range_gives_its_first_day(gazetteer: Gazetteer) -> None:
    text = "The council meeting was held from 23-24 May 2024, with Alvarez and Brenner present."
    assert [e.event_date for e in _detect(text, gazetteer)] == [date(2024, 5, 23)]


def test_the_lead_sentence_dates_a_later_trigger(gazetteer: Gazetteer) -> None:
    text = (
        "Alvarez and her counterpart Brenner on Thursday discussed trade.\n"
        "At a briefing following their talks, Alvarez praised the ties."
    )
    events = _detect(text, gazetteer)
    assert [(e.event_date, e.date_certain) for e in events] == [(date(2024, 3, 7), True)]


def test_a_spokesman_is_no_participant(gazetteer: Gazetteer) -> None:
    text = "Alvarez held talks with Brenner, spokesman Okafor said."
    assert _detect(text, gazetteer)[0].participants == ["Ana Alvarez", "Tomas Brenner"]


def test_a_call_is_between_its_two_parties(gazetteer: Gazetteer) -> None:
    text = "Alvarez spoke by phone with Brenner.\nAlvarez recalled that Okafor had visited."
    (event,) = _detect(text, gazetteer)
    assert event.participants == ["Ana Alvarez", "Tomas Brenner"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("President Alvarez on Thursday received his visiting counterpart, Brenner.", "meeting"),
        ("Alvarez received at the Bayan Palace today Brenner, who is on a visit.", "meeting"),
        ("Alvarez hosted Brenner at the presidential palace on Monday.", "meeting"),
        ("Brenner was greeted with a guard of honour before he sat down with Alvarez.", "meeting"),
        ("Speaking after a meeting in the capital, Alvarez thanked Brenner.", "meeting"),
        ("Alvarez called Brenner on Thursday afternoon to discuss security.", "phone_call"),
        ("On the phone, Alvarez and Brenner stressed their partnership.", "phone_call"),
        ("The telephone dialogue between Alvarez and Brenner lasted 25 minutes.", "phone_call"),
    ],
)
def test_more_engagement_shapes(gazetteer: Gazetteer, text: str, kind: str) -> None:
    events = _detect(text, gazetteer)
    assert [e.kind for e in events] == [kind], events


@pytest.mark.parametrize(
    "text",
    [
        "The bilateral meeting between Alvarez and Brenner will be an opportunity for trade.",
        "Talks between Alvarez and Brenner are expected to focus on the border.",
        "Border issues will be discussed at the annual consultation meeting between Alvarez and "
        "Brenner.",
        "They will meet at the consultation meeting between Alvarez and Brenner, which will be "
        "held in the capital.",
        "Alvarez called on Brenner to resign.",
    ],
)
def test_planned_engagements_as_subjects(gazetteer: Gazetteer, text: str) -> None:
    assert _detect(text, gazetteer) == []


def test_a_nested_place_cue_and_a_recalled_place(gazetteer: Gazetteer) -> None:
    text = (
        "Alvarez on Thursday received Brenner at her official residence in the State House, "
        "Abuja.\nThe two are meeting four months after they met in Osaka."
    )
    events = _detect(text, gazetteer)
    assert events[0].location == "Abuja", events  # the recalled Osaka meeting is its own


@pytest.mark.parametrize(
    "text",
    [
        "Alvarez and Brenner met via videoconference on Thursday.",
        "Alvarez held talks with Brenner in a virtual meeting on health.",
        "Alvarez and Brenner held talks at a video summit on Friday.",
    ],
)
def test_a_talk_by_video_is_a_phone_call(gazetteer: Gazetteer, text: str) -> None:
    assert [e.kind for e in _detect(text, gazetteer)] == ["phone_call"]

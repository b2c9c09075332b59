"""Event detection (dates, places, occasions, kinds, segmentation) and cross-article linking."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from flows.extract.dates import find_dates, parse_event_date
from flows.extract.events import detect_events
from flows.extract.gazetteer import Gazetteer
from flows.extract.occasions import ordinal, roman_to_int
from flows.extract.topics import TopicTaxonomy
from flows.link.meetings import LINK_INPUT_SCHEMA, link_meetings
from flows.records import Event, Mention

TESTS = Path(__file__).resolve().parent
SEEDS = TESTS.parent / "seeds"
# Inline tests resolve people with this tiny table so they do not depend on flows.extract.people.
NAMES = {
    "Aliyev": "Ilham Aliyev",
    "Raisi": "Ebrahim Raisi",
    "Pezeshkian": "Masoud Pezeshkian",
    "Erdogan": "Recep Tayyip Erdogan",
    "Putin": "Vladimir Putin",
    "Rouhani": "Hassan Rouhani",
    "Khamenei": "Ali Khamenei",
}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_seeds(SEEDS)


def _mentions(paragraphs: list[str]) -> list[Mention]:
    found = []
    for no, text in enumerate(paragraphs):
        for surface, person in NAMES.items():
            for m in re.finditer(rf"\b{surface}\b", text):
                found.append(Mention(no, m.start(), m.end(), person, surface, "name"))
    return found


def _detect(paragraphs: list[str], published: date | None, gz: Gazetteer) -> list[Event]:
    return detect_events(paragraphs, None, published, _mentions(paragraphs), gz)


# --------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("met on November 28, 2021.", date(2021, 11, 29), date(2021, 11, 28)),
        ("met on Nov. 28 2021.", date(2022, 1, 1), date(2021, 11, 28)),
        ("met on 28 November 2021.", None, date(2021, 11, 28)),
        ("met on the 28th of November.", date(2021, 11, 30), date(2021, 11, 28)),
        ("met on 28 November.", date(2021, 11, 28), date(2021, 11, 28)),
        ("met November 28.", date(2021, 11, 29), date(2021, 11, 28)),
        # year inferred: the most recent such day not after the published date
        ("met on December 30.", date(2022, 1, 3), date(2021, 12, 30)),
        ("met on Sunday.", date(2017, 3, 5), date(2017, 3, 5)),  # published on a Sunday
        ("in a message on Friday.", date(2022, 3, 12), date(2022, 3, 11)),
        ("talked last Monday.", date(2024, 5, 1), date(2024, 4, 29)),
        ("met yesterday.", date(2022, 3, 12), date(2022, 3, 11)),
        ("met earlier in the day.", date(2022, 3, 12), date(2022, 3, 12)),
        ("spoke by phone today.", date(2022, 3, 12), date(2022, 3, 12)),
        ("met on Sunday, November 28, 2021.", date(2021, 12, 5), date(2021, 11, 28)),
        ("the 15th summit of the ECO", date(2021, 11, 28), None),
        ("relations may improve", date(2021, 11, 28), None),
        ("on February 30", date(2021, 11, 28), None),
        ("met on Sunday.", None, None),  # a weekday needs a published date
        ("On 05.03.2019, Aliyev received", date(2019, 3, 6), date(2019, 3, 5)),
        ("met on 29.11.21 in Ashgabat", None, date(2021, 11, 29)),
        ("met on 2021-11-28.", None, date(2021, 11, 28)),
        ("Baku/29.11.21/Turan: met", None, None),  # a dateline stamp is no event date
        ("trade grew 1.5 percent", None, None),
        ("will meet next Monday.", date(2024, 5, 8), date(2024, 5, 13)),  # forward
        ("met later in the day.", date(2022, 3, 12), date(2022, 3, 12)),
        ("the two last met in Baku in 2018.", date(2019, 6, 15), None),  # a year is no date
    ],
)
def test_dates(text: str, published: date | None, expected: date | None) -> None:
    assert parse_event_date(text, published) == expected


def test_weekday_followed_by_explicit_date_is_one_hit() -> None:
    hits = find_dates("on Sunday, November 28, 2021", date(2021, 12, 5))
    assert [h.value for h in hits] == [date(2021, 11, 28)]


# --------------------------------------------------------------------------------- places


@pytest.mark.parametrize(
    ("text", "city", "country"),
    [
        ("the two met in Ashgabat, Turkmenistan", "Ashgabat", "Turkmenistan"),
        ("talks in Ashkhabad", "Ashgabat", "Turkmenistan"),
        ("talks in Aşgabat", "Ashgabat", "Turkmenistan"),
        ("received him at the Saadabad Palace", "Tehran", "Iran"),
        ("the summit in Nur-Sultan", "Astana", "Kazakhstan"),
        ("arrived in Teheran", "Tehran", "Iran"),
        ("he feels at home in Iran", None, None),  # a country is not a meeting location
        ("met in the Uzbek city of Samarkand", "Samarkand", "Uzbekistan"),
        ("hosted them in the Iranian capital", "Tehran", "Iran"),
        ("who is on a visit to Baku", "Baku", "Azerbaijan"),
        ("a one-on-one meeting at the Zagulba Palace", "Baku", "Azerbaijan"),
        ("a Washington-based think tank", None, None),
        ("in turn, Baku said", None, None),  # Baku not introduced by in/at
    ],
)
def test_places(gazetteer: Gazetteer, text: str, city: str | None, country: str | None) -> None:
    hits = gazetteer.locations(text)
    assert ((hits[0].city, hits[0].country) if hits else (None, None)) == (city, country)


def test_gazetteer_lookup(gazetteer: Gazetteer) -> None:
    assert gazetteer.country_of("Asghabat") == "Turkmenistan"
    assert gazetteer.country_of("Nakhchivan") == "Azerbaijan"
    assert gazetteer.country_of("Narnia") is None


# --------------------------------------------------------------------------------- occasions

ECO = "Economic Cooperation Organization (ECO)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "at the XV Summit of the Economic Cooperation Organization (ECO) in",
            f"15th {ECO} summit",
        ),
        ("on the sidelines of the 15th ECO summit", f"15th {ECO} summit"),
        ("the 15th Summit of the Economic Cooperation Organization (ECO).", f"15th {ECO} summit"),
        ("the 15th Economic Cooperation Organization (ECO) summit", f"15th {ECO} summit"),
        ("the XVI ECO summit", f"16th {ECO} summit"),
        ("the fifteenth ECO summit", f"15th {ECO} summit"),
        ("the 22nd SCO summit", "22nd Shanghai Cooperation Organisation (SCO) summit"),
        ("the VI Caspian summit", "6th Caspian summit"),
        (
            "at the 6th CICA summit",
            "6th Conference on Interaction and Confidence-Building Measures in Asia (CICA) summit",
        ),
        ("the summit of the Non-Aligned Movement", "Non-Aligned Movement (NAM) summit"),
        ("at the BRICS summit", "BRICS summit"),
        ("the economic summit in Davos", None),
        ("a summit will be held", None),
        (
            "the informal summit of the CIS heads of state",
            "Commonwealth of Independent States (CIS) summit",
        ),
        ("in Baku to attend the COP29 climate conference", "UN Climate Change Conference (COP29)"),
        ("on the sidelines of the UN General Assembly", "United Nations General Assembly session"),
        ("the trilateral summit of Iran, Azerbaijan and Russia", "{countries} trilateral summit"),
    ],
)
def test_occasions(gazetteer: Gazetteer, text: str, expected: str | None) -> None:
    assert gazetteer.occasions.find(text) == expected


@pytest.mark.parametrize(
    ("roman", "value"), [("XV", 15), ("IV", 4), ("XIX", 19), ("XL", 40), ("ABC", None)]
)
def test_roman(roman: str, value: int | None) -> None:
    assert roman_to_int(roman) == value


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (11, "11th"),
        (12, "12th"),
        (15, "15th"),
        (21, "21st"),
        (22, "22nd"),
    ],
)
def test_ordinal(n: int, text: str) -> None:
    assert ordinal(n) == text


# --------------------------------------------------------------------------------- kinds


@pytest.mark.parametrize(
    ("text", "kind", "trigger"),
    [
        ("Raisi met with Aliyev on Monday.", "meeting", "met with"),
        ("Raisi received Aliyev on Monday.", "meeting", "received"),
        ("Raisi held talks with Aliyev on Monday.", "meeting", "held talks"),
        ("Raisi and Aliyev spoke by phone on Monday.", "phone_call", "spoke by phone"),
        (
            "In a telephone conversation on Monday, Raisi told Aliyev",
            "phone_call",
            "telephone conversation",
        ),
        ("Raisi and Aliyev held a videoconference on Monday.", "phone_call", "videoconference"),
        ("Aliyev and Raisi talked via video call on Monday.", "phone_call", "video call"),
        ("In a message to Raisi on Monday, Aliyev wrote", "message", "In a message to"),
        ("Aliyev received a letter from Raisi on Monday.", "message", "received a letter"),
        ("Aliyev congratulated Raisi on Monday.", "message", "congratulated"),
    ],
)
def test_kinds(gazetteer: Gazetteer, text: str, kind: str, trigger: str) -> None:
    (event,) = _detect([text], date(2024, 5, 8), gazetteer)
    assert (event.kind, event.trigger) == (kind, trigger)
    assert event.participants == ["Ebrahim Raisi", "Ilham Aliyev"]
    assert event.event_date == date(2024, 5, 6)


@pytest.mark.parametrize(
    "text",
    [
        "Aliyev said relations are good.",
        "Later on Tuesday, Putin is due to hold talks with Erdogan.",  # planned
        "Aliyev will meet with Raisi next week.",
        "They discussed preparations for the next trilateral meeting with Raisi and Aliyev.",
        "Azerbaijan received Israeli drones, Aliyev said.",  # no person after "received"
        "In an interview, Aliyev praised Raisi.",
        "Aliyev congratulated the nation.",  # one person is no engagement
    ],
)
def test_not_an_engagement(gazetteer: Gazetteer, text: str) -> None:
    assert _detect([text], date(2024, 5, 8), gazetteer) == []


def test_no_trigger_no_event(gazetteer: Gazetteer) -> None:
    assert _detect(["Aliyev said relations are good."], date(2024, 5, 8), gazetteer) == []


def test_undated_current_news_uses_published_uncertain(gazetteer: Gazetteer) -> None:
    (event,) = _detect(
        ["In a meeting with Aliyev, Raisi said ties are deep."], date(2024, 5, 8), gazetteer
    )
    assert (event.event_date, event.date_certain) == (date(2024, 5, 8), False)


def test_attendees_join_the_participants(gazetteer: Gazetteer) -> None:
    paragraphs = [
        "Raisi met with Aliyev in Tabriz on Monday.",
        "In this meeting, which was also attended by Pezeshkian, Aliyev said ties are deep.",
    ]
    (event,) = _detect(paragraphs, date(2024, 5, 8), gazetteer)
    assert event.participants == ["Ebrahim Raisi", "Ilham Aliyev", "Masoud Pezeshkian"]
    assert (event.location, event.country) == ("Tabriz", "Iran")


def test_people_the_event_is_about_are_not_participants(gazetteer: Gazetteer) -> None:
    paragraphs = [
        "Aliyev sent a letter of condolence to Khamenei over the death of President Raisi.",
    ]
    (event,) = _detect(paragraphs, date(2024, 5, 20), gazetteer)
    assert (event.kind, event.participants) == ("message", ["Ali Khamenei", "Ilham Aliyev"])


def test_trilateral_summit_named_by_the_countries(gazetteer: Gazetteer) -> None:
    paragraphs = ["Putin, Rouhani and Aliyev met in Baku on Monday for a trilateral summit."]
    (event,) = _detect(paragraphs, date(2016, 8, 8), gazetteer)
    assert event.occasion == "Azerbaijan-Iran-Russia trilateral summit"
    assert event.location == "Baku"


def test_calls_and_messages_have_no_place(gazetteer: Gazetteer) -> None:
    paragraphs = ["In a message to Raisi, Aliyev thanked him for the hospitality in Tehran."]
    (event,) = _detect(paragraphs, date(2022, 3, 12), gazetteer)
    assert (event.kind, event.location, event.country) == ("message", None, None)


# --------------------------------------------------------------------------------- segmentation


def test_unnamed_principals_are_named_by_later_cues(gazetteer: Gazetteer) -> None:
    paragraphs = [
        "The leaders of Russia, Azerbaijan and Iran met in Baku on Monday.",
        "Putin spoke to reporters after the talks with Aliyev and Rouhani.",
    ]
    (event,) = _detect(paragraphs, date(2016, 8, 9), gazetteer)
    assert event.participants == ["Hassan Rouhani", "Ilham Aliyev", "Vladimir Putin"]
    assert (event.event_date, event.first_paragraph, event.last_paragraph) == (
        date(2016, 8, 8),
        0,
        1,
    )


def test_same_day_second_meeting_shares_date_and_place(gazetteer: Gazetteer) -> None:
    paragraphs = [
        "Rouhani received Aliyev in Tehran on Monday.",
        "Later in the day, Aliyev met Khamenei.",
    ]
    first, second = _detect(paragraphs, date(2002, 5, 21), gazetteer)
    assert second.participants == ["Ali Khamenei", "Ilham Aliyev"]
    assert (second.event_date, second.location) == (first.event_date, "Tehran")
    assert first.event_date == date(2002, 5, 20)


def test_recalled_meeting_is_its_own_undated_event(gazetteer: Gazetteer) -> None:
    paragraphs = [
        "Rouhani and Aliyev met on Saturday in Dushanbe.",
        "The two presidents last met in Baku in 2018.",
    ]
    first, second = _detect(paragraphs, date(2019, 6, 15), gazetteer)
    assert first.event_date == date(2019, 6, 15)
    assert (second.event_date, second.location) == (None, "Baku")
    assert second.participants == ["Hassan Rouhani", "Ilham Aliyev"]


def test_weak_trigger_of_another_kind_stays_in_the_event(gazetteer: Gazetteer) -> None:
    paragraphs = [
        "Aliyev had a phone conversation with Raisi on Monday.",
        "Raisi congratulated Aliyev on the holiday.",
    ]
    (event,) = _detect(paragraphs, date(2024, 5, 8), gazetteer)
    assert (event.kind, event.last_paragraph) == ("phone_call", 1)


def test_call_and_meeting_the_same_day_are_two_events(gazetteer: Gazetteer) -> None:
    paragraphs = [
        "Erdogan and Putin discussed Syria in a phone call Thursday.",
        "Earlier in the day, Erdogan received Aliyev in Ankara.",
    ]
    call, meeting = _detect(paragraphs, date(2021, 2, 4), gazetteer)
    assert (call.kind, meeting.kind) == ("phone_call", "meeting")
    assert call.event_date == meeting.event_date == date(2021, 2, 4)
    assert (meeting.participants, meeting.location) == (RA_ALIYEV_ERDOGAN, "Ankara")


def test_headline_cue_yields_to_the_lead(gazetteer: Gazetteer) -> None:
    paragraphs = [
        "Iranian President congratulates Aliyev on Independence Day",
        "Raisi has sent a congratulatory message to Aliyev on Independence Day.",
    ]
    (event,) = _detect(paragraphs, date(2023, 5, 28), gazetteer)
    assert (event.kind, event.trigger) == ("message", "sent a congratulatory message")
    assert (event.first_paragraph, event.last_paragraph) == (0, 1)


RA_ALIYEV_ERDOGAN = ["Ilham Aliyev", "Recep Tayyip Erdogan"]


def test_message_article_recalling_an_earlier_meeting(gazetteer: Gazetteer) -> None:
    paragraphs = [
        "In a letter to Raisi on Tuesday, Aliyev expressed condolences.",
        "I congratulate you and wish you success.",
        "Talks on the border",
        "On 4 July, Raisi met with Aliyev in Dushanbe on the sidelines of the XXI SCO summit.",
        "Raisi said the border must stay open.",
    ]
    first, second = _detect(paragraphs, date(2022, 3, 16), gazetteer)
    assert (first.kind, first.event_date, first.first_paragraph, first.last_paragraph) == (
        "message",
        date(2022, 3, 15),
        0,
        1,
    )
    assert (second.kind, second.event_date, second.first_paragraph, second.last_paragraph) == (
        "meeting",
        date(2021, 7, 4),
        2,
        4,
    )  # the heading moves to the recalled meeting
    assert second.location == "Dushanbe"
    assert second.occasion == "21st Shanghai Cooperation Organisation (SCO) summit"
    assert second.participants == ["Ebrahim Raisi", "Ilham Aliyev"]


def test_new_participants_open_a_new_event(gazetteer: Gazetteer) -> None:
    paragraphs = [
        "Raisi met with Aliyev in Ashgabat on Sunday.",
        "Raisi later held talks with Erdogan.",
        "Raisi, in the meeting with Aliyev, praised the ties.",  # same people: no new event
    ]
    events = _detect(paragraphs, date(2021, 11, 29), gazetteer)
    assert [e.participants for e in events] == [
        ["Ebrahim Raisi", "Ilham Aliyev"],
        ["Ebrahim Raisi", "Recep Tayyip Erdogan"],
        ["Ebrahim Raisi", "Ilham Aliyev"],
    ]
    assert [(e.first_paragraph, e.last_paragraph) for e in events] == [(0, 0), (1, 1), (2, 2)]


def test_repeated_trigger_with_same_date_and_people_is_one_event(gazetteer: Gazetteer) -> None:
    paragraphs = [
        "Raisi met with Aliyev on Sunday.",
        "During talks with Aliyev on Sunday, Raisi said ties are deep.",
    ]
    (event,) = _detect(paragraphs, date(2021, 11, 29), gazetteer)
    assert (event.first_paragraph, event.last_paragraph) == (0, 1)


# --------------------------------------------------------------------------------- linking


def _frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    cols = ["doc_id", "event_no", "kind", "event_date", "date_certain", "location", "participants"]
    return pl.DataFrame(
        [dict(zip(cols, r, strict=True)) for r in rows],
        schema_overrides={"participants": pl.List(pl.String)},
    )


RA = ["Ebrahim Raisi", "Ilham Aliyev"]


@pytest.mark.parametrize(
    ("a", "b", "linked"),
    [
        (
            ("meeting", date(2021, 11, 28), True, "Ashgabat", RA),
            ("meeting", date(2021, 11, 28), True, None, RA),
            True,
        ),  # other outlet, no place
        (
            ("meeting", date(2021, 11, 28), True, "Ashgabat", RA),
            ("meeting", date(2022, 11, 28), True, "Ashgabat", RA),
            False,
        ),  # a year apart
        (
            ("meeting", date(2021, 11, 28), True, None, RA),
            ("meeting", date(2021, 11, 29), False, None, RA),
            True,
        ),  # uncertain: +-1 day
        (
            ("meeting", date(2021, 11, 28), True, None, RA),
            ("meeting", date(2021, 11, 29), True, None, RA),
            False,
        ),  # both certain
        (
            ("meeting", date(2021, 11, 28), True, "Ashgabat", RA),
            ("meeting", date(2021, 11, 28), True, "Baku", RA),
            False,
        ),  # places clash
        (
            ("meeting", date(2021, 11, 28), True, None, RA),
            ("message", date(2021, 11, 28), True, None, RA),
            False,
        ),  # kinds differ
        (
            ("meeting", date(2021, 11, 28), True, None, RA),
            ("meeting", date(2021, 11, 28), True, None, ["Ilham Aliyev"]),
            True,
        ),  # smaller set
        (
            ("meeting", date(2021, 11, 28), True, None, RA),
            ("meeting", date(2021, 11, 28), True, None, ["Ilham Aliyev", "Vladimir Putin"]),
            False,
        ),
        (
            ("meeting", date(2021, 11, 28), True, None, RA),
            ("meeting", None, False, None, RA),
            False,
        ),  # an undated (recalled) engagement cannot be placed: it links to nothing
        (
            ("meeting", date(2021, 11, 28), True, None, ["Muhammad Bin Salim", "Ilham Aliyev"]),
            ("meeting", date(2021, 11, 28), True, None, ["Ilham Aliyev", "Mohammed bin Saleem"]),
            True,
        ),  # two outlets' transliterations of one name are one participant
        (
            ("meeting", date(2021, 11, 28), True, None, ["Omar Haddad", "Lina Haddad"]),
            ("meeting", date(2021, 11, 28), True, None, ["Omar Haddad", "Karim Said"]),
            False,
        ),
    ],
)
def test_link_pairs(a: tuple[Any, ...], b: tuple[Any, ...], linked: bool) -> None:
    out = link_meetings(_frame([("d1", 0, *a), ("d2", 0, *b)]))
    assert out.columns == ["doc_id", "event_no", "meeting_id"]
    ids = out["meeting_id"].to_list()
    assert (ids[0] == ids[1]) is linked


def test_meeting_id_is_stable_and_order_independent() -> None:
    rows = [
        ("d1", 0, "meeting", date(2021, 11, 28), True, "Ashgabat", RA),
        ("d2", 1, "meeting", date(2021, 11, 28), True, None, RA),
        ("d3", 0, "meeting", date(2022, 11, 28), True, None, RA),
    ]
    one = link_meetings(_frame(rows)).sort("doc_id")
    two = link_meetings(_frame(rows[::-1])).sort("doc_id")
    assert one.equals(two)
    assert one["meeting_id"].n_unique() == 2
    assert all(len(m) == 12 for m in one["meeting_id"])


# --------------------------------------------------------------------------------- samples


def _paragraphs(text: str, drop: list[str]) -> list[str]:
    """Tiny local splitter: drop labelled metadata/boilerplate lines, split on blank lines."""
    dropped = {line.strip() for line in drop}
    lines = [line for line in text.splitlines() if line.strip() not in dropped]
    blocks = re.split(r"\n\s*\n", "\n".join(lines))
    return [re.sub(r"\s+", " ", b).strip() for b in blocks if b.strip()]


@pytest.fixture(scope="module")
def sample_run(gazetteer: Gazetteer) -> tuple[pl.DataFrame, dict[str, list[str]], dict[str, Any]]:
    from flows.extract.people import PeopleDirectory

    expected = json.loads((TESTS / "seeds_expected.json").read_text(encoding="utf-8"))
    people = PeopleDirectory.from_seeds(SEEDS)
    rows, paragraphs_of = [], {}
    for doc in expected["documents"]:
        text = (SEEDS / "articles" / doc["file"]).read_text(encoding="utf-8")
        paragraphs = _paragraphs(text, doc["metadata"] + doc["boilerplate"])
        published = date.fromisoformat(doc["published"])
        mentions = people.find_mentions(paragraphs, published)
        paragraphs_of[doc["file"]] = paragraphs
        for e in detect_events(paragraphs, doc["title"], published, mentions, gazetteer):
            rows.append({"doc_id": doc["file"], **{k: getattr(e, k) for k in Event.__slots__}})
    events = pl.DataFrame(rows, schema_overrides={"participants": pl.List(pl.String)})
    linked = events.join(link_meetings(events), on=["doc_id", "event_no"])
    return linked, paragraphs_of, expected


def test_samples_meetings(sample_run: tuple[pl.DataFrame, dict, dict]) -> None:
    linked, _, expected = sample_run
    meetings = linked.filter(pl.col("kind") == "meeting")
    assert meetings["meeting_id"].n_unique() == len(expected["meetings"]) == 3
    for want in expected["meetings"]:
        day = date.fromisoformat(want["date"])
        got = meetings.filter(pl.col("event_date") == day)
        assert got["meeting_id"].n_unique() == 1
        assert sorted(got["doc_id"]) == sorted(want["sources"])
        for row in got.iter_rows(named=True):
            assert sorted(row["participants"]) == sorted(want["participants"])
            assert row["location"] in want["location_any_of"]
        if want["occasion"]:
            assert set(got["occasion"]) == {want["occasion"]}


def test_samples_message(sample_run: tuple[pl.DataFrame, dict, dict]) -> None:
    linked, _, expected = sample_run
    (want,) = expected["not_meetings"]
    got = linked.filter(pl.col("kind") == "message")
    assert got["doc_id"].to_list() == [want["source"]]
    assert got["event_date"].to_list() == [date.fromisoformat(want["date"])]
    assert got["participants"].to_list() == [sorted([want["from"], want["to"]])]
    assert linked["meeting_id"].n_unique() == 4  # three meetings + the message


def test_samples_topic_recall(sample_run: tuple[pl.DataFrame, dict, dict]) -> None:
    linked, paragraphs_of, expected = sample_run
    taxonomy = TopicTaxonomy.from_seeds(SEEDS)
    for day, wanted in expected["topics_expected"].items():
        rows = linked.filter(pl.col("event_date") == date.fromisoformat(day))
        found: set[str] = set()
        for r in rows.iter_rows(named=True):
            paragraphs = paragraphs_of[r["doc_id"]][r["first_paragraph"] : r["last_paragraph"] + 1]
            found.update(taxonomy.tag_many(paragraphs))
        recall = len(found & set(wanted)) / len(wanted)
        assert recall >= 0.8, (day, sorted(set(wanted) - found))


def test_link_empty_frame() -> None:
    empty = pl.DataFrame(schema=LINK_INPUT_SCHEMA)
    assert link_meetings(empty).shape == (0, 3)


# ------------------------------------------------ issue 13, round 3: trigger grammar, roles


@pytest.mark.parametrize(
    "text",
    [
        "President Aliyev is on Tuesday hosting the president of the neighbour, Raisi.",
        "Aliyev, who is on a visit, met prime minister Raisi at the palace.",
        "Aliyev visited the capital and discussed several issues with Foreign Minister Raisi.",
        "Aliyev discussed relations with his counterpart, Raisi, who arrived on a visit.",
        "Aliyev was received by President Raisi at the palace on Monday.",
        "Aliyev and Raisi jointly inaugurated the new bridge on Monday.",
        "Aliyev and Raisi conferred with their advisers in Baku on Monday.",
    ],
)
def test_more_engagement_phrasings(gazetteer: Gazetteer, text: str) -> None:
    events = _detect([text], date(2024, 5, 8), gazetteer)
    assert [e.participants for e in events] == [["Ebrahim Raisi", "Ilham Aliyev"]]


def test_a_relative_or_companion_is_no_principal(gazetteer: Gazetteer) -> None:
    text = "Raisi met Aliyev, accompanied by his wife Putin, at the palace."
    events = _detect([text], date(2024, 5, 8), gazetteer)
    assert [e.participants for e in events] == [["Ebrahim Raisi", "Ilham Aliyev"]]
    # even as the subject of the verb: "his wife X, who met their hosts"
    text = "Raisi came with his wife Putin, who met their hosts. Raisi held talks with Aliyev."
    events = _detect([text], date(2024, 5, 8), gazetteer)
    assert [e.participants for e in events] == [["Ebrahim Raisi", "Ilham Aliyev"]]


def test_a_greeting_party_is_no_engagement(gazetteer: Gazetteer) -> None:
    text = "On arrival, Aliyev was warmly welcomed by Foreign Minister Raisi."
    assert _detect([text], date(2024, 5, 8), gazetteer) == []


def test_the_subject_of_the_verb_is_a_principal_whatever_the_title(gazetteer: Gazetteer) -> None:
    text = "The minister, Ambassador Raisi, on Wednesday received Aliyev at the ministry."
    events = _detect([text], date(2024, 5, 8), gazetteer)
    assert [e.participants for e in events] == [["Ebrahim Raisi", "Ilham Aliyev"]]
    quoted = "Ambassador Raisi said Putin received Aliyev at the ministry."
    events = _detect([quoted], date(2024, 5, 8), gazetteer)
    assert [e.participants for e in events] == [["Ilham Aliyev", "Vladimir Putin"]]


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        ("Newswire 22/10/2016", date(2016, 10, 22)),
        ("Saturday 22/October/2016 18:16 PM", date(2016, 10, 22)),
        ("In 1990 the two countries signed a treaty that was renewed on 1/5/2015.", None),
    ],
)
def test_a_short_dated_line_at_the_top_anchors_weekdays(
    gazetteer: Gazetteer, top: str, expected: date | None
) -> None:
    text = "Aliyev was on Saturday welcomed to the palace, where he sat down with Raisi for talks."
    events = _detect([top, text], None, gazetteer)
    assert [e.event_date for e in events] == [expected]


def test_a_headline_the_body_puts_in_the_future_is_no_engagement(gazetteer: Gazetteer) -> None:
    body = ["Trade will dominate discussions when the leaders meet in retreat today, Aliyev said."]
    title = "Leaders meet in Baku today"
    mentions = [*_mentions(body), Mention(-1, 0, 0, "Ebrahim Raisi", "Raisi", "name")]
    assert detect_events(body, title, date(2024, 5, 8), mentions, gazetteer) == []
    # another planned engagement in the body does not veto the headline's
    body = ["Aliyev and Raisi agreed to hold the next meeting in the autumn."]
    title = "Aliyev held talks with Raisi"
    events = detect_events(body, title, date(2024, 5, 8), _mentions(body), gazetteer)
    assert [e.participants for e in events] == [["Ebrahim Raisi", "Ilham Aliyev"]]


def test_the_possessor_of_another_visit_is_no_participant(gazetteer: Gazetteer) -> None:
    text = [
        "Talks were held in Baku on Monday.",
        "Aliyev and Raisi discussed the agreements reached during Putin's visit to Tehran.",
    ]
    events = _detect(text, date(2024, 5, 8), gazetteer)
    assert [e.participants for e in events] == [["Ebrahim Raisi", "Ilham Aliyev"]]


def test_the_source_of_the_report_is_no_principal(gazetteer: Gazetteer) -> None:
    text = "Aliyev met Raisi on Monday, Foreign Minister Putin told reporters."
    events = _detect([text], date(2024, 5, 8), gazetteer)
    assert [e.participants for e in events] == [["Ebrahim Raisi", "Ilham Aliyev"]]
    # a speaker named before the trigger may be its subject: "X told reporters after the
    # talks with Y and Z"
    text = "Putin told reporters after the talks with Aliyev and Raisi on Monday."
    events = _detect([text], date(2024, 5, 8), gazetteer)
    assert [e.participants for e in events] == [["Ebrahim Raisi", "Ilham Aliyev", "Vladimir Putin"]]

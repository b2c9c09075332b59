"""Places beyond the samples' region (seeds/world_cities.csv) and the dateline fallback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows.extract.events import detect_events
from flows.extract.gazetteer import Gazetteer
from flows.records import Mention

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_seeds(SEEDS)


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("The talks were held in Gothenburg on Friday.", "Gothenburg"),
        ("They met in the Moroccan capital Rabat.", "Rabat"),
        ("They met in the resort town of Sharm el-Sheikh.", "Sharm el-Sheikh"),
        ("after a meeting in Bogota at the palace", "Bogotá"),
        ("They met in Tehran's north.", "Tehran"),  # a region's own row still wins
        ("They met in turn.", None),
        ("a Nairobi-based firm in Nairobi-based hands", None),
    ],
)
def test_world_cities(gazetteer: Gazetteer, text: str, city: str | None) -> None:
    hits = gazetteer.locations(text)
    assert (hits[0].city if hits else None) == city


@pytest.mark.parametrize(
    ("dateline", "lead", "city"),
    [
        (None, "SHARM EL-SHEIKH: The prime minister met ...", "Sharm el-Sheikh"),
        (None, "New Delhi: Prime Minister ...", "New Delhi"),
        (None, "BUSAN, South Korea — The ministers ...", "Busan"),
        ("Muscat", "His Majesty received ...", "Muscat"),
        (None, "Officials said: the talks ...", None),
    ],
)
def test_dateline_place(gazetteer: Gazetteer, dateline: str | None, lead: str, city: str | None):
    hit = gazetteer.dateline_place(dateline, lead)
    assert (hit.city if hit else None) == city


def _mention(text: str, surface: str, person: str) -> Mention:
    start = text.index(surface)
    return Mention(0, start, start + len(surface), person, surface, "name")


def test_unplaced_meeting_takes_the_dateline_city(gazetteer: Gazetteer) -> None:
    text = "ROSEAU: Alvarez held talks with Brenner on Monday."
    mentions = [_mention(text, "Alvarez", "Ana Alvarez"), _mention(text, "Brenner", "T Brenner")]
    (event,) = detect_events([text], None, date(2024, 5, 8), mentions, gazetteer)
    assert (event.location, event.country) == ("Roseau", "Dominica")
    call = "ROSEAU: Alvarez spoke by phone with Brenner on Monday."
    mentions = [_mention(call, "Alvarez", "Ana Alvarez"), _mention(call, "Brenner", "T Brenner")]
    (event,) = detect_events([call], None, date(2024, 5, 8), mentions, gazetteer)
    assert event.location is None  # a call has two ends


def test_a_headline_date_anchors_weekdays_without_a_published_date(gazetteer: Gazetteer):
    text = "Alvarez met Brenner on Tuesday."
    mentions = [_mention(text, "Alvarez", "Ana Alvarez"), _mention(text, "Brenner", "T Brenner")]
    title = "Press release: 23 November 2021"
    (event,) = detect_events([text], title, None, mentions, gazetteer)
    assert (event.event_date, event.date_certain) == (date(2021, 11, 23), True)

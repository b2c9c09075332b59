"""Meeting links kept current around what changed equal links recomputed whole."""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
import pytest

from flows.link.meetings import LINK_INPUT_SCHEMA, link_meetings
from flows.link.runner import meeting_links

_PEOPLE = ["Aliyev", "Raisi", "Pezeshkian", "Bayramov", "Araghchi"]
_SCHEMA = LINK_INPUT_SCHEMA


def _events(rng: random.Random, docs: range) -> list[dict]:
    """Reports crowded into a few weeks, so meetings chain across days and ids collide."""
    rows = []
    for doc in docs:
        for event_no in range(rng.randint(1, 2)):
            rows.append(
                {
                    "doc_id": f"doc{doc:03d}",
                    "event_no": event_no,
                    "kind": rng.choice(["meeting", "meeting", "phone_call", "message"]),
                    "event_date": rng.choice(
                        [None, *(date(2024, 5, 1) + timedelta(d) for d in range(12))]
                    ),
                    "date_certain": rng.random() < 0.6,
                    "location": rng.choice([None, None, "Baku", "Tehran"]),
                    "participants": sorted(rng.sample(_PEOPLE, rng.randint(1, 3))),
                }
            )
    return rows


@pytest.mark.parametrize("seed", range(12))
def test_links_kept_current_equal_links_recomputed_whole(seed: int) -> None:
    rng = random.Random(seed)
    pool = _events(rng, range(60))
    present = pool[:25]
    links = link_meetings(pl.DataFrame(present, schema=_SCHEMA))
    for step in range(6):
        arriving = pool[25 + step * 6 : 31 + step * 6]
        leaving = set(rng.sample(sorted({r["doc_id"] for r in present}), 2 if step % 2 else 0))
        present = [r for r in present if r["doc_id"] not in leaving] + arriving
        events = pl.DataFrame(present, schema=_SCHEMA).sort("doc_id", "event_no")
        links = meeting_links(events, links)
        assert links.to_dicts() == link_meetings(events).to_dicts(), f"step {step}"


def test_nothing_changed_returns_the_links_as_they_are() -> None:
    events = pl.DataFrame(_events(random.Random(1), range(10)), schema=_SCHEMA)
    links = link_meetings(events)
    assert meeting_links(events, links).equals(links)

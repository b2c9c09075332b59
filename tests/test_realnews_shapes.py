"""Page shapes met on real outlets' pages (issue 13), written here in our own words.

Each test builds a small page in the shape a real outlet uses (fictional people and places)
and checks one cleaning or quote mechanism: the published date, outlet-independent
boilerplate signals, and quote rules.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows.extract.cleaning import BoilerplatePatterns, clean_document
from flows.records import CleanDocument

ROOT = Path(__file__).resolve().parents[1]

STORY = (
    "Foreign Minister Ana Ruiz met her counterpart Tomas Berg in the capital on Tuesday to "
    "discuss trade and fisheries.",
    "The two ministers agreed to set up a joint committee that will meet twice a year, "
    "officials said after the talks.",
    "They also discussed a new ferry link between the two countries and the rules for seasonal "
    "workers.",
)


@pytest.fixture(scope="module")
def patterns() -> BoilerplatePatterns:
    return BoilerplatePatterns.from_seeds(ROOT / "seeds")


def _clean(patterns: BoilerplatePatterns, *lines: str) -> CleanDocument:
    return clean_document("\n\n".join(lines), "text", patterns)


def _removed(doc: CleanDocument) -> dict[str, str]:
    return {r.text.strip(): r.reason for r in doc.removed}


# -- published date -------------------------------------------------------------------------


def test_store_prefix_with_debris_is_the_page_date(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, " date 2019-04-02 Skip", "Ministers meet on fisheries", *STORY)
    assert doc.published_date == date(2019, 4, 2)
    assert doc.title == "Ministers meet on fisheries"
    assert doc.paragraphs == list(STORY)


def test_store_prefix_beats_a_later_date_line(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, " date 2019-04-02", "Ministers meet on fisheries", "April 3, 2019", *STORY)
    assert doc.published_date == date(2019, 4, 2)


def test_store_prefix_before_a_cut_paragraph_keeps_it(patterns: BoilerplatePatterns) -> None:
    cut = (
        " date 2021-06-10 The prime minister and his visiting counterpart on Thursday held a "
        "long session of talks on energy, shipping and the new port that both governments"
    )
    doc = _clean(patterns, cut, *STORY)
    assert doc.published_date == date(2021, 6, 10)
    assert doc.paragraphs[0].startswith("The prime minister and his visiting counterpart")


def test_author_and_date_on_one_line(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, "Ministers meet on fisheries", "Lena Okafor March 4, 2022", *STORY)
    assert doc.published_date == date(2022, 3, 4)
    assert doc.byline == "Lena Okafor"
    assert doc.paragraphs == list(STORY)


def test_a_published_lead_in_is_not_an_author(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, "Ministers meet on fisheries", "Published On 4 Mar 2022", *STORY)
    assert doc.published_date == date(2022, 3, 4)
    assert doc.byline is None


def test_a_date_line_taken_for_a_repeated_caption_still_dates_the_page(
    patterns: BoilerplatePatterns,
) -> None:
    doc = _clean(
        patterns,
        "REGION",
        "Ministers meet on fisheries",
        "March 16, 2020",
        *STORY,
        "March 16, 2020",
        "REGION",
        "Storms expected on the coast this week",
    )
    assert doc.published_date == date(2020, 3, 16)


def test_a_time_and_date_line_under_an_opening_caption(patterns: BoilerplatePatterns) -> None:
    caption = (
        "From left: Minister Ana Ruiz and Minister Tomas Berg pose for a photo before their "
        "meeting in the capital on Tuesday."
    )
    doc = _clean(patterns, caption, "18:30 CET, May 9, 2023", *STORY)
    assert doc.published_date == date(2023, 5, 9)


def test_a_dateline_without_a_year_takes_the_copyright_year(
    patterns: BoilerplatePatterns,
) -> None:
    doc = _clean(
        patterns,
        "Ministers meet on fisheries",
        "LISBON, Sept. 2 (Xinhua) -- " + STORY[0],
        *STORY[1:],
        "Copyright © 2024 Example Daily Online. All Rights Reserved.",
    )
    assert doc.published_date == date(2024, 9, 2)


def test_a_weekday_date_line_with_a_dash(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, "Ministers meet on fisheries", "Sun 10 - September 2017", *STORY)
    assert doc.published_date == date(2017, 9, 10)

"""Third real-news round: page-date shapes beside furniture, a dateline that carries the date,
and furniture kinds of unseen outlets. Every line is written for the test."""

from __future__ import annotations

from datetime import date

import pytest

from flows.extract.cleaning import BoilerplatePatterns
from flows.extract.cleaning.page_dates import header_date
from flows.extract.metadata import parse_dateline
from tests.page_shapes import clean_blocks as _clean

TITLE = "Leaders Agree To Deepen Cooperation On Ports"
STORY = [
    "The two presidents met in the capital on Monday and agreed to expand cooperation on "
    "ports, rail and energy, their offices said.",
    "They also asked their ministers to prepare a joint plan before the end of the year.",
    "The talks were the first between the two leaders since the elections in both countries.",
]


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("Published On March 3, 2021 » 1204 Views» By Site Editor » HOME, WORLD", date(2021, 3, 3)),
        ("Added 4 April 2020", date(2020, 4, 4)),
        ("Updated: Friday, 9 October 2020, 11:20 IST", date(2020, 10, 9)),
        ("Sun 10 - September 2017", date(2017, 9, 10)),
        ("Posted by Desk · 12/05/2019 · Politics", date(2019, 5, 12)),
        ("The ministers met on 4 April 2020 to discuss the plan in detail.", None),
        ("Region Thursday 31/October/2024 18:16 PM", date(2024, 10, 31)),
        ("Example Wire logoExample Wire 22/10/2016", date(2016, 10, 22)),
        ("The talks were held on 22/10/2016 in the capital", None),
        ("NAIROBI DEC 10, 2021 - 3:55 PM", None),  # a dateline: read with its place
    ],
)
def test_date_lines_beside_separators(
    patterns: BoilerplatePatterns, line: str, want: date | None
) -> None:
    assert header_date(line, patterns.date_prefix) == want


def test_date_line_taken_for_furniture_still_gives_the_page_date(
    patterns: BoilerplatePatterns,
) -> None:
    doc = _clean(
        patterns,
        TITLE,
        "Published On March 3, 2021 » 1204 Views» By Site Editor » HOME, WORLD",
        *STORY,
    )
    assert doc.published_date == date(2021, 3, 3)
    assert all("Views" not in p for p in doc.paragraphs)


def test_caps_dateline_with_a_date_between_dashes(patterns: BoilerplatePatterns) -> None:
    found = parse_dateline(
        "NAIROBI – 3RD MARCH, 2021 – PRESIDENT Tomas Varga met his counterpart today.",
        patterns.outlets,
    )
    assert found is not None
    assert found.published == date(2021, 3, 3)
    assert found.rest.startswith("PRESIDENT Tomas Varga")
    doc = _clean(
        patterns,
        TITLE.upper(),
        "NAIROBI – 3RD MARCH, 2021 – " + STORY[0],
        *STORY[1:],
    )
    assert doc.published_date == date(2021, 3, 3)
    assert doc.paragraphs[0].startswith("The two presidents")


@pytest.mark.parametrize(
    "line",
    [
        "Also read: Ministers open a new bridge across the river: a first for the region!",
        "Read more » Why the port deal matters to farmers?",
        "You are using an older browser version. Please use a supported version for the best "
        "experience.",
        "This news article is distributed through Example Wire. It is freely available to your "
        "media and may be republished with credit to Example Wire.",
    ],
)
def test_furniture_kinds_of_unseen_outlets(patterns: BoilerplatePatterns, line: str) -> None:
    doc = _clean(patterns, TITLE, STORY[0], line, *STORY[1:])
    assert line not in doc.paragraphs
    assert len(doc.paragraphs) == len(STORY)


def test_story_sentences_about_republishing_stay(patterns: BoilerplatePatterns) -> None:
    line = "The minister said the newspaper had refused to republish the interview in full."
    doc = _clean(patterns, TITLE, STORY[0], line, *STORY[1:])
    assert line in doc.paragraphs


def test_syndication_notice_above_the_dateline(patterns: BoilerplatePatterns) -> None:
    doc = _clean(
        patterns,
        TITLE,
        "This story is distributed by Example Wire and may be republished with credit.",
        "LUSAKA, Zambia, Jul 19 2016 – " + STORY[0],
        *STORY[1:],
    )
    assert doc.published_date == date(2016, 7, 19)
    assert doc.dateline == "LUSAKA"


@pytest.mark.parametrize(
    "line",
    [
        "WATCH:",
        "(Example Agency)",
        "Subscribe to our newsletter",
        "Also Read",
        "@examplenews",
        "https://www.example.com/news/world/leaders-agree",
        "desk@example.com",
        "Share this article: Facebook Twitter LinkedIn",
        "Tel: +254 20 123 4567",
    ],
)
def test_labels_and_bracketed_credits_inside_the_body(
    patterns: BoilerplatePatterns, line: str
) -> None:
    doc = _clean(patterns, TITLE, STORY[0], line, *STORY[1:])
    assert doc.paragraphs == STORY


TAIL_BLOCK = [
    "Related Articles",
    "Ports minister resigns after a row over tenders",
    "Rail link to the coast opens after ten years",
    "We respect your privacy.",
    "« Previous article",
    "More on this story",
    "Don't miss out on the latest news and updates.",
    "Leave a Reply Cancel reply",
    "You must be logged in to post a comment.",
    "Back to top",
]


def test_block_after_a_related_marker_with_notices_in_it(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, TITLE, *STORY, *TAIL_BLOCK)
    assert doc.paragraphs == STORY
    assert all(r.reason for r in doc.removed)


def test_story_after_an_inline_related_marker_stays(patterns: BoilerplatePatterns) -> None:
    doc = _clean(
        patterns,
        TITLE,
        STORY[0],
        "Related Articles",
        *STORY[1:],
        "The two leaders will meet again at the regional summit in the autumn, officials said.",
    )
    assert doc.paragraphs[: len(STORY)] == STORY
    assert len(doc.paragraphs) == len(STORY) + 1


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("Last modified on Tue 4 May 2021 10.15 BST", date(2021, 5, 4)),
        ("First published on Tue 4 May 2021", date(2021, 5, 4)),
    ],
)
def test_modified_and_first_published_labels(
    patterns: BoilerplatePatterns, line: str, want: date
) -> None:
    assert header_date(line, patterns.date_prefix) == want


def test_a_page_date_after_today_is_not_the_page_date(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, TITLE, "Published on 4 May 2999", "Updated 4 May 2021", *STORY)
    assert doc.published_date == date(2021, 5, 4)


def test_lead_in_to_addresses_already_taken_out(patterns: BoilerplatePatterns) -> None:
    doc = _clean(
        patterns,
        TITLE,
        *STORY,
        "Our website can also be reached at these addresses:",
        "www.example.com",
        "https://example.org",
    )
    assert doc.paragraphs == STORY

"""Outlet-independent boilerplate and page-date shapes (second real-news round).

Every text here is written for the test: page furniture of shapes seen on real pages, around
story paragraphs of our own."""

from __future__ import annotations

from datetime import date

import pytest

from flows.extract.cleaning import BoilerplatePatterns
from flows.extract.cleaning.page_dates import header_date
from tests.page_shapes import clean_blocks as _clean

TITLE = "Ministers Hold Talks On Trade And Security"
STORY = [
    "The foreign ministers of both countries met in the capital on Monday to discuss trade "
    "and security, officials said.",
    "They agreed to hold further talks later in the year and to expand cooperation in "
    "agriculture and energy.",
    "The meeting was the first since the two governments signed a framework agreement last spring.",
]


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("• Created: 14-11-2019 00:13 IST", date(2019, 11, 14)),
        ("11:52 pm GMT+12, 18/11/2014, Suva", date(2014, 11, 18)),
        ("Example News Service | @example | 25 Jan 2020, 07:04 am", date(2020, 1, 25)),
        (
            "By Office of the Deputy Secretary for Documents     Date 15 November 2022",
            date(2022, 11, 15),
        ),
        (
            "Written by  //  November 17, 2022  //  Politics, World  //  Comments Off",
            date(2022, 11, 17),
        ),
        ("May 26, 2025 | 6:53pm", date(2025, 5, 26)),
        ("On November 28, 2021, the two leaders met again.", None),
        ("The ministers met on 3 May 2022 in the capital and signed the accord", None),
    ],
)
def test_header_date_shapes(patterns: BoilerplatePatterns, line: str, want: date | None) -> None:
    assert header_date(line, patterns.date_prefix) == want


def test_byline_date_beats_a_site_clock_above_the_headline(patterns: BoilerplatePatterns) -> None:
    doc = _clean(
        patterns,
        "April 25, 2024 19:35 (IST)",
        TITLE,
        "Example News Service | @example | 25 Jan 2020, 07:04 am",
        *STORY,
    )
    assert doc.published_date == date(2020, 1, 25)
    assert doc.paragraphs == STORY


def test_promotion_above_the_page_date_is_header(patterns: BoilerplatePatterns) -> None:
    header = "\n".join(
        [
            "Upgrade your home broadband for only $15/month!",
            "Enjoy up to 100 Mbps fiber, perfect for browsing, streaming, and gaming.",
            "Visit example.com to learn",
            "Jane Roe - Example.com",
            "May 26, 2025 | 6:53pm",
        ]
    )
    doc = _clean(patterns, header, *STORY)
    assert doc.published_date == date(2025, 5, 26)
    assert doc.paragraphs == STORY


def test_cut_last_line_under_a_furniture_run_is_furniture(patterns: BoilerplatePatterns) -> None:
    tags = ["FOREIGN MINISTERS", "JOINT COMMISSION", "TRADE TALKS", "• Latest", "• Trending"]
    blurb = "Example.com is one of the most vibrant and opinionated news sites in the reg"
    doc = _clean(patterns, TITLE, *STORY, *tags, "Are you sure you want to log out?", blurb)
    assert doc.paragraphs == STORY


@pytest.mark.parametrize(
    "line",
    [
        "Jane Roe via X",
        "No caption",
        "The post Ministers meet appeared first on Example Daily.",
        "No comments:",
        "Click to enlarge",
        "Follow Jane Roe on Twitter",
        "Image 1 of 3",
        "list of 4 items",
        "Please enable JavaScript to view the comments",
        "DIPLOMACY",
        "Opinion",
    ],
)
def test_furniture_inside_the_body(patterns: BoilerplatePatterns, line: str) -> None:
    doc = _clean(patterns, TITLE, STORY[0], line, *STORY[1:])
    assert doc.paragraphs == STORY


def test_subheading_inside_the_body_stays(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, TITLE, STORY[0], "Trade and energy", *STORY[1:])
    assert doc.paragraphs == [STORY[0], "Trade and energy", *STORY[1:]]


@pytest.mark.parametrize("title", ["Report shows rise in trade", "Next steps for the bloc"])
def test_headlines_starting_like_prompts_are_not_debris(
    patterns: BoilerplatePatterns, title: str
) -> None:
    assert not patterns.is_debris(title)

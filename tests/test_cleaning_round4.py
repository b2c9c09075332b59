"""Outlet-independent furniture and page dates (fourth real-news round).

Every text here is written for the test: page furniture of shapes seen on real pages, around
story paragraphs of our own."""

from __future__ import annotations

from datetime import date

import pytest

from flows.extract.cleaning import BoilerplatePatterns
from tests.page_shapes import clean_blocks as _clean
from tests.page_shapes import removed_reasons as _removed

TITLE = "Ministers Hold Talks On Trade And Security"
STORY = [
    "The foreign ministers of both countries met in the capital to discuss trade and "
    "security, officials said.",
    "They agreed to hold further talks later in the year and to expand cooperation in "
    "agriculture and energy.",
    "The meeting was the first since the two governments signed a framework agreement last spring.",
]


def test_a_closed_comment_widget_ends_the_story_and_takes_the_site_blurb(
    patterns: BoilerplatePatterns,
) -> None:
    blurb = "Example Weekly, founded in 1990 by a group of editors, is an independent publication."
    doc = _clean(
        patterns,
        TITLE,
        *STORY,
        "Sorry, comments are closed for this article.",
        blurb,
        "Editor: Jane Example",
        "12 Harbour Street, Suite 4 Springfield 55555.",
        "Copyright © 2015 Example Weekly, Inc. All Rights Reserved",
    )
    assert doc.paragraphs == STORY
    removed = _removed(doc)
    for line in (blurb, "Editor: Jane Example", "12 Harbour Street, Suite 4 Springfield 55555."):
        assert removed[line] in {"boilerplate", "tail"}


def test_a_copyright_notice_starts_the_footer(patterns: BoilerplatePatterns) -> None:
    address = "The Example Times is published by Example Media Group in the capital city."
    doc = _clean(
        patterns, TITLE, *STORY, "© 2021 Example Media Group", address, "Contact", "Careers"
    )
    assert doc.paragraphs == STORY
    assert address in _removed(doc)


def test_a_comment_heading_before_story_text_does_not_cut_it(
    patterns: BoilerplatePatterns,
) -> None:
    doc = _clean(patterns, TITLE, STORY[0], "Comments", STORY[1], STORY[2])
    assert STORY[1] in doc.paragraphs and STORY[2] in doc.paragraphs


def test_a_labelled_date_under_the_story_is_the_page_date(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, TITLE, *STORY, "Publish Date : 12 October 2023 14:14 PM", "Most read")
    assert doc.published_date == date(2023, 10, 12)
    assert doc.paragraphs == STORY


def test_a_labelled_date_under_the_story_beats_a_clock_above_the_headline(
    patterns: BoilerplatePatterns,
) -> None:
    doc = _clean(
        patterns, "Sunday, December 21st, 2025", TITLE, *STORY, "Posted on: 3 March 2021 10:00"
    )
    assert doc.published_date == date(2021, 3, 3)


def test_a_header_date_is_not_replaced_by_a_date_under_the_story(
    patterns: BoilerplatePatterns,
) -> None:
    doc = _clean(patterns, TITLE, "May 26, 2025", *STORY, "Published: 3 March 2021")
    assert doc.published_date == date(2025, 5, 26)


@pytest.mark.parametrize(
    ("dateline", "want"),
    [
        ("10:15 | Lima (Peru), Dec. 4.", date(2019, 12, 4)),
        ("10:15 | Lima (Peru), 12 April.", date(2019, 4, 12)),
        ("10:15 | Lima (Peru).", date(2019, 4, 12)),
    ],
)
def test_a_numeric_footer_date_is_read_the_way_the_header_agrees(
    patterns: BoilerplatePatterns, dateline: str, want: date
) -> None:
    doc = _clean(patterns, TITLE, dateline, *STORY, "Published: 12/4/2019", "Most read")
    assert doc.published_date == want


def test_an_unlabelled_date_under_the_story_is_not_the_page_date(
    patterns: BoilerplatePatterns,
) -> None:
    doc = _clean(patterns, TITLE, *STORY, "3 March 2021")
    assert doc.published_date is None


def test_a_caption_set_inside_a_paragraph_leaves_one_paragraph(
    patterns: BoilerplatePatterns,
) -> None:
    first = (
        "The foreign minister and his visiting counterpart agreed on Monday to expand trade "
        "and energy ties between the two countries. Closer co-operation, moving"
    )
    rest = "forward, is expected through a joint commission that will meet twice a year."
    caption = "Foreign Minister of Ruritania, Dr. Lena Varga"
    doc = _clean(patterns, TITLE, first, caption, rest, STORY[2])
    assert doc.paragraphs == [f"{first} {rest}", STORY[2]]
    assert _removed(doc)[caption] == "caption"


def test_a_headline_printed_twice_around_the_standfirst_is_the_title(
    patterns: BoilerplatePatterns,
) -> None:
    standfirst = (
        "The two ministers agreed on a joint commission and on closer ties in trade and energy."
    )
    doc = _clean(patterns, "Logo", TITLE, standfirst, TITLE, *STORY, TITLE)
    assert doc.title == TITLE
    assert TITLE not in doc.paragraphs
    assert doc.paragraphs[-3:] == STORY


def test_a_caption_ending_in_a_source_and_photo_in_brackets(
    patterns: BoilerplatePatterns,
) -> None:
    caption = "Foreign Minister Lena Varga at the talks (Agency photo)"
    doc = _clean(patterns, TITLE, caption, *STORY)
    assert _removed(doc)[caption] == "caption"


@pytest.mark.parametrize(
    "markup",
    ['[read_more id="2" more="Read full article" less="Read less"]', "{{ related_box }}"],
)
def test_cms_markup_alone_on_its_line(patterns: BoilerplatePatterns, markup: str) -> None:
    doc = _clean(patterns, TITLE, STORY[0], markup, STORY[1], STORY[2])
    assert doc.paragraphs == STORY


def test_speech_cut_off_at_the_page_end_is_story_text(patterns: BoilerplatePatterns) -> None:
    cut = '"What a fine way to begin the'
    doc = _clean(patterns, TITLE, *STORY, cut)
    assert doc.paragraphs[-1] == cut
    menu = _clean(patterns, TITLE, *STORY, "World Politics Business Sport")
    assert menu.paragraphs == STORY


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("13 de febrero de 2018 - 16:16", date(2018, 2, 13)),
        ("Martes, 13 de Febrero de 2018", date(2018, 2, 13)),
        ("10 septembre 2017", date(2017, 9, 10)),
        ("Published 3 years ago on September 10, 2017", date(2017, 9, 10)),
        ("Mayo Clinic 2019", None),
    ],
)
def test_page_dates_in_other_languages_and_with_a_relative_part(
    patterns: BoilerplatePatterns, line: str, want: date | None
) -> None:
    from flows.extract.cleaning.page_dates import header_date

    assert header_date(line, patterns.date_prefix) == want


@pytest.mark.parametrize(
    "after",
    [
        ["Jane Roe is a senior correspondent at Example News covering diplomacy."],
        ["About the author", "Jane Roe covers foreign affairs for Example News."],
        ["A version of this article appears in print on May 3, 2023, Section A, Page 6."],
        ["Correction: An earlier version of this story misspelled the minister's name."],
        ["We want to hear from you. Send your letters to the editor."],
        ["Download the Example News app for the latest updates."],
    ],
)
def test_author_boxes_and_reader_prompts_after_the_story(
    patterns: BoilerplatePatterns, after: list[str]
) -> None:
    assert _clean(patterns, TITLE, *STORY, *after).paragraphs == STORY


@pytest.mark.parametrize(
    "furniture",
    [
        "[Photo: Example Agency]",
        "Jane Roe / Example Agency",
        "Video: Leaders meet in the capital (02:15)",
        "Join our WhatsApp group for more news",
        "Previous slide Next slide",
        "This article was updated at 10:35",
        "jane roe and john doe in the capital",
    ],
)
def test_furniture_between_story_paragraphs(patterns: BoilerplatePatterns, furniture: str) -> None:
    doc = _clean(patterns, TITLE, STORY[0], furniture, STORY[1], STORY[2])
    assert doc.paragraphs == STORY


def test_a_wrapped_lower_case_line_is_story_text(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, TITLE, STORY[0] + "\nand both sides signed the accord", STORY[1])
    assert "and both sides signed the accord" in " ".join(doc.paragraphs)


@pytest.mark.parametrize(
    "after",
    [
        ["Estimated reading:", "Contains: words", "Short link:"],
        [
            "Top Comments",
            "Disclaimer & comment rulesCommenting for this story is now closed.",
            "If you have a Facebook account, become a fan and comment on our Facebook Page!",
        ],
    ],
)
def test_empty_field_labels_and_comment_widgets_at_the_page_end(
    patterns: BoilerplatePatterns, after: list[str]
) -> None:
    assert _clean(patterns, TITLE, *STORY, *after).paragraphs == STORY


def test_a_caption_with_agency_initials_and_the_alt_text_above_it(
    patterns: BoilerplatePatterns,
) -> None:
    alt = "Lena Varga and Ruritanian Prime Minister Karel Dvorsky"
    caption = "Foreign Minister Lena Varga has held talks with her host in the capital. (XNA)"
    doc = _clean(patterns, TITLE, STORY[0], alt, caption, STORY[1], STORY[2])
    assert doc.paragraphs == STORY
    last = STORY[2][:-1] + " on Monday. Both sides signed the accord. (XNA)"
    kept = _clean(patterns, TITLE, STORY[0], STORY[1], last)
    assert kept.paragraphs[-1] == last  # a story paragraph with an agency sign-off stays


@pytest.mark.parametrize(
    "after",
    [
        ['[caption caption="Foreign Minister Lena Varga"][/caption]'],
        [
            "Your subscription could not be saved. Please try again.",
            "Subscribe to our mailing list",
        ],
        [
            "EXAMPLE NEWS, a name in journalism, serves readers across the region with our "
            "portals https://www.example.com/ and https://epaper.example.com"
        ],
    ],
)
def test_shortcodes_form_messages_and_site_blurbs_after_the_story(
    patterns: BoilerplatePatterns, after: list[str]
) -> None:
    assert _clean(patterns, TITLE, *STORY, *after).paragraphs == STORY

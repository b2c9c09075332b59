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
from flows.extract.people import PeopleDirectory
from flows.extract.quotes import extract_quotes
from tests.page_shapes import clean_blocks as _clean
from tests.page_shapes import removed_reasons as _removed

ROOT = Path(__file__).resolve().parents[1]

STORY = (
    "Foreign Minister Ana Ruiz met her counterpart Tomas Berg in the capital on Tuesday to "
    "discuss trade and fisheries.",
    "The two ministers agreed to set up a joint committee that will meet twice a year, "
    "officials said after the talks.",
    "They also discussed a new ferry link between the two countries and the rules for seasonal "
    "workers.",
)


# -- published date -------------------------------------------------------------------------


def test_store_prefix_with_debris_is_the_page_date(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, " date 2019-04-02 Skip", "Ministers meet on fisheries", *STORY)
    assert doc.published_date == date(2019, 4, 2)
    assert doc.title == "Ministers meet on fisheries"
    assert doc.paragraphs == list(STORY)


def test_store_prefix_beats_a_later_date_line(patterns: BoilerplatePatterns) -> None:
    doc = _clean(
        patterns, " date 2019-04-02", "Ministers meet on fisheries", "April 3, 2019", *STORY
    )
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


# -- boilerplate ------------------------------------------------------------------------------


def test_headline_list_after_the_story_without_a_marker(patterns: BoilerplatePatterns) -> None:
    doc = _clean(
        patterns,
        *STORY,
        "Storms close two mountain passes for the weekend",
        "City Council Approves Budget for New Tram Line, Work to Start in Spring",
        "Teachers' union calls off strike after late-night deal with the ministry",
    )
    assert doc.paragraphs == list(STORY)
    assert len(doc.removed) == 3


def test_teasers_cut_with_an_ellipsis_are_links_not_sentences(
    patterns: BoilerplatePatterns,
) -> None:
    doc = _clean(
        patterns,
        *STORY,
        "You May Also Like",
        "Port workers vote to accept the new contract after months of…",
        "Heavy snow expected in the north where roads are already…",
    )
    assert doc.paragraphs == list(STORY)


def test_a_run_of_link_headlines_inside_the_body_keeps_the_section_heading(
    patterns: BoilerplatePatterns,
) -> None:
    doc = _clean(
        patterns,
        STORY[0],
        "Key facts",
        "Why the fisheries deal matters to the coastal towns",
        "Ferry operators hope for a new route before summer",
        "A short history of the ministers' earlier meetings",
        "Ministers set out the next steps",
        *STORY[1:],
    )
    assert doc.paragraphs == [STORY[0], "Ministers set out the next steps", *STORY[1:]]


def test_the_store_cut_last_paragraph_stays(patterns: BoilerplatePatterns) -> None:
    cut = "Fishermen from both coasts gathered outside the ministry to ask"
    filler = "The committee will also look at quotas and the harbour fees, officials said."
    paragraphs = [*STORY]
    while len("\n\n".join([*paragraphs, cut]).encode()) < 1900:
        paragraphs.append(filler)
    text = "\n\n".join([*paragraphs, cut])  # a page store's cut: ~2,000 bytes, no final newline
    assert 1900 <= len(text.encode()) <= 2000
    doc = clean_document(text, "text", patterns)
    assert doc.paragraphs[-1] == cut
    # the same unfinished line on a page that ends where the outlet ended it is furniture
    whole = clean_document("\n\n".join([*STORY, cut]) + "\n", "text", patterns)
    assert whole.paragraphs == list(STORY)


def test_promotion_prompts_after_the_story(patterns: BoilerplatePatterns) -> None:
    doc = _clean(
        patterns,
        *STORY,
        "Catch up on all the latest politics and business news here. Also download the new "
        "Daily Example app to get the latest updates",
        '"Big news! Daily Example is now on WhatsApp Channels. Subscribe today by clicking '
        'the link!" Click here!',
        "ministers fisheries ferry",
    )
    assert doc.paragraphs == list(STORY)
    assert _removed(doc)["ministers fisheries ferry"] == "tail"


@pytest.mark.parametrize(
    "furniture",
    [
        "Read Port workers vote to accept the new contract",
        "Also Read  Harbour fees to rise in the new year",
        "Continue reading…",
        "Continue reading on:",
        "Your email address will not be published. Required fields are marked *",
        "2045 views",
        "17 minutes ago",
        "#World News",
        "Credit: EXAMPLE PRESS",
        "(Jane Roe/The Daily Example via AP, Pool)",
        "Example Press's Profile Picture",
        "Home > News > Ministers in Action > May 2024 > Fisheries talks between two old friends",
        "Facebook Twitter WhatsApp Email",
        "Sponsored by Example Bank",
        "(With inputs from agencies)",
        "Representational image",
    ],
)
def test_furniture_between_story_paragraphs(patterns: BoilerplatePatterns, furniture: str) -> None:
    doc = _clean(patterns, STORY[0], furniture, *STORY[1:])
    assert doc.paragraphs == list(STORY)


@pytest.mark.parametrize(
    "caption",
    [
        "Minister Ana Ruiz and Minister Tomas Berg in front of the ministry. The two ministers at "
        "their meeting in the old customs house on the harbour. Photo: Government/Jane Roe",
        "Minister Ana Ruiz (R) and Minister Tomas Berg (L) shake hands before the talks in the "
        "capital (Photo courtesy of the ministry)",
        "Minister Ana Ruiz with Minister Tomas Berg at the harbour, in the capital. (Image posted "
        "at Twitter/@ExampleMinister) | Photo Credit: EXP",
        "Leaders of the region pose for a photo at a retreat by the lake in February this year to "
        "chart the way forward. Photo / Example Forum",
    ],
)
def test_captions_of_any_length_that_end_in_a_credit(
    patterns: BoilerplatePatterns, caption: str
) -> None:
    doc = _clean(patterns, STORY[0], caption, *STORY[1:])
    assert doc.paragraphs == list(STORY)
    assert _removed(doc)[caption] == "caption"


def test_a_quoted_sentence_ending_in_a_bracket_is_not_a_caption(
    patterns: BoilerplatePatterns,
) -> None:
    line = (
        '"We will meet again in the spring and then we will sign the agreement on the ferry '
        'link," Ruiz said to reporters (Photo: the two ministers).'
    )
    doc = _clean(patterns, STORY[0], line, *STORY[1:])
    assert line in doc.paragraphs


# -- quotes -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def people() -> PeopleDirectory:
    return PeopleDirectory.from_seeds(ROOT / "seeds")


def _quotes(people: PeopleDirectory, *paragraphs: str) -> list[tuple[str, str | None]]:
    found = extract_quotes(list(paragraphs), people, date(2023, 5, 9))
    return [(q.text, q.speaker) for q in found]


@pytest.mark.parametrize(
    "paragraph",
    [
        "Foreign Minister Ana Ruiz said the relations were of “great importance” to both sides.",
        "Ruiz said the talks had been prepared “for months.”",
        "She called the neighbour an “exemplary partner.”",
        "Ruiz said both sides “will have...",
    ],
)
def test_one_or_two_quoted_words_are_never_a_quote(people: PeopleDirectory, paragraph: str) -> None:
    assert _quotes(people, paragraph) == []


def test_three_quoted_words_attributed_to_a_person_are_a_quote(people: PeopleDirectory) -> None:
    paragraph = "Foreign Minister Ana Ruiz said the aim was to “understand each other.”"
    assert [text for text, _ in _quotes(people, paragraph)] == ["understand each other."]


@pytest.mark.parametrize(
    "paragraphs",
    [
        [
            "“The two sides agreed to extend the ferry link for another year,” the Ministry of "
            "Transport said in a statement."
        ],
        [
            "In a statement, Ruiz's office said the sides agreed that “the talks will resume "
            "early next month”."
        ],
        ["The harbour office said the new rules would “take effect after the summer season”."],
    ],
)
def test_an_institutions_statement_is_not_a_persons_quote(
    people: PeopleDirectory, paragraphs: list[str]
) -> None:
    assert _quotes(people, "Foreign Minister Ana Ruiz visited the port.", *paragraphs) == []


def test_a_person_speaking_in_a_statement_is_quoted(people: PeopleDirectory) -> None:
    found = _quotes(
        people,
        "Foreign Minister Ana Ruiz said in a statement: “We will sign the agreement in May.”",
    )
    assert found == [("We will sign the agreement in May.", "Ana Ruiz")]


def test_an_unsigned_document_reads_a_quote_without_a_speaker(people: PeopleDirectory) -> None:
    found = _quotes(
        people,
        "Foreign Minister Ana Ruiz visited the port on Monday.",
        "The joint statement read: “The two sides agreed to meet again in the spring.”",
    )
    assert found == [("The two sides agreed to meet again in the spring.", None)]


def test_doubled_apostrophes_mark_a_quote(people: PeopleDirectory) -> None:
    found = _quotes(
        people,
        "Ambassador Lena Okafor said she had passed on the message.",
        "''We look forward to working with the new government on the port,'' said Okafor.",
    )
    assert found == [
        ("We look forward to working with the new government on the port", "Lena Okafor")
    ]


def test_a_quote_split_by_its_attribution_keeps_the_speaker(people: PeopleDirectory) -> None:
    found = _quotes(
        people,
        "Foreign Minister Ana Ruiz met reporters after the talks.",
        "“The talks went well,” said Ruiz, “and we will meet again before the summer.”",
    )
    assert [speaker for _, speaker in found] == ["Ana Ruiz", "Ana Ruiz"]


def test_an_office_named_instead_of_the_person(people: PeopleDirectory) -> None:
    found = _quotes(
        people,
        "Prime Minister Tomas Berg hosted Foreign Minister Ana Ruiz at his residence on Monday.",
        "At the start of the meeting, the Prime Minister said,",
        "“Today we open a new chapter in the relations between our two countries.”",
    )
    assert found == [
        ("Today we open a new chapter in the relations between our two countries.", "Tomas Berg")
    ]


def test_an_office_with_a_nationality_finds_the_counterpart(people: PeopleDirectory) -> None:
    found = _quotes(
        people,
        "President Tomas Berg held talks with his Chilean counterpart, Ana Ruiz, on Monday.",
        "“We have had a long and open conversation about the port,” said the Chilean president "
        "after the meeting.",
    )
    assert [speaker for _, speaker in found] == ["Ana Ruiz"]


def test_a_speaker_the_directory_does_not_know_named_at_the_verb(
    people: PeopleDirectory,
) -> None:
    found = _quotes(
        people,
        "“The ministers had a warm conversation about the ferry link,” ministry spokesperson "
        "Lena Okafor tweeted.",
    )
    assert [speaker for _, speaker in found] == ["Lena Okafor"]


def test_one_removed_row_per_line(patterns: BoilerplatePatterns) -> None:
    """The warehouse keys removed lines by line number: a line the store's prefix was cut
    from and that is then removed whole is one row."""
    doc = _clean(
        patterns,
        " date 2019-04-02 Skip",
        "Ministers meet on fisheries",
        " date 2019-04-02",
        "LISBON, April 2 (Example) -- " + STORY[0],
        *STORY[1:],
    )
    numbers = [r.line_no for r in doc.removed]
    assert len(numbers) == len(set(numbers))
    assert doc.removed[0].line_no == 1 and doc.removed[0].text.startswith("date 2019-04-02")

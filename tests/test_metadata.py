"""Dates, bylines, datelines, titles and outlet names (flows.extract.metadata)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows.extract.dates import parse_date, parse_date_field
from flows.extract.metadata import (
    OutletTable,
    parse_byline,
    parse_dateline,
    parse_place_line,
    split_trailing_date,
)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
BYLINE_PREFIXES = "by|written by|author ?:"


@pytest.fixture(scope="module")
def outlets() -> OutletTable:
    return OutletTable.from_csv(SEEDS / "outlets.csv")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 **/Nov/ 2017**", date(2017, 11, 2)),
        ("5 /Mar/ 2017", date(2017, 3, 5)),
        ("date 2022-03-12", date(2022, 3, 12)),
        ("29.11.21", date(2021, 11, 29)),
        ("03.04.2024", date(2024, 4, 3)),  # dotted numbers are day-month-year
        ("12/31/2023", date(2023, 12, 31)),  # ...unless only month-day-year is possible
        ("November 28 2021", date(2021, 11, 28)),
        ("Nov 9, 2023, 7:12 PM", date(2023, 11, 9)),
        ("Sept. 4, 2019", date(2019, 9, 4)),
        ("2025/09/23", date(2025, 9, 23)),
        ("Sun 10 - September 2017", date(2017, 9, 10)),
        ("Monday, 4th of March 2019", date(2019, 3, 4)),
        ("2017-11-02T10:00:00Z", date(2017, 11, 2)),
        ("2023-11-09T19:12:00+03:30", date(2023, 11, 9)),
        ("14:35, 1 June 2020", date(2020, 6, 1)),
        ("Nov. 9, 2023 | 19:12", date(2023, 11, 9)),
    ],
)
def test_parse_date_formats(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "On November 28, 2021, Raisi met with Aliyev in Ashgabat.",  # a date inside a sentence
        "the 30th anniversary of diplomatic relations",
        "14:35",
        "2 days ago",
        "yesterday",
        "31.02.2021",  # impossible day
        "1 2 3",
        "News ID: 12345",
        "",
        "November 2021",  # no day: not a published date
    ],
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("line", "title", "published"),
    [
        ("Khamenei meets Aliyev - 2 **/Nov/ 2017**", "Khamenei meets Aliyev", date(2017, 11, 2)),
        ("Raisi – Aliyev talks | 5 /Mar/ 2017", "Raisi – Aliyev talks", date(2017, 3, 5)),
        ("Iran - Azerbaijan ties grow", "Iran - Azerbaijan ties grow", None),
    ],
)
def test_split_trailing_date(line: str, title: str, published: date | None) -> None:
    assert split_trailing_date(line) == (title, published)


@pytest.mark.parametrize(
    ("line", "name", "published", "outlet"),
    [
        ("By News Desk - November 28 2021", "News Desk", date(2021, 11, 28), None),
        ("By Mahdi Rahimi", "Mahdi Rahimi", None, None),
        ("By Jane Doe, Reuters", "Jane Doe", None, "Reuters"),
        ("Written by Leyla Aliyeva | 29.11.21", "Leyla Aliyeva", date(2021, 11, 29), None),
    ],
)
def test_parse_byline(
    outlets: OutletTable, line: str, name: str, published: date | None, outlet: str | None
) -> None:
    byline = parse_byline(line, BYLINE_PREFIXES, outlets)
    assert byline is not None
    assert (byline.name, byline.published, byline.outlet) == (name, published, outlet)


@pytest.mark.parametrize(
    "line",
    [
        "By the end of the meeting, both sides had signed four documents.",
        "Bystanders gathered outside the palace.",
    ],
)
def test_parse_byline_rejects_sentences(outlets: OutletTable, line: str) -> None:
    assert parse_byline(line, BYLINE_PREFIXES, outlets) is None


@pytest.mark.parametrize(
    ("line", "place", "published", "outlet", "rest"),
    [
        ("Baku/29.11.21/Turan: During a meeting", "Baku", date(2021, 11, 29), "Turan", "During"),
        ("TEHRAN — In a message to", "TEHRAN", None, None, "In a message"),
        ("Tehran, IRNA – Iran's president said", "Tehran", None, "IRNA", "Iran's president"),
        ("TEHRAN (Tasnim) - The Iranian", "TEHRAN", None, "Tasnim", "The Iranian"),
        (
            " date 2022-03-12 TEHRAN — In a message",
            "TEHRAN",
            date(2022, 3, 12),
            None,
            "In a message",
        ),
        ("BAKU, Azerbaijan, Nov. 9, 2023 — The", "BAKU", date(2023, 11, 9), None, "The"),
    ],
)
def test_parse_dateline(
    outlets: OutletTable,
    line: str,
    place: str,
    published: date | None,
    outlet: str | None,
    rest: str,
) -> None:
    found = parse_dateline(line, outlets)
    assert found is not None
    assert (found.place, found.published, found.outlet) == (place, published, outlet)
    assert found.rest.startswith(rest)


@pytest.mark.parametrize(
    "line",
    [
        "In a meeting with Azeri President Ilham Aliyev, the Leader said",
        "Iran-Azerbaijan relations are improving, officials said.",
        "US - Iran talks resume",
        "Raisi, Aliyev – a new chapter",  # "Aliyev" is not an outlet
    ],
)
def test_parse_dateline_rejects(outlets: OutletTable, line: str) -> None:
    assert parse_dateline(line, outlets) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("İRNA", "IRNA"),
        ("Islamic Republic News Agency", "IRNA"),
        ("press tv", "Press TV"),
        ("TURAN", "Turan"),
        ("AzərTac", "AzerTac"),
        ("Associated Press", "AP"),
        ("trend", None),  # a common word in lower case is not the agency
        ("Aliyev", None),
    ],
)
def test_outlet_match(outlets: OutletTable, text: str, expected: str | None) -> None:
    assert outlets.match(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sunday, 04 October 2020 8:45 AM [ Last Update: Sunday, 04 October 2020 9:12 AM ]",
         date(2020, 10, 4)),
        ("13 April 2022 14:20 (UTC +04:00)", date(2022, 4, 13)),
        ("January 27, 20239:41 AM GMT+3Updated 3 years ago", date(2023, 1, 27)),
        ("Sun May 19, 2024 01:42PM [Updated: Sun May 19, 2024 01:42PM ]", date(2024, 5, 19)),
        ("Dec. 9, 1997 10:42 AM ET", date(1997, 12, 9)),
    ],
)  # fmt: skip
def test_parse_date_page_formats(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_parse_date_field_reads_pipe_separated_header() -> None:
    assert parse_date_field("Source: Xinhua| 2019-03-05 22:13:41|Editor: yan") == date(2019, 3, 5)
    assert parse_date_field("Home | Politics") is None


@pytest.mark.parametrize(
    ("line", "place", "outlet", "byline"),
    [
        ("TEHRAN, Iran (AP) _ President Heydar Aliyev met", "TEHRAN", "AP", None),
        ("BAKU, July 24 (AFP) - Azerbaijan on Tuesday lodged", "BAKU", "AFP", None),
        ("ASTRAKHAN, September 29 (RIA Novosti) – Iranian President", "ASTRAKHAN",
         "RIA Novosti", None),
        ("AKTAU, August 12. /TASS/. Russian President Vladimir", "AKTAU", "TASS", None),
        ("Baku, April 28, AZERTAC President of the Republic", "Baku", "AzerTac", None),
        ("Baku. Nazrin Abdul – APA. Azerbaijani Deputy Foreign", "Baku", "APA", "Nazrin Abdul"),
        ("TEHRAN (FNA)- Iranian President Mahmoud Ahmadinejad", "TEHRAN", "Fars", None),
    ],
)  # fmt: skip
def test_parse_dateline_wire_styles(
    outlets: OutletTable, line: str, place: str, outlet: str, byline: str | None
) -> None:
    found = parse_dateline(line, outlets)
    assert found is not None
    assert (found.place, found.outlet, found.byline) == (place, outlet, byline)
    assert len(found.rest.split()) >= 2


def test_parse_dateline_leaves_sentences_and_credit_lines(outlets: OutletTable) -> None:
    assert parse_dateline("Baku, Nov 9 (Reuters) said the minister on Friday", outlets) is None
    assert parse_dateline("ANKARA - Anatolia News Agency", outlets) is None


@pytest.mark.parametrize(
    ("line", "place", "published", "outlet"),
    [
        ("Baku, Azerbaijan, Aug. 8", "Baku", None, None),
        ("ANKARA - Anatolia News Agency", "ANKARA", None, "Anadolu"),
        ("ISTANBUL DEC 10, 2021 - 3:55 PM GMT+3", "ISTANBUL", date(2021, 12, 10), None),
    ],
)
def test_parse_place_line(
    outlets: OutletTable, line: str, place: str, published: date | None, outlet: str | None
) -> None:
    found = parse_place_line(line, outlets)
    assert found is not None
    assert (found.place, found.published, found.outlet) == (place, published, outlet)


def test_parse_place_line_needs_alone_for_a_bare_word(outlets: OutletTable) -> None:
    assert parse_place_line("ANKARA", outlets) is None
    assert parse_place_line("ANKARA", outlets, alone=True) is not None
    assert parse_place_line("Home, Politics", outlets, alone=True) is None


def test_outlet_index_matches_a_linear_scan() -> None:
    """OutletTable.match looks variants up in an index: same answer as trying each in turn."""
    from flows.extract.metadata import fold

    table = OutletTable.from_csv(SEEDS / "outlets.csv")

    def scan(text: str) -> str | None:
        surface = fold(text.strip(" .,:;()[]-–—/"))
        for variant, outlet in table.variants:
            folded = fold(variant)
            if " " in folded and folded.casefold() == surface.casefold():
                return outlet
            if " " not in folded and surface in (folded, folded.upper()):
                return outlet
        return None

    samples = [v for v, _ in table.variants]
    samples += [v.upper() for v, _ in table.variants] + [v.lower() for v, _ in table.variants]
    samples += ["Trend", "trend", "İRNA", "(IRNA)", "Tehran Times.", "nobody", ""]
    for text in samples:
        assert table.match(text) == scan(text), text

"""Boilerplate stripping and metadata extraction (flows.extract.cleaning, flows.extract.html)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from flows.extract.cleaning import BoilerplatePatterns, clean_document, normalise_line
from flows.extract.html import html_to_blocks
from flows.records import CleanDocument

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases"
ARTICLES = ROOT / "seeds" / "articles"
EXPECTED = json.loads((ROOT / "tests" / "seeds_expected.json").read_text(encoding="utf-8"))
FIELDS = ("title", "subtitle", "published_date", "dateline", "outlet", "byline")


@pytest.fixture(scope="module")
def patterns() -> BoilerplatePatterns:
    return BoilerplatePatterns.from_seeds(ROOT / "seeds")


def _clean(patterns: BoilerplatePatterns, text: str, kind: str = "text") -> CleanDocument:
    return clean_document(text, kind, patterns)


def _case_inputs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.suffix in {".txt", ".md", ".html"})


def _clean_file(patterns: BoilerplatePatterns, path: Path) -> CleanDocument:
    kind = "html" if path.suffix == ".html" else "text"
    return clean_document(path.read_text(encoding="utf-8"), kind, patterns)


# -- golden files ---------------------------------------------------------------------------


def test_there_are_enough_golden_cases() -> None:
    assert len(_case_inputs()) >= 8


@pytest.mark.parametrize("source", _case_inputs(), ids=lambda p: p.name)
def test_golden_case(patterns: BoilerplatePatterns, source: Path) -> None:
    expected = json.loads(source.with_name(source.stem + ".expected.json").read_text("utf-8"))
    doc = _clean_file(patterns, source)
    got = {name: getattr(doc, name) for name in FIELDS}
    if got["published_date"] is not None:
        got["published_date"] = got["published_date"].isoformat()
    assert got == {name: expected[name] for name in FIELDS}
    assert doc.paragraphs == expected["paragraphs"]
    if "removed" in expected:
        assert [[r.line_no, r.reason] for r in doc.removed] == expected["removed"]


def test_same_article_as_text_and_html_has_same_body(patterns: BoilerplatePatterns) -> None:
    text = _clean_file(patterns, CASES / "same_article_text.txt")
    html = _clean_file(patterns, CASES / "same_article_html.html")
    assert text.paragraphs == html.paragraphs
    assert (text.title, text.published_date, text.dateline, text.outlet) == (
        html.title,
        html.published_date,
        html.dateline,
        html.outlet,
    )


# -- the five sample articles against the hand labels --------------------------------------


def _labelled() -> list[dict]:
    return EXPECTED["documents"]


@pytest.mark.parametrize("label", _labelled(), ids=lambda d: d["file"])
def test_sample_article_against_labels(patterns: BoilerplatePatterns, label: dict) -> None:
    doc = _clean_file(patterns, ARTICLES / label["file"])
    body = "\n\n".join(doc.paragraphs)
    removed = {re.sub(r"\s+", " ", r.text.strip()) for r in doc.removed}
    for line in label["boilerplate"] + label["metadata"]:
        assert line not in body, line
        assert line in removed, line
    if "body_paragraphs" in label:
        assert len(doc.paragraphs) == label["body_paragraphs"]
    assert doc.published_date == date.fromisoformat(label["published"])
    assert doc.title == label["title"]
    for name in ("dateline", "outlet", "byline"):
        if name in label:
            assert getattr(doc, name) == label[name], name
    assert all(r.reason for r in doc.removed)


def test_sample_bodies_keep_every_story_sentence(patterns: BoilerplatePatterns) -> None:
    """The last story sentence of every sample survives (tail stripping stops in time)."""
    for label in _labelled():
        doc = _clean_file(patterns, ARTICLES / label["file"])
        assert doc.paragraphs[-1].rstrip().endswith((".", "”", '"')), label["file"]


# -- rules on small inline inputs -----------------------------------------------------------

STORY = (
    "Iranian President Ebrahim Raisi met Azerbaijani President Ilham Aliyev in Ashgabat "
    "on Sunday and the two discussed transit routes."
)
STORY2 = "The two leaders agreed that a working group will follow up on the agreements reached."


@pytest.mark.parametrize(
    "debris",
    [
        "Follow us on social networks",
        "Leave a review",
        "Share this article",
        "Most Popular",
        "Related",
        "Read more",
        "Latest news",
        "Tags: Iran, Azerbaijan, Raisi",
        "News ID: 12345",
        "14:35",
        "-0—",
        "Subscribe to our newsletter",
        "© 2024 Trend News Agency",
    ],
)
def test_debris_line_is_removed(patterns: BoilerplatePatterns, debris: str) -> None:
    doc = _clean(patterns, f"{STORY}\n\n{debris}\n\n{STORY2}")
    assert doc.paragraphs == [STORY, STORY2]
    assert [(r.text, r.reason) for r in doc.removed] == [(debris, "boilerplate")]


def test_trailing_junk_is_cut_from_the_last_paragraph(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, f"{STORY}\n\nThey signed two documents, IRNA reports.-0—")
    assert doc.paragraphs[-1] == "They signed two documents, IRNA reports."
    assert ("-0—", "boilerplate") in [(r.text, r.reason) for r in doc.removed]
    assert doc.outlet == "IRNA"


def test_trailing_pattern_never_cuts_story_text(patterns: BoilerplatePatterns) -> None:
    line = "The score was 2-1-- and the crowd cheered loudly at the stadium in Baku"
    doc = _clean(patterns, f"{STORY}\n\n{line}.")
    assert doc.paragraphs[-1] == line + "."


def test_cut_marker_followed_by_story_is_not_a_cut(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, f"{STORY}\n\nLatest news\n\n{STORY2}\n\n{STORY2.replace('two', '2')}")
    assert len(doc.paragraphs) == 3
    assert [r.reason for r in doc.removed] == ["boilerplate"]


def test_cut_marker_removes_furniture_after_it(patterns: BoilerplatePatterns) -> None:
    text = (
        f"{STORY}\n\n{STORY2}\n\nLeave a review\n\nDear resident of Baku city!\n\n"
        "You too can contribute to the fight against Global Climate Change\n\n"
        "Дорогой житель города Баку!\n\nSiz də Qlobal İqlim Dəyişmələri ilə mübarizəyə"
    )
    doc = _clean(patterns, text)
    assert doc.paragraphs == [STORY, STORY2]
    assert [r.reason for r in doc.removed] == [
        "boilerplate",
        "tail",
        "tail",
        "foreign_language",
        "foreign_language",
    ]


def test_foreign_line_inside_the_body(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, f"{STORY}\n\nПрезиденты обсудили транзитные маршруты.\n\n{STORY2}")
    assert doc.paragraphs == [STORY, STORY2]
    assert doc.removed[0].reason == "foreign_language"


def test_azerbaijani_names_do_not_make_a_line_foreign(patterns: BoilerplatePatterns) -> None:
    line = "Azər Qasımlı said the meeting in Şuşa was a success for both of the countries."
    doc = _clean(patterns, f"{STORY}\n\n{line}\n\n{STORY2}")
    assert line in doc.paragraphs


def test_caption_credit_and_repeated_short_line(patterns: BoilerplatePatterns) -> None:
    doc = _clean(
        patterns, f"Raisi and Aliyev. Photo: AFP\n\nRaisi and Aliyev. Photo: AFP\n\n{STORY}"
    )
    assert doc.paragraphs == [STORY]
    assert [r.reason for r in doc.removed] == ["caption", "caption"]
    assert doc.outlet == "AFP"


def test_dateline_outlet_beats_caption_and_hint(patterns: BoilerplatePatterns) -> None:
    text = f"Aliyev and Raisi. İRNA\n\nBaku/01.12.21/Turan: {STORY}"
    doc = clean_document(text, "text", patterns, outlet_hint="APA")
    assert (doc.outlet, doc.dateline, doc.published_date) == ("Turan", "Baku", date(2021, 12, 1))
    assert doc.paragraphs == [STORY]


def test_outlet_hint_is_used_without_dateline(patterns: BoilerplatePatterns) -> None:
    doc = clean_document(f"{STORY}\n\n{STORY2}", "text", patterns, outlet_hint="press tv")
    assert doc.outlet == "Press TV"


def test_date_inside_story_is_not_the_published_date(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, f"On November 28, 2021, Raisi met with Aliyev.\n\n{STORY}")
    assert doc.published_date is None
    assert len(doc.paragraphs) == 2


def test_duplicate_paragraph(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, f"{STORY}\n\n{STORY2}\n\n{STORY2}")
    assert doc.paragraphs == [STORY, STORY2]
    assert [(r.line_no, r.reason) for r in doc.removed] == [(5, "duplicate")]


def test_one_paragraph_per_line_text(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, f"{STORY}\n{STORY2}\nRaisi thanked his host.")
    assert doc.paragraphs == [STORY, STORY2, "Raisi thanked his host."]


def test_lower_case_continuation_is_joined(patterns: BoilerplatePatterns) -> None:
    doc = _clean(
        patterns, f"{STORY}\n\nThe two leaders agreed that a working group\nwill follow up."
    )
    assert doc.paragraphs[-1] == "The two leaders agreed that a working group will follow up."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("He said, “We are brothers.”", "He said, “We are brothers.”"),  # curly quotes kept
        ("Iran\u00a0and  Azerbaijan", "Iran and Azerbaijan"),
        ("the countriesâ€™ capacities", "the countries’ capacities"),  # mojibake
        ("**Bold** and *italic* text", "Bold and italic text"),
        ("See [the statement](https://example.org/x) here", "See the statement here"),
        ("2 **/Nov/ 2017**", "2 /Nov/ 2017"),
    ],
)
def test_normalise_line(raw: str, expected: str) -> None:
    assert normalise_line(raw)[0] == expected


def test_markdown_heading_tag() -> None:
    assert normalise_line("## Meeting with Aliyev") == ("Meeting with Aliyev", "h2")


# -- HTML -----------------------------------------------------------------------------------


def test_html_blocks_drop_chrome_and_keep_text() -> None:
    page = html_to_blocks(
        "<html><head><title>T</title><meta property='article:published_time' "
        "content='2017-11-02T10:00:00Z'></head><body><nav><li>Home</li></nav>"
        "<script>var x = 1;</script><p>One <b>bold</b> word.</p><ul><li>Item</li></ul>"
        "<figure><figcaption>Photo: AP</figcaption></figure><footer>Footer</footer></body></html>"
    )
    assert [(b.text, b.tag) for b in page.blocks] == [
        ("One bold word.", "p"),
        ("Item", "li"),
        ("Photo: AP", "figcaption"),
    ]
    assert (page.title, page.published) == ("T", "2017-11-02T10:00:00Z")


def test_html_figcaption_is_a_caption(patterns: BoilerplatePatterns) -> None:
    html = f"<p>{STORY}</p><figure><figcaption>The two presidents</figcaption></figure>"
    doc = _clean(patterns, f"<html><body>{html}<p>{STORY2}</p></body></html>", "html")
    assert doc.paragraphs == [STORY, STORY2]
    assert [(r.line_no, r.reason) for r in doc.removed] == [(2, "caption")]


# -- properties -----------------------------------------------------------------------------

_TEXT = st.lists(
    st.sampled_from(
        [STORY, STORY2, "", "Most Popular", "Дорогой житель!", "By Desk - 5 /Mar/ 2017"]
    )
    | st.text(max_size=40),
    max_size=8,
).map("\n".join)


@settings(max_examples=60, deadline=None)
@given(_TEXT)
def test_cleaning_never_raises_and_invents_no_words(text: str) -> None:
    patterns = BoilerplatePatterns.from_seeds(ROOT / "seeds")
    doc = clean_document(text, "text", patterns)
    source = {w for line in text.split("\n") for w in re.findall(r"\w+", normalise_line(line)[0])}
    for paragraph in doc.paragraphs:
        assert set(re.findall(r"\w+", paragraph)) <= source


@pytest.mark.parametrize(
    "tail",
    [
        [
            "Dear resident of Baku city!",
            "You too can contribute to the fight against Climate Change",
        ],
        ["InvestPro Azerbaijan Baku & Turkiye Istanbul 2024 – two conferences in one shot"],
        ["Berlin görüşü, Prezidentin mesajları, Qərbin addımları"],
    ],
)
def test_tail_without_marker(patterns: BoilerplatePatterns, tail: list[str]) -> None:
    doc = _clean(patterns, "\n\n".join([STORY, STORY2, *tail]))
    assert doc.paragraphs == [STORY, STORY2]
    assert {r.reason for r in doc.removed} <= {"tail", "foreign_language"}


def test_cut_marker_removes_teasers_even_with_one_sentence(patterns: BoilerplatePatterns) -> None:
    teasers = [
        "Oil prices climb on supply fears",
        "The central bank raised its key interest rate by two points on Monday, officials said.",
        "Five things to watch this week",
        "Caspian summit set for autumn",
    ]
    doc = _clean(patterns, "\n\n".join([STORY, STORY2, "Related news", *teasers]))
    assert doc.paragraphs == [STORY, STORY2]


def test_bare_date_inside_body_is_debris(patterns: BoilerplatePatterns) -> None:
    doc = _clean(patterns, f"{STORY}\n\n5 March 2023\n\n{STORY2}")
    assert doc.paragraphs == [STORY, STORY2]
    assert doc.published_date is None
    assert [r.reason for r in doc.removed] == ["boilerplate"]


def test_masthead_line_is_not_the_title(patterns: BoilerplatePatterns) -> None:
    text = f"Tehran Times\nRaisi, Aliyev hold talks\nNov 9, 2023\nBy Reza Ahmadi\n\n{STORY}"
    doc = _clean(patterns, text)
    assert (doc.title, doc.outlet, doc.byline) == (
        "Raisi, Aliyev hold talks",
        "Tehran Times",
        "Reza Ahmadi",
    )
    assert doc.published_date == date(2023, 11, 9)
    assert doc.paragraphs == [STORY]


def test_mojibake_fixed_on_every_line_of_a_misdecoded_document(
    patterns: BoilerplatePatterns,
) -> None:
    good = "“We see the Caucasus as a region of cooperation,” Davutoğlu told reporters in Ankara."
    first = "Foreign Minister Ahmet Davutoğlu met his Iranian counterpart in Ankara on Sunday."
    broken = "".join(  # UTF-8 bytes read as Windows-1252 (undefined bytes kept as Latin-1)
        bytes([b]).decode("cp1252", errors="ignore") or chr(b)
        for b in f"{first}\n\n{good}".encode()
    )
    assert "Ä" in broken
    doc = _clean(patterns, broken)
    assert doc.paragraphs == [first, good]


def test_name_heavy_english_line_is_not_foreign(patterns: BoilerplatePatterns) -> None:
    names = "Ambassador Seyyed Abbas Mousavi, Deputy Foreign Minister Khalaf Khalafov attended."
    doc = _clean(patterns, f"{STORY}\n\n{names}\n\n{STORY2}")
    assert doc.paragraphs == [STORY, names, STORY2]


def test_navigation_above_the_headline_is_furniture(patterns: BoilerplatePatterns) -> None:
    text = (
        f"Home\nPolitics\nXəbər lenti\nRaisi, Aliyev hold talks in Ashgabat\nNov 9, 2023\n\n{STORY}"
    )
    doc = _clean(patterns, text)
    assert doc.title == "Raisi, Aliyev hold talks in Ashgabat"
    assert doc.published_date == date(2023, 11, 9)
    assert doc.paragraphs == [STORY]
    assert {r.reason for r in doc.removed} >= {"metadata"}


def test_short_opening_sentence_is_kept(patterns: BoilerplatePatterns) -> None:
    lead = "The talks lasted three hours and ended without a statement."
    doc = _clean(patterns, f"Raisi, Aliyev hold talks in Ashgabat\n\n{lead}\n\n{STORY}")
    assert doc.paragraphs == [lead, STORY]


def test_html_class_names_give_byline_date_and_furniture(patterns: BoilerplatePatterns) -> None:
    page = (
        "<html><body><div class='cookie-banner'><p>We value your privacy here.</p></div>"
        "<h1>Raisi, Aliyev hold talks</h1><span class='post-author'>Reza Ahmadi</span>"
        "<span class='post-date'>July 19, 2022</span>"
        f"<p>{STORY}</p><div class='share-bar'><p>Share this with your friends today.</p></div>"
        "</body></html>"
    )
    doc = clean_document(page, "html", patterns)
    assert (doc.title, doc.byline, doc.published_date) == (
        "Raisi, Aliyev hold talks",
        "Reza Ahmadi",
        date(2022, 7, 19),
    )
    assert doc.paragraphs == [STORY]


# -- fast paths: each must agree with the plain computation it shortcuts --------------------

_PRINTABLE_ASCII = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E).filter(lambda c: c != "&")
    | st.just("\t"),
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(_PRINTABLE_ASCII)
def test_ftfy_leaves_the_lines_it_is_skipped_for_alone(line: str) -> None:
    """normalise_line skips ftfy for printable ASCII without "&": ftfy must not change it."""
    import ftfy

    from flows.extract.cleaning.lines import _NOTHING_TO_FIX

    assert _NOTHING_TO_FIX.fullmatch(line)
    assert ftfy.fix_text(line, uncurl_quotes=False, fix_line_breaks=False) == line
    assert not ftfy.fix_encoding_and_explain(line).explanation


def _script_by_counting(text: str) -> str | None:
    """The letter-by-letter count _script replaces (ties: the script met first)."""
    from collections import Counter

    from flows.extract.cleaning.features import _letter_script

    counts = Counter(_letter_script(ord(c)) for c in text if c.isalpha())
    return counts.most_common(1)[0][0] if counts else None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcXYZ 12²“”ğəİДжبيα一-", max_size=40) | st.text(max_size=40))
@example("ğəXXə一")  # a tie where an accented Latin letter comes before the ASCII ones
def test_script_counts_every_letter(text: str) -> None:
    from flows.extract.cleaning.features import _script

    assert _script(text) == _script_by_counting(text)


def test_union_of_matches_where_one_pattern_does(patterns: BoilerplatePatterns) -> None:
    from flows.extract.cleaning import union_of

    union = union_of(patterns.lines)
    assert union is not None
    samples = ["Follow us on Twitter", "Share this article", "© 2015 Tasnim", "12:30", "—", "x"]
    samples += ["Aliyev met Raisi in Baku on Monday.", "Tags: Iran, Azerbaijan", ""]
    for text in samples:
        expected = any(p.fullmatch(text) for p in patterns.lines)
        assert (union.fullmatch(text) is not None) is expected, text
    # groups could be back-referenced: no union then
    assert union_of((re.compile(r"(a)\1"), re.compile("b"))) is None
    assert union_of((re.compile("a", re.I), re.compile("b"))) is None

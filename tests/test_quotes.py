"""Quote extraction and speaker attribution, inline patterns and the sample articles."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from flows.extract.people import PeopleDirectory
from flows.extract.quotes import extract_quotes
from flows.records import Quote

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT / "seeds"
ON = date(2021, 11, 28)  # Raisi and Aliyev presidents; Khamenei Leader


@pytest.fixture(scope="module")
def people() -> PeopleDirectory:
    return PeopleDirectory.from_seeds(SEEDS)


def sample_paragraphs(path: Path, doc: dict[str, Any]) -> list[str]:
    """Split a sample article into body paragraphs without the cleaning stage.

    Drops lines labelled metadata/boilerplate in seeds_expected.json; paragraphs are separated
    by blank lines.
    """
    drop = {line.strip() for line in doc.get("metadata", []) + doc.get("boilerplate", [])}
    blocks = re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))
    paragraphs = []
    for block in blocks:
        kept = [line for line in block.splitlines() if line.strip() and line.strip() not in drop]
        if kept:
            paragraphs.append("\n".join(kept).strip())
    return paragraphs


def _quotes(people: PeopleDirectory, *paragraphs: str, on: date = ON) -> list[Quote]:
    return extract_quotes(list(paragraphs), people, on)


def _summary(quotes: list[Quote]) -> list[tuple[str, str | None, str | None]]:
    return [(q.text, q.speaker, q.attribution_verb) for q in quotes]


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        pytest.param(
            ["Raisi said, “We will never allow it.”"],
            [("We will never allow it.", "Ebrahim Raisi", "said")],
            id="pre-attribution-comma",
        ),
        pytest.param(
            ['Aliyev noted: "Relations are at the highest level."'],
            [("Relations are at the highest level.", "Ilham Aliyev", "noted")],
            id="pre-attribution-colon-straight-marks",
        ),
        pytest.param(
            ["“The two countries are close,” Raisi said."],
            [("The two countries are close", "Ebrahim Raisi", "said")],
            id="post-attribution",
        ),
        pytest.param(
            ["“The two countries are close,” said Aliyev."],
            [("The two countries are close", "Ilham Aliyev", "said")],
            id="post-attribution-inverted",
        ),
        pytest.param(
            ["“We must be vigilant,” the Iranian president warned."],
            [("We must be vigilant", "Ebrahim Raisi", "warned")],
            id="post-title",
        ),
        pytest.param(
            ["Aliyev spoke first.", "“Baku values Tehran,” he added."],
            [("Baku values Tehran", "Ilham Aliyev", "added")],
            id="pronoun-from-previous-paragraph",
        ),
        pytest.param(
            ["Raisi met Aliyev on Sunday.", "“We are brothers,” he said."],
            [("We are brothers", "Ebrahim Raisi", "said")],
            id="pronoun-skips-object-of-met",
        ),
        pytest.param(
            [
                "During the meeting, which was also attended by Iran's President Hassan Rouhani, "
                "Azerbaijani President Ilham Aliyev touched upon ties and said, “Iran is close.”"
            ],
            [("Iran is close.", "Ilham Aliyev", "said")],
            id="subject-not-first-name-in-sentence",
        ),
        pytest.param(
            [
                "In a meeting with Azeri President Ilham Aliyev, Leader of the Islamic Revolution "
                "Ayatollah Seyyed Ali Khamenei pointed to ties, reiterating, “Ties must grow.”"
            ],
            [("Ties must grow.", "Ali Khamenei", "reiterating")],
            id="object-after-with",
        ),
        pytest.param(
            ["For his part, the president of Azerbaijan said, “A working group will be formed.”"],
            [("A working group will be formed.", "Ilham Aliyev", "said")],
            id="for-his-part-title",
        ),
        pytest.param(
            ["“Trade must grow,” according to Aliyev."],
            [("Trade must grow", "Ilham Aliyev", "according to")],
            id="according-to-after",
        ),
        pytest.param(
            ["According to Raisi, “the region is safe.”"],
            [("the region is safe.", "Ebrahim Raisi", "according to")],
            id="according-to-before",
        ),
        pytest.param(
            [
                "Aliyev noted that trade was weak. He then pointed to projects, saying, "
                "“The railway was an important step.”"
            ],
            [("The railway was an important step.", "Ilham Aliyev", "saying")],
            id="pronoun-same-paragraph",
        ),
        pytest.param(
            [
                "He then said that Baku is committed to the border: “We will not allow any "
                "country to disrupt relations,” the Azeri leader warned."
            ],
            [("We will not allow any country to disrupt relations", "Ilham Aliyev", "warned")],
            id="post-attribution-beats-pre",
        ),
        pytest.param(
            ["Raisi said: “We do not allow insecurity. The path is closed.", "Aliyev agreed."],
            [("We do not allow insecurity. The path is closed.", "Ebrahim Raisi", "said")],
            id="missing-close-mark-stops-at-paragraph-end",
        ),
        pytest.param(
            ['Raisi said: "We do not allow insecurity.', 'Then Aliyev said: "Fine."'],
            [
                ("We do not allow insecurity.", "Ebrahim Raisi", "said"),
                ("Fine.", "Ilham Aliyev", "said"),
            ],
            id="missing-close-straight-next-paragraph-opens",
        ),
        pytest.param(
            ["Aliyev said: We will build the railway together with Iran."],
            [("We will build the railway together with Iran.", "Ilham Aliyev", "said")],
            id="colon-speech-without-marks",
        ),
        pytest.param(
            ["The agenda was as follows: Trade, energy and transit were discussed at length."],
            [],
            id="colon-without-speech-verb",
        ),
        pytest.param(
            ["The two presidents committed to get past the “unwanted” tensions."],
            [],
            id="scare-quote",
        ),
        pytest.param(
            ['Raisi said the "unwanted" tensions were over.'],
            [],
            id="scare-quote-beside-speech-verb",
        ),
        pytest.param(
            ["‘We do not allow insecurity in the region’", "Raisi met Aliyev."],
            [],
            id="headline-single-marks",
        ),
        pytest.param(
            ["“We do not allow insecurity in the region”", "Raisi met Aliyev."],
            [],
            id="heading-double-marks",
        ),
        pytest.param(
            ["Aliyev praised the book “The Silk Road of Nations” at the fair."],
            [],
            id="title-of-a-work",
        ),
        pytest.param(
            ["Aliyev said, “The country’s ‘strategic’ partner is Iran.”"],
            [("The country’s ‘strategic’ partner is Iran.", "Ilham Aliyev", "said")],
            id="nested-single-marks-and-apostrophe",
        ),
    ],
)
def test_patterns(
    people: PeopleDirectory, paragraphs: list[str], expected: list[tuple[str, str, str]]
) -> None:
    assert _summary(_quotes(people, *paragraphs)) == expected


def test_partial_quote_inside_reported_speech(people: PeopleDirectory) -> None:
    text = (
        "Raisi insisted that ISIS and Zionist terrorism are two threatening security factors in "
        "the region and “must be confronted,” and that foreign intervention is harmful."
    )
    [quote] = _quotes(people, text)
    assert (quote.text, quote.speaker, quote.attribution_verb) == (
        "must be confronted",
        "Ebrahim Raisi",
        "insisted",
    )
    assert quote.is_partial


def test_full_sentence_is_not_partial(people: PeopleDirectory) -> None:
    [quote] = _quotes(people, "Raisi said, “We will never allow it.”")
    assert not quote.is_partial


def test_multi_paragraph_letter(people: PeopleDirectory) -> None:
    paragraphs = [
        "Aliyev also said, “The will of our nations is the basis.”",
        "The full text of the message is as follows:",
        "“To Mr. Seyyed Ebrahim Raisi, President of the Islamic Republic of Iran",
        "Mr. President;",
        "I cordially congratulate you.",
        "I wish you good health.”",
        "On November 28, Raisi met with Aliyev.",
    ]
    quotes = _quotes(people, *paragraphs, on=date(2022, 3, 12))
    assert [(q.paragraph_no, q.end_paragraph_no, q.speaker) for q in quotes] == [
        (0, None, "Ilham Aliyev"),
        (2, 5, "Ilham Aliyev"),
    ]
    assert quotes[1].text.startswith("To Mr. Seyyed Ebrahim Raisi")
    assert quotes[1].text.endswith("I wish you good health.")


def test_multi_paragraph_classic_style(people: PeopleDirectory) -> None:
    paragraphs = [
        "Raisi said: “We stand with our neighbours.",
        "“We will not allow outsiders to interfere.",
        "“Trade will grow.”",
        "Aliyev thanked him.",
    ]
    [quote] = _quotes(people, *paragraphs)
    assert (quote.paragraph_no, quote.end_paragraph_no, quote.speaker) == (0, 2, "Ebrahim Raisi")
    assert "“" not in quote.text and "outsiders" in quote.text


def test_offsets_point_at_quote_text(people: PeopleDirectory) -> None:
    para = "“The two countries are close,” Raisi said. Aliyev added, “Indeed they are.”"
    for quote in _quotes(people, para):
        assert para[quote.start :].startswith(quote.text)


def test_mentions_inside_quotes_do_not_speak(people: PeopleDirectory) -> None:
    paragraphs = ["Aliyev said, “I met Raisi yesterday.”", "“It went well,” he added."]
    assert [q.speaker for q in _quotes(people, *paragraphs)] == ["Ilham Aliyev", "Ilham Aliyev"]


def test_unattributed_quote_has_no_speaker(people: PeopleDirectory) -> None:
    [quote] = _quotes(people, "Officials say, “Trade must grow ten-fold.”")
    assert quote.speaker is None


# ----------------------------------------------------------------------------- samples
def _sample_quotes(people: PeopleDirectory, doc: dict[str, Any]) -> list[Quote]:
    paragraphs = sample_paragraphs(SEEDS / "articles" / doc["file"], doc)
    return extract_quotes(paragraphs, people, date.fromisoformat(doc["published"]))


def test_sample_articles(people: PeopleDirectory, expected: dict[str, Any]) -> None:
    """Every expected quote found with its speaker; nothing else extracted."""
    missing, wrong_speaker, false_quotes = [], [], []
    for doc in expected["documents"]:
        quotes = _sample_quotes(people, doc)
        matched: set[int] = set()
        for want in doc["quotes"]:
            hits = [i for i, q in enumerate(quotes) if q.text.startswith(want["starts"])]
            if not hits:
                if not want.get("optional"):
                    missing.append((doc["file"], want["starts"]))
                continue
            matched.update(hits)
            if any(quotes[i].speaker != want["speaker"] for i in hits):
                wrong_speaker.append((doc["file"], want["starts"]))
        false_quotes += [
            (doc["file"], q.text[:40]) for i, q in enumerate(quotes) if i not in matched
        ]
        for text in doc.get("not_quotes", []):
            assert all(q.text != text for q in quotes)
    assert missing == []
    assert wrong_speaker == []
    assert false_quotes == []


@pytest.mark.parametrize(
    ("paragraphs", "speaker"),
    [
        (["Raisi met Aliyev.", "Officials say, “Trade must grow ten-fold.”"], None),
        (["Raisi spoke.", "Raisi's spokesman said, “Trade must grow ten-fold.”"], None),
        (
            ["Raisi spoke.", "Pointing to trade, and saying, “Trade must grow ten-fold.”"],
            "Ebrahim Raisi",
        ),
        (["Aliyev spoke.", "“Trade must grow ten-fold.”"], "Ilham Aliyev"),
    ],
)
def test_subjectless_clauses(
    people: PeopleDirectory, paragraphs: list[str], speaker: str | None
) -> None:
    [quote] = _quotes(people, *paragraphs)
    assert quote.speaker == speaker


# ----------------------------------------------------------------------------- issue 4 patterns
@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        pytest.param(
            [
                "Addressing the crowd alongside his Azerbaijani counterpart Ilham Aliyev, "
                "the Turkish leader said:",
                "“Today is a day of pride for the whole Turkic world.”",
            ],
            [
                (
                    "Today is a day of pride for the whole Turkic world.",
                    "Recep Tayyip Erdogan",
                    "said",
                )
            ],
            id="speech-introduced-by-previous-paragraph",
        ),
        pytest.param(
            ["President Ilham Aliyev said:", "– Dear guests, relations are at a high level."],
            [("Dear guests, relations are at a high level.", "Ilham Aliyev", "said")],
            id="colon-speech-in-next-paragraph-with-dash",
        ),
        pytest.param(
            ["Ilham Aliyev: Iran is our neighbour, and we have historical and cultural ties."],
            [
                (
                    "Iran is our neighbour, and we have historical and cultural ties.",
                    "Ilham Aliyev",
                    None,
                )
            ],
            id="interview-answer",
        ),
        pytest.param(
            ["Raisi: Iran will not yield to pressure from anyone"],
            [],
            id="headline-name-colon-is-not-speech",
        ),
        pytest.param(
            ["Araghchi later met President Ilham Aliyev, who said, “Azerbaijan is no threat.”"],
            [("Azerbaijan is no threat.", "Ilham Aliyev", "said")],
            id="relative-who-said",
        ),
        pytest.param(
            [
                "“Responsibility lies with the other side,” Hikmat Hajiyev, foreign policy "
                "adviser to President Ilham Aliyev, told Reuters."
            ],
            [("Responsibility lies with the other side", "Hikmat Hajiyev", "told")],
            id="post-attribution-with-long-apposition",
        ),
        pytest.param(
            [
                'The "one nation, two states" motto is old.',
                "They discussed the so-called “Zangezur corridor” issue.",
            ],
            [],
            id="quoted-modifier-and-so-called",
        ),
        pytest.param(
            ["Raisi also said the platform is “the best mechanism” for the region."],
            [("the best mechanism", "Ebrahim Raisi", "said")],
            id="short-fragment-inside-reported-speech",
        ),
        pytest.param(
            [
                "Ilham Aliyev sent a letter to Ebrahim Raisi.",
                "The letter reads:",
                "“Dear Mr. President, I congratulate you on the national day.”",
            ],
            [
                (
                    "Dear Mr. President, I congratulate you on the national day.",
                    "Ilham Aliyev",
                    "reads",
                )
            ],
            id="definite-letter-speaks-for-its-author",
        ),
        pytest.param(
            [
                "Ilham Aliyev condemned the attack.",
                "A statement posted on the ministry's website read: “The side was warned.”",
            ],
            [("The side was warned.", None, "read")],
            id="indefinite-statement-has-no-speaker",
        ),
        pytest.param(
            [
                "Mehriban Aliyeva met Ebrahim Raisi in Tehran.",
                "“We attach great importance to humanitarian ties,” she said.",
            ],
            [("We attach great importance to humanitarian ties", "Mehriban Aliyeva", "said")],
            id="she-skips-the-nearer-man",
        ),
    ],
)
def test_issue4_patterns(
    people: PeopleDirectory, paragraphs: list[str], expected: list[tuple[str, str, str]]
) -> None:
    assert _summary(_quotes(people, *paragraphs)) == expected


@pytest.mark.parametrize(
    ("text", "partial"),
    [
        ("Raisi described Baku as “Iran's closest partner in the Caucasus”.", True),
        ("Raisi said that “Iran is ready”.", True),
        ("Raisi said, “Iran is ready.”", False),
        ("Raisi said “Iran is ready.”", False),
        ("“Iran is ready,” Raisi said.", False),
        ("Raisi said Iran would “never accept such terms” again.", True),
    ],
)
def test_is_partial(people: PeopleDirectory, text: str, partial: bool) -> None:
    (quote,) = _quotes(people, text)
    assert quote.is_partial is partial


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        pytest.param(
            [
                "“We will not allow it,” Iranian foreign ministry spokesman Hamid Reza Asefi "
                "told reporters in Tehran."
            ],
            [("We will not allow it", "Hamid Reza Asefi", "told")],
            id="long-title-right-before-the-verb",
        ),
        pytest.param(
            [
                "The ministry summoned Iran's ambassador Ahad Gazai and handed him a note "
                "describing the incident as “a flagrant violation of international law.”"
            ],
            [("a flagrant violation of international law.", None, "describing")],
            id="indefinite-document-participle",
        ),
    ],
)
def test_attribution_edges(
    people: PeopleDirectory, paragraphs: list[str], expected: list[tuple[str, str, str]]
) -> None:
    assert _summary(_quotes(people, *paragraphs, on=date(2001, 7, 24))) == expected

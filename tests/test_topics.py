"""Topic tagging: keyword matching rules and the seed taxonomy."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.extract.topics import TopicTaxonomy

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
REQUIRED = {
    "economy_trade",
    "transport_transit",
    "energy",
    "security",
    "terrorism",
    "foreign_interference",
    "territorial_integrity",
    "religion_culture",
    "nuclear",
    "israel",
}


@pytest.fixture(scope="module")
def taxonomy() -> TopicTaxonomy:
    return TopicTaxonomy.from_seeds(SEEDS)


def _tiny(keywords: str) -> TopicTaxonomy:
    return TopicTaxonomy.from_rows([{"topic": "t", "label": "T", "keywords": keywords}])


@pytest.mark.parametrize(
    ("keywords", "text", "hit"),
    [
        ("corridor", "two transport Corridors were discussed", True),  # plural, case
        ("conspiracy", "vigilant against their conspiracies", True),  # y -> ies
        ("secure", "committed to securing the interests", True),  # dropped final e
        ("congratulat*", "Aliyev congratulated Raisi", True),  # explicit prefix
        ("North-South", "the North South corridor", True),  # hyphen or space
        ("import", "a very important step", False),  # word boundary
        ("gas", "Las Vegas", False),
        ("foreign interference", "foreign  interference", True),
        ("foreign interference", "foreign aid and interference", False),
        ("U.S.", "the U.S. position", True),
    ],
)
def test_keyword_matching(keywords: str, text: str, hit: bool) -> None:
    assert (_tiny(keywords).tag(text) == ["t"]) is hit


def test_seed_taxonomy_has_required_ids(taxonomy: TopicTaxonomy) -> None:
    ids = {r["topic"] for r in taxonomy.records()}
    assert ids >= REQUIRED
    assert all(r["keywords"] and r["label"] for r in taxonomy.records())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Daesh and Zionist terrorism are threatening factors",
            {"terrorism", "israel", "security"},
        ),
        ("the nuclear negotiations", {"nuclear"}),
        ("joint railroad project and trade exchanges", {"transport_transit", "economy_trade"}),
        ("Shia ceremonies in the month of Muharram", {"religion_culture"}),
        ("support for Azerbaijan's territorial integrity", {"territorial_integrity"}),
        ("will not allow any meddling", {"foreign_interference"}),
        ("a gas swap agreement", {"energy"}),
        ("the Leader of the Islamic Revolution received him", set()),  # "Islamic" is no topic
        ("the Trans-Caspian International Transport Route", {"caspian", "transport_transit"}),
        ("the unity of the Islamic world", {"religion_culture"}),
        ("the presence of foreign mercenaries", {"foreign_interference"}),
        ("President of the Islamic Republic of Iran", set()),
    ],
)
def test_seed_tags(taxonomy: TopicTaxonomy, text: str, expected: set[str]) -> None:
    assert set(taxonomy.tag(text)) == expected


def test_tag_is_sorted_and_tag_many_is_union(taxonomy: TopicTaxonomy) -> None:
    tags = taxonomy.tag("oil, trade and Israel")
    assert tags == sorted(tags) == ["economy_trade", "energy", "israel"]
    assert taxonomy.tag_many(["oil", "Israel"]) == ["energy", "israel"]
    assert taxonomy.tag("") == []


def test_matches_explains_tags(taxonomy: TopicTaxonomy) -> None:
    assert taxonomy.matches("transit routes")["transport_transit"] == ["transit"]


@pytest.mark.parametrize(
    "text",
    [
        "Daesh and Zionist terrorism are threatening factors to regional security and stability.",
        "The U.S. and NATO discussed the North-South transport corridor, gas swaps and banks.",
        "İRAN-AZERBAYCAN ECONOMIC ties; KELVIN Kazakhstan ſecurity",  # case-folding oddities
        "congratulations — non-economic, anti-terrorism; re-securing the pipe-line",
        "",
    ],
)
def test_tag_agrees_with_searching_every_topic(taxonomy: TopicTaxonomy, text: str) -> None:
    """tag() only tries a topic at words that start with its stems: same result as a search."""
    expected = sorted(t.topic for t in taxonomy.topics if text and t.pattern.search(text))
    assert taxonomy.tag(text) == expected

"""Topic tagging: keyword phrases from seeds/topics.csv matched on word boundaries.

A keyword is a phrase; its last word tolerates simple English inflection (plural, -ed, -ing,
y -> ies, dropped final e). A trailing `*` makes the last word a prefix (`congratulat*`).
Words inside a phrase may be separated by spaces or hyphens.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

_SUFFIXES = r"(?:s|es|ed|ing|d)?"


def _word_pattern(word: str, last: bool) -> str:
    """Regex for one keyword word; only the last word of a phrase is inflected."""
    if word.endswith("*"):
        return re.escape(word[:-1]) + r"\w*"
    if not last:
        return re.escape(word)
    if len(word) > 3 and word.endswith("y") and word[-2] not in "aeiou":
        return re.escape(word[:-1]) + r"(?:y|ies|ied)"
    if len(word) > 3 and word.endswith("e"):
        # secure -> securing / secured / secures
        return re.escape(word[:-1]) + r"(?:e|es|ed|ing)"
    return re.escape(word) + _SUFFIXES


def keyword_regex(phrase: str) -> str:
    """Regex source for one keyword phrase (word-bounded, inflection tolerant)."""
    words = re.split(r"[\s\-]+", phrase.strip())
    parts = [_word_pattern(w, i == len(words) - 1) for i, w in enumerate(words)]
    # Lookarounds instead of \b so phrases that start/end with punctuation (U.S.) still work.
    return r"(?<![\w-])" + r"[\s\-]+".join(parts) + r"(?![\w-])"


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic of the taxonomy."""

    topic: str
    label: str
    keywords: tuple[str, ...]
    pattern: re.Pattern[str]


def _compile(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation per topic; longer phrases first so they win over their prefixes."""
    ordered = sorted(keywords, key=len, reverse=True)
    return re.compile("|".join(keyword_regex(k) for k in ordered), re.IGNORECASE)


class TopicTaxonomy:
    """Topic ids with their keyword phrases; tags free text."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics

    @classmethod
    def from_rows(cls, rows: list[dict[str, str]]) -> TopicTaxonomy:
        """Build from dict rows with topic, label, keywords ('|'-separated)."""
        topics = []
        for row in rows:
            keywords = tuple(k.strip() for k in row["keywords"].split("|") if k.strip())
            topics.append(
                Topic(row["topic"].strip(), row["label"].strip(), keywords, _compile(keywords))
            )
        return cls(topics)

    @classmethod
    def from_seeds(cls, seeds_dir: Path) -> TopicTaxonomy:
        """Load seeds/topics.csv."""
        with (Path(seeds_dir) / "topics.csv").open(encoding="utf-8", newline="") as fh:
            return cls.from_rows(list(csv.DictReader(fh)))

    def tag(self, text: str) -> list[str]:
        """Sorted topic ids whose keywords occur in the text."""
        if not text:
            return []
        return sorted(t.topic for t in self.topics if t.pattern.search(text))

    def tag_many(self, texts: list[str]) -> list[str]:
        """Sorted union of the topics of several texts (e.g. a meeting's paragraphs)."""
        found: set[str] = set()
        for text in texts:
            found.update(self.tag(text))
        return sorted(found)

    def matches(self, text: str) -> dict[str, list[str]]:
        """Topic id -> the surface strings that triggered it (for explaining a tag)."""
        hits = {t.topic: [m.group(0) for m in t.pattern.finditer(text)] for t in self.topics}
        return {k: v for k, v in hits.items() if v}

    def records(self) -> list[dict[str, object]]:
        """Rows for staging.seed_topics: topic, label, keywords (list)."""
        return [
            {"topic": t.topic, "label": t.label, "keywords": list(t.keywords)} for t in self.topics
        ]

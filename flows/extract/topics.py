"""Topic tagging: keyword phrases from seeds/topics.csv matched on word boundaries.

A keyword is a phrase; its last word tolerates simple English inflection (plural, -ed, -ing,
y -> ies, dropped final e). A trailing `*` makes the last word a prefix (`congratulat*`).
Words inside a phrase may be separated by spaces or hyphens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flows.extract.seeds import read_seed_csv

_SUFFIXES = r"(?:s|es|ed|ing|d)?"


def _word_parts(word: str, last: bool) -> tuple[str, str]:
    """(literal stem, regex for the ending) of one keyword word; only the last word of a
    phrase is inflected."""
    if word.endswith("*"):
        return word[:-1], r"\w*"
    if not last:
        return word, ""
    if len(word) > 3 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1], r"(?:y|ies|ied)"
    if len(word) > 3 and word.endswith("e"):
        # secure -> securing / secured / secures
        return word[:-1], r"(?:e|es|ed|ing)"
    return word, _SUFFIXES


def _word_pattern(word: str, last: bool) -> str:
    """Regex for one keyword word."""
    stem, ending = _word_parts(word, last)
    return re.escape(stem) + ending


def _words(phrase: str) -> list[str]:
    """The words of a keyword phrase (spaces and hyphens separate them)."""
    return re.split(r"[\s\-]+", phrase.strip())


def keyword_stem(phrase: str) -> str:
    """The literal text every match of the phrase starts with (its first word's stem)."""
    words = _words(phrase)
    return _word_parts(words[0], len(words) == 1)[0]


def keyword_regex(phrase: str) -> str:
    """Regex source for one keyword phrase (word-bounded, inflection tolerant)."""
    words = _words(phrase)
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


# Where a keyword match can start: a run of word characters not preceded by one or a hyphen
# (the lookbehind every keyword regex opens with).
_WORD_START = re.compile(r"(?<![\w-])\w+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")
_MEMO_LIMIT = 1 << 16  # distinct words remembered before the memo starts afresh


def _stem_regex(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    """Matches a word that starts with one of a topic's keyword stems, or None when some
    stem is not a plain ASCII word (that topic is then always searched in full).

    Matched case-insensitively by the same regex engine as the keywords, and every character
    such a stem can match is a word character, so a keyword match at a word start implies
    a stem match at the start of the word found there.
    """
    stems = {keyword_stem(k) for k in keywords}
    if not all(_ASCII_WORD.fullmatch(stem) for stem in stems):
        return None
    return re.compile("|".join(re.escape(stem) for stem in sorted(stems)), re.IGNORECASE)


class TopicTaxonomy:
    """Topic ids with their keyword phrases; tags free text.

    Tagging tries a topic's regex only at the words of the text that start with one of the
    topic's keyword stems: a keyword regex cannot skip ahead to a literal prefix, so scanning
    a paragraph with it costs far more than looking up the paragraph's words.
    """

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics
        # (a topic given a regex of its own, not built from its keywords, is always searched)
        self._stems = [
            _stem_regex(t.keywords) if t.pattern == _compile(t.keywords) else None for t in topics
        ]
        self._memo: dict[str, frozenset[int]] = {}  # word -> indices of topics it may start
        self._always = [index for index, stems in enumerate(self._stems) if stems is None]

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
        return cls.from_rows(read_seed_csv(Path(seeds_dir) / "topics.csv", strip=False))

    def tag(self, text: str) -> list[str]:
        """Sorted topic ids whose keywords occur in the text."""
        if not text:
            return []
        starts = self._word_starts(text)
        # a topic with stems and no word starting with one cannot occur: not tried
        tried = [*starts, *self._always] if self._always else starts
        return sorted(
            self.topics[index].topic
            for index in tried
            if self._occurs(index, text, starts.get(index, []))
        )

    def _word_starts(self, text: str) -> dict[int, list[int]]:
        """Topic index -> offsets of the words that start with one of its keyword stems."""
        starts: dict[int, list[int]] = {}
        for word in _WORD_START.finditer(text):
            for index in self._topics_starting(word.group()):
                starts.setdefault(index, []).append(word.start())
        return starts

    def _occurs(self, index: int, text: str, starts: list[int]) -> bool:
        """Whether a keyword of the topic occurs in the text; a match can only start at one of
        `starts` unless the topic has stems that are not plain words."""
        pattern = self.topics[index].pattern
        if self._stems[index] is None:
            return pattern.search(text) is not None
        # match() at an offset still sees the text before it (the regex's lookbehind)
        return any(pattern.match(text, start) for start in starts)

    def _topics_starting(self, word: str) -> frozenset[int]:
        """Indices of the topics with a keyword stem that `word` starts with (memoised)."""
        known = self._memo.get(word)
        if known is None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            known = frozenset(
                index
                for index, stems in enumerate(self._stems)
                if stems is not None and stems.match(word)
            )
            self._memo[word] = known
        return known

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

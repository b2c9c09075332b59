"""Link quotations of the same statement reported by different articles.

Two quotes are one statement when they come from different documents, have the same speaker
(or one is unattributed), were published within `max_days` of each other, and their
normalised words are similar enough (rapidfuzz token-set similarity, with a stricter
token-sort test for short quotes, whose word sets are contained in almost anything). A
fragment one outlet weaves into its sentence ("is “the best mechanism” for") of a statement
another outlet quotes whole is the same statement: it links when its words appear contiguous
in the other quote, said by the same named speaker within FRAGMENT_MAX_DAYS.
Clusters are the connected components (union-find); a cluster's id is a stable hash of its
smallest (doc_id, quote_no).
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz

from flows.people import fold

# Measured on tests/seeds_expected.json (tests/test_statements.py): the 6 labelled pairs score
# 87.7-100; 3 unlabelled pairs score 92-100 and are sub-quotes of a labelled statement (one
# outlet split a sentence another quoted whole: the same statement, see FRAGMENT_*); every
# other same-speaker pair scores <= 76.8. On tests/quote_cases/ (12 cross-outlet groups in
# other translations, `summitry evaluate quotes`): pairwise P/R at 70: 12/14, 12/12; 75 and
# 80: 12/13, 12/12; 85: 9/10, 9/12; 90: 7/7, 7/12. The wrong link left at 80 (89.0) is one
# speaker's similar words six years apart, linked only because both articles lost their date.
DEFAULT_THRESHOLD = 80.0
# Articles recalling a meeting months later quote it again (a 2022 message recalls the 2021
# summit), so the window is wide; similarity does the real work.
DEFAULT_MAX_DAYS = 366
# A word found in more quotes than this carries no signal and would rebuild the n² pairs.
HUB_POSTINGS = 1000
_SHORT_QUOTE_WORDS = 6  # below this, token-set similarity is too lenient
# A fragment quoted by one outlet from a statement another quotes whole is the same statement
# (tests/quote_cases/statements.json says so); a 3-word fragment is only trusted for the same
# named speaker within a few days, because short phrases recur across a speaker's statements.
FRAGMENT_MIN_WORDS = 3
FRAGMENT_MAX_DAYS = 7
_LONG_RATIO = 3  # a quote over 3x longer than the other is compared by sentences
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")

OUTPUT_SCHEMA = {"doc_id": pl.String, "quote_no": pl.Int64, "statement_id": pl.String}


@lru_cache(maxsize=8)
def load_synonyms(path: Path) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern, replacement) pairs from quote_synonyms.csv, longest term first."""
    if not path.exists():
        return ()
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [
            (r["term"].strip().lower(), r["canonical"].strip().lower()) for r in csv.DictReader(fh)
        ]
    rows.sort(key=lambda r: len(r[0]), reverse=True)
    return tuple((re.compile(rf"(?<!\w){re.escape(t)}(?!\w)"), c) for t, c in rows)


def normalise(text: str, synonyms: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    """Folded, synonym-mapped, punctuation-free words of a quote."""
    text = fold(text)
    for pattern, canonical in synonyms:
        text = pattern.sub(canonical, text)
    return " ".join(re.findall(r"\w+", text))


def similarity(a: str, b: str) -> float:
    """Similarity of two normalised quotes (0-100)."""
    if min(len(a.split()), len(b.split())) < _SHORT_QUOTE_WORDS:
        return fuzz.token_sort_ratio(a, b)
    return fuzz.token_set_ratio(a, b)


def _windows(sentences: list[str]) -> list[str]:
    """Each sentence and each pair of adjacent sentences."""
    pairs = [f"{x} {y}" for x, y in itertools.pairwise(sentences)]
    return sentences + pairs


def row_similarity(a: dict, b: dict) -> float:
    """Similarity of two quote rows; a long quote (a letter) is compared sentence by sentence,
    because its many words make token-set similarity high against almost anything."""
    short, long_ = sorted((a, b), key=lambda r: len(r["norm"].split()))
    if len(long_["norm"].split()) <= _LONG_RATIO * max(1, len(short["norm"].split())):
        return similarity(a["norm"], b["norm"])
    return max(similarity(short["norm"], w) for w in _windows(long_["sentences"]))


def prepare(row: dict, synonyms: tuple[tuple[re.Pattern[str], str], ...]) -> None:
    """Add the normalised text and normalised sentences used for comparison to a row."""
    text = row["quote_text"] or ""
    row["norm"] = normalise(text, synonyms)
    row["sentences"] = [normalise(x, synonyms) for x in _SENTENCE.split(text) if x.strip()] or [""]


def _comparable(a: dict, b: dict, max_days: int) -> bool:
    if a["doc_id"] == b["doc_id"]:
        return False
    if a["speaker"] and b["speaker"] and a["speaker"] != b["speaker"]:
        return False
    # An optional event_date column (the meeting a quote belongs to) beats the publication date.
    da = a.get("event_date") or a["published_date"]
    db = b.get("event_date") or b["published_date"]
    if isinstance(da, date) and isinstance(db, date):
        return abs((da - db).days) <= max_days
    return True


def is_fragment(a: dict, b: dict) -> bool:
    """Whether one quote's words appear, in order and contiguous, inside the other's, said by
    the same named speaker within FRAGMENT_MAX_DAYS."""
    if not (a["speaker"] and a["speaker"] == b["speaker"]):
        return False
    da, db = _day(a), _day(b)
    if isinstance(da, date) and isinstance(db, date) and abs((da - db).days) > FRAGMENT_MAX_DAYS:
        return False
    short_row, long_row = sorted((a, b), key=lambda r: len(r["norm"].split()))
    short, long_ = short_row["norm"], long_row["norm"]
    words = len(short.split())
    # Below _SHORT_QUOTE_WORDS only a fragment woven into a sentence ("… is “the best
    # mechanism” for …", lower case) counts: "Relations are good." is a statement of its own.
    woven = (short_row["quote_text"] or "").lstrip()[:1].islower()
    if words < FRAGMENT_MIN_WORDS or (words < _SHORT_QUOTE_WORDS and not woven):
        return False
    return f" {short} " in f" {long_} "


def _day(row: dict) -> object:
    return row.get("event_date") or row["published_date"]


def scored_pairs(
    rows: list[dict], max_days: int = DEFAULT_MAX_DAYS
) -> list[tuple[int, int, float]]:
    """(i, j, score) for every comparable candidate pair of rows (prepared with `prepare`)."""
    out = []
    for i, j in sorted(candidate_pairs(rows)):
        if _comparable(rows[i], rows[j], max_days):
            a, b = rows[i], rows[j]
            score = 100.0 if is_fragment(a, b) else row_similarity(a, b)
            out.append((i, j, score))
    return out


def candidate_pairs(rows: list[dict]) -> set[tuple[int, int]]:
    """Pairs of rows that share enough content words to possibly be one statement.

    Comparing every pair costs n² similarity calls (hours at 100k articles); two renderings
    of one statement always share content words, so an inverted index over them finds every
    pair worth scoring in close to linear time. Words in a large share of all quotes
    ("relations", "countries") carry no signal and would rebuild the n² pairs, so they
    are left out of the index.
    """
    words = [_content_words(row["norm"]) for row in rows]
    postings = pl.DataFrame(
        {
            "row": [i for i, found in enumerate(words) for _ in found],
            "word": [word for found in words for word in found],
        },
        schema={"row": pl.Int64, "word": pl.String},
    )
    hub = HUB_POSTINGS
    postings = postings.filter(pl.len().over("word") <= hub)
    sizes = pl.DataFrame(
        {"row": range(len(words)), "size": [len(found) for found in words]},
        schema={"row": pl.Int64, "size": pl.Int64},
    )
    pairs = (
        postings.join(postings, on="word", suffix="_other")
        .filter(pl.col("row") < pl.col("row_other"))
        .group_by("row", "row_other")
        .agg(pl.len().alias("shared"))
        .join(sizes, on="row")
        .join(sizes.rename({"row": "row_other", "size": "size_other"}), on="row_other")
        .filter(pl.col("shared") >= pl.min_horizontal(pl.lit(2), "size", "size_other"))
    )
    return set(zip(pairs["row"].to_list(), pairs["row_other"].to_list(), strict=True))


def _content_words(text: str) -> set[str]:
    # Words of four letters or more: a crude but language-neutral stop-word filter.
    return {word for word in text.split() if len(word) >= 4}


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]  # path halving keeps the trees flat
        i = parent[i]
    return i


def _clusters(n: int, edges: list[tuple[int, int]]) -> list[int]:
    parent = list(range(n))
    for i, j in edges:
        ri, rj = _find(parent, i), _find(parent, j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    return [_find(parent, i) for i in range(n)]


def statement_id(doc_id: str, quote_no: int) -> str:
    """Stable id of a statement named after its smallest (doc_id, quote_no)."""
    return hashlib.sha256(f"{doc_id}:{quote_no}".encode()).hexdigest()[:16]


def link_statements(
    quotes: pl.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    max_days: int = DEFAULT_MAX_DAYS,
    seeds_dir: Path | None = None,
) -> pl.DataFrame:
    """Give every quote a statement_id shared with the same statement in other documents."""
    if quotes.height == 0:
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    seeds = seeds_dir or Path(__file__).resolve().parents[1] / "seeds"
    synonyms = load_synonyms(seeds / "quote_synonyms.csv")
    rows = quotes.sort("doc_id", "quote_no").to_dicts()
    for row in rows:
        prepare(row, synonyms)
    edges = [(i, j) for i, j, s in scored_pairs(rows, max_days) if s >= threshold]
    roots = _clusters(len(rows), edges)
    # Rows are sorted, so each root is its cluster's smallest (doc_id, quote_no).
    ids = [statement_id(rows[r]["doc_id"], int(rows[r]["quote_no"])) for r in roots]
    return pl.DataFrame(
        {
            "doc_id": [r["doc_id"] for r in rows],
            "quote_no": [int(r["quote_no"]) for r in rows],
            "statement_id": ids,
        },
        schema=OUTPUT_SCHEMA,
    )

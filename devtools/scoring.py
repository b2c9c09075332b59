"""Score a built warehouse against hand-labelled expectations (tests/seeds_expected.json).

`summitry score` prints these figures; the acceptance test asserts floors on them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb


@dataclass(slots=True)
class Score:
    """Hits over total for one measure, with the misses for explanation."""

    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, miss: str) -> None:
        self.hits += ok
        self.total += 1
        if not ok:
            self.misses.append(miss)

    @property
    def ratio(self) -> float:
        return self.hits / self.total if self.total else 1.0


def _by_file(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, list[dict[str, Any]]]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    rows: dict[str, list[dict[str, Any]]] = {}
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        rows.setdefault(Path(row["source_path"]).name, []).append(row)
    return rows


def score(con: duckdb.DuckDBPyConnection, expected: dict[str, Any]) -> dict[str, Score]:
    """Every measure, keyed by name."""
    docs = {name: rows[0] for name, rows in _by_file(con, "select * from marts.documents").items()}
    quotes = _by_file(con, "select * from marts.quotes")
    scores = {
        name: Score()
        for name in (
            "published_date",
            "title",
            "dateline",
            "outlet",
            "byline",
            "debris_removed",
            "paragraph_count",
            "quote_recall",
            "quote_precision",
            "speaker_accuracy",
            "statement_pairs",
            "meetings",
            "message",
            "topic_recall",
            "document_kind",
        )
    }
    for label in expected["documents"]:
        _score_document(scores, label, docs.get(label["file"]), quotes.get(label["file"], []))
    _score_statements(scores["statement_pairs"], expected, quotes)
    _score_meetings(con, scores, expected)
    return scores


def _score_document(scores: dict[str, Score], label: dict, doc: dict | None, quotes: list) -> None:
    name = label["file"]
    if doc is None:
        scores["published_date"].add(False, f"{name}: not in marts.documents")
        return
    published = str(doc["published_date"]) if doc["published_date"] else None
    scores["published_date"].add(published == label["published"], f"{name}: {published}")
    scores["document_kind"].add(doc["kind"] == label["kind"], f"{name}: {doc['kind']}")
    for key, column in (
        ("title", "title"),
        ("dateline", "dateline"),
        ("outlet", "outlet"),
        ("byline", "byline"),
    ):
        if key in label:
            got = doc[column]
            ok = (got or "").casefold() == (label[key] or "").casefold()
            scores[key].add(ok, f"{name}: {got!r}")
    for line in label["metadata"] + label["boilerplate"]:
        scores["debris_removed"].add(line.strip() not in doc["body"], f"{name}: {line!r}")
    if "body_paragraphs" in label:
        count = doc["paragraph_count"]
        scores["paragraph_count"].add(count == label["body_paragraphs"], f"{name}: {count}")
    _score_quotes(scores, label, quotes)


def _score_quotes(scores: dict[str, Score], label: dict, quotes: list[dict]) -> None:
    name = label["file"]
    for want in label["quotes"]:
        found = [q for q in quotes if q["quote_text"].startswith(want["starts"])]
        if not want.get("optional"):
            scores["quote_recall"].add(bool(found), f"{name}: missing {want['starts']!r}")
        if found:
            speaker = found[0]["speaker"]
            scores["speaker_accuracy"].add(
                speaker == want["speaker"], f"{name}: {want['starts']!r} -> {speaker}"
            )
    for quote in quotes:
        labelled = any(quote["quote_text"].startswith(w["starts"]) for w in label["quotes"])
        scores["quote_precision"].add(labelled, f"{name}: extra {quote['quote_text'][:50]!r}")


def _score_statements(score: Score, expected: dict, quotes: dict[str, list[dict]]) -> None:
    by_prefix = {name[:3]: rows for name, rows in quotes.items()}

    def statement(ref: str) -> str | None:
        prefix, starts = ref.split(":", 1)
        hits = [q for q in by_prefix.get(prefix, []) if q["quote_text"].startswith(starts)]
        return hits[0]["statement_id"] if hits else None

    for left, right in expected["same_statement_across_outlets"]:
        a, b = statement(left), statement(right)
        score.add(a is not None and a == b, f"{left} / {right}")


def _score_meetings(
    con: duckdb.DuckDBPyConnection, scores: dict[str, Score], expected: dict
) -> None:
    rows = con.execute(
        "select meeting_date::varchar, kind, location, participants, source_paths, topics "
        "from marts.meetings"
    ).fetchall()
    meetings = [r for r in rows if r[1] != "message"]
    for want in expected["meetings"]:
        sources = sorted(want["sources"])
        match = [
            r
            for r in meetings
            if r[0] == want["date"]
            and sorted(Path(p).name for p in r[4]) == sources
            and sorted(r[3]) == sorted(want["participants"])
            and r[2] in want["location_any_of"]
        ]
        scores["meetings"].add(bool(match), f"meeting {want['date']} not matched exactly")
        topics: list[str] = next((r[5] for r in meetings if r[0] == want["date"]), [])
        for topic in expected["topics_expected"].get(want["date"], []):
            scores["topic_recall"].add(topic in topics, f"{want['date']}: {topic}")
    extra = len(meetings) - len(expected["meetings"])
    if extra > 0:
        scores["meetings"].add(False, f"{extra} meeting rows beyond the labelled ones")
    for want in expected["not_meetings"]:
        found = [r for r in rows if r[1] == want["kind"] and r[0] == want["date"]]
        scores["message"].add(bool(found), f"{want['kind']} {want['date']} missing")


def load_expected(path: Path) -> dict[str, Any]:
    """Read a seeds_expected.json-style file."""
    return json.loads(path.read_text(encoding="utf-8"))


def render(scores: dict[str, Score], verbose: bool = False) -> str:
    """One line per measure; misses too when `verbose`."""
    lines = []
    for name, result in scores.items():
        lines.append(f"{name:18} {result.hits:3d}/{result.total:<3d} {result.ratio:6.2%}")
        if verbose:
            lines += [f"    - {miss}" for miss in result.misses]
    return "\n".join(lines)

"""Cross-article meeting linking: reports of one engagement share a meeting_id."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

import polars as pl

from flows.extract.name_cues import variant_key

# Kinds that can describe the same engagement (a video call is recorded as phone_call).
KIND_FAMILY = {"meeting": "meeting", "phone_call": "remote", "message": "message"}


# ---------------------------------------------------------------------------------------------
# Cross-article linking
# ---------------------------------------------------------------------------------------------


class _UnionFind:
    """Disjoint sets over 0..n-1."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _same_engagement(a: dict, b: dict) -> bool:  # type: ignore[type-arg]
    """The linking rule of link_meetings, for one pair."""
    if KIND_FAMILY.get(a["kind"], a["kind"]) != KIND_FAMILY.get(b["kind"], b["kind"]):
        return False
    if a["event_date"] is None or b["event_date"] is None:
        return False  # an undated (recalled) engagement cannot be placed next to another
    gap = abs((a["event_date"] - b["event_date"]).days)
    loose = not (a["date_certain"] and b["date_certain"])
    if gap > (1 if loose else 0):
        return False
    if a["location"] and b["location"] and a["location"] != b["location"]:
        return False
    pa, pb = _person_keys(a["participants"]), _person_keys(b["participants"])
    shared = len(pa & pb)
    return shared >= 2 or (shared >= 1 and shared == min(len(pa), len(pb)))


def _person_keys(participants: Iterable[str] | None) -> set[tuple[str, ...] | str]:
    """Participants as transliteration-blind keys: two outlets' spellings of one person
    ("Muhammad Bin Salman", "Mohammed bin Salman") are one participant."""
    return {variant_key(p) or p for p in participants or []}


def _candidate_pairs(rows: list[dict]) -> Iterable[tuple[int, int]]:  # type: ignore[type-arg]
    """Pairs worth comparing: same family and dates at most one day apart (undated: none)."""
    by_day: dict[tuple[str, date], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        family = KIND_FAMILY.get(row["kind"], row["kind"])
        if row["event_date"] is None:
            continue
        for delta in (-1, 0, 1):
            for j in by_day.get((family, row["event_date"] + timedelta(days=delta)), []):
                yield j, i
        by_day[(family, row["event_date"])].append(i)


def _meeting_id(members: list[dict]) -> str:  # type: ignore[type-arg]
    """Stable id: kind family + earliest date + participants of the earliest member."""
    first = min(
        members,
        key=lambda r: (
            r["event_date"] is None,
            r["event_date"] or date.min,
            r["doc_id"],
            r["event_no"],
        ),
    )
    family = KIND_FAMILY.get(first["kind"], first["kind"])
    key = f"{family}|{first['event_date'] or ''}|{';'.join(sorted(first['participants'] or []))}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


# What link_meetings reads: one row per article event.
LINK_INPUT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "doc_id": pl.String,
    "event_no": pl.Int64,
    "kind": pl.String,
    "event_date": pl.Date,
    "date_certain": pl.Boolean,
    "location": pl.String,
    "participants": pl.List(pl.String),
}


def link_meetings(events: pl.DataFrame) -> pl.DataFrame:
    """Cluster per-article events that report the same engagement; one meeting_id per cluster.

    Two events are linked when all hold: same kind family (meeting | phone_call | message);
    same event_date, or at most one day apart when either date is uncertain (an article's own
    news without a date in the text carries its published date, uncertain); an undated event
    (an engagement recalled without a date) links to nothing, since it cannot be placed; at
    least two shared participants, or every participant of the smaller set shared; locations
    equal or one missing. Links are transitive (union-find).
    meeting_id = first 12 hex of sha256("<family>|<earliest date>|<sorted participants of the
    cluster's earliest member>"), so it is stable across runs while the cluster is unchanged.
    Input columns: doc_id, event_no, kind, event_date, date_certain, location, participants.
    Output: doc_id, event_no, meeting_id (one row per input row, input order).
    """
    cols = ["doc_id", "event_no", "kind", "event_date", "date_certain", "location", "participants"]
    rows = events.select(cols).to_dicts()
    uf = _UnionFind(len(rows))
    for j, i in _candidate_pairs(rows):
        if _same_engagement(rows[i], rows[j]):
            uf.union(i, j)
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        clusters[uf.find(i)].append(i)
    ids: dict[int, str] = {}
    seen: dict[str, int] = defaultdict(int)
    # Deterministic order so colliding ids get the same suffix on every run.
    ordered = sorted(
        clusters.values(), key=lambda m: min((rows[i]["doc_id"], rows[i]["event_no"]) for i in m)
    )
    for members in ordered:
        mid = _meeting_id([rows[i] for i in members])
        seen[mid] += 1
        suffix = f"-{seen[mid]}" if seen[mid] > 1 else ""
        for i in members:
            ids[i] = mid + suffix
    return pl.DataFrame(
        {
            "doc_id": [r["doc_id"] for r in rows],
            "event_no": [r["event_no"] for r in rows],
            "meeting_id": [ids[i] for i in range(len(rows))],
        },
        schema={"doc_id": pl.String, "event_no": pl.Int64, "meeting_id": pl.String},
    )

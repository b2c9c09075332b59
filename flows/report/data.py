"""What the report shows, read from the published marts in one read-only connection."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from flows.load.guard import lock_holder

# The latest meetings listed in full, and the most-connected people drawn in the network.
LATEST_MEETINGS = 40
NETWORK_PEOPLE = 60
# Quotes the search box holds (the newest first): keeps a 100k warehouse's report loadable.
SEARCH_QUOTES = 30_000
QUOTES_PER_MEETING = 6


@dataclass(slots=True)
class ReportData:
    """Plain Python values for the figures and the page."""

    counts: dict[str, int]
    first_date: date | None
    last_date: date | None
    last_run: tuple[Any, ...] | None
    # (month 'YYYY-MM', kind, venue country or None, engagements)
    timeline: list[tuple[str, str, str | None, int]]
    # (period, topic label, engagements)
    topics: list[tuple[str, str, int]]
    topic_period: str  # "month" or "year"
    people: list[dict[str, Any]]  # name, country, meetings
    edges: list[tuple[str, str, int]]  # (person, person, engagements together)
    latest: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[list[Any]] = field(default_factory=list)  # [speaker, text, date, outlet, place]
    quote_total: int = 0


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Any]:
    return con.execute(sql, params or []).fetchall()


def load(published: Path) -> ReportData:
    """Read everything the report needs from the published file (read-only)."""
    try:
        con = duckdb.connect(str(published), read_only=True)
    except duckdb.Error as exc:
        holder = lock_holder(exc, published)
        if holder is None:
            raise
        raise holder from exc
    try:
        return _load(con)
    finally:
        con.close()


def _load(con: duckdb.DuckDBPyConnection) -> ReportData:
    counts = {
        table: _rows(con, f"select count(*) from marts.{table}")[0][0]
        for table in ("meetings", "quotes", "documents", "people")
    }
    first, last = _rows(con, "select min(meeting_date), max(meeting_date) from marts.meetings")[0]
    last_run = None
    runs = _rows(
        con,
        "select run_id, finished_at, docs_seen from meta.runs where status = 'success' "
        "order by started_at desc limit 1",
    )
    if runs:
        last_run = runs[0]
    timeline = _rows(
        con,
        "select strftime(meeting_date, '%Y-%m') as month, kind, country, count(*) "
        "from marts.meetings where meeting_date is not null group by all order by month",
    )
    span_months = 0 if first is None else (last.year - first.year) * 12 + last.month - first.month
    period = "month" if span_months <= 36 else "year"
    fmt = "%Y-%m" if period == "month" else "%Y"
    topics = _rows(
        con,
        f"select strftime(meeting_date, '{fmt}') as period, label, count(distinct meeting_id) "
        "from marts.topics where meeting_date is not null group by all order by period",
    )
    people, edges = _network(con)
    data = ReportData(
        counts=counts,
        first_date=first,
        last_date=last,
        last_run=last_run,
        timeline=timeline,
        topics=topics,
        topic_period=period,
        people=people,
        edges=edges,
    )
    data.latest = _latest(con)
    data.quotes = [
        [speaker, text, str(day) if day else "", outlet or "", place or ""]
        for speaker, text, day, outlet, place in _rows(
            con,
            "select coalesce(q.speaker, 'unattributed'), q.quote_text, q.published_date, "
            "q.outlet, concat_ws(', ', m.location, m.country) "
            "from marts.quotes q left join marts.meetings m on m.meeting_id = q.meeting_id "
            "order by q.published_date desc nulls last, q.quote_id limit ?",
            [SEARCH_QUOTES],
        )
    ]
    data.quote_total = counts["quotes"]
    return data


def _network(
    con: duckdb.DuckDBPyConnection,
) -> tuple[list[dict[str, Any]], list[tuple[str, str, int]]]:
    """The most-connected people and how often each pair of them took part together."""
    people = _rows(
        con,
        "with taking_part as (select meeting_id, unnest(participants) as person "
        "from marts.meetings) "
        "select t.person, p.country, count(distinct t.meeting_id) as meetings "
        "from taking_part t left join marts.people p on p.person = t.person "
        "group by all order by meetings desc, t.person limit ?",
        [NETWORK_PEOPLE],
    )
    names = [row[0] for row in people]
    edges = _rows(
        con,
        "with taking_part as (select meeting_id, unnest(participants) as person "
        "from marts.meetings), chosen as (select * from taking_part "
        "where list_contains(?, person)) "
        "select a.person, b.person, count(distinct a.meeting_id) from chosen a join chosen b "
        "on a.meeting_id = b.meeting_id and a.person < b.person group by all",
        [names],
    )
    return [
        {"name": name, "country": country, "meetings": meetings}
        for name, country, meetings in people
    ], edges


def _latest(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The newest engagements with their participants, sources and quotes."""
    meetings = _rows(
        con,
        "select meeting_id, meeting_date, kind, location, country, occasion, participants, "
        "source_paths, quote_count from marts.meetings "
        "order by meeting_date desc nulls last, meeting_id limit ?",
        [LATEST_MEETINGS],
    )
    ids = [row[0] for row in meetings]
    paths = sorted({path for row in meetings for path in row[7]})
    sources = {
        path: (title, outlet, day)
        for path, title, outlet, day in _rows(
            con,
            "select source_path, title, outlet, published_date from marts.documents "
            "where list_contains(?, source_path)",
            [paths],
        )
    }
    quotes: dict[str, list[tuple[str, str]]] = {}
    for meeting_id, speaker, text in _rows(
        con,
        "select meeting_id, coalesce(speaker, 'unattributed'), quote_text from ("
        "select *, row_number() over (partition by meeting_id order by published_date, "
        "quote_id) as n from marts.quotes where list_contains(?, meeting_id)) where n <= ? "
        "order by meeting_id, n",
        [ids, QUOTES_PER_MEETING],
    ):
        quotes.setdefault(meeting_id, []).append((speaker, text))
    return [
        {
            "meeting_id": meeting_id,
            "date": day,
            "kind": kind,
            "place": ", ".join(part for part in (location, country) if part),
            "occasion": occasion,
            "participants": list(participants),
            "sources": [(path, *sources.get(path, (None, None, None))) for path in source_paths],
            "quotes": quotes.get(meeting_id, []),
            "quote_count": quote_count,
        }
        for (
            meeting_id,
            day,
            kind,
            location,
            country,
            occasion,
            participants,
            source_paths,
            quote_count,
        ) in meetings
    ]

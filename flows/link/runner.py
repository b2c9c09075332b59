"""Cross-document work: statement links (kept current incrementally), meeting links and the
reference tables."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl

from flows.extract.article import Reference
from flows.link.meetings import link_meetings
from flows.link.statements import StatementIndex, load_synonyms
from flows.load import warehouse

# One row per distinct content: the same bytes saved under two names are one document. A
# quote recalled from an earlier meeting is compared at that meeting's date.
_QUOTES = """
    with docs as (
        select doc_id, any_value(published_date) as published_date
        from staging.documents group by doc_id
    )
    select distinct on (q.doc_id, q.quote_no)
        q.doc_id, q.quote_no, q.speaker, q.quote_text,
        coalesce(e.event_date, d.published_date) as day
    from staging.quotes q
    join docs d using (doc_id)
    left join staging.events e on e.doc_id = q.doc_id and e.event_no = q.event_no
    order by q.doc_id, q.quote_no
"""
_EVENTS = """
    select distinct on (doc_id, event_no)
        doc_id, event_no, kind, event_date, date_certain, location, participants
    from staging.events
    order by doc_id, event_no
"""


def link_documents(
    con: duckdb.DuckDBPyConnection, reference: Reference, seeds_dir: Path, full: bool = False
) -> dict[str, int]:
    """Bring statement links up to date (only new quotes are compared unless `full`),
    recompute meeting links and reload the reference tables."""
    index = StatementIndex(con, load_synonyms(seeds_dir / "quote_synonyms.csv"))
    # One transaction: killed half way, nothing is linked without its changes recorded.
    with warehouse.transaction(con):
        compared = index.refresh(_QUOTES, full=full)
        events = warehouse.read_frame(con, _EVENTS)
        meetings = meeting_links(events, None if full else _current_meeting_links(con))
        _record_changes(con, index.changed_docs, meetings)
        warehouse.replace_table(con, "staging.meeting_links", meetings)
        people, roles = reference.people.records()
        warehouse.replace_table(con, "staging.seed_people", pl.DataFrame(people))
        warehouse.replace_table(con, "staging.seed_roles", pl.DataFrame(roles))
        topics = pl.DataFrame(reference.topics.records())
        warehouse.replace_table(con, "staging.seed_topics", topics)
    statements = con.execute(
        "select count(distinct statement_id) from staging.statement_links"
    ).fetchall()[0][0]
    return {
        "quotes_compared": compared,
        "statements": statements,
        "meetings": meetings.get_column("meeting_id").n_unique() if meetings.height else 0,
    }


def _current_meeting_links(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return warehouse.read_frame(
        con, "select doc_id, event_no, meeting_id from staging.meeting_links"
    )


_KEYS = ["doc_id", "event_no"]


def meeting_links(events: pl.DataFrame, previous: pl.DataFrame | None = None) -> pl.DataFrame:
    """Meeting links for every event: recomputed whole without `previous` links, else only
    around what changed, with exactly the result a whole recomputation gives.

    Linking joins events at most a day apart, so an event that arrives can only join the
    meetings of events dated within a day of it, and one that leaves can only split its own
    meeting. Those meetings (whole) and the new events are linked again; so are the other
    meetings whose id hash they share, since colliding ids are numbered across all of them.
    """
    if previous is None:
        return link_meetings(events)
    events = events.with_columns(pl.col("event_no").cast(pl.Int64))
    previous = previous.with_columns(pl.col("event_no").cast(pl.Int64))
    arrived = events.join(previous, on=_KEYS, how="anti")
    gone = previous.join(events, on=_KEYS, how="anti")
    if arrived.is_empty() and gone.is_empty():
        return previous
    window = {
        day + timedelta(days=shift)
        for day in arrived.get_column("event_date").drop_nulls().to_list()
        for shift in (-1, 0, 1)
    }
    near = events.filter(pl.col("event_date").is_in(sorted(window)))
    touched = set(gone.get_column("meeting_id")) | set(
        previous.join(near, on=_KEYS, how="semi").get_column("meeting_id")
    )
    relinked = _relink(events, previous, arrived, touched)
    # (a meeting that vanished frees its id hash too: the next namesake loses its suffix)
    bases = set(relinked.get_column("meeting_id").str.slice(0, 12)) | {m[:12] for m in touched}
    namesakes = set(
        previous.filter(pl.col("meeting_id").str.slice(0, 12).is_in(sorted(bases))).get_column(
            "meeting_id"
        )
    )
    if namesakes - touched:
        relinked = _relink(events, previous, arrived, touched | namesakes)
    kept = previous.join(gone, on=_KEYS, how="anti").join(relinked, on=_KEYS, how="anti")
    return pl.concat([kept, relinked]).sort(_KEYS)


def _relink(
    events: pl.DataFrame, previous: pl.DataFrame, arrived: pl.DataFrame, meetings: set[str]
) -> pl.DataFrame:
    """Links of the arrived events and of every current event of `meetings`."""
    members = previous.filter(pl.col("meeting_id").is_in(sorted(meetings)))
    subset = pl.concat([events.join(members, on=_KEYS, how="semi"), arrived]).sort(_KEYS)
    return link_meetings(subset)


def _record_changes(
    con: duckdb.DuckDBPyConnection, statement_docs: set[str], meetings: pl.DataFrame
) -> None:
    """Add to the pending changes the documents whose links moved, and the meetings that
    gained, lost or changed a member (before and after ids), so the marts rebuild them."""
    con.register("new_meeting_links", meetings)
    try:
        con.execute("""
            create or replace temp table moved_links as
            (select doc_id, event_no, meeting_id from staging.meeting_links
             except select doc_id, event_no, meeting_id from new_meeting_links)
            union all
            (select doc_id, event_no, meeting_id from new_meeting_links
             except select doc_id, event_no, meeting_id from staging.meeting_links)
        """)
        warehouse.insert_frame(
            con,
            "staging.changed_docs",
            pl.DataFrame({"doc_id": sorted(statement_docs)}, schema={"doc_id": pl.String}),
        )
        con.execute("insert into staging.changed_docs select doc_id from moved_links")
        # Every meeting of a changed document: its quotes, topics or fields may have changed.
        con.execute("""
            insert into staging.changed_meetings
            select meeting_id from moved_links
            union
            select meeting_id from new_meeting_links
            where doc_id in (select doc_id from staging.changed_docs)
        """)
    finally:
        con.unregister("new_meeting_links")

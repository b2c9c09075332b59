"""Cross-document work: statement links (kept current incrementally), meeting links and the
reference tables."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from flows import warehouse
from flows.events import link_meetings
from flows.extract import Reference
from flows.statements import StatementIndex, load_synonyms

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
        meetings = link_meetings(warehouse.read_frame(con, _EVENTS))
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

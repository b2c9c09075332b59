"""What the link stage reads from staging and writes back (besides the statement index,
flows/load/statement_store.py)."""

from __future__ import annotations

import duckdb
import polars as pl

from flows.load import warehouse

# One row per distinct content: the same bytes saved under two names are one document. A
# quote recalled from an earlier meeting is compared at that meeting's date.
CURRENT_QUOTES = """
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


def events(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per current event: the input of meeting linking."""
    return warehouse.read_frame(con, _EVENTS)


def meeting_links(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The meeting links of the last link stage."""
    return warehouse.read_frame(
        con, "select doc_id, event_no, meeting_id from staging.meeting_links"
    )


def unpublished_changes(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether staging holds changes no publish has carried yet: documents or meetings a run
    landed or relinked before it was killed or blocked, or documents to clean again."""
    return bool(
        con.execute(
            "select exists(select 1 from staging.changed_docs) "
            "or exists(select 1 from staging.changed_meetings) "
            "or exists(select 1 from staging.template_pending)"
        ).fetchall()[0][0]
    )


def changed_docs(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The documents landed (or left) since the last publish."""
    return {row[0] for row in con.execute("select doc_id from staging.changed_docs").fetchall()}


def record_changes(
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

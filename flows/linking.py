"""Cross-document work over every current document: statements, meetings, reference tables."""

from __future__ import annotations

import duckdb
import polars as pl

from flows import warehouse
from flows.events import link_meetings
from flows.extract import Reference
from flows.statements import link_statements

# One row per distinct content: the same bytes saved under two names are one document.
_QUOTES = """
    with docs as (
        select doc_id, any_value(published_date) as published_date
        from staging.documents group by doc_id
    )
    select distinct on (q.doc_id, q.quote_no)
        q.doc_id, q.quote_no, q.speaker, q.quote_text, d.published_date,
        -- a quote recalled from an earlier meeting is compared at that meeting's date
        coalesce(e.event_date, d.published_date) as event_date
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


def link_documents(con: duckdb.DuckDBPyConnection, reference: Reference) -> dict[str, int]:
    """Recompute statement and meeting links and reload the reference tables."""
    statements = link_statements(warehouse.read_frame(con, _QUOTES))
    meetings = link_meetings(warehouse.read_frame(con, _EVENTS))
    warehouse.replace_table(con, "staging.statement_links", statements)
    warehouse.replace_table(con, "staging.meeting_links", meetings)
    people, roles = reference.people.records()
    warehouse.replace_table(con, "staging.seed_people", pl.DataFrame(people))
    warehouse.replace_table(con, "staging.seed_roles", pl.DataFrame(roles))
    warehouse.replace_table(con, "staging.seed_topics", pl.DataFrame(reference.topics.records()))
    return {
        "statements": statements.get_column("statement_id").n_unique() if statements.height else 0,
        "meetings": meetings.get_column("meeting_id").n_unique() if meetings.height else 0,
    }

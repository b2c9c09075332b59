"""Cross-document work: statement links (kept current incrementally), meeting links and the
reference tables. Reads and writes go through flows/load (links.py, statement_store.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl

from flows.extract.article import Reference
from flows.link.meetings import link_meetings
from flows.link.statements import HUB_POSTINGS, StatementIndex, load_synonyms
from flows.load import links, warehouse
from flows.load.statement_store import StatementStore


def link_documents(
    con: duckdb.DuckDBPyConnection,
    reference: Reference,
    seeds_dir: Path,
    full: bool = False,
    hub_postings: int = HUB_POSTINGS,
) -> dict[str, int]:
    """Bring statement links up to date (only what changed is compared unless `full`),
    recompute meeting links and reload the reference tables."""
    store = StatementStore(con)
    index = StatementIndex(
        store, load_synonyms(seeds_dir / "quote_synonyms.csv"), hub_postings=hub_postings
    )
    # One transaction: killed half way, nothing is linked without its changes recorded.
    with warehouse.transaction(con):
        compared = index.refresh(links.CURRENT_QUOTES, full=full)
        events = links.events(con)
        previous = None if full else links.meeting_links(con)
        meetings = meeting_links(events, previous, links.changed_docs(con))
        links.record_changes(con, index.changed_docs, meetings)
        warehouse.replace_table(con, "staging.meeting_links", meetings)
        people, roles = reference.people.records()
        warehouse.replace_table(con, "staging.seed_people", pl.DataFrame(people))
        warehouse.replace_table(con, "staging.seed_roles", pl.DataFrame(roles))
        topics = pl.DataFrame(reference.topics.records())
        warehouse.replace_table(con, "staging.seed_topics", topics)
    return {
        "quotes_compared": compared,
        "statements": store.statement_count(),
        "meetings": meetings.get_column("meeting_id").n_unique() if meetings.height else 0,
    }


_KEYS = ["doc_id", "event_no"]


def meeting_links(
    events: pl.DataFrame, previous: pl.DataFrame | None = None, redone: Iterable[str] = ()
) -> pl.DataFrame:
    """Meeting links for every event: recomputed whole without `previous` links, else only
    around what changed, with exactly the result a whole recomputation gives.

    The events of the `redone` documents count as gone and arrived again: a document cleaned
    again (its folder's template changed) keeps its doc_id but its events may differ.

    Linking joins events at most a day apart, so an event that arrives can only join the
    meetings of events dated within a day of it, and one that leaves can only split its own
    meeting. Those meetings (whole) and the new events are linked again; so are the other
    meetings whose id hash they share, since colliding ids are numbered across all of them.
    """
    if previous is None:
        return link_meetings(events)
    events = events.with_columns(pl.col("event_no").cast(pl.Int64))
    previous = previous.with_columns(pl.col("event_no").cast(pl.Int64))
    redo = pl.col("doc_id").is_in(sorted(set(redone)))
    arrived = pl.concat([events.join(previous, on=_KEYS, how="anti"), events.filter(redo)])
    gone = pl.concat([previous.join(events, on=_KEYS, how="anti"), previous.filter(redo)])
    arrived, gone = (frame.unique(_KEYS, maintain_order=True) for frame in (arrived, gone))
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
    subset = pl.concat([events.join(members, on=_KEYS, how="semi"), arrived])
    subset = subset.unique(_KEYS, maintain_order=True).sort(_KEYS)
    return link_meetings(subset)

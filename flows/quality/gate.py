"""Write-audit-publish gate: what each suite validates and how failing rows are quarantined.

Row-level expectations (severity "warning") send their failing rows to meta.quarantine and the
run goes on without them; a failed blocking expectation ("critical") stops the publish.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb

from flows.load import warehouse

if TYPE_CHECKING:  # pandas and GX cost ~2 s to import; a run with nothing to check skips them
    import pandas as pd

    from flows.quality.validation import Failure

# The frame each suite validates, with the derived columns its cross-table checks need.
FRAMES: dict[str, str] = {
    "documents": "select * from staging.documents",
    "meetings": """
        select *, coalesce(kind = 'message' or len(participants) >= 2, false) as enough_participants
        from marts.meetings""",
    "quotes": """
        select q.*,
            q.speaker is null
                or q.speaker in (select person from marts.people) as speaker_known,
            q.doc_id in (select doc_id from marts.documents) as document_exists,
            q.meeting_id is null
                or q.meeting_id in (select meeting_id from marts.meetings) as meeting_exists
        from marts.quotes q""",
    "topics": """
        select t.*,
            t.topic in (select topic from staging.seed_topics) as topic_known,
            t.meeting_id in (select meeting_id from marts.meetings) as meeting_exists
        from marts.topics t""",
    "people": "select * from marts.people",
}
DOCUMENT_SUITES = ("documents",)
MART_SUITES = ("meetings", "quotes", "topics", "people")
# Where a run that changed only some keys validates only their rows: suite -> (key column,
# the staging table listing changed keys). Whole-table rules (unique keys, references) are
# also SQL audits over the full marts on every run (dbt_like_sql/audits/).
CHANGED_KEYS: dict[str, tuple[str, str]] = {
    "documents": ("doc_id", "staging.changed_docs"),
    "meetings": ("meeting_id", "staging.changed_meetings"),
    "quotes": ("doc_id", "staging.changed_docs"),
    "topics": ("meeting_id", "staging.changed_meetings"),
}

KEYS: dict[str, tuple[str, ...]] = {
    "documents": ("source_path", "doc_id"),
    "meetings": ("meeting_id",),
    "quotes": ("quote_id",),
    "topics": ("meeting_id", "topic"),
    "people": ("person",),
}


@dataclass(frozen=True, slots=True)
class Rejection:
    """One quarantined record: which suite, which key, which expectation."""

    suite: str
    key: tuple[Any, ...]
    expectation: str


def frames(
    con: duckdb.DuckDBPyConnection, suites: tuple[str, ...], changed_only: bool = False
) -> dict[str, pd.DataFrame]:
    """The pandas frames GX validates for `suites`; with `changed_only`, only the rows of
    changed keys (see CHANGED_KEYS) of the suites that have them."""
    return {suite: con.sql(_frame_sql(suite, changed_only)).df() for suite in suites}


def frame_slices(
    con: duckdb.DuckDBPyConnection, suite: str, changed_only: bool, rows: int
) -> Iterator[pd.DataFrame]:
    """The frame of `suite` (see `frames`) as pandas slices of at most `rows` rows, at least
    one (maybe empty): a whole mart as one pandas frame, plus GX's own copies, is what
    peaks a run's memory at 100k articles. The result is held as Arrow, which is compact."""
    table = con.sql(_frame_sql(suite, changed_only)).to_arrow_table()
    for start in range(0, max(table.num_rows, 1), rows):
        yield table.slice(start, rows).to_pandas()


def _frame_sql(suite: str, changed_only: bool) -> str:
    if not changed_only or suite not in CHANGED_KEYS:
        return FRAMES[suite]
    key, table = CHANGED_KEYS[suite]
    return f"select * from ({FRAMES[suite]}) where {key} in (select {key} from {table})"


def rejections(validated: dict[str, pd.DataFrame], failures: list[Failure]) -> list[Rejection]:
    """The records that row-level (warning) expectations flagged, one per record."""
    found: dict[tuple[str, tuple[Any, ...]], Rejection] = {}
    for failure in failures:
        if failure.severity != "warning" or failure.suite not in validated:
            continue
        frame = validated[failure.suite].reset_index(drop=True)
        for position in failure.unexpected_rows:
            key = tuple(frame.loc[position, list(KEYS[failure.suite])])
            found.setdefault(
                (failure.suite, key), Rejection(failure.suite, key, failure.expectation)
            )
    return list(found.values())


def remove(con: duckdb.DuckDBPyConnection, rejected: list[Rejection]) -> None:
    """Take rejected records out of staging or the marts, keeping references intact."""
    for suite, action in _REMOVERS.items():
        keys = [r.key for r in rejected if r.suite == suite]
        if keys:
            action(con, keys)


def _remove_documents(con: duckdb.DuckDBPyConnection, keys: list[tuple[Any, ...]]) -> None:
    warehouse.replace_documents(con, {}, [path for path, _ in keys])


def _remove_meetings(con: duckdb.DuckDBPyConnection, keys: list[tuple[Any, ...]]) -> None:
    ids = [key[0] for key in keys]
    con.execute("delete from marts.meetings where list_contains(?, meeting_id)", [ids])
    con.execute("delete from marts.topics where list_contains(?, meeting_id)", [ids])
    con.execute(
        "update marts.quotes set meeting_id = null where list_contains(?, meeting_id)", [ids]
    )


def _remove_quotes(con: duckdb.DuckDBPyConnection, keys: list[tuple[Any, ...]]) -> None:
    ids = [key[0] for key in keys]
    con.execute("delete from marts.quotes where list_contains(?, quote_id)", [ids])
    # quote counts of the meetings and topics that lost quotes
    con.execute(_RECOUNT_MEETING_QUOTES)
    con.execute(_RECOUNT_TOPIC_QUOTES)


def _remove_topics(con: duckdb.DuckDBPyConnection, keys: list[tuple[Any, ...]]) -> None:
    pairs = [f"{meeting}|{topic}" for meeting, topic in keys]
    con.execute(
        "delete from marts.topics where list_contains(?, meeting_id || '|' || topic)", [pairs]
    )
    con.execute(
        "update marts.meetings m set topics = coalesce((select list_sort(list(t.topic)) "
        "from marts.topics t where t.meeting_id = m.meeting_id), [])"
    )


def _remove_people(con: duckdb.DuckDBPyConnection, keys: list[tuple[Any, ...]]) -> None:
    names = [key[0] for key in keys]
    con.execute("delete from marts.people where list_contains(?, person)", [names])
    con.execute("update marts.quotes set speaker = null where list_contains(?, speaker)", [names])


_RECOUNT_MEETING_QUOTES = """
    update marts.meetings m set quote_count = (
        select count(*) from marts.quotes q where q.meeting_id = m.meeting_id)
"""
_RECOUNT_TOPIC_QUOTES = """
    update marts.topics t set quote_count = (
        select count(*) from marts.quotes q
        where q.meeting_id = t.meeting_id and list_contains(q.topics, t.topic))
"""

_REMOVERS: dict[str, Callable[[duckdb.DuckDBPyConnection, list[tuple[Any, ...]]], None]] = {
    "documents": _remove_documents,
    "people": _remove_people,
    "topics": _remove_topics,
    "quotes": _remove_quotes,
    "meetings": _remove_meetings,
}


def quarantine_rows(run_id: str, rejected: list[Rejection]) -> list[dict[str, Any]]:
    """meta.quarantine rows for rejected records."""
    rows = []
    for item in rejected:
        key = dict(zip(KEYS[item.suite], item.key, strict=True))
        rows.append(
            {
                "run_id": run_id,
                "source_path": key.get("source_path"),
                "doc_id": key.get("doc_id"),
                "stage": f"validate:{item.suite}",
                "reason": f"failed {item.expectation}",
                "detail": ", ".join(f"{name}={value}" for name, value in key.items()),
                "action": "rejected",
            }
        )
    return rows

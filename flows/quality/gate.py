"""Write-audit-publish gate: what each suite validates and how failing rows are quarantined.

Row-level expectations (severity "warning") send their failing rows to meta.quarantine and the
run goes on without them; a failed blocking expectation ("critical") stops the publish.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from flows.load import warehouse
from flows.models import contracts
from flows.settings import PROJECT_ROOT

if TYPE_CHECKING:  # pandas and GX cost ~2 s to import; a run with nothing to check skips them
    import pandas as pd

    from flows.quality.validation import Failure

# The model whose schema.yml entry declares each suite's contract (flows.models.contracts), and
# the relation each suite validates: the "documents" suite checks the landing table before the
# models are built (stg_documents is a one-to-one view of it), the others the built marts.
SUITE_MODELS: dict[str, str] = {
    "documents": "stg_documents",
    "meetings": "meetings",
    "quotes": "quotes",
    "topics": "topics",
    "people": "people",
}
RELATIONS: dict[str, str] = {
    "documents": "staging.documents",
    "meetings": "marts.meetings",
    "quotes": "marts.quotes",
    "topics": "marts.topics",
    "people": "marts.people",
}
# Derived columns that checks of the suites read, besides one per declared relationship.
DERIVED_SQL: dict[str, tuple[str, ...]] = {
    "meetings": (
        "coalesce(kind = 'message' or len(participants) >= 2, false) as enough_participants",
    ),
}
DOCUMENT_SUITES = ("documents",)
MART_SUITES = ("meetings", "quotes", "topics", "people")
# Where a run that changed only some keys validates only their rows: suite -> (key column,
# the staging table listing changed keys). Whole-table rules (unique keys, references) are
# also SQL audits over the full marts on every run (generated from dbt_like_sql/*/schema.yml).
CHANGED_KEYS: dict[str, tuple[str, str]] = {
    "documents": ("doc_id", "staging.changed_docs"),
    "meetings": ("meeting_id", "staging.changed_meetings"),
    "quotes": ("doc_id", "staging.changed_docs"),
    "topics": ("meeting_id", "staging.changed_meetings"),
}
CHANGE_TABLES: dict[str, str] = dict(CHANGED_KEYS.values())  # key column -> its change table
_CONTRACTS = contracts.load(PROJECT_ROOT / "dbt_like_sql")


def _relationship_sql(test: contracts.Test) -> str:
    column = test.column
    return (
        f"({column} is null or {column} in (select {test.field} from {test.target})) as {test.name}"
    )


def _frame(suite: str) -> str:
    relationships = [
        _relationship_sql(t)
        for t in contracts.of(_CONTRACTS, SUITE_MODELS[suite])
        if t.test == "relationships"
    ]
    columns = ["*", *DERIVED_SQL.get(suite, ()), *relationships]
    return f"select {', '.join(columns)}\nfrom {RELATIONS[suite]}"


# The frame each suite validates, with the derived columns its checks need.
FRAMES: dict[str, str] = {suite: _frame(suite) for suite in SUITE_MODELS}
# The key identifying a suite's rows (declared in schema.yml). A document is quarantined as one
# version of a file, so its doc_id goes with its source_path into meta.quarantine.
KEYS: dict[str, tuple[str, ...]] = {
    suite: contracts.key(_CONTRACTS, model) for suite, model in SUITE_MODELS.items()
}
KEYS["documents"] += ("doc_id",)


@dataclass(frozen=True, slots=True)
class Rejection:
    """One quarantined record: which suite, which key, which expectation; `scope` is the row's
    value of the suite's change key (CHANGED_KEYS), whose change has the row validated again."""

    suite: str
    key: tuple[Any, ...]
    expectation: str
    scope: str | None = None


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
        suite = failure.suite
        if failure.severity != "warning" or suite not in validated:
            continue
        frame = validated[suite].reset_index(drop=True)
        for position in failure.unexpected_rows:
            key = tuple(frame.loc[position, list(KEYS[suite])])
            scope = frame.loc[position, CHANGED_KEYS[suite][0]] if suite in CHANGED_KEYS else None
            found.setdefault(
                (suite, key),
                Rejection(suite, key, failure.expectation, None if scope is None else str(scope)),
            )
    return list(found.values())


def record(con: duckdb.DuckDBPyConnection, run_id: str, rejected: list[Rejection]) -> None:
    """Keep rejected records out of the marts, upstream: a rejected document leaves staging;
    a rejected mart row is listed in staging.rejected_rows, which the SQL models leave out
    (dbt_like_sql/), and the keys of the mart rows built from it or referring to it are
    marked changed, so the next build rebuilds them without it. Nothing here edits a mart."""
    documents = [r.key for r in rejected if r.suite in DOCUMENT_SUITES]
    if documents:
        warehouse.replace_documents(con, {}, [path for path, _ in documents])
    rows = [r for r in rejected if r.suite not in DOCUMENT_SUITES]
    if not rows:
        return
    frame = pl.DataFrame(
        {
            "suite": [r.suite for r in rows],
            "key": [[str(value) for value in r.key] for r in rows],
            "scope": [r.scope for r in rows],
            "expectation": [r.expectation for r in rows],
            "run_id": [run_id] * len(rows),
        },
        schema={
            "suite": pl.String,
            "key": pl.List(pl.String),
            "scope": pl.String,
            "expectation": pl.String,
            "run_id": pl.String,
        },
    )
    with warehouse.transaction(con):
        warehouse.insert_frame(con, "staging.rejected_rows", frame)
        for suite in sorted({r.suite for r in rows}):
            _note_dependents(con, suite, run_id)
        _mark_changed(con, "run_id = ?", [run_id])


def release(con: duckdb.DuckDBPyConnection, full: bool) -> None:
    """Forget the rejections of the mart rows this run builds and validates again, and mark
    the rows built without them changed: in a full run all of them; else those whose change
    key changed, and every people rejection (that suite is validated whole on every run)."""
    if full:
        con.execute("delete from staging.rejected_rows")
        return
    conditions = [
        f"(suite = '{suite}' and scope in (select {column} from {table}))"
        if suite in CHANGED_KEYS
        else f"suite = '{suite}'"
        for suite in MART_SUITES
        for column, table in [CHANGED_KEYS.get(suite, ("", ""))]
    ]
    released = " or ".join(conditions)
    with warehouse.transaction(con):
        _mark_changed(con, released, [])
        con.execute(f"delete from staging.rejected_rows where {released}")


def _key_sql(suite: str, alias: str) -> str:
    """The suite's key as stored in staging.rejected_rows: a list of its values as text."""
    return "[" + ", ".join(f"cast({alias}.{column} as varchar)" for column in KEYS[suite]) + "]"


def _note_dependents(con: duckdb.DuckDBPyConnection, suite: str, run_id: str) -> None:
    """Store with each of this run's rejections of `suite` the change keys (doc_id,
    meeting_id) of the mart rows it shaped: its own row, and the rows of other marts that
    refer to it through a relationship declared in schema.yml."""
    model, relation = SUITE_MODELS[suite], RELATIONS[suite]
    # (relation holding the rows, how to reach them from the rejected row `parent`)
    sources = [(relation, "")]
    for test in _CONTRACTS:
        if test.test == "relationships" and test.to == model and test.layer == "marts":
            child = f"{test.layer}.{test.model}"
            on = f"child.{test.column} = parent.{test.field}"
            sources.append((child, f"join {child} as child on {on}"))
    key = _key_sql(suite, "parent")
    rejected = (
        f"{key} in (select key from staging.rejected_rows "
        f"where suite = '{suite}' and run_id = $run_id)"
    )
    for column in CHANGE_TABLES:
        parts = [
            f"select {key} as key, {alias}.{column} as value from {relation} as parent {join} "
            f"where {rejected} and {alias}.{column} is not null"
            for source, join in sources
            for alias in ["child" if join else "parent"]
            if column in _columns(con, source)
        ]
        if parts:
            con.execute(
                f"""
                update staging.rejected_rows as r set {column}s = found.list_of_values
                from (
                    select key, list(distinct value order by value) as list_of_values
                    from ({" union all ".join(parts)}) group by key
                ) as found
                where r.suite = '{suite}' and r.run_id = $run_id and r.key = found.key
                """,
                {"run_id": run_id},
            )


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    schema, name = relation.split(".")
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? and table_catalog = current_database()",
        [schema, name],
    ).fetchall()
    return {row[0] for row in rows}


def _mark_changed(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> None:
    """Add the change keys stored with the rejections matching `where` to the pending changes."""
    for column, table in CHANGE_TABLES.items():
        con.execute(
            f"insert into {table} select unnest({column}s) from staging.rejected_rows "
            f"where {where}",
            params,
        )


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

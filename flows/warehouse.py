"""All DuckDB access: connections, landing tables, run bookkeeping. No other module connects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

# Staging tables holding one document's extraction, keyed by source_path. Replacing a
# document means deleting its rows from each of these, then inserting the new ones.
DOCUMENT_TABLES = (
    "staging.documents",
    "staging.paragraphs",
    "staging.removed_lines",
    "staging.mentions",
    "staging.quotes",
    "staging.events",
)
MARTS = ("documents", "removed_lines", "meetings", "quotes", "topics", "people")


def now() -> datetime:
    """Current UTC time without tzinfo, as DuckDB TIMESTAMP columns store it."""
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def session(path: Path, ddl_file: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection, schema ensured when `ddl_file` is given, closed on exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        if ddl_file is not None:
            con.execute(ddl_file.read_text(encoding="utf-8"))
        yield con
    finally:
        con.close()


@contextmanager
def reader(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to an existing warehouse."""
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `summitry run` first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def read_frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> pl.DataFrame:
    """Run a query and return its result as a polars frame."""
    return con.sql(sql, params=params or None).pl()


def current_versions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """source_path -> doc_id of every document currently in staging."""
    return dict(con.execute("select source_path, doc_id from staging.documents").fetchall())


def raw_doc_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every content hash the raw layer holds."""
    return {row[0] for row in con.execute("select doc_id from raw.documents").fetchall()}


def raw_texts(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> dict[str, tuple[str, str]]:
    """doc_id -> (raw_text, content_type) for the given ids."""
    rows = con.execute(
        "select doc_id, raw_text, content_type from raw.documents where list_contains(?, doc_id)",
        [doc_ids],
    ).fetchall()
    return {doc_id: (text, ctype) for doc_id, text, ctype in rows}


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append a polars frame to `table`, matching columns by name."""
    if frame.height == 0:
        return
    con.register("incoming_frame", frame)
    try:
        con.execute(f"insert into {table} by name select * from incoming_frame")
    finally:
        con.unregister("incoming_frame")


def append_raw(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> int:
    """Append raw documents whose doc_id is not stored yet; returns rows added."""
    if frame.height == 0:
        return 0
    fresh = frame.filter(~pl.col("doc_id").is_in(list(raw_doc_ids(con))))
    insert_frame(con, "raw.documents", fresh)
    return fresh.height


def replace_documents(
    con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame], paths: Iterable[str]
) -> None:
    """Atomically swap the staging rows of `paths` for the rows in `frames` (table -> frame)."""
    paths = sorted(set(paths))
    con.execute("begin transaction")
    try:
        for table in DOCUMENT_TABLES:
            con.execute(f"delete from {table} where list_contains(?, source_path)", [paths])
        for table, frame in frames.items():
            insert_frame(con, table, frame)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Replace every row of `table` with `frame`."""
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {table}")
        insert_frame(con, table, frame)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow_run_id: str | None) -> None:
    """Record that a run has started."""
    con.execute(
        "insert into meta.runs (run_id, flow_run_id, started_at, status) "
        "values (?, ?, ?, 'running')",
        [run_id, flow_run_id, now()],
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, **counts: Any) -> None:
    """Record a run's outcome and counters (columns of meta.runs)."""
    columns = ["finished_at", "status", *counts]
    assignments = ", ".join(f"{column} = ?" for column in columns)
    con.execute(
        f"update meta.runs set {assignments} where run_id = ?",
        [now(), status, *counts.values(), run_id],
    )


def add_quarantine(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Append rows to meta.quarantine (run_id, source_path, doc_id, stage, reason, detail)."""
    if rows:
        insert_frame(con, "meta.quarantine", pl.DataFrame(rows, schema=QUARANTINE_SCHEMA))


def add_validations(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Append rows to meta.validations (run_id, suite, expectation, success, unexpected_count)."""
    if rows:
        insert_frame(con, "meta.validations", pl.DataFrame(rows, schema=VALIDATION_SCHEMA))


def mart_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every mart that exists."""
    existing = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    return {
        mart: con.execute(f"select count(*) from marts.{mart}").fetchone()[0]  # type: ignore[index]
        for mart in MARTS
        if mart in existing
    }


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> pl.DataFrame:
    """The latest runs, newest first."""
    return read_frame(
        con,
        "select run_id, started_at, finished_at, status, docs_seen, docs_new, docs_changed, "
        "docs_unchanged, docs_removed, docs_quarantined, validation_success, message "
        "from meta.runs order by started_at desc limit ?",
        [limit],
    )


QUARANTINE_SCHEMA = {
    "run_id": pl.String,
    "source_path": pl.String,
    "doc_id": pl.String,
    "stage": pl.String,
    "reason": pl.String,
    "detail": pl.String,
}
VALIDATION_SCHEMA = {
    "run_id": pl.String,
    "suite": pl.String,
    "expectation": pl.String,
    "success": pl.Boolean,
    "unexpected_count": pl.Int64,
}

"""The run log: meta.runs rows and what readers of the published file see of them.

Run bookkeeping SQL, beside `warehouse` (which holds the landing and publishing SQL).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from flows.load.warehouse import _quoted, insert_frame, now, read_frame


def abandon_stale_runs(con: duckdb.DuckDBPyConnection) -> int:
    """Mark runs still 'running' as abandoned (call only while holding the run lock)."""
    rows = con.execute(
        "update meta.runs set status = 'abandoned', finished_at = ?, "
        "message = 'the process ended before the run finished (killed or crashed)' "
        "where status = 'running' returning run_id",
        [now()],
    ).fetchall()
    return len(rows)


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


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> pl.DataFrame:
    """The latest runs, newest first (every column of meta.runs)."""
    return read_frame(con, "select * from meta.runs order by started_at desc limit ?", [limit])


def add_runs(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Append whole meta.runs rows (e.g. runs skipped while another run held the lock)."""
    if rows:
        insert_frame(con, "meta.runs", pl.DataFrame(rows, schema=RUN_SCHEMA))


def mark_published(con: duckdb.DuckDBPyConnection, run_id: str, docs_published: int) -> None:
    """Record when a run's marts were published and how many documents that added or
    replaced in them."""
    con.execute(
        "update meta.runs set published_at = ?, docs_published = ? where run_id = ?",
        [now(), docs_published, run_id],
    )


def changed_documents_published(con: duckdb.DuckDBPyConnection) -> int:
    """Documents that are new or changed since the last publish and are in the marts."""
    row = con.execute(
        "select count(*) from marts.documents "
        "where doc_id in (select doc_id from staging.changed_docs)"
    ).fetchone()
    return int(row[0]) if row else 0


def last_published_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The inputs fingerprint of the latest successful run."""
    row = con.execute(
        "select inputs_fingerprint from meta.runs where status = 'success' "
        "and finished_at is not null order by started_at desc limit 1"
    ).fetchone()
    return row[0] if row else None


def last_failure(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """(run_id, finished_at, status, message) of the latest failed or abandoned run."""
    return con.execute(
        "select run_id, finished_at, status, message from meta.runs "
        "where status in ('failed', 'abandoned') order by started_at desc limit 1"
    ).fetchone()


RUN_SCHEMA = {
    "run_id": pl.String,
    "flow_run_id": pl.String,
    "started_at": pl.Datetime,
    "finished_at": pl.Datetime,
    "status": pl.String,
    "message": pl.String,
}


def export_runs(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """Replace `target` with meta.runs as Parquet (atomically: readers see old or new)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    con.execute(
        f"copy (select * from meta.runs order by started_at) to {_quoted(partial)} (format parquet)"
    )
    os.replace(partial, target)

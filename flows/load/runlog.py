"""The run log and the run lock: meta.runs rows, and one writing run per warehouse.

Run bookkeeping SQL, beside `warehouse` (which holds the landing and publishing SQL).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from flows.load.warehouse import _quoted, insert_frame, now, read_frame


class RunInProgress(RuntimeError):
    """Another run holds the warehouse's run lock."""


_HELD_LOCKS: set[Path] = set()  # run locks this process holds


@contextmanager
def run_lock(published: Path, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's run lock: one writing run at a time, scheduled or by hand.

    An OS file lock (flock) is released by the kernel when its process dies, so a run killed
    with SIGKILL never leaves a stale lock behind. Within one process the lock is reentrant:
    `summitry run` takes it before starting Prefect, then the flow takes it again.
    """
    published.parent.mkdir(parents=True, exist_ok=True)
    lock_path = published.with_name(published.name + ".lock").resolve()
    if lock_path in _HELD_LOCKS:
        yield
        return
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, lock_path, wait_s)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        _HELD_LOCKS.add(lock_path)
        yield
    finally:
        _HELD_LOCKS.discard(lock_path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(fd: int, lock_path: Path, wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = lock_path.read_text(encoding="utf-8").strip() or "unknown"
                raise RunInProgress(
                    f"another run (pid {holder}) is writing this warehouse; "
                    "try again when it finishes, or pass --wait SECONDS"
                ) from None
            time.sleep(0.2)


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
        "select count(distinct doc_id) from staging.changed_docs "
        "where doc_id in (select doc_id from marts.documents)"
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

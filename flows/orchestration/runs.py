"""Run bookkeeping: the work-file session, meta.runs rows, the inputs fingerprint, and what
readers of the published file see of every run (meta.runs and meta.freshness)."""

from __future__ import annotations

import hashlib
import uuid
from contextlib import AbstractContextManager
from pathlib import Path

import duckdb
from prefect import get_run_logger
from prefect.runtime import flow_run

from flows.load import runlog, warehouse
from flows.orchestration.processes import Pidfile
from flows.orchestration.skips import fold_skipped
from flows.orchestration.summary import RunSummary
from flows.settings import PACKAGE_ROOT, Settings


def work(
    settings: Settings, ddl: bool = False
) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A session on the work file with the configured memory limit (and the schema ensured)."""
    return warehouse.session(
        settings.work_file, settings.ddl_file if ddl else None, settings.duckdb_memory_limit
    )


def new_run_id() -> str:
    """A short random run id."""
    return uuid.uuid4().hex[:12]


def pidfile(settings: Settings) -> Pidfile:
    """The processes the run holding this warehouse's lock started."""
    return Pidfile(settings.warehouse.with_name(settings.warehouse.name + ".pids"))


def runs_parquet(settings: Settings) -> Path:
    """meta.runs as Parquet, refreshed by every run; the published meta.runs reads it."""
    return settings.parquet_folder / "meta_runs.parquet"


def start(settings: Settings, run_id: str) -> str | None:
    """Clean up after a killed run (its processes, a half-written publish, its meta.runs
    row), note runs refused meanwhile, then record this run as running. Returns a note on
    what was cleaned up, if anything."""
    logger = get_run_logger()
    reaped = pidfile(settings).reap(logger.warning)
    warehouse.discard_partial_publish(settings.warehouse, settings.parquet_folder)
    with work(settings, ddl=True) as con:
        warehouse.freshness_view(con)
        abandoned = runlog.abandon_stale_runs(con)
        fold_skipped(settings.warehouse, lambda rows: runlog.add_runs(con, rows))
        runlog.start_run(con, run_id, flow_run_id())
    if abandoned:
        logger.warning("marked %d interrupted run(s) as abandoned", abandoned)
    if reaped:
        return f"stopped {len(reaped)} process(es) an interrupted run left running"
    return None


def finish(settings: Settings, summary: RunSummary) -> None:
    """Store the outcome in meta.runs and refresh what readers see of it (no copy of the
    published file: a no-op or a failed run only rewrites the small runs Parquet)."""
    with work(settings) as con:
        runlog.finish_run(con, summary.run_id, summary.status, **summary.counters())
        if summary.published:
            runlog.mark_published(con, summary.run_id, summary.docs_published)
        fold_skipped(settings.warehouse, lambda rows: runlog.add_runs(con, rows))
        if settings.warehouse.exists():
            runlog.export_runs(con, runs_parquet(settings))
    pidfile(settings).clear()


def current_mart_rows(settings: Settings, published: bool) -> dict[str, int]:
    """Rows per mart, in the published file or in the work file."""
    if published:
        with warehouse.reader(settings.warehouse) as con:
            return warehouse.mart_counts(con)
    with work(settings) as con:
        return warehouse.mart_counts(con)


def inputs_fingerprint(settings: Settings) -> str:
    """SHA-256 over everything besides the articles that shapes the marts: reference seeds,
    SQL models and audits, expectation suites and the package's code."""
    roots = [
        (settings.seeds_dir, "*.csv"),
        (settings.sql_dir, "**/*.sql"),
        (settings.sql_dir, "**/*.yml"),
        (settings.expectations_dir, "gx/expectations/*.json"),
        (PACKAGE_ROOT, "**/*.py"),
    ]
    digest = hashlib.sha256()
    for root, pattern in roots:
        for path in sorted(root.glob(pattern)):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def last_fingerprint(settings: Settings) -> str | None:
    """The inputs fingerprint of the last published run."""
    with work(settings) as con:
        return runlog.last_published_fingerprint(con)


def unpublished_changes(settings: Settings) -> bool:
    """Whether staging holds changes no publish has carried yet (see links.py)."""
    from flows.load.links import unpublished_changes as pending

    with work(settings) as con:
        return pending(con)


def flow_run_id() -> str | None:
    """The Prefect flow run's id, when running in one."""
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None

"""Run bookkeeping: the work-file session, meta.runs rows, the inputs fingerprint."""

from __future__ import annotations

import hashlib
import uuid
from contextlib import AbstractContextManager

import duckdb
from prefect import get_run_logger
from prefect.runtime import flow_run

from flows.load import warehouse
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


def start(settings: Settings, run_id: str) -> None:
    """Clear what a killed run left behind, then record this run as running."""
    warehouse.discard_partial_publish(settings.warehouse, settings.parquet_folder)
    with work(settings, ddl=True) as con:
        abandoned = warehouse.abandon_stale_runs(con)
        warehouse.start_run(con, run_id, _flow_run_id())
    if abandoned:
        get_run_logger().warning("marked %d interrupted run(s) as abandoned", abandoned)


def record(settings: Settings, summary: RunSummary) -> None:
    """Store the run's outcome and counters in meta.runs."""
    with work(settings) as con:
        warehouse.finish_run(con, summary.run_id, summary.status, **summary.counters())


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
        return warehouse.last_published_fingerprint(con)


def _flow_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None

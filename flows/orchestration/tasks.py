"""The Prefect tasks of `summitry-etl`, one per stage; each works on a batch of documents or
on the whole work file. I/O tasks retry with backoff: a disk hiccup should not fail a run."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

import duckdb
import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows.ingest.reading import SourceFile, discover, trusted_stats
from flows.load import publishing, runlog, warehouse
from flows.load.transform import Loaded, concat_frames, raw_frame, rejected_frame
from flows.orchestration import summary
from flows.orchestration.checks import copy_data_docs, validate_and_quarantine
from flows.orchestration.parallel import Pending, Workers
from flows.orchestration.runs import runs_parquet, work
from flows.orchestration.summary import Plan, Rejected, quarantine_row
from flows.quality import gate
from flows.settings import Settings

if TYPE_CHECKING:  # extraction code loads only when a run has documents to process
    from flows.extract.article import Reference
    from flows.orchestration.intake import OnDisk

T = TypeVar("T")
P = ParamSpec("P")
# The staging tables that list, per mart key, what changed since the last publish.
CHANGE_TABLES = {"doc_id": "staging.changed_docs", "meeting_id": "staging.changed_meetings"}
IO_RETRIES = 2
IO_RETRY_DELAYS = [1.0, 5.0]


def timed(fn: Callable[P, T]) -> Callable[P, T]:
    """Add the task's time (all its batches and retries) to the run's stage timings."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            # Through the module: Prefect pickles task functions by value to run a served
            # flow in a subprocess, and a ContextVar global cannot be pickled.
            seconds = summary.STAGE_SECONDS.get()
            if seconds is not None:
                name = fn.__name__
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started

    return wrapper


def opaque(value: T) -> T:
    """`value` for a task argument, wrapped in Prefect's `quote` so the task receives it as is.

    Prefect otherwise walks every object of a task's arguments looking for upstream futures:
    about 2 s per task call for a batch of 1000 extracted articles (measured), more than the
    transform itself. Typed as the value, which is what the task receives.
    """
    return cast(T, quote(value))


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
@timed
def discover_files(
    settings: Settings, run_id: str, full_refresh: bool
) -> tuple[list[SourceFile], list[Rejected]]:
    """List and fingerprint the article files under the source folder (files whose size and
    times are unchanged since they were hashed keep their digest)."""
    source = settings.source
    if not source.is_dir():
        raise FileNotFoundError(f"source folder {source} does not exist")
    scanned_at = time.time_ns()
    with work(settings) as con:
        known = {} if full_refresh else warehouse.known_files(con)
    files, problems = discover(source, known)
    hashed = trusted_stats(files, scanned_at)
    with work(settings) as con:
        warehouse.remember_files(
            con,
            pl.DataFrame(
                {
                    "source_path": [f.rel_path for f in hashed],
                    "byte_size": [f.byte_size for f in hashed],
                    "mtime_ns": [f.mtime_ns for f in hashed],
                    "ctime_ns": [f.ctime_ns for f in hashed],
                    "doc_id": [f.doc_id for f in hashed],
                },
                schema={
                    "source_path": pl.String,
                    "byte_size": pl.Int64,
                    "mtime_ns": pl.Int64,
                    "ctime_ns": pl.Int64,
                    "doc_id": pl.String,
                },
            ),
            (f.rel_path for f in files),
        )
    get_run_logger().info(
        "discovered %d article files under %s (%d hashed, %d unreadable)",
        len(files),
        source,
        sum(f.hashed for f in files),
        len(problems),
    )
    return files, [
        Rejected(quarantine_row(run_id, path, None, "discover", why)) for path, why in problems
    ]


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
@timed
def plan_changes(files: list[SourceFile], settings: Settings, full_refresh: bool) -> Plan:
    """Compare the folder with the warehouse: new, changed, unchanged, duplicate, removed."""
    with work(settings) as con:
        current = warehouse.current_versions(con)
        rejected = set() if full_refresh else warehouse.rejected_versions(con)
    plan, first_path = Plan(), dict[str, str]()
    for file in files:
        if file.doc_id in first_path:  # the same bytes under another name: load them once
            plan.duplicates.append((file, first_path[file.doc_id]))
            continue
        first_path[file.doc_id] = file.rel_path
        previous = current.get(file.rel_path)
        if (file.rel_path, file.doc_id) in rejected or (
            previous == file.doc_id and not full_refresh
        ):
            plan.unchanged.append(file)
        elif previous is None:
            plan.new.append(file)
        else:
            plan.changed.append(file)
    kept = {f.rel_path for f in plan.new + plan.changed + plan.unchanged}
    plan.removed = sorted(set(current) - kept)
    get_run_logger().info(
        "plan: %d new, %d changed, %d unchanged, %d duplicate, %d removed",
        len(plan.new),
        len(plan.changed),
        len(plan.unchanged),
        len(plan.duplicates),
        len(plan.removed),
    )
    return plan


@task(cache_policy=NO_CACHE)
@timed
def submit_read(
    batch: Sequence[SourceFile], workers: Workers, settings: Settings, run_id: str
) -> Pending:
    """Start reading each file's bytes, decoding them and taking the line keys of the decoded
    ones (see intake.py): on the workers, which read the next batch while the flow lands
    this one."""
    from flows.orchestration.intake import start_reading

    return start_reading(batch, workers, settings.max_file_mb, run_id)


@task(cache_policy=NO_CACHE)
@timed
def read_and_decode(pending: Pending) -> tuple[list[Loaded], list, list[Rejected]]:
    """Wait for a batch's decoded files, their line keys and the files that could not be
    used (quarantined, bytes kept)."""
    (loaded, keys), rejected = pending.result()
    return list(loaded), list(keys), rejected


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
@timed
def land_raw(batch: list[Loaded], settings: Settings, run_id: str) -> list[str]:
    """Append new contents to the immutable raw layer; returns the doc_ids added."""
    frame = raw_frame(batch, run_id, warehouse.now())
    with work(settings) as con:
        return warehouse.append_raw(con, frame)


@task(cache_policy=NO_CACHE)
@timed
def submit_clean_extract(
    batch: list[Loaded | OnDisk], workers: Workers, run_id: str, settings: Settings
) -> Pending:
    """Start cleaning (boilerplate and metadata, with the page template of each document's
    folder, see templates.py) and extracting (people, quotes, events, topics, as staging
    frames) the batch on every core; returns at once, so the flow lands the previous batch
    and reads the next one while the workers compute. Files on disk (`OnDisk`) are read by
    the workers; any that changed since are taken from the raw layer and cleaned when the
    result is asked for."""
    from flows.orchestration.intake import OnDisk, clean_extract_read
    from flows.orchestration.stages import clean_extract_frames
    from flows.orchestration.templates import stored_texts, templates_for

    lines = templates_for(settings, batch)
    if not any(isinstance(item, OnDisk) for item in batch):
        return workers.submit(clean_extract_frames, batch, lines, run_id)
    started = workers.submit(clean_extract_read, batch, lines, run_id)

    def gather() -> tuple[list, list]:
        parts, rejected = started.result()
        frames = [chunk for chunk_frames, _ in parts for chunk in chunk_frames]
        missing = [item for _, chunk_missing in parts for item in chunk_missing]
        if missing:  # changed on disk since this run landed it: the raw layer's text
            again = workers.map(
                clean_extract_frames, stored_texts(missing, settings), lines, run_id
            )
            frames += again[0]
            rejected += again[1]
        return frames, rejected

    return Pending(gather)


@task(cache_policy=NO_CACHE)
@timed
def clean_extract(pending: Pending) -> tuple[Sequence, list[Rejected]]:
    """Wait for the workers' staging frames of a batch (one set per chunk) and its rejected
    articles: those cleaning rejected first, then those extraction rejected, in batch order."""
    frames, rejected = pending.result()
    return frames, sorted(rejected, key=lambda item: item.row["stage"] != "clean")


@task(cache_policy=NO_CACHE)
@timed
def transform(extracted: Sequence[dict[str, pl.DataFrame]], run_id: str) -> dict[str, pl.DataFrame]:
    """Put the chunks' staging frames together, in the batch's order, for the staging tables."""
    return concat_frames(extracted, run_id)


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
@timed
def land_staging(frames: dict[str, pl.DataFrame], paths: list[str], settings: Settings) -> None:
    """Replace the staging rows of every processed (or removed) source path."""
    with work(settings) as con:
        warehouse.replace_documents(con, frames, paths)


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
@timed
def record_quarantine(rejected: list[Rejected], settings: Settings, run_id: str) -> None:
    """Store rejected inputs with their reasons, and their bytes so nothing is lost."""
    with work(settings) as con:
        warehouse.add_quarantine(con, [item.row for item in rejected])
        warehouse.add_rejected_files(
            con,
            rejected_frame(
                [
                    item.row
                    for item in rejected
                    if item.row["action"] == "rejected" and item.row["doc_id"] is not None
                ],
                {item.row["source_path"]: item.content for item in rejected},
                run_id,
            ),
        )
    for item in rejected:
        get_run_logger().warning(
            "quarantined %s (%s): %s",
            item.row["source_path"],
            item.row["stage"],
            item.row["reason"],
        )


@task(cache_policy=NO_CACHE)
@timed
def gate_documents(
    settings: Settings, run_id: str, changed_only: bool
) -> tuple[bool, list[str], int]:
    """Validate the staged documents (only the changed ones when `changed_only`); row-level
    failures leave staging for quarantine."""
    return validate_and_quarantine(settings, run_id, gate.DOCUMENT_SUITES, changed_only)


@task(cache_policy=NO_CACHE)
@timed
def link(settings: Settings, reference: Reference, full: bool) -> dict[str, int]:
    """Link statements (what changed only, unless `full`) and meetings across documents;
    refresh the reference tables."""
    from flows.link.runner import link_documents

    with work(settings) as con:
        counts = link_documents(
            con, reference, settings.seeds_dir, full, settings.statement_hub_postings
        )
    get_run_logger().info("linked across documents: %s", counts)
    return counts


@task(cache_policy=NO_CACHE)
@timed
def build_models(settings: Settings, full: bool) -> list[str]:
    """Build the SQL models in dependency order (incremental marts only for the changed keys
    unless `full`), then run the SQL audits; returns the failing audits (the build is rolled
    back when there are any)."""
    from flows.models.runner import SqlAuditError, SqlModelError, build

    with work(settings) as con:
        gate.release(con, full)  # rows rejected before are validated again when rebuilt
        try:
            result = build(con, settings.sql_dir, changes=None if full else CHANGE_TABLES)
        except SqlAuditError as exc:
            get_run_logger().error("%s", exc)
            return [f"audit {f.name}: {f.failing_rows} rows" for f in exc.failures]
        except (SqlModelError, duckdb.Error) as exc:  # a broken model: nothing new to publish
            get_run_logger().error("SQL models failed to build: %s", exc)
            return [f"build: {exc}"]
    get_run_logger().info(
        "built %d models in %.2fs (%d incremental)",
        len(result.models),
        result.seconds,
        len(result.incremental),
    )
    return []


@task(cache_policy=NO_CACHE)
@timed
def gate_marts(settings: Settings, run_id: str, changed_only: bool) -> tuple[bool, list[str], int]:
    """Validate the marts (only changed keys' rows when `changed_only`); quarantine failing
    rows, which the SQL models then leave out: the marts they touched are rebuilt and the
    SQL audits run again."""
    from flows.models.runner import SqlAuditError, build

    success, failed, count = validate_and_quarantine(
        settings, run_id, gate.MART_SUITES, changed_only
    )
    broken: list[Any] = []
    if count:
        with work(settings) as con:
            try:
                build(con, settings.sql_dir, changes=CHANGE_TABLES if changed_only else None)
            except SqlAuditError as exc:
                broken = exc.failures
    failed += [f"audit {audit.name}: {audit.failing_rows} rows" for audit in broken]
    return success and not broken, failed, count


@task(cache_policy=NO_CACHE)
@timed
def build_data_docs(settings: Settings, run_id: str, incremental: bool) -> str:
    """Render the GX Data Docs of this run's validation results, kept per warehouse (an
    incremental run renders only its own results' pages and the index)."""
    return copy_data_docs(settings, run_id if incremental else None)


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
@timed
def publish(settings: Settings, incremental: bool) -> tuple[dict[str, int], int]:
    """Write marts and meta into the published file by atomic rename (only the changed keys'
    rows of incremental marts when `incremental`), refresh the Parquet, then clear the list
    of pending changes. Returns rows per mart and how many documents are new or changed."""
    from flows.models.runner import load_models

    delta = None
    if incremental:
        delta = {
            model.name: (model.unique_key, CHANGE_TABLES[model.unique_key])
            for model in load_models(settings.sql_dir)
            if model.schema == "marts" and model.unique_key
        }
    runs_file = runs_parquet(settings)
    notes: list[str] = []
    keys = publishing.declared_keys(settings.sql_dir, warehouse.MARTS)
    with work(settings) as con:
        runlog.export_runs(con, runs_file)  # the published meta.runs is a view over it
        mode = warehouse.publish(
            con,
            settings.warehouse,
            settings.parquet_folder,
            settings.storage_version,
            delta,
            runs_parquet=runs_file,
            notes=notes,
            keys=keys,
        )
        documents = runlog.changed_documents_published(con)
        warehouse.clear_tables(con, CHANGE_TABLES.values())  # published: nothing pending
        counts = warehouse.mart_counts(con)
    logger = get_run_logger()
    for note in notes:
        logger.warning(note)
    logger.info("published %s (%s) and %s", settings.warehouse, mode, settings.parquet_folder)
    _rebuild_report(settings)
    return counts, documents


def _rebuild_report(settings: Settings) -> None:
    """The HTML report beside the published file; a report that fails never fails the run."""
    from flows.report import build_report

    try:
        get_run_logger().info("report: %s", build_report(settings.warehouse))
    except Exception as exc:
        get_run_logger().warning("report not rebuilt (`summitry report` retries): %s", exc)

"""The Prefect tasks of `summitry-etl`, one per stage; each works on a batch of documents or
on the whole work file. I/O tasks retry with backoff: a disk hiccup should not fail a run."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, TypeVar, cast

import duckdb
import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows.extract.article import Extraction, Reference
from flows.ingest.reading import (
    SourceFile,
    UnreadableInput,
    content_type,
    decode,
    discover,
    trusted_stats,
)
from flows.link.runner import link_documents
from flows.load import publishing, warehouse
from flows.load.transform import Loaded, raw_frame, rejected_frame, staging_frames
from flows.orchestration.checks import validate_and_quarantine
from flows.orchestration.parallel import Workers
from flows.orchestration.runs import work
from flows.orchestration.stages import clean_items, extract_items, outlet_templates
from flows.orchestration.summary import Plan, Rejected, quarantine_row
from flows.quality import gate
from flows.settings import Settings

T = TypeVar("T")
# The staging tables that list, per mart key, what changed since the last publish.
CHANGE_TABLES = {"doc_id": "staging.changed_docs", "meeting_id": "staging.changed_meetings"}
IO_RETRIES = 2
IO_RETRY_DELAYS = [1.0, 5.0]


def opaque(value: T) -> T:
    """`value` for a task argument, wrapped in Prefect's `quote` so the task receives it as is.

    Prefect otherwise walks every object of a task's arguments looking for upstream futures:
    about 2 s per task call for a batch of 1000 extracted articles (measured), more than the
    transform itself. Typed as the value, which is what the task receives.
    """
    return cast(T, quote(value))


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
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


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
def read_and_decode(
    batch: Sequence[SourceFile], settings: Settings, run_id: str
) -> tuple[list[Loaded], list[Rejected]]:
    """Read each file's bytes and decode them; unusable files go to quarantine, bytes kept."""
    loaded: list[Loaded] = []
    rejected: list[Rejected] = []
    limit = int(settings.max_file_mb * 1024 * 1024)
    for file in batch:
        try:
            data = file.path.read_bytes()
        except OSError as exc:
            reason = f"file vanished or became unreadable: {exc.strerror or exc}"
            rejected.append(
                Rejected(quarantine_row(run_id, file.rel_path, file.doc_id, "read", reason))
            )
            continue
        try:
            if len(data) > limit:
                raise UnreadableInput(
                    f"file too large ({len(data) / 2**20:.1f} MB > "
                    f"{settings.max_file_mb:g} MB limit, SUMMITRY_MAX_FILE_MB)"
                )
            decoded = decode(data)
        except UnreadableInput as exc:
            row = quarantine_row(run_id, file.rel_path, file.doc_id, "decode", str(exc))
            rejected.append(Rejected(row, data))
            continue
        if decoded.repair:
            rejected.append(
                Rejected(
                    quarantine_row(
                        run_id,
                        file.rel_path,
                        file.doc_id,
                        "decode",
                        decoded.repair,
                        action="repaired",
                    )
                )
            )
        kind = content_type(file.rel_path, decoded.text)
        loaded.append(
            Loaded(file.rel_path, file.doc_id, kind, len(data), decoded.text, decoded.encoding)
        )
    return loaded, rejected


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
def land_raw(batch: list[Loaded], settings: Settings, run_id: str) -> int:
    """Append new contents to the immutable raw layer."""
    frame = raw_frame(batch, run_id, warehouse.now())
    with work(settings) as con:
        return warehouse.append_raw(con, frame)


@task(cache_policy=NO_CACHE)
def clean(batch: list[Loaded], workers: Workers, run_id: str) -> tuple[list, list[Rejected]]:
    """Strip boilerplate and pull metadata out of each body (on every core)."""
    return workers.map(clean_items, batch, outlet_templates(batch, workers), run_id)


@task(cache_policy=NO_CACHE)
def extract_batch(cleaned: list, workers: Workers, run_id: str) -> tuple[list, list]:
    """Find people, quotes, events and topics in each cleaned article (on every core)."""
    return workers.map(extract_items, cleaned, run_id)


@task(cache_policy=NO_CACHE)
def transform(extracted: list[tuple[Loaded, Extraction]], run_id: str) -> dict[str, pl.DataFrame]:
    """Turn the batch's extractions into polars frames for the staging tables."""
    return staging_frames(extracted, run_id)


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
def land_staging(frames: dict[str, pl.DataFrame], paths: list[str], settings: Settings) -> None:
    """Replace the staging rows of every processed (or removed) source path."""
    with work(settings) as con:
        warehouse.replace_documents(con, frames, paths)


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
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
def gate_documents(
    settings: Settings, run_id: str, changed_only: bool
) -> tuple[bool, list[str], int]:
    """Validate the staged documents (only the changed ones when `changed_only`); row-level
    failures leave staging for quarantine."""
    return validate_and_quarantine(settings, run_id, gate.DOCUMENT_SUITES, changed_only)


@task(cache_policy=NO_CACHE)
def link(settings: Settings, reference: Reference, full: bool) -> dict[str, int]:
    """Link statements (new quotes only, unless `full`) and meetings across documents;
    refresh the reference tables."""
    with work(settings) as con:
        counts = link_documents(con, reference, settings.seeds_dir, full=full)
    get_run_logger().info("linked across documents: %s", counts)
    return counts


@task(cache_policy=NO_CACHE)
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
def build_data_docs(settings: Settings) -> str:
    """Render the GX Data Docs of this run's validation results."""
    from flows.quality.validation import build_data_docs as build_docs

    return str(build_docs(settings.expectations_dir))


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
def publish(settings: Settings, incremental: bool) -> dict[str, int]:
    """Write marts and meta into the published file by atomic rename (only the changed keys'
    rows of incremental marts when `incremental`), refresh the Parquet, then clear the list
    of pending changes."""
    from flows.models.runner import load_models

    delta = None
    if incremental:
        delta = {
            model.name: (model.unique_key, CHANGE_TABLES[model.unique_key])
            for model in load_models(settings.sql_dir)
            if model.schema == "marts" and model.unique_key
        }
    notes: list[str] = []
    keys = publishing.declared_keys(settings.sql_dir, warehouse.MARTS)
    with work(settings) as con:
        mode = warehouse.publish(
            con,
            settings.warehouse,
            settings.parquet_folder,
            settings.storage_version,
            delta,
            notes,
            keys,
        )
        for table in CHANGE_TABLES.values():
            con.execute(f"delete from {table}")
        counts = warehouse.mart_counts(con)
    logger = get_run_logger()
    for note in notes:
        logger.warning(note)
    logger.info("published %s (%s) and %s", settings.warehouse, mode, settings.parquet_folder)
    _rebuild_report(settings)
    return counts


def _rebuild_report(settings: Settings) -> None:
    """The HTML report beside the published file; a report that fails never fails the run."""
    from flows.report import build_report

    try:
        get_run_logger().info("report: %s", build_report(settings.warehouse))
    except Exception as exc:
        get_run_logger().warning("report not rebuilt (`summitry report` retries): %s", exc)

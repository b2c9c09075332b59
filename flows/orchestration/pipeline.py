"""The Prefect flow `summitry-etl`: one task per stage, each over a batch of documents."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb
import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import quote

from flows.extract.article import Extraction, Reference, extract_from_clean
from flows.ingest.reading import (
    SourceFile,
    UnreadableInput,
    content_type,
    decode,
    discover,
    trusted_stats,
)
from flows.link.runner import link_documents
from flows.load import warehouse
from flows.load.transform import Loaded, raw_frame, rejected_frame, staging_frames
from flows.orchestration.parallel import Workers
from flows.quality import gate
from flows.settings import Settings, load_settings

T = TypeVar("T")
BATCH_SIZE = 1000
# Rows GX validates at once: a whole mart at 100k articles doubled the run's peak memory.
VALIDATION_SLICE_ROWS = 50_000
# The staging tables that list, per mart key, what changed since the last publish.
CHANGE_TABLES = {"doc_id": "staging.changed_docs", "meeting_id": "staging.changed_meetings"}
# Set by the CLI to draw a progress bar: called with (documents done, documents to do).
progress_hook: Callable[[int, int], None] | None = None
# I/O tasks retry with backoff: a file share or disk hiccup should not fail a run.
IO_RETRIES = 2
IO_RETRY_DELAYS = [1.0, 5.0]


def _work(
    settings: Settings, ddl: bool = False
) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A session on the work file with the configured memory limit (and the schema ensured)."""
    return warehouse.session(
        settings.work_file, settings.ddl_file if ddl else None, settings.duckdb_memory_limit
    )


def _opaque(value: T) -> T:
    """`value` for a task argument, wrapped in Prefect's `quote` so the task receives it as is.

    Prefect otherwise walks every object of a task's arguments looking for upstream futures:
    about 2 s per task call for a batch of 1000 extracted articles (measured), more than the
    transform itself. Typed as the value, which is what the task receives.
    """
    return cast(T, quote(value))


@dataclass(slots=True)
class Plan:
    """What this run must do with each source file."""

    new: list[SourceFile] = field(default_factory=list)
    changed: list[SourceFile] = field(default_factory=list)
    unchanged: list[SourceFile] = field(default_factory=list)
    duplicates: list[tuple[SourceFile, str]] = field(default_factory=list)  # (file, first path)
    removed: list[str] = field(default_factory=list)  # source paths gone from staging

    @property
    def to_process(self) -> list[SourceFile]:
        return self.new + self.changed


@dataclass(slots=True)
class Rejected:
    """A file that could not be loaded, with its bytes kept (when readable)."""

    row: dict[str, Any]  # meta.quarantine row
    content: bytes | None = None


@dataclass(slots=True)
class RunSummary:
    """What a run did, as printed by `summitry run` and stored in meta.runs."""

    run_id: str
    status: str = "running"
    docs_seen: int = 0
    docs_new: int = 0
    docs_changed: int = 0
    docs_unchanged: int = 0
    docs_removed: int = 0
    docs_duplicate: int = 0
    docs_quarantined: int = 0
    records_quarantined: int = 0
    validation_success: bool | None = None
    failed_expectations: list[str] = field(default_factory=list)
    mart_rows: dict[str, int] = field(default_factory=dict)
    published: bool = False
    up_to_date: bool = False  # nothing changed since the last published run: no work done
    incremental: bool = False  # models, validation and publish covered only changed keys
    inputs_fingerprint: str | None = None
    data_docs: str | None = None
    duration_s: float = 0.0
    message: str | None = None

    def render(self) -> str:
        """Human-readable summary."""
        marts = ", ".join(f"{name}={rows}" for name, rows in self.mart_rows.items())
        validation = {True: "passed", False: "FAILED", None: "not run"}[self.validation_success]
        lines = [
            f"run {self.run_id}: {self.status} in {self.duration_s:.1f}s",
            f"documents: seen={self.docs_seen} new={self.docs_new} changed={self.docs_changed} "
            f"unchanged={self.docs_unchanged} removed={self.docs_removed} "
            f"duplicate={self.docs_duplicate} quarantined={self.docs_quarantined}",
            f"records quarantined by validation: {self.records_quarantined}",
            f"marts: {marts or 'none'}"
            + (" (up to date: nothing changed)" if self.up_to_date else "")
            + (" (incremental)" if self.incremental and not self.up_to_date else "")
            + ("" if self.published or self.up_to_date else " (not published)"),
            f"validation: {validation}",
        ]
        lines += [f"  failed: {name}" for name in self.failed_expectations]
        if self.data_docs:
            lines.append(f"data docs: {self.data_docs}")
        if self.message:
            lines.append(f"message: {self.message}")
        return "\n".join(lines)

    def counters(self) -> dict[str, Any]:
        """The meta.runs columns this summary fills."""
        names = (
            "docs_seen",
            "docs_new",
            "docs_changed",
            "docs_unchanged",
            "docs_removed",
            "docs_duplicate",
            "docs_quarantined",
            "validation_success",
            "message",
            "inputs_fingerprint",
        )
        return {name: getattr(self, name) for name in names}


def _quarantine_row(
    run_id: str,
    path: str | None,
    doc_id: str | None,
    stage: str,
    reason: str,
    detail: str | None = None,
    action: str = "rejected",
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "source_path": path,
        "doc_id": doc_id,
        "stage": stage,
        "reason": reason,
        "detail": detail,
        "action": action,
    }


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
    with _work(settings) as con:
        known = {} if full_refresh else warehouse.known_files(con)
    files, problems = discover(source, known)
    hashed = trusted_stats(files, scanned_at)
    with _work(settings) as con:
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
        Rejected(_quarantine_row(run_id, path, None, "discover", why)) for path, why in problems
    ]


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
def plan_changes(files: list[SourceFile], settings: Settings, full_refresh: bool) -> Plan:
    """Compare the folder with the warehouse: new, changed, unchanged, duplicate, removed."""
    with _work(settings) as con:
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
                Rejected(_quarantine_row(run_id, file.rel_path, file.doc_id, "read", reason))
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
            row = _quarantine_row(run_id, file.rel_path, file.doc_id, "decode", str(exc))
            rejected.append(Rejected(row, data))
            continue
        if decoded.repair:
            rejected.append(
                Rejected(
                    _quarantine_row(
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
    with _work(settings) as con:
        return warehouse.append_raw(con, frame)


@task(cache_policy=NO_CACHE)
def clean(batch: list[Loaded], workers: Workers, run_id: str) -> tuple[list, list[Rejected]]:
    """Strip boilerplate and pull metadata out of each body (on every core)."""
    return workers.map(clean_items, batch, _outlet_templates(batch, workers), run_id)


def clean_items(
    batch: Sequence[Loaded], reference: Reference, templates: dict[str, set[str]], run_id: str
) -> tuple[list, list[Rejected]]:
    """Clean each article; one that fails or keeps no text is quarantined."""
    from flows.extract.cleaning import clean_document

    cleaned, rejected = [], []
    for item in batch:
        try:
            template = templates.get(str(Path(item.source_path).parent), set())
            document = clean_document(
                item.text, item.content_type, reference.patterns, template=template
            )
        except Exception as exc:  # one bad article must not stop the batch
            rejected.append(_failure(run_id, item, "clean", exc))
            continue
        if not document.paragraphs:
            reason = "no article text left after removing boilerplate"
            rejected.append(
                Rejected(_quarantine_row(run_id, item.source_path, item.doc_id, "clean", reason))
            )
            continue
        cleaned.append((item, document))
    return cleaned, rejected


def _outlet_templates(batch: list[Loaded], workers: Workers) -> dict[str, set[str]]:
    """Page-template lines per source subfolder (one folder per outlet, see README).

    Files at the top of the source folder may come from many outlets, and a wire story
    reprinted by several of them would look like a template, so they get none. The lines
    are split out on every core; only the counting happens here.
    """
    from flows.extract.cleaning import template_lines

    folders: dict[str, list[Loaded]] = {}
    for item in batch:
        folder = str(Path(item.source_path).parent)
        if folder != ".":
            folders.setdefault(folder, []).append(item)
    outlets = {folder: items for folder, items in folders.items() if len(items) >= 3}
    lines, _ = workers.map(line_items, [item for items in outlets.values() for item in items])
    templates, start = {}, 0
    for folder, items in outlets.items():
        templates[folder] = template_lines(lines[start : start + len(items)])
        start += len(items)
    return templates


def line_items(batch: Sequence[Loaded], reference: Reference) -> tuple[list[list[str]], list]:
    """The normalised lines of each article; one that cannot be split has none (cleaning
    will quarantine it with the reason)."""
    from flows.extract.cleaning import document_lines

    lines: list[list[str]] = []
    for item in batch:
        try:
            lines.append(document_lines(item.text, item.content_type))
        except Exception:  # clean_items reports the same article with the reason
            lines.append([])
    return lines, []


@task(cache_policy=NO_CACHE)
def extract_batch(cleaned: list, workers: Workers, run_id: str) -> tuple[list, list]:
    """Find people, quotes, events and topics in each cleaned article (on every core)."""
    return workers.map(extract_items, cleaned, run_id)


def extract_items(cleaned: Sequence, reference: Reference, run_id: str) -> tuple[list, list]:
    """Extract each cleaned article; one that fails is quarantined."""
    extracted: list[tuple[Loaded, Extraction]] = []
    rejected: list[Rejected] = []
    for item, document in cleaned:
        try:
            extracted.append((item, extract_from_clean(document, reference)))
        except Exception as exc:  # one bad article must not stop the batch
            rejected.append(_failure(run_id, item, "extract", exc))
    return extracted, rejected


def _failure(run_id: str, item: Loaded, stage: str, exc: Exception) -> Rejected:
    return Rejected(
        _quarantine_row(
            run_id,
            item.source_path,
            item.doc_id,
            stage,
            f"{stage} failed: {type(exc).__name__}",
            str(exc)[:2000],
        )
    )


@task(cache_policy=NO_CACHE)
def transform(extracted: list[tuple[Loaded, Extraction]], run_id: str) -> dict[str, pl.DataFrame]:
    """Turn the batch's extractions into polars frames for the staging tables."""
    return staging_frames(extracted, run_id)


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
def land_staging(frames: dict[str, pl.DataFrame], paths: list[str], settings: Settings) -> None:
    """Replace the staging rows of every processed (or removed) source path."""
    with _work(settings) as con:
        warehouse.replace_documents(con, frames, paths)


@task(cache_policy=NO_CACHE, retries=IO_RETRIES, retry_delay_seconds=IO_RETRY_DELAYS)
def record_quarantine(rejected: list[Rejected], settings: Settings, run_id: str) -> None:
    """Store rejected inputs with their reasons, and their bytes so nothing is lost."""
    with _work(settings) as con:
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
    return _validate_and_quarantine(settings, run_id, gate.DOCUMENT_SUITES, changed_only)


@task(cache_policy=NO_CACHE)
def link(settings: Settings, reference: Reference, full: bool) -> dict[str, int]:
    """Link statements (new quotes only, unless `full`) and meetings across documents;
    refresh the reference tables."""
    with _work(settings) as con:
        counts = link_documents(con, reference, settings.seeds_dir, full=full)
    get_run_logger().info("linked across documents: %s", counts)
    return counts


@task(cache_policy=NO_CACHE)
def build_models(settings: Settings, full: bool) -> list[str]:
    """Build the SQL models in dependency order (incremental marts only for the changed keys
    unless `full`), then run the SQL audits; returns the failing audits (the build is rolled
    back when there are any)."""
    from flows.models.runner import SqlAuditError, SqlModelError, build

    with _work(settings) as con:
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
    rows, then re-run the SQL audits over the whole marts."""
    from flows.models.runner import run_audits

    success, failed, count = _validate_and_quarantine(
        settings, run_id, gate.MART_SUITES, changed_only
    )
    with _work(settings) as con:
        broken = [audit for audit in run_audits(con, settings.sql_dir) if not audit.passed]
    failed += [f"audit {audit.name}: {audit.failing_rows} rows" for audit in broken]
    return success and not broken, failed, count


@task(cache_policy=NO_CACHE)
def build_data_docs(settings: Settings) -> str:
    """Render the GX Data Docs of this run's validation results."""
    from flows.quality.validation import build_data_docs as build_docs

    return str(build_docs(settings.expectations_dir))


def _validate_and_quarantine(
    settings: Settings, run_id: str, suites: tuple[str, ...], changed_only: bool
) -> tuple[bool, list[str], int]:
    from flows.quality.validation import validate_frames

    results: list[Any] = []
    failures: list[Any] = []
    found: dict[tuple[str, tuple[Any, ...]], gate.Rejection] = {}
    with _work(settings) as con:
        # Suite by suite, slice by slice, to keep memory flat; nothing is removed before every
        # slice is validated, since some checks read other marts.
        for suite in suites:
            for frame in gate.frame_slices(con, suite, changed_only, VALIDATION_SLICE_ROWS):
                report = validate_frames(
                    {suite: frame}, settings.expectations_dir, run_name=run_id, suites=(suite,)
                )
                results += report.rows
                failures += report.failures
                for rejection in gate.rejections({suite: frame}, report.failures):
                    found.setdefault((rejection.suite, rejection.key), rejection)
        rejections = list(found.values())
        warehouse.add_validations(con, _validation_rows(run_id, results))
        gate.remove(con, rejections)
        quarantined = gate.quarantine_rows(run_id, rejections)
        warehouse.add_quarantine(con, quarantined)
        warehouse.add_rejected_files(
            con, rejected_frame([row for row in quarantined if row["doc_id"]], {}, run_id)
        )
    # A row-level check that could not run at all (e.g. a missing column) blocks like a
    # critical one: there are no rows to quarantine, and nothing was checked.
    blocking = list(
        dict.fromkeys(
            f"{f.suite}: {f.expectation}" + (f" ({f.error})" if f.error else "")
            for f in failures
            if f.severity != "warning" or f.error
        )
    )
    for rejection in rejections:
        get_run_logger().warning(
            "quarantined %s record %s: %s", rejection.suite, rejection.key, rejection.expectation
        )
    return not blocking, blocking, len(rejections)


def _validation_rows(run_id: str, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """meta.validations rows for a report's results, one per expectation (the results of
    the slices of one frame added up)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row.suite, row.expectation)
        if key not in merged:
            merged[key] = {
                "run_id": run_id,
                "suite": row.suite,
                "expectation": row.expectation,
                "success": row.success,
                "unexpected_count": row.unexpected_count,
            }
            continue
        into = merged[key]
        into["success"] = into["success"] and row.success
        if row.unexpected_count is not None:
            into["unexpected_count"] = (into["unexpected_count"] or 0) + row.unexpected_count
    return list(merged.values())


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
    with _work(settings) as con:
        mode = warehouse.publish(
            con, settings.warehouse, settings.parquet_folder, settings.storage_version, delta
        )
        for table in CHANGE_TABLES.values():
            con.execute(f"delete from {table}")
        counts = warehouse.mart_counts(con)
    get_run_logger().info(
        "published %s (%s) and %s", settings.warehouse, mode, settings.parquet_folder
    )
    return counts


def _batches(items: Sequence[SourceFile], size: int) -> Iterator[Sequence[SourceFile]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _process(plan: Plan, settings: Settings, reference: Reference, run_id: str) -> list[Rejected]:
    """Run the per-document stages over the files to process, batch by batch."""
    rejected: list[Rejected] = []
    done, total = 0, len(plan.to_process)
    parallel = total >= settings.parallel_min_docs
    with Workers(reference, settings.seeds_dir, settings.workers, parallel) as workers:
        pool = _opaque(workers)
        for batch in _batches(plan.to_process, BATCH_SIZE):
            loaded, bad = read_and_decode(_opaque(batch), settings, run_id)
            land_raw(_opaque(loaded), settings, run_id)
            cleaned, bad_clean = clean(_opaque(loaded), pool, run_id)
            extracted, bad_extract = extract_batch(_opaque(cleaned), pool, run_id)
            frames = transform(_opaque(extracted), run_id)
            land_staging(_opaque(frames), _opaque([file.rel_path for file in batch]), settings)
            rejected += bad + bad_clean + bad_extract
            done += len(batch)
            get_run_logger().info("processed %d/%d documents", done, total)
            if progress_hook is not None:
                progress_hook(done, total)
    if plan.removed:
        land_staging(_opaque({}), _opaque(plan.removed), settings)
    return rejected


@flow(name="summitry-etl", log_prints=True)
def etl(
    source: str | None = None, warehouse_path: str | None = None, full_refresh: bool = False
) -> State:
    """discover -> read -> land raw -> clean -> extract -> transform -> land staging
    -> validate documents -> link -> build SQL models -> validate marts -> publish."""
    settings = load_settings(source=source, warehouse=warehouse_path)
    summary = RunSummary(run_id=uuid.uuid4().hex[:12])
    started = time.perf_counter()
    with warehouse.run_lock(settings.warehouse, settings.lock_wait_s):
        _start(settings, summary.run_id)
        try:
            _run_stages(settings, summary, full_refresh)
        except Exception as exc:
            summary.status, summary.message = "failed", f"{type(exc).__name__}: {exc}"
            raise
        finally:
            summary.duration_s = time.perf_counter() - started
            _finish(settings, summary)
            report(settings, summary)
    if summary.status != "success":
        return Failed(message=summary.message, data=summary)
    return Completed(message="up to date" if summary.up_to_date else "published", data=summary)


def _run_stages(settings: Settings, summary: RunSummary, full_refresh: bool) -> None:
    run_id = summary.run_id
    reference = Reference.from_seeds(settings.seeds_dir)
    files, unreadable = discover_files(settings, run_id, full_refresh)
    plan = plan_changes(_opaque(files), settings, full_refresh)
    duplicates = [
        Rejected(
            _quarantine_row(
                run_id,
                file.rel_path,
                file.doc_id,
                "plan",
                f"same content as {first}; loaded once",
                action="skipped",
            )
        )
        for file, first in plan.duplicates
    ]
    rejected = unreadable + duplicates + _process(plan, settings, reference, run_id)
    record_quarantine(_opaque(rejected), settings, run_id)
    _count(summary, files, unreadable, plan, rejected)
    summary.inputs_fingerprint = inputs_fingerprint(settings)
    same_inputs = _last_fingerprint(settings) == summary.inputs_fingerprint
    if same_inputs and not (plan.to_process or plan.removed) and settings.warehouse.exists():
        get_run_logger().info("nothing changed since the last published run; marts are current")
        summary.status, summary.up_to_date = "success", True
        summary.validation_success = True
        return
    # New seeds, SQL or code may change any row: then everything is linked, built, validated
    # and published again; otherwise only what this run (or a failed one before it) changed.
    full = full_refresh or not same_inputs or not settings.warehouse.exists()
    docs_ok, docs_failed, docs_rejected = gate_documents(settings, run_id, not full)
    link(settings, _opaque(reference), full=full)
    broken_audits = build_models(settings, full)
    marts_ok, marts_failed, mart_rejected = True, list[str](), 0
    if not broken_audits:
        marts_ok, marts_failed, mart_rejected = gate_marts(settings, run_id, not full)
    # Quarantining mart rows edits other rows in place (counts, speakers): publish whole.
    summary.incremental = not full and not mart_rejected
    summary.data_docs = build_data_docs(settings)
    summary.validation_success = docs_ok and marts_ok and not broken_audits
    summary.failed_expectations = docs_failed + broken_audits + marts_failed
    summary.records_quarantined = docs_rejected + mart_rejected
    if not summary.validation_success:
        summary.status = "failed"
        summary.message = "blocking expectations failed; the last good marts stay published"
        return
    summary.status = "success"


def inputs_fingerprint(settings: Settings) -> str:
    """SHA-256 over everything besides the articles that shapes the marts: reference seeds,
    SQL models and audits, expectation suites and the package's code."""
    roots = [
        (settings.seeds_dir, "*.csv"),
        (settings.sql_dir, "**/*.sql"),
        (settings.sql_dir, "**/*.yml"),
        (settings.expectations_dir, "gx/expectations/*.json"),
        (Path(__file__).parent, "**/*.py"),
    ]
    digest = hashlib.sha256()
    for root, pattern in roots:
        for path in sorted(root.glob(pattern)):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _last_fingerprint(settings: Settings) -> str | None:
    """The inputs fingerprint of the last published run."""
    with _work(settings) as con:
        return warehouse.last_published_fingerprint(con)


def _count(
    summary: RunSummary,
    files: list[SourceFile],
    unreadable: list[Rejected],
    plan: Plan,
    rejected: list[Rejected],
) -> None:
    summary.docs_seen = len(files) + len(unreadable)
    summary.docs_new, summary.docs_changed = len(plan.new), len(plan.changed)
    summary.docs_unchanged, summary.docs_removed = len(plan.unchanged), len(plan.removed)
    summary.docs_duplicate = len(plan.duplicates)
    summary.docs_quarantined = len(
        {item.row["source_path"] for item in rejected if item.row["action"] == "rejected"}
    )


def _start(settings: Settings, run_id: str) -> None:
    warehouse.discard_partial_publish(settings.warehouse, settings.parquet_folder)
    with _work(settings, ddl=True) as con:
        abandoned = warehouse.abandon_stale_runs(con)
        warehouse.start_run(con, run_id, _flow_run_id())
    if abandoned:
        get_run_logger().warning("marked %d interrupted run(s) as abandoned", abandoned)


def _finish(settings: Settings, summary: RunSummary) -> None:
    """Record the outcome; publish only a successful run (write, audit, publish)."""
    _record(settings, summary)
    if summary.up_to_date:
        with warehouse.reader(settings.warehouse) as con:
            summary.mart_rows = warehouse.mart_counts(con)
        return
    if summary.status != "success":
        with _work(settings) as con:
            summary.mart_rows = warehouse.mart_counts(con)
        return
    try:
        summary.mart_rows = publish(settings, summary.incremental)
        summary.published = True
    except Exception as exc:
        summary.status, summary.message = "failed", f"publish failed: {exc}"
        _record(settings, summary)
        raise


def _record(settings: Settings, summary: RunSummary) -> None:
    with _work(settings) as con:
        warehouse.finish_run(con, summary.run_id, summary.status, **summary.counters())


@task(cache_policy=NO_CACHE)
def report(settings: Settings, summary: RunSummary) -> None:
    """Prefect artifacts: the run summary, the validation outcome, the quarantine list."""
    with _work(settings) as con:
        quarantined = warehouse.read_frame(
            con,
            "select source_path, stage, reason, action from meta.quarantine where run_id = ?",
            [summary.run_id],
        ).to_dicts()
    counters = {
        **summary.counters(),
        "status": summary.status,
        "published": summary.published,
        "duration_s": round(summary.duration_s, 2),
        **summary.mart_rows,
    }
    create_table_artifact(
        [{"measure": key, "value": str(value)} for key, value in counters.items()],
        key="summitry-run-summary",
        description=f"Run {summary.run_id}",
    )
    outcome = "passed" if summary.validation_success else "FAILED"
    failed = "".join(f"\n- `{name}`" for name in summary.failed_expectations)
    create_markdown_artifact(
        f"## Validation {outcome}\n\n{summary.records_quarantined} records quarantined."
        + (f"\n\nBlocking failures:{failed}" if failed else "")
        + (f"\n\nData Docs: `{summary.data_docs}`" if summary.data_docs else ""),
        key="summitry-validation",
        description=f"Run {summary.run_id}",
    )
    create_table_artifact(
        quarantined
        or [{"source_path": "", "stage": "", "reason": "nothing quarantined", "action": ""}],
        key="summitry-quarantine",
        description=f"Run {summary.run_id}",
    )


@dataclass(slots=True)
class OnDemandValidation:
    """Outcome of `summitry validate`."""

    success: bool
    rows: list[Any]
    data_docs: str


def validate_now(settings: Settings) -> OnDemandValidation:
    """Re-run every suite over the current staged documents and marts (no quarantine)."""
    from flows.quality.validation import build_data_docs as build_docs
    from flows.quality.validation import validate_frames

    run_id = "validate-" + uuid.uuid4().hex[:8]
    with warehouse.run_lock(settings.warehouse, settings.lock_wait_s):
        with _work(settings, ddl=True) as con:
            frames = gate.frames(con, gate.DOCUMENT_SUITES + gate.MART_SUITES)
            report = validate_frames(frames, settings.expectations_dir, run_name=run_id)
            warehouse.add_validations(con, _validation_rows(run_id, report.rows))
        docs = build_docs(settings.expectations_dir)
    return OnDemandValidation(report.success, list(report.rows), str(docs))


def _flow_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None

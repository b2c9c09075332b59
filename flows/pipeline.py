"""The Prefect flow `summitry-etl`: one task per stage, each over a batch of documents."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows import warehouse
from flows.extract import Extraction, Reference, extract_from_clean
from flows.linking import link_documents
from flows.reading import SourceFile, UnreadableInput, content_type, decode, discover
from flows.settings import Settings, load_settings
from flows.transform import Loaded, raw_frame, staging_frames

BATCH_SIZE = 1000


@dataclass(slots=True)
class Plan:
    """What this run must do with each source file."""

    new: list[SourceFile] = field(default_factory=list)
    changed: list[SourceFile] = field(default_factory=list)
    unchanged: list[SourceFile] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # source paths gone from the folder

    @property
    def to_process(self) -> list[SourceFile]:
        return self.new + self.changed


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
    docs_quarantined: int = 0
    validation_success: bool | None = None
    failed_expectations: list[str] = field(default_factory=list)
    mart_rows: dict[str, int] = field(default_factory=dict)
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
            f"quarantined={self.docs_quarantined}",
            f"marts: {marts or 'none'}",
            f"validation: {validation}",
        ]
        lines += [f"  failed: {name}" for name in self.failed_expectations]
        if self.message:
            lines.append(f"message: {self.message}")
        return "\n".join(lines)


def _quarantine_row(
    run_id: str, path: str, doc_id: str | None, stage: str, reason: str, detail: str | None = None
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "source_path": path,
        "doc_id": doc_id,
        "stage": stage,
        "reason": reason,
        "detail": detail,
    }


@task(cache_policy=NO_CACHE)
def discover_files(source: Path, run_id: str) -> tuple[list[SourceFile], list[dict[str, Any]]]:
    """List and fingerprint the article files under the source folder."""
    if not source.is_dir():
        raise FileNotFoundError(f"source folder {source} does not exist")
    files, problems = discover(source)
    get_run_logger().info("discovered %d article files under %s", len(files), source)
    return files, [_quarantine_row(run_id, path, None, "discover", why) for path, why in problems]


@task(cache_policy=NO_CACHE)
def plan_changes(files: list[SourceFile], settings: Settings, full_refresh: bool) -> Plan:
    """Compare the folder with the warehouse: new, changed, unchanged and removed files."""
    with warehouse.session(settings.warehouse, settings.ddl_file) as con:
        current = warehouse.current_versions(con)
    plan = Plan(removed=sorted(set(current) - {f.rel_path for f in files}))
    for file in files:
        previous = current.get(file.rel_path)
        if previous is None:
            plan.new.append(file)
        elif previous != file.doc_id or full_refresh:
            plan.changed.append(file)
        else:
            plan.unchanged.append(file)
    return plan


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def read_and_decode(batch: Sequence[SourceFile], run_id: str) -> tuple[list[Loaded], list[dict]]:
    """Read each file's bytes again and decode them; unusable files go to quarantine."""
    loaded, rejected = [], []
    for file in batch:
        try:
            data = file.path.read_bytes()
            text, encoding = decode(data)
        except (OSError, UnreadableInput) as exc:
            rejected.append(_quarantine_row(run_id, file.rel_path, file.doc_id, "decode", str(exc)))
            continue
        kind = content_type(file.rel_path, text)
        loaded.append(Loaded(file.rel_path, file.doc_id, kind, file.byte_size, text, encoding))
    return loaded, rejected


@task(cache_policy=NO_CACHE)
def land_raw(batch: list[Loaded], settings: Settings, run_id: str) -> int:
    """Append new contents to the immutable raw layer."""
    frame = raw_frame(batch, run_id, warehouse.now())
    with warehouse.session(settings.warehouse) as con:
        return warehouse.append_raw(con, frame)


@task(cache_policy=NO_CACHE)
def clean(batch: list[Loaded], reference: Reference, run_id: str) -> tuple[list, list[dict]]:
    """Strip boilerplate and pull metadata out of each body."""
    from flows.cleaning import clean_document

    cleaned, rejected = [], []
    for item in batch:
        try:
            document = clean_document(item.text, item.content_type, reference.patterns)
        except Exception as exc:  # one bad article must not stop the batch
            rejected.append(_failure(run_id, item, "clean", exc))
            continue
        if not document.paragraphs:
            rejected.append(
                _quarantine_row(
                    run_id,
                    item.source_path,
                    item.doc_id,
                    "clean",
                    "no article text left after removing boilerplate",
                )
            )
            continue
        cleaned.append((item, document))
    return cleaned, rejected


@task(cache_policy=NO_CACHE)
def extract_batch(cleaned: list, reference: Reference, run_id: str) -> tuple[list, list[dict]]:
    """Find people, quotes, events and topics in each cleaned article."""
    extracted: list[tuple[Loaded, Extraction]] = []
    rejected = []
    for item, document in cleaned:
        try:
            extracted.append((item, extract_from_clean(document, reference)))
        except Exception as exc:  # one bad article must not stop the batch
            rejected.append(_failure(run_id, item, "extract", exc))
    return extracted, rejected


def _failure(run_id: str, item: Loaded, stage: str, exc: Exception) -> dict[str, Any]:
    return _quarantine_row(
        run_id,
        item.source_path,
        item.doc_id,
        stage,
        f"{stage} failed: {type(exc).__name__}",
        str(exc)[:2000],
    )


@task(cache_policy=NO_CACHE)
def transform(extracted: list[tuple[Loaded, Extraction]], run_id: str) -> dict[str, pl.DataFrame]:
    """Turn the batch's extractions into polars frames for the staging tables."""
    return staging_frames(extracted, run_id)


@task(cache_policy=NO_CACHE)
def land_staging(frames: dict[str, pl.DataFrame], paths: list[str], settings: Settings) -> None:
    """Replace the staging rows of every processed (or removed) source path."""
    with warehouse.session(settings.warehouse) as con:
        warehouse.replace_documents(con, frames, paths)


@task(cache_policy=NO_CACHE)
def link(settings: Settings, reference: Reference) -> dict[str, int]:
    """Link statements and meetings across all current documents; refresh reference tables."""
    with warehouse.session(settings.warehouse) as con:
        counts = link_documents(con, reference)
    get_run_logger().info("linked across documents: %s", counts)
    return counts


@task(cache_policy=NO_CACHE)
def build_models(settings: Settings) -> list[str]:
    """Build the SQL models in dependency order, then run the SQL audits."""
    from flows.sql_runner import build

    with warehouse.session(settings.warehouse) as con:
        result = build(con, settings.sql_dir)
    get_run_logger().info("built %d models in %.2fs", len(result.models), result.seconds)
    return list(result.models)


@task(cache_policy=NO_CACHE)
def validate(settings: Settings, run_id: str) -> tuple[bool, list[str]]:
    """Run the Great Expectations suites over staged documents and every mart."""
    from flows.validation import validate_frames

    with warehouse.session(settings.warehouse) as con:
        frames = {
            "documents": con.execute("select * from staging.documents").df(),
            **{
                mart: con.execute(f"select * from marts.{mart}").df() for mart in _validated_marts()
            },
        }
        report = validate_frames(frames, settings.expectations_dir)
        warehouse.add_validations(
            con,
            [
                {
                    "run_id": run_id,
                    "suite": row.suite,
                    "expectation": row.expectation,
                    "success": row.success,
                    "unexpected_count": row.unexpected_count,
                }
                for row in report.rows
            ],
        )
    failed = [f"{row.suite}: {row.expectation}" for row in report.rows if not row.success]
    return report.success, failed


def _validated_marts() -> tuple[str, ...]:
    return ("meetings", "quotes", "topics", "people")


@task(cache_policy=NO_CACHE)
def record_quarantine(rows: list[dict[str, Any]], settings: Settings) -> None:
    """Store rejected inputs with their reasons."""
    with warehouse.session(settings.warehouse) as con:
        warehouse.add_quarantine(con, rows)


def _batches(items: Sequence[SourceFile], size: int) -> Iterator[Sequence[SourceFile]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _process(plan: Plan, settings: Settings, reference: Reference, run_id: str) -> list[dict]:
    """Run the per-document stages over the files to process, batch by batch."""
    rejected: list[dict] = []
    for batch in _batches(plan.to_process, BATCH_SIZE):
        loaded, bad = read_and_decode(batch, run_id)
        land_raw(loaded, settings, run_id)
        cleaned, bad_clean = clean(loaded, reference, run_id)
        extracted, bad_extract = extract_batch(cleaned, reference, run_id)
        frames = transform(extracted, run_id)
        land_staging(frames, [file.rel_path for file in batch], settings)
        rejected += bad + bad_clean + bad_extract
    if plan.removed:
        land_staging({}, plan.removed, settings)
    return rejected


@flow(name="summitry-etl", log_prints=True)
def etl(
    source: str | None = None, warehouse_path: str | None = None, full_refresh: bool = False
) -> RunSummary:
    """discover -> read -> land raw -> clean -> extract -> transform -> land staging -> link
    -> build SQL models -> validate -> publish."""
    settings = load_settings(source=source, warehouse=warehouse_path)
    summary = RunSummary(run_id=uuid.uuid4().hex[:12])
    started = time.perf_counter()
    _start(settings, summary.run_id)
    try:
        _run_stages(settings, summary, full_refresh)
    except Exception as exc:
        summary.status, summary.message = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        summary.duration_s = time.perf_counter() - started
        _finish(settings, summary)
    return summary


def _run_stages(settings: Settings, summary: RunSummary, full_refresh: bool) -> None:
    reference = Reference.from_seeds(settings.seeds_dir)
    files, unreadable = discover_files(settings.source, summary.run_id)
    plan = plan_changes(files, settings, full_refresh)
    rejected = unreadable + _process(plan, settings, reference, summary.run_id)
    record_quarantine(rejected, settings)
    link(settings, reference)
    build_models(settings)
    summary.validation_success, summary.failed_expectations = validate(settings, summary.run_id)
    summary.docs_seen, summary.docs_new = len(files) + len(unreadable), len(plan.new)
    summary.docs_changed, summary.docs_unchanged = len(plan.changed), len(plan.unchanged)
    summary.docs_removed = len(plan.removed)
    summary.docs_quarantined = len({row["source_path"] for row in rejected})
    summary.status = "success" if summary.validation_success else "failed"
    if not summary.validation_success:
        summary.message = "blocking expectations failed"


def _start(settings: Settings, run_id: str) -> None:
    with warehouse.session(settings.warehouse, settings.ddl_file) as con:
        warehouse.start_run(con, run_id, _flow_run_id())


def _finish(settings: Settings, summary: RunSummary) -> None:
    with warehouse.session(settings.warehouse) as con:
        summary.mart_rows = warehouse.mart_counts(con)
        warehouse.finish_run(
            con,
            summary.run_id,
            summary.status,
            docs_seen=summary.docs_seen,
            docs_new=summary.docs_new,
            docs_changed=summary.docs_changed,
            docs_unchanged=summary.docs_unchanged,
            docs_removed=summary.docs_removed,
            docs_quarantined=summary.docs_quarantined,
            validation_success=summary.validation_success,
            message=summary.message,
        )


def _flow_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None

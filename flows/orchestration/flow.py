"""The Prefect flow `summitry-etl`, read top to bottom as the data flow.

Each step is a task in `tasks.py`; run bookkeeping is in `runs.py`, the per-document work
the worker pool runs in `stages.py`, validate-and-quarantine in `checks.py`.
"""

# No `from __future__ import annotations` here: a served run ships `etl` to a subprocess with
# cloudpickle, and Prefect then validates its parameters from the annotations, which must be
# objects (a string like "Progress | None" would need this module's globals).
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from prefect import flow, get_run_logger
from prefect.states import Completed, Failed, State

from flows.load.lock import RunInProgress, run_lock
from flows.orchestration import runs
from flows.orchestration.artifacts import report
from flows.orchestration.checks import warm_up_validation
from flows.orchestration.dask_executor import DaskPool, open_pool
from flows.orchestration.parallel import Pending, Workers
from flows.orchestration.processes import Pidfile
from flows.orchestration.skips import note_skipped
from flows.orchestration.summary import (
    STAGE_SECONDS,
    Plan,
    Rejected,
    RunSummary,
    duplicates,
)
from flows.orchestration.tasks import (
    build_data_docs,
    build_models,
    clean_extract,
    discover_files,
    gate_documents,
    gate_marts,
    land_raw,
    land_staging,
    link,
    opaque,
    plan_changes,
    publish,
    read_and_decode,
    record_quarantine,
    submit_clean_extract,
    submit_read,
    transform,
)
from flows.settings import Settings, load_settings

if TYPE_CHECKING:
    from flows.extract.article import Reference

BATCH_SIZE = 1000
T = TypeVar("T")
# Called with (documents done, documents to do) after each batch, e.g. to draw a progress bar.
Progress = Callable[[int, int], None]


@flow(name="summitry-etl", log_prints=True)
def etl(
    source: str | None = None,
    warehouse_path: str | None = None,
    full_refresh: bool = False,
    lock_wait_s: float | None = None,
    progress: Progress | None = None,
    executor: str | None = None,
) -> State:
    """discover -> plan -> read -> land raw -> clean -> extract -> transform -> land staging
    -> validate documents -> link -> build SQL models -> validate marts -> publish."""
    settings = load_settings(
        source=source, warehouse=warehouse_path, lock_wait_s=lock_wait_s, executor=executor
    )
    # The cluster (if any) is reached and its workers checked before anything is written;
    # then the run lock, meta.runs, publish on success, artifacts.
    with open_pool(settings) as remote, _recorded(settings) as summary:
        if summary.status == "skipped":  # another run holds the warehouse
            return _state(summary)
        run_id = summary.run_id
        files, unreadable = discover_files(settings, run_id, full_refresh)
        plan = plan_changes(opaque(files), settings, full_refresh)
        summary.inputs_fingerprint = runs.inputs_fingerprint(settings)
        same_inputs = runs.last_fingerprint(settings) == summary.inputs_fingerprint
        current = same_inputs and not plan.touches_documents and settings.warehouse.exists()
        # ... and no run before this one left changes unpublished (killed after landing them)
        current = current and not runs.unpublished_changes(settings)
        if not current:  # documents will be validated: GX loads while they are processed
            warm_up_validation(settings)
        reference = None if current else _reference(settings)
        pidfile = runs.pidfile(settings)
        processed = _process(plan, settings, reference, run_id, progress, pidfile, remote)
        rejected = unreadable + duplicates(plan, run_id) + processed
        record_quarantine(opaque(rejected), settings, run_id)
        summary.count(files, unreadable, plan, rejected)
        if reference is None:  # `current`
            get_run_logger().info("nothing changed since the last published run; marts are current")
            summary.mark_up_to_date()
        else:
            # New seeds, SQL or code may change any row: then everything is linked, built,
            # validated and published again; otherwise only what this run (or a failed one
            # before it) changed.
            full = full_refresh or not same_inputs or not settings.warehouse.exists()
            documents = gate_documents(settings, run_id, not full)
            link(settings, opaque(reference), full=full)
            broken_audits = build_models(settings, full)
            marts = gate_marts(settings, run_id, not full) if not broken_audits else (True, [], 0)
            summary.data_docs = build_data_docs(settings, run_id, not full)
            # Quarantining mart rows edits other rows in place (counts, speakers): publish whole.
            summary.conclude(documents, broken_audits, marts, not full and not marts[2])
    return _state(summary)


def _reference(settings: Settings) -> "Reference":
    """The reference data from seeds/ (with the extraction code: a no-op loads neither)."""
    from flows.extract import article

    return article.Reference.from_seeds(settings.seeds_dir)


def _process(
    plan: Plan,
    settings: Settings,
    reference: "Reference | None",
    run_id: str,
    progress: Progress | None,
    pidfile: Pidfile,
    remote: DaskPool | None,
) -> list[Rejected]:
    """Run the per-document stages over the files to process, batch by batch: read them and
    count their lines; recompute the touched folders' page templates; then clean (with the
    documents a template change marked), extract and land."""
    rejected: list[Rejected] = []
    if reference is None:  # nothing changed since the last publish
        return rejected
    from flows.orchestration import templates

    decoded: set[str] = set()  # source paths
    fresh: set[str] = set()  # doc_ids this run added to the raw layer
    parallel = len(plan.to_process) >= settings.parallel_min_docs
    # A session held open while the documents land: the tasks' sessions share its database,
    # so closing one does not checkpoint the work file (DuckDB checkpoints as its log grows).
    with (
        runs.work(settings),
        Workers(reference, settings.seeds_dir, settings.workers, parallel, remote, pidfile) as pool,
    ):
        workers = opaque(pool)
        # Each batch is read, decoded and its line keys taken on the workers while the flow
        # lands the one before it.
        reading: tuple[Pending, list[str]] | None = None
        for batch in _batches(plan.to_process, BATCH_SIZE):
            started = submit_read(opaque(batch), workers, settings, run_id)
            if reading is not None:
                rejected += _land_read(*reading, decoded, fresh, settings, run_id)
            reading = (started, [file.rel_path for file in batch])
        if reading is not None:
            rejected += _land_read(*reading, decoded, fresh, settings, run_id)
        if plan.removed:
            templates.count_lines([], plan.removed, [], settings)
        pending = templates.update_templates(opaque(plan), workers, settings)
        decoded.update(path for path, _ in pending)
        todo = [(file.rel_path, file.doc_id) for file in plan.to_process] + pending
        done, total = 0, len(todo)
        # What this run landed is read again from disk by the workers, not from the raw layer.
        on_disk = {
            (file.rel_path, file.doc_id): file.location
            for file in plan.to_process
            if file.doc_id in fresh and pool.local
        }
        # Each batch is cleaned and extracted on the workers while the flow lands the one
        # before it and reads the one after.
        previous: tuple[Pending, Sequence[tuple[str, str]]] | None = None
        for part in _batches(todo, BATCH_SIZE):
            loaded = templates.reload(
                [item for item in part if item[0] in decoded], settings, opaque(on_disk)
            )
            started = submit_clean_extract(opaque(loaded), workers, run_id, settings)
            if previous is not None:
                rejected += _land(previous[0], previous[1], run_id, settings)
                done += len(previous[1])
                _progress(done, total, progress)
            previous = (started, part)
        if previous is not None:
            rejected += _land(previous[0], previous[1], run_id, settings)
            _progress(total, total, progress)
    if plan.removed:
        land_staging(opaque({}), opaque(plan.removed), settings)
    return rejected


def _land_read(
    started: Pending,
    paths: list[str],
    decoded: set[str],
    fresh: set[str],
    settings: Settings,
    run_id: str,
) -> list[Rejected]:
    """Wait for a batch's decoded files and line keys; land them in the raw layer (`fresh`
    gets the doc_ids added) and the template line counts (`paths`: the batch's files,
    counted again)."""
    from flows.orchestration import templates

    loaded, keys, rejected = read_and_decode(opaque(started))
    fresh.update(land_raw(opaque(loaded), settings, run_id))
    templates.count_lines(opaque(loaded), paths, opaque(keys), settings)
    decoded.update(item.source_path for item in loaded)
    return rejected


def _land(
    started: Pending, part: Sequence[tuple[str, str]], run_id: str, settings: Settings
) -> list[Rejected]:
    """Wait for a batch's staging frames and replace its documents' staging rows."""
    extracted, rejected = clean_extract(opaque(started))
    frames = transform(opaque(extracted), run_id)
    land_staging(opaque(frames), opaque([path for path, _ in part]), settings)
    return rejected


def _progress(done: int, total: int, progress: Progress | None) -> None:
    get_run_logger().info("processed %d/%d documents", done, total)
    if progress is not None:
        progress(done, total)


def _batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextmanager
def _recorded(settings: Settings) -> Iterator[RunSummary]:
    """Hold the run lock and record the run in meta.runs; when the block succeeds, publish
    (write, audit, publish); in any case attach the artifacts. When another run holds the
    lock, the summary comes back as "skipped" (noted for meta.runs) and nothing else runs."""
    summary = RunSummary(run_id=runs.new_run_id())
    started = time.perf_counter()
    try:
        held = run_lock(settings.warehouse, settings.lock_wait_s)
        held.__enter__()
    except RunInProgress as exc:
        summary.status, summary.message = "skipped", str(exc)
        summary.run_id = note_skipped(settings.warehouse, str(exc), runs.flow_run_id())
        get_run_logger().warning("skipped: %s", exc)
        yield summary
        return
    timings = STAGE_SECONDS.set(summary.stage_seconds)
    try:
        summary.message = runs.start(settings, summary.run_id)
        yield summary
    except Exception as exc:
        summary.status, summary.message = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        summary.duration_s = time.perf_counter() - started
        try:
            _finish(settings, summary)
            report(settings, summary)
        finally:
            STAGE_SECONDS.reset(timings)
            held.__exit__(None, None, None)


def _finish(settings: Settings, summary: RunSummary) -> None:
    """Publish a successful run that changed something; record the outcome."""
    if summary.status == "success" and not summary.up_to_date:
        try:
            summary.mart_rows, summary.docs_published = publish(settings, summary.incremental)
            summary.published = True
        except Exception as exc:
            summary.status, summary.message = "failed", f"publish failed: {exc}"
            runs.finish(settings, summary)
            raise
    else:
        summary.mart_rows = runs.current_mart_rows(settings, published=summary.up_to_date)
    runs.finish(settings, summary)


def _state(summary: RunSummary) -> State:
    """The flow run's final state: Completed (published, up to date or skipped) or Failed."""
    if summary.status == "skipped":
        return Completed(name="Skipped", message=summary.message, data=summary)
    if summary.status != "success":
        return Failed(message=summary.message, data=summary)
    return Completed(message="up to date" if summary.up_to_date else "published", data=summary)

"""Validate and quarantine: run the GX suites over staged documents or marts, move failing
rows to quarantine, and record every expectation's result in meta.validations."""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prefect import get_run_logger

from flows.load import warehouse
from flows.load.lock import run_lock
from flows.load.transform import rejected_frame
from flows.orchestration.runs import work
from flows.quality import gate
from flows.settings import Settings

# Rows GX validates at once: a whole mart at 100k articles doubled the run's peak memory.
VALIDATION_SLICE_ROWS = 50_000


def warm_up_validation(settings: Settings) -> threading.Thread:
    """Import Great Expectations and open the project's data context on a background thread,
    while the run reads and extracts: the first validation then finds them ready instead of
    paying ~2 s (most of a run that adds one article) for them. Nothing is validated here;
    a failure is left for the validation itself to report."""

    def load() -> None:
        try:
            from flows.quality.validation import warm_up

            warm_up(settings.expectations_dir)
        except Exception:  # reported by the validation that needs the context
            return

    thread = threading.Thread(target=load, name="gx-warm-up", daemon=True)
    thread.start()
    return thread


def validate_and_quarantine(
    settings: Settings, run_id: str, suites: tuple[str, ...], changed_only: bool
) -> tuple[bool, list[str], int]:
    from flows.quality.validation import validate_frames

    results: list[Any] = []
    failures: list[Any] = []
    found: dict[tuple[str, tuple[Any, ...]], gate.Rejection] = {}
    with work(settings) as con:
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
        warehouse.add_validations(con, validation_rows(run_id, results))
        gate.record(con, run_id, rejections)
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


def validation_rows(run_id: str, rows: Sequence[Any]) -> list[dict[str, Any]]:
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


@dataclass(slots=True)
class OnDemandValidation:
    """Outcome of `summitry validate`."""

    success: bool
    rows: list[Any]
    data_docs: str


def validate_now(settings: Settings) -> OnDemandValidation:
    """Re-run every suite over the current staged documents and marts (no quarantine)."""
    from flows.quality.validation import validate_frames

    run_id = "validate-" + uuid.uuid4().hex[:8]
    with run_lock(settings.warehouse, settings.lock_wait_s):
        with work(settings, ddl=True) as con:
            frames = gate.frames(con, gate.DOCUMENT_SUITES + gate.MART_SUITES)
            report = validate_frames(frames, settings.expectations_dir, run_name=run_id)
            warehouse.add_validations(con, validation_rows(run_id, report.rows))
        docs = copy_data_docs(settings)
    return OnDemandValidation(report.success, list(report.rows), docs)


def copy_data_docs(settings: Settings, run_id: str | None = None) -> str:
    """Build the GX Data Docs (only run `run_id`'s results, when given) and copy the site
    beside this warehouse (the GX project is shared by every warehouse); returns the copy's
    index.html."""
    from flows.quality.validation import build_data_docs as build_docs

    index = build_docs(settings.expectations_dir, run_id)
    target = settings.data_docs_folder
    shutil.copytree(index.parent, target, dirs_exist_ok=True)
    return str(target / index.name)

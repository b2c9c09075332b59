"""Prefect artifacts of a run, as markdown tables: the summary with rows per mart and stage
timings, the validation outcome with a link to the Data Docs, the quarantined files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.load import warehouse
from flows.orchestration.runs import work
from flows.orchestration.summary import RunSummary
from flows.settings import Settings

MAX_QUARANTINE_ROWS = 200  # the artifact lists this many; meta.quarantine has them all


@task(cache_policy=NO_CACHE)
def report(settings: Settings, summary: RunSummary) -> None:
    """Three markdown artifacts: summitry-run-summary, summitry-validation and
    summitry-quarantine."""
    with work(settings) as con:
        quarantined = warehouse.read_frame(
            con,
            "select source_path, stage, reason, action from meta.quarantine where run_id = ? "
            "order by source_path",
            [summary.run_id],
        ).rows()
    description = f"Run {summary.run_id}"
    create_markdown_artifact(
        run_markdown(summary), key="summitry-run-summary", description=description
    )
    create_markdown_artifact(
        validation_markdown(summary), key="summitry-validation", description=description
    )
    create_markdown_artifact(
        quarantine_markdown(quarantined), key="summitry-quarantine", description=description
    )


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A markdown table; `|` and line breaks in cells are escaped."""

    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def run_markdown(summary: RunSummary) -> str:
    """The run's outcome, its document counts, rows per mart and seconds per stage."""
    outcome = summary.status + (" (up to date: nothing changed)" if summary.up_to_date else "")
    counts = [
        ("documents seen", summary.docs_seen),
        ("new", summary.docs_new),
        ("changed", summary.docs_changed),
        ("unchanged", summary.docs_unchanged),
        ("removed", summary.docs_removed),
        ("duplicate", summary.docs_duplicate),
        ("quarantined (files)", summary.docs_quarantined),
        ("quarantined (records, by validation)", summary.records_quarantined),
        ("published (new or changed documents)", summary.docs_published),
    ]
    parts = [
        f"## Run {summary.run_id}: {outcome} in {summary.duration_s:.1f} s",
        "published" if summary.published else "nothing published",
    ]
    if summary.message:
        parts.append(f"**Message:** {summary.message}")
    parts += ["### Documents", table(("measure", "count"), counts)]
    if summary.mart_rows:
        parts += ["### Rows per mart", table(("mart", "rows"), list(summary.mart_rows.items()))]
    if summary.stage_seconds:
        stages = [(name, f"{seconds:.2f}") for name, seconds in summary.stage_seconds.items()]
        parts += ["### Seconds per stage", table(("stage", "seconds"), stages)]
    return "\n\n".join(parts)


def validation_markdown(summary: RunSummary) -> str:
    """Passed or failed, the blocking failures, and the Data Docs as a link."""
    outcome = {True: "passed", False: "FAILED", None: "not run"}[summary.validation_success]
    parts = [
        f"## Validation {outcome}",
        f"{summary.records_quarantined} records quarantined.",
    ]
    if summary.failed_expectations:
        failed = [(name,) for name in summary.failed_expectations]
        parts += ["### Blocking failures", table(("expectation",), failed)]
    if summary.data_docs:
        parts.append(f"[Data Docs]({Path(summary.data_docs).as_uri()})")
    return "\n\n".join(parts)


def quarantine_markdown(rows: Sequence[Sequence[Any]]) -> str:
    """The files and records this run quarantined, with the reasons."""
    if not rows:
        return "## Quarantine\n\nNothing quarantined in this run."
    shown = rows[:MAX_QUARANTINE_ROWS]
    more = len(rows) - len(shown)
    parts = [
        f"## Quarantine: {len(rows)} entries",
        table(("source path", "stage", "reason", "action"), shown),
    ]
    if more:
        parts.append(f"... and {more} more in meta.quarantine.")
    return "\n\n".join(parts)

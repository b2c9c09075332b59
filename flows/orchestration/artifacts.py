"""Prefect artifacts of a run: its summary, the validation outcome, the quarantine list."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.load import warehouse
from flows.orchestration.runs import work
from flows.orchestration.summary import RunSummary
from flows.settings import Settings


@task(cache_policy=NO_CACHE)
def report(settings: Settings, summary: RunSummary) -> None:
    """Prefect artifacts: the run summary, the validation outcome, the quarantine list."""
    with work(settings) as con:
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

"""`summitry verify`: the order-independence invariant checked on a user's own warehouse.

The published marts must equal a full build of the same current source files, whatever
order the files arrived in, in what batches, and whatever runs were interrupted. This
builds the sources again from nothing into a temporary file (a real flow run, the same
seeds, SQL and code) and compares every mart with the published one, row for row.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from flows.load.compare import MartDifference, compare_marts
from flows.settings import Settings


@dataclass(slots=True)
class Verification:
    """Outcome of `summitry verify`."""

    marts: list[MartDifference]
    message: str | None = None  # set when the rebuild itself failed

    @property
    def identical(self) -> bool:
        return self.message is None and all(mart.identical for mart in self.marts)

    def render(self) -> str:
        if self.message is not None:
            return f"rebuild failed: {self.message}"
        lines = [
            f"{d.mart}: {d.only_here + d.only_there} rows differ "
            f"({d.only_here} only published, {d.only_there} only rebuilt; "
            f"{d.rows} published, {d.other_rows} rebuilt)"
            for d in self.marts
        ]
        verdict = "identical" if self.identical else "DIFFERENT"
        return "\n".join([*lines, f"published marts and a full rebuild: {verdict}"])


def verify(settings: Settings) -> Verification:
    """Rebuild settings.source into a temporary warehouse and compare its marts with the
    ones published at settings.warehouse."""
    from flows.orchestration.serving import api_for_run, wait_ready

    if not settings.warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {settings.warehouse}: run `summitry run` first")
    with (
        tempfile.TemporaryDirectory(prefix="summitry-verify-") as folder,
        api_for_run(settings.prefect_port) as api_url,  # as `summitry run` finds its API
    ):
        from flows.orchestration.flow import etl  # imports Prefect, now pointed at the API
        from flows.orchestration.summary import RunSummary

        if api_url is not None:
            wait_ready(api_url)
        rebuilt = Path(folder) / "rebuilt.duckdb"
        state = etl(
            str(settings.source), str(rebuilt), True, executor=settings.executor, return_state=True
        )
        summary = state.result(raise_on_failure=False)
        if not isinstance(summary, RunSummary) or summary.status != "success":
            message = summary.message if isinstance(summary, RunSummary) else state.message
            return Verification([], str(message))
        return Verification(compare_marts(settings.warehouse, rebuilt))

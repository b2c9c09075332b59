"""The records a run passes between its steps: the plan, rejected inputs, the run summary."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from flows.ingest.reading import SourceFile

# Seconds per task of the run in progress (RunSummary.stage_seconds), set by the flow.
STAGE_SECONDS: ContextVar[dict[str, float] | None] = ContextVar("stage_seconds", default=None)


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

    @property
    def touches_documents(self) -> bool:
        """True when a file is to be (re)processed or removed."""
        return bool(self.new or self.changed or self.removed)


@dataclass(slots=True)
class Rejected:
    """A file that could not be loaded, with its bytes kept (when readable)."""

    row: dict[str, Any]  # meta.quarantine row
    content: bytes | None = None


def quarantine_row(
    run_id: str,
    path: str | None,
    doc_id: str | None,
    stage: str,
    reason: str,
    detail: str | None = None,
    action: str = "rejected",
) -> dict[str, Any]:
    """A meta.quarantine row."""
    return {
        "run_id": run_id,
        "source_path": path,
        "doc_id": doc_id,
        "stage": stage,
        "reason": reason,
        "detail": detail,
        "action": action,
    }


def duplicates(plan: Plan, run_id: str) -> list[Rejected]:
    """Files whose bytes another file already holds: loaded once, the others noted."""
    return [
        Rejected(
            quarantine_row(
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
    docs_published: int = 0  # documents new or changed in the published marts
    up_to_date: bool = False  # nothing changed since the last published run: no work done
    incremental: bool = False  # models, validation and publish covered only changed keys
    inputs_fingerprint: str | None = None
    data_docs: str | None = None
    duration_s: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)  # task name -> seconds
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
            + ("" if self.published or self.up_to_date else " (not published)")
            + (f" ({self.docs_published} new or changed documents)" if self.published else ""),
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

    def count(
        self,
        files: list[SourceFile],
        unreadable: list[Rejected],
        plan: Plan,
        rejected: list[Rejected],
    ) -> None:
        """Fill the document counters from the plan and what was rejected."""
        self.docs_seen = len(files) + len(unreadable)
        self.docs_new, self.docs_changed = len(plan.new), len(plan.changed)
        self.docs_unchanged, self.docs_removed = len(plan.unchanged), len(plan.removed)
        self.docs_duplicate = len(plan.duplicates)
        self.docs_quarantined = len(
            {item.row["source_path"] for item in rejected if item.row["action"] == "rejected"}
        )

    def mark_up_to_date(self) -> None:
        """Nothing changed since the last published run: the marts are current."""
        self.status, self.up_to_date, self.validation_success = "success", True, True

    def conclude(
        self,
        documents: tuple[bool, list[str], int],
        broken_audits: list[str],
        marts: tuple[bool, list[str], int],
        incremental: bool,
    ) -> None:
        """The outcome from the document gate, the SQL audits and the mart gate; each gate
        gives (passed, blocking failures, records quarantined)."""
        self.incremental = incremental
        self.validation_success = documents[0] and marts[0] and not broken_audits
        self.failed_expectations = documents[1] + broken_audits + marts[1]
        self.records_quarantined = documents[2] + marts[2]
        if self.validation_success:
            self.status = "success"
        else:
            self.status = "failed"
            self.message = "blocking expectations failed; the last good marts stay published"

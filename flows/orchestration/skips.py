"""Runs refused because another run held the warehouse: noted in a folder beside it (the
work file is the other run's while it runs), then moved into meta.runs by the next run that
holds the lock. No Prefect import: `summitry run` notes its refusal before Prefect starts."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _folder(published: Path) -> Path:
    return published.with_name(published.name + ".skipped")


def note_skipped(published: Path, message: str, flow_run_id: str | None = None) -> str:
    """Record a refused run; returns its run id."""
    run_id = uuid.uuid4().hex[:12]
    now = datetime.now(UTC).replace(tzinfo=None).isoformat()
    row = {
        "run_id": run_id,
        "flow_run_id": flow_run_id,
        "started_at": now,
        "finished_at": now,
        "status": "skipped",
        "message": message,
    }
    folder = _folder(published)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{run_id}.partial"
    partial.write_text(json.dumps(row), encoding="utf-8")
    os.replace(partial, folder / f"{run_id}.json")
    return run_id


def fold_skipped(published: Path, store: Callable[[list[dict[str, Any]]], None]) -> int:
    """Hand the refused runs noted so far to `store` (which writes them to meta.runs), then
    forget them. Call while holding the run lock. Returns how many there were."""
    folder = _folder(published)
    if not folder.is_dir():
        return 0
    rows: list[dict[str, Any]] = []
    paths = sorted(folder.glob("*.json"))
    for path in paths:
        try:
            row = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        row["started_at"] = datetime.fromisoformat(row["started_at"])
        row["finished_at"] = datetime.fromisoformat(row["finished_at"])
        rows.append(row)
    if rows:
        store(rows)
    for path in paths:
        path.unlink(missing_ok=True)
    return len(rows)

"""Keeping readers read-only: the published file's mode, and what a writer's lock means.

A DuckDB connection opened for writing takes an exclusive lock on the file: every other
reader then fails with "Could not set lock on file". Readers must connect read-only
(README, "Connect a BI tool"). The pipeline helps them:
- the published file is made read-only (mode 0444) before it is renamed into place, so a
  tool run by an ordinary user cannot open it for writing at all (root still can);
- a lock held by a writer is reported as `WriterHoldsLock`, naming the process, instead of
  DuckDB's bare IO error.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

READ_ONLY_MODE = 0o444
_HOLDER = re.compile(r"Conflicting lock is held in (?P<process>.+?) \(PID (?P<pid>\d+)\)")
HOW_TO_READ = (
    "connect read-only: duckdb.connect(path, read_only=True), `duckdb -readonly path`, "
    "or the SQLAlchemy URL duckdb+summitry:///path (read-only by default) or "
    "duckdb:///path?access_mode=read_only"
)


class WriterHoldsLock(RuntimeError):
    """Another process holds the published file open for writing."""

    def __init__(self, path: Path, process: str, pid: int | None) -> None:
        self.path, self.process, self.pid = path, process, pid
        who = f"{process} (pid {pid})" if pid else process
        super().__init__(
            f"{who} holds {path} open for writing, which locks out every reader; "
            f"stop it or reconnect it read-only. Readers must {HOW_TO_READ}"
        )


def lock_holder(error: BaseException, path: Path) -> WriterHoldsLock | None:
    """`error` as WriterHoldsLock when it is DuckDB's "Could not set lock", else None."""
    text = str(error)
    if "Could not set lock" not in text:
        return None
    match = _HOLDER.search(text)
    if match is None:
        return WriterHoldsLock(path, "another process", None)
    return WriterHoldsLock(path, match["process"], int(match["pid"]))


def writer_on(path: Path) -> WriterHoldsLock | None:
    """The process holding `path` open for writing, if any (probed with a read-only attach)."""
    if not path.exists():
        return None
    import duckdb  # here, not at the top: the CLI's busy check imports this module

    con = duckdb.connect()
    try:
        con.execute("attach '" + str(path).replace("'", "''") + "' as probe (read_only)")
    except duckdb.Error as exc:
        return lock_holder(exc, path)
    finally:
        con.close()
    return None


def seal(path: Path) -> None:
    """Make a file about to be published read-only for everyone."""
    os.chmod(path, READ_ONLY_MODE)

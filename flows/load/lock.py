"""The run lock: one writing run per warehouse, scheduled or by hand.

Imports nothing heavy, so `summitry run` can refuse a busy warehouse before loading DuckDB,
polars or Prefect.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RunInProgress(RuntimeError):
    """Another run holds the warehouse's run lock."""


_HELD_LOCKS: set[Path] = set()  # run locks this process holds


@contextmanager
def run_lock(published: Path, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's run lock: one writing run at a time, scheduled or by hand.

    An OS file lock (flock) is released by the kernel when its process dies, so a run killed
    with SIGKILL never leaves a stale lock behind. Within one process the lock is reentrant:
    `summitry run` takes it before starting Prefect, then the flow takes it again.
    """
    published.parent.mkdir(parents=True, exist_ok=True)
    lock_path = published.with_name(published.name + ".lock").resolve()
    if lock_path in _HELD_LOCKS:
        yield
        return
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, lock_path, wait_s)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        _HELD_LOCKS.add(lock_path)
        yield
    finally:
        _HELD_LOCKS.discard(lock_path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(fd: int, lock_path: Path, wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = lock_path.read_text(encoding="utf-8").strip() or "unknown"
                raise RunInProgress(
                    f"another run (pid {holder}) is writing this warehouse; "
                    "try again when it finishes, or pass --wait SECONDS"
                ) from None
            time.sleep(0.2)

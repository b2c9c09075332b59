"""Child processes that never outlive their run, even when it is killed with SIGKILL.

Three layers (Linux; elsewhere only the last one works):
- a server the run starts gets a parent-death signal (prctl PR_SET_PDEATHSIG);
- a worker process watches its parent and exits when it is gone (a thread polling the
  parent pid: a parent-death signal would fire when the *thread* that spawned the worker
  ends, and Prefect may run tasks on threads);
- every run writes the processes it started to a pidfile beside the warehouse; the next run
  kills any of them still alive (same pid *and* start time, so never a recycled pid) and
  reports them.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

PR_SET_PDEATHSIG = 1
WATCH_INTERVAL_S = 0.5


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask the kernel to send `sig` to this process when its parent dies (Linux only).
    Meant as a subprocess `preexec_fn`, run in the child between fork and exec."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)


def exit_when_orphaned(parent_pid: int, interval_s: float = WATCH_INTERVAL_S) -> None:
    """Exit this process as soon as `parent_pid` is no longer its parent (it died)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval_s)
        os._exit(70)

    if os.getppid() != parent_pid:
        os._exit(70)
    threading.Thread(target=watch, name="exit-when-orphaned", daemon=True).start()


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (None when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


def command_line(pid: int) -> str:
    """The process's command line, shortened (empty when it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()[:120]


def descendants(pid: int | None = None) -> list[int]:
    """Every living descendant of `pid` (default: this process), parents first."""
    root = os.getpid() if pid is None else pid
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    pending = [root]
    while pending:
        for child in children.get(pending.pop(0), []):
            found.append(child)
            pending.append(child)
    return found


class Pidfile:
    """The processes a run started, so the next run can clean up after a crash."""

    def __init__(self, path: Path):
        self.path = path

    def _read(self) -> dict[int, int]:
        try:
            return {int(pid): int(started) for pid, started in json.loads(self.path.read_text())}
        except (OSError, ValueError, TypeError):
            return {}

    def _write(self, entries: dict[int, int]) -> None:
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(sorted(entries.items())))
        os.replace(partial, self.path)

    def remember_children(self) -> None:
        """Add every current descendant of this process."""
        entries = self._read()
        for pid in descendants():
            started = start_time(pid)
            if started is not None:
                entries[pid] = started
        self._write(entries)

    def reap(self, log: Callable[[str], None] | None = None) -> list[str]:
        """Kill what an earlier run left running; returns one line per process killed.
        Processes of this one (itself and its descendants) are kept."""
        ours = {os.getpid(), *descendants()}
        left: dict[int, int] = {}
        killed: list[str] = []
        for pid, started in self._read().items():
            if start_time(pid) != started:
                continue  # gone, or the pid now belongs to another process
            if pid in ours:
                left[pid] = started
                continue
            what = command_line(pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                continue
            killed.append(f"pid {pid} ({what})")
            if log is not None:
                log(f"killed pid {pid} left running by an interrupted run: {what}")
        self._write(left)
        return killed

    def clear(self) -> None:
        """The run ended normally: nothing of it is left to reap."""
        self.path.unlink(missing_ok=True)

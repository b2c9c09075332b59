"""Spread the CPU-bound per-document stages (cleaning, extraction) over every core.

A batch is cut into chunks that worker processes handle with their own copy of the
reference data (loaded once per worker). Small batches stay in-process: starting workers
costs about two seconds, more than a few hundred articles take.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from flows.orchestration.processes import Pidfile, exit_when_orphaned

if TYPE_CHECKING:
    from flows.extract.article import Reference

if TYPE_CHECKING:
    from flows.orchestration.dask_executor import DaskPool

T = TypeVar("T")
Stage = Callable[..., tuple[list[Any], list[Any]]]

_WORKER_REFERENCE: Reference | None = None


def _start_worker(seeds_dir: str, parent_pid: int) -> None:
    """A worker's set-up: die with the run (even a SIGKILLed one), load the reference data."""
    global _WORKER_REFERENCE
    exit_when_orphaned(parent_pid)
    from flows.extract.article import Reference

    _WORKER_REFERENCE = Reference.from_seeds(Path(seeds_dir))


def _run_in_worker(stage: Stage, chunk: Sequence[Any], args: tuple[Any, ...]) -> tuple[list, list]:
    assert _WORKER_REFERENCE is not None, "worker started without its reference data"
    return stage(chunk, _WORKER_REFERENCE, *args)


class Pending:
    """A stage's (done, rejected) being computed; `result()` waits for it (once)."""

    def __init__(self, gather: Callable[[], tuple[Sequence, list]]) -> None:
        self._gather: Callable[[], tuple[Sequence, list]] | None = gather
        self._result: tuple[Sequence, list] | None = None

    def result(self) -> tuple[Sequence, list]:
        if self._gather is not None:
            self._result, self._gather = self._gather(), None
        assert self._result is not None
        return self._result


class Workers:
    """A process pool for one run (or none, or a Dask cluster), used as a context manager."""

    def __init__(
        self,
        reference: Reference,
        seeds_dir: Path,
        workers: int,
        enabled: bool,
        remote: DaskPool | None = None,
        pidfile: Pidfile | None = None,
    ):
        self.reference = reference
        self.size = max(1, workers)
        self._pool: Executor | None = None
        self._remote = remote  # the executor is a Dask cluster (dask_executor.py)
        self._pidfile = pidfile  # the workers are written to it once started
        if enabled and self.size > 1 and remote is None:
            # spawn, not fork: the parent runs Prefect's threads, and forking a threaded
            # process can deadlock the child on a lock held by another thread.
            self._pool = ProcessPoolExecutor(
                self.size,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(str(seeds_dir), os.getpid()),
            )

    @property
    def parallel(self) -> bool:
        """True when stages run in worker processes."""
        return self._pool is not None or self._remote is not None

    @property
    def local(self) -> bool:
        """True when stages run on this machine (in-process or in worker processes), which
        sees the source folder; a Dask cluster's workers may not."""
        return self._remote is None

    def map(self, stage: Stage, items: Sequence[Any], *args: Any) -> tuple[Sequence, list]:
        """stage(items, reference, *args) -> (done, rejected), split over the workers."""
        return self.submit(stage, items, *args).result()

    def submit(self, stage: Stage, items: Sequence[Any], *args: Any) -> Pending:
        """Start `map` and return at once: the workers compute while the caller does other
        work (lands the previous batch, reads the next); `result()` waits. In-process or on a
        Dask cluster, the stage runs when the result is asked for."""
        if self._remote is not None and len(items):
            remote = self._remote
            return Pending(lambda: remote.map(stage, items, *args))
        if self._pool is None or len(items) < 2:
            return Pending(lambda: stage(items, self.reference, *args))
        step = max(1, -(-len(items) // (self.size * 4)))  # a few chunks per worker
        chunks = [items[start : start + step] for start in range(0, len(items), step)]
        futures = [self._pool.submit(_run_in_worker, stage, chunk, args) for chunk in chunks]
        if self._pidfile is not None:  # the pool starts its processes on submit
            self._pidfile.remember_children()
            self._pidfile = None

        def gather() -> tuple[list, list]:
            done: list = []
            rejected: list = []
            for future in futures:  # in submission order: results keep the batch's order
                part_done, part_rejected = future.result()
                done += part_done
                rejected += part_rejected
            return done, rejected

        return Pending(gather)

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

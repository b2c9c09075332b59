"""Cleaning and extraction on a Dask cluster: the `Workers.map` seam over a `distributed.Client`.

`SUMMITRY_EXECUTOR` / `--executor` chooses where the per-document stages run:

- `local`: the process pool of `parallel.py` (the default);
- `dask://HOST:PORT`: the workers of an existing Dask scheduler;
- `dask-local`: a `distributed.LocalCluster` of worker processes started for the run.

The Prefect tasks still run in the flow: `clean_extract` submits a batch's chunks to the
cluster and waits for them, so Prefect's timings are the cluster's. Everything that writes stays
in the flow process. A chunk of decoded articles crosses the network once; it is cleaned and
extracted where it lies (`stages.clean_extract_frames`), and the chunk's staging frames come
back (polars, Arrow buffers), never per-document Python objects.

Each worker loads the reference seeds once, from its own install, and computes the inputs
fingerprint of its own code and seeds; a run refuses a cluster whose workers differ from the
flow before it writes anything, and every chunk checks again (a worker may join mid-run).
A worker lost mid-chunk is not an error: the scheduler reruns the chunk, and the cleaned
documents it held, on another worker. The stages are pure, so a rerun gives the same rows.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flows.extract.article import Reference
from flows.settings import Settings, load_settings

# Seconds to reach the scheduler, and to wait for its first worker, before giving up.
CONNECT_TIMEOUT_S = 10.0
WORKERS_TIMEOUT_S = 60.0
# Exit codes of `summitry run` (1 is a failed run, 2 a usage error).
EXIT_UNREACHABLE = 3
EXIT_MISMATCH = 4


class ExecutorUnavailable(RuntimeError):
    """The Dask scheduler cannot be reached, or has no workers."""


class WorkerMismatch(RuntimeError):
    """A worker runs other code or other seeds than the flow."""


@dataclass(frozen=True, slots=True)
class ExecutorSpec:
    """A parsed `--executor` value."""

    kind: str  # "local", "dask" (an existing scheduler) or "dask-local"
    host: str = ""
    port: int = 0

    @property
    def address(self) -> str:
        return f"tcp://{self.host}:{self.port}"


def parse(value: str) -> ExecutorSpec:
    """`local`, `dask-local` or `dask://HOST:PORT`; anything else is a usage error."""
    if value in ("local", "dask-local"):
        return ExecutorSpec(value)
    if value.startswith("dask://"):
        host, _, port = value.removeprefix("dask://").rpartition(":")
        if host and port.isdigit():
            return ExecutorSpec("dask", host.strip("[]"), int(port))
    raise ValueError(f"unknown executor {value!r}: use local, dask-local or dask://HOST:PORT")


def check_reachable(value: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fail fast, before Prefect starts, when the scheduler of `dask://HOST:PORT` does not
    accept connections."""
    spec = parse(value)
    if spec.kind != "dask":
        return
    try:
        with socket.create_connection((spec.host, spec.port), timeout=timeout):
            pass
    except OSError as exc:
        raise ExecutorUnavailable(
            f"cannot reach the Dask scheduler at {spec.host}:{spec.port} "
            f"({exc.strerror or exc}); start it or choose another --executor"
        ) from None


# --- on the workers ---------------------------------------------------------------------

_STATE: tuple[str, Reference] | None = None
_STATE_LOCK = threading.Lock()


def worker_state() -> tuple[str, Reference]:
    """This worker process's inputs fingerprint and reference data, loaded on first use from
    its own install and environment (`SUMMITRY_*`), then kept for every later chunk."""
    global _STATE
    with _STATE_LOCK:
        if _STATE is None:
            from flows.orchestration.runs import inputs_fingerprint

            settings = load_settings()
            _STATE = (inputs_fingerprint(settings), Reference.from_seeds(settings.seeds_dir))
        return _STATE


def worker_identity() -> tuple[str, str]:
    """(host name, inputs fingerprint) of the worker running this: loads its seeds too."""
    return socket.gethostname(), worker_state()[0]


@dataclass(slots=True)
class ChunkOutput:
    """What one chunk task leaves on its worker: the stage's output, its rejects, the time."""

    done: list[Any]
    rejected: list[Any]
    seconds: float


def run_chunk(stage: Any, chunk: Any, args: tuple[Any, ...], expected: str) -> ChunkOutput:
    """Run `stage(items, reference, *args)` on a worker, after checking it runs the flow's
    code and seeds. `chunk` is a list of items, or the output of an earlier chunk task."""
    fingerprint, reference = worker_state()
    if fingerprint != expected:
        raise WorkerMismatch(_mismatch_message({socket.gethostname(): fingerprint}, expected))
    items = chunk.done if isinstance(chunk, ChunkOutput) else chunk
    started = time.perf_counter()
    done, rejected = stage(items, reference, *args)
    return ChunkOutput(done, rejected, time.perf_counter() - started)


def _summary(output: ChunkOutput) -> tuple[list[Any], int, float]:
    """The small part of a chunk's output that the flow fetches at once."""
    return output.rejected, len(output.done), output.seconds


def _logger() -> Any:
    """The Prefect run's logger inside a run, else this module's (benchmarks)."""
    from prefect.context import TaskRunContext
    from prefect.logging import get_run_logger

    return get_run_logger() if TaskRunContext.get() else logging.getLogger(__name__)


def _mismatch_message(found: dict[str, str], expected: str) -> str:
    workers = ", ".join(f"{name} has {value[:12]}" for name, value in sorted(found.items()))
    return (
        f"Dask workers run other code or seeds than the flow (inputs fingerprint "
        f"{expected[:12]}): {workers}; deploy the same build to the workers"
    )


# --- in the flow ------------------------------------------------------------------------


class RemoteBatch(Sequence[Any]):
    """A stage's output left on the workers, one Dask future per chunk, in order.

    A later `DaskPool.map` runs on it where it lies; reading it (len is free) fetches every
    chunk once, then lets the workers drop it.
    """

    def __init__(self, futures: list[Any], sizes: list[int], client: Any) -> None:
        self.futures = futures
        self.sizes = sizes
        self._client = client
        self._items: list[Any] | None = None

    def __len__(self) -> int:
        return sum(self.sizes)

    def __getitem__(self, index: Any) -> Any:
        return self.materialise()[index]

    def materialise(self) -> list[Any]:
        if self._items is None:
            self._items = []
            for output in self._client.gather(self.futures):
                self._items += output.done
            self.release()
        return self._items

    def release(self) -> None:
        """Let the workers forget the chunks."""
        for future in self.futures:
            future.release()
        self.futures = []


class DaskPool:
    """The cluster one run uses: `map` has the contract of `Workers.map`."""

    def __init__(self, client: Any, fingerprint: str, label: str) -> None:
        self.client = client
        self.fingerprint = fingerprint
        self.label = label

    def map(self, stage: Any, items: Sequence[Any], *args: Any) -> tuple[Sequence[Any], list]:
        """stage(items, reference, *args) -> (done, rejected) for a non-empty `items`, in chunks
        on the workers; `done` stays there (a RemoteBatch) until read."""
        started = time.perf_counter()
        workers = max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))
        if isinstance(items, RemoteBatch):
            chunks: list[Any] = list(items.futures)
        else:
            step = max(1, -(-len(items) // (workers * 4)))  # a few chunks per worker
            chunks = [list(items[start : start + step]) for start in range(0, len(items), step)]
        token = uuid.uuid4().hex[:8]
        name = getattr(stage, "__name__", "stage")
        futures = [
            self.client.submit(
                run_chunk, stage, chunk, args, self.fingerprint, key=f"{name}-{token}-{number}"
            )
            for number, chunk in enumerate(chunks)
        ]
        summaries = self.client.gather(
            [
                self.client.submit(_summary, future, key=f"summary-{name}-{token}-{number}")
                for number, future in enumerate(futures)
            ]
        )
        if isinstance(items, RemoteBatch):
            items.release()  # its chunks were this stage's input: done with them
        rejected: list = []
        for part, _, _ in summaries:
            rejected += part
        compute = sum(seconds for _, _, seconds in summaries)
        _logger().info(
            "%s on %s: %d items in %d chunks on %d workers, %.2fs (%.2fs of worker time)",
            name,
            self.label,
            len(items),
            len(chunks),
            workers,
            time.perf_counter() - started,
            compute,
        )
        return RemoteBatch(futures, [size for _, size, _ in summaries], self.client), rejected


@contextmanager
def open_pool(settings: Settings) -> Iterator[DaskPool | None]:
    """The run's cluster (None for `local`): connected, workers checked against the flow's
    inputs fingerprint, closed (a `dask-local` cluster stopped) at the end."""
    spec = parse(settings.executor)
    if spec.kind == "local":
        yield None
        return
    from prefect import get_run_logger

    from flows.orchestration.runs import inputs_fingerprint

    logger = get_run_logger()
    quiet = logging.getLogger("distributed")  # its INFO lines would drown the run's log
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        with _cluster(settings, spec) as (client, label):
            fingerprint = inputs_fingerprint(settings)
            hosts = _check_workers(client, fingerprint)
            logger.info(
                "executor: %s, %d workers on %s, inputs %s",
                label,
                len(hosts),
                ", ".join(sorted(set(hosts.values()))),
                fingerprint[:12],
            )
            yield DaskPool(client, fingerprint, label)
    finally:
        quiet.setLevel(level)


@contextmanager
def _cluster(settings: Settings, spec: ExecutorSpec) -> Iterator[tuple[Any, str]]:
    """A connected client and a label for the logs; a `dask-local` cluster started and
    stopped around it."""
    from distributed import LocalCluster

    cluster = None
    if spec.kind == "dask-local":
        cluster = LocalCluster(
            n_workers=max(1, settings.workers),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: several runs may share a host
            silence_logs=logging.WARNING,
        )
        label = f"dask-local ({cluster.scheduler_address})"
    else:
        check_reachable(settings.executor)
        label = f"dask scheduler {spec.address}"
    try:
        client = _connect(cluster or spec.address, spec)
        try:
            yield client, label
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


def _connect(target: Any, spec: ExecutorSpec) -> Any:
    from distributed import Client

    try:
        client = Client(target, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ExecutorUnavailable(
            f"cannot reach the Dask scheduler at {spec.host}:{spec.port} ({exc})"
        ) from None
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
    except TimeoutError:
        client.close()
        raise ExecutorUnavailable(
            f"the Dask scheduler at {client.scheduler.address} has no workers "
            f"after {WORKERS_TIMEOUT_S:.0f}s"
        ) from None
    return client


def _check_workers(client: Any, expected: str) -> dict[str, str]:
    """Load the seeds on every worker (a task pinned to each) and compare fingerprints;
    returns worker address -> host name."""
    addresses = list(client.scheduler_info(n_workers=-1)["workers"])
    futures = {
        address: client.submit(
            worker_identity,
            workers=[address],
            allow_other_workers=False,
            key=f"summitry-identity-{uuid.uuid4().hex[:8]}",
        )
        for address in addresses
    }
    try:
        found = dict(zip(futures, client.gather(list(futures.values())), strict=True))
    except ImportError as exc:
        raise WorkerMismatch(f"Dask workers cannot import the summitry package: {exc}") from None
    other = {address: value for address, (_, value) in found.items() if value != expected}
    if other:
        raise WorkerMismatch(_mismatch_message(other, expected))
    return {address: host for address, (host, _) in found.items()}

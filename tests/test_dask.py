"""Cleaning and extraction on a real Dask cluster: a `dask scheduler` and two `dask worker`
processes on 127.0.0.1, started here and stopped by their PIDs. The marts must equal a local
run's row for row, also when a worker is killed in the middle of a run."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from flows.orchestration.dask_executor import (
    EXIT_MISMATCH,
    EXIT_UNREACHABLE,
    ExecutorSpec,
    WorkerMismatch,
    parse,
)
from flows.orchestration.flow import etl
from flows.orchestration.summary import RunSummary
from tests.conftest import PROJECT, SAMPLE_ARTICLES
from tests.test_pipeline import snapshot

pytestmark = pytest.mark.slow
flow_runs = pytest.mark.usefixtures("prefect_harness")

SYNTHETIC = 1200  # articles of the full comparison: two batches (BATCH_SIZE 1000), so one is
# cleaned on the workers while the flow lands the other
KILL_SYNTHETIC = 400  # articles of the run that loses a worker: one batch, 8 chunks


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(**extra: str) -> dict[str, str]:
    """The workers import this checkout's `flows`, as the test process does."""
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    env.update(extra)
    return env


@dataclass
class Cluster:
    """A scheduler and its workers, each a subprocess this test session started."""

    folder: Path
    port: int = field(default_factory=_free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "dask", *command], stdout=log, stderr=log, env=env
        )

    def start_scheduler(self) -> None:
        command = ["scheduler", "--host", "127.0.0.1", "--port", str(self.port)]
        self._start("scheduler", [*command, "--no-dashboard"], _environment())

    def start_worker(self, name: str, **env: str) -> None:
        options = ["--name", name, "--nthreads", "1", "--no-nanny", "--no-dashboard"]
        command = ["worker", f"tcp://{self.address}", "--host", "127.0.0.1", *options]
        self._start(name, command, _environment(**env))

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(count, timeout=120)

    def stop(self) -> None:
        """Terminate every process started (by PID), workers before their scheduler, then
        make sure none is left."""
        workers = [p for name, p in self.processes.items() if name != "scheduler"]
        for group in (workers, [self.processes["scheduler"]]):
            for process in group:
                if process.poll() is None:
                    process.terminate()
            for process in group:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
        assert all(process.poll() is not None for process in self.processes.values())


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A real scheduler and two real workers for the module's tests."""
    running = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        running.start_scheduler()
        running.start_worker("w0")
        running.start_worker("w1")
        running.wait_for_workers(2)
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deterministic synthetic corpus of SYNTHETIC articles."""
    from devtools.corpus import generate

    target = tmp_path_factory.mktemp("synthetic") / "articles"
    generate(target, SYNTHETIC, seed=7)
    return target


@pytest.fixture(scope="module")
def samples_locally(
    prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[tuple]]:
    """The marts of a local run over the samples, which the executor comparisons share."""
    db = tmp_path_factory.mktemp("samples-local") / "local.duckdb"
    run(SAMPLE_ARTICLES, db)
    return snapshot(db)


def run(source: Path, db: Path, executor: str = "local") -> RunSummary:
    state = etl(str(source), str(db), executor=executor, return_state=True)
    summary = state.result(raise_on_failure=False)
    assert isinstance(summary, RunSummary), f"run crashed: {state.message}"
    assert summary.status == "success", summary.render()
    return summary


def tasks_on(cluster: Cluster, source: Path, db: Path) -> dict[str, set[str]]:
    """Run through the cluster; returns, per stage, the workers its chunks ran on."""
    from distributed import Client, get_task_stream

    with Client(cluster.address, timeout=30) as client, get_task_stream(client) as stream:
        run(source, db, f"dask://{cluster.address}")
    workers: dict[str, set[str]] = {}
    for record in stream.data:
        stage = str(record["key"]).rsplit("-", 2)[0]
        workers.setdefault(stage, set()).add(record["worker"])
    return workers


def test_executor_values() -> None:
    assert parse("local") == ExecutorSpec("local")
    assert parse("dask-local") == ExecutorSpec("dask-local")
    assert parse("dask://10.0.0.5:8786") == ExecutorSpec("dask", "10.0.0.5", 8786)
    for wrong in ("dask", "dask://host", "dask://:8786", "ray://x:1", ""):
        with pytest.raises(ValueError, match="unknown executor"):
            parse(wrong)


def test_unreachable_scheduler_fails_fast_before_any_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    db = tmp_path / "wh.duckdb"
    started = time.perf_counter()
    code = main(["run", "--executor", f"dask://127.0.0.1:{_free_port()}", "--warehouse", str(db)])
    elapsed = time.perf_counter() - started
    error = capsys.readouterr().err.strip()
    assert code == EXIT_UNREACHABLE
    assert error.startswith("error: cannot reach the Dask scheduler at 127.0.0.1:")
    assert len(error.splitlines()) == 1
    assert elapsed < 5
    assert not any(tmp_path.iterdir())  # no warehouse, no work file, no lock
    assert main(["run", "--executor", "ray://127.0.0.1:1", "--warehouse", str(db)]) == 2


@flow_runs
def test_samples_through_the_scheduler_equal_a_local_run(
    cluster: Cluster, samples_locally: dict[str, list[tuple]], tmp_path: Path
) -> None:
    remote = tmp_path / "dask.duckdb"
    stages = tasks_on(cluster, SAMPLE_ARTICLES, remote)
    assert "clean_extract_frames" in stages
    assert snapshot(remote) == samples_locally


@flow_runs
def test_dask_local_cluster_equals_a_local_run(
    samples_locally: dict[str, list[tuple]], tmp_path: Path
) -> None:
    remote = tmp_path / "dask.duckdb"
    run(SAMPLE_ARTICLES, remote, "dask-local")
    assert snapshot(remote) == samples_locally


@flow_runs
def test_synthetic_corpus_through_the_scheduler_equals_a_local_run(
    cluster: Cluster, synthetic: Path, tmp_path: Path
) -> None:
    local, remote = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"
    run(synthetic, local)
    stages = tasks_on(cluster, synthetic, remote)
    assert len(stages["clean_extract_frames"]) == 2  # both workers
    assert snapshot(remote) == snapshot(local)


@flow_runs
def test_workers_with_other_seeds_are_refused_before_any_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    seeds = tmp_path / "seeds"
    shutil.copytree(PROJECT / "seeds", seeds, ignore=shutil.ignore_patterns("articles"))
    topics = seeds / "topics.csv"
    topics.write_text(topics.read_text(encoding="utf-8").replace("Energy", "Power"))
    other = Cluster(tmp_path)
    try:
        other.start_scheduler()
        other.start_worker("stale", SUMMITRY_SEEDS_DIR=str(seeds))
        other.wait_for_workers(1)
        db = tmp_path / "out" / "wh.duckdb"
        state = etl(
            str(SAMPLE_ARTICLES), str(db), executor=f"dask://{other.address}", return_state=True
        )
        assert isinstance(state.result(raise_on_failure=False), WorkerMismatch)
        code = main(["run", "--executor", f"dask://{other.address}", "--warehouse", str(db)])
        error = capsys.readouterr().err.strip().splitlines()
        assert code == EXIT_MISMATCH
        assert error[-1].startswith("error: Dask workers run other code or seeds than the flow")
        # refused before anything was written: the CLI holds the run lock (its lock file is
        # all there is), the flow refuses before the work file or the warehouse exist
        assert sorted(p.name for p in db.parent.iterdir()) == ["wh.duckdb.lock"]
    finally:
        other.stop()


@flow_runs
def test_a_worker_killed_mid_run_changes_nothing(cluster: Cluster, tmp_path: Path) -> None:
    """Runs last in this module: it leaves the cluster with one worker."""
    from devtools.corpus import generate

    source = tmp_path / "articles"
    generate(source, KILL_SYNTHETIC, seed=11)
    local, remote = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"
    run(source, local)
    victim = cluster.processes["w1"]
    killed: list[str] = []
    watcher = threading.Thread(target=_kill_when_busy, args=(cluster, "w1", victim, killed))
    watcher.start()
    try:
        run(source, remote, f"dask://{cluster.address}")
    finally:
        watcher.join(timeout=60)
    assert killed, "the worker finished its chunks before it could be killed"
    assert killed[0].startswith("clean_extract_frames")
    assert victim.wait(timeout=10) == -signal.SIGKILL
    assert snapshot(remote) == snapshot(local)


def _kill_when_busy(
    cluster: Cluster, name: str, victim: subprocess.Popen[bytes], killed: list[str]
) -> None:
    """SIGKILL worker `name` as soon as it is running a cleaning or extraction chunk."""
    from distributed import Client

    with Client(cluster.address, timeout=30) as client:
        address = next(
            address
            for address, worker in client.scheduler_info(n_workers=-1)["workers"].items()
            if worker["name"] == name
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and victim.poll() is None:
            busy = [
                str(key)
                for key in client.processing([address]).get(address, [])
                if str(key).startswith("clean_extract_frames")
            ]
            if busy:
                victim.send_signal(signal.SIGKILL)
                killed.append(busy[0])
                return
            time.sleep(0.02)

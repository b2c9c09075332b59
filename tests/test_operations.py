"""Operations: the schedule on a real Prefect server, kill -9 recovery, readers never
blocked, BI connection paths. Each test drives real separate processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import polars as pl
import pytest
import sqlalchemy as sa

from flows.load import warehouse
from flows.orchestration.processes import command_line, descendants
from tests.conftest import PROJECT
from tests.test_pipeline import run

pytestmark = pytest.mark.slow

MARTS = warehouse.MARTS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh user shell: no test harness API, a private Prefect home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PYTHONUNBUFFERED="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        **extra,
    )
    return env


def harness_env(tmp_path: Path) -> dict[str, str]:
    """A user shell pointed at the session's Prefect test server (saves a server start)."""
    from prefect.settings import PREFECT_API_URL

    return clean_env(tmp_path, PREFECT_API_URL=str(PREFECT_API_URL.value()))


def summitry(*args: str) -> list[str]:
    return [sys.executable, "-m", "flows", *args]


def api(url: str, path: str, body: dict | None = None) -> dict | list:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url + path,
        data=data,
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def wait_for(check, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _many_articles(folder: Path, count: int) -> None:
    samples = sorted((PROJECT / "seeds" / "articles").iterdir())
    for n in range(count):
        text = samples[n % len(samples)].read_text(encoding="utf-8")
        (folder / f"copy_{n:04d}.txt").write_text(text + f"\n\nEditor's note {n}.", "utf-8")


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting for its parent does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "(zombie)" not in status


def _workers(pid: int) -> list[int]:
    return [p for p in descendants(pid) if "multiprocessing" in command_line(p)]


@pytest.mark.usefixtures("prefect_harness")
def test_kill_9_mid_run_leaves_no_process_and_a_second_run_is_refused_at_once(
    corpus: Path, tmp_path: Path
) -> None:
    """A run with worker processes and its own temporary Prefect server is killed with
    SIGKILL mid-work: nothing of it survives, the published file is untouched, and the next
    run completes. While it ran, a second run was refused within 3 s with exit code 75."""
    db = tmp_path / "wh.duckdb"
    first = subprocess.run(
        summitry("run", "--source", str(corpus), "--warehouse", str(db)),
        cwd=PROJECT,
        env=harness_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stdout + first.stderr
    published_before = db.read_bytes()
    _many_articles(corpus, 60)

    # No PREFECT_API_URL and nothing on the port: the run starts its own Prefect server.
    alone = clean_env(
        tmp_path,
        SUMMITRY_PREFECT_PORT=str(free_port()),
        SUMMITRY_WORKERS="2",
        SUMMITRY_PARALLEL_MIN_DOCS="1",
    )
    with (tmp_path / "victim.log").open("w") as log:
        victim = subprocess.Popen(
            summitry("run", "--source", str(corpus), "--warehouse", str(db)),
            cwd=PROJECT,
            env=alone,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: len(_workers(victim.pid)) >= 2, 240, "the run's worker processes")
        started = time.monotonic()
        busy = subprocess.run(
            summitry("run", "--source", str(corpus), "--warehouse", str(db)),
            cwd=PROJECT,
            env=harness_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
        refused_in = time.monotonic() - started
        ours = descendants(victim.pid)
        commands = [command_line(pid) for pid in ours]  # before they are gone
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)
    killed_at = time.monotonic()
    assert (busy.returncode, busy.stdout) == (75, ""), busy.stderr
    assert busy.stderr.startswith("busy: another run") and busy.stderr.count("\n") == 1
    # 1.1-1.3 s by hand here (most of it importing pydantic); the margin is for a machine
    # shared with other test runs, where starting any Python process can take seconds.
    assert refused_in < 5, f"the busy run took {refused_in:.1f}s to give up"
    assert any("server start" in line for line in commands), commands
    while time.monotonic() < killed_at + 10 and any(alive(pid) for pid in ours):
        time.sleep(0.2)
    survivors = [f"{pid} {command_line(pid)}" for pid in ours if alive(pid)]
    assert not survivors, survivors
    assert db.read_bytes() == published_before, "the published file must be untouched"

    again = subprocess.run(
        summitry("run", "--source", str(corpus), "--warehouse", str(db)),
        cwd=PROJECT,
        env=harness_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    with warehouse.reader(db) as con:
        documents = con.execute("select count(*), count(distinct doc_id) from marts.documents")
        assert documents.fetchone() == (65, 65)
        runs = con.execute(
            "select status, docs_published from meta.runs order by started_at"
        ).fetchall()
    assert runs[:3] == [("success", 5), ("abandoned", None), ("skipped", None)]
    # What was published: the 60 copies whether the killed run or this one extracted them,
    # and the originals whose quotes they now share.
    assert runs[3][0] == "success" and 60 <= runs[3][1] <= 65


READER = """
import duckdb, json, sys, time
import pathlib
path, stop, out = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
con = duckdb.connect(path, read_only=True)
counts, errors = [], []
while not stop.exists():
    try:
        counts.append(con.execute("select count(*) from marts.documents").fetchone()[0])
    except Exception as exc:
        errors.append(repr(exc))
    time.sleep(0.05)
con.close()  # DuckDB shares one instance per file within a process: close it to reconnect
fresh = duckdb.connect(path, read_only=True).execute(
    "select count(*) from marts.documents").fetchone()[0]
json.dump({"counts": counts, "errors": errors, "fresh": fresh}, open(out, "w"))
"""


@pytest.mark.usefixtures("prefect_harness")
def test_a_reader_holding_the_warehouse_is_never_blocked(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    run(corpus, db)
    out, stop = tmp_path / "reader.json", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop), str(out)])
    time.sleep(1.0)  # the reader has its connection open
    _many_articles(corpus, 20)
    summary = run(corpus, db)
    stop.touch()
    reader.wait(timeout=120)
    seen = json.loads(out.read_text())
    assert summary.status == "success" and summary.published
    assert seen["errors"] == []
    assert set(seen["counts"]) == {5}, "an open connection keeps the snapshot it opened"
    assert seen["fresh"] == 25, "a new connection sees the newly published marts"


@pytest.mark.usefixtures("prefect_harness")
def test_bi_paths_read_every_mart(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    run(corpus, db)
    engine = sa.create_engine(f"duckdb:///{db}", connect_args={"read_only": True})
    with engine.connect() as con:
        inspector = sa.inspect(con)
        assert set(inspector.get_table_names(schema="marts")) == set(MARTS)
        for mart in MARTS:
            columns = [c["name"] for c in inspector.get_columns(mart, schema="marts")]
            rows = con.execute(sa.text(f"select * from marts.{mart}")).fetchall()
            assert rows and len(rows[0]) == len(columns)
    engine.dispose()
    for mart in MARTS:
        frame = pl.read_parquet(tmp_path / "wh_parquet" / f"{mart}.parquet")
        with duckdb.connect(str(db), read_only=True) as con:
            assert frame.height == con.execute(f"select count(*) from marts.{mart}").fetchone()[0]


@pytest.mark.usefixtures("prefect_harness")
def test_status_shows_recent_runs_and_the_last_failure(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "wh.duckdb"
    run(corpus, db)
    sql = tmp_path / "sql"
    shutil.copytree(PROJECT / "dbt_like_sql", sql)
    (sql / "marts" / "people.sql").write_text("select 1 as broken")
    monkeypatch.setenv("SUMMITRY_SQL_DIR", str(sql))
    run(corpus, db, full_refresh=True)
    monkeypatch.delenv("SUMMITRY_SQL_DIR")
    result = subprocess.run(
        summitry("status", "--warehouse", str(db)),
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "success" in result.stdout
    assert "last failure: run" in result.stdout

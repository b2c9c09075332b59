"""`summitry serve` typed in a terminal: a pseudo-terminal, a fresh PREFECT_HOME, a schedule
every five seconds (`--cron "* * * * *"` takes the same path, up to a minute slower). It must
not prompt, start one Prefect server only, publish on schedule, leave the Prefect profile
alone, and on SIGTERM stop every process it started."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import subprocess
import termios
import threading
import time
from pathlib import Path

import pytest

from flows.load import warehouse
from flows.orchestration.processes import command_line, descendants
from tests.conftest import PROJECT
from tests.test_operations import alive, api, clean_env, free_port, summitry, wait_for

pytestmark = pytest.mark.slow


def _controlling_terminal() -> None:
    """In the child: a new session whose controlling terminal is its stdin (the pty)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _drain(fd: int, into: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        into.append(chunk)


def test_serve_in_a_terminal_publishes_on_schedule_and_stops_cleanly(
    corpus: Path, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    db = tmp_path / "wh.duckdb"
    home = tmp_path / "prefect-home"
    master, slave = pty.openpty()
    started = time.monotonic()
    serve = subprocess.Popen(
        summitry("serve", "--interval", "5", "--source", str(corpus), "--warehouse", str(db)),
        cwd=PROJECT,
        env=clean_env(tmp_path, SUMMITRY_PREFECT_PORT=str(port), TERM="xterm"),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        preexec_fn=_controlling_terminal,
    )
    os.close(slave)
    output: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(master, output), daemon=True)
    reader.start()
    ours: set[int] = set()
    try:
        deployment = wait_for(
            lambda: api(url, "/deployments/filter", {}), 120, "the deployment to register"
        )[0]
        assert deployment["name"] == "summitry-scheduled"
        assert [s["schedule"].get("interval") for s in deployment["schedules"]] == [5.0]
        assert deployment["global_concurrency_limit"]["limit"] == 1
        wait_for(db.exists, 150, "the scheduled run to publish")
        published_after = time.monotonic() - started
        ours = set(descendants(serve.pid))
        servers = [pid for pid in ours if "server start" in command_line(pid)]
        assert len(servers) == 1, [command_line(pid) for pid in ours]
    finally:
        ours |= set(descendants(serve.pid))
        stopped_at = time.monotonic()
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=15)
        except subprocess.TimeoutExpired:
            serve.kill()
            raise
    deadline = stopped_at + 15
    while time.monotonic() < deadline and any(alive(pid) for pid in ours):
        time.sleep(0.2)
    text = b"".join(output).decode(errors="replace")
    assert not [pid for pid in ours if alive(pid)], "processes outlived serve:\n" + text[-3000:]
    assert "How would you like to proceed" not in text
    assert "ephemeral server" not in text, text[-3000:]
    assert not (home / "profiles.toml").exists(), "the user's Prefect profile must not change"
    with warehouse.reader(db) as con:
        assert con.execute("select count(*) from marts.documents").fetchone()[0] == 5
    print(f"published {published_after:.0f}s after `summitry serve` started")


def test_serve_takes_a_cron_or_an_interval_never_both() -> None:
    from flows.cli import _parser

    parser = _parser()
    assert parser.parse_args(["serve", "--interval", "30"]).interval == 30.0
    assert parser.parse_args(["serve", "--cron", "*/5 * * * *"]).cron == "*/5 * * * *"
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--cron", "* * * * *", "--interval", "30"])
    from pydantic import ValidationError

    from flows.settings import load_settings

    with pytest.raises(ValidationError):
        load_settings(interval_s=0)

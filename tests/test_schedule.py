"""The schedule: `summitry serve` against a real local Prefect server it starts itself."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from flows.load import warehouse
from tests.conftest import PROJECT
from tests.test_operations import api, clean_env, free_port, summitry, wait_for

pytestmark = pytest.mark.slow


def test_serve_registers_the_schedule_and_runs_through_the_deployment(
    corpus: Path, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    db = tmp_path / "wh.duckdb"
    serve = subprocess.Popen(
        summitry("serve", "--cron", "0 3 * * *", "--source", str(corpus), "--warehouse", str(db)),
        cwd=PROJECT,
        env=clean_env(tmp_path, SUMMITRY_PREFECT_PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deployment = wait_for(
            lambda: api(url, "/deployments/filter", {}), 120, "the deployment to register"
        )[0]
        assert deployment["name"] == "summitry-scheduled"
        crons = [s["schedule"].get("cron") for s in deployment["schedules"]]
        assert crons == ["0 3 * * *"]
        assert deployment["parameters"]["warehouse_path"] == str(db)

        flow_run = api(url, f"/deployments/{deployment['id']}/create_flow_run", {})
        state = wait_for(
            lambda: (
                (
                    api(url, f"/flow_runs/{flow_run['id']}")["state"]["type"]
                    in {"COMPLETED", "FAILED", "CRASHED"}
                )
                and api(url, f"/flow_runs/{flow_run['id']}")["state"]["type"]
            ),
            180,
            "the triggered run to finish",
        )
        assert state == "COMPLETED"
        with warehouse.reader(db) as con:
            assert con.execute("select count(*) from marts.documents").fetchone()[0] == 5
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()

"""`summitry serve`: the flow as a Prefect deployment on a cron schedule.

Cron schedules only fire against a real Prefect server (the ephemeral API used by a
one-off `summitry run` has no scheduler), so when PREFECT_API_URL is not set we start
`prefect server start` on localhost and point this process at it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from flows.settings import PROJECT_ROOT, Settings

DEFAULT_PORT = 4200
DEPLOYMENT_NAME = "summitry-scheduled"


def serve(settings: Settings) -> None:
    """Serve `summitry-etl` on the configured cron schedule until interrupted."""
    from flows.orchestration.flow import etl

    with prefect_server(settings.prefect_port):
        etl.serve(
            name=DEPLOYMENT_NAME,
            cron=settings.cron,
            parameters={
                "source": str(settings.source),
                "warehouse_path": str(settings.warehouse),
                "executor": settings.executor,
            },
            description="Ingest new and changed articles, rebuild and validate the marts.",
        )


@contextmanager
def prefect_server(port: int = DEFAULT_PORT, timeout_s: float = 60) -> Iterator[str]:
    """Yield the Prefect API URL, starting a local server first when none is configured."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    api_url = f"http://127.0.0.1:{port}/api"
    command = [
        sys.executable,
        "-m",
        "prefect",
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, cwd=PROJECT_ROOT)
    try:
        _wait_healthy(api_url, server, timeout_s)
        os.environ["PREFECT_API_URL"] = api_url
        print(f"Prefect server started; UI at http://127.0.0.1:{port}", flush=True)
        yield api_url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_healthy(api_url: str, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"prefect server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"prefect server at {api_url} not healthy after {timeout_s:.0f}s")

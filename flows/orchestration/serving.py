"""Prefect servers for `summitry serve`, `summitry server` and one-shot runs.

Nothing here prompts or touches the user's Prefect profile: a server we start gets its own
URL in its environment (and `--no-prompt`), and this process is pointed at it through the
environment *before* Prefect is imported, so Prefect never starts a second, temporary one.
A server we start dies with us, even under SIGKILL (a parent-death signal).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path

from flows.orchestration.processes import descendants, die_with_parent
from flows.settings import PROJECT_ROOT, Settings

DEFAULT_PORT = 4200
DEPLOYMENT_NAME = "summitry-scheduled"
STOP_TIMEOUT_S = 5.0


def serve(settings: Settings) -> None:
    """Serve `summitry-etl` on the configured cron (or interval) schedule until SIGTERM or
    Ctrl-C; then stop every process this started (flow runs, their workers, the server)."""
    api_url = configured_api_url()
    if api_url is None and healthy(local_url(settings.prefect_port)):
        api_url = local_url(settings.prefect_port)
    # A server of our own boots while this process imports Prefect and the flow.
    started = local_server(settings.prefect_port, services=True, ready=False)
    with started if api_url is None else nullcontext(api_url) as url:
        os.environ["PREFECT_API_URL"] = url  # before Prefect is imported: one server only
        from prefect.client.schemas.objects import (
            ConcurrencyLimitConfig,
            ConcurrencyLimitStrategy,
        )
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from flows.orchestration.flow import etl

        wait_ready(url)
        interval = settings.interval_s
        when = f"every {interval:g} s" if interval else f"on cron {settings.cron!r}"
        print(
            f"serving {etl.name} {when} against {url} "
            f"(UI: {url.removesuffix('/api')}); stop with Ctrl-C or SIGTERM",
            flush=True,
        )
        try:
            with temporary_settings({PREFECT_API_URL: url}):
                etl.serve(
                    name=DEPLOYMENT_NAME,
                    cron=None if interval else settings.cron,
                    interval=interval,
                    parameters={
                        "source": str(settings.source),
                        "warehouse_path": str(settings.warehouse),
                        "executor": settings.executor,
                    },
                    description="Ingest new and changed articles, rebuild and validate the marts.",
                    # One run at a time; a tick that comes while a run is going waits for it.
                    global_limit=ConcurrencyLimitConfig(
                        limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE
                    ),
                    limit=1,
                    print_starting_message=False,
                )
        finally:
            stop_children()  # flow runs in progress, their workers, our server


def server(settings: Settings) -> None:
    """Run a local Prefect server in the foreground until SIGTERM or Ctrl-C."""
    url = local_url(settings.prefect_port)
    with local_server(settings.prefect_port, services=True):
        print(
            f"Prefect server ready at {url} (UI: {url.removesuffix('/api')}); `summitry run` and "
            "`summitry serve` on this machine use it. Stop with Ctrl-C.",
            flush=True,
        )
        # Blocked only now, so the server child does not inherit the mask.
        stop = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)
        signal.sigwait(stop)


@contextmanager
def api_for_run(port: int) -> Iterator[str | None]:
    """Point this process at a Prefect API for one run, before Prefect is imported: the
    configured one, else a server already listening on `port`, else a temporary server of
    our own (API only) that stops with the run. Yields the URL (None: configured)."""
    if configured_api_url() is not None:
        yield None
        return
    url = local_url(port)
    if healthy(url, timeout_s=0.5):
        os.environ["PREFECT_API_URL"] = url
        yield url
        return
    with local_server(free_port(), services=False, ready=False) as url:
        os.environ["PREFECT_API_URL"] = url
        yield url  # the caller imports Prefect while the server boots, then calls wait_ready


def local_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/api"


def configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment or the active Prefect profile, read without
    importing Prefect."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    home = Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    value = profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(value) if value else None


def healthy(api_url: str, timeout_s: float = 2.0) -> bool:
    """True when a Prefect API answers its health check at `api_url`."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout_s) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_STARTED: dict[str, subprocess.Popen[bytes]] = {}  # API URL -> server this process runs


@contextmanager
def local_server(
    port: int, services: bool, ready: bool = True, timeout_s: float = 120
) -> Iterator[str]:
    """Start `prefect server start` on 127.0.0.1:`port` and yield its API URL (once it is
    healthy, or at once with `ready=False`: then call `wait_ready`); stop it on exit. It never
    prompts, never edits a profile and dies with us."""
    url = local_url(port)
    command = [sys.executable, "-m", "prefect", "--no-prompt", "server", "start"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    if not services:  # a one-shot run needs the API only
        command += ["--no-services", "--no-ui"]
    env = {
        **os.environ,
        "PREFECT_API_URL": url,  # the server's own URL: `server start` has nothing to ask
        "PREFECT_CLI_PROMPT": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    output = None if services else subprocess.DEVNULL
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=output,
        preexec_fn=die_with_parent,
    )
    _STARTED[url] = process
    try:
        if ready:
            wait_ready(url, timeout_s)
        yield url
    finally:
        del _STARTED[url]
        _stop(process)


def wait_ready(url: str, timeout_s: float = 120) -> None:
    """Wait until the server at `url` that this process started is healthy (no-op for a
    server we did not start)."""
    process = _STARTED.get(url)
    if process is not None:
        _wait_healthy(url, process, timeout_s)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop_children(keep: set[int] | None = None) -> None:
    """SIGTERM every descendant of this process but `keep` (and theirs); SIGKILL what is
    still alive after STOP_TIMEOUT_S."""
    kept = set(keep or ())
    for pid in keep or ():
        kept.update(descendants(pid))
    targets = [pid for pid in descendants() if pid not in kept]
    for pid in targets:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline and any(_alive(pid) for pid in targets):
        time.sleep(0.2)
    for pid in targets:
        if _alive(pid):
            _signal(pid, signal.SIGKILL)


def _signal(pid: int, sig: int) -> None:
    with suppress(OSError):
        os.kill(pid, sig)


def _alive(pid: int) -> bool:
    with suppress(ChildProcessError):  # reap it if it is our child and has exited
        os.waitpid(pid, os.WNOHANG)
    return Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n")[0]
    except (OSError, IndexError):
        return "zombie"


def _wait_healthy(api_url: str, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"prefect server exited with code {server.returncode}")
        if healthy(api_url, timeout_s=2):
            return
        time.sleep(0.25)
    raise TimeoutError(f"prefect server at {api_url} not healthy after {timeout_s:.0f}s")

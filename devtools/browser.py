"""Headless Chromium over the DevTools protocol: open a page, wait until it says it is ready,
collect console errors and network requests, evaluate expressions, take a screenshot.

Used by the report's tests and the Superset recipe's screenshot; Debian's `chromium` package
is the browser (`make chromium` installs it when missing and the user is root).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Path of a Chromium binary on PATH, or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageResult:
    """What happened while a page loaded."""

    ready_s: float | None = None  # seconds from navigation until the ready expression held
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    requests: list[str] = field(default_factory=list)  # every URL the page asked for


class Page:
    """One browser tab driven over its DevTools websocket."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, timeout: float = 30.0, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.01, deadline - time.monotonic())))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self.events.append(message)

    def evaluate(self, expression: str, timeout: float = 30.0) -> Any:
        result = self.call(
            "Runtime.evaluate",
            timeout=timeout,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def drain(self) -> None:
        """Move events that arrived meanwhile into self.events."""
        while True:
            try:
                self.events.append(json.loads(self.socket.recv(timeout=0.05)))
            except TimeoutError:
                return

    def screenshot(self, target: Path, width: int, max_height: int = 8000) -> None:
        """A PNG of the whole page (up to max_height pixels tall)."""
        height = int(self.evaluate("document.documentElement.scrollHeight") or 900)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=min(height, max_height),
            deviceScaleFactor=1,
            mobile=False,
        )
        time.sleep(0.5)  # let responsive charts redraw at the new size
        shot = self.call("Page.captureScreenshot", format="png", timeout=60.0)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(shot["data"]))


@contextmanager
def browser(chromium: str | None = None, width: int = 1400, height: int = 900) -> Iterator[Page]:
    """A headless Chromium with one blank tab; the process is ended on exit."""
    binary = chromium or find_chromium()
    if binary is None:
        raise FileNotFoundError("no chromium on PATH (Debian: apt-get install chromium)")
    profile = Path(tempfile.mkdtemp(prefix="summitry-chromium-"))
    process = subprocess.Popen(
        [
            binary,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port = _devtools_port(profile, process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
            targets = json.loads(reply.read())
        page_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        with connect(page_url, max_size=None, open_timeout=30) as socket:
            page = Page(socket)
            for domain in ("Page", "Runtime", "Log", "Network"):
                page.call(f"{domain}.enable")
            page.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            yield page
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)


def _devtools_port(profile: Path, process: subprocess.Popen[bytes], wait_s: float = 60.0) -> int:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited with {process.returncode}")
        if marker.exists():
            lines = marker.read_text(encoding="utf-8").split()
            if lines:
                return int(lines[0])
        time.sleep(0.1)
    raise TimeoutError("chromium did not open its DevTools port")


def open_page(
    page: Page,
    url: str,
    ready: str,
    timeout_s: float = 30.0,
    values: dict[str, str] | None = None,
) -> PageResult:
    """Navigate to `url`, wait until the JS expression `ready` is truthy, then evaluate
    `values` (name -> expression). Errors and requests are collected along the way."""
    page.events.clear()
    result = PageResult()
    start = time.monotonic()
    page.call("Page.navigate", url=url)
    while time.monotonic() - start < timeout_s:
        if page.evaluate(f"Boolean({ready})"):
            result.ready_s = time.monotonic() - start
            break
        time.sleep(0.05)
    for name, expression in (values or {}).items():
        result.values[name] = page.evaluate(expression)
    page.drain()
    for event in page.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(arg.get("value", arg.get("description"))) for arg in params["args"])
            result.errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            description = details.get("exception", {}).get("description") or details.get("text")
            result.errors.append(f"uncaught: {description}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            result.errors.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")
        elif method == "Network.requestWillBeSent":
            result.requests.append(params["request"]["url"])
    return result

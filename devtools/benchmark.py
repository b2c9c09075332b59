"""Benchmark: full build, no-op rerun and one new article over synthetic corpora of given sizes.

Each run is a real `python -m flows run` subprocess, as a user starts it. Measured per size:
wall time, time per stage (from Prefect's task log lines), peak RSS of the process tree (the
ephemeral Prefect API runs in a child process), warehouse size, and the floor: the same files
read, hashed (SHA-256) and inserted into a fresh DuckDB table in-process, with nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from devtools.corpus import generate
from devtools.peer import DEFAULT_LIMIT as PEER_LIMIT
from devtools.peer import PeerMeasure, measure_peer
from flows.ingest.reading import ARTICLE_SUFFIXES
from flows.settings import PROJECT_ROOT

# "15:22:48.294 | INFO    | Task run 'clean-d10' - Finished in state Completed()"
_LOG_LINE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \| \w+\s*\| (.*)$")
_TASK_DONE = re.compile(r"^Task run '(.+)-[0-9a-f]+' - Finished in state (\w+)")
_FLOW_BEGIN = re.compile(r"^Flow run '.+' - Beginning flow run")
_FLOW_DONE = re.compile(r"^Flow run '.+' - Finished in state")
_TRIVIAL_FLOW = "from prefect import flow\n@flow(name='noop')\ndef noop():\n    return 1\nnoop()\n"
POLL_S = 0.05
MB = 1024 * 1024


@dataclass(slots=True)
class RunMeasure:
    """One `summitry run` subprocess."""

    label: str
    exit_code: int
    wall_s: float
    peak_rss_mb: float
    startup_s: float | None  # launch -> the flow's first log line (imports + Prefect API)
    flow_s: float | None  # the flow's first log line -> its final state
    stages: dict[str, float]  # task name -> seconds, summed over batches
    status_line: str


@dataclass(slots=True)
class SizeResult:
    """Every figure for one corpus size."""

    size: int
    articles: int
    corpus_mb: float
    generate_s: float
    floor_s: float
    full: RunMeasure
    noop: RunMeasure
    plus_one: RunMeasure
    warehouse_mb: float  # published file + private work file
    parquet_mb: float
    peer: PeerMeasure | None = None  # trafilatura against our cleaning (devtools/peer.py)

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.full.wall_s if self.full.wall_s else 0.0

    @property
    def floor_ratio(self) -> float:
        return self.full.wall_s / self.floor_s if self.floor_s else float("inf")


@dataclass(slots=True)
class BenchmarkReport:
    """All sizes, plus Prefect's own start-up on this machine."""

    prefect_startup_s: float
    machine: dict[str, str]
    results: list[SizeResult] = field(default_factory=list)

    def linearity(self) -> tuple[int, int, float] | None:
        """(small, large, cost ratio / size ratio scaled to 10x) for the 10k -> 100k step, or
        the two largest sizes run when those are not both there."""
        by_size = {r.size: r for r in self.results}
        pair = (10_000, 100_000) if {10_000, 100_000} <= set(by_size) else None
        if pair is None and len(by_size) >= 2:
            pair = tuple(sorted(by_size)[-2:])  # type: ignore[assignment]
        if pair is None:
            return None
        small, large = by_size[pair[0]], by_size[pair[1]]
        return pair[0], pair[1], large.full.wall_s / small.full.wall_s

    def markdown(self) -> str:
        """The tables the README quotes."""
        return "\n".join([*_main_table(self), "", *_stage_table(self), "", *_notes(self), ""])

    def to_json(self) -> str:
        """Every measure, machine-readable."""
        payload = {
            "prefect_startup_s": self.prefect_startup_s,
            "machine": self.machine,
            "linearity": self.linearity(),
            "results": [
                {
                    **asdict(r),
                    "articles_per_s": r.articles_per_s,
                    "floor_ratio": r.floor_ratio,
                    "peer_speedup": r.peer.speedup if r.peer else None,
                }
                for r in self.results
            ],
        }
        return json.dumps(payload, indent=2)


def _main_table(report: BenchmarkReport) -> list[str]:
    head = (
        "| size | articles | full build s | articles/s | floor s | ratio | peak RSS MB "
        "| warehouse MB | no-op s | +1 article s | Prefect start-up s "
        "| HTML docs timed | our cleaning ms/HTML doc | trafilatura ms/HTML doc | ours vs peer |"
    )
    lines = [head, "|" + " --- |" * 15]
    for r in report.results:
        lines.append(
            f"| {r.size:,} | {r.articles:,} | {r.full.wall_s:.1f} | {r.articles_per_s:.1f} "
            f"| {r.floor_s:.2f} | {r.floor_ratio:.0f}× | {r.full.peak_rss_mb:.0f} "
            f"| {r.warehouse_mb:.1f} | {r.noop.wall_s:.1f} | {r.plus_one.wall_s:.1f} "
            f"| {report.prefect_startup_s:.1f} | {_peer_cells(r.peer)} |"
        )
    return lines


def _peer_cells(peer: PeerMeasure | None) -> str:
    if peer is None:
        return "n/a | n/a | n/a | n/a"
    return (
        f"{peer.documents:,} | {peer.ours_ms:.2f} | {peer.peer_ms:.2f} | {peer.speedup:.1f}× faster"
        if peer.speedup >= 1
        else f"{peer.documents:,} | {peer.ours_ms:.2f} | {peer.peer_ms:.2f} "
        f"| {1 / peer.speedup:.1f}× slower"
    )


def _stage_table(report: BenchmarkReport) -> list[str]:
    runs = [(r.size, m) for r in report.results for m in (r.full, r.noop, r.plus_one)]
    stages = list(dict.fromkeys(name for _, m in runs for name in m.stages))
    lines = [
        "| stage | " + " | ".join(f"{size:,} {m.label}" for size, m in runs) + " |",
        "|" + " --- |" * (len(runs) + 1),
    ]
    for stage in stages:
        cells = " | ".join(f"{m.stages.get(stage, 0.0):.2f}" for _, m in runs)
        lines.append(f"| {stage} | {cells} |")
    for name, value in (
        ("start-up (launch → flow start)", lambda m: m.startup_s),
        ("flow total", lambda m: m.flow_s),
        ("peak RSS MB", lambda m: m.peak_rss_mb),
    ):
        cells = " | ".join(_cell(value(m)) for _, m in runs)
        lines.append(f"| {name} | {cells} |")
    return lines


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _notes(report: BenchmarkReport) -> list[str]:
    notes = [
        f"Machine: {report.machine['cpus']} CPUs, Python {report.machine['python']}, "
        f"{report.machine['platform']}; measured {report.machine['when']}.",
        f"Prefect API: {report.machine.get('prefect_api', 'ephemeral')}. Prefect start-up (a "
        f"trivial flow in a fresh process): {report.prefect_startup_s:.1f} s.",
    ]
    for r in report.results:
        notes.append(
            f"{r.size:,}: no-op rerun {r.noop.wall_s - report.prefect_startup_s:+.1f} s and "
            f"+1 article {r.plus_one.wall_s - report.prefect_startup_s:+.1f} s beyond Prefect "
            f"start-up; Parquet {r.parquet_mb:.1f} MB; corpus {r.corpus_mb:.0f} MB."
        )
        if r.peer is not None:
            notes.append(
                f"{r.size:,}: trafilatura {r.peer.peer_version} `extract` against our cleaning "
                f"on {r.peer.documents:,} HTML documents, serial CPU in-process "
                f"({r.peer.peer_empty} returned no text)."
            )
        failed = [m.label for m in (r.full, r.noop, r.plus_one) if m.exit_code != 0]
        if failed:
            notes.append(f"{r.size:,}: run(s) exited non-zero: {', '.join(failed)}.")
    linear = report.linearity()
    if linear:
        small, large, ratio = linear
        notes.append(
            f"Scaling {small:,} → {large:,} ({large / small:.0f}× the articles) cost "
            f"{ratio:.1f}× the full-build time."
        )
    notes.append(
        "A stage's time is the gap since the previous task finished, so flow code between "
        "tasks counts towards the next task (loading reference data counts to discover_files)."
    )
    return notes


# -- measuring ----------------------------------------------------------------------------


def run_benchmark(
    sizes: list[int],
    workdir: Path,
    seed: int = 7,
    html_share: float = 0.2,
    log: Callable[[str], None] = print,
    peer_limit: int = PEER_LIMIT,
) -> BenchmarkReport:
    """Benchmark each size; writes benchmark.md and benchmark.json into `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = _environment(workdir)
    if "PREFECT_API_URL" not in env:
        _run_trivial_flow(env)  # warm-up: the first start creates Prefect's database
    report = BenchmarkReport(_run_trivial_flow(env), _machine())
    report.machine["prefect_api"] = env.get("PREFECT_API_URL", "ephemeral, started by each run")
    log(f"Prefect start-up: {report.prefect_startup_s:.1f}s")
    for size in sizes:
        report.results.append(
            _measure_size(size, workdir / f"size_{size}", seed, html_share, env, log, peer_limit)
        )
        _write(report, workdir)
    _write(report, workdir)
    return report


def _write(report: BenchmarkReport, workdir: Path) -> None:
    (workdir / "benchmark.md").write_text(report.markdown(), encoding="utf-8")
    (workdir / "benchmark.json").write_text(report.to_json(), encoding="utf-8")


def _measure_size(
    size: int,
    folder: Path,
    seed: int,
    html_share: float,
    env: dict[str, str],
    log: Callable[[str], None],
    peer_limit: int = PEER_LIMIT,
) -> SizeResult:
    if folder.exists():
        shutil.rmtree(folder)
    source, store = folder / "corpus", folder / "warehouse" / "warehouse.duckdb"
    started = time.perf_counter()
    generate(source, size, seed, html_share)
    generate_s = time.perf_counter() - started
    floor_s = measure_floor(source, folder / "floor.duckdb")
    log(f"{size}: generated in {generate_s:.1f}s, floor {floor_s:.2f}s")
    full = run_pipeline("full", source, store, folder / "full.log", env)
    log(f"{size}: full build {full.wall_s:.1f}s ({full.status_line})")
    noop = run_pipeline("no-op", source, store, folder / "noop.log", env)
    log(f"{size}: no-op rerun {noop.wall_s:.1f}s")
    generate(source, 1, seed, html_share, start=size)
    plus_one = run_pipeline("+1", source, store, folder / "plus_one.log", env)
    log(f"{size}: +1 article {plus_one.wall_s:.1f}s")
    peer = measure_peer(source, PROJECT_ROOT / "seeds", peer_limit)
    log(f"{size}: ours {peer.ours_ms:.2f} ms, trafilatura {peer.peer_ms:.2f} ms per HTML doc")
    return SizeResult(
        size=size,
        articles=size,
        corpus_mb=_size_mb(source),
        generate_s=generate_s,
        floor_s=floor_s,
        full=full,
        noop=noop,
        plus_one=plus_one,
        warehouse_mb=(_size_mb(store) + _size_mb(store.with_name(f"{store.stem}.work.duckdb"))),
        parquet_mb=_size_mb(store.with_name(f"{store.stem}_parquet")),
        peer=peer,
    )


def measure_floor(source: Path, database: Path, repeat: int = 2) -> float:
    """Seconds to read, SHA-256 and insert every article file into a fresh DuckDB table;
    the best of `repeat` tries (the first one also pays DuckDB's and polars' warm-up)."""
    return min(_floor_once(source, database) for _ in range(repeat))


def _floor_once(source: Path, database: Path) -> float:
    import duckdb
    import polars as pl

    database.unlink(missing_ok=True)
    started = time.perf_counter()
    paths = sorted(p for p in source.rglob("*") if p.suffix.lower() in ARTICLE_SUFFIXES)
    rows: dict[str, list] = {"source_path": [], "doc_id": [], "byte_size": [], "raw_text": []}
    for path in paths:
        data = path.read_bytes()
        rows["source_path"].append(path.relative_to(source).as_posix())
        rows["doc_id"].append(hashlib.sha256(data).hexdigest())
        rows["byte_size"].append(len(data))
        rows["raw_text"].append(data.decode("utf-8", errors="replace"))
    frame = pl.DataFrame(rows)
    with duckdb.connect(str(database)) as con:
        con.register("frame", frame)
        con.execute("create table documents as select * from frame")
    elapsed = time.perf_counter() - started
    database.unlink(missing_ok=True)
    return elapsed


def run_pipeline(
    label: str, source: Path, store: Path, log_file: Path, env: dict[str, str]
) -> RunMeasure:
    """One `python -m flows run` subprocess: wall time, peak tree RSS, per-stage times."""
    command = [sys.executable, "-m", "flows", "run", "--source", str(source)]
    command += ["--warehouse", str(store)]
    store.parent.mkdir(parents=True, exist_ok=True)
    launched_at = datetime.now()
    started = time.perf_counter()
    out_file = log_file.with_suffix(".out")
    with (
        log_file.open("w", encoding="utf-8") as err,
        out_file.open("w", encoding="utf-8") as out,
        subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=err) as process,
    ):
        peak = _poll_peak_rss(process)
    wall = time.perf_counter() - started
    log_text = log_file.read_text(encoding="utf-8", errors="replace")
    stdout = out_file.read_text(encoding="utf-8", errors="replace")
    startup, flow_s, stages = parse_log(log_text, launched_at)
    return RunMeasure(
        label=label,
        exit_code=process.returncode,
        wall_s=wall,
        peak_rss_mb=peak / MB,
        startup_s=startup,
        flow_s=flow_s,
        stages=stages,
        status_line=(stdout.strip().splitlines() or [""])[0],
    )


def parse_log(
    text: str, launched_at: datetime | None = None
) -> tuple[float | None, float | None, dict[str, float]]:
    """(launch -> flow start, flow duration, seconds per task name) from Prefect's log lines.

    Tasks run one after another, so a task's time is the gap since the previous task (or the
    flow's start) ended; batches of the same task are summed.
    """
    stages: dict[str, float] = {}
    begin = previous = end = None
    last_clock = 0.0
    for line in text.splitlines():
        match = _LOG_LINE.match(line)
        if not match:
            continue
        hours, minutes, seconds, millis, message = match.groups()
        clock = int(hours) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000
        while clock < last_clock - 43200:  # the run crossed midnight
            clock += 86400
        last_clock = clock
        if _FLOW_BEGIN.match(message):
            begin = previous = clock
        elif (done := _TASK_DONE.match(message)) and previous is not None:
            name = done.group(1)
            stages[name] = stages.get(name, 0.0) + clock - previous
            previous = clock
        elif _FLOW_DONE.match(message):
            end = clock
    startup = None
    if begin is not None and launched_at is not None:
        since_midnight = (
            launched_at - launched_at.replace(hour=0, minute=0, second=0, microsecond=0)
        ).total_seconds()
        startup = (begin - since_midnight) % 86400
    flow_s = end - begin if begin is not None and end is not None else None
    return startup, flow_s, stages


def _poll_peak_rss(process: subprocess.Popen[bytes]) -> int:
    """Peak summed RSS (bytes) of the process and all its descendants while it runs."""
    peak = 0
    stop = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(process.pid))
            stop.wait(POLL_S)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    process.wait()
    stop.set()
    watcher.join()
    return peak


def tree_rss(root: int) -> int:
    """Summed resident memory (bytes) of `root` and its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        tree.update(children)
        frontier += children
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


def _run_trivial_flow(env: dict[str, str]) -> float:
    """Wall seconds of a fresh process running an empty Prefect flow: Prefect's own start-up."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _TRIVIAL_FLOW],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def _environment(workdir: Path) -> dict[str, str]:
    """The runs' environment: no telemetry; the caller's Prefect API when one is configured
    (a server, or a test harness), else each run starts Prefect's ephemeral API from a
    private Prefect home."""
    from prefect.settings import get_current_settings

    env = dict(os.environ)
    env.update(
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        GX_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_LOGGING_LEVEL="INFO",
    )
    api_url = get_current_settings().api.url
    if api_url:
        env["PREFECT_API_URL"] = str(api_url)
    else:
        env["PREFECT_HOME"] = str(workdir / "prefect_home")
    return env


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / MB
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / MB
    return 0.0


def _machine() -> dict[str, str]:
    return {
        "cpus": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "when": datetime.now().isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m devtools.benchmark [--sizes 1000 10000] [--workdir DIR]`."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--workdir", type=Path, default=Path("benchmark"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    report = run_benchmark(args.sizes, args.workdir.resolve(), args.seed)
    print(report.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

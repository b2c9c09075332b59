"""The benchmark: log parsing, memory and floor measures, the report, and one tiny real run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from devtools.benchmark import (
    BenchmarkReport,
    RunMeasure,
    SizeResult,
    measure_floor,
    parse_log,
    run_benchmark,
    tree_rss,
)
from devtools.corpus import generate
from devtools.peer import PeerMeasure, measure_peer
from flows.settings import PROJECT_ROOT

LOG = """\
10:00:00.500 | INFO    | prefect - Starting temporary server on http://127.0.0.1:8558
10:00:05.000 | INFO    | Flow run 'odd-cat' - Beginning flow run 'odd-cat' for flow 'summitry-etl'
10:00:05.400 | INFO    | Task run 'discover_files-958' - discovered 5 article files
10:00:05.500 | INFO    | Task run 'discover_files-958' - Finished in state Completed()
10:00:07.500 | INFO    | Task run 'clean-d10' - Finished in state Completed()
10:00:08.000 | INFO    | Flow run 'odd-cat' - processed 1000/2000 documents
10:00:09.000 | INFO    | Task run 'clean-a01' - Finished in state Completed()
10:00:09.250 | WARNING | Task run 'publish-4f1' - Finished in state Failed('boom')
10:00:10.000 | INFO    | Flow run 'odd-cat' - Finished in state Completed('published')
"""


def test_parse_log_sums_each_task_over_batches() -> None:
    startup, flow_s, stages = parse_log(LOG, datetime(2026, 1, 1, 9, 59, 58))
    assert stages == pytest.approx({"discover_files": 0.5, "clean": 3.5, "publish": 0.25})
    assert flow_s == pytest.approx(5.0)
    assert startup == pytest.approx(7.0)


def test_parse_log_survives_midnight_and_missing_lines() -> None:
    log = (
        "23:59:58.000 | INFO    | Flow run 'a' - Beginning flow run 'a' for flow 'summitry-etl'\n"
        "23:59:59.500 | INFO    | Task run 'clean-d10' - Finished in state Completed()\n"
        "00:00:01.250 | INFO    | Task run 'publish-4f1' - Finished in state Completed()\n"
        "00:00:02.000 | INFO    | Flow run 'a' - Finished in state Completed('published')\n"
    )
    startup, flow_s, stages = parse_log(log, datetime(2026, 1, 1, 23, 59, 50))
    assert (startup, flow_s) == (pytest.approx(8.0), pytest.approx(4.0))
    assert stages == pytest.approx({"clean": 1.5, "publish": 1.75})
    assert parse_log("no prefect here") == (None, None, {})


def test_tree_rss_counts_children() -> None:
    own = tree_rss(os.getpid())
    assert own > 10 * 2**20
    code = "import time; data = bytearray(80 * 2**20); time.sleep(30)"
    with subprocess.Popen([sys.executable, "-c", code]) as child:
        try:
            for _ in range(100):  # until the child has touched its 80 MB
                if tree_rss(os.getpid()) > own + 70 * 2**20:
                    break
                subprocess.run(["sleep", "0.05"], check=True)
            assert tree_rss(os.getpid()) > own + 70 * 2**20
        finally:
            child.kill()
    assert tree_rss(2**22 + 12345) == 0


def test_floor_reads_hashes_and_inserts(tmp_path: Path) -> None:
    generate(tmp_path / "corpus", 20)
    seconds = measure_floor(tmp_path / "corpus", tmp_path / "floor.duckdb")
    assert 0 < seconds < 30
    assert not (tmp_path / "floor.duckdb").exists()


def _measure(label: str, wall: float) -> RunMeasure:
    return RunMeasure(label, 0, wall, 500.0, 4.0, wall - 5, {"clean": wall / 2}, "ok")


def _result(size: int, wall: float) -> SizeResult:
    return SizeResult(
        size=size,
        articles=size,
        corpus_mb=size / 300,
        generate_s=1.0,
        floor_s=wall / 20,
        full=_measure("full", wall),
        noop=_measure("no-op", 9.0),
        plus_one=_measure("+1", 10.0),
        warehouse_mb=size / 100,
        parquet_mb=1.0,
    )


def test_report_tables_and_linearity() -> None:
    report = BenchmarkReport(6.0, {"cpus": "2", "python": "3.11", "platform": "x", "when": "t"})
    report.results += [_result(1000, 20.0), _result(10_000, 100.0), _result(100_000, 1050.0)]
    assert report.linearity() == (10_000, 100_000, pytest.approx(10.5))
    text = report.markdown()
    assert "| 100,000 | 100,000 | 1050.0 | 95.2 | 52.50 | 20× |" in text
    assert "| clean | 10.00 | 4.50 | 5.00 |" in text
    assert "cost 10.5× the full-build time" in text
    payload = json.loads(report.to_json())
    assert payload["results"][2]["full"]["stages"] == {"clean": 525.0}
    assert payload["results"][0]["articles_per_s"] == pytest.approx(50.0)


def test_report_puts_the_peer_beside_our_cleaning() -> None:
    report = BenchmarkReport(6.0, {"cpus": "2", "python": "3.11", "platform": "x", "when": "t"})
    report.results += [_result(1000, 20.0), _result(10_000, 100.0)]
    report.results[0].peer = PeerMeasure(200, 2.0, 5.0, "2.3.1", 1)
    report.results[1].peer = PeerMeasure(1000, 4.0, 1.0, "2.3.1", 0)
    text = report.markdown()
    assert "| trafilatura ms/HTML doc | ours vs peer |" in text
    assert "| 200 | 2.00 | 5.00 | 2.5× faster |" in text
    assert "| 1,000 | 4.00 | 1.00 | 4.0× slower |" in text
    assert "trafilatura 2.3.1 `extract` against our cleaning on 200 HTML documents" in text
    assert json.loads(report.to_json())["results"][0]["peer_speedup"] == pytest.approx(2.5)


def test_peer_times_both_tools_on_the_same_html_documents(tmp_path: Path) -> None:
    generate(tmp_path / "corpus", 30, html_share=0.5)
    html = [p for p in (tmp_path / "corpus").rglob("*") if p.suffix in {".html", ".htm"}]
    measure = measure_peer(tmp_path / "corpus", PROJECT_ROOT / "seeds", limit=10)
    assert measure.documents == min(10, len(html)) > 0
    assert measure.ours_ms > 0 and measure.peer_ms > 0
    assert measure.peer_empty < measure.documents  # trafilatura found text in the articles


@pytest.mark.slow
def test_benchmark_end_to_end(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.settings import PREFECT_API_URL

    # The subprocess runs use the session's test server instead of each starting one.
    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    report = run_benchmark([20], tmp_path, log=lambda _: None)
    (result,) = report.results
    assert report.prefect_startup_s > 0
    assert result.articles == 20 and result.floor_s > 0
    assert result.warehouse_mb > 0 and result.parquet_mb > 0
    for run in (result.full, result.noop, result.plus_one):
        assert run.exit_code == 0, run.status_line
        assert run.wall_s > 0 and run.peak_rss_mb > 100
        assert run.startup_s is not None and run.flow_s is not None
    assert {"count_lines", "clean_extract", "publish"} <= set(result.full.stages)
    assert "clean_extract" not in result.noop.stages  # nothing new to clean
    assert "clean_extract" in result.plus_one.stages
    assert "documents: seen=21 new=1" in (tmp_path / "size_20" / "plus_one.out").read_text()
    assert (tmp_path / "benchmark.md").read_text().startswith("| size |")
    assert result.peer is not None and result.peer.documents > 0
    assert json.loads((tmp_path / "benchmark.json").read_text())["results"][0]["size"] == 20

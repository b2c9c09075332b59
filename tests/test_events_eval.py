"""The events stage meets the issue's targets on its labelled set (tests/event_cases/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.evaluate import EvalReport
from devtools.evaluate.events import run

CASES = Path(__file__).resolve().parent / "event_cases"


@pytest.fixture(scope="module")
def report() -> EvalReport:
    return run(CASES)


def test_labelled_set_is_big_enough() -> None:
    articles = list(CASES.glob("*.expected.json"))
    assert len(articles) >= 24
    assert (CASES / "merge_groups.json").exists()


@pytest.mark.parametrize(
    ("metric", "floor"),
    [
        ("event_f1", 0.95),
        ("date_accuracy", 0.95),
        ("merge_precision", 0.95),
        ("merge_recall", 0.95),
        ("topic_recall", 0.8),
        ("location_accuracy", 0.9),
        ("occasion_accuracy", 0.9),
        ("participants_accuracy", 0.9),
    ],
)
def test_targets(report: EvalReport, metric: str, floor: float) -> None:
    detail = "\n".join(report.misses)
    assert report.metrics[metric] >= floor, f"{metric} {report.counts.get(metric)}\n{detail}"


def test_counts_cover_the_set(report: EvalReport) -> None:
    labelled = int(report.counts["event_recall"].split("/")[1])
    pairs = int(report.counts["merge_recall"].split("/")[1])
    assert labelled >= 30
    assert pairs >= 10

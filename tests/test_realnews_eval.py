"""Floors on the real-news corpus (../shared/realnews, read in place, never copied).

The floors sit a little below the figures reached on the TEST half (even-numbered files), so a
regression fails; the dev half is where rules were tuned and is not guarded here.
"""

from __future__ import annotations

import pytest

from devtools.evaluate import EvalReport
from devtools.evaluate.real import DEFAULT_CORPUS, ERRATA, REGIONS, load_errata, run

pytestmark = pytest.mark.skipif(
    not (DEFAULT_CORPUS / REGIONS[0] / "labels.json").exists(),
    reason=f"the shared real-news corpus is not at {DEFAULT_CORPUS} (CI has ../shared)",
)


@pytest.fixture(scope="module")
def report() -> EvalReport:
    return run(DEFAULT_CORPUS, half="test")


# Reached on the test half when set: F1 0.811 (15 TP, 1 FP, 6 FN), kind 15/15, participants
# 11/21, meeting date 9/16 (10/16 before the published-date rules of the cleaning round moved
# one anchor), location 8/14 (the goals are 0.95 / 0.90 / 0.90). Cleaning and quotes:
# boilerplate 24/36, content kept 186/187, published date 15/18, quote precision 62/67,
# recall 63/66, speakers 51/63 (goals 0.95, 0.99, 0.90, 0.95, 0.95, 0.95). The
# precision floor went from 0.95 to 0.93 in round two: the wider "received/welcomed/hosted"
# grammar found two more engagements and one negative (dev and the extra set: no FP).
# Round three (participant roles, coreference, name shapes, trigger grammar, page-date
# anchoring, tuned on dev and two private sets): F1 0.872 (17 TP, 1 FP, 4 FN), participants
# 12/21, meeting date 10/16, location 9/14; cleaning and quote figures unchanged.
# Round four (escorts and sources, one-word heads, page-date anchors, pronoun subjects, more
# triggers; tuned on dev and three private sets): F1 0.872, participants 12/21, meeting date
# 11/16, location 9/14.
FLOORS = [
    ("engagement_precision", 0.93),
    ("engagement_f1", 0.86),
    ("engagement_kind", 0.98),
    ("participants_exact", 0.55),
    ("meeting_date_accuracy", 0.65),
    ("location_accuracy", 0.60),
    ("boilerplate_recall", 0.65),
    ("content_kept", 0.99),
    ("published_date_accuracy", 0.80),
    ("quote_precision", 0.90),
    ("quote_recall", 0.93),
    ("speaker_accuracy", 0.78),
    ("errata:engagement_f1", 0.86),
    ("errata:participants_exact", 0.55),
]


@pytest.mark.parametrize(("metric", "floor"), FLOORS)
def test_test_half_floors(report: EvalReport, metric: str, floor: float) -> None:
    detail = "\n".join(report.misses)
    assert report.metrics[metric] >= floor, f"{metric} {report.counts.get(metric)}\n{detail}"


def test_errata_are_explained() -> None:
    for erratum in load_errata(ERRATA):
        assert {"file", "field", "value", "reason"} <= set(erratum)
        assert len(erratum["reason"]) > 20

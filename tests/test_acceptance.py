"""Per-stage scores of the built sample warehouse against tests/seeds_expected.json.

The floors are the figures the pipeline reaches today; raise them as the stages improve,
never lower them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devtools.scoring import Score, render, score
from flows.load import warehouse
from tests.test_pipeline import built  # noqa: F401  (module-scoped fixture)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

FLOORS = {
    "published_date": 1.0,
    "title": 1.0,
    "dateline": 1.0,
    "outlet": 1.0,
    "byline": 1.0,
    "debris_removed": 1.0,
    "paragraph_count": 1.0,
    "quote_recall": 1.0,
    "quote_precision": 1.0,
    "speaker_accuracy": 1.0,
    "statement_pairs": 1.0,
    "meetings": 1.0,
    "message": 1.0,
    "topic_recall": 0.8,
    "document_kind": 1.0,
}


@pytest.fixture(scope="module")
def scores(built: tuple[Path, Path], expected: dict[str, Any]) -> dict[str, Score]:  # noqa: F811
    _, db = built
    with warehouse.reader(db) as con:
        result = score(con, expected)
    print(render(result, verbose=True))
    return result


@pytest.mark.parametrize("measure", sorted(FLOORS))
def test_stage_reaches_its_floor(scores: dict[str, Score], measure: str) -> None:
    result = scores[measure]
    assert result.ratio >= FLOORS[measure], f"{measure}: {result.ratio:.2f} misses {result.misses}"

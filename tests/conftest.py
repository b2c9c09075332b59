"""Shared fixtures: a Prefect test server for the session, sample corpora in temp folders."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from flows.extract.cleaning import BoilerplatePatterns

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

TESTS = Path(__file__).resolve().parent
PROJECT = TESTS.parent
SAMPLE_ARTICLES = PROJECT / "seeds" / "articles"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A real, temporary Prefect API for every flow run in the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    """The hand-labelled expectations for the sample articles."""
    return json.loads((TESTS / "seeds_expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private copy of the sample articles that a test may edit."""
    target = tmp_path / "articles"
    shutil.copytree(SAMPLE_ARTICLES, target)
    return target


@pytest.fixture(scope="session")
def patterns() -> BoilerplatePatterns:
    """The boilerplate rules of the project's seeds."""
    from flows.extract.cleaning import BoilerplatePatterns

    return BoilerplatePatterns.from_seeds(PROJECT / "seeds")

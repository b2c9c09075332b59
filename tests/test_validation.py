"""Great Expectations validation: committed suites, passing and failing frames."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

from flows.quality import checks
from flows.quality import validation as v

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "expectations"
TODAY = dt.date(2026, 1, 15)
SHA_A = "a" * 64
SHA_B = "0123456789abcdef" * 4


def _good_polars() -> dict[str, pl.DataFrame]:
    """One small, valid frame per suite, shaped like the pipeline's polars frames."""
    return {
        "documents": pl.DataFrame(
            {
                "source_path": ["a.txt", "b.html", "c.txt"],
                "doc_id": [SHA_A, SHA_B, "f" * 64],
                "content_type": ["text", "html", "text"],
                "title": ["Leaders meet", None, "Call"],
                "published_date": [dt.date(2024, 5, 19), None, TODAY],
                "body": ["One.\n\nTwo.", "Three.", "Four."],
                "paragraph_count": [2, 1, 1],
                "removed_line_count": [0, 4, 1],
            }
        ),
        "meetings": pl.DataFrame(
            {
                "meeting_id": ["m1", "m2"],
                "meeting_date": [dt.date(2024, 5, 19), None],
                "kind": ["meeting", "phone_call"],
                "location": ["Baku", None],
                "country": ["Azerbaijan", None],
                "occasion": [None, None],
                "participants": [["A", "B"], ["C", "D"]],
                "source_count": [2, 1],
                "source_paths": [["a.txt", "b.html"], ["c.txt"]],
                "quote_count": [1, 0],
                "topics": [["energy"], []],
                "enough_participants": [True, True],
            }
        ),
        "quotes": pl.DataFrame(
            {
                "quote_id": ["q1", "q2"],
                "doc_id": [SHA_A, SHA_B],
                "source_path": ["a.txt", "b.html"],
                "speaker": ["A", None],
                "quote_text": ["We agreed on transit.", "ok"],
                "attribution_verb": ["said", None],
                "is_partial": [False, True],
                "paragraph_no": [0, 1],
                "published_date": [dt.date(2024, 5, 19), None],
                "outlet": ["X", "Y"],
                "meeting_id": ["m1", None],
                "statement_id": ["s1", "s2"],
                "topics": [["transport_transit"], []],
                "speaker_known": [True, True],
                "document_exists": [True, True],
                "meeting_exists": [True, True],
            }
        ),
        "topics": pl.DataFrame(
            {
                "meeting_id": ["m1", "m1", "m2"],
                "meeting_date": [dt.date(2024, 5, 19)] * 2 + [None],
                "topic": ["energy", "security", "energy"],
                "label": ["Energy", "Security", "Energy"],
                "mentions": [2, 0, 1],
                "quote_count": [1, 0, 0],
                "topic_known": [True, True, True],
                "meeting_exists": [True, True, True],
            }
        ),
        "people": pl.DataFrame(
            {
                "person": ["A", "B"],
                "country": ["Iran", "Azerbaijan"],
                "roles": [["president"], ["president"]],
                "aliases": [["a"], []],
            }
        ),
    }


def good_frames() -> dict[str, pd.DataFrame]:
    """The valid frames as the pipeline hands them over: polars -> pandas."""
    return {name: frame.to_pandas() for name, frame in _good_polars().items()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the committed GX project, so stored results stay out of the repo."""
    target = tmp_path_factory.mktemp("gx") / "expectations"
    shutil.copytree(COMMITTED, target, ignore=shutil.ignore_patterns("uncommitted"))
    return target


def failing(report: v.ValidationReport) -> dict[tuple[str, str], v.ValidationRow]:
    return {(r.suite, r.expectation): r for r in report.rows if not r.success}


def test_good_frames_pass(project: Path) -> None:
    report = v.validate_frames(good_frames(), project, today=TODAY)
    assert report.success, report.failures
    assert report.failures == []


def test_a_run_id_that_reads_as_a_date_does_not_crash_validation(project: Path) -> None:
    # GX parses a run name given without a run time as a date: this run id (hex, like every
    # run id) made dateutil overflow, about once in 3,000 runs.
    report = v.validate_frames(good_frames(), project, today=TODAY, run_name="9a6226480218")
    assert report.success, report.failures
    assert len(report.rows) == sum(len(checks) for checks in v.SUITES.values())
    assert {r.suite for r in report.rows} == set(v.SUITES)
    assert all(r.success for r in report.rows)
    not_null = next(r for r in report.rows if r.expectation.endswith("not_be_null(doc_id)"))
    assert not_null.unexpected_count == 0


Mutation = Callable[[pd.DataFrame], None]


def put(column: str, row: int, value: object) -> Mutation:
    def mutate(frame: pd.DataFrame) -> None:
        frame.at[row, column] = value

    return mutate


def dup(column: str) -> Mutation:
    """Copy row 0's value into row 1: a duplicate key."""

    def mutate(frame: pd.DataFrame) -> None:
        frame.at[1, column] = frame.at[0, column]

    return mutate


def lists(column: str, values: list) -> Mutation:
    def mutate(frame: pd.DataFrame) -> None:
        frame[column] = pd.Series(values, dtype=object)

    return mutate


PAST = pd.Timestamp("1985-03-01")
FUTURE = pd.Timestamp(TODAY + dt.timedelta(days=30))
NULL = "expect_column_values_to_not_be_null"
UNIQUE = "expect_column_values_to_be_unique"
BETWEEN = "expect_column_values_to_be_between"
LENGTHS = "expect_column_value_lengths_to_be_between"
IN_SET = "expect_column_values_to_be_in_set"
REGEX = "expect_column_values_to_match_regex"
NOT_REGEX = "expect_column_values_to_not_match_regex"
COMPOUND = "expect_compound_columns_to_be_unique"
NOBODY = [np.array(["A"]), np.array([])]  # polars lists arrive as numpy arrays

ROW_LEVEL = {
    ("documents", f"{BETWEEN}(published_date)"),
    ("documents", f"{NOT_REGEX}(body)"),
    ("meetings", f"{BETWEEN}(meeting_date)"),
    ("meetings", f"{IN_SET}(enough_participants)"),
    ("quotes", f"{LENGTHS}(quote_text)"),
    ("quotes", f"{NOT_REGEX}(quote_text)"),
    ("quotes", f"{IN_SET}(speaker_known)"),
    ("topics", f"{IN_SET}(topic_known)"),
}

# fmt: off
BAD_CASES = [
    ("documents", dup("source_path"), f"{UNIQUE}(source_path)", 2, [0, 1]),
    ("documents", put("doc_id", 2, None), f"{NULL}(doc_id)", 1, [2]),
    ("documents", put("doc_id", 1, "A" * 64), f"{REGEX}(doc_id)", 1, [1]),
    ("documents", put("published_date", 0, PAST), f"{BETWEEN}(published_date)", 1, [0]),
    ("documents", put("published_date", 1, FUTURE), f"{BETWEEN}(published_date)", 1, [1]),
    ("documents", put("paragraph_count", 2, 0), f"{BETWEEN}(paragraph_count)", 1, [2]),
    ("documents", put("content_type", 0, "pdf"), f"{IN_SET}(content_type)", 1, [0]),
    ("meetings", dup("meeting_id"), f"{UNIQUE}(meeting_id)", 2, [0, 1]),
    ("meetings", put("kind", 1, "other"), f"{IN_SET}(kind)", 1, [1]),
    ("meetings", put("source_count", 0, 0), f"{BETWEEN}(source_count)", 1, [0]),
    ("meetings", put("enough_participants", 1, False), f"{IN_SET}(enough_participants)", 1, [1]),
    ("meetings", put("meeting_date", 0, FUTURE), f"{BETWEEN}(meeting_date)", 1, [0]),
    ("quotes", put("quote_text", 1, "x"), f"{LENGTHS}(quote_text)", 1, [1]),
    ("quotes", put("quote_text", 0, "y" * 5001), f"{LENGTHS}(quote_text)", 1, [0]),
    ("quotes", put("doc_id", 0, None), f"{NULL}(doc_id)", 1, [0]),
    ("quotes", put("quote_text", 0, "We agree,” he said. “More"), f"{NOT_REGEX}(quote_text)", 1,
     [0]),
    ("quotes", put("speaker_known", 1, False), f"{IN_SET}(speaker_known)", 1, [1]),
    ("quotes", put("meeting_exists", 0, False), f"{IN_SET}(meeting_exists)", 1, [0]),
    ("quotes", put("document_exists", 1, False), f"{IN_SET}(document_exists)", 1, [1]),
    ("documents", put("body", 1, "Story.\nFollow us on Telegram\nMore."), f"{NOT_REGEX}(body)",
     1, [1]),
    ("topics", dup("topic"), f"{COMPOUND}(meeting_id,topic)", 2, [0, 1]),
    ("topics", put("mentions", 2, -1), f"{BETWEEN}(mentions)", 1, [2]),
    ("topics", put("topic_known", 0, False), f"{IN_SET}(topic_known)", 1, [0]),
    ("topics", put("meeting_exists", 2, False), f"{IN_SET}(meeting_exists)", 1, [2]),
    ("people", dup("person"), f"{UNIQUE}(person)", 2, [0, 1]),
]
# fmt: on


@pytest.mark.parametrize(
    ("suite", "mutate", "expectation", "count", "rows"),
    BAD_CASES,
    ids=[f"{case[0]}-{case[2]}" for case in BAD_CASES],
)
def test_bad_frames_fail_exactly_the_right_expectation(
    project: Path, suite: str, mutate: Mutation, expectation: str, count: int, rows: list[int]
) -> None:
    frames = good_frames()
    frame = frames[suite]
    mutate(frame)
    report = v.validate_frames(frames, project, today=TODAY)
    [failure] = report.failures
    # Row-level (warning) failures quarantine rows and let the run go on; the rest block it.
    assert report.success is (failure.severity == "warning")
    assert (failure.severity == "warning") is ((suite, expectation) in ROW_LEVEL)
    assert list(failing(report)) == [(suite, expectation)]
    assert failing(report)[(suite, expectation)].unexpected_count == count
    [failure] = report.failures
    assert failure.unexpected_rows == rows
    assert len(failure.unexpected_values) == count


def test_several_failures_are_all_reported(project: Path) -> None:
    frames = good_frames()
    frames["documents"].at[1, "doc_id"] = None
    frames["documents"].at[2, "doc_id"] = None
    frames["people"].at[1, "person"] = None
    report = v.validate_frames(frames, project, today=TODAY)
    assert {k: r.unexpected_count for k, r in failing(report).items()} == {
        ("documents", f"{NULL}(doc_id)"): 2,
        ("people", f"{NULL}(person)"): 1,
    }


@pytest.mark.parametrize(
    "as_dates",
    [
        lambda s: s,  # polars Date -> datetime64[ms]
        lambda s: s.astype("datetime64[ns]"),
        lambda s: pd.Series([d.date() if pd.notna(d) else None for d in s], dtype=object),
    ],
)
def test_dates_are_checked_whatever_their_dtype(project: Path, as_dates: Callable) -> None:
    frames = good_frames()
    frames["documents"].at[0, "published_date"] = pd.Timestamp("1989-12-31")
    frames["documents"]["published_date"] = as_dates(frames["documents"]["published_date"])
    report = v.validate_frames(frames, project, today=TODAY)
    assert list(failing(report)) == [("documents", f"{BETWEEN}(published_date)")]


def test_missing_frame_is_a_failure_and_unknown_frame_is_skipped(project: Path) -> None:
    frames = good_frames()
    del frames["people"]
    frames["not_a_suite"] = pd.DataFrame({"x": [1]})
    report = v.validate_frames(frames, project, today=TODAY)
    assert not report.success
    assert list(failing(report)) == [("people", "expect_frame_to_be_provided(people)")]
    assert "not_a_suite" not in {r.suite for r in report.rows}


def test_missing_column_fails_the_column_set_and_its_expectations(project: Path) -> None:
    frames = good_frames()
    frames["quotes"] = frames["quotes"].drop(columns=["quote_text"])
    report = v.validate_frames(frames, project, today=TODAY)
    assert set(failing(report)) == {
        ("quotes", "expect_table_columns_to_match_set"),
        ("quotes", f"{NULL}(quote_text)"),
        ("quotes", "expect_column_value_lengths_to_be_between(quote_text)"),
        ("quotes", "expect_column_values_to_not_match_regex(quote_text)"),
    }
    errors = [f.error for f in report.failures if f.expectation.endswith("(quote_text)")]
    assert all(e and "quote_text" in e for e in errors)


def test_empty_frames_pass(project: Path) -> None:
    # GX: row expectations on zero rows succeed with unexpected_count 0 (vacuous truth).
    frames = {name: frame.iloc[0:0] for name, frame in good_frames().items()}
    report = v.validate_frames(frames, project, today=TODAY)
    assert report.success, report.failures
    assert {r.unexpected_count for r in report.rows} <= {0, None}


def test_warning_severity_does_not_fail_the_report(tmp_path: Path) -> None:
    suites = {"people": (v.Check(f"{NULL}", {"column": "person"}, "why", "warning"),)}
    v.ensure_suites(tmp_path, suites)
    frames = {"people": pd.DataFrame({"person": [None]})}
    report = v.validate_frames(frames, tmp_path, today=TODAY)
    assert report.success
    assert [r.success for r in report.rows] == [False]
    assert report.failures[0].severity == "warning"


def test_committed_suites_match_the_declaration(project: Path) -> None:
    assert v.stored_suites(project) == v.declared_suites()


def test_ensure_suites_is_idempotent_on_the_committed_project(project: Path) -> None:
    files = [*sorted((project / "gx").rglob("*.json")), project / "gx/great_expectations.yml"]
    before = {p: p.read_bytes() for p in files if "uncommitted" not in p.parts}
    assert v.ensure_suites(project) == []
    assert {p: p.read_bytes() for p in before} == before


def test_ensure_suites_updates_a_changed_suite(tmp_path: Path) -> None:
    assert v.ensure_suites(tmp_path) == list(v.SUITES)
    assert v.ensure_suites(tmp_path) == []
    extra = checks.not_null("country", "test")
    changed = {**v.SUITES, "people": (*v.SUITES["people"], extra)}
    assert v.ensure_suites(tmp_path, changed) == ["people"]
    assert len(v.stored_suites(tmp_path)["people"]) == len(v.SUITES["people"]) + 1


@pytest.mark.parametrize("suite", sorted(v.SUITES))
def test_committed_json_has_a_note_on_every_expectation(suite: str) -> None:
    path = COMMITTED / "gx" / "expectations" / f"{suite}.json"
    expectations = json.loads(path.read_text())["expectations"]
    assert expectations
    assert all(isinstance(e.get("notes"), str) and len(e["notes"]) > 10 for e in expectations)


def test_expectation_ids_are_unique_within_a_suite() -> None:
    for suite in v.SUITES.values():
        ids = [v.expectation_id(c.type, c.kwargs) for c in suite]
        assert len(ids) == len(set(ids))


def test_no_other_module_imports_great_expectations() -> None:
    offenders = [
        p.name
        for p in (ROOT / "flows").rglob("*.py")
        if p.name != "validation.py" and "great_expectations" in p.read_text()
    ]
    assert offenders == []


def test_data_docs_are_built_locally(project: Path) -> None:
    v.validate_frames(good_frames(), project, today=TODAY)
    index = v.build_data_docs(project)
    assert index.is_file()
    assert index.is_relative_to(project / "gx" / "uncommitted")
    assert (index.parent / "expectations" / "meetings.html").is_file()


def test_data_docs_of_one_run_render_its_results_and_keep_the_rest(project: Path) -> None:
    v.validate_frames(good_frames(), project, today=TODAY, run_name="docs-first")
    index = v.build_data_docs(project)
    results = index.parent / "validations"
    first = {p.relative_to(results) for p in results.rglob("*.html") if "docs-first" in p.parts}
    assert first
    v.validate_frames(good_frames(), project, today=TODAY, run_name="docs-second")
    v.build_data_docs(project, "docs-second")
    pages = {p.relative_to(results) for p in results.rglob("*.html")}
    second = {p for p in pages if "docs-second" in p.parts}
    assert len(second) == len(first)  # one page per suite validated by the run
    assert first <= pages
    listed = index.read_text(encoding="utf-8")
    assert "docs-second" in listed and "docs-first" in listed


def test_stored_results_are_pruned(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(v, "KEEP_RESULTS", 2)
    for run in ("r1", "r2", "r3"):
        v.validate_frames(good_frames(), project, today=TODAY, run_name=run)
    stored = project / "gx" / "uncommitted" / "validations" / "people"
    assert sorted(p.name for p in stored.iterdir()) == ["r2", "r3"]


def test_a_wrong_project_dir_is_an_error_not_a_silent_pass(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        v.validate_frames(good_frames(), tmp_path / "nowhere", today=TODAY)


def test_pruning_tolerates_another_process_pruning_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs sharing the GX project prune the same folders; neither may fail."""
    root = tmp_path / "gx" / "uncommitted" / "validations" / "quotes"
    for name in ("run-a", "run-b", "run-c"):
        (root / name / "20261125T000000").mkdir(parents=True)
    real_rmtree = shutil.rmtree

    def rmtree_racing(path: Path, ignore_errors: bool = False) -> None:
        real_rmtree(Path(path).parent, ignore_errors=True)  # the other process was faster

    monkeypatch.setattr(v.shutil, "rmtree", rmtree_racing)
    v._prune_results(tmp_path, keep=1)
    assert len(list(root.glob("*/*/"))) == 1

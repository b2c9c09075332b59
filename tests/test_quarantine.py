"""Quarantine upstream: a mart row a row-level expectation rejects is left out by the SQL models,
and the marts rebuilt around it equal a fresh build that leaves it out (no patching of marts)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from flows.models.runner import build
from flows.quality import gate
from tests.test_sql_models import ALIYEV, DDL, MODELS, RAISI, land

MARTS = ("documents", "removed_lines", "meetings", "quotes", "topics", "people")

# (suite, key, scope): a quote of meeting m-1 tagged economy_trade, that meeting, one of its
# topics, and a person who speaks two quotes.
REJECTIONS = {
    "quote": ("quotes", ("d1-0",), "d1"),
    "meeting": ("meetings", ("m-1",), "m-1"),
    "topic": ("topics", ("m-1", "energy"), "m-1"),
    "person": ("people", (RAISI,), None),
}


def marts(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every mart's rows, in a stable order."""
    return {m: sorted(map(repr, con.execute(f"select * from marts.{m}").fetchall())) for m in MARTS}


def fresh(rejected: list[tuple[str, tuple[str, ...]]]) -> duckdb.DuckDBPyConnection:
    """A new database: the landing rows, these rejections, every model built from scratch."""
    con = duckdb.connect()
    con.execute(DDL.read_text(encoding="utf-8"))
    land(con)
    for suite, key in rejected:
        con.execute(
            "insert into staging.rejected_rows (suite, key, scope, expectation, run_id) "
            "values (?, ?, null, 'x', 'x')",
            [suite, list(key)],
        )
    build(con, MODELS)
    return con


def inconsistencies(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Derived mart columns that disagree with the rows they summarise, and dangling refs."""
    return con.execute("""
        select 'quote_count', meeting_id from marts.meetings m
        where quote_count != (select count(*) from marts.quotes q where q.meeting_id = m.meeting_id)
        union all
        select 'topics', meeting_id from marts.meetings m
        where topics != coalesce((select list_sort(list(topic)) from marts.topics t
                                  where t.meeting_id = m.meeting_id), [])
        union all
        select 'topic quote_count', meeting_id || '/' || topic from marts.topics t
        where quote_count != (
            select count(*) from marts.quotes q
            where q.meeting_id = t.meeting_id and list_contains(q.topics, t.topic))
        union all
        select 'quote meeting', quote_id from marts.quotes
        where meeting_id not in (select meeting_id from marts.meetings)
        union all
        select 'quote speaker', quote_id from marts.quotes
        where speaker not in (select person from marts.people)
        union all
        select 'topic meeting', meeting_id from marts.topics
        where meeting_id not in (select meeting_id from marts.meetings)
    """).fetchall()


@pytest.fixture
def baseline() -> Iterator[duckdb.DuckDBPyConnection]:
    con = fresh([])
    yield con
    con.close()


def reject(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """What a run does when validation rejects the row: record it, rebuild incrementally."""
    suite, key, scope = REJECTIONS[name]
    gate.record(con, "run-1", [gate.Rejection(suite, key, "expect_something(x)", scope)])
    build(con, MODELS, changes=gate.CHANGE_TABLES)
    for table in gate.CHANGE_TABLES.values():  # as publishing does
        con.execute(f"delete from {table}")


def test_the_baseline_is_consistent_and_holds_every_row_a_test_rejects(
    baseline: duckdb.DuckDBPyConnection,
) -> None:
    assert inconsistencies(baseline) == []
    found = baseline.execute("""
        select
            (select count(*) from marts.quotes where quote_id = 'd1-0'),
            (select count(*) from marts.meetings where meeting_id = 'm-1'),
            (select count(*) from marts.topics where meeting_id = 'm-1' and topic = 'energy'),
            (select count(*) from marts.quotes where speaker = ?)
    """, [RAISI]).fetchone()  # fmt: skip
    assert found == (1, 1, 1, 2)


@pytest.mark.parametrize("name", sorted(REJECTIONS))
def test_a_rejected_row_leaves_the_marts_as_a_fresh_build_without_it(
    baseline: duckdb.DuckDBPyConnection, name: str
) -> None:
    before = marts(baseline)
    reject(baseline, name)
    suite, key, _ = REJECTIONS[name]
    expected = fresh([(suite, key)])
    assert marts(baseline) == marts(expected)
    assert marts(baseline) != before
    assert inconsistencies(baseline) == []
    expected.close()


def test_what_a_rejection_changes(baseline: duckdb.DuckDBPyConnection) -> None:
    def one(sql: str) -> object:
        row = baseline.execute(sql).fetchone()
        return row[0] if row else None

    quotes_of_m1 = one("select quote_count from marts.meetings where meeting_id = 'm-1'")
    reject(baseline, "quote")
    assert one("select quote_count from marts.meetings where meeting_id = 'm-1'") == (
        quotes_of_m1 - 1  # type: ignore[operator]
    )
    reject(baseline, "topic")
    assert "energy" not in one("select topics from marts.meetings where meeting_id = 'm-1'")  # type: ignore[operator]
    reject(baseline, "person")
    assert one(f"select count(*) from marts.people where person = '{RAISI}'") == 0
    assert one(f"select count(*) from marts.quotes where speaker = '{RAISI}'") == 0
    assert one(f"select count(*) from marts.quotes where speaker = '{ALIYEV}'") == 1
    reject(baseline, "meeting")
    assert one("select count(*) from marts.topics where meeting_id = 'm-1'") == 0
    assert one("select count(*) from marts.quotes where meeting_id = 'm-1'") == 0
    assert inconsistencies(baseline) == []


@pytest.mark.parametrize("name", sorted(REJECTIONS))
def test_a_rejection_stays_until_its_rows_change_then_everything_is_rebuilt_with_them(
    baseline: duckdb.DuckDBPyConnection, name: str
) -> None:
    before = marts(baseline)
    reject(baseline, name)
    rejected = marts(baseline)
    suite, _, scope = REJECTIONS[name]
    if scope is not None:  # nothing changed: the rejection stays and so do the marts
        gate.release(baseline, full=False)
        build(baseline, MODELS, changes=gate.CHANGE_TABLES)
        assert marts(baseline) == rejected
        _, table = gate.CHANGED_KEYS[suite]
        baseline.execute(f"insert into {table} values (?)", [scope])
    # its rows changed (people: every run validates them all): validated again, so released,
    # and every mart row built without it is rebuilt with it
    gate.release(baseline, full=False)
    assert baseline.execute("select count(*) from staging.rejected_rows").fetchone() == (0,)
    build(baseline, MODELS, changes=gate.CHANGE_TABLES)
    assert marts(baseline) == before


def test_a_full_run_releases_every_rejection(baseline: duckdb.DuckDBPyConnection) -> None:
    before = marts(baseline)
    for name in REJECTIONS:
        reject(baseline, name)
    assert baseline.execute("select count(*) from staging.rejected_rows").fetchone() == (4,)
    gate.release(baseline, full=True)
    build(baseline, MODELS)
    assert marts(baseline) == before


def test_rejections_of_every_suite_together_match_a_fresh_build(
    baseline: duckdb.DuckDBPyConnection,
) -> None:
    gate.record(
        baseline,
        "run-1",
        [gate.Rejection(s, k, "expect_something(x)", scope) for s, k, scope in REJECTIONS.values()],
    )
    build(baseline, MODELS, changes=gate.CHANGE_TABLES)
    expected = fresh([(s, k) for s, k, _ in REJECTIONS.values()])
    assert marts(baseline) == marts(expected)
    assert inconsistencies(baseline) == []
    expected.close()


def test_nothing_edits_a_mart_outside_the_sql_models() -> None:
    root = Path(__file__).resolve().parents[1] / "flows"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        for text in [path.read_text(encoding="utf-8").lower()]
        if "update marts." in text or "delete from marts." in text
    ]
    assert offenders == []


# ---------------------------------------------------------------- end to end: Prefect, GX


def _rejecting_project(target: Path) -> Path:
    """A GX project holding the committed suites plus row-level checks that reject, in the
    sample corpus, one quote, the meeting three articles report, a topic and a person."""
    from flows.quality import checks, validation
    from flows.quality.suites import SUITES

    def no(column: str, regex: str) -> checks.Check:
        kwargs = {"column": column, "regex": regex}
        check = checks.Check("expect_column_values_to_not_match_regex", kwargs, "test rejection")
        return checks.row_level(check)

    extra = {
        "quotes": no("quote_text", "railroads"),
        "meetings": checks.row_level(checks.in_set("source_count", [1, 2], "test rejection")),
        "topics": no("topic", "^israel$"),
        "people": no("person", "^Ali Khamenei$"),
    }
    suites = {
        name: (*found, *([extra[name]] if name in extra else [])) for name, found in SUITES.items()
    }
    validation.ensure_suites(target, suites)
    return target


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_end_to_end_rejected_rows_are_rebuilt_out_full_and_incremental_alike(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.load import warehouse
    from tests.test_pipeline import run, snapshot

    monkeypatch.setenv("SUMMITRY_EXPECTATIONS_DIR", str(_rejecting_project(tmp_path / "gx")))
    db = tmp_path / "wh.duckdb"
    first = run(corpus, db)
    assert first.status == "success", first.message
    assert first.records_quarantined >= 5
    with warehouse.reader(db) as con:
        assert inconsistencies(con) == []
        gone = con.execute("""
            select
                (select count(*) from marts.quotes where quote_text like '%railroads%'),
                (select count(*) from marts.meetings where source_count > 2),
                (select count(*) from marts.topics where topic = 'israel'),
                (select count(*) from marts.meetings where list_contains(topics, 'israel')),
                (select count(*) from marts.people where person = 'Ali Khamenei'),
                (select count(*) from marts.quotes where speaker = 'Ali Khamenei')
        """).fetchone()
        silenced = con.execute("""
            select count(*) from marts.quotes q join staging.stg_quotes s using (quote_id)
            where s.speaker = 'Ali Khamenei' and q.speaker is null
        """).fetchone()
        stages = con.execute(
            "select distinct stage from meta.quarantine where run_id = ?", [first.run_id]
        ).fetchall()
    assert gone == (0, 0, 0, 0, 0, 0)
    assert silenced is not None and silenced[0] > 0
    assert sorted(s for (s,) in stages) == [
        "validate:meetings", "validate:people", "validate:quotes", "validate:topics"
    ]  # fmt: skip

    # An incremental run (one article edited) keeps the rejections and rebuilds consistently:
    # its marts equal a fresh full run over the same articles.
    edited = sorted(corpus.glob("*.txt"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nEnd of report.\n", "utf-8")
    second = run(corpus, db)
    assert second.status == "success", second.message
    fresh_db = tmp_path / "fresh.duckdb"
    assert run(corpus, fresh_db, full_refresh=True).status == "success"
    assert snapshot(db) == snapshot(fresh_db)
    with warehouse.reader(db) as con:
        assert inconsistencies(con) == []

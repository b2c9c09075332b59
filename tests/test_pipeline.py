"""The real Prefect flow end to end on the sample corpus, into temporary DuckDB files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.load import warehouse
from flows.orchestration.flow import etl
from flows.orchestration.summary import RunSummary

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

MART_KEYS = {
    "documents": "doc_id",
    "meetings": "meeting_id",
    "quotes": "quote_id",
    "people": "person",
}


def run(source: Path, db: Path, full_refresh: bool = False) -> RunSummary:
    state = etl(str(source), str(db), full_refresh, return_state=True)
    summary = state.result(raise_on_failure=False)
    assert isinstance(summary, RunSummary), f"run crashed: {state.message}"
    return summary


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every mart's rows in a stable order (run-specific columns left out)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            mart: sorted(map(repr, con.execute(f"select * from marts.{mart}").fetchall()))
            for mart in ("documents", "removed_lines", "meetings", "quotes", "topics", "people")
        }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> tuple[Path, Path]:
    """The sample corpus run once into a fresh warehouse."""
    import shutil

    from tests.conftest import SAMPLE_ARTICLES

    root = tmp_path_factory.mktemp("built")
    source = root / "articles"
    shutil.copytree(SAMPLE_ARTICLES, source)
    db = root / "warehouse.duckdb"
    summary = run(source, db)
    assert summary.status == "success", summary.render()
    return source, db


def test_first_run_fills_every_mart(built: tuple[Path, Path]) -> None:
    _, db = built
    with warehouse.reader(db) as con:
        for mart in ("documents", "removed_lines", "meetings", "quotes", "topics", "people"):
            count = con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
            assert count > 0, f"marts.{mart} is empty"
        assert con.execute("select count(*) from raw.documents").fetchone()[0] == 5
        run_row = con.execute(
            "select status, docs_seen, docs_new, validation_success from meta.runs"
        ).fetchall()
        assert run_row == [("success", 5, 5, True)]
        assert con.execute("select count(*) from meta.validations").fetchone()[0] > 0


@pytest.mark.parametrize(("mart", "key"), sorted(MART_KEYS.items()))
def test_mart_keys_unique_and_not_null(built: tuple[Path, Path], mart: str, key: str) -> None:
    _, db = built
    with warehouse.reader(db) as con:
        total, distinct, nulls = con.execute(
            f"select count(*), count(distinct {key}), count(*) - count({key}) from marts.{mart}"
        ).fetchone()
    assert (distinct, nulls) == (total, 0)


def test_raw_documents_are_keyed_by_sha256(built: tuple[Path, Path]) -> None:
    import hashlib

    source, db = built
    with warehouse.reader(db) as con:
        rows = dict(con.execute("select source_path, doc_id from raw.documents").fetchall())
    assert rows == {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in source.iterdir()
    }


def test_rerun_is_a_noop_and_edits_replace_old_rows(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    first = run(corpus, db)
    assert (first.docs_new, first.status) == (5, "success")
    before = snapshot(db)

    published = db.read_bytes()
    again = run(corpus, db)
    assert (again.docs_new, again.docs_changed, again.docs_unchanged) == (0, 0, 5)
    assert again.up_to_date and again.validation_success
    assert snapshot(db) == before
    # The no-op is visible to readers of the published file, which was not rewritten.
    assert db.read_bytes() == published
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("select run_id, status from meta.runs order by started_at").fetchall()
        fresh = con.execute(
            "select last_check_run_id, last_check_status, last_change_run_id from meta.freshness"
        ).fetchall()
    assert runs == [(first.run_id, "success"), (again.run_id, "success")]
    assert fresh == [(again.run_id, "success", first.run_id)]

    edited = corpus / "004_44a79e2381192542.txt"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("Raisi said.", "Raisi told reporters."), encoding="utf-8")
    third = run(corpus, db)
    assert (third.docs_new, third.docs_changed, third.docs_unchanged) == (0, 1, 4)
    with warehouse.reader(db) as con:
        ids = con.execute(
            "select doc_id from marts.documents where source_path = ?", [edited.name]
        ).fetchall()
        assert len(ids) == 1
        stale = con.execute(
            "select count(*) from marts.quotes q where source_path = ? and doc_id <> ?",
            [edited.name, ids[0][0]],
        ).fetchone()[0]
        assert stale == 0
        assert con.execute("select count(*) from raw.documents").fetchone()[0] == 6


def test_changed_reference_data_rebuilds_without_reprocessing(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from flows.settings import PROJECT_ROOT

    db = tmp_path / "wh.duckdb"
    run(corpus, db)
    seeds = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", seeds, ignore=shutil.ignore_patterns("articles"))
    topics = seeds / "topics.csv"
    topics.write_text(topics.read_text(encoding="utf-8").replace("Energy", "Energy and power"))
    monkeypatch.setenv("SUMMITRY_SEEDS_DIR", str(seeds))
    summary = run(corpus, db)
    assert (summary.docs_changed, summary.up_to_date, summary.published) == (0, False, True)
    with warehouse.reader(db) as con:
        labels = {row[0] for row in con.execute("select label from marts.topics").fetchall()}
    assert "Energy and power" in labels


def test_worker_processes_give_the_same_marts(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, sequential = built
    monkeypatch.setenv("SUMMITRY_WORKERS", "2")
    monkeypatch.setenv("SUMMITRY_PARALLEL_MIN_DOCS", "1")
    db = tmp_path / "parallel.duckdb"
    assert run(source, db).status == "success"
    assert snapshot(db) == snapshot(sequential)


def test_removed_file_leaves_marts_but_stays_in_raw(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    run(corpus, db)
    (corpus / "003_a0352740328899d0.txt").unlink()
    summary = run(corpus, db)
    assert (summary.docs_removed, summary.docs_unchanged) == (1, 4)
    with warehouse.reader(db) as con:
        in_marts = con.execute(
            "select count(*) from marts.documents where source_path like '003_%'"
        ).fetchone()[0]
        sources = con.execute(
            "select list_sort(flatten(list(source_paths))) from marts.meetings"
        ).fetchone()[0]
        in_raw = con.execute(
            "select count(*) from raw.documents where source_path like '003_%'"
        ).fetchone()[0]
    assert in_marts == 0
    assert "003_a0352740328899d0.txt" not in sources
    assert in_raw == 1


def test_unreadable_files_are_quarantined_and_the_rest_loads(corpus: Path, tmp_path: Path) -> None:
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    db = tmp_path / "wh.duckdb"
    summary = run(corpus, db)
    assert summary.status == "success"
    assert summary.docs_quarantined == 2
    with warehouse.reader(db) as con:
        reasons = dict(con.execute("select source_path, reason from meta.quarantine").fetchall())
        docs = con.execute("select count(*) from marts.documents").fetchone()[0]
    assert reasons == {"empty.txt": "empty file", "binary.txt": "binary content (control bytes)"}
    assert docs == 5


def test_cli_sql_formats_status_and_score(
    built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from flows.cli import main

    _, db = built
    query = "select speaker, quote_text, topics from marts.quotes order by quote_id limit 2"
    assert main(["sql", query, "--warehouse", str(db), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2 and set(rows[0]) == {"speaker", "quote_text", "topics"}
    assert main(["sql", query, "--warehouse", str(db), "--format", "csv"]) == 0
    header, *lines = capsys.readouterr().out.strip().splitlines()
    assert header == "speaker,quote_text,topics" and lines
    assert main(["sql", "select count(*) as n from raw.documents", "--warehouse", str(db)]) == 0
    assert "5" in capsys.readouterr().out
    assert main(["status", "--warehouse", str(db)]) == 0
    assert "success" in capsys.readouterr().out
    assert main(["score", "--warehouse", str(db)]) == 0
    assert "quote_recall" in capsys.readouterr().out
    assert main(["sql", "select 1", "--warehouse", str(db.with_name("missing.duckdb"))]) == 2
    capsys.readouterr()
    assert main(["status", "--warehouse", str(db), "--format", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert runs[0]["status"] == "success" and runs[0]["docs_published"] == 5


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("selec 1", "ParserException"),
        ("select * from marts.nowhere", "CatalogException"),
        ("delete from marts.quotes", "summitry sql only reads: DELETE is not allowed"),
        ("create table marts.x as select 1", "summitry sql only reads: CREATE is not allowed"),
    ],
    ids=["syntax", "unknown-table", "delete", "create"],
)
def test_cli_sql_errors_are_one_line_and_exit_2(
    built: tuple[Path, Path], capsys: pytest.CaptureFixture[str], query: str, kind: str
) -> None:
    from flows.cli import main

    _, db = built
    assert main(["sql", query, "--warehouse", str(db)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: "), captured.err
    assert kind in captured.err


def test_recalled_meeting_quotes_link_to_that_meeting(built: tuple[Path, Path]) -> None:
    _, db = built
    with warehouse.reader(db) as con:
        rows = con.execute(
            "select m.meeting_date::varchar, m.kind, count(*) from marts.quotes q "
            "join marts.meetings m using (meeting_id) "
            "where q.source_path like '002_%' group by all order by 1"
        ).fetchall()
    # the 2022 message's own quotes, then its recap of the 2021 Ashgabat meeting
    assert [(date, kind) for date, kind, _ in rows] == [
        ("2021-11-28", "meeting"),
        ("2022-03-11", "message"),
    ]
    assert dict((date, n) for date, _, n in rows)["2021-11-28"] == 3


def test_incremental_runs_match_a_full_build(tmp_path: Path) -> None:
    """Articles arriving, changing and leaving over several incremental runs leave the
    published marts exactly as one full build of the final folder does, including the
    statements and meetings they share with articles that did not change."""
    import shutil

    from tests.conftest import SAMPLE_ARTICLES

    source, db = tmp_path / "articles", tmp_path / "wh.duckdb"
    source.mkdir()
    samples = sorted(SAMPLE_ARTICLES.iterdir())
    for path in samples[:2]:
        shutil.copy(path, source / path.name)
    assert not run(source, db).incremental  # the first build is whole

    for path in samples[2:]:
        shutil.copy(path, source / path.name)
    arrived = run(source, db)
    assert (arrived.status, arrived.docs_new, arrived.incremental) == ("success", 3, True)

    with duckdb.connect(str(db), read_only=True) as con:
        # the document naming a statement quoted by several articles (its smallest quote)
        named = con.execute(
            "select source_path from marts.quotes where statement_id in ("
            "  select statement_id from marts.quotes group by statement_id"
            "  having count(distinct doc_id) > 1) "
            "order by doc_id, quote_no limit 1"
        ).fetchall()[0][0]
        # an article about a meeting other articles also report
        shared_meeting = con.execute(
            "select source_path from marts.quotes where meeting_id in ("
            "  select meeting_id from marts.quotes group by meeting_id"
            "  having count(distinct doc_id) > 1) and source_path <> ? "
            "order by source_path limit 1",
            [named],
        ).fetchall()[0][0]
    (source / named).unlink()
    edited = source / shared_meeting
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nFollow us on X.\n")
    changed = run(source, db)
    assert (changed.docs_removed, changed.docs_changed, changed.incremental) == (1, 1, True)

    fresh = tmp_path / "fresh.duckdb"
    assert not run(source, fresh).incremental
    assert snapshot(db) == snapshot(fresh)
    # Publishing into a copy keeps the storage format BI drivers with DuckDB 1.x can open.
    with duckdb.connect() as con:
        con.execute(f"attach '{db}' as published (read_only)")
        tags = con.execute(
            "select tags from duckdb_databases() where database_name = 'published'"
        ).fetchall()
    assert tags[0][0]["storage_version"].startswith("v1.0.0")

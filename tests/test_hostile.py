"""Hostile input and write-audit-publish: bad files never crash a run or lose data, and a
blocked run leaves the published marts exactly as they were."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.ingest.reading import discover
from flows.load import warehouse
from flows.orchestration.intake import read_files
from flows.settings import PROJECT_ROOT, load_settings
from tests.test_pipeline import run

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

ARTICLE = (
    "Leaders meet in Baku\n\n"
    "BAKU, March 3 (Reuters) - Azerbaijani President Ilham Aliyev met Iranian President "
    "Masoud Pezeshkian in Baku on Monday.\n\n"
    "“We will open the new transit corridor this year,” Aliyev said.\n"
)


def write_hostile_files(folder: Path) -> dict[str, str]:
    """Every kind of bad input; returns file -> the reason its quarantine row must give."""
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_bytes(b"  \n\t \n")
    (folder / "picture.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "noise.txt").write_bytes(bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 300)
    (folder / "huge.txt").write_bytes(b"Filler sentence about nothing in particular. " * 1_200_000)
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    (folder / "loop_a.txt").symlink_to(folder / "loop_b.txt")
    (folder / "loop_b.txt").symlink_to(folder / "loop_a.txt")
    return {
        "empty.txt": "empty file",
        "blank.md": "only whitespace",
        "picture.txt": "binary content",
        "noise.txt": "decod",
        "huge.txt": "too large",
        "dangling.txt": "symbolic link",
        "loop_a.txt": "symbolic link",
        "loop_b.txt": "symbolic link",
    }


def write_usable_oddities(folder: Path) -> list[str]:
    """Awkward but decodable articles: each must land in marts.documents."""
    (folder / "legacy_cp1251.txt").write_bytes(
        (
            "Встреча в Баку\n\nПрезидент Ильхам Алиев принял в Баку министра иностранных дел "
            "Ирана. Стороны обсудили транспортный коридор.\n"
        ).encode("cp1251")
    )
    (folder / "with_nul.txt").write_bytes(ARTICLE.encode().replace(b"Monday.", b"Monday.\x00"))
    (folder / "broken.html").write_text(
        "<html><body><nav>Home | News</nav><div><p>Iranian Foreign Minister Abbas Araghchi "
        "held talks in Baku with Jeyhun Bayramov on Tuesday.<p>“The border is a bridge,” "
        "Araghchi said.</div><footer>© Site",
        encoding="utf-8",
    )
    (folder / "cut_off.txt").write_text(
        ARTICLE + "\nPezeshkian replied: “Our neighbours will always find in Iran a", "utf-8"
    )
    deep = folder.joinpath(*[f"level{n}" for n in range(40)])
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text(ARTICLE, encoding="utf-8")
    return [
        "legacy_cp1251.txt",
        "with_nul.txt",
        "broken.html",
        "cut_off.txt",
        "/".join(f"level{n}" for n in range(40)) + "/deep.txt",
    ]


def test_hostile_folder_runs_to_completion(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMITRY_MAX_FILE_MB", "50")
    expected_reasons = write_hostile_files(corpus)
    usable = write_usable_oddities(corpus)
    shutil.copy(corpus / "004_44a79e2381192542.txt", corpus / "copy_of_004.txt")
    db = tmp_path / "wh.duckdb"

    summary = run(corpus, db)

    assert summary.status == "success", summary.render()
    assert summary.docs_duplicate == 1
    with warehouse.reader(db) as con:
        reasons = dict(
            con.execute(
                "select source_path, reason from meta.quarantine where action = 'rejected'"
            ).fetchall()
        )
        documents = {
            row[0] for row in con.execute("select source_path from marts.documents").fetchall()
        }
        kept = dict(
            con.execute(
                "select source_path, octet_length(content) from raw.rejected_files"
            ).fetchall()
        )
        sources = con.execute(
            "select source_count from marts.meetings where meeting_date = '2021-11-28'"
        ).fetchall()
        skipped = con.execute(
            "select reason from meta.quarantine where source_path = 'copy_of_004.txt'"
        ).fetchall()
    for name, reason in expected_reasons.items():
        assert reason in reasons.get(name, ""), (name, reasons.get(name))
    assert set(usable) <= documents
    assert {p.name for p in (PROJECT_ROOT / "seeds" / "articles").iterdir()} <= documents
    assert "copy_of_004.txt" not in documents
    assert skipped == [("same content as 004_44a79e2381192542.txt; loaded once",)]
    assert sources == [(3,)], "the duplicate file must not double-count the meeting"
    for name in ("empty.txt", "blank.md", "picture.txt", "noise.txt", "huge.txt"):
        assert kept[name] == (corpus / name).stat().st_size, f"bytes of {name} not kept"


def test_rerun_over_hostile_folder_adds_nothing(corpus: Path, tmp_path: Path) -> None:
    write_hostile_files(corpus)
    db = tmp_path / "wh.duckdb"
    run(corpus, db)
    again = run(corpus, db)
    assert (again.docs_new, again.docs_changed, again.docs_quarantined) == (0, 0, 3)


def test_file_vanishing_after_discovery_is_quarantined(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "kept.txt").write_text(ARTICLE + "More.", encoding="utf-8")
    files, _ = discover(tmp_path)
    (tmp_path / "gone.txt").unlink()
    loaded, rejected = read_files(files, load_settings().max_file_mb, "run-1")
    assert [item.source_path for item in loaded] == ["kept.txt"]
    assert [r.row["source_path"] for r in rejected] == ["gone.txt"]
    assert "vanished" in rejected[0].row["reason"]


@pytest.mark.parametrize("slice_rows", [50_000, 2], ids=["one-slice", "slices-of-2"])
def test_row_level_failure_quarantines_the_document_and_publishes_the_rest(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slice_rows: int
) -> None:
    from flows.orchestration import checks

    monkeypatch.setattr(checks, "VALIDATION_SLICE_ROWS", slice_rows)
    (corpus / "future.txt").write_text(
        "Leaders to meet again\n\nBy Staff Writer - December 1 2099\n\n"
        + ARTICLE.split("\n\n", 1)[1],
        encoding="utf-8",
    )
    db = tmp_path / "wh.duckdb"
    summary = run(corpus, db)
    assert summary.status == "success"
    assert summary.records_quarantined == 1
    with warehouse.reader(db) as con:
        row = con.execute(
            "select stage, reason from meta.quarantine where source_path = 'future.txt'"
        ).fetchall()
        published = con.execute(
            "select count(*) from marts.documents where source_path = 'future.txt'"
        ).fetchone()[0]
        per_expectation = con.execute(
            "select max(n) from (select count(*) as n from meta.validations "
            "group by run_id, suite, expectation)"
        ).fetchone()[0]
        failed = con.execute(
            "select unexpected_count from meta.validations "
            "where expectation = 'expect_column_values_to_be_between(published_date)'"
        ).fetchall()
    assert row == [
        ("validate:documents", "failed expect_column_values_to_be_between(published_date)")
    ]
    assert published == 0
    assert per_expectation == 1  # slices add up to one result per expectation
    assert failed == [(1,)]


# meta.runs as Parquet: refreshed by every run, so readers see failed runs too.
RUNS_FILE = "meta_runs.parquet"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _broken_sql(tmp_path: Path) -> Path:
    """A copy of the SQL models whose meetings mart breaks an audit (kind outside the list)."""
    target = tmp_path / "sql"
    shutil.copytree(PROJECT_ROOT / "dbt_like_sql", target)
    model = target / "marts" / "meetings.sql"
    model.write_text(
        model.read_text().replace(
            "select * from final", "select * replace ('bogus' as kind) from final"
        )
    )
    return target


def _blocking_expectations(tmp_path: Path) -> Path:
    """A copy of the GX project whose people suite demands an impossible column value."""
    target = tmp_path / "expectations"
    shutil.copytree(
        PROJECT_ROOT / "expectations", target, ignore=shutil.ignore_patterns("uncommitted")
    )
    suite_file = target / "gx" / "expectations" / "people.json"
    suite = json.loads(suite_file.read_text())
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "person", "value_set": ["Nobody"]},
            "meta": {},
            "notes": "deliberately failing suite for the write-audit-publish test",
            "severity": "critical",
        }
    )
    suite_file.write_text(json.dumps(suite, indent=2))
    return target


@pytest.mark.parametrize("breakage", ["audit", "expectation"])
def test_blocked_run_leaves_published_marts_byte_for_byte(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, breakage: str
) -> None:
    db = tmp_path / "wh.duckdb"
    assert run(corpus, db).status == "success"
    parquet = tmp_path / "wh_parquet"
    before = {p.name: _digest(p) for p in [db, *parquet.iterdir()] if p.name != RUNS_FILE}

    if breakage == "audit":
        monkeypatch.setenv("SUMMITRY_SQL_DIR", str(_broken_sql(tmp_path)))
    else:
        monkeypatch.setenv("SUMMITRY_EXPECTATIONS_DIR", str(_blocking_expectations(tmp_path)))
    (corpus / "004_44a79e2381192542.txt").write_text("An edit.\n\n" + ARTICLE, encoding="utf-8")
    summary = run(corpus, db)

    assert summary.status == "failed"
    assert not summary.published
    assert summary.failed_expectations, "the run must name what blocked it"
    after = {p.name: _digest(p) for p in [db, *parquet.iterdir()] if p.name != RUNS_FILE}
    assert after == before
    with duckdb.connect(str(db), read_only=True) as con:  # as a BI tool sees it
        published_runs = con.execute("select status from meta.runs order by started_at")
        assert published_runs.fetchall() == [("success",), ("failed",)]
    with warehouse.reader(db) as con:  # the failure is visible to `summitry status`
        status = con.execute("select status from meta.runs order by started_at").fetchall()
    assert status == [("success",), ("failed",)]


HOLD_LOCK = """
import sys, time
from pathlib import Path
from flows.load.lock import run_lock
with run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_run_finding_the_warehouse_busy_is_skipped_and_a_waiting_one_runs(
    corpus: Path, tmp_path: Path
) -> None:
    """Another process holds the run lock: a run (as a scheduled one would) is skipped, not
    failed, and recorded; a run with a wait runs once the lock is free."""
    from flows.orchestration.flow import etl

    db = tmp_path / "wh.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db), "6"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    try:
        state = etl(str(corpus), str(db), return_state=True)
        assert state.is_completed() and state.name == "Skipped"
        assert "another run" in str(state.message) and str(holder.pid) in str(state.message)
        waited = etl(str(corpus), str(db), lock_wait_s=120, return_state=True)
        assert holder.poll() is not None, "the waiting run must wait for the lock"
    finally:
        holder.kill()
        holder.wait()
    assert waited.is_completed() and waited.result().status == "success"
    with warehouse.reader(db) as con:
        statuses = con.execute("select status from meta.runs order by started_at").fetchall()
        freshness = con.execute(
            "select last_check_status, last_change is not null from meta.freshness"
        ).fetchall()
    assert statuses == [("skipped",), ("success",)]
    assert freshness == [("success", True)]


def test_page_template_lines_of_one_outlet_folder_are_removed(corpus: Path, tmp_path: Path) -> None:
    outlet = corpus / "example_outlet"
    outlet.mkdir()
    stories = [
        "Iranian Foreign Minister Abbas Araghchi met Jeyhun Bayramov in Baku on Monday.",
        "Azerbaijani President Ilham Aliyev received the Iranian ambassador on Tuesday.",
        "Iran and Azerbaijan signed a transit memorandum in Tehran on Wednesday.",
    ]
    for n, story in enumerate(stories):
        (outlet / f"story{n}.txt").write_text(
            f"Example Outlet Radio | Our frequencies\n\n{story}\n\n"
            "Copy our stories freely, with a link\n",
            encoding="utf-8",
        )
    db = tmp_path / "wh.duckdb"
    assert run(corpus, db).status == "success"
    with warehouse.reader(db) as con:
        bodies = [
            row[0]
            for row in con.execute(
                "select body from marts.documents where source_path like 'example_outlet/%'"
            ).fetchall()
        ]
    assert len(bodies) == 3
    assert all("Copy our stories freely" not in body for body in bodies)
    assert all(any(story in body for story in stories) for body in bodies)

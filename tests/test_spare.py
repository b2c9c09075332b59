"""Publishing in proportion to change: the spare published file is caught up by the rows that
changed since it was current, renamed into place, and never touched while a reader holds it.

One real pipeline run on the sample corpus builds the work file; the publishes below are the
real `warehouse.publish` on it, after editing mart rows and the change lists as a run does."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from flows.load import spare, warehouse
from flows.load.publishing import declared_keys
from flows.models.runner import load_models
from flows.orchestration.tasks import CHANGE_TABLES
from tests.conftest import PROJECT
from tests.test_pipeline import run

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
SQL = PROJECT / "dbt_like_sql"


@pytest.fixture
def built(corpus: Path, tmp_path: Path) -> Path:
    db = tmp_path / "wh.duckdb"
    assert run(corpus, db).status == "success"
    return db


@pytest.fixture
def work(built: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with warehouse.session(warehouse.work_path(built)) as con:
        yield con


def _edit(con: duckdb.DuckDBPyConnection, label: str, row: int = 0) -> str:
    """Change one quoting document's mart rows (its quotes' topics, hence its rows of the
    quote_topics bridge) and list its key as changed, as a run would."""
    doc_id = con.execute(
        "select distinct doc_id from marts.quotes order by doc_id limit 1 offset ?", [row]
    ).fetchall()[0][0]
    con.execute("update marts.documents set title = ? where doc_id = ?", [label, doc_id])
    con.execute("update marts.quotes set topics = [?] where doc_id = ?", [label, doc_id])
    con.execute(
        "delete from marts.quote_topics where quote_id in "
        "(select quote_id from marts.quotes where doc_id = ?)",
        [doc_id],
    )
    con.execute(
        "insert into marts.quote_topics select quote_id, ? from marts.quotes where doc_id = ?",
        [label, doc_id],
    )
    con.execute("insert into staging.changed_docs values (?)", [doc_id])
    return doc_id


def _publish(con: duckdb.DuckDBPyConnection, db: Path, notes: list[str] | None = None) -> str:
    """What the publish task does: delta of the incremental marts, then clear the changes."""
    delta = {
        m.name: (m.unique_key, CHANGE_TABLES[m.unique_key])
        for m in load_models(SQL)
        if m.schema == "marts" and m.unique_key
    }
    mode = warehouse.publish(
        con,
        db,
        delta=delta,
        runs_parquet=_runs(db),
        notes=notes,
        keys=declared_keys(SQL, warehouse.MARTS),
    )
    warehouse.clear_tables(con, CHANGE_TABLES.values())
    return mode


def _runs(db: Path) -> Path:
    """meta.runs as the run exported it (the published meta.runs is a view over it)."""
    return db.with_name(f"{db.stem}_parquet") / "meta_runs.parquet"


def _marts(con: duckdb.DuckDBPyConnection, catalog: str = "") -> dict[str, list[str]]:
    prefix = f"{catalog}." if catalog else ""
    return {
        mart: sorted(map(repr, con.execute(f"select * from {prefix}marts.{mart}").fetchall()))
        for mart in warehouse.MARTS
    }


def _keys(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return sorted(
            con.execute(
                "select table_name, constraint_type, constraint_column_names::varchar "
                "from duckdb_constraints() where schema_name = 'marts' "
                "and constraint_type in ('PRIMARY KEY', 'FOREIGN KEY')"
            ).fetchall()
        )


def _assert_published_equals_work(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    con.execute(f"attach '{db}' as check_published (read_only)")
    try:
        assert _marts(con, "check_published") == _marts(con)
    finally:
        con.execute("detach check_published")
    assert stat.S_IMODE(db.stat().st_mode) == 0o444


def test_the_spare_is_caught_up_and_renamed_into_place(
    built: Path, work: duckdb.DuckDBPyConnection
) -> None:
    keys_before = _keys(built)
    assert keys_before, "the published marts declare keys"
    first, copy = built.stat().st_ino, spare.spare_path(built).stat().st_ino
    assert copy != first  # the run's full publish left a copy of its file as the spare
    _edit(work, "edit one")
    assert _publish(work, built) == "spare"
    second = built.stat().st_ino
    assert second == copy, "the spare itself became the published file"
    assert spare.spare_path(built).stat().st_ino == first
    _edit(work, "edit two", row=1)
    assert _publish(work, built) == "spare"
    assert built.stat().st_ino == first
    _assert_published_equals_work(work, built)
    assert _keys(built) == keys_before
    # ... and again: the spare now lacks edit two and edit three, nothing else
    _edit(work, "edit three", row=2)
    assert _publish(work, built) == "spare"
    assert built.stat().st_ino == second
    _assert_published_equals_work(work, built)


READER = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
def headlines():
    return sorted(con.execute("select doc_id, title from marts.documents").fetchall())
before = headlines()
print('open', flush=True)
sys.stdin.readline()  # the test publishes meanwhile
print('same' if headlines() == before else 'changed', flush=True)
"""


def test_a_reader_holding_the_spare_never_sees_it_change(
    built: Path, work: duckdb.DuckDBPyConnection
) -> None:
    _edit(work, "edit one")
    _publish(work, built)
    # This reader opens the published file, which the next publish turns into the spare.
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(built)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline().strip() == "open"
        held = built.stat().st_ino
        _edit(work, "edit two", row=1)
        assert _publish(work, built) == "spare"
        assert spare.spare_path(built).stat().st_ino == held
        _edit(work, "edit three", row=2)
        notes: list[str] = []
        assert _publish(work, built, notes) == "delta", "the held spare must not be written"
        assert any("reader still holds" in note for note in notes)
        _assert_published_equals_work(work, built)
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "same"
    finally:
        reader.kill()
        reader.wait()
    # With the reader gone, the next publish uses the spare again.
    _edit(work, "edit four", row=3)
    assert _publish(work, built) == "spare"
    _assert_published_equals_work(work, built)


def test_a_spare_the_record_does_not_describe_is_not_used(
    built: Path, work: duckdb.DuckDBPyConnection
) -> None:
    spare_file = spare.spare_path(built)
    os.utime(spare_file, ns=(0, spare_file.stat().st_mtime_ns + 10**9))  # touched by hand
    _edit(work, "edit two", row=1)
    assert _publish(work, built) == "delta"
    _assert_published_equals_work(work, built)
    # A full publish leaves a copy of its file as the spare: the next publish uses it.
    assert (
        warehouse.publish(
            work, built, runs_parquet=_runs(built), keys=declared_keys(SQL, warehouse.MARTS)
        )
        == "full"
    )
    full = built.stat().st_ino
    assert spare.spare_path(built).stat().st_ino != full
    _edit(work, "edit three", row=2)
    assert _publish(work, built) == "spare"
    assert spare.spare_path(built).stat().st_ino == full
    _assert_published_equals_work(work, built)
    _edit(work, "edit four", row=3)
    assert _publish(work, built) == "spare"
    _assert_published_equals_work(work, built)

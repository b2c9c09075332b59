"""BI clients on the published warehouse: the report in headless Chromium, SQLAlchemy
reflection through duckdb+summitry://, DuckDB 1.x, and the guard against writers.

One real pipeline run on the sample corpus feeds every test here."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import stat
import subprocess
import sys
import time
import tomllib
import warnings
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from devtools.browser import browser, find_chromium, open_page
from flows.bi.dialect import register
from flows.load import warehouse
from flows.load.guard import WriterHoldsLock
from flows.load.publishing import declared_keys
from flows.orchestration.flow import etl
from flows.orchestration.summary import RunSummary
from flows.report import report_path
from tests.conftest import PROJECT, SAMPLE_ARTICLES

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
RENDER_BUDGET_S = 3.0
UV = Path(sys.executable).with_name("uv")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """The sample corpus run once through the real flow; the published file."""
    root = tmp_path_factory.mktemp("bi")
    source = root / "articles"
    shutil.copytree(SAMPLE_ARTICLES, source)
    db = root / "warehouse.duckdb"
    state = etl(str(source), str(db), False, return_state=True)
    summary = state.result(raise_on_failure=False)
    assert isinstance(summary, RunSummary) and summary.status == "success", state.message
    return db


def test_published_file_is_read_only_and_report_beside_it(published: Path) -> None:
    assert stat.S_IMODE(published.stat().st_mode) == 0o444
    report = report_path(published)
    assert report.name == "warehouse_report.html" and report.parent == published.parent
    page = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser")
    # Self-contained: no script, style sheet or image fetched from anywhere.
    assert not page.find_all("script", src=True)
    assert not page.find_all("link", rel="stylesheet")
    assert not [img for img in page.find_all("img") if not img["src"].startswith("data:")]
    assert any("plotly.js (basic - minified)" in (tag.string or "") for tag in page("script"))


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip("no chromium on PATH: `make chromium` installs Debian's package (as root)")
    return found


def test_report_renders_in_chromium_without_errors(published: Path, chromium: str) -> None:
    with browser(chromium) as page:
        result = open_page(
            page,
            report_path(published).as_uri(),
            ready="document.body && document.body.dataset.ready === 'charts'",
            values={
                "plots": "document.querySelectorAll('.js-plotly-plot').length",
                "svgs": "document.querySelectorAll('.js-plotly-plot svg.main-svg').length",
                "bars": "document.querySelectorAll('#timeline .bars .point').length",
                "people": "document.querySelectorAll('#network .scatter .point').length",
                "lines": "document.querySelectorAll('#topics .scatter .js-line').length",
                "meetings": "document.querySelectorAll('article.meeting').length",
            },
        )
        page.evaluate(
            "(() => { const box = document.getElementById('quote-search');"
            " box.value = 'cooperation'; box.dispatchEvent(new Event('input')); })()"
        )
        time.sleep(0.5)
        hits = page.evaluate("document.querySelectorAll('#quote-results .quote').length")
        marks = page.evaluate("document.querySelectorAll('#quote-results mark').length")
        page.drain()
    assert result.errors == []
    assert result.ready_s is not None and result.ready_s < RENDER_BUDGET_S, result.ready_s
    values = result.values
    assert values["plots"] == 3 and values["svgs"] >= 6, values
    assert values["bars"] > 0 and values["people"] > 0 and values["lines"] > 0, values
    assert values["meetings"] > 0, values
    assert all(url.startswith(("file:", "data:")) for url in result.requests), result.requests
    assert hits > 0 and marks >= hits


@pytest.fixture(scope="module")
def engine(published: Path) -> Iterator[sa.Engine]:
    register()
    engine = sa.create_engine(f"duckdb+summitry:///{published}")
    yield engine
    engine.dispose()


def test_sqlalchemy_reflects_every_mart_with_typed_lists(engine: sa.Engine) -> None:
    metadata = sa.MetaData()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        metadata.reflect(engine, schema="marts")
        meetings = sa.Table("meetings", sa.MetaData(), schema="marts", autoload_with=engine)
    assert not [w for w in caught if "Did not recognize type" in str(w.message)]
    assert {"marts.documents", "marts.meetings", "marts.quotes", "marts.people"} <= set(
        metadata.tables
    )
    participants = meetings.c.participants.type
    assert isinstance(participants, sa.ARRAY)
    assert isinstance(participants.item_type, sa.String)
    assert meetings.comment and meetings.c.participants.comment
    with engine.connect() as con:
        row = con.execute(sa.select(meetings.c.participants).limit(1)).scalar_one()
    assert isinstance(row, list) and row and all(isinstance(name, str) for name in row)


BRIDGES = {
    "meeting_participants": (["meeting_id", "person"], {"meetings"}),
    "meeting_sources": (["meeting_id", "source_path"], {"meetings", "documents"}),
    "quote_topics": (["quote_id", "topic"], {"quotes"}),
    "person_roles": (["person", "role_no"], {"people"}),
    "person_aliases": (["person", "alias"], {"people"}),
}


def test_sqlalchemy_reflects_keys_and_bridges(engine: sa.Engine) -> None:
    metadata = sa.MetaData()
    metadata.reflect(engine, schema="marts")
    for bridge, (key, parents) in BRIDGES.items():
        table = metadata.tables[f"marts.{bridge}"]
        assert table.primary_key.columns.keys() == key, bridge
        assert {fk.column.table.name for fk in table.foreign_keys} == parents, bridge
        assert all(isinstance(c.type, sa.String | sa.BigInteger) for c in table.columns)
        assert table.comment and all(c.comment for c in table.columns), bridge
    assert metadata.tables["marts.meetings"].primary_key.columns.keys() == ["meeting_id"]
    inspector = sa.inspect(engine)
    assert inspector.get_pk_constraint("topics", schema="marts")["constrained_columns"] == [
        "meeting_id",
        "topic",
    ]
    assert [fk["referred_table"] for fk in inspector.get_foreign_keys("topics", "marts")] == [
        "meetings"
    ]
    with engine.connect() as con:
        joined = con.execute(
            sa.text(
                "select count(*) from marts.meeting_participants p "
                "join marts.meetings m using (meeting_id)"
            )
        ).scalar_one()
        listed = con.execute(
            sa.text("select sum(len(participants)) from marts.meetings")
        ).scalar_one()
    assert joined == listed > 0


def test_the_dialect_is_an_entry_point() -> None:
    declared = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    target = declared["project"]["entry-points"]["sqlalchemy.dialects"]["duckdb.summitry"]
    module, name = target.split(":")
    assert getattr(importlib.import_module(module), name).__name__ == "ReflectingDialect"


def test_a_broken_key_fails_the_publish_and_keeps_the_last_file(
    published: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work.duckdb"
    shutil.copyfile(warehouse.work_path(published), work)
    target = tmp_path / "warehouse.duckdb"
    keys = declared_keys(PROJECT / "dbt_like_sql", warehouse.MARTS)
    with warehouse.session(work) as con:
        warehouse.publish(con, target, keys=keys)
        before = target.stat().st_ino
        con.execute("insert into marts.meeting_participants values ('no such meeting', 'x')")
        with pytest.raises(duckdb.ConstraintException, match="foreign key"):
            warehouse.publish(con, target, keys=keys)
    assert target.stat().st_ino == before


def test_summitry_url_is_read_only(engine: sa.Engine) -> None:
    with engine.connect() as con, pytest.raises(sa.exc.DBAPIError, match=r"read-only|read_only"):
        con.execute(sa.text("create table marts.scratch (x integer)"))


def _hold_for_writing(path: Path) -> subprocess.Popen[str]:
    """Another process holding `path` open read-write (as a misconfigured BI tool does)."""
    path.chmod(0o644)  # root could open it anyway; an ordinary user needs the write bit
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('open', flush=True); time.sleep(120)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
    return holder


def test_writer_lock_is_named_and_publish_goes_around_it(published: Path) -> None:
    target = published.with_name("locked.duckdb")
    shutil.copyfile(published, target)
    holder = _hold_for_writing(target)
    try:
        with (
            pytest.raises(WriterHoldsLock, match=rf"pid {holder.pid}\).*read-only"),
            warehouse.reader(target),
        ):
            pass
        notes: list[str] = []
        with warehouse.session(warehouse.work_path(published)) as con:
            mode = warehouse.publish(con, target, delta={}, notes=notes)
        assert mode == "full" and len(notes) == 1 and f"pid {holder.pid}" in notes[0]
        # The writer keeps the old file; readers get the new, sealed one.
        assert stat.S_IMODE(target.stat().st_mode) == 0o444
        with duckdb.connect(str(target), read_only=True) as con:
            assert con.execute("select count(*) from marts.meetings").fetchall()[0][0] > 0
    finally:
        holder.kill()
        holder.wait()


def _uv_run(packages: list[str], script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`script` in a throwaway environment with `packages`, through the project's uv."""
    uv = str(UV) if UV.exists() else shutil.which("uv")
    if uv is None:
        pytest.skip("uv not found beside the interpreter or on PATH")
    command = [uv, "run", "--no-project", "--isolated", "--python", "3.11"]
    for package in packages:
        command += ["--with", package]
    done = subprocess.run(
        [*command, "python", "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT,
        env={**os.environ, "VIRTUAL_ENV": ""},
    )
    if done.returncode != 0 and any(
        marker in done.stderr
        for marker in ("Failed to fetch", "dns error", "Could not connect", "network")
    ):
        pytest.skip(f"package registry unreachable: {done.stderr.strip()[-200:]}")
    assert done.returncode == 0, done.stderr
    return done


DUCKDB_1X_READ = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({
    "version": duckdb.__version__,
    "meetings": con.execute("select count(*) from marts.meetings").fetchall()[0][0],
    "types": dict(con.execute(
        "select table_name || '.' || column_name, data_type from duckdb_columns() "
        "where schema_name = 'marts'").fetchall()),
    "keys": sorted(con.execute(
        "select table_name || ' ' || constraint_type || ' ' || "
        "array_to_string(constraint_column_names, ',') || coalesce(' ' || referenced_table, '') "
        "from duckdb_constraints() where schema_name = 'marts' "
        "and constraint_type in ('PRIMARY KEY', 'FOREIGN KEY')").fetchall()),
    "bridge": con.execute("select count(*) from marts.quote_topics").fetchall()[0][0],
}))
"""


def test_duckdb_1x_reads_the_published_file(published: Path) -> None:
    done = _uv_run(["duckdb==1.1.3"], DUCKDB_1X_READ, str(published))
    seen = json.loads(done.stdout)
    assert seen["version"] == "1.1.3"
    assert seen["meetings"] > 0
    assert seen["types"]["meetings.participants"] == "VARCHAR[]"
    assert seen["types"]["person_roles.role_no"] == "BIGINT"
    assert seen["bridge"] > 0
    keys = {row[0] for row in seen["keys"]}
    assert "meeting_participants PRIMARY KEY meeting_id,person" in keys
    assert "meeting_participants FOREIGN KEY meeting_id meetings" in keys
    assert "quote_topics FOREIGN KEY quote_id quotes" in keys
    assert "documents PRIMARY KEY doc_id" in keys

"""publishing.apply_delta: a mart the delta does not cover keeps its equal rows and gets exactly
the work file's rows, without blocking the deletion of the parent rows its keys reference."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.load import publishing
from flows.load.publishing import ForeignKey, TableKeys

KEYS = {
    "parents": TableKeys(("k",)),
    # rebuilt whole by every build; its foreign key is on its parent's change key
    "children": TableKeys(("k", "x"), (ForeignKey(("k",), "parents", ("k",)),)),
}
MARTS = ("parents", "children")


def _work(con: duckdb.DuckDBPyConnection, parents: list[tuple], children: list[tuple]) -> None:
    con.execute("create schema if not exists marts")
    con.execute("create or replace table marts.parents (k varchar, label varchar)")
    con.execute("create or replace table marts.children (k varchar, x integer, note varchar)")
    con.executemany("insert into marts.parents values (?, ?)", parents)
    con.executemany("insert into marts.children values (?, ?, ?)", children)


def _rows(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple]]:
    return {
        mart: con.execute(f"select * from {catalog}marts.{mart} order by all").fetchall()
        for mart in MARTS
    }


def test_a_whole_mart_with_keys_is_published_by_its_differing_rows(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    before_children = [("a", 1, "same"), ("a", 2, "old"), ("b", 1, "gone"), ("c", 1, None)]
    _work(con, [("a", "A"), ("b", "B"), ("c", "C")], before_children)
    con.execute(f"attach '{tmp_path / 'published.duckdb'}' as publishing")
    publishing.copy_all(con, MARTS, (), KEYS)
    # The parent 'b' leaves and 'c' changes (listed as changed); 'a' does not, but its children
    # do: one row edited, one kept as is, one new; a NULL note stays equal to itself.
    _work(
        con,
        [("a", "A"), ("c", "C2"), ("d", "D")],
        [("a", 1, "same"), ("a", 2, "new"), ("a", 3, "added"), ("c", 1, None), ("d", 1, "x")],
    )
    con.execute("create table changed as select * from (values ('b'), ('c'), ('d')) t(k)")
    kept = con.execute(
        "select rowid from publishing.marts.children where x = 1 and k = 'a'"
    ).fetchall()
    publishing.apply_delta(con, MARTS, (), {"parents": ("k", "changed")}, KEYS)
    assert _rows(con, "publishing.") == _rows(con, "")
    # the equal row was left in place, not deleted and inserted again
    assert (
        con.execute(
            "select rowid from publishing.marts.children where x = 1 and k = 'a'"
        ).fetchall()
        == kept
    )


def test_a_mart_that_is_referenced_is_replaced_whole(tmp_path: Path) -> None:
    keys = {
        "parents": TableKeys(("k",)),
        "children": TableKeys(("k", "x"), (ForeignKey(("k",), "parents", ("k",)),)),
    }
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    _work(con, [("a", "A")], [("a", 1, "one")])
    con.execute(f"attach '{tmp_path / 'published.duckdb'}' as publishing")
    publishing.copy_all(con, MARTS, (), keys)
    _work(con, [("a", "A2")], [("a", 1, "one")])
    con.execute("create table changed (k varchar)")
    # No delta at all: parents is referenced, so it is replaced whole (and so are its children)
    publishing.apply_delta(con, MARTS, (), {}, keys)
    assert _rows(con, "publishing.") == _rows(con, "")

"""Warehouse helpers that every stage relies on."""

from __future__ import annotations

import duckdb
import pytest

from flows.load.warehouse import transaction


def test_transaction_commits_or_rolls_back_everything() -> None:
    with duckdb.connect() as con:
        con.execute("create table t (x integer)")
        with transaction(con):
            con.execute("insert into t values (1)")
        with pytest.raises(RuntimeError), transaction(con):
            con.execute("insert into t values (2)")
            raise RuntimeError("stage failed")
        assert con.execute("select list(x) from t").fetchall() == [([1],)]


def test_inner_transaction_joins_the_outer_one() -> None:
    """A helper's own transaction inside a caller's: one unit, rolled back together."""
    with duckdb.connect() as con:
        con.execute("create table t (x integer)")
        with pytest.raises(RuntimeError), transaction(con):
            with transaction(con):
                con.execute("insert into t values (1)")
            raise RuntimeError("a later step failed")
        assert con.execute("select count(*) from t").fetchall() == [(0,)]
        with transaction(con):  # the connection is usable again
            con.execute("insert into t values (3)")
        assert con.execute("select count(*) from t").fetchall() == [(1,)]


def _staged(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select 'documents', source_path, doc_id from staging.documents union all "
        "select 'paragraphs', source_path, text from staging.paragraphs union all "
        "select 'pending', source_path, null from staging.template_pending "
        "order by all"
    ).fetchall()


def _frames(paths: list[str], version: str) -> dict:
    import polars as pl

    from flows.load.transform import SCHEMAS

    frames = {table: pl.DataFrame(schema=schema) for table, schema in SCHEMAS.items()}
    frames["staging.documents"] = pl.DataFrame(
        [
            {
                "source_path": p,
                "doc_id": f"{p}@{version}",
                "content_type": "text",
                "body": "b",
                "paragraph_count": 1,
                "removed_line_count": 0,
                "run_id": version,
            }
            for p in paths
        ],
        schema=SCHEMAS["staging.documents"],
    )
    frames["staging.paragraphs"] = pl.DataFrame(
        [
            {"source_path": p, "doc_id": f"{p}@{version}", "paragraph_no": 0, "text": version}
            for p in paths
        ],
        schema=SCHEMAS["staging.paragraphs"],
    ).with_columns(topics=pl.lit([], dtype=pl.List(pl.String)))
    return frames


def test_replace_documents_swaps_only_the_given_paths(tmp_path) -> None:
    """New paths are appended without touching the others; staged paths lose their old rows
    in every table (and their pending re-cleaning); every content that left or arrived is
    listed for the marts."""
    from flows.load.warehouse import replace_documents, session
    from tests.conftest import PROJECT

    with session(tmp_path / "w.duckdb", PROJECT / "warehouse" / "ddl.sql") as con:
        replace_documents(con, _frames(["a", "b"], "v1"), ["a", "b"])
        con.execute("insert into staging.template_pending values ('b'), ('c')")
        replace_documents(con, _frames(["c"], "v1"), ["c"])  # new: nothing deleted
        assert _staged(con) == [
            ("documents", "a", "a@v1"),
            ("documents", "b", "b@v1"),
            ("documents", "c", "c@v1"),
            ("paragraphs", "a", "v1"),
            ("paragraphs", "b", "v1"),
            ("paragraphs", "c", "v1"),
            ("pending", "b", None),
        ]
        replace_documents(con, _frames(["b"], "v2"), ["b", "gone"])
        replace_documents(con, {}, ["a"])  # removed
        assert _staged(con) == [
            ("documents", "b", "b@v2"),
            ("documents", "c", "c@v1"),
            ("paragraphs", "b", "v2"),
            ("paragraphs", "c", "v1"),
        ]
        changed = con.execute("select doc_id from staging.changed_docs order by all").fetchall()
        assert [row[0] for row in changed] == sorted(
            ["a@v1", "a@v1", "b@v1", "b@v1", "b@v2", "c@v1"]
        )


def test_template_lines_are_forgotten_with_their_documents(tmp_path) -> None:
    import polars as pl

    from flows.load import template_store
    from flows.load.warehouse import session
    from tests.conftest import PROJECT

    def documents(paths: list[str]) -> pl.DataFrame:
        rows = {"source_path": paths, "folder": ["f"] * len(paths), "doc_id": paths}
        return pl.DataFrame(rows, schema=template_store.DOCUMENT_SCHEMA)

    def lines(pairs: list[tuple[str, str]]) -> pl.DataFrame:
        return pl.DataFrame(pairs, schema=template_store.LINE_SCHEMA, orient="row")

    with session(tmp_path / "w.duckdb", PROJECT / "warehouse" / "ddl.sql") as con:
        template_store.remember(con, [], documents(["a", "b"]), lines([("a", "x"), ("b", "x")]))
        template_store.remember(con, ["zzz"], documents(["c"]), lines([("c", "y")]))
        template_store.remember(con, ["b"], documents(["a"]), lines([("a", "z")]))
        assert con.execute(
            "select source_path, line_key from staging.outlet_document_lines order by all"
        ).fetchall() == [("a", "z"), ("c", "y")]
        assert con.execute(
            "select source_path from staging.outlet_documents order by all"
        ).fetchall() == [("a",), ("c",)]

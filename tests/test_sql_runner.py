"""The dbt-like runner: dependency order, errors, materialisations, docs, audits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from flows.models.runner import (
    SqlAuditError,
    SqlModelError,
    build,
    build_order,
    load_models,
    run_audits,
)


def write(root: Path, files: dict[str, str]) -> Path:
    """Write {relative path: text} under root and return root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


# Alphabetical order (a, b, c) is the reverse of the dependency order (c, b, a).
@pytest.mark.parametrize(
    ("ref_b", "ref_c"),
    [
        ("{{ ref('b_middle') }}", "{{ ref('c_base') }}"),
        ("b_middle", "c_base"),
        ("marts.b_middle", "marts.c_base"),
        ('"b_middle"', '{{ref("c_base")}}'),
    ],
)
def test_build_order_follows_dependencies_not_names(tmp_path: Path, ref_b: str, ref_c: str) -> None:
    write(
        tmp_path,
        {
            "marts/a_final.sql": f"select id + 1 as id from {ref_b}",
            "marts/b_middle.sql": f"with c_base_rows as (select * from {ref_c}) "
            "select id * 10 as id from c_base_rows",
            "marts/c_base.sql": "select 1 as id",
        },
    )
    order = [m.name for m in build_order(load_models(tmp_path))]
    assert order == ["c_base", "b_middle", "a_final"]


def test_build_runs_plain_name_references(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    write(
        tmp_path,
        {
            "marts/a_final.sql": "select b.id + 1 as id from b_middle as b",
            "intermediate/b_middle.sql": "select id * 10 as id from c_base",
            "staging/c_base.sql": "select 1 as id",
        },
    )
    result = build(con, tmp_path, require_docs=False)
    assert result.models == ["staging.c_base", "intermediate.b_middle", "marts.a_final"]
    assert set(result.timings) == set(result.models)
    assert con.execute("select id from marts.a_final").fetchall() == [(11,)]


def test_cte_names_are_not_dependencies(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    write(tmp_path, {"marts/only.sql": "with nowhere as (select 2 as x) select * from nowhere"})
    assert build(con, tmp_path, require_docs=False).models == ["marts.only"]


def test_existing_relation_is_a_source(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema landing; create table landing.items as select 5 as n")
    write(tmp_path, {"staging/stg_items.sql": "select n from landing.items"})
    build(con, tmp_path, require_docs=False)
    assert con.execute("select n from staging.stg_items").fetchall() == [(5,)]


def test_cycle_names_the_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "intermediate/int_a.sql": "select * from {{ ref('int_b') }}",
            "intermediate/int_b.sql": "select * from marts.m_c",
            "marts/m_c.sql": "select * from int_a",
            "staging/stg_ok.sql": "select 1 as x",
        },
    )
    with pytest.raises(SqlModelError, match="cycle") as err:
        build_order(load_models(tmp_path))
    for name in ("int_a.sql", "int_b.sql", "m_c.sql"):
        assert name in str(err.value)
    assert "stg_ok" not in str(err.value)


def test_self_reference_is_a_cycle(tmp_path: Path) -> None:
    write(tmp_path, {"marts/loop.sql": "select * from marts.loop"})
    with pytest.raises(SqlModelError, match=r"cycle.*loop\.sql"):
        build_order(load_models(tmp_path))


@pytest.mark.parametrize(
    ("sql", "missing"),
    [
        ("select * from nowhere.nothing", "nowhere.nothing"),
        ("select * from ghost_table", "ghost_table"),
        ("select * from {{ ref('ghost_model') }}", "ghost_model"),
    ],
)
def test_missing_reference_names_file_and_name(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, sql: str, missing: str
) -> None:
    write(tmp_path, {"marts/broken.sql": sql})
    with pytest.raises(SqlModelError, match=missing) as err:
        build(con, tmp_path, require_docs=False)
    assert "broken.sql" in str(err.value)


def test_unparsable_sql_names_the_file(tmp_path: Path) -> None:
    write(tmp_path, {"staging/bad.sql": "select from where ("})
    with pytest.raises(SqlModelError, match=r"bad\.sql"):
        load_models(tmp_path)


def test_views_and_tables_by_layer(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    write(
        tmp_path,
        {
            "staging/s1.sql": "select 1 as x",
            "intermediate/i1.sql": "select x from s1",
            "marts/m1.sql": "select x from i1",
        },
    )
    build(con, tmp_path, require_docs=False)
    build(con, tmp_path, require_docs=False)  # rebuilding replaces in place
    views = con.execute(
        "select schema_name || '.' || view_name from duckdb_views() where not internal order by 1"
    ).fetchall()
    tables = con.execute("select schema_name || '.' || table_name from duckdb_tables()").fetchall()
    assert views == [("intermediate.i1",), ("staging.s1",)]
    assert tables == [("marts.m1",)]


def test_switching_materialisation_replaces_the_object(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    con.execute("create schema marts; create view marts.m1 as select 0 as x")
    write(tmp_path, {"marts/m1.sql": "select 1 as x"})
    build(con, tmp_path, require_docs=False)
    assert con.execute("select table_name from duckdb_tables()").fetchall() == [("m1",)]


DOCS = """
models:
  - name: m1
    description: One row per thing, it's documented.
    columns:
      - name: x
        description: The 'x' value.
      - name: y
        description: The y value.
"""


def test_comments_applied(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    staging_docs = "models:\n  - name: s1\n    description: A view.\n"
    staging_docs += "    columns:\n      - name: x\n        description: View column.\n"
    write(
        tmp_path,
        {
            "staging/s1.sql": "select 1 as x, 2 as y",
            "staging/schema.yml": staging_docs,
            "marts/m1.sql": "select x, y from s1",
            "marts/schema.yml": DOCS,
        },
    )
    build(con, tmp_path)
    table = con.execute("select comment from duckdb_tables() where table_name = 'm1'").fetchone()
    view = con.execute("select comment from duckdb_views() where view_name = 's1'").fetchone()
    columns = con.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where schema_name in ('staging', 'marts') order by all"
    ).fetchall()
    assert table == ("One row per thing, it's documented.",)
    assert view == ("A view.",)
    assert columns == [
        ("m1", "x", "The 'x' value."),
        ("m1", "y", "The y value."),
        ("s1", "x", "View column."),
        ("s1", "y", None),
    ]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select 1 as x", r"no column\(s\) \['y'\]"),  # described column missing
        ("select 1 as x, 2 as y, 3 as z", r"undescribed column\(s\): \['z'\]"),
    ],
)
def test_docs_must_match_mart_columns(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, sql: str, message: str
) -> None:
    write(tmp_path, {"marts/m1.sql": sql, "marts/schema.yml": DOCS})
    with pytest.raises(SqlModelError, match=message):
        build(con, tmp_path)


def test_undocumented_mart_is_an_error(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    write(tmp_path, {"marts/m1.sql": "select 1 as x, 2 as y", "marts/m2.sql": "select 1 as a"})
    write(tmp_path, {"marts/schema.yml": DOCS})
    with pytest.raises(SqlModelError, match=r"marts\.m2 must be documented"):
        build(con, tmp_path)


AUDITED = {
    "marts/m1.sql": "select * from (values (1), (2), (2)) as t(x)",
    "audits/x_positive.sql": "select x from marts.m1 where x <= 0",
    "audits/x_unique.sql": "select x, count(*) as n from {{ ref('m1') }} group by x having n > 1",
}


def test_audits_report_failing_rows(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    write(tmp_path, AUDITED)
    with pytest.raises(SqlAuditError, match="x_unique") as err:
        build(con, tmp_path, atomic=False, require_docs=False)
    assert "x_positive" not in str(err.value)
    results = {r.name: r for r in run_audits(con, tmp_path)}
    assert results["x_positive"].passed
    assert (results["x_unique"].failing_rows, results["x_unique"].sample) == (1, [(2, 2)])


def test_failed_audit_keeps_previous_models(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    write(tmp_path, {**AUDITED, "marts/m1.sql": "select 7 as x"})
    assert [a.failing_rows for a in build(con, tmp_path, require_docs=False).audits] == [0, 0]
    write(tmp_path, AUDITED)
    with pytest.raises(SqlAuditError):
        build(con, tmp_path, require_docs=False)
    assert con.execute("select x from marts.m1").fetchall() == [(7,)]


def test_audit_with_missing_reference(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    write(tmp_path, {"audits/orphan.sql": "select * from marts.gone"})
    with pytest.raises(SqlModelError, match=r"orphan\.sql.*marts\.gone"):
        run_audits(con, tmp_path)


# ----------------------------------------------------------------------------- incremental
_INCREMENTAL_DOCS = """
version: 2
models:
  - name: totals
    description: One row per group.
    config: {materialized: incremental, unique_key: grp}
    columns:
      - {name: grp, description: The group.}
      - {name: total, description: Sum of its values.}
"""


def _incremental_project(root: Path) -> Path:
    return write(
        root,
        {
            "staging/stg_items.sql": "select * from items",
            "marts/totals.sql": "select grp, sum(v) as total from stg_items group by grp",
            "marts/schema.yml": _INCREMENTAL_DOCS,
        },
    )


def test_incremental_mart_rebuilds_only_changed_keys(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    root = _incremental_project(tmp_path)
    con.execute("create table items as select * from (values ('a', 1), ('b', 2)) t(grp, v)")
    con.execute("create table changed (grp varchar)")
    first = build(con, root, changes={"grp": "changed"})
    assert first.incremental == []  # no table yet: built whole
    con.execute("insert into items values ('a', 10), ('b', 20), ('c', 5)")
    con.execute("insert into changed values ('a'), ('c')")
    second = build(con, root, changes={"grp": "changed"})
    assert second.incremental == ["marts.totals"]
    rows = con.execute("select grp, total from marts.totals order by grp").fetchall()
    assert rows == [("a", 11), ("b", 2), ("c", 5)]  # b was not listed, so it kept its row
    build(con, root)  # no changes given: everything again
    rows = con.execute("select grp, total from marts.totals order by grp").fetchall()
    assert rows == [("a", 11), ("b", 22), ("c", 5)]


def test_incremental_build_needs_every_key_listed(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    root = _incremental_project(tmp_path)
    con.execute("create table items as select 'a' as grp, 1 as v")
    with pytest.raises(SqlModelError, match="no changes for key"):
        build(con, root, changes={"doc_id": "changed"})


@pytest.mark.parametrize(
    ("layer", "config", "message"),
    [
        ("marts", "{materialized: incremental}", "needs a unique_key"),
        (
            "staging",
            "{materialized: incremental, unique_key: grp}",
            "only tables can be incremental",
        ),
        ("marts", "{materialized: ephemeral}", "cannot be materialized as 'ephemeral'"),
    ],
)
def test_bad_incremental_config_names_the_file(
    tmp_path: Path, layer: str, config: str, message: str
) -> None:
    write(
        tmp_path,
        {
            f"{layer}/totals.sql": "select 1 as grp",
            f"{layer}/schema.yml": f"models:\n  - name: totals\n    config: {config}\n",
        },
    )
    with pytest.raises(SqlModelError, match=message):
        load_models(tmp_path)


def test_changed_keys_are_written_as_literals_and_quoted(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    # A key with a quote in it goes into the SQL as a literal; NULL keys match nothing.
    root = _incremental_project(tmp_path)
    con.execute("create table items as select * from (values ('a', 1), ('o''k', 2)) t(grp, v)")
    con.execute("create table changed (grp varchar)")
    build(con, root, changes={"grp": "changed"})
    con.execute("insert into items values ('a', 10), ('o''k', 20)")
    con.execute("insert into changed values ('o''k'), (null)")
    assert build(con, root, changes={"grp": "changed"}).incremental == ["marts.totals"]
    rows = con.execute("select grp, total from marts.totals order by grp").fetchall()
    assert rows == [("a", 1), ("o'k", 22)]


def test_many_changed_keys_fall_back_to_a_subquery(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.models import runner

    monkeypatch.setattr(runner, "LITERAL_KEYS_MAX", 1)
    root = _incremental_project(tmp_path)
    con.execute("create table items as select * from (values ('a', 1), ('b', 2)) t(grp, v)")
    con.execute("create table changed (grp varchar)")
    build(con, root, changes={"grp": "changed"})
    con.execute("insert into items values ('a', 10), ('b', 20), ('c', 3)")
    con.execute("insert into changed values ('a'), ('c')")
    build(con, root, changes={"grp": "changed"})
    rows = con.execute("select grp, total from marts.totals order by grp").fetchall()
    assert rows == [("a", 11), ("b", 2), ("c", 3)]


def test_no_changed_key_leaves_an_incremental_model_as_it_is(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    root = _incremental_project(tmp_path)
    con.execute("create table items as select * from (values ('a', 1)) t(grp, v)")
    con.execute("create table changed (grp varchar)")
    build(con, root, changes={"grp": "changed"})
    con.execute("insert into items values ('a', 10)")
    build(con, root, changes={"grp": "changed"})
    assert con.execute("select total from marts.totals").fetchall() == [(1,)]


def test_an_incremental_intermediate_model_is_a_table_kept_by_key(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    root = write(
        tmp_path,
        {
            "staging/stg_items.sql": "select * from items",
            "intermediate/int_totals.sql": (
                "select grp, sum(v) as total from stg_items group by grp"
            ),
            "intermediate/schema.yml": (
                "models:\n  - name: int_totals\n"
                "    config: {materialized: incremental, unique_key: grp}\n"
            ),
        },
    )
    con.execute("create table items as select * from (values ('a', 1), ('b', 2)) t(grp, v)")
    con.execute("create table changed (grp varchar)")
    build(con, root, changes={"grp": "changed"}, require_docs=False)
    kind = con.execute(
        "select table_type from information_schema.tables where table_name = 'int_totals'"
    ).fetchall()
    assert kind == [("BASE TABLE",)]
    con.execute("insert into items values ('a', 10), ('b', 20)")
    con.execute("insert into changed values ('b')")
    second = build(con, root, changes={"grp": "changed"}, require_docs=False)
    assert second.incremental == ["intermediate.int_totals"]
    rows = con.execute("select grp, total from intermediate.int_totals order by grp").fetchall()
    assert rows == [("a", 1), ("b", 22)]

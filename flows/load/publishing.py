"""Filling the file being published (attached as `publishing`) from the work file's marts,
with the marts' primary and foreign keys declared, so BI tools see grain and joins.

Keys come from the model contracts (dbt_like_sql/marts/schema.yml) as `TableKeys`. DuckDB
checks them: a published file whose rows broke a key is never renamed into place.

DuckDB does not see, inside one transaction, that rows referencing a key were deleted: a
parent row can be deleted only after the deletion of its children is committed. The file
being published is private until renamed, so the delta below commits level by level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb


@dataclass(frozen=True, slots=True)
class ForeignKey:
    columns: tuple[str, ...]
    mart: str  # the referenced mart (same schema)
    mart_columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TableKeys:
    """One mart's declared keys."""

    primary: tuple[str, ...] = ()
    foreign: tuple[ForeignKey, ...] = field(default_factory=tuple)


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f'"{column}"' for column in columns)


def ordered(marts: Sequence[str], keys: Mapping[str, TableKeys]) -> list[str]:
    """The marts with every referenced mart before the marts referencing it."""
    graph = TopologicalSorter(
        {
            mart: {fk.mart for fk in keys.get(mart, TableKeys()).foreign if fk.mart in marts}
            for mart in marts
        }
    )
    order = list(graph.static_order())
    return [mart for mart in order if mart in marts]


def create_sql(con: duckdb.DuckDBPyConnection, mart: str, keys: TableKeys, target: str) -> str:
    """CREATE TABLE `target`.marts.<mart> with the work file's column types and the keys."""
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = "
        "current_database() and schema_name = 'marts' and table_name = ? order by column_index",
        [mart],
    ).fetchall()
    parts = [f'"{name}" {data_type}' for name, data_type in columns]
    if keys.primary:
        parts.append(f"primary key ({_names(keys.primary)})")
    for fk in keys.foreign:
        parts.append(
            f"foreign key ({_names(fk.columns)}) references "
            f"{target}.marts.{fk.mart} ({_names(fk.mart_columns)})"
        )
    return f"create table {target}.marts.{mart} (\n    " + ",\n    ".join(parts) + "\n)"


def copy_all(
    con: duckdb.DuckDBPyConnection,
    marts: Sequence[str],
    meta_tables: Sequence[str],
    keys: Mapping[str, TableKeys],
) -> None:
    """Create and fill every mart (with its keys) and meta table in `publishing`."""
    con.execute("create schema publishing.marts")
    for mart in ordered(marts, keys):
        con.execute(create_sql(con, mart, keys.get(mart, TableKeys()), "publishing"))
        con.execute(f"insert into publishing.marts.{mart} by name select * from marts.{mart}")
    con.execute("create schema publishing.meta")
    for table in meta_tables:
        con.execute(f"create table publishing.meta.{table} as select * from meta.{table}")
    copy_comments(con, "publishing")


def apply_delta(
    con: duckdb.DuckDBPyConnection,
    marts: Sequence[str],
    meta_tables: Sequence[str],
    delta: Mapping[str, tuple[str, str]],
    keys: Mapping[str, TableKeys],
) -> None:
    """Replace the changed keys' rows of the marts in `delta` and every row of the others:
    deletions from the referencing marts first (one commit each), then the insertions from
    the referenced marts on (one commit)."""
    order = ordered(marts, keys)
    differing = {mart: _different(con, mart, marts, delta, keys) for mart in order}
    for mart in reversed(order):
        con.execute("begin transaction")
        differs = differing[mart]
        where = differs[0] if differs else _changed(mart, delta, "publishing.")
        con.execute(f"delete from publishing.marts.{mart} as old {where}")
        con.execute("commit")
    con.execute("begin transaction")
    try:
        for mart in order:
            differs = differing[mart]
            where = differs[1] if differs else _changed(mart, delta)
            con.execute(
                f"insert into publishing.marts.{mart} by name "
                f"select * from marts.{mart} as new {where}"
            )
        for table in meta_tables:
            con.execute(f"delete from publishing.meta.{table}")
            con.execute(f"insert into publishing.meta.{table} by name select * from meta.{table}")
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


# Bridge marts: a parent mart's list column as rows (one SELECT ... unnest() of the parent,
# rebuilt whole by every build), so their rows change only with their parent's rows:
# bridge -> (parent mart, the column joining them). A delta replaces a bridge's rows of the
# parent rows it replaces, instead of the whole bridge.
BRIDGES: dict[str, tuple[str, str]] = {
    "quote_topics": ("quotes", "quote_id"),
    "meeting_participants": ("meetings", "meeting_id"),
}


def _changed(mart: str, delta: Mapping[str, tuple[str, str]], parents: str = "") -> str:
    """WHERE clause picking the changed keys' rows of a delta mart, or a bridge's rows of its
    changed parent rows (as the parent mart in the `parents` catalog holds them: the rows to
    delete are the published parent's, the rows to insert the work file's); "" (every row)
    for the other marts."""
    if mart in delta:
        key, changes = delta[mart]
        return f"where {key} in (select {key} from {changes})"
    if mart in BRIDGES and BRIDGES[mart][0] in delta:
        parent, column = BRIDGES[mart]
        key, changes = delta[parent]
        return (
            f"where {column} in (select {column} from {parents}marts.{parent} "
            f"where {key} in (select {key} from {changes}))"
        )
    return ""


def _different(
    con: duckdb.DuckDBPyConnection,
    mart: str,
    marts: Sequence[str],
    delta: Mapping[str, tuple[str, str]],
    keys: Mapping[str, TableKeys],
) -> tuple[str, str] | None:
    """(WHERE of the rows to delete, WHERE of the rows to insert) that replace only the rows
    that differ, for a mart the delta does not cover (rebuilt whole by every build) that has
    a primary key and that no mart references; None to replace all its rows.

    Deleting and inserting every row of a large mart (meeting_sources: 100k rows at 100k
    articles) logs them all and makes DuckDB checkpoint the whole file at the commit. The
    rows whose every column is equal are kept instead; the others are replaced. A kept row
    must not block the deletion of a parent row it references: the rows whose foreign key is
    a changed key of its delta parent are replaced as well (a foreign key to a mart the delta
    does not cover, or not on its change key, means replacing all rows). With a primary key
    the rows are distinct, so the result is exactly the work file's rows."""
    if mart in delta or (mart in BRIDGES and BRIDGES[mart][0] in delta):
        return None
    declared = keys.get(mart, TableKeys())
    if not declared.primary or any(
        fk.mart == mart for other in marts for fk in keys.get(other, TableKeys()).foreign
    ):
        return None
    replaced = []
    for fk in declared.foreign:
        if fk.mart not in delta or len(fk.columns) != 1 or delta[fk.mart][0] != fk.mart_columns[0]:
            return None
        key, changes = delta[fk.mart]
        replaced.append(f'old."{fk.columns[0]}" in (select {key} from {changes})')
    columns = [
        name
        for (name,) in con.execute(
            "select column_name from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'marts' and table_name = ? order by column_index",
            [mart],
        ).fetchall()
    ]
    same = " and ".join(f'new."{c}" is not distinct from old."{c}"' for c in columns)
    gone = f"not exists (select 1 from marts.{mart} as new where {same})"
    delete = "where " + " or ".join([gone, *replaced])
    insert = f"where not exists (select 1 from publishing.marts.{mart} as old where {same})"
    return delete, insert


def copy_comments(con: duckdb.DuckDBPyConnection, target: str) -> None:
    """Carry the marts' table and column descriptions into the published copy."""
    tables = con.execute(
        "select table_name, comment from duckdb_tables() "
        "where database_name = current_database() and schema_name = 'marts' and comment is not null"
    ).fetchall()
    columns = con.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'marts' and comment is not null"
    ).fetchall()
    for table, comment in tables:
        con.execute(f"comment on table {target}.marts.{table} is {_literal(comment)}")
    for table, column, comment in columns:
        con.execute(f'comment on column {target}.marts.{table}."{column}" is {_literal(comment)}')


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _shape(con: duckdb.DuckDBPyConnection, catalog: str, marts: Sequence[str]) -> dict[str, Any]:
    """Per mart: its (column, type) list and its key constraints, as `catalog` holds them."""
    columns = con.execute(
        "select table_name, list(column_name || ' ' || data_type order by column_index) "
        "from duckdb_columns() where database_name = ? and schema_name = 'marts' group by all",
        [catalog],
    ).fetchall()
    constraints = con.execute(
        "select table_name, list(constraint_type || ' ' || constraint_column_names::varchar || "
        "' ' || coalesce(referenced_table, '') order by constraint_type, constraint_index) "
        "from duckdb_constraints() where database_name = ? and schema_name = 'marts' "
        "and constraint_type in ('PRIMARY KEY', 'FOREIGN KEY') group by all",
        [catalog],
    ).fetchall()
    keyed = dict(constraints)
    return {
        table: (sorted(cols), sorted(keyed.get(table, [])))
        for table, cols in columns
        if table in marts
    }


def expected_constraints(mart: str, keys: Mapping[str, TableKeys]) -> list[str]:
    """The key constraints a published mart carries, as _shape lists them."""
    declared = keys.get(mart, TableKeys())
    found = [f"FOREIGN KEY [{', '.join(fk.columns)}] {fk.mart}" for fk in declared.foreign]
    if declared.primary:
        found.append(f"PRIMARY KEY [{', '.join(declared.primary)}] ")
    return sorted(found)


def same_shape(
    con: duckdb.DuckDBPyConnection, marts: Sequence[str], keys: Mapping[str, TableKeys]
) -> bool:
    """Whether `publishing` has the work file's marts, columns and the declared keys: else a
    delta would carry an old shape forward, and the copy must be full."""
    work = con.execute("select current_database()").fetchall()[0][0]
    mine, theirs = _shape(con, work, marts), _shape(con, "publishing", marts)
    if set(mine) != set(marts) or set(theirs) != set(marts):
        return False
    for mart in marts:
        constraints = [item.replace("'", "") for item in theirs[mart][1]]
        if mine[mart][0] != theirs[mart][0] or constraints != expected_constraints(mart, keys):
            return False
    return True


def declared_keys(sql_dir: Path, marts: Sequence[str]) -> dict[str, TableKeys]:
    """The published marts' keys, from the contracts in `<sql_dir>/marts/schema.yml`.

    A mart's primary key is its declared key when every key column is also tested not_null.
    A `relationships` test between two marts becomes a foreign key when it references the
    other mart's key and an incremental publish can keep it: the referencing mart is rebuilt
    whole on every publish, or both marts are rebuilt by the same key and the relationship is
    on that key. (DuckDB refuses to delete a row that rows left in place still reference:
    quotes.meeting_id, for one, stays an audited relationship.)
    """
    from flows.models import contracts
    from flows.models.project import SqlModelError
    from flows.models.runner import load_models

    tests = contracts.load(sql_dir)
    rebuilt_by = {m.name: m.unique_key for m in load_models(sql_dir) if m.schema == "marts"}
    primary: dict[str, tuple[str, ...]] = {}
    for mart in marts:
        try:
            key = contracts.key(tests, mart)
        except SqlModelError:
            continue
        not_null = {t.columns[0] for t in tests if t.model == mart and t.test == "not_null"}
        if set(key) <= not_null:
            primary[mart] = key
    keys: dict[str, TableKeys] = {}
    for mart in marts:
        foreign = tuple(
            ForeignKey(t.columns, t.to, (t.field,))
            for t in tests
            if t.model == mart
            and t.test == "relationships"
            and t.to in marts
            and primary.get(t.to) == (t.field,)
            and (
                rebuilt_by.get(mart) is None
                or (rebuilt_by.get(mart) == rebuilt_by.get(t.to) == t.field == t.columns[0])
            )
        )
        if mart in primary or foreign:
            keys[mart] = TableKeys(primary.get(mart, ()), foreign)
    return keys

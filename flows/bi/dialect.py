"""A SQLAlchemy dialect for reading the warehouse: duckdb-engine with working reflection.

duckdb-engine 0.17 inherits SQLAlchemy's PostgreSQL reflection. On DuckDB 2.0 its key queries
cast to ``REGCLASS``, a type DuckDB does not have, so ``get_pk_constraint``,
``get_unique_constraints``, ``get_foreign_keys``, ``Table(..., autoload_with=engine)`` and
``MetaData.reflect()`` all fail; and list columns come back as ``NullType`` ("Did not recognize
type 'list'") because DuckDB's ``pg_catalog`` names every list type just ``list``.

This dialect answers those questions from DuckDB's own catalog instead (``duckdb_constraints()``
and ``duckdb_columns()``): keys as declared, list columns as a typed ``ARRAY``. Everything
else is duckdb-engine's, except that a connection is read-only unless the URL asks for
``?access_mode=read_write``. Select it with the URL scheme ``duckdb+summitry://``::

    duckdb+summitry:////abs/path/warehouse.duckdb

The name is registered by the project's entry point (``sqlalchemy.dialects``) and by
:func:`register`, for a process such as Superset that does not install the project. This
module imports nothing from the rest of the project, and works with SQLAlchemy 1.4 and 2.0.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from duckdb_engine import Dialect as DuckDBDialect
from sqlalchemy import exc, text
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql import ARRAY

SCHEME = "duckdb.summitry"  # URL "duckdb+summitry://"

# DuckDB type names (as duckdb_columns().data_type spells them) that the PostgreSQL names of
# duckdb-engine do not cover.
_SCALARS: dict[str, type[sqltypes.TypeEngine[Any]]] = {
    "VARCHAR": sqltypes.String,
    "BOOLEAN": sqltypes.Boolean,
    "TINYINT": sqltypes.SmallInteger,
    "SMALLINT": sqltypes.SmallInteger,
    "INTEGER": sqltypes.Integer,
    "BIGINT": sqltypes.BigInteger,
    "HUGEINT": sqltypes.Numeric,
    "FLOAT": sqltypes.Float,
    "DOUBLE": sqltypes.Float,
    "DATE": sqltypes.Date,
    "TIME": sqltypes.Time,
    "TIMESTAMP": sqltypes.DateTime,
    "TIMESTAMP WITH TIME ZONE": sqltypes.DateTime,
    "BLOB": sqltypes.LargeBinary,
    "UUID": sqltypes.Uuid if hasattr(sqltypes, "Uuid") else sqltypes.String,
    "JSON": sqltypes.JSON,
}
_LIST = re.compile(r"^(?P<element>.+)\[(?P<size>\d*)\]$")
_DECIMAL = re.compile(r"^DECIMAL\((?P<precision>\d+),\s*(?P<scale>\d+)\)$")


def duckdb_type(name: str) -> sqltypes.TypeEngine[Any]:
    """The SQLAlchemy type for a DuckDB type name: ``VARCHAR[]`` is ``ARRAY(String)``, lists
    of lists nest, and a type this module does not know is ``NullType``."""
    name = name.strip()
    listed = _LIST.match(name)
    if listed:
        element = duckdb_type(listed["element"])
        if isinstance(element, ARRAY):
            return ARRAY(element.item_type, dimensions=(element.dimensions or 1) + 1)
        return ARRAY(element)
    decimal = _DECIMAL.match(name)
    if decimal:
        return sqltypes.Numeric(int(decimal["precision"]), int(decimal["scale"]))
    scalar = _SCALARS.get(name.upper())
    return scalar() if scalar is not None else sqltypes.NullType()


class _Nested(sqltypes.NullType):
    """What ``pg_catalog`` says of a nested column ("list", "struct", ...) before its
    DuckDB type replaces it."""


class ReflectingDialect(DuckDBDialect):  # type: ignore[misc]
    """duckdb-engine, with keys and list types reflected from DuckDB's own catalog."""

    supports_statement_cache = False
    ischema_names = {  # noqa: RUF012 (SQLAlchemy reads it from the class)
        **DuckDBDialect.ischema_names,
        **{name: _Nested for name in ("list", "array", "struct", "map", "union")},
    }

    def create_connect_args(self, url: Any) -> Any:
        """Read-only unless the URL says ``?access_mode=read_write``: a BI connection that
        writes locks every other reader out of the file."""
        args, options = super().create_connect_args(url)
        if options.get("database") not in (None, "", ":memory:"):
            options["url_config"].setdefault("access_mode", "read_only")
        return args, options

    # -- where a table lives ------------------------------------------------------------------

    def _where(self, schema: str | None) -> tuple[str, dict[str, Any]]:
        """SQL filtering a DuckDB metadata function by schema (``db.schema`` allowed)."""
        database, name = (None, None)
        if schema is not None:
            database, name = self.identifier_preparer._separate(schema)
        clauses = ["schema_name = :schema_name"]
        params: dict[str, Any] = {"schema_name": name or "main"}
        if database is not None:
            clauses.append("database_name = :database_name")
            params["database_name"] = database
        else:
            clauses.append("database_name = current_database()")
        return " and ".join(clauses), params

    def _relations(
        self, connection: Any, schema: str | None, filter_names: Iterable[str] | None
    ) -> list[str]:
        where, params = self._where(schema)
        rows = connection.execute(
            text(
                f"select table_name from duckdb_tables() where {where} "
                f"union all select view_name from duckdb_views() where {where}"
            ),
            params,
        ).fetchall()
        names = [row[0] for row in rows]
        if filter_names:
            wanted = set(filter_names)
            names = [name for name in names if name in wanted]
        return names

    def _constraints(
        self, connection: Any, schema: str | None, kind: str
    ) -> dict[str, list[tuple[Any, ...]]]:
        """table -> [(name, columns, referenced table, referenced columns)] of one kind."""
        where, params = self._where(schema)
        params["kind"] = kind
        rows = connection.execute(
            text(
                "select table_name, constraint_name, constraint_column_names, "
                "referenced_table, referenced_column_names from duckdb_constraints() "
                f"where {where} and constraint_type = :kind "
                "order by table_name, constraint_index"
            ),
            params,
        ).fetchall()
        found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for table, name, columns, referenced, referenced_columns in rows:
            found[table].append((name, list(columns), referenced, list(referenced_columns or [])))
        return found

    def _one(self, connection: Any, table_name: str, schema: str | None) -> None:
        if not self._relations(connection, schema, [table_name]):
            raise exc.NoSuchTableError(f"{schema}.{table_name}" if schema else table_name)

    # -- keys -----------------------------------------------------------------------------------

    def _pk(self, found: list[tuple[Any, ...]]) -> dict[str, Any]:
        if not found:
            return {"constrained_columns": [], "name": None}
        name, columns, _, _ = found[0]
        return {"constrained_columns": columns, "name": name}

    def _uniques(self, found: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        return [{"name": name, "column_names": columns} for name, columns, _, _ in found]

    def _fks(self, found: list[tuple[Any, ...]], schema: str | None) -> list[dict[str, Any]]:
        # DuckDB foreign keys reference a table of the same schema.
        return [
            {
                "name": name,
                "constrained_columns": columns,
                "referred_schema": schema,
                "referred_table": referenced,
                "referred_columns": referenced_columns,
                "options": {},
            }
            for name, columns, referenced, referenced_columns in found
        ]

    def get_pk_constraint(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        self._one(connection, table_name, schema)
        return self._pk(self._constraints(connection, schema, "PRIMARY KEY")[table_name])

    def get_unique_constraints(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        self._one(connection, table_name, schema)
        return self._uniques(self._constraints(connection, schema, "UNIQUE")[table_name])

    def get_foreign_keys(
        self,
        connection: Any,
        table_name: str,
        schema: str | None = None,
        postgresql_ignore_search_path: bool = False,
        **kw: Any,
    ) -> Any:
        self._one(connection, table_name, schema)
        return self._fks(self._constraints(connection, schema, "FOREIGN KEY")[table_name], schema)

    def get_check_constraints(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        self._one(connection, table_name, schema)
        return self._checks(connection, schema)[table_name]

    def _checks(self, connection: Any, schema: str | None) -> dict[str, list[dict[str, Any]]]:
        where, params = self._where(schema)
        rows = connection.execute(
            text(
                "select table_name, constraint_name, expression from duckdb_constraints() "
                f"where {where} and constraint_type = 'CHECK' order by table_name, constraint_index"
            ),
            params,
        ).fetchall()
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for table, name, expression in rows:
            found[table].append({"name": name, "sqltext": expression})
        return found

    # SQLAlchemy 2.0 reflects many tables at once through these; 1.4 never calls them.
    def get_multi_pk_constraint(
        self,
        connection: Any,
        schema: str | None = None,
        filter_names: Any = None,
        scope: Any = None,
        kind: Any = None,
        **kw: Any,
    ) -> Any:
        found = self._constraints(connection, schema, "PRIMARY KEY")
        for table in self._relations(connection, schema, filter_names):
            yield (schema, table), self._pk(found[table])

    def get_multi_unique_constraints(
        self,
        connection: Any,
        schema: str | None = None,
        filter_names: Any = None,
        scope: Any = None,
        kind: Any = None,
        **kw: Any,
    ) -> Any:
        found = self._constraints(connection, schema, "UNIQUE")
        for table in self._relations(connection, schema, filter_names):
            yield (schema, table), self._uniques(found[table])

    def get_multi_foreign_keys(
        self,
        connection: Any,
        schema: str | None = None,
        filter_names: Any = None,
        scope: Any = None,
        kind: Any = None,
        postgresql_ignore_search_path: bool = False,
        **kw: Any,
    ) -> Any:
        found = self._constraints(connection, schema, "FOREIGN KEY")
        for table in self._relations(connection, schema, filter_names):
            yield (schema, table), self._fks(found[table], schema)

    def get_multi_check_constraints(
        self,
        connection: Any,
        schema: str | None = None,
        filter_names: Any = None,
        scope: Any = None,
        kind: Any = None,
        **kw: Any,
    ) -> Any:
        found = self._checks(connection, schema)
        for table in self._relations(connection, schema, filter_names):
            yield (schema, table), found[table]

    def get_indexes(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        return []  # the published marts have keys, not secondary indexes

    def get_multi_indexes(
        self,
        connection: Any,
        schema: str | None = None,
        filter_names: Any = None,
        scope: Any = None,
        kind: Any = None,
        **kw: Any,
    ) -> Any:
        for table in self._relations(connection, schema, filter_names):
            yield (schema, table), []

    # -- column types ---------------------------------------------------------------------------

    def _declared_types(self, connection: Any, schema: str | None) -> dict[tuple[str, str], str]:
        where, params = self._where(schema)
        rows = connection.execute(
            text(f"select table_name, column_name, data_type from duckdb_columns() where {where}"),
            params,
        ).fetchall()
        return {(table, column): data_type for table, column, data_type in rows}

    def _typed(
        self, table: str, columns: list[dict[str, Any]], declared: dict[tuple[str, str], str]
    ) -> list[dict[str, Any]]:
        for column in columns:
            if isinstance(column["type"], sqltypes.NullType):
                data_type = declared.get((table, column["name"]))
                if data_type is not None:
                    column["type"] = duckdb_type(data_type)
        return columns

    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        columns = super().get_columns(connection, table_name, schema, **kw)
        return self._typed(table_name, columns, self._declared_types(connection, schema))

    def get_multi_columns(
        self,
        connection: Any,
        schema: str | None = None,
        filter_names: Any = None,
        scope: Any = None,
        kind: Any = None,
        **kw: Any,
    ) -> Any:
        declared = self._declared_types(connection, schema)
        return [
            (key, self._typed(key[1], columns, declared))
            for key, columns in super().get_multi_columns(
                connection, schema=schema, filter_names=filter_names, scope=scope, kind=kind, **kw
            )
        ]


def register() -> None:
    """Make ``duckdb+summitry://`` URLs resolve to this dialect in the current process."""
    from sqlalchemy.dialects import registry

    registry.register(SCHEME, __name__, "ReflectingDialect")

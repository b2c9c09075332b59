"""A small dbt-like runner for the SQL models in dbt_like_sql/.

Each `<layer>/<name>.sql` file is one SELECT, built as `<layer>.<name>`: staging and
intermediate as views, marts as tables. A mart whose schema.yml entry says
`config: {materialized: incremental, unique_key: <column>}` is rebuilt only for the key values
a build is given as changed (dbt's delete+insert strategy); without changes it is rebuilt
whole like any table. Dependencies come from the SQL itself
(`{{ ref('name') }}` or plain table names parsed with sqlglot) and are ordered with
graphlib, never by file names. Column docs in `<layer>/schema.yml` become DuckDB comments;
`audits/<name>.sql` are queries that must return no rows.

The caller owns the connection: this module never opens one.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any, cast

import duckdb
import sqlglot
import yaml
from sqlglot import exp

LAYERS: dict[str, str] = {"staging": "view", "intermediate": "view", "marts": "table"}
DOCUMENTED_LAYERS: frozenset[str] = frozenset({"marts"})  # every column must be described
AUDIT_DIR = "audits"
AUDIT_SAMPLE_ROWS = 5

_REF = re.compile(r"\{\{\s*ref\(\s*['\"]([^'\"]+)['\"]\s*\)\s*\}\}")
# Names become SQL identifiers (file and folder names), so keep them to a safe alphabet.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SqlModelError(Exception):
    """A model set that cannot be built: cycle, missing reference, bad docs, SQL error."""


class SqlAuditError(SqlModelError):
    """One or more audits returned rows."""

    def __init__(self, failures: list[AuditResult]) -> None:
        self.failures = failures
        lines = [
            f"{f.name}: {f.failing_rows} failing row(s), e.g. {f.sample[:2]}" for f in failures
        ]
        super().__init__("SQL audits failed:\n  " + "\n  ".join(lines))


@dataclass(frozen=True, slots=True)
class Relation:
    """A table reference found in SQL: optional catalog and schema, and a name."""

    name: str
    schema: str = ""
    catalog: str = ""

    def __str__(self) -> str:
        return ".".join(p for p in (self.catalog, self.schema, self.name) if p)


@dataclass(frozen=True, slots=True)
class Model:
    """One SQL file: a SELECT materialised as `<schema>.<name>`."""

    name: str
    schema: str
    path: Path
    sql: str  # the file as written (with ref() calls)
    materialization: str  # view | table
    refs: tuple[str, ...]  # model names used through {{ ref() }}
    relations: tuple[Relation, ...]  # plain table names (CTE names excluded)
    unique_key: str | None = None  # set for incremental marts: the column rebuilt by value

    @property
    def qualified(self) -> str:
        """The `schema.name` the model is built as."""
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Audit:
    """A query that must return no rows."""

    name: str
    path: Path
    sql: str
    refs: tuple[str, ...]
    relations: tuple[Relation, ...]


@dataclass(frozen=True, slots=True)
class AuditResult:
    """The outcome of one audit: how many rows it returned and a few of them."""

    name: str
    failing_rows: int
    sample: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when the audit returned no rows."""
        return self.failing_rows == 0


@dataclass(slots=True)
class BuildResult:
    """What `build` did: models in build order, seconds per model, audit outcomes."""

    models: list[str]
    timings: dict[str, float]
    audits: list[AuditResult]
    seconds: float
    incremental: list[str] = field(default_factory=list)  # models rebuilt only for changed keys


# ---------------------------------------------------------------- parsing


@lru_cache(maxsize=256)
def _parse_refs_and_relations(sql: str, path: Path) -> tuple[tuple[str, ...], tuple[Relation, ...]]:
    """Return the ref() names and the plain table names a SQL text reads (cached: a run loads
    the models several times, and parsing is most of the runner's own cost)."""
    refs = tuple(dict.fromkeys(_REF.findall(sql)))
    # ref() calls are placeholders for sqlglot: any valid identifier parses the same way.
    tree = _parse(_REF.sub("__ref__", sql), path)
    cte_names = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    found: dict[Relation, None] = {}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier) or table.name == "__ref__":
            continue  # table functions (range, read_parquet) or ref() placeholders
        if not table.db and table.name in cte_names:
            continue
        found[Relation(table.name, table.db, table.catalog)] = None
    return refs, tuple(found)


@lru_cache(maxsize=256)
def _parse(sql: str, path: Path) -> exp.Expression:
    """Parse one statement, naming the file when it is not valid SQL (cached; callers only
    read the tree)."""
    try:
        statements = [s for s in sqlglot.parse(sql, dialect="duckdb") if s is not None]
    except sqlglot.errors.ParseError as err:
        raise SqlModelError(f"{path}: cannot parse SQL: {err}") from err
    if len(statements) != 1:
        raise SqlModelError(f"{path}: expected exactly one SELECT, found {len(statements)}")
    return cast(exp.Expression, statements[0])


def _check_name(name: str, path: Path) -> str:
    if not _NAME.match(name):
        raise SqlModelError(f"{path}: {name!r} is not a valid model/schema name")
    return name


def load_models(root: Path) -> list[Model]:
    """Read every `<layer>/<name>.sql` under root (layers: staging, intermediate, marts)."""
    models: list[Model] = []
    for layer, materialization in LAYERS.items():
        configs = {name: doc["config"] for name, doc in load_docs(root, layer).items()}
        for path in sorted((root / layer).glob("*.sql")):
            sql = path.read_text(encoding="utf-8").strip().rstrip(";")
            refs, relations = _parse_refs_and_relations(sql, path)
            name = _check_name(path.stem, path)
            key = _unique_key(configs.get(name, {}), layer, path)
            models.append(Model(name, layer, path, sql, materialization, refs, relations, key))
    _check_unique(models)
    return models


def _unique_key(config: dict[str, Any], layer: str, path: Path) -> str | None:
    """The unique_key of an incremental model, None for any other."""
    materialized = config.get("materialized", LAYERS[layer])
    if materialized not in (LAYERS[layer], "incremental"):
        raise SqlModelError(f"{path}: {layer} models cannot be materialized as {materialized!r}")
    if materialized != "incremental":
        return None
    if LAYERS[layer] != "table":
        raise SqlModelError(f"{path}: {layer} models are views; only tables can be incremental")
    key = config.get("unique_key")
    if not isinstance(key, str) or not _NAME.match(key):
        raise SqlModelError(f"{path}: an incremental model needs a unique_key column")
    return key


def load_audits(root: Path) -> list[Audit]:
    """Read every `audits/<name>.sql` under root."""
    audits = []
    for path in sorted((root / AUDIT_DIR).glob("*.sql")):
        sql = path.read_text(encoding="utf-8").strip().rstrip(";")
        refs, relations = _parse_refs_and_relations(sql, path)
        audits.append(Audit(path.stem, path, sql, refs, relations))
    return audits


def _check_unique(models: list[Model]) -> None:
    """Model names must be unique across layers, or ref('name') would be ambiguous."""
    seen: dict[str, Path] = {}
    for model in models:
        if model.name in seen:
            raise SqlModelError(
                f"model name {model.name!r} used twice: {seen[model.name]}, {model.path}"
            )
        seen[model.name] = model.path


# ---------------------------------------------------------------- dependencies


def _resolve(relation: Relation, models: dict[str, Model]) -> Model | None:
    """The model a plain table name refers to, or None when it is a source."""
    model = models.get(relation.name)
    if model is None or relation.catalog:
        return None
    if relation.schema and relation.schema != model.schema:
        return None
    return model


def _dependencies(
    path: Path, refs: tuple[str, ...], relations: tuple[Relation, ...], models: dict[str, Model]
) -> tuple[list[Model], list[Relation]]:
    """Split what a file reads into models and sources; unknown ref() names are errors."""
    deps = []
    for ref in refs:
        if ref not in models:
            raise SqlModelError(f"{path}: ref('{ref}') names no model")
        deps.append(models[ref])
    sources = []
    for relation in relations:
        model = _resolve(relation, models)
        if model is None:
            sources.append(relation)
        else:
            deps.append(model)
    return deps, sources


def build_order(models: list[Model]) -> list[Model]:
    """Models ordered so each comes after everything it reads; cycles raise SqlModelError."""
    by_name = {m.name: m for m in models}
    graph: TopologicalSorter[str] = TopologicalSorter()
    for model in models:
        deps, _ = _dependencies(model.path, model.refs, model.relations, by_name)
        graph.add(model.name, *(d.name for d in deps if d.name != model.name))
        if any(d.name == model.name for d in deps):
            raise SqlModelError(f"dependency cycle: {model.path} reads itself")
    try:
        return [by_name[name] for name in graph.static_order()]
    except CycleError as err:
        cycle = [str(by_name[name].path) for name in err.args[1]]
        raise SqlModelError("dependency cycle between models: " + " -> ".join(cycle)) from err


# ---------------------------------------------------------------- rendering


def _render(sql: str, path: Path, models: dict[str, Model]) -> str:
    """Replace ref() calls and plain model names by the models' qualified names."""
    sql = _REF.sub(lambda m: models[m.group(1)].qualified, sql)
    tree = _parse(sql, path)
    cte_names = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    edits: list[tuple[int, int, str]] = []
    for table in tree.find_all(exp.Table):
        if table.db or not isinstance(table.this, exp.Identifier) or table.name in cte_names:
            continue
        model = _resolve(Relation(table.name), models)
        if model is not None:
            edits.append((*_span(sql, table.this), model.qualified))
    # Edit the text from the end so earlier offsets stay valid; the SQL is never regenerated,
    # which keeps DuckDB syntax exactly as written.
    for start, end, text in sorted(edits, reverse=True):
        sql = sql[:start] + text + sql[end:]
    return sql


def _span(sql: str, ident: exp.Identifier) -> tuple[int, int]:
    """Character span of an identifier in the text, including its quotes."""
    start, end = ident.meta["start"], ident.meta["end"] + 1
    if ident.quoted and start > 0 and sql[start - 1] == '"':
        start, end = start - 1, end + 1
    return start, end


# ---------------------------------------------------------------- database checks


def _relation_exists(con: duckdb.DuckDBPyConnection, relation: Relation) -> bool:
    """True when a table or view with this name exists (any schema when unqualified)."""
    row = con.execute(
        """
        select count(*) from information_schema.tables
        where lower(table_name) = lower($name)
          and ($schema = '' or lower(table_schema) = lower($schema))
          and (($catalog = '' and table_catalog = current_database())
               or lower(table_catalog) = lower($catalog))
        """,
        {"name": relation.name, "schema": relation.schema, "catalog": relation.catalog},
    ).fetchone()
    return bool(row and row[0])


def _check_sources(con: duckdb.DuckDBPyConnection, path: Path, sources: list[Relation]) -> None:
    for relation in sources:
        if not _relation_exists(con, relation):
            raise SqlModelError(
                f"{path}: reads {relation}, which is neither a model nor an existing table/view"
            )


def _existing_kind(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> str | None:
    """'table', 'view' or None for an object in the current database."""
    row = con.execute(
        """
        select table_type from information_schema.tables
        where table_schema = ? and table_name = ? and table_catalog = current_database()
        """,
        [schema, name],
    ).fetchone()
    if row is None:
        return None
    return "view" if row[0] == "VIEW" else "table"


# ---------------------------------------------------------------- building


def _materialize(
    con: duckdb.DuckDBPyConnection, model: Model, sql: str, changes: dict[str, str] | None
) -> bool:
    """Create or replace one model, dropping an object of the other kind first; an
    incremental model whose key has changes listed is only refreshed for those keys.
    Returns whether the model was refreshed incrementally."""
    con.execute(f"create schema if not exists {model.schema}")
    existing = _existing_kind(con, model.schema, model.name)
    if existing is not None and existing != model.materialization:
        con.execute(f"drop {existing} {model.qualified}")
        existing = None
    key = model.unique_key
    incremental = existing is not None and key is not None and changes is not None
    try:
        if incremental:
            changed = f"(select {key} from {changes[key]})"  # type: ignore[index]
            con.execute(f"delete from {model.qualified} where {key} in {changed}")
            con.execute(
                f"insert into {model.qualified} by name\n"
                f"select * from (\n{sql}\n) where {key} in {changed}"
            )
        else:
            con.execute(f"create or replace {model.materialization} {model.qualified} as\n{sql}")
    except duckdb.Error as err:
        raise SqlModelError(f"{model.path}: building {model.qualified} failed: {err}") from err
    return incremental


def build(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    *,
    atomic: bool = True,
    require_docs: bool = True,
    changes: dict[str, str] | None = None,
) -> BuildResult:
    """Build every model in dependency order, document it, then run the audits.

    With `atomic` the whole build runs in one transaction that is rolled back on any error
    (including failed audits), so the previous models stay in place. Pass False when the
    caller already holds a transaction. `require_docs` demands a description for every
    column of every mart. `changes` maps a key column to a relation (table or view) whose
    column of that name lists the key values that changed since the last build: incremental
    models keyed on it rebuild only those rows. Every key an incremental model uses must be
    listed; None rebuilds everything.
    """
    if not atomic:
        return _build(con, root, require_docs, changes)
    con.execute("begin transaction")
    try:
        result = _build(con, root, require_docs, changes)
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
    return result


def _build(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    require_docs: bool,
    changes: dict[str, str] | None,
) -> BuildResult:
    started = time.perf_counter()
    models = load_models(root)
    by_name = {m.name: m for m in models}
    order = build_order(models)
    if changes is not None:
        missing = {m.unique_key for m in models if m.unique_key} - set(changes)
        if missing:
            raise SqlModelError(f"incremental build lists no changes for key(s) {sorted(missing)}")
    timings: dict[str, float] = {}
    incremental: list[str] = []
    for model in order:
        t0 = time.perf_counter()
        _, sources = _dependencies(model.path, model.refs, model.relations, by_name)
        _check_sources(con, model.path, sources)
        if _materialize(con, model, _render(model.sql, model.path, by_name), changes):
            incremental.append(model.qualified)
        timings[model.qualified] = round(time.perf_counter() - t0, 4)
    apply_docs(con, root, models, require_docs=require_docs)
    audits = run_audits(con, root)
    failures = [a for a in audits if not a.passed]
    if failures:
        raise SqlAuditError(failures)
    return BuildResult(
        models=[m.qualified for m in order],
        timings=timings,
        audits=audits,
        seconds=round(time.perf_counter() - started, 4),
        incremental=incremental,
    )


# ---------------------------------------------------------------- documentation


def load_docs(root: Path, layer: str) -> dict[str, dict[str, Any]]:
    """Model docs of one layer from `<layer>/schema.yml`: name -> {description, columns}."""
    path = root / layer / "schema.yml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    docs = {}
    for entry in data.get("models") or []:
        columns = {c["name"]: str(c.get("description") or "") for c in entry.get("columns") or []}
        docs[entry["name"]] = {
            "description": str(entry.get("description") or ""),
            "columns": columns,
            "config": entry.get("config") or {},
            "path": path,
        }
    return docs


def _literal(text: str) -> str:
    # DuckDB's COMMENT ON takes no bind parameters, so the text is quoted by sqlglot's
    # literal generator (which escapes quotes) rather than by string formatting.
    return exp.Literal.string(text.strip()).sql(dialect="duckdb")


def _built_columns(con: duckdb.DuckDBPyConnection, model: Model) -> list[str]:
    rows = con.execute(
        """
        select column_name from duckdb_columns()
        where schema_name = ? and table_name = ? and database_name = current_database()
        order by column_index
        """,
        [model.schema, model.name],
    ).fetchall()
    return [r[0] for r in rows]


def apply_docs(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    models: list[Model] | None = None,
    *,
    require_docs: bool = True,
) -> None:
    """Apply schema.yml descriptions as COMMENT ON TABLE/VIEW/COLUMN; check they match."""
    models = load_models(root) if models is None else models
    for layer in LAYERS:
        docs = load_docs(root, layer)
        layer_models = {m.name: m for m in models if m.schema == layer}
        for name, doc in docs.items():
            if name not in layer_models:
                raise SqlModelError(f"{doc['path']}: describes {name!r}, which is no model")
        for model in layer_models.values():
            _document(con, model, docs.get(model.name), require_docs)


def _document(
    con: duckdb.DuckDBPyConnection, model: Model, doc: dict[str, Any] | None, require_docs: bool
) -> None:
    columns = _built_columns(con, model)
    described = doc["columns"] if doc else {}
    missing = [c for c in described if c not in columns]
    if missing:
        raise SqlModelError(f"{doc and doc['path']}: {model.qualified} has no column(s) {missing}")
    if require_docs and model.schema in DOCUMENTED_LAYERS:
        undocumented = [c for c in columns if not described.get(c)]
        if doc is None or not doc["description"] or undocumented:
            raise SqlModelError(
                f"{model.qualified} must be documented in {model.schema}/schema.yml; "
                f"undescribed column(s): {undocumented}"
            )
    if doc is None:
        return
    kind = model.materialization
    if doc["description"]:
        con.execute(f"comment on {kind} {model.qualified} is {_literal(doc['description'])}")
    for column, text in described.items():
        if text:
            con.execute(f'comment on column {model.qualified}."{column}" is {_literal(text)}')


# ---------------------------------------------------------------- audits


def run_audits(con: duckdb.DuckDBPyConnection, root: Path) -> list[AuditResult]:
    """Run every audit query; each result lists how many rows it returned (0 = pass)."""
    by_name = {m.name: m for m in load_models(root)}
    results = []
    for audit in load_audits(root):
        _, sources = _dependencies(audit.path, audit.refs, audit.relations, by_name)
        _check_sources(con, audit.path, sources)
        sql = _render(audit.sql, audit.path, by_name)
        try:
            count = con.execute(f"select count(*) from (\n{sql}\n)").fetchone()
            sample = con.execute(f"select * from (\n{sql}\n) limit {AUDIT_SAMPLE_ROWS}").fetchall()
        except duckdb.Error as err:
            raise SqlModelError(f"{audit.path}: audit query failed: {err}") from err
        results.append(AuditResult(audit.name, int(count[0]) if count else 0, sample))
    return results

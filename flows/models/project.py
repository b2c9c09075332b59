"""The SQL project in dbt_like_sql/, read without a database: models, audits, schema.yml docs,
dependencies and rendering. `flows.models.runner` builds it; `flows.models.contracts` reads the
data contracts (tests) declared in the same schema.yml files.

Each `<layer>/<name>.sql` file is one SELECT, built as `<layer>.<name>`. Dependencies come from
the SQL itself (`{{ ref('name') }}` or plain table names parsed with sqlglot) and are ordered
with graphlib, never by file names.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any, cast

import sqlglot
import yaml
from sqlglot import exp

LAYERS: dict[str, str] = {"staging": "view", "intermediate": "view", "marts": "table"}
DOCUMENTED_LAYERS: frozenset[str] = frozenset({"marts"})  # every column must be described
# Layers of views whose models may be declared incremental: such a model is then a table kept
# current by key like an incremental mart (an intermediate model several marts read, which as
# a view each of them computed whole again).
INCREMENTAL_VIEW_LAYERS: frozenset[str] = frozenset({"intermediate"})
AUDIT_DIR = "audits"

_REF = re.compile(r"\{\{\s*ref\(\s*['\"]([^'\"]+)['\"]\s*\)\s*\}\}")
# Names become SQL identifiers (file and folder names), so keep them to a safe alphabet.
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SqlModelError(Exception):
    """A model set that cannot be built: cycle, missing reference, bad docs, SQL error."""


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
    unique_key: str | None = None  # set for incremental models: the column rebuilt by value

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
    if not NAME.match(name):
        raise SqlModelError(f"{path}: {name!r} is not a valid model/schema name")
    return name


def read_audit(name: str, path: Path, sql: str) -> Audit:
    """An audit from its query text (read from `audits/<name>.sql` or generated)."""
    sql = sql.strip().rstrip(";")
    refs, relations = _parse_refs_and_relations(sql, path)
    return Audit(_check_name(name, path), path, sql, refs, relations)


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
            kind = "table" if key else materialization
            models.append(Model(name, layer, path, sql, kind, refs, relations, key))
    _check_unique(models)
    return models


def _unique_key(config: dict[str, Any], layer: str, path: Path) -> str | None:
    """The unique_key of an incremental model, None for any other."""
    materialized = config.get("materialized", LAYERS[layer])
    if materialized not in (LAYERS[layer], "incremental"):
        raise SqlModelError(f"{path}: {layer} models cannot be materialized as {materialized!r}")
    if materialized != "incremental":
        return None
    if LAYERS[layer] != "table" and layer not in INCREMENTAL_VIEW_LAYERS:
        raise SqlModelError(f"{path}: {layer} models are views; only tables can be incremental")
    key = config.get("unique_key")
    if not isinstance(key, str) or not NAME.match(key):
        raise SqlModelError(f"{path}: an incremental model needs a unique_key column")
    return key


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


def dependencies(
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
        deps, _ = dependencies(model.path, model.refs, model.relations, by_name)
        graph.add(model.name, *(d.name for d in deps if d.name != model.name))
        if any(d.name == model.name for d in deps):
            raise SqlModelError(f"dependency cycle: {model.path} reads itself")
    try:
        return [by_name[name] for name in graph.static_order()]
    except CycleError as err:
        cycle = [str(by_name[name].path) for name in err.args[1]]
        raise SqlModelError("dependency cycle between models: " + " -> ".join(cycle)) from err


# ---------------------------------------------------------------- rendering


def render(sql: str, path: Path, models: dict[str, Model]) -> str:
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


# ---------------------------------------------------------------- documentation


def load_docs(root: Path, layer: str) -> dict[str, dict[str, Any]]:
    """Model docs of one layer from `<layer>/schema.yml`: name -> {description, columns (name ->
    description), config, path, entry (the model's YAML as written, tests included)}."""
    path = root / layer / "schema.yml"
    if not path.exists():
        return {}
    data = _schema_yaml(path)
    docs = {}
    for entry in data.get("models") or []:
        columns = {c["name"]: str(c.get("description") or "") for c in entry.get("columns") or []}
        docs[entry["name"]] = {
            "description": str(entry.get("description") or ""),
            "columns": columns,
            "config": entry.get("config") or {},
            "path": path,
            "entry": entry,
        }
    return docs


# schema.yml parsed, per path: the text it was parsed from, the YAML. A build reads each
# layer's file a dozen times (models, docs, contracts, audits): PyYAML's pure-Python parser
# made that about a second of every build. Reading the text is cheap; parsing is done again
# only when it differs.
_YAML: dict[Path, tuple[str, Any]] = {}


def _schema_yaml(path: Path) -> Any:
    """The YAML of `path` (a fresh copy: callers may edit it)."""
    text = path.read_text(encoding="utf-8")
    cached = _YAML.get(path)
    if cached is None or cached[0] != text:
        cached = (text, yaml.safe_load(text) or {})
        _YAML[path] = cached
    return copy.deepcopy(cached[1])

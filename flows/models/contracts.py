"""Data contracts, declared once in `<layer>/schema.yml` the way dbt declares them, and the SQL
audits generated from them (the GX expectations and the quarantine keys are generated from the
same declarations in flows/quality/).

A model entry may carry `tests:` on its columns and on itself (dbt's syntax; the dbt_utils
tests without their prefix):

    columns:
      - name: meeting_id
        tests:
          - unique                      # non-null values are distinct
          - not_null
          - accepted_values: {values: [meeting, phone_call]}    # non-null values in the list
          - accepted_range: {min_value: 0}                       # non-null values in the range
          - relationships:              # every non-null value is a row of another model
              to: ref('meetings')
              field: meeting_id
              name: meeting_exists      # optional name (default <column>_in_<model>)
    tests:
      - unique_combination_of_columns: {combination_of_columns: [meeting_id, topic]}

Every test takes `description` (why it exists: the note GX shows) and `config: {severity: warn}`.
An `error` test (the default) is a SQL audit over the whole model that stops the publish, and a
blocking GX expectation when the model has a suite. A `warn` test is only a row-level GX
expectation: the rows failing it are quarantined and left out of the marts (flows/quality/gate.py).

A model's key, which identifies a row (a quarantined one, say), is its
unique_combination_of_columns, else its one column tested `unique`. The `config.unique_key` of an
incremental mart is something else: the column its rows are rebuilt by.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlglot import exp

from flows.models.project import LAYERS, NAME, SqlModelError, load_docs

COMBINATION = "unique_combination_of_columns"
_ARGS: dict[str, frozenset[str]] = {
    "unique": frozenset(),
    "not_null": frozenset(),
    "accepted_values": frozenset({"values"}),
    "accepted_range": frozenset({"min_value", "max_value"}),
    "relationships": frozenset({"to", "field", "name"}),
    COMBINATION: frozenset({"combination_of_columns"}),
}
SEVERITIES = ("error", "warn")
AUDITED_LAYERS = frozenset({"marts"})  # audits run over the built marts (the published contract)
_REF_ARG = re.compile(r"^\s*ref\(\s*['\"]([A-Za-z_][A-Za-z0-9_]*)['\"]\s*\)\s*$")


@dataclass(frozen=True, slots=True)
class Test:
    """One declared test of one model."""

    model: str
    layer: str
    test: str  # unique | not_null | accepted_values | accepted_range | relationships | COMBINATION
    columns: tuple[str, ...]  # the tested column, or the combination's columns
    description: str
    severity: str  # error | warn
    path: Path  # the schema.yml declaring it
    values: tuple[Any, ...] = ()  # accepted_values
    min_value: Any = None  # accepted_range
    max_value: Any = None
    to: str = ""  # relationships: the referenced model, its layer and its column
    to_layer: str = ""
    field: str = ""
    name: str = ""  # relationships: the check's name

    @property
    def column(self) -> str:
        """The tested column (the first one of a combination)."""
        return self.columns[0]

    @property
    def target(self) -> str:
        """relationships: the referenced relation, e.g. `marts.meetings`."""
        return f"{self.to_layer}.{self.to}"

    @property
    def audit_name(self) -> str:
        """Name of the generated audit, e.g. `quotes_quote_id_unique`, `quotes_meeting_exists`."""
        if self.test == "relationships":
            return f"{self.model}_{self.name}"
        suffix = "unique" if self.test == COMBINATION else self.test
        return f"{self.model}_{'_'.join(self.columns)}_{suffix}"


@lru_cache(maxsize=16)
def _cached(root: Path, stamp: tuple[float, ...]) -> tuple[Test, ...]:
    docs = {layer: load_docs(root, layer) for layer in LAYERS}
    tests: list[Test] = []
    for layer, layer_docs in docs.items():
        for model, doc in layer_docs.items():
            entry, path = doc["entry"], doc["path"]
            for column in entry.get("columns") or []:
                for spec in column.get("tests") or []:
                    tests.append(_test(spec, model, layer, (column["name"],), path))
            for spec in entry.get("tests") or []:
                tests.append(_test(spec, model, layer, (), path))
    _check(tests, {model: doc for layer_docs in docs.values() for model, doc in layer_docs.items()})
    layers = {model: layer for layer, layer_docs in docs.items() for model in layer_docs}
    return tuple(replace(t, to_layer=layers[t.to]) if t.to else t for t in tests)


def load(root: Path) -> tuple[Test, ...]:
    """Every test declared in `<layer>/schema.yml` under root (cached until a file changes)."""
    files = [root / layer / "schema.yml" for layer in LAYERS]
    return _cached(Path(root), tuple(p.stat().st_mtime if p.exists() else 0.0 for p in files))


def _test(spec: Any, model: str, layer: str, columns: tuple[str, ...], path: Path) -> Test:
    where = f"{path}: {model}{'.' + columns[0] if columns else ''}"
    args: dict[str, Any] = {}
    if isinstance(spec, str):
        kind = spec
    elif isinstance(spec, dict) and len(spec) == 1:
        kind, args = next(iter(spec.items()))
        args = args or {}
    else:
        raise SqlModelError(f"{where}: a test is a name or {{name: {{arguments}}}}, not {spec!r}")
    if kind not in _ARGS:
        raise SqlModelError(f"{where}: unknown test {kind!r}; known: {sorted(_ARGS)}")
    if (kind == COMBINATION) == bool(columns):
        level = "a model" if kind == COMBINATION else "a column"
        raise SqlModelError(f"{where}: {kind} is a test of {level}")
    unknown = set(args) - _ARGS[kind] - {"description", "config"}
    if unknown:
        raise SqlModelError(f"{where}: {kind} takes no argument(s) {sorted(unknown)}")
    severity = (args.get("config") or {}).get("severity", "error")
    if severity not in SEVERITIES:
        raise SqlModelError(f"{where}: severity must be one of {SEVERITIES}, not {severity!r}")
    fields: dict[str, Any] = {}
    if kind == COMBINATION:
        columns = tuple(args.get("combination_of_columns") or ())
        if len(columns) < 2:
            raise SqlModelError(f"{where}: {COMBINATION} needs two or more columns")
    elif kind == "accepted_values":
        fields["values"] = tuple(args.get("values") or ())
        if not fields["values"]:
            raise SqlModelError(f"{where}: accepted_values needs values")
    elif kind == "accepted_range":
        fields = {"min_value": args.get("min_value"), "max_value": args.get("max_value")}
        if fields == {"min_value": None, "max_value": None}:
            raise SqlModelError(f"{where}: accepted_range needs min_value or max_value")
    elif kind == "relationships":
        match = _REF_ARG.match(str(args.get("to") or ""))
        if not match or not args.get("field"):
            raise SqlModelError(f"{where}: relationships needs to: ref('model') and field")
        to = match.group(1)
        fields = {"to": to, "field": args["field"], "name": args.get("name") or ""}
        fields["name"] = fields["name"] or f"{columns[0]}_in_{to}"
    for name in (*columns, fields.get("field", "x"), fields.get("name") or "x"):
        if not isinstance(name, str) or not NAME.match(name):
            raise SqlModelError(f"{where}: {name!r} is not a valid column name")
    description = str(args.get("description") or "").strip()
    return Test(model, layer, kind, columns, description, severity, path, **fields)


def _check(tests: list[Test], docs: Mapping[str, Mapping[str, Any]]) -> None:
    """Tested columns must be documented columns; relationships must name one."""
    for test in tests:
        missing = [c for c in test.columns if c not in docs[test.model]["columns"]]
        if test.test == "relationships":
            target = docs.get(test.to)
            if target is None or test.field not in target["columns"]:
                missing.append(f"{test.to}.{test.field}")
        if missing:
            raise SqlModelError(f"{test.path}: {test.model} tests undocumented column(s) {missing}")
    names = [t.audit_name for t in tests]
    doubles = sorted({n for n in names if names.count(n) > 1})
    if doubles:
        raise SqlModelError(f"tests declared twice: {doubles}")


def key(tests: tuple[Test, ...], model: str) -> tuple[str, ...]:
    """The key of `model`: its unique_combination_of_columns, else its one `unique` column."""
    combinations = [t.columns for t in tests if t.model == model and t.test == COMBINATION]
    uniques = [t.columns for t in tests if t.model == model and t.test == "unique"]
    found = combinations or uniques
    if len(found) != 1:
        raise SqlModelError(f"{model}: its schema.yml must declare exactly one key, found {found}")
    return found[0]


def of(tests: tuple[Test, ...], model: str) -> list[Test]:
    """The tests of one model, in declaration order."""
    return [t for t in tests if t.model == model]


def _literal(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return exp.Literal.string(str(value)).sql(dialect="duckdb")
    return exp.Literal.number(value).sql(dialect="duckdb")


def _shown(tests: tuple[Test, ...], test: Test, alias: str = "") -> str:
    """The key columns (when the model has a key) and the tested ones, to show failing rows."""
    try:
        columns: tuple[str, ...] = key(tests, test.model)
    except SqlModelError:
        columns = ()
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + c for c in dict.fromkeys((*columns, *test.columns)))


def audit_sql(tests: tuple[Test, ...], test: Test) -> str:
    """The query that returns the rows failing `test` (none when the contract holds)."""
    model, column = f"{{{{ ref('{test.model}') }}}}", test.column
    shown = _shown(tests, test)
    if test.test == "not_null":
        return f"select {shown}\nfrom {model}\nwhere {column} is null"
    if test.test in ("unique", COMBINATION):
        columns = ", ".join(test.columns)
        nonnull = " and ".join(f"{c} is not null" for c in test.columns)
        return (
            f"select {columns}, count(*) as row_count\nfrom {model}\nwhere {nonnull}\n"
            f"group by {columns}\nhaving count(*) > 1"
        )
    if test.test == "accepted_values":
        values = ", ".join(_literal(v) for v in test.values)
        return f"select {shown}\nfrom {model}\nwhere {column} not in ({values})"
    if test.test == "accepted_range":
        bounds = [(test.min_value, "<"), (test.max_value, ">")]
        where = " or ".join(f"{column} {op} {_literal(v)}" for v, op in bounds if v is not None)
        return f"select {shown}\nfrom {model}\nwhere {where}"
    # relationships
    return (
        f"select {_shown(tests, test, 'child')}\nfrom {model} as child\n"
        f"left join {{{{ ref('{test.to}') }}}} as parent\n"
        f"    on child.{column} = parent.{test.field}\n"
        f"where child.{column} is not null and parent.{test.field} is null"
    )


def audits(root: Path) -> list[tuple[str, Path, str]]:
    """(name, declaring schema.yml, SQL) of the audit generated for every `error` test of a
    model in an audited layer."""
    tests = load(root)
    return [
        (
            t.audit_name,
            t.path,
            f"-- generated from {t.layer}/{t.path.name}: {t.test}\n" + audit_sql(tests, t),
        )
        for t in tests
        if t.severity == "error" and t.layer in AUDITED_LAYERS
    ]

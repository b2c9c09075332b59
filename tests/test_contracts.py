"""Every data contract is declared once, in dbt_like_sql/*/schema.yml; the SQL audits, the GX
key/reference expectations and the gate's quarantine keys are generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from flows.models import contracts
from flows.models.runner import SqlAuditError, SqlModelError, build, load_audits
from flows.quality import checks, gate
from flows.quality.suites import SUITES

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "dbt_like_sql"
DECLARED = contracts.load(MODELS)
KEYED = ("documents", "removed_lines", "meetings", "quotes", "topics", "people", "stg_documents")
RELATIONSHIPS = [t for t in DECLARED if t.test == "relationships"]
GENERIC_TYPES = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
}


def sources(*patterns: str) -> dict[Path, str]:
    """Text of the hand-written project files: SQL, Python, DDL (generated JSON excluded)."""
    found = {}
    for pattern in patterns:
        for path in ROOT.glob(pattern):
            found[path] = path.read_text(encoding="utf-8").lower()
    return found


def test_every_mart_has_one_declared_key() -> None:
    keys = {model: contracts.key(DECLARED, model) for model in KEYED}
    assert keys == {
        "documents": ("doc_id",),
        "removed_lines": ("doc_id", "line_no"),
        "meetings": ("meeting_id",),
        "quotes": ("quote_id",),
        "topics": ("meeting_id", "topic"),
        "people": ("person",),
        "stg_documents": ("source_path",),
    }


@pytest.mark.parametrize("model", KEYED)
def test_a_key_is_declared_in_exactly_one_file(model: str) -> None:
    columns = contracts.key(DECLARED, model)
    declaring = {
        t.path
        for t in DECLARED
        if t.model == model and t.test in ("unique", "unique_combination_of_columns")
    }
    assert len(declaring) == 1
    grouped = re.compile(r"group by\s+" + r",\s*".join(columns) + r"\s+having count")
    keyed = re.compile(
        r'"\w+"\s*:\s*\(\s*' + r",\s*".join(f'"{c}"' for c in columns) + r"\s*,?\s*\)"
    )
    elsewhere = [
        path
        for path, text in sources("dbt_like_sql/**/*.sql", "flows/**/*.py").items()
        if grouped.search(text) or keyed.search(text)
    ]
    assert elsewhere == []


@pytest.mark.parametrize("test", RELATIONSHIPS, ids=lambda t: f"{t.model}.{t.name}")
def test_a_relationship_is_declared_in_exactly_one_file(test: contracts.Test) -> None:
    same = [
        t for t in RELATIONSHIPS if (t.model, t.column, t.to) == (test.model, test.column, test.to)
    ]
    assert len(same) == 1
    checked = re.compile(
        rf"{test.column}\s+in\s*\(\s*select\s+{test.field}\s+from\s+\w+\.{test.to}\b"
    )
    joined = re.compile(rf"join\s+\w+\.{test.to}\s+as\s+\w+\s+on\s+\w+\.{test.column}\s*=")
    elsewhere = [
        path
        for path, text in sources("dbt_like_sql/**/*.sql", "flows/**/*.py").items()
        if checked.search(text) or joined.search(text)
    ]
    assert elsewhere == []


def test_generated_audits_are_the_declared_error_tests_of_the_marts() -> None:
    audits = {a.name: a for a in load_audits(MODELS)}
    wanted = [t for t in DECLARED if t.layer == "marts" and t.severity == "error"]
    assert len(wanted) > 20
    for test in wanted:
        audit = audits[test.audit_name]
        assert audit.path == MODELS / "marts" / "schema.yml"
        assert audit.sql.endswith(contracts.audit_sql(DECLARED, test))
    written = {p.stem for p in (MODELS / "audits").glob("*.sql")}
    assert set(audits) == written | {t.audit_name for t in wanted}


def test_hand_written_audits_are_not_generic_tests() -> None:
    for path, text in sources("dbt_like_sql/audits/*.sql").items():
        assert "having count(*) > 1" not in text, path
        assert not re.search(r"\bis null\s*$", text.strip()), path


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_suites_check_every_declared_test_of_their_model(suite: str) -> None:
    declared = [checks.from_contract(t) for t in contracts.of(DECLARED, gate.SUITE_MODELS[suite])]
    assert declared
    assert [c for c in SUITES[suite] if c in declared] == declared
    written = [c for c in SUITES[suite] if c not in declared]
    names = {t.name for t in RELATIONSHIPS}
    for check in written:  # what a generic test expresses is never written by hand
        assert check.type not in GENERIC_TYPES, check
        assert check.kwargs.get("column") not in names, check
        if check.type == "expect_column_values_to_be_in_set":
            assert "derived_from" in check.meta, check


def test_warn_tests_are_row_level_and_error_tests_block() -> None:
    for test in DECLARED:
        assert (
            checks.from_contract(test).severity
            == {"warn": "warning", "error": "critical"}[test.severity]
        )


def test_gate_keys_and_derived_columns_come_from_schema_yml() -> None:
    for suite, model in gate.SUITE_MODELS.items():
        key = contracts.key(DECLARED, model)
        assert gate.KEYS[suite][: len(key)] == key
        for test in contracts.of(DECLARED, model):
            if test.test == "relationships":
                assert f"as {test.name}" in gate.FRAMES[suite]
                assert f"from {test.target})" in gate.FRAMES[suite]


# ---------------------------------------------------------------- the declarations themselves


def project(tmp_path: Path, marts_yml: str) -> Path:
    """A two-mart SQL project: parents(id) and children(id, parent_id, kind)."""
    (tmp_path / "marts").mkdir()
    (tmp_path / "marts" / "parents.sql").write_text("select * from landing.parents")
    (tmp_path / "marts" / "children.sql").write_text("select * from landing.children")
    (tmp_path / "marts" / "schema.yml").write_text(marts_yml)
    return tmp_path


GOOD = """
version: 2
models:
  - name: parents
    description: p
    columns:
      - name: id
        description: key
        tests: [unique, not_null]
  - name: children
    description: c
    tests:
      - unique_combination_of_columns: {combination_of_columns: [id, parent_id]}
    columns:
      - name: id
        description: key
      - name: parent_id
        description: parent
        tests:
          - relationships: {to: "ref('parents')", field: id, name: parent_exists}
      - name: kind
        description: kind
        tests:
          - accepted_values: {values: [a, b]}
          - accepted_range: {min_value: a, config: {severity: warn}}
"""


@pytest.mark.parametrize(
    ("children", "failing"),
    [
        ("(1, 1, 'a'), (2, 1, 'b')", []),
        ("(1, 9, 'a')", ["children_parent_exists"]),
        ("(1, 1, 'a'), (1, 1, 'b')", ["children_id_parent_id_unique"]),
        ("(1, 1, 'z')", ["children_kind_accepted_values"]),
        ("(1, null, 'a')", []),  # a relationship holds for NULL
    ],
)
def test_generated_audits_catch_broken_contracts(
    tmp_path: Path, children: str, failing: list[str]
) -> None:
    root = project(tmp_path, GOOD)
    con = duckdb.connect()
    con.execute("create schema landing")
    con.execute("create table landing.parents as select * from (values (1), (2)) t(id)")
    con.execute(
        f"create table landing.children as select * from (values {children}) t(id, parent_id, kind)"
    )
    if failing:
        with pytest.raises(SqlAuditError) as err:
            build(con, root)
        assert [f.name for f in err.value.failures] == failing
    else:
        assert len(build(con, root).audits) == 5  # warn tests are not audits
    con.close()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("[unique, not_null]", "[unique, not_nul]"), "unknown test 'not_nul'"),
        (("[unique, not_null]", "[unique_combination_of_columns]"), "is a test of a model"),
        (("field: id,", "field: nothing,"), "undocumented column"),
        (("severity: warn", "severity: fatal"), "severity must be one of"),
        (("[unique, not_null]", "[not_null]"), "exactly one key"),
        (("{values: [a, b]}", "{values: [a, b], extra: 1}"), "takes no argument"),
    ],
)
def test_bad_declarations_are_errors(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    root = project(tmp_path, GOOD.replace(*edit))
    with pytest.raises(SqlModelError, match=message):
        tests = contracts.load(root)
        contracts.key(tests, "parents")

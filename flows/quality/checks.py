"""Expectations as plain data (``Check``), and the ones generated from the data contracts
declared in dbt_like_sql/*/schema.yml (flows.models.contracts).

Nothing here imports Great Expectations: flows.quality.validation turns checks into suites.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flows.models import contracts
from flows.settings import PROJECT_ROOT

# The SQL project whose schema.yml files declare the contracts the committed suites check.
CONTRACTS_ROOT = PROJECT_ROOT / "dbt_like_sql"


@dataclass(frozen=True)
class Check:
    """One expectation: GX expectation type, its arguments, and why it exists."""

    type: str
    kwargs: Mapping[str, Any]
    why: str
    severity: str = "critical"  # GX FailureSeverity; only "critical" failures fail the report
    meta: Mapping[str, Any] = field(default_factory=dict)


def not_null(column: str, why: str) -> Check:
    """Every value of ``column`` is present."""
    return Check("expect_column_values_to_not_be_null", {"column": column}, why)


def unique(column: str, why: str) -> Check:
    """Non-null values of ``column`` are distinct (GX ignores nulls here)."""
    return Check("expect_column_values_to_be_unique", {"column": column}, why)


def compound_unique(columns: Sequence[str], why: str) -> Check:
    """The combination of ``columns`` is distinct per row."""
    return Check("expect_compound_columns_to_be_unique", {"column_list": list(columns)}, why)


def between(column: str, why: str, min_value: Any = None, max_value: Any = None) -> Check:
    """Non-null values of ``column`` lie in [min_value, max_value] (either bound optional)."""
    kwargs = {"column": column, "min_value": min_value, "max_value": max_value}
    return Check(
        "expect_column_values_to_be_between",
        {k: v for k, v in kwargs.items() if v is not None},
        why,
    )


def in_set(column: str, values: Sequence[str], why: str) -> Check:
    """Non-null values of ``column`` are one of ``values``."""
    return Check(
        "expect_column_values_to_be_in_set", {"column": column, "value_set": list(values)}, why
    )


def matches(column: str, regex: str, why: str) -> Check:
    """Non-null values of ``column`` match ``regex``."""
    return Check("expect_column_values_to_match_regex", {"column": column, "regex": regex}, why)


def length_between(column: str, min_value: int, max_value: int, why: str) -> Check:
    """Non-null string values of ``column`` have a length in [min_value, max_value]."""
    kwargs = {"column": column, "min_value": min_value, "max_value": max_value}
    return Check("expect_column_value_lengths_to_be_between", kwargs, why)


def row_level(check: Check) -> Check:
    """The same check as a row-level one: failing rows are quarantined, the run goes on."""
    return Check(check.type, check.kwargs, check.why, "warning", check.meta)


def is_true(column: str, why: str, derived_from: str) -> Check:
    """A boolean column computed before validation (``derived_from`` says how) is true."""
    kwargs = {"column": column, "value_set": [True]}
    return Check(
        "expect_column_values_to_be_in_set", kwargs, why, meta={"derived_from": derived_from}
    )


def has_columns(columns: str, why: str) -> Check:
    """The frame has at least the space-separated ``columns`` (extra columns are allowed)."""
    kwargs = {"column_set": columns.split(), "exact_match": False}
    return Check("expect_table_columns_to_match_set", kwargs, why)


def declared() -> tuple[contracts.Test, ...]:
    """The tests declared in the project's schema.yml files."""
    return contracts.load(CONTRACTS_ROOT)


def from_contract(test: contracts.Test) -> Check:
    """The expectation checking one declared test (row-level when its severity is warn)."""
    why = test.description or _default_why(test)
    column = test.column
    if test.test == "not_null":
        check = not_null(column, why)
    elif test.test == "unique":
        check = unique(column, why)
    elif test.test == contracts.COMBINATION:
        check = compound_unique(test.columns, why)
    elif test.test == "accepted_values":
        check = in_set(column, test.values, why)
    elif test.test == "accepted_range":
        check = between(column, why, test.min_value, test.max_value)
    else:  # relationships: a boolean column flows.quality.gate computes before validating
        derived = (
            f"{column} is null or in {test.target}.{test.field}, computed by flows.quality.gate"
        )
        check = is_true(test.name, why, derived)
    return row_level(check) if test.severity == "warn" else check


def _default_why(test: contracts.Test) -> str:
    return f"{test.test} on {', '.join(test.columns)}, declared for {test.model} in schema.yml"


def contract_checks(model: str) -> tuple[Check, ...]:
    """The expectations of every test declared for `model`, in declaration order."""
    return tuple(from_contract(t) for t in contracts.of(declared(), model))

"""Great Expectations validation of the pipeline's frames (the only module that imports GX).

The suites are declared in ``flows.quality.suites.SUITES`` (one entry per expectation, each with
the reason it exists; keys, not-null, accepted values and relationships generated from the
contracts in dbt_like_sql/*/schema.yml). ``ensure_suites`` writes them into the file-mode GX
project under ``expectations/`` as JSON, which is committed; ``validate_frames`` runs the
committed JSON, never the Python declaration, and a test checks the two agree.

GX is imported lazily: importing it costs ~5 s, which commands such as ``summitry status``
should not pay. The data context is cached per process and project folder.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from flows.quality.checks import Check
from flows.quality.suites import DERIVED, SUITES

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.core.expectation_validation_result import (
        ExpectationValidationResult,
    )
    from great_expectations.data_context import FileDataContext
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

DATASOURCE = "summitry_frames"
BATCH_DEFINITION = "whole_frame"
# Stored validation results (for Data Docs) kept per suite; older runs are deleted.
KEEP_RESULTS = 20
MISSING_FRAME = "expect_frame_to_be_provided"


@dataclass(frozen=True)
class ValidationRow:
    """One expectation's outcome: exactly a row of meta.validations (without run_id)."""

    suite: str
    expectation: str
    success: bool
    unexpected_count: int | None


@dataclass(frozen=True)
class Failure:
    """Detail of a failed expectation, for quarantine and error messages."""

    suite: str
    expectation: str
    severity: str
    unexpected_rows: list[int]  # 0-based row positions in the frame passed in
    unexpected_values: list[Any]
    error: str | None = None  # GX's exception message (missing column, type clash, ...)


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of validating all frames: success means no critical expectation failed."""

    success: bool
    rows: list[ValidationRow]
    failures: list[Failure]


_LOCK = threading.Lock()  # a GX data context is not thread-safe; Prefect may use threads
_CONTEXTS: dict[Path, FileDataContext] = {}


def expectation_id(check_type: str, kwargs: Mapping[str, Any]) -> str:
    """Readable id, e.g. ``expect_column_values_to_not_be_null(doc_id)``."""
    columns = kwargs.get("column") or ",".join(kwargs.get("column_list", []))
    # Table-level expectations (e.g. the column set) have one per suite: the type suffices.
    return f"{check_type}({columns})" if columns else check_type


def _context(project_dir: Path) -> FileDataContext:
    """The file-mode GX context for ``project_dir``, created once per process."""
    key = Path(project_dir).resolve()
    if key not in _CONTEXTS:
        # Must be set before GX is imported; there is no network, and no telemetry wanted.
        os.environ["GX_ANALYTICS_ENABLED"] = "false"
        import great_expectations as gx

        _CONTEXTS[key] = gx.get_context(mode="file", project_root_dir=key)
    return _CONTEXTS[key]


def warm_up(project_dir: Path) -> None:
    """Import GX and open the data context of the project in `project_dir`, if it has one
    (never creating one), so that the first validation of the process finds them ready."""
    if (Path(project_dir) / "gx" / "great_expectations.yml").is_file():
        with _LOCK:
            _context(project_dir)


def _configure(context: FileDataContext) -> None:
    """Turn off analytics and tqdm progress bars in the committed config (idempotent)."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    variables = context.variables
    bars = variables.progress_bars  # a ProgressBarsConfig, or a dict once read back from YAML
    globally = getattr(bars, "globally", None) if not isinstance(bars, dict) else bars["globally"]
    if variables.analytics_enabled is False and globally is False:
        return
    variables.analytics_enabled = False
    variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    variables.save()


def _configuration(check: Check) -> ExpectationConfiguration:
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )
    from great_expectations.expectations.metadata_types import FailureSeverity

    return ExpectationConfiguration(
        type=check.type,
        kwargs=dict(check.kwargs),
        notes=check.why,
        meta=dict(check.meta),
        severity=FailureSeverity(check.severity),
    )


def _comparable(config: ExpectationConfiguration) -> dict[str, Any]:
    """An expectation's JSON without its generated id, to compare declared vs stored."""
    data = config.to_json_dict()
    for generated in ("id", "rendered_content"):
        data.pop(generated, None)
    return data


def _ensure_batch_definition(context: FileDataContext, name: str) -> Any:
    """The whole-dataframe batch definition of asset ``name``, created when missing."""
    sources = context.data_sources
    datasource: Any  # a PandasDatasource; GX types ``get`` as the generic Datasource
    if DATASOURCE in sources.all():
        datasource = sources.get(DATASOURCE)
    else:
        datasource = sources.add_pandas(DATASOURCE)
    names = {asset.name for asset in datasource.assets}
    asset = datasource.get_asset(name) if name in names else datasource.add_dataframe_asset(name)
    definitions = {d.name for d in asset.batch_definitions}
    if BATCH_DEFINITION in definitions:
        return asset.get_batch_definition(BATCH_DEFINITION)
    return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)


def _ensure_suite(context: FileDataContext, name: str, checks: Sequence[Check]) -> bool:
    """Store suite ``name`` with ``checks``; return True when the JSON had to change."""
    import great_expectations as gx

    wanted = [_configuration(c) for c in checks]
    names = {s.name for s in context.suites.all()}
    if name not in names:
        suite = gx.ExpectationSuite(name=name, expectations=[c.to_domain_obj() for c in wanted])
        context.suites.add(suite)
        return True
    suite = context.suites.get(name)
    stored = [_comparable(e.configuration) for e in suite.expectations]
    if stored == [_comparable(c) for c in wanted]:
        return False  # unchanged: keep ids stable so the committed JSON does not churn
    suite.expectations = [c.to_domain_obj() for c in wanted]
    suite.save()
    return True


def _ensure_validation_definition(context: FileDataContext, name: str) -> None:
    import great_expectations as gx

    if name in {v.name for v in context.validation_definitions.all()}:
        return
    definition = gx.ValidationDefinition(
        name=name, data=_ensure_batch_definition(context, name), suite=context.suites.get(name)
    )
    context.validation_definitions.add(definition)


def ensure_suites(project_dir: Path, suites: Mapping[str, Sequence[Check]] = SUITES) -> list[str]:
    """Write the declared suites into the GX project; return the names whose JSON changed."""
    with _LOCK:
        context = _context(project_dir)
        _configure(context)
        changed = []
        for name, checks in suites.items():
            _ensure_batch_definition(context, name)
            if _ensure_suite(context, name, checks):
                changed.append(name)
            _ensure_validation_definition(context, name)
        return changed


def stored_suites(project_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """The committed suites as plain dicts (without ids), keyed by suite name."""
    with _LOCK:
        context = _context(project_dir)
        return {
            s.name: [_comparable(e.configuration) for e in s.expectations]
            for s in context.suites.all()
        }


def declared_suites(suites: Mapping[str, Sequence[Check]] = SUITES) -> dict[str, list[dict]]:
    """The declared suites in the same shape as ``stored_suites``."""
    return {
        name: [_comparable(_configuration(c)) for c in checks] for name, checks in suites.items()
    }


def _as_python_dates(column: pd.Series) -> pd.Series:
    # GX's pydantic model turns the "1990-01-01" bound into a datetime.date, and its pandas
    # "between" only vectorises datetime64[ns]; polars hands over datetime64[ms] (pandas 3
    # defaults to [us]), which GX then compares value by value. So values become dates too.
    if pd.api.types.is_datetime64_any_dtype(column):
        return pd.Series(column.dt.date, index=column.index, dtype=object)
    return column


def prepare_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` as GX sees it: positional index, python dates, derived columns."""
    prepared = frame.reset_index(drop=True)  # unexpected rows are then positions
    for column in prepared.columns:
        prepared[column] = _as_python_dates(prepared[column])
    for column, derive in DERIVED.get(name, {}).items():
        prepared[column] = derive(prepared)
    return prepared


def _error_message(result: ExpectationValidationResult) -> str | None:
    """GX's exception message, whether reported flat or per metric."""
    info = result.exception_info or {}
    candidates = [info, *(v for v in info.values() if isinstance(v, dict))]
    for candidate in candidates:
        if candidate.get("raised_exception"):
            return str(candidate.get("exception_message"))
    return None


def _row_and_failure(
    suite: str, result: ExpectationValidationResult
) -> tuple[ValidationRow, Failure | None]:
    config = result.expectation_config
    assert config is not None  # results of a suite run always carry their configuration
    name = expectation_id(config.type, config.kwargs)
    count = result.result.get("unexpected_count")
    row = ValidationRow(suite, name, bool(result.success), None if count is None else int(count))
    if result.success:
        return row, None
    failure = Failure(
        suite=suite,
        expectation=name,
        severity=str(getattr(config.severity, "value", config.severity)),
        unexpected_rows=[int(i) for i in result.result.get("unexpected_index_list") or []],
        unexpected_values=list(result.result.get("unexpected_list") or []),
        error=_error_message(result),
    )
    return row, failure


def _in_suite_order(
    suite_result: ExpectationSuiteValidationResult, order: Sequence[str | None]
) -> list[ExpectationValidationResult]:
    # GX returns results grouped by metric, not in suite order; the suite order reads better.
    position = {expectation_id_: i for i, expectation_id_ in enumerate(order) if expectation_id_}

    def key(result: ExpectationValidationResult) -> int:
        config = result.expectation_config
        return position.get(config.id or "", 0) if config else 0

    return sorted(suite_result.results, key=key)


_RESULT_FORMAT = {
    "result_format": "COMPLETE",  # full unexpected lists: quarantine needs every bad row
    "return_unexpected_index_query": False,
}


def _validate_one(
    context: FileDataContext, name: str, frame: pd.DataFrame, params: dict[str, Any], run: Any
) -> list[tuple[ValidationRow, Failure | None]]:
    definition = context.validation_definitions.get(name)
    result = definition.run(
        batch_parameters={"dataframe": prepare_frame(name, frame)},
        expectation_parameters=params,
        result_format=_RESULT_FORMAT,
        run_id=run,
    )
    order = [e.id for e in definition.suite.expectations]
    return [_row_and_failure(name, r) for r in _in_suite_order(result, order)]


def _missing_frame(name: str) -> tuple[ValidationRow, Failure]:
    expectation = f"{MISSING_FRAME}({name})"
    error = f"no frame named {name!r} was passed, but suite {name!r} exists"
    return (
        ValidationRow(name, expectation, False, None),
        Failure(name, expectation, "critical", [], [], error),
    )


def _prune_results(project_dir: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` stored runs per suite (they only feed Data Docs).

    Housekeeping that never fails a run: another process validating with the same project
    (a second warehouse, a test worker) may be pruning the same folders at the same time.
    """
    root = Path(project_dir) / "gx" / "uncommitted" / "validations"
    for suite_dir in root.glob("*/"):
        runs = sorted(suite_dir.glob("*/*/"), key=_mtime, reverse=True)
        for old in runs[keep:]:
            shutil.rmtree(old, ignore_errors=True)
            with suppress(OSError):  # gone already, or not empty: another run's folder
                if not any(old.parent.iterdir()):
                    old.parent.rmdir()  # the run-name folder held only that run


def _mtime(path: Path) -> float:
    """Modification time, or 0 for a folder another process has just removed."""
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def validate_frames(
    frames: Mapping[str, pd.DataFrame],
    project_dir: Path,
    *,
    today: dt.date | None = None,
    run_name: str | None = None,
    suites: Sequence[str] | None = None,
) -> ValidationReport:
    """Validate each frame against the committed suite of the same name (only `suites`,
    when given: the pipeline validates staged documents and marts at different stages)."""
    from great_expectations.core.run_identifier import RunIdentifier

    latest = (today or dt.date.today()) + dt.timedelta(days=1)  # time zones ahead of UTC
    params = {"latest_date": latest}  # a date, like the "1990-01-01" bound once GX parsed it
    outcomes: list[tuple[ValidationRow, Failure | None]] = []
    if not (Path(project_dir) / "gx" / "great_expectations.yml").is_file():
        # get_context would silently create an empty project here and everything would "pass".
        raise FileNotFoundError(f"no GX project in {project_dir}; run ensure_suites first")
    with _LOCK:
        context = _context(project_dir)
        run = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
        for name in sorted(s.name for s in context.suites.all()):
            if suites is not None and name not in suites:
                continue
            if name in frames:
                outcomes += _validate_one(context, name, frames[name], params, run)
            else:
                outcomes.append(_missing_frame(name))
        _prune_results(project_dir, KEEP_RESULTS)
    failures = [f for _, f in outcomes if f is not None]
    success = not any(f.severity == "critical" for f in failures)
    return ValidationReport(success, [row for row, _ in outcomes], failures)


def build_data_docs(project_dir: Path, run_name: str | None = None) -> Path:
    """Render GX Data Docs (suites and stored results) and return the local index.html.

    With `run_name`, when the site exists, only that run's validation results are rendered
    (and the index, which lists every stored result): the suites' pages and the earlier
    results' pages are already there, so the cost follows what the run validated."""
    index = Path(project_dir).resolve() / "gx/uncommitted/data_docs/local_site/index.html"
    with _LOCK:
        context = _context(project_dir)
        if run_name is not None and index.is_file():
            from great_expectations.data_context.types.resource_identifiers import (
                ValidationResultIdentifier,
            )

            keys = [
                key
                for key in context.validation_results_store.list_keys()
                if isinstance(key, ValidationResultIdentifier) and key.run_id.run_name == run_name
            ]
            context.build_data_docs(resource_identifiers=keys)
        else:
            context.build_data_docs()
    return index

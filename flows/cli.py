"""Command line: `summitry run | serve | server | sql | status | report | verify | ...` (also
`python -m flows`)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from flows.load.guard import WriterHoldsLock
from flows.load.lock import RunInProgress, run_lock
from flows.settings import load_settings

EXECUTOR_HELP = "where cleaning and extraction run: local, dask-local or dask://HOST:PORT"

if TYPE_CHECKING:  # loaded by the commands that use them: a busy `run` is refused before
    import polars as pl

# Exit codes: 1 a run failed; 2 bad usage, a missing file or a SQL error; 75 (EX_TEMPFAIL)
# another run is writing the warehouse, try again later.
EX_TEMPFAIL = 75


def _path(value: str) -> Path:
    """Command-line paths are relative to the working directory, as users expect."""
    return Path(value).expanduser().resolve()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summitry", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the pipeline once as a Prefect flow")
    run.add_argument("--source", type=_path, help="folder of article files (recursive)")
    run.add_argument("--warehouse", type=_path, help="DuckDB warehouse file")
    run.add_argument("--full-refresh", action="store_true", help="reprocess every file")
    run.add_argument(
        "--wait", type=float, metavar="SECONDS", help="wait this long for a running run to end"
    )
    run.add_argument("--executor", help=EXECUTOR_HELP)

    serve = commands.add_parser("serve", help="serve the flow on a schedule until stopped")
    when = serve.add_mutually_exclusive_group()
    when.add_argument("--cron", help="cron expression (default hourly)")
    when.add_argument(
        "--interval", type=float, metavar="SECONDS", help="run every SECONDS instead of a cron"
    )
    serve.add_argument("--source", type=_path)
    serve.add_argument("--warehouse", type=_path)
    serve.add_argument("--executor", help=EXECUTOR_HELP)

    sql = commands.add_parser("sql", help="run read-only SQL against the warehouse")
    sql.add_argument("query")
    sql.add_argument("--warehouse", type=_path)
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")

    score = commands.add_parser("score", help="score the marts against labelled expectations")
    score.add_argument("--expected", type=_path, default=Path("tests/seeds_expected.json"))
    score.add_argument("--warehouse", type=_path)
    score.add_argument("--verbose", action="store_true", help="list every miss")

    validate = commands.add_parser(
        "validate", help="re-run the Great Expectations suites and build Data Docs"
    )
    validate.add_argument("--warehouse", type=_path)

    evaluate = commands.add_parser("evaluate", help="score a stage on its labelled test set")
    evaluate.add_argument("stage", help="cleaning, quotes or events")
    evaluate.add_argument("--cases", type=_path, help="folder of labelled cases (default: tests/)")
    evaluate.add_argument("--verbose", action="store_true", help="list every miss")
    evaluate.add_argument("--corpus", type=_path, help="real: the realnews corpus folder")
    evaluate.add_argument("--half", choices=("dev", "test", "all"), default="all", help="real")

    generate = commands.add_parser("generate", help="write a deterministic synthetic corpus")
    generate.add_argument("target", type=_path, help="folder to write the articles into")
    generate.add_argument("count", type=int)
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--html-share", type=float, default=0.2)

    bench = commands.add_parser("benchmark", help="time the pipeline on synthetic corpora")
    bench.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    bench.add_argument("--workdir", type=_path, default=Path("benchmark"))
    bench.add_argument("--seed", type=int, default=7)

    report = commands.add_parser(
        "report", help="rebuild the HTML report beside the warehouse (done by every publish)"
    )
    report.add_argument("--warehouse", type=_path)
    report.add_argument("--output", type=_path, help="default: <warehouse>_report.html beside it")

    verify = commands.add_parser(
        "verify", help="rebuild the sources from nothing and diff against the published marts"
    )
    verify.add_argument("--source", type=_path, help="folder of article files (recursive)")
    verify.add_argument("--warehouse", type=_path)

    status = commands.add_parser("status", help="recent runs from meta.runs")
    status.add_argument("--warehouse", type=_path)
    status.add_argument("--limit", type=int, default=10)
    status.add_argument("--format", choices=("table", "json"), default="table")

    server = commands.add_parser(
        "server", help="run a local Prefect server that `run` and `serve` then use"
    )
    server.add_argument("--port", type=int, help="port (default 4200, SUMMITRY_PREFECT_PORT)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `summitry` console script."""
    args = _parser().parse_args(argv)
    # No network but package registries here: keep Prefect and GX from phoning home.
    for variable in ("PREFECT_SERVER_ANALYTICS_ENABLED", "GX_ANALYTICS_ENABLED"):
        os.environ.setdefault(variable, "false")
    handlers = {
        "run": _run,
        "serve": _serve,
        "server": _server,
        "sql": _sql,
        "status": _status,
        "score": _score,
        "evaluate": _evaluate,
        "validate": _validate,
        "generate": _generate,
        "benchmark": _benchmark,
        "report": _report,
        "verify": _verify,
    }
    handler = handlers[args.command]
    try:
        return handler(args)
    except (FileNotFoundError, ValueError, WriterHoldsLock) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    """One run: take the warehouse's run lock first (a busy warehouse is refused at once,
    before Prefect starts), check the executor can be reached, then find or start a Prefect
    API, then run the flow."""
    from flows.orchestration.dask_executor import (
        EXIT_MISMATCH,
        EXIT_UNREACHABLE,
        ExecutorUnavailable,
        WorkerMismatch,
        check_reachable,
    )
    from flows.orchestration.serving import api_for_run, wait_ready
    from flows.orchestration.skips import note_skipped

    settings = load_settings(source=args.source, warehouse=args.warehouse, executor=args.executor)
    wait_s = settings.lock_wait_s if args.wait is None else args.wait
    try:
        check_reachable(settings.executor)  # before the lock, Prefect, and anything written
    except ExecutorUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    with ExitStack() as stack:
        try:
            stack.enter_context(run_lock(settings.warehouse, wait_s))
        except RunInProgress as exc:
            note_skipped(settings.warehouse, f"summitry run refused: {exc}")
            print(f"busy: {exc}", file=sys.stderr)
            return EX_TEMPFAIL
        api_url = stack.enter_context(api_for_run(settings.prefect_port))
        from flows.orchestration.flow import etl  # imports Prefect, now pointed at the API
        from flows.orchestration.summary import RunSummary

        if api_url is not None:
            wait_ready(api_url)  # a temporary server booted while Prefect was imported

        with _progress_bar() as progress:
            state = etl(
                str(settings.source),
                str(settings.warehouse),
                args.full_refresh,
                lock_wait_s=wait_s,
                progress=progress,
                executor=settings.executor,
                return_state=True,
            )
        _flush_prefect_logs()  # before a temporary server stops
    summary = state.result(raise_on_failure=False)
    if isinstance(summary, RunSummary):
        print(summary.render())
        return 0 if summary.status == "success" else 1
    if isinstance(summary, ExecutorUnavailable | WorkerMismatch):
        print(f"error: {summary}", file=sys.stderr)
        return EXIT_UNREACHABLE if isinstance(summary, ExecutorUnavailable) else EXIT_MISMATCH
    print(f"run failed: {state.message}", file=sys.stderr)
    return 1


def _flush_prefect_logs() -> None:
    """Send the logs and events still queued to the API (a temporary server stops next)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=5)
    EventsWorker.drain_all(timeout=5)


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar over documents when stderr is a terminal, else nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        bar = progress.add_task("documents", total=None)
        yield lambda done, total: progress.update(bar, completed=done, total=total)


def _serve(args: argparse.Namespace) -> int:
    from flows.orchestration.serving import serve

    settings = load_settings(
        source=args.source,
        warehouse=args.warehouse,
        cron=args.cron,
        interval_s=args.interval,
        executor=args.executor,
    )
    serve(settings)
    return 0


def _server(args: argparse.Namespace) -> int:
    from flows.orchestration.serving import server

    server(load_settings(prefect_port=args.port))
    return 0


# Statements `summitry sql` runs: reading only.
READ_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA"})


def _sql(args: argparse.Namespace) -> int:
    """A read-only query; a SQL error is one line on stderr and exit code 2."""
    import duckdb

    from flows.load import warehouse

    settings = load_settings(warehouse=args.warehouse)
    with warehouse.reader(settings.warehouse) as con:
        try:
            statements = con.extract_statements(args.query)
            kinds = {statement.type.name for statement in statements}
            if not statements or kinds - READ_STATEMENTS:
                raise ValueError(
                    "summitry sql only reads: "
                    + (", ".join(sorted(kinds - READ_STATEMENTS)) or "no statement")
                    + " is not allowed"
                )
            frame = warehouse.read_frame(con, args.query)
        except duckdb.Error as exc:
            raise ValueError(_one_line(exc)) from None
    print(render_frame(frame, args.format))
    return 0


def _one_line(exc: Exception) -> str:
    """A DuckDB error as one line: its kind and first message line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


STATUS_COLUMNS = ("run_id", "started", "took", "status", "seen/new/chg/rm/quar", "published")


def _status(args: argparse.Namespace) -> int:
    from flows.load import runlog, warehouse

    settings = load_settings(warehouse=args.warehouse)
    with warehouse.reader(settings.warehouse) as con:
        frame = runlog.recent_runs(con, args.limit)
        failure = runlog.last_failure(con)
    if args.format == "json":
        print(frame.write_json())
        return 0
    print(render_frame(status_frame(frame), "plain"))
    if failure:
        run_id, finished, status, message = failure
        print(f"last failure: run {run_id} ({status}) at {finished:%Y-%m-%d %H:%M:%S}: {message}")
    return 0


def status_frame(runs: pl.DataFrame) -> pl.DataFrame:
    """meta.runs rows reduced to key columns that fit a terminal line, plus the message."""
    import polars as pl

    if runs.is_empty():
        return pl.DataFrame({name: [] for name in (*STATUS_COLUMNS, "message")})
    counts = ("docs_seen", "docs_new", "docs_changed", "docs_removed", "docs_quarantined")
    seconds = (pl.col("finished_at") - pl.col("started_at")).dt.total_milliseconds() / 1000
    return runs.select(
        pl.col("run_id"),
        pl.col("started_at").dt.strftime("%Y-%m-%d %H:%M").alias("started"),
        pl.format("{}s", seconds.round(1)).fill_null("").alias("took"),
        pl.col("status"),
        pl.when(pl.col("docs_seen").is_not_null())  # skipped and abandoned runs counted none
        .then(pl.concat_str([pl.col(name).fill_null(0) for name in counts], separator="/"))
        .otherwise(pl.lit(""))
        .alias("seen/new/chg/rm/quar"),
        pl.when(pl.col("published_at").is_not_null())
        .then(pl.format("{} docs", pl.col("docs_published").fill_null(0)))
        .otherwise(pl.lit("no"))
        .alias("published"),
        pl.col("message").fill_null("").str.slice(0, 50).alias("message"),
    )


def _report(args: argparse.Namespace) -> int:
    from flows.report import build_report

    settings = load_settings(warehouse=args.warehouse)
    print(f"report written to {build_report(settings.warehouse, args.output)}")
    return 0


def _score(args: argparse.Namespace) -> int:
    from devtools.scoring import load_expected, render, score
    from flows.load import warehouse

    settings = load_settings(warehouse=args.warehouse)
    with warehouse.reader(settings.warehouse) as con:
        scores = score(con, load_expected(args.expected))
    print(render(scores, args.verbose))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from flows.orchestration.checks import validate_now

    outcome = validate_now(load_settings(warehouse=args.warehouse))
    for row in outcome.rows:
        mark = "ok  " if row.success else "FAIL"
        count = "" if row.unexpected_count in (None, 0) else f" ({row.unexpected_count} rows)"
        print(f"{mark} {row.suite}: {row.expectation}{count}")
    passed = sum(row.success for row in outcome.rows)
    print(
        f"{passed}/{len(outcome.rows)} expectations met; blocking failures: "
        f"{'none' if outcome.success else 'yes'}"
    )
    print(f"data docs: {outcome.data_docs}")
    return 0 if outcome.success else 1


def _generate(args: argparse.Namespace) -> int:
    from devtools.corpus import generate

    generate(args.target, args.count, args.seed, args.html_share)
    print(f"wrote {args.count} articles under {args.target}")
    return 0


def _benchmark(args: argparse.Namespace) -> int:
    from devtools.benchmark import run_benchmark

    report = run_benchmark(args.sizes, args.workdir, args.seed)
    print(report.markdown())
    print(f"tables written to {args.workdir}/benchmark.md and benchmark.json")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from flows.orchestration.verify import verify

    outcome = verify(load_settings(source=args.source, warehouse=args.warehouse))
    print(outcome.render())
    return 0 if outcome.identical else 1


def _evaluate(args: argparse.Namespace) -> int:
    from devtools.evaluate import STAGES

    if args.stage not in STAGES:
        raise ValueError(f"unknown stage {args.stage!r}; choose one of {', '.join(STAGES)}")
    module = importlib.import_module(f"devtools.evaluate.{args.stage}")
    if args.stage == "real":
        report = module.run(args.corpus or args.cases, half=args.half)
    else:
        report = module.run(args.cases)
    print(report.render(args.verbose))
    return 0


def _json_text(value: object) -> str:
    import polars as pl

    if isinstance(value, pl.Series):
        value = value.to_list()
    return json.dumps(value, ensure_ascii=False, default=str)


def render_frame(frame: pl.DataFrame, fmt: str) -> str:
    """A query result as an aligned table, CSV or a JSON array of objects."""
    import polars as pl

    if fmt == "json":
        return frame.write_json()
    if fmt == "csv":
        nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
        # CSV has no lists: nested values become JSON text, which spreadsheets keep intact.
        flat = frame.with_columns(
            pl.col(name).map_elements(_json_text, return_dtype=pl.String) for name in nested
        )
        return flat.write_csv()
    if fmt == "plain":  # aligned columns without borders, for `status`
        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            tbl_formatting="NOTHING",
            tbl_hide_column_data_types=True,
            tbl_hide_dataframe_shape=True,
            tbl_cell_alignment="LEFT",
            tbl_width_chars=200,
            fmt_str_lengths=60,
        ):
            return "\n".join(line.rstrip() for line in str(frame).splitlines())
    with pl.Config(
        tbl_rows=-1,
        tbl_cols=-1,
        fmt_str_lengths=120,
        tbl_width_chars=200,
        tbl_hide_dataframe_shape=True,
    ):
        return str(frame)


if __name__ == "__main__":
    sys.exit(main())

"""DuckDB access: connections, landing tables, publishing (run bookkeeping: `runlog`).

Two files (see README, "Readers and publishing"):
- the *work* file beside the published one (``warehouse.work.duckdb``) holds every layer and is
  only ever opened by the pipeline;
- the *published* file (``warehouse.duckdb``) holds ``marts`` and ``meta`` for readers. A run
  writes a fresh copy next to it and renames it into place, so readers are never blocked and a
  reader keeps the snapshot it opened until it reconnects.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from flows.load import guard, publishing, spare

# Staging tables holding one document's extraction, keyed by source_path. Replacing a
# document means deleting its rows from each of these, then inserting the new ones.
DOCUMENT_TABLES = (
    "staging.documents",
    "staging.paragraphs",
    "staging.removed_lines",
    "staging.mentions",
    "staging.quotes",
    "staging.events",
)
MARTS = (
    "documents",
    "removed_lines",
    "meetings",
    "quotes",
    "topics",
    "people",
    # bridges: one row per element of a list column above
    "meeting_participants",
    "meeting_sources",
    "quote_topics",
    "person_roles",
    "person_aliases",
)
META_TABLES = ("runs", "quarantine", "validations")
LAYERS = ("raw", "staging", "intermediate", "marts", "meta")
# Readers' BI drivers often bundle DuckDB 1.x, which cannot open the 2.x storage format.
DEFAULT_STORAGE_VERSION = "v1.0.0"


def work_path(published: Path) -> Path:
    """The pipeline's private file beside the published one."""
    return published.with_name(f"{published.stem}.work{published.suffix}")


def _quoted(path: Path) -> str:
    """A path as a SQL string literal (ATTACH and COPY take no bind parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def now() -> datetime:
    """Current UTC time without tzinfo, as DuckDB TIMESTAMP columns store it."""
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def session(
    path: Path, ddl_file: Path | None = None, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection, schema ensured when `ddl_file` is given, closed on exit;
    `memory_limit` (e.g. "1GB") caps DuckDB's memory, which then spills to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), config={"memory_limit": memory_limit} if memory_limit else {})
    try:
        if ddl_file is not None:
            con.execute(ddl_file.read_text(encoding="utf-8"))
        yield con
    finally:
        con.close()


_IN_TRANSACTION: set[int] = set()  # ids of connections inside transaction()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Commit what the block does, or roll all of it back if it raises. Inside another
    transaction() on the same connection it joins the outer one (DuckDB does not nest)."""
    if id(con) in _IN_TRANSACTION:
        yield
        return
    con.execute("begin transaction")
    _IN_TRANSACTION.add(id(con))
    try:
        yield
    except BaseException:
        _IN_TRANSACTION.discard(id(con))
        con.execute("rollback")
        raise
    _IN_TRANSACTION.discard(id(con))
    con.execute("commit")


@contextmanager
def reader(published: Path, notes: list[str] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only view of every layer: marts and meta from the published file, the working
    layers from the work file when the pipeline is not writing it (else noted in `notes`)."""
    if not published.exists():
        raise FileNotFoundError(f"no warehouse at {published}: run `summitry run` first")
    con = duckdb.connect()
    try:
        try:
            con.execute(f"attach {_quoted(published)} as published (read_only)")
        except duckdb.Error as exc:
            holder = guard.lock_holder(exc, published)
            if holder is None:
                raise
            raise holder from exc
        sources = {"marts": "published", "meta": "published"}
        if _attach_work(con, work_path(published), notes):
            sources.update(raw="work", staging="work", intermediate="work", meta="work")
        _alias_schemas(con, sources)
        yield con
    finally:
        con.close()


def _attach_work(con: duckdb.DuckDBPyConnection, path: Path, notes: list[str] | None) -> bool:
    if not path.exists():
        return False
    try:
        con.execute(f"attach {_quoted(path)} as work (read_only)")
    except duckdb.Error:
        if notes is not None:
            notes.append("a run is writing the working layers; only marts and meta are readable")
        return False
    return True


def _alias_schemas(con: duckdb.DuckDBPyConnection, sources: dict[str, str]) -> None:
    """Views in the in-memory catalog so `marts.quotes`, `raw.documents`... resolve as usual."""
    for schema, catalog in sources.items():
        con.execute(f"create schema if not exists {schema}")
        names = con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = ? and table_schema = ?",
            [catalog, schema],
        ).fetchall()
        for (name,) in names:
            con.execute(
                f'create or replace view {schema}."{name}" as '
                f'select * from {catalog}.{schema}."{name}"'
            )


def clear_tables(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> None:
    """Empty each table (e.g. the change lists once a run has published them)."""
    for table in tables:
        con.execute(f"delete from {table}")


def publish(
    con: duckdb.DuckDBPyConnection,
    published: Path,
    parquet_dir: Path | None = None,
    storage_version: str = DEFAULT_STORAGE_VERSION,
    delta: dict[str, tuple[str, str]] | None = None,
    runs_parquet: Path | None = None,
    notes: list[str] | None = None,
    keys: Mapping[str, publishing.TableKeys] | None = None,
) -> str:
    """Write marts and meta into a new file and atomically rename it over `published`.

    Readers holding the old file keep their snapshot. With `delta` (mart -> (key column,
    relation listing the changed keys)), the new file starts as the spare, the file the last
    publish replaced (flows/load/spare.py; mode "spare"), or else as a copy of the published one
    ("delta"), and only the changed keys' rows of those marts are replaced; the other marts and
    meta are copied whole. Without it, with no published file yet, or when the published marts'
    columns or keys differ from the work file's and `keys` (mart -> TableKeys, declared in the
    new file), every table is copied. The new file is read-only (mode 0444). While another
    process holds the published file open for writing, its bytes may be mid-change: the copy is
    full and a note says who holds it (the writer keeps the old file; readers get the new one).
    With `runs_parquet` (see `export_runs`), meta.runs in the published file is a view over that
    file, which every run refreshes: readers see each run, a no-op included, without the
    published file being copied. Returns "spare", "delta" or "full".
    """
    staging_file = published.with_name(published.name + ".publishing")
    staging_file.unlink(missing_ok=True)
    writer = guard.writer_on(published) if delta is not None else None
    if writer is not None and notes is not None:
        notes.append(f"{writer}. Published a full copy instead of the changed rows.")
    mode = "delta" if delta is not None and published.exists() and writer is None else "full"
    changes = delta  # the rows the new file lacks: widened when it starts as the spare
    if (
        mode == "delta"
        and spare.usable(con, published)
        and spare.open_spare(con, published, staging_file, MARTS, keys or {}, notes)
    ):
        mode, changes = "spare", spare.with_lacking(delta or {})
    if mode == "delta":
        spare.copy_published(published, staging_file)
        con.execute(f"attach {_quoted(staging_file)} as publishing")
        if not publishing.same_shape(con, MARTS, keys or {}):
            con.execute("detach publishing")
            staging_file.unlink()
            mode = "full"
    if mode == "full":
        con.execute(
            f"attach {_quoted(staging_file)} as publishing (storage_version '{storage_version}')"
        )
    # With runs_parquet, meta.runs is a view over that file, not a copied table.
    meta = META_TABLES if runs_parquet is None else tuple(t for t in META_TABLES if t != "runs")
    try:
        if mode != "full":
            publishing.apply_delta(con, MARTS, meta, changes or {}, keys or {})
        else:
            with transaction(con):
                publishing.copy_all(con, MARTS, meta, keys or {})
        if runs_parquet is not None:
            with transaction(con):
                _runs_views(con, "publishing", runs_parquet)
    finally:
        con.execute("detach publishing")
    guard.seal(staging_file)
    spare.rotate(con, published, staging_file, None if mode == "full" else delta)
    if parquet_dir is not None:
        export_parquet(con, parquet_dir)
    return mode


# One row: when the pipeline last checked the sources, how that run ended, and when the
# published marts last changed.
FRESHNESS_VIEW = """
create or replace view {catalog}meta.freshness as
select
    max(finished_at) filter (where status <> 'running') as last_check,
    arg_max(status, started_at) filter (where status <> 'running') as last_check_status,
    arg_max(run_id, started_at) filter (where status <> 'running') as last_check_run_id,
    max(published_at) as last_change,
    arg_max(run_id, published_at) as last_change_run_id
from {catalog}meta.runs
"""


def freshness_view(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> None:
    """(Re)create meta.freshness over meta.runs in `catalog` (default: the current one)."""
    con.execute(FRESHNESS_VIEW.format(catalog=f"{catalog}." if catalog else ""))


def _runs_views(con: duckdb.DuckDBPyConnection, catalog: str, runs_parquet: Path) -> None:
    """meta.runs (every run, from the Parquet file each run refreshes) and meta.freshness."""
    kind = con.execute(
        "select table_type from information_schema.tables "
        "where table_catalog = ? and table_schema = 'meta' and table_name = 'runs'",
        [catalog],
    ).fetchone()
    if kind and kind[0] != "VIEW":  # a file published before meta.runs became a view
        con.execute(f"drop table {catalog}.meta.runs")
    con.execute(
        f"create or replace view {catalog}.meta.runs as "
        f"select * from read_parquet({_quoted(runs_parquet.resolve())})"
    )
    freshness_view(con, catalog)


def export_parquet(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """One Parquet file per mart, each replaced atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    for mart in MARTS:
        target = folder / f"{mart}.parquet"
        partial = folder / f".{mart}.parquet.partial"
        con.execute(f"copy marts.{mart} to {_quoted(partial)} (format parquet)")
        os.replace(partial, target)


def discard_partial_publish(published: Path, parquet_dir: Path) -> None:
    """Remove what a killed run may have left half-written beside the published file."""
    with suppress(FileNotFoundError):
        published.with_name(published.name + ".publishing").unlink()
    new_spare = spare.spare_path(published)
    new_spare.with_name(new_spare.name + ".new").unlink(missing_ok=True)
    if parquet_dir.is_dir():
        for partial in parquet_dir.glob(".*.partial"):
            partial.unlink(missing_ok=True)


def rejected_versions(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(source_path, doc_id) of every file version already rejected."""
    return set(con.execute("select source_path, doc_id from raw.rejected_files").fetchall())


def add_rejected_files(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> None:
    """Keep the bytes of rejected files (once per path and content)."""
    if frame.height == 0:
        return
    con.register("incoming_frame", frame)
    try:
        con.execute(
            "insert into raw.rejected_files by name select * from incoming_frame "
            "on conflict do nothing"
        )
    finally:
        con.unregister("incoming_frame")


def read_frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> pl.DataFrame:
    """Run a query and return its result as a polars frame."""
    return con.sql(sql, params=params or None).pl()


def current_versions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """source_path -> doc_id of every document currently in staging."""
    return dict(con.execute("select source_path, doc_id from staging.documents").fetchall())


def known_files(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int, int, str]]:
    """source_path -> (byte_size, mtime_ns, ctime_ns, doc_id) of the files hashed before."""
    rows = con.execute(
        "select source_path, byte_size, mtime_ns, ctime_ns, doc_id from staging.source_files"
    ).fetchall()
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def remember_files(
    con: duckdb.DuckDBPyConnection, hashed: pl.DataFrame, present: Iterable[str]
) -> None:
    """Upsert the stats of freshly hashed files and forget paths no longer present."""
    present_paths = pl.DataFrame(
        {"source_path": sorted(present)}, schema={"source_path": pl.String}
    )
    with transaction(con):
        con.register("present_paths", present_paths)
        try:
            con.execute(
                "delete from staging.source_files "
                "where source_path not in (select source_path from present_paths)"
            )
        finally:
            con.unregister("present_paths")
        if hashed.height:
            insert_frame(con, "staging.source_files", hashed, replace=True)


def raw_texts(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> dict[str, tuple[str, str]]:
    """doc_id -> (raw_text, content_type) for the given ids."""
    rows = con.execute(
        "select doc_id, raw_text, content_type from raw.documents where list_contains(?, doc_id)",
        [doc_ids],
    ).fetchall()
    return {doc_id: (text, ctype) for doc_id, text, ctype in rows}


def insert_frame(
    con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, replace: bool = False
) -> None:
    """Append a polars frame to `table`, matching columns by name (`replace`: rows whose
    primary key exists replace the old ones)."""
    if frame.height == 0:
        return
    con.register("incoming_frame", frame)
    verb = "insert or replace" if replace else "insert"
    try:
        con.execute(f"{verb} into {table} by name select * from incoming_frame")
    finally:
        con.unregister("incoming_frame")


def append_raw(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> list[str]:
    """Append raw documents whose doc_id is not stored yet, as Arrow in one statement;
    returns the doc_ids added."""
    if frame.height == 0:
        return []
    # The anti-join runs in DuckDB over the doc_id column: the stored ids never come to Python.
    con.register("incoming_raw", frame)
    try:
        added = con.execute(
            "insert into raw.documents by name select * from incoming_raw "
            "where doc_id not in (select doc_id from raw.documents) returning doc_id"
        ).fetchall()
    finally:
        con.unregister("incoming_raw")
    return [row[0] for row in added]


def replace_documents(
    con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame], paths: Iterable[str]
) -> None:
    """Atomically swap the staging rows of `paths` for the rows in `frames` (table -> frame).

    Every per-document table is written here only, all of them together: a path has rows in
    them only while staging.documents holds it. So the deletes (each a scan of a table that
    grows with the warehouse) run only when some of `paths` are staged already, never for a
    batch of new files (a full build), and the paths are matched by a hash join, not a list
    search per row. Each frame is appended as Arrow in one statement."""
    path_frame = pl.DataFrame(
        {"source_path": sorted(set(paths))}, schema={"source_path": pl.String}
    )
    con.register("replaced_paths", path_frame)
    try:
        with transaction(con):
            # The marts must be rebuilt for every content that leaves or arrives.
            staged = con.execute(
                "insert into staging.changed_docs select doc_id from staging.documents "
                "where source_path in (select source_path from replaced_paths)"
            ).fetchall()[0][0]
            if "staging.documents" in frames:
                insert_frame(
                    con, "staging.changed_docs", frames["staging.documents"].select("doc_id")
                )
            pending = ("staging.template_pending",)  # cleaned now: current
            for table in (*DOCUMENT_TABLES, *pending) if staged else pending:
                con.execute(
                    f"delete from {table} "
                    "where source_path in (select source_path from replaced_paths)"
                )
            for table, frame in frames.items():
                insert_frame(con, table, frame)
    finally:
        con.unregister("replaced_paths")


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Replace every row of `table` with `frame`."""
    with transaction(con):
        con.execute(f"delete from {table}")
        insert_frame(con, table, frame)


def add_quarantine(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Append rows to meta.quarantine (run_id, source_path, doc_id, stage, reason, detail)."""
    if rows:
        insert_frame(con, "meta.quarantine", pl.DataFrame(rows, schema=QUARANTINE_SCHEMA))


def add_validations(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Append rows to meta.validations (run_id, suite, expectation, success, unexpected_count)."""
    if rows:
        insert_frame(con, "meta.validations", pl.DataFrame(rows, schema=VALIDATION_SCHEMA))


def mart_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every mart that exists."""
    existing = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    return {
        mart: con.execute(f"select count(*) from marts.{mart}").fetchone()[0]  # type: ignore[index]
        for mart in MARTS
        if mart in existing
    }


QUARANTINE_SCHEMA = {
    "run_id": pl.String,
    "source_path": pl.String,
    "doc_id": pl.String,
    "stage": pl.String,
    "reason": pl.String,
    "detail": pl.String,
    "action": pl.String,
}
VALIDATION_SCHEMA = {
    "run_id": pl.String,
    "suite": pl.String,
    "expectation": pl.String,
    "success": pl.Boolean,
    "unexpected_count": pl.Int64,
}

"""Page templates per outlet folder, over the folder's whole current set of documents.

Tables (warehouse/ddl.sql, schema `staging`):
- outlet_documents: every current source file of a subfolder that decoded, with its folder;
- outlet_document_lines: the distinct line keys of each of them (so a run never re-reads
  the files it does not process);
- outlet_templates: the template lines each folder's documents are (being) cleaned with;
- template_pending: documents whose template lines changed since they were cleaned; they are
  cleaned again from the raw layer, and leave this list when their staging rows are replaced
  (`flows.load.warehouse.replace_documents` runs in the same transaction).
The rule that makes a line a template line is `flows.extract.cleaning.template_from_counts`.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from flows.load.warehouse import insert_frame, transaction

_TABLES = ("outlet_documents", "outlet_document_lines", "outlet_templates", "template_pending")
DOCUMENT_SCHEMA = pl.Schema({"source_path": pl.String, "folder": pl.String, "doc_id": pl.String})
LINE_SCHEMA = pl.Schema({"source_path": pl.String, "line_key": pl.String})
POINT_LOOKUPS = 256  # raw documents fetched by key (index) below this many, else by a join


def _strings(con: duckdb.DuckDBPyConnection, name: str, values: Iterable[str]) -> None:
    con.register(name, pl.DataFrame({"value": sorted(set(values))}, schema={"value": pl.String}))


def clear(con: duckdb.DuckDBPyConnection) -> None:
    """Forget every document, line and template (a full refresh rebuilds them)."""
    with transaction(con):
        for table in _TABLES:
            con.execute(f"delete from staging.{table}")


def remember(
    con: duckdb.DuckDBPyConnection,
    gone: Iterable[str],
    documents: pl.DataFrame,
    lines: pl.DataFrame,
) -> None:
    """Forget the `gone` source paths and those of `documents`, then add `documents`
    (source_path, folder, doc_id) and their `lines` (source_path, line_key)."""
    _strings(con, "forgotten_paths", [*gone, *documents.get_column("source_path").to_list()])
    try:
        with transaction(con):
            # A path has lines only while outlet_documents holds it (both are written here
            # only, together): the lines, which grow with the warehouse, are scanned only when
            # some forgotten path is counted already (never for new files).
            counted = con.execute(
                "delete from staging.outlet_documents "
                "where source_path in (select value from forgotten_paths)"
            ).fetchall()[0][0]
            if counted:
                con.execute(
                    "delete from staging.outlet_document_lines "
                    "where source_path in (select value from forgotten_paths)"
                )
            insert_frame(con, "staging.outlet_documents", documents.cast(DOCUMENT_SCHEMA))
            insert_frame(con, "staging.outlet_document_lines", lines.cast(LINE_SCHEMA))
    finally:
        con.unregister("forgotten_paths")


def folder_counts(
    con: duckdb.DuckDBPyConnection, folders: Iterable[str], min_count: int
) -> dict[str, tuple[int, dict[str, int]]]:
    """For each folder: its number of current documents, and the documents holding each line
    key found in at least `min_count` of them."""
    _strings(con, "counted_folders", folders)
    try:
        sizes = con.execute(
            "select folder, count(*) from staging.outlet_documents "
            "where folder in (select value from counted_folders) group by folder"
        ).fetchall()
        keys = con.execute(
            "select d.folder, l.line_key, count(*) from staging.outlet_documents d "
            "join staging.outlet_document_lines l using (source_path) "
            "where d.folder in (select value from counted_folders) "
            "group by d.folder, l.line_key having count(*) >= $min_count",
            {"min_count": min_count},
        ).fetchall()
    finally:
        con.unregister("counted_folders")
    out: dict[str, tuple[int, dict[str, int]]] = {folder: (n, {}) for folder, n in sizes}
    for folder, key, n in keys:
        out[folder][1][key] = n
    return out


def templates(con: duckdb.DuckDBPyConnection, folders: Iterable[str]) -> dict[str, set[str]]:
    """The stored template line keys of each of `folders` (an empty set when it has none)."""
    _strings(con, "wanted_folders", folders)
    try:
        rows = con.execute(
            "select f.value, t.line_key from wanted_folders f "
            "left join staging.outlet_templates t on t.folder = f.value"
        ).fetchall()
    finally:
        con.unregister("wanted_folders")
    out: dict[str, set[str]] = {}
    for folder, key in rows:
        out.setdefault(folder, set())
        if key is not None:
            out[folder].add(key)
    return out


def replace_templates(
    con: duckdb.DuckDBPyConnection, new: dict[str, set[str]], skip: Iterable[str]
) -> int:
    """Store the folders' new templates and mark for cleaning again every current document
    of a folder that holds a line whose template membership changed (but not the `skip`
    paths, which this run cleans anyway). One transaction; returns the documents marked."""
    old = templates(con, new)
    changed = [
        (folder, key) for folder in new for key in sorted(new[folder] ^ old.get(folder, set()))
    ]
    frame = pl.DataFrame(changed, schema={"folder": pl.String, "line_key": pl.String}, orient="row")
    template_rows = [(folder, key) for folder, keys in new.items() for key in sorted(keys)]
    con.register("changed_template_lines", frame)
    _strings(con, "skipped_paths", skip)
    try:
        with transaction(con):
            before = con.execute("select count(*) from staging.template_pending").fetchall()[0][0]
            con.execute("""
                insert into staging.template_pending
                select distinct d.source_path from staging.outlet_documents d
                join staging.outlet_document_lines l using (source_path)
                join changed_template_lines c on c.folder = d.folder and c.line_key = l.line_key
                where d.source_path not in (select value from skipped_paths)
                  and d.source_path not in (select source_path from staging.template_pending)
            """)
            after = con.execute("select count(*) from staging.template_pending").fetchall()[0][0]
            _strings(con, "replaced_folders", new)
            con.execute(
                "delete from staging.outlet_templates "
                "where folder in (select value from replaced_folders)"
            )
            con.unregister("replaced_folders")
            insert_frame(
                con,
                "staging.outlet_templates",
                pl.DataFrame(
                    template_rows,
                    schema={"folder": pl.String, "line_key": pl.String},
                    orient="row",
                ),
            )
    finally:
        con.unregister("changed_template_lines")
        con.unregister("skipped_paths")
    return int(after - before)


def pending(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(source_path, doc_id) of the documents to clean again, by path."""
    return [
        (path, doc_id)
        for path, doc_id in con.execute(
            "select p.source_path, d.doc_id from staging.template_pending p "
            "join staging.outlet_documents d using (source_path) order by p.source_path"
        ).fetchall()
    ]


def unindexed(con: duckdb.DuckDBPyConnection, files: list[tuple[str, str]]) -> list[str]:
    """Of `files` (source_path, doc_id), the paths not counted yet whose content the raw layer
    holds (a warehouse made before templates were counted, or a run killed half way)."""
    frame = pl.DataFrame(
        files, schema={"source_path": pl.String, "doc_id": pl.String}, orient="row"
    )
    con.register("unchanged_files", frame)
    try:
        rows = con.execute(
            "select f.source_path from unchanged_files f "
            "anti join staging.outlet_documents d using (source_path) "
            "semi join raw.documents r using (doc_id) order by f.source_path"
        ).fetchall()
    finally:
        con.unregister("unchanged_files")
    return [row[0] for row in rows]


def raw_documents(
    con: duckdb.DuckDBPyConnection, files: list[tuple[str, str]]
) -> list[tuple[str, str, str, int, str]]:
    """(source_path, doc_id, raw_text, byte_size, encoding) of `files` (source_path, doc_id)
    from the raw layer, in the order given (files it does not hold are left out)."""
    if len(files) <= POINT_LOOKUPS:
        # A few files (an incremental run): the primary key's index finds them, where a join
        # would scan the whole raw layer.
        ids = sorted({doc_id for _, doc_id in files})
        found = {}
        if ids:
            rows = con.execute(
                "select doc_id, raw_text, byte_size, encoding from raw.documents "
                f"where doc_id in ({', '.join('?' for _ in ids)})",
                ids,
            ).fetchall()
            found = {doc_id: (text, size, encoding) for doc_id, text, size, encoding in rows}
        return [(path, doc_id, *found[doc_id]) for path, doc_id in files if doc_id in found]
    frame = pl.DataFrame(
        files, schema={"source_path": pl.String, "doc_id": pl.String}, orient="row"
    )
    con.register("wanted_files", frame.with_row_index("position"))
    try:
        rows = con.execute(
            "select f.source_path, f.doc_id, r.raw_text, r.byte_size, r.encoding "
            "from wanted_files f join raw.documents r using (doc_id) order by f.position"
        ).fetchall()
    finally:
        con.unregister("wanted_files")
    return [tuple(row) for row in rows]  # type: ignore[misc]

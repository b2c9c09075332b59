"""The published file's spare: publishing in proportion to what changed.

A publish writes a new file and renames it over the published one, so that readers never
block and keep the snapshot they opened. Copying the whole published file first costs its
size (600 MB at 100k articles) whatever changed. Instead, the file a publish replaces is kept
beside it as the *spare* (``warehouse.duckdb.spare``, a hard link taken just before the
rename); the next publish renames the spare aside, applies to it the rows changed since it
was current (the keys the last publish changed plus this run's), seals it and renames it
into place. Only the changed keys' rows move (and the marts without a change key, rebuilt
whole by every build, and the meta tables).

The spare is used only when the work file's record says exactly which file it is and what it
lacks: the inode, size and modification time of both files as the last publish left them, and
the change keys of that publish. After a full publish the replaced file would lack every row:
the spare is then a copy of the new file instead. Anything else (a first run, a file replaced by
hand, a crash between the rename and the record) falls back to a copy of the published file, as
before.

A reader that opened the published file before the last publish may still hold the spare's
inode: it must never see it change. DuckDB readers hold a shared lock on the file while they
are connected, so attaching the spare for writing fails; the spare is then dropped (the
reader keeps its inode) and the publish falls back to a copy.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from flows.load import publishing
from flows.load.guard import READ_ONLY_MODE

# Where the last publish left the two files ('current', 'spare') and what the spare lacks.
RECORD = "staging.published_files"
LACKS = "staging.spare_changes"
Fingerprint = tuple[int, int, int]


def spare_path(published: Path) -> Path:
    """The spare beside the published file."""
    return published.with_name(published.name + ".spare")


def fingerprint(path: Path) -> Fingerprint | None:
    """(inode, size, mtime in ns) of a file, None when it does not exist."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _recorded(con: duckdb.DuckDBPyConnection) -> dict[str, Fingerprint]:
    rows = con.execute(f"select slot, inode, byte_size, mtime_ns from {RECORD}").fetchall()
    return {slot: (inode, size, mtime) for slot, inode, size, mtime in rows}


def usable(con: duckdb.DuckDBPyConnection, published: Path) -> bool:
    """Whether the spare is the file the last delta-able publish replaced, untouched since,
    and the published file the one that publish wrote."""
    record = _recorded(con)
    spare = fingerprint(spare_path(published))
    return (
        spare is not None
        and record.get("spare") == spare
        and record.get("current") == fingerprint(published)
    )


def open_spare(
    con: duckdb.DuckDBPyConnection,
    published: Path,
    staging_file: Path,
    marts: Sequence[str],
    keys: Mapping[str, publishing.TableKeys],
    notes: list[str] | None,
) -> bool:
    """Move the spare to `staging_file` and attach it as `publishing` for writing; False
    (nothing attached, the spare gone) when a reader still holds it or its marts' shape
    differs from the work file's."""
    os.replace(spare_path(published), staging_file)
    os.chmod(staging_file, 0o644)
    try:
        con.execute("attach '" + str(staging_file).replace("'", "''") + "' as publishing")
    except duckdb.Error as exc:
        if "Could not set lock" not in str(exc):
            raise
        # A reader still holds this older snapshot: leave it its inode, copy instead.
        staging_file.unlink()
        if notes is not None:
            notes.append("a reader still holds the spare published file; copied the current one")
        return False
    if publishing.same_shape(con, marts, keys):
        return True
    con.execute("detach publishing")
    staging_file.unlink()
    return False


def with_lacking(delta: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """`delta` (mart -> (key column, relation of changed keys)) widened by the keys the spare
    lacks: those the last publish changed."""
    return {
        mart: (
            key,
            f"(select {key} from {changes} union "
            f"select key as {key} from {LACKS} where key_column = '{key}')",
        )
        for mart, (key, changes) in delta.items()
    }


def rotate(
    con: duckdb.DuckDBPyConnection,
    published: Path,
    staging_file: Path,
    delta: Mapping[str, tuple[str, str]] | None,
) -> None:
    """Rename the sealed `staging_file` into place and record both files and what the spare
    lacks. After a delta publish (`delta`, unwidened) the spare is the file it replaces, which
    lacks this publish's change keys. After a full publish the file it replaces would lack
    every row, so the spare is a copy of the new file, which lacks nothing (a full publish
    already costs the warehouse's size; the next incremental one then does not)."""
    spare = spare_path(published)
    link = spare.with_name(spare.name + ".new")
    link.unlink(missing_ok=True)
    old = fingerprint(published)
    if delta is not None and old is not None:
        os.link(published, link)
        os.replace(link, spare)
    os.replace(staging_file, published)
    if delta is None:
        shutil.copyfile(published, link)
        os.chmod(link, READ_ONLY_MODE)
        os.replace(link, spare)
    new = fingerprint(published)
    kept = fingerprint(spare)
    assert new is not None
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {RECORD}")
        con.execute(f"delete from {LACKS}")
        con.execute(f"insert into {RECORD} values ('current', ?, ?, ?)", list(new))
        if kept is not None and (delta is None or old is not None):
            con.execute(f"insert into {RECORD} values ('spare', ?, ?, ?)", list(kept))
            for key, changes in dict((delta or {}).values()).items():
                con.execute(
                    f"insert into {LACKS} select distinct '{key}', {key} from {changes} "
                    f"where {key} is not null"
                )
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def discard(published: Path) -> None:
    """Remove the spare (and a half-made link) when the record can no longer describe it."""
    spare = spare_path(published)
    spare.with_name(spare.name + ".new").unlink(missing_ok=True)
    spare.unlink(missing_ok=True)


def copy_published(published: Path, staging_file: Path) -> None:
    """The fallback: the new file starts as a copy of the published one."""
    shutil.copyfile(published, staging_file)

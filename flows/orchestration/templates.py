"""Page templates over each outlet folder's whole current set of documents.

A template line is one that recurs in enough of a folder's documents
(`flows.extract.cleaning.template_from_counts`). Counted over one run's batch, the templates,
hence the cleaned bodies, depended on which files arrived together. So the line keys of every
current document are kept in the work file (flows/load/template_store.py); a run:

1. counts the line keys of the files it decoded, and forgets the files that left or changed
   (`count_lines`); files counted by no run yet are counted from the raw layer
   (a warehouse made before this, a run killed half way);
2. recomputes the templates of the folders it touched and marks for cleaning again every
   document holding a line that entered or left its folder's template (`update_templates`);
3. cleans the files it processes and the marked documents with their folder's template
   (`templates_for`), re-reading the texts from the raw layer (`reload`).

Files at the top of the source folder may come from many outlets, and a wire story reprinted
by several of them would look like a template, so they get none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.extract.article import Reference
from flows.ingest.reading import SourceFile, content_type
from flows.load import template_store
from flows.load.transform import Loaded
from flows.orchestration.intake import OnDisk
from flows.orchestration.parallel import Pending, Workers
from flows.orchestration.runs import work
from flows.orchestration.summary import Plan
from flows.settings import Settings


def folder_of(path: str) -> str | None:
    """The outlet folder of a source path; None at the top of the source folder."""
    folder = str(Path(path).parent)
    return None if folder == "." else folder


def key_items(batch: Sequence[Loaded], reference: Reference) -> tuple[list[pl.DataFrame], list]:
    """The line keys of each article (worker stage) as one (source_path, line_key) frame per
    chunk, which crosses back as Arrow buffers; an article that cannot be split has none
    (cleaning quarantines it with the reason)."""
    from flows.extract.cleaning import line_keys

    paths: list[str] = []
    keys: list[str] = []
    for item in batch:
        try:
            found = sorted(line_keys(item.text, item.content_type))
        except Exception:  # clean_items reports the same article with the reason
            continue
        paths += [item.source_path] * len(found)
        keys += found
    frame = pl.DataFrame(
        {"source_path": paths, "line_key": keys}, schema=template_store.LINE_SCHEMA
    )
    return [frame], []


def members(loaded: Sequence[Loaded]) -> list[Loaded]:
    """The documents of a subfolder (those at the top get no template)."""
    return [item for item in loaded if folder_of(item.source_path) is not None]


def start_keys(loaded: Sequence[Loaded], workers: Workers) -> Pending:
    """Start computing the line keys of the decoded files on the workers; `count_lines`
    waits for them (the flow lands the batch meanwhile)."""
    return workers.submit(key_items, members(loaded))


def _count(
    settings: Settings, workers: Workers, loaded: Sequence[Loaded], gone: Iterable[str]
) -> None:
    chunks, _ = start_keys(loaded, workers).result()
    _remember(settings, loaded, chunks, gone)


def _remember(
    settings: Settings,
    loaded: Sequence[Loaded],
    chunks: Sequence[pl.DataFrame],
    gone: Iterable[str],
) -> None:
    counted = members(loaded)
    documents = pl.DataFrame(
        {
            "source_path": [item.source_path for item in counted],
            "folder": [folder_of(item.source_path) for item in counted],
            "doc_id": [item.doc_id for item in counted],
        },
        schema=template_store.DOCUMENT_SCHEMA,
    )
    lines = pl.concat([template_store.LINE_SCHEMA.to_frame(), *chunks])
    with work(settings) as con:
        template_store.remember(con, gone, documents, lines)


@task(cache_policy=NO_CACHE)
def count_lines(
    loaded: list[Loaded], paths: list[str], keys: Sequence[pl.DataFrame], settings: Settings
) -> None:
    """Store the line keys of the decoded files (`keys`: (source_path, line_key) frames, see
    `key_items`); forget `paths` (the batch's files, some of which may no longer decode, or
    the files that left) first."""
    _remember(settings, loaded, keys, paths)


@task(cache_policy=NO_CACHE)
def update_templates(plan: Plan, workers: Workers, settings: Settings) -> list[tuple[str, str]]:
    """Recompute the templates of the folders the plan touches over their current documents
    (first counting the unchanged files no run counted yet, from the raw layer); returns
    (source_path, doc_id) of every document to clean again (not the plan's files to process,
    which are cleaned anyway), by path."""
    from flows.extract.cleaning import template_from_counts
    from flows.extract.cleaning.lines import TEMPLATE_MIN_DOCUMENTS

    processing = [file.rel_path for file in plan.to_process]
    touched = processing + plan.removed + _count_unindexed(plan.unchanged, workers, settings)
    folders = sorted({folder for path in touched if (folder := folder_of(path)) is not None})
    with work(settings) as con:
        counts = template_store.folder_counts(con, folders, TEMPLATE_MIN_DOCUMENTS)
        new = {}
        for folder in folders:
            documents, keys = counts.get(folder, (0, {}))
            new[folder] = template_from_counts(keys, documents)
        marked = template_store.replace_templates(con, new, processing)
        pending = template_store.pending(con)
    get_run_logger().info(
        "templates of %d folders recomputed; %d documents to clean again (%d marked now)",
        len(folders),
        len(pending),
        marked,
    )
    return pending


def _count_unindexed(
    unchanged: list[SourceFile], workers: Workers, settings: Settings
) -> list[str]:
    """Count the unchanged files of a subfolder that no run counted yet, from the raw layer;
    returns their paths."""
    files = [(f.rel_path, f.doc_id) for f in unchanged if folder_of(f.rel_path) is not None]
    with work(settings) as con:
        missing = set(template_store.unindexed(con, files))
    if not missing:
        return []
    loaded = stored_texts([f for f in files if f[0] in missing], settings)
    _count(settings, workers, loaded, [])
    get_run_logger().info("counted the template lines of %d earlier documents", len(loaded))
    return sorted(missing)


def templates_for(settings: Settings, loaded: Sequence[Loaded | OnDisk]) -> dict[str, set[str]]:
    """The stored template line keys of the folders of `loaded`."""
    folders = {folder for item in loaded if (folder := folder_of(item.source_path)) is not None}
    if not folders:
        return {}
    with work(settings) as con:
        return template_store.templates(con, folders)


def stored_texts(files: list[tuple[str, str]], settings: Settings) -> list[Loaded]:
    """The decoded texts of `files` (source_path, doc_id) from the raw layer, in order."""
    if not files:
        return []
    with work(settings) as con:
        rows = template_store.raw_documents(con, files)
    return [
        Loaded(path, doc_id, content_type(path, text), size, text, encoding)
        for path, doc_id, text, size, encoding in rows
    ]


@task(cache_policy=NO_CACHE)
def reload(
    files: list[tuple[str, str]],
    settings: Settings,
    on_disk: dict[tuple[str, str], str] | None = None,
) -> list[Loaded | OnDisk]:
    """The decoded texts of `files` (source_path, doc_id) from the raw layer, in order;
    those in `on_disk` ((source_path, doc_id) -> location: landed by this run) stay files
    for the workers to read again (`intake.reread`)."""
    on_disk = on_disk or {}
    stored = stored_texts([file for file in files if file not in on_disk], settings)
    texts = {(item.source_path, item.doc_id): item for item in stored}
    out: list[Loaded | OnDisk] = []
    for file in files:
        if file in on_disk:
            out.append(OnDisk(file[0], file[1], on_disk[file]))
        elif file in texts:
            out.append(texts[file])
    return out

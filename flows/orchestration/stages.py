"""The per-document work the worker pool runs: cleaning and extraction of a chunk of articles.

Each function takes (chunk, reference, *args) and returns (done, rejected), so
`Workers.map` can run it in-process or in a worker with the worker's own reference data.
One article that fails never stops its chunk: it is quarantined with the reason.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Sequence
from pathlib import Path

from flows.extract.article import Extraction, Reference, extract_from_clean
from flows.load.transform import Loaded, staging_frames
from flows.orchestration.summary import Rejected, quarantine_row
from flows.records import CleanDocument

# articles cleaned together: their line pattern tests run as one polars pass
CLEAN_SLICE = 256


def clean_items(
    batch: Sequence[Loaded], reference: Reference, templates: dict[str, set[str]], run_id: str
) -> tuple[list, list[Rejected]]:
    """Clean each article; one that fails or keeps no text is quarantined."""
    cleaned, rejected = [], []
    for start in range(0, len(batch), CLEAN_SLICE):
        part = batch[start : start + CLEAN_SLICE]
        for item, outcome in zip(part, _clean_slice(part, reference, templates), strict=True):
            if isinstance(outcome, Exception):  # one bad article must not stop the batch
                rejected.append(failure(run_id, item, "clean", outcome))
            elif not outcome.paragraphs:
                reason = "no article text left after removing boilerplate"
                rejected.append(
                    Rejected(quarantine_row(run_id, item.source_path, item.doc_id, "clean", reason))
                )
            else:
                cleaned.append((item, outcome))
    return cleaned, rejected


def _clean_slice(
    part: Sequence[Loaded], reference: Reference, templates: dict[str, set[str]]
) -> list[CleanDocument | Exception]:
    """The slice's clean documents, in one batch; when an article fails, each one alone (the
    failure is that article's outcome)."""
    from flows.extract.cleaning import clean_document, clean_documents

    def template(item: Loaded) -> set[str]:
        return templates.get(str(Path(item.source_path).parent), set())

    items = [(item.text, item.content_type, template(item)) for item in part]
    try:
        return list(clean_documents(items, reference.patterns))
    except Exception:  # an article failed: clean each one alone to find it
        outcomes: list[CleanDocument | Exception] = []
        for text, kind, lines in items:
            try:
                outcomes.append(clean_document(text, kind, reference.patterns, template=lines))
            except Exception as exc:  # one bad article must not stop the batch
                outcomes.append(exc)
        return outcomes


def extract_items(cleaned: Sequence, reference: Reference, run_id: str) -> tuple[list, list]:
    """Extract each cleaned article; one that fails is quarantined."""
    extracted: list[tuple[Loaded, Extraction]] = []
    rejected: list[Rejected] = []
    for item, document in cleaned:
        try:
            extracted.append((item, extract_from_clean(document, reference)))
        except Exception as exc:  # one bad article must not stop the batch
            rejected.append(failure(run_id, item, "extract", exc))
    return extracted, rejected


def extract_frames(cleaned: Sequence, reference: Reference, run_id: str) -> tuple[list, list]:
    """Extract each cleaned article and turn the chunk into its staging frames: one dict of
    polars frames per chunk, which crosses a process or network boundary as Arrow buffers
    instead of one pickled Python object graph per article."""
    extracted, rejected = extract_items(cleaned, reference, run_id)
    return [staging_frames(extracted, run_id)], rejected


def clean_extract_frames(
    batch: Sequence[Loaded], reference: Reference, templates: dict[str, set[str]], run_id: str
) -> tuple[list, list[Rejected]]:
    """Clean a chunk, then extract it, in the same worker: the cleaned documents never cross
    a process boundary; the chunk's staging frames come back (see `extract_frames`)."""
    if multiprocessing.parent_process() is not None:  # a worker process (not the flow's own)
        freeze_long_lived()
    cleaned, rejected = clean_items(batch, reference, templates, run_id)
    frames, failed = extract_frames(cleaned, reference, run_id)
    return frames, rejected + failed


_FROZEN_IN: set[int] = set()  # processes whose long-lived objects are frozen


def freeze_long_lived() -> None:
    """Once per process, before its first chunk: collect, then move every object alive (the
    reference data above all: patterns, people, places) out of the cyclic garbage collector's
    reach (`gc.freeze`). Each full collection otherwise walks all of them again, tens of
    milliseconds each time, for objects that live as long as the worker. Objects made later
    are collected as before (a frozen object is still freed when nothing refers to it; only
    a reference cycle among frozen objects would stay: hence the collection first, and only
    in worker processes, whose reference data lives as long as they do)."""
    if os.getpid() in _FROZEN_IN:
        return
    gc.collect()
    gc.freeze()
    _FROZEN_IN.add(os.getpid())


def failure(run_id: str, item: Loaded, stage: str, exc: Exception) -> Rejected:
    """The quarantine entry of an article a stage failed on."""
    return Rejected(
        quarantine_row(
            run_id,
            item.source_path,
            item.doc_id,
            stage,
            f"{stage} failed: {type(exc).__name__}",
            str(exc)[:2000],
        )
    )

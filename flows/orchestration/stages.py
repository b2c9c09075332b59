"""The per-document work the worker pool runs: cleaning and extraction of a chunk of articles.

Each function takes (chunk, reference, *args) and returns (done, rejected), so
`Workers.map` can run it in-process or in a worker with the worker's own reference data.
One article that fails never stops its chunk: it is quarantined with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flows.extract.article import Extraction, Reference, extract_from_clean
from flows.load.transform import Loaded, staging_frames
from flows.orchestration.summary import Rejected, quarantine_row


def clean_items(
    batch: Sequence[Loaded], reference: Reference, templates: dict[str, set[str]], run_id: str
) -> tuple[list, list[Rejected]]:
    """Clean each article; one that fails or keeps no text is quarantined."""
    from flows.extract.cleaning import clean_document

    cleaned, rejected = [], []
    for item in batch:
        try:
            template = templates.get(str(Path(item.source_path).parent), set())
            document = clean_document(
                item.text, item.content_type, reference.patterns, template=template
            )
        except Exception as exc:  # one bad article must not stop the batch
            rejected.append(failure(run_id, item, "clean", exc))
            continue
        if not document.paragraphs:
            reason = "no article text left after removing boilerplate"
            rejected.append(
                Rejected(quarantine_row(run_id, item.source_path, item.doc_id, "clean", reason))
            )
            continue
        cleaned.append((item, document))
    return cleaned, rejected


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
    cleaned, rejected = clean_items(batch, reference, templates, run_id)
    frames, failed = extract_frames(cleaned, reference, run_id)
    return frames, rejected + failed


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

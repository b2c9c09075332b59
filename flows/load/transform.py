"""Polars transforms: batches of extractions become the frames of the staging tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:  # extraction is not imported on a run with nothing to process
    from flows.extract.article import Extraction

LIST_OF_STR = pl.List(pl.String)

SCHEMAS: dict[str, dict[str, pl.DataType | type[pl.DataType]]] = {
    "staging.documents": {
        "source_path": pl.String,
        "doc_id": pl.String,
        "content_type": pl.String,
        "title": pl.String,
        "subtitle": pl.String,
        "published_date": pl.Date,
        "dateline": pl.String,
        "outlet": pl.String,
        "byline": pl.String,
        "body": pl.String,
        "paragraph_count": pl.Int32,
        "removed_line_count": pl.Int32,
        "run_id": pl.String,
    },
    "staging.paragraphs": {
        "source_path": pl.String,
        "doc_id": pl.String,
        "paragraph_no": pl.Int32,
        "text": pl.String,
        "topics": LIST_OF_STR,
    },
    "staging.removed_lines": {
        "source_path": pl.String,
        "doc_id": pl.String,
        "line_no": pl.Int32,
        "text": pl.String,
        "reason": pl.String,
    },
    "staging.mentions": {
        "source_path": pl.String,
        "doc_id": pl.String,
        "paragraph_no": pl.Int32,
        "person": pl.String,
        "surface": pl.String,
        "how": pl.String,
    },
    "staging.quotes": {
        "source_path": pl.String,
        "doc_id": pl.String,
        "quote_no": pl.Int32,
        "paragraph_no": pl.Int32,
        "speaker": pl.String,
        "quote_text": pl.String,
        "attribution_verb": pl.String,
        "is_partial": pl.Boolean,
        "event_no": pl.Int32,
        "topics": LIST_OF_STR,
    },
    "staging.events": {
        "source_path": pl.String,
        "doc_id": pl.String,
        "event_no": pl.Int32,
        "kind": pl.String,
        "trigger": pl.String,
        "event_date": pl.Date,
        "date_certain": pl.Boolean,
        "location": pl.String,
        "country": pl.String,
        "occasion": pl.String,
        "participants": LIST_OF_STR,
        "first_paragraph": pl.Int32,
        "last_paragraph": pl.Int32,
    },
}

RAW_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "doc_id": pl.String,
    "source_path": pl.String,
    "content_type": pl.String,
    "byte_size": pl.Int64,
    "raw_text": pl.String,
    "encoding": pl.String,
    "ingested_at": pl.Datetime("us"),
    "run_id": pl.String,
}


REJECTED_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "doc_id": pl.String,
    "source_path": pl.String,
    "byte_size": pl.Int64,
    "content": pl.Binary,
    "stage": pl.String,
    "reason": pl.String,
    "run_id": pl.String,
}


def rejected_frame(
    rows: Sequence[dict[str, Any]], contents: dict[str, bytes | None], run_id: str
) -> pl.DataFrame:
    """Rows for raw.rejected_files from quarantine rows and the bytes read (path -> bytes)."""
    records = []
    for row in rows:
        content = contents.get(row["source_path"])
        records.append(
            {
                "doc_id": row["doc_id"],
                "source_path": row["source_path"],
                "byte_size": None if content is None else len(content),
                "content": content,
                "stage": row["stage"],
                "reason": row["reason"],
                "run_id": run_id,
            }
        )
    return pl.DataFrame(records, schema=REJECTED_SCHEMA)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A decoded source file ready for extraction."""

    source_path: str
    doc_id: str
    content_type: str
    byte_size: int
    text: str
    encoding: str


def raw_frame(batch: Sequence[Loaded], run_id: str, ingested_at: datetime) -> pl.DataFrame:
    """Rows for raw.documents, built column by column."""
    return pl.DataFrame(
        {
            "doc_id": [item.doc_id for item in batch],
            "source_path": [item.source_path for item in batch],
            "content_type": [item.content_type for item in batch],
            "byte_size": [item.byte_size for item in batch],
            "raw_text": [item.text for item in batch],
            "encoding": [item.encoding for item in batch],
            "ingested_at": [ingested_at] * len(batch),
            "run_id": [run_id] * len(batch),
        },
        schema=RAW_SCHEMA,
    )


def staging_frames(
    batch: Sequence[tuple[Loaded, Extraction]], run_id: str
) -> dict[str, pl.DataFrame]:
    """Frames for every per-document staging table, built from a batch of extractions."""
    rows: dict[str, list[dict[str, object]]] = {table: [] for table in SCHEMAS}
    for item, extraction in batch:
        key = {"source_path": item.source_path, "doc_id": item.doc_id}
        rows["staging.documents"].append(_document_row(item, extraction, run_id))
        rows["staging.paragraphs"] += _paragraph_rows(key, extraction)
        rows["staging.removed_lines"] += [
            {**key, "line_no": line.line_no, "text": line.text, "reason": line.reason}
            for line in extraction.document.removed
        ]
        rows["staging.mentions"] += [
            {
                **key,
                "paragraph_no": m.paragraph_no,
                "person": m.person,
                "surface": m.surface,
                "how": m.how,
            }
            for m in extraction.mentions
        ]
        rows["staging.quotes"] += _quote_rows(key, extraction)
        rows["staging.events"] += [
            {
                **key,
                "event_no": e.event_no,
                "kind": e.kind,
                "trigger": e.trigger,
                "event_date": e.event_date,
                "date_certain": e.date_certain,
                "location": e.location,
                "country": e.country,
                "occasion": e.occasion,
                "participants": sorted(e.participants),
                "first_paragraph": e.first_paragraph,
                "last_paragraph": e.last_paragraph,
            }
            for e in extraction.events
        ]
    return {table: pl.DataFrame(rows[table], schema=SCHEMAS[table]) for table in SCHEMAS}


def concat_frames(
    chunks: Sequence[dict[str, pl.DataFrame]], run_id: str
) -> dict[str, pl.DataFrame]:
    """The staging frames of a batch from those of its chunks, in order."""
    if not chunks:
        return staging_frames([], run_id)
    return {table: pl.concat([chunk[table] for chunk in chunks]) for table in SCHEMAS}


def _document_row(item: Loaded, extraction: Extraction, run_id: str) -> dict[str, object]:
    doc = extraction.document
    return {
        "source_path": item.source_path,
        "doc_id": item.doc_id,
        "content_type": item.content_type,
        "title": doc.title,
        "subtitle": doc.subtitle,
        "published_date": doc.published_date,
        "dateline": doc.dateline,
        "outlet": doc.outlet,
        "byline": doc.byline,
        "body": "\n\n".join(doc.paragraphs),
        "paragraph_count": len(doc.paragraphs),
        "removed_line_count": len(doc.removed),
        "run_id": run_id,
    }


def _paragraph_rows(key: dict[str, str], extraction: Extraction) -> list[dict[str, object]]:
    paragraphs = extraction.document.paragraphs
    return [
        {**key, "paragraph_no": no, "text": text, "topics": extraction.paragraph_topics[no]}
        for no, text in enumerate(paragraphs)
    ]


def _quote_rows(key: dict[str, str], extraction: Extraction) -> list[dict[str, object]]:
    return [
        {
            **key,
            "quote_no": no,
            "paragraph_no": quote.paragraph_no,
            "speaker": quote.speaker,
            "quote_text": quote.text,
            "attribution_verb": quote.attribution_verb,
            "is_partial": quote.is_partial,
            "event_no": extraction.quote_events[no],
            "topics": extraction.quote_topics[no],
        }
        for no, quote in enumerate(extraction.quotes)
    ]

"""Reading and decoding the files to process, and counting their template line keys.

`read_files` is the per-file work (bytes, size limit, decoding, quarantine reasons). On a
local worker pool, `read_and_count` runs it in the workers with the line keys of each decoded
file (`templates.key_items`): the parent only lands what comes back (raw layer, line keys),
while the workers read the next batch. A Dask cluster's workers may not see the source
folder, so there the parent reads and the workers count (`templates.start_keys`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flows.ingest.reading import Decoded, SourceFile, UnreadableInput, content_type, decode
from flows.load.transform import Loaded
from flows.orchestration.parallel import Pending, Workers
from flows.orchestration.summary import Rejected, quarantine_row

if TYPE_CHECKING:
    from flows.extract.article import Reference


def read_files(
    batch: Sequence[SourceFile], max_file_mb: float, run_id: str
) -> tuple[list[Loaded], list[Rejected]]:
    """Read each file's bytes (at most `max_file_mb`) and decode them; unusable files go to
    quarantine, bytes kept."""
    limit = int(max_file_mb * 1024 * 1024)
    loaded: list[Loaded] = []
    rejected: list[Rejected] = []
    for file in batch:
        try:
            data = file.path.read_bytes()
        except OSError as exc:
            reason = f"file vanished or became unreadable: {exc.strerror or exc}"
            rejected.append(
                Rejected(quarantine_row(run_id, file.rel_path, file.doc_id, "read", reason))
            )
            continue
        try:
            if len(data) > limit:
                raise UnreadableInput(
                    f"file too large ({len(data) / 2**20:.1f} MB > "
                    f"{max_file_mb:g} MB limit, SUMMITRY_MAX_FILE_MB)"
                )
            decoded = decode(data)
        except UnreadableInput as exc:
            row = quarantine_row(run_id, file.rel_path, file.doc_id, "decode", str(exc))
            rejected.append(Rejected(row, data))
            continue
        if decoded.repair:
            rejected.append(
                Rejected(
                    quarantine_row(
                        run_id,
                        file.rel_path,
                        file.doc_id,
                        "decode",
                        decoded.repair,
                        action="repaired",
                    )
                )
            )
        loaded.append(_loaded(file.rel_path, file.doc_id, data, decoded))
    return loaded, rejected


def _loaded(source_path: str, doc_id: str, data: bytes, decoded: Decoded) -> Loaded:
    kind = content_type(source_path, decoded.text)
    return Loaded(source_path, doc_id, kind, len(data), decoded.text, decoded.encoding)


def read_and_count(
    chunk: Sequence[SourceFile], reference: Reference, max_file_mb: float, run_id: str
) -> tuple[list, list[Rejected]]:
    """Worker stage: read and decode a chunk of files, and take the line keys of those that
    decoded in a subfolder. Returns ([(decoded files, line key frame)], rejected)."""
    from flows.orchestration.templates import key_items, members

    loaded, rejected = read_files(chunk, max_file_mb, run_id)
    keys, _ = key_items(members(loaded), reference)
    return [(loaded, keys[0])], rejected


def start_reading(
    batch: Sequence[SourceFile], workers: Workers, max_file_mb: float, run_id: str
) -> Pending:
    """Start reading, decoding and counting the line keys of `batch`; returns at once on a
    local pool. The result is ((decoded files, line key frames), rejected), in batch order."""
    if workers.local:
        pending = workers.submit(read_and_count, batch, max_file_mb, run_id)

        def gather() -> tuple[tuple[list[Loaded], list], list]:
            parts, rejected = pending.result()
            loaded = [item for part, _ in parts for item in part]
            return (loaded, [keys for _, keys in parts]), rejected

        return Pending(gather)
    from flows.orchestration.templates import start_keys

    loaded, rejected = read_files(batch, max_file_mb, run_id)
    keys = start_keys(loaded, workers)
    return Pending(lambda: ((loaded, keys.result()[0]), rejected))


@dataclass(frozen=True, slots=True)
class OnDisk:
    """A file this run decoded and landed, to clean again from its bytes on disk (read by the
    worker that cleans it, not by the flow from the raw layer)."""

    source_path: str
    doc_id: str
    location: str


def reread(item: OnDisk) -> Loaded | None:
    """The file's decoded text as the raw layer holds it: its bytes are those this run landed
    (their SHA-256 is the doc_id) and decoding is deterministic. None when the file changed,
    vanished or no longer reads since (the flow then takes the text from the raw layer)."""
    try:
        data = Path(item.location).read_bytes()
        if hashlib.sha256(data).hexdigest() != item.doc_id:
            return None
        decoded = decode(data)
    except (OSError, UnreadableInput):
        return None
    return _loaded(item.source_path, item.doc_id, data, decoded)


def clean_extract_read(
    chunk: Sequence[Loaded | OnDisk],
    reference: Reference,
    templates: dict[str, set[str]],
    run_id: str,
) -> tuple[list, list[Rejected]]:
    """Worker stage: `stages.clean_extract_frames` over a chunk whose files on disk are read
    here first. Returns ([(staging frames, (source_path, doc_id) of the files that could not
    be read again)], rejected)."""
    from flows.orchestration.stages import clean_extract_frames

    loaded: list[Loaded] = []
    missing: list[tuple[str, str]] = []
    for item in chunk:
        text = reread(item) if isinstance(item, OnDisk) else item
        if text is None:
            missing.append((item.source_path, item.doc_id))
        else:
            loaded.append(text)
    frames, rejected = clean_extract_frames(loaded, reference, templates, run_id)
    return [(frames, missing)], rejected

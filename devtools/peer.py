"""The benchmark's peer: trafilatura's `extract` against our cleaning, on the same HTML documents.

Both run in this process, one document after another (serial CPU, no workers), over the HTML
documents of a benchmark corpus (a deterministic sample of at most `limit` of them, every
folder kept in path order). Ours is `clean_document` with the folder's page template computed
as the pipeline computes it (line keys over the folder's documents); trafilatura gets the same
decoded text. Reading and decoding are outside both timings; one warm-up document each is
not counted (imports, lazily built patterns).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flows.ingest.reading import ARTICLE_SUFFIXES, content_type, decode

DEFAULT_LIMIT = 1000  # HTML documents timed per size (all of them below that)


@dataclass(slots=True)
class PeerMeasure:
    """Per-document CPU milliseconds of both tools over the same HTML documents."""

    documents: int
    ours_ms: float  # our cleaning (clean_document with the folder's template)
    peer_ms: float  # trafilatura.extract
    peer_version: str
    peer_empty: int  # documents trafilatura returned no text for

    @property
    def speedup(self) -> float:
        """How many times faster ours is (above 1) or slower (below 1)."""
        return self.peer_ms / self.ours_ms if self.ours_ms else float("inf")


def measure_peer(source: Path, seeds_dir: Path, limit: int = DEFAULT_LIMIT) -> PeerMeasure:
    """Time trafilatura's `extract` and our cleaning on the HTML documents under `source`."""
    import trafilatura

    from flows.extract.article import Reference
    from flows.extract.cleaning import clean_document

    texts = _decoded(source)
    templates = _templates(texts)
    html = [(path, text) for path, (kind, text) in texts.items() if kind == "html"]
    html = _sample(html, limit)
    patterns = Reference.from_seeds(seeds_dir).patterns

    def ours(path: str, text: str) -> object:
        folder = str(Path(path).parent)
        return clean_document(text, "html", patterns, template=templates.get(folder, set()))

    def peer(path: str, text: str) -> object:
        return trafilatura.extract(text)

    ours_s, _ = _time_each(ours, html)
    peer_s, outputs = _time_each(peer, html)
    count = max(1, len(html))
    return PeerMeasure(
        documents=len(html),
        ours_ms=1000 * ours_s / count,
        peer_ms=1000 * peer_s / count,
        peer_version=str(getattr(trafilatura, "__version__", "?")),
        peer_empty=sum(1 for out in outputs if not out),
    )


def _decoded(source: Path) -> dict[str, tuple[str, str]]:
    """source_path -> (content type, decoded text) of every readable article file."""
    texts: dict[str, tuple[str, str]] = {}
    for path in sorted(p for p in source.rglob("*") if p.suffix.lower() in ARTICLE_SUFFIXES):
        rel = path.relative_to(source).as_posix()
        try:
            text = decode(path.read_bytes()).text
        except Exception:  # the pipeline quarantines these; the peer skips them
            continue
        texts[rel] = (content_type(rel, text), text)
    return texts


def _templates(texts: dict[str, tuple[str, str]]) -> dict[str, set[str]]:
    """Each subfolder's template line keys over its documents, as the pipeline counts them."""
    from flows.extract.cleaning import template_from_counts
    from flows.extract.cleaning.lines import line_keys

    counts: dict[str, Counter[str]] = {}
    documents: Counter[str] = Counter()
    for path, (kind, text) in texts.items():
        folder = str(Path(path).parent)
        if folder == ".":
            continue
        try:
            keys = line_keys(text, kind)
        except Exception:
            continue
        counts.setdefault(folder, Counter()).update(keys)
        documents[folder] += 1
    return {folder: template_from_counts(c, documents[folder]) for folder, c in counts.items()}


def _sample(items: list[tuple[str, str]], limit: int) -> list[tuple[str, str]]:
    """Every n-th item so that at most `limit` remain, in order."""
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def _time_each(
    fn: Callable[[str, str], object], items: Sequence[tuple[str, str]]
) -> tuple[float, list[object]]:
    """CPU seconds of `fn` over `items` (after one untimed warm-up call) and its outputs."""
    if items:
        fn(*items[0])
    outputs: list[object] = []
    started = time.process_time()
    for path, text in items:
        outputs.append(fn(path, text))
    return time.process_time() - started, outputs

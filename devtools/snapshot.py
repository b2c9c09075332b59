"""Extraction snapshots: prove a faster extractor gives the same output, and time it.

    python -m devtools.snapshot dump FOLDER OUT.jsonl [--limit N]
    python -m devtools.snapshot compare A.jsonl B.jsonl
    python -m devtools.snapshot time FOLDER [--limit N]

`dump` runs cleaning and extraction over every article under FOLDER (sorted by path) and
writes one JSON line per article: the clean document (metadata, paragraphs, removed lines with
their reasons), mentions, quotes, events and topics. Run it once with the code before a change
and once after (`PYTHONPATH=<worktree>` picks the code), then `compare` names every article
whose output differs and the first field that differs. Snapshots hold article text, so write
them outside the project.

`time` reports cleaning and extraction CPU per article, in-process and serial, without a
profiler: the figure to watch when making the hot path faster. Both clean as the pipeline's
workers do (content type from the file, the batch path in slices), without page templates.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from flows.extract.article import Extraction, Reference, extract_from_clean
from flows.extract.cleaning import clean_documents
from flows.ingest.reading import ARTICLE_SUFFIXES, content_type
from flows.orchestration.stages import freeze_long_lived
from flows.settings import PROJECT_ROOT

SLICE = 256  # articles cleaned together, as flows.orchestration.stages.CLEAN_SLICE


def _articles(folder: Path, limit: int | None) -> list[tuple[str, str, str]]:
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in ARTICLE_SUFFIXES)
    if limit is not None:
        paths = paths[:limit]
    out = []
    for path in paths:
        text = path.read_bytes().decode("utf-8", errors="replace")
        name = str(path.relative_to(folder))
        out.append((name, text, content_type(name, text)))
    return out


def _clean_all(articles: list[tuple[str, str, str]], reference: Reference) -> list:
    """Clean as the pipeline's workers do: in slices, on the batch path, no page template."""
    documents = []
    for start in range(0, len(articles), SLICE):
        part = articles[start : start + SLICE]
        items = [(text, kind, frozenset[str]()) for _, text, kind in part]
        documents.extend(clean_documents(items, reference.patterns))
    return documents


def _record(name: str, extraction: Extraction) -> dict[str, Any]:
    record = asdict(extraction)
    record["file"] = name
    return record


def dump(folder: Path, out: Path, limit: int | None = None) -> int:
    """Write one JSON line per article under `folder`; returns the number of articles."""
    reference = Reference.from_seeds(PROJECT_ROOT / "seeds")
    articles = _articles(folder, limit)
    documents = _clean_all(articles, reference)
    with out.open("w", encoding="utf-8") as sink:
        for (name, _, _), document in zip(articles, documents, strict=True):
            extraction = extract_from_clean(document, reference)
            sink.write(json.dumps(_record(name, extraction), default=str, sort_keys=True) + "\n")
    return len(articles)


def _first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{path}: {a!r:.120} != {b!r:.120}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            found = _first_difference(a.get(key), b.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        return None
    return None if a == b else f"{path}: {a!r:.120} != {b!r:.120}"


def compare(first: Path, second: Path) -> list[str]:
    """One line per article whose output differs (or is missing on one side)."""

    def load(path: Path) -> dict[str, dict]:
        records = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
        return {record["file"]: record for record in records}

    a, b = load(first), load(second)
    differences = [f"{name}: only in {first}" for name in sorted(set(a) - set(b))]
    differences += [f"{name}: only in {second}" for name in sorted(set(b) - set(a))]
    for name in sorted(set(a) & set(b)):
        found = _first_difference(a[name], b[name])
        if found:
            differences.append(f"{name}{found}")
    return differences


def timing(folder: Path, limit: int | None = None) -> tuple[float, float, int]:
    """(cleaning ms, extraction ms) per article, serial, after a short warm-up."""
    reference = Reference.from_seeds(PROJECT_ROOT / "seeds")
    articles = _articles(folder, limit)
    for document in _clean_all(articles[:50], reference):
        extract_from_clean(document, reference)
    freeze_long_lived()  # as a worker does before its first chunk
    started = time.process_time()
    documents = _clean_all(articles, reference)
    cleaned = time.process_time()
    for document in documents:
        extract_from_clean(document, reference)
    done = time.process_time()
    n = max(len(articles), 1)
    return (cleaned - started) * 1000 / n, (done - cleaned) * 1000 / n, len(articles)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump")
    dumping.add_argument("folder", type=Path)
    dumping.add_argument("out", type=Path)
    dumping.add_argument("--limit", type=int)
    comparing = commands.add_parser("compare")
    comparing.add_argument("first", type=Path)
    comparing.add_argument("second", type=Path)
    timing_ = commands.add_parser("time")
    timing_.add_argument("folder", type=Path)
    timing_.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    if args.command == "dump":
        count = dump(args.folder, args.out, args.limit)
        print(f"{count} articles -> {args.out}")
        return 0
    if args.command == "compare":
        differences = compare(args.first, args.second)
        for line in differences[:50]:
            print(line)
        print(f"{len(differences)} articles differ")
        return 1 if differences else 0
    clean_ms, extract_ms, count = timing(args.folder, args.limit)
    print(
        f"clean {clean_ms:.2f} ms/article, extract {extract_ms:.2f} ms/article, "
        f"total {clean_ms + extract_ms:.2f} ms/article over {count} articles (CPU, serial)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

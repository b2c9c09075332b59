"""Reference data from seeds/: one reader for every seed CSV."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path


def read_seed_csv(
    path: Path, *, strip: bool = True, optional: bool = False
) -> list[dict[str, str]]:
    """Rows of a seed CSV (header row required), as dicts keyed by the header.

    With `strip`, every cell is stripped and a missing cell is ''; without it, cells are
    exactly as written (regular expressions may need their spaces). With `optional`, a
    missing file is no rows instead of an error.
    """
    path = Path(path)
    if optional and not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not strip:
        return rows
    return [{k: (v or "").strip() for k, v in row.items()} for row in rows]


def split_variants(value: str) -> list[str]:
    """'A|B|C' -> ['A', 'B', 'C'] without empties."""
    return [v.strip() for v in value.split("|") if v.strip()]


def alternation(variants: Iterable[str]) -> str:
    """Regex alternation, longest first so 'Saint Petersburg' wins over shorter variants."""
    return "|".join(re.escape(v) for v in sorted(set(variants), key=len, reverse=True))

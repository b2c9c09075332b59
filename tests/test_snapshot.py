"""The extraction snapshot tool that guards speed work: same code, same output; a change shows."""

from __future__ import annotations

import json
from pathlib import Path

from devtools.snapshot import compare, dump, main
from flows.settings import PROJECT_ROOT

SAMPLES = PROJECT_ROOT / "seeds" / "articles"


def test_same_code_gives_identical_snapshots(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    count = dump(SAMPLES, first)
    assert count == len(list(SAMPLES.glob("*.txt"))) >= 3
    dump(SAMPLES, second)
    assert compare(first, second) == []
    assert main(["compare", str(first), str(second)]) == 0


def test_a_changed_field_and_a_missing_article_are_reported(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    dump(SAMPLES, first, limit=3)
    records = [json.loads(line) for line in first.read_text().splitlines()]
    records[1]["document"]["paragraphs"][0] += " changed"
    second.write_text("\n".join(json.dumps(r) for r in records[:2]) + "\n")
    differences = compare(first, second)
    assert len(differences) == 2
    assert any("only in" in d and records[2]["file"] in d for d in differences)
    assert any(".document.paragraphs[0]" in d and records[1]["file"] in d for d in differences)
    assert main(["compare", str(first), str(second)]) == 1

"""Helpers of the tests that build small pages in the shapes real outlets use and clean them."""

from __future__ import annotations

from flows.extract.cleaning import BoilerplatePatterns, clean_document
from flows.records import CleanDocument


def clean_blocks(patterns: BoilerplatePatterns, *blocks: str) -> CleanDocument:
    """Clean a plain-text page made of `blocks`, one paragraph each."""
    return clean_document("\n\n".join(blocks), "text", patterns)


def removed_reasons(doc: CleanDocument) -> dict[str, str]:
    """Each removed line (stripped) and the reason it was removed."""
    return {r.text.strip(): r.reason for r in doc.removed}

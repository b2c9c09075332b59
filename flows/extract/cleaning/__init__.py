"""Boilerplate stripping: decoded article text or HTML -> CleanDocument.

The input is split into lines (HTML: text blocks), each line is normalised, then a fixed
sequence of marking steps takes lines out of the body with a reason (metadata, boilerplate,
caption, foreign_language, tail, duplicate). What is left is joined into paragraphs.
Every pattern comes from seeds/boilerplate_patterns.csv and seeds/outlets.csv.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flows.extract.cleaning.blocks import _mark_labels, _mark_link_runs, _mark_tail
from flows.extract.cleaning.body import (
    _collect_credits,
    _collect_page_outlet,
    _mark_captions,
    _mark_cut,
    _mark_debris,
    _mark_duplicates,
    _mark_foreign,
    _mark_roles,
    _mark_split_captions,
    _mark_template,
    _strip_trailing_junk,
)
from flows.extract.cleaning.features import _joins, _profile, _starts_lower
from flows.extract.cleaning.footer_dates import _take_footer_date
from flows.extract.cleaning.header import (
    _apply_page_meta,
    _mark_dateline,
    _mark_header,
    _mark_stray_dates,
    _settle_published,
    _take_store_prefix,
)
from flows.extract.cleaning.line_table import line_table
from flows.extract.cleaning.lines import (
    _html_lines,
    _key,
    _Line,
    _State,
    _text_lines,
    document_lines,
    fix_document_encoding,
    line_keys,
    normalise_line,
    store_cut,
    template_from_counts,
    template_lines,
)
from flows.extract.cleaning.patterns import BoilerplatePatterns, union_of
from flows.extract.html import html_to_blocks
from flows.records import CleanDocument

__all__ = [
    "BoilerplatePatterns",
    "clean_document",
    "clean_documents",
    "document_lines",
    "fix_document_encoding",
    "line_keys",
    "normalise_line",
    "template_from_counts",
    "template_lines",
    "union_of",
]

# -- public entry point --------------------------------------------------------------------


def clean_document(
    text: str,
    content_type: str,
    patterns: BoilerplatePatterns,
    outlet_hint: str | None = None,
    template: set[str] | frozenset[str] = frozenset(),
) -> CleanDocument:
    """Strip boilerplate from one decoded article and pull out its metadata.

    `template` holds lines (or their keys) repeated across many documents of the same outlet
    (from `template_lines` over the outlet's current documents); they are removed unless they
    read as story text.
    """
    return clean_documents([(text, content_type, template)], patterns, [outlet_hint])[0]


# documents whose lines go through one line table (bounds the table's memory)
_TABLE_DOCUMENTS = 512


def clean_documents(
    items: Sequence[tuple[str, str, set[str] | frozenset[str]]],
    patterns: BoilerplatePatterns,
    outlet_hints: Sequence[str | None] | None = None,
) -> list[CleanDocument]:
    """`clean_document` over a chunk of (text, content type, template) items, in order: the
    line pattern tests of the whole chunk run at once (line_table.py), then each document's
    marking steps."""
    hints = list(outlet_hints) if outlet_hints is not None else [None] * len(items)
    keys: dict[int, frozenset[str]] = {}  # template line keys, by template (a folder's)
    documents: list[CleanDocument] = []
    for start in range(0, len(items), _TABLE_DOCUMENTS):
        part = items[start : start + _TABLE_DOCUMENTS]
        states = [
            _prepare(text, kind, patterns, _template_keys(template, keys))
            for text, kind, template in part
        ]
        table = line_table([line.text for state in states for line in state.lines], patterns)
        for state, hint in zip(states, hints[start : start + len(part)], strict=True):
            state.table = table
            documents.append(_finish(state, hint))
    return documents


def _template_keys(
    template: set[str] | frozenset[str], keys: dict[int, frozenset[str]]
) -> frozenset[str]:
    """The keys of a template's lines, worked out once per template object in a batch."""
    found = keys.get(id(template))
    if found is None:
        found = keys[id(template)] = frozenset(_key(line) for line in template)
    return found


def _prepare(
    text: str, content_type: str, patterns: BoilerplatePatterns, template: frozenset[str]
) -> _State:
    """One document's lines and page metadata, before the marking steps (`template`: the
    keys of its page template's lines)."""
    page = html_to_blocks(text, patterns.html_roles) if content_type == "html" else None
    lines = _html_lines(page) if page is not None else _text_lines(text)
    state = _State(lines, patterns, html=page is not None)
    state.template = template
    state.page_links = " ".join(page.links) if page is not None else ""
    state.store_cut = page is None and store_cut(text)
    _profile(state)
    if page is not None:
        _apply_page_meta(state, page)
    return state


def _finish(state: _State, outlet_hint: str | None) -> CleanDocument:
    """The marking steps, then the document."""
    for step in _STEPS:
        step(state)
    state.doc.outlet = _pick_outlet(state, outlet_hint)
    state.doc.paragraphs = _assemble(state)
    state.doc.removed = sorted(state.removed, key=lambda r: r.line_no)
    return state.doc


_STEPS: tuple[Callable[[_State], None], ...] = (
    _take_store_prefix,
    _mark_debris,
    _mark_template,
    _mark_roles,
    _strip_trailing_junk,
    _mark_captions,
    _mark_split_captions,
    _mark_header,
    _mark_dateline,
    _mark_stray_dates,
    _mark_cut,
    _mark_tail,
    _mark_link_runs,
    _mark_labels,
    _mark_foreign,
    _mark_duplicates,
    _collect_credits,
    _collect_page_outlet,
    _take_footer_date,
    _settle_published,
)


def _pick_outlet(state: _State, hint: str | None) -> str | None:
    """The publishing site (masthead, <title>, og:site_name) beats the agency in the dateline,
    which beats the caller's hint, credits, captions and links."""
    if "site" in state.evidence:
        return state.evidence["site"]
    if "dateline" in state.evidence:
        return state.evidence["dateline"]
    if hint:
        return state.patterns.outlets.match(hint) or hint
    for source in ("site_name", "site", "byline", "credit", "caption", "furniture", "links"):
        if state.evidence.get(source):
            return state.evidence[source]
    return None


# -- lines -> paragraphs -------------------------------------------------------------------


def _assemble(state: _State) -> list[str]:
    """Join kept lines into paragraphs: blank lines, removed lines and line ends split them."""
    paragraphs: list[str] = []
    previous: _Line | None = None
    for line in state.lines:
        if line.reason is not None:
            if not line.inline:
                previous = None
            continue
        if previous is not None and not line.blank_before and _joins(state, previous, line):
            glue = "" if previous.text.endswith("-") and _starts_lower(line.text) else " "
            paragraphs[-1] = paragraphs[-1] + glue + line.text
        else:
            paragraphs.append(line.text)
        previous = line
    return paragraphs

"""Score quote extraction, attribution and statement linking on tests/quote_cases/.

Each case is an article (`<name>.txt`, `.md` or `.html`) with a sidecar `<name>.json`:
`quotes` (each: `starts` = first words as written, optional `ends` = last words, `speaker` =
canonical name or null, `is_partial`, `verb` as written or null, optional `optional`) and
`not_quotes` (marked text that is not a quotation). `statements.json` lists the groups of
quotes that are one statement reported by several outlets; every other pair is a negative.

Each article runs through `flows.extract.article.extract` (the real cleaning path). An extracted
quote matches a label when its normalised text starts with the label's `starts` (and ends
with its `ends`, when given): a quote that swallows the next paragraph is a miss and a false
quote at once. Statement links come from `flows.link.statements.link_statements` over every
extracted quote of every case, with the quote's event date as the pipeline passes it.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from devtools.evaluate import EvalReport
from flows.extract.article import Extraction, Reference, extract
from flows.extract.names import fold
from flows.link.statements import link_statements
from flows.settings import PROJECT_ROOT

_ROOT = PROJECT_ROOT
DEFAULT_CASES = _ROOT / "tests" / "quote_cases"
SEEDS = _ROOT / "seeds"
_SUFFIXES = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html"}
_GROUPS_FILE = "statements.json"


@dataclass(slots=True)
class _Case:
    name: str
    extraction: Extraction
    labels: list[dict]
    not_quotes: list[str]
    matches: dict[int, int] = field(default_factory=dict)  # label index -> quote index


@dataclass(slots=True)
class _Tally:
    """Counters behind the report's ratios."""

    extracted: int = 0
    labelled: int = 0
    found: int = 0
    speaker: int = 0
    partial: int = 0
    verb: int = 0
    not_quote_hits: int = 0
    not_quotes: int = 0
    misses: list[str] = field(default_factory=list)


def norm(text: str) -> str:
    """Folded words of a quote, punctuation and quotation marks dropped."""
    return " ".join(re.findall(r"\w+", fold(text)))


def _matches(label: dict, text: str) -> bool:
    body = norm(text)
    if not body.startswith(norm(label["starts"])):
        return False
    return "ends" not in label or body.endswith(norm(label["ends"]))


def _load_cases(cases_dir: Path, reference: Reference) -> list[_Case]:
    cases = []
    for path in sorted(cases_dir.iterdir()):
        sidecar = path.with_suffix(".json")
        if path.suffix not in _SUFFIXES or not sidecar.exists():
            continue
        labels = json.loads(sidecar.read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
        extraction = extract(text, _SUFFIXES[path.suffix], reference)
        cases.append(_Case(path.stem, extraction, labels["quotes"], labels.get("not_quotes", [])))
    return cases


def _score_case(case: _Case, tally: _Tally) -> None:
    quotes = case.extraction.quotes
    used: set[int] = set()
    tally.not_quotes += len(case.not_quotes)
    for li, label in enumerate(case.labels):
        qi = next(
            (i for i, q in enumerate(quotes) if i not in used and _matches(label, q.text)), None
        )
        if qi is not None:
            used.add(qi)
            case.matches[li] = qi
        if label.get("optional"):
            continue
        tally.labelled += 1
        if qi is None:
            tally.misses.append(f"{case.name}: missed “{label['starts']}”")
            continue
        _score_match(case, label, quotes[qi], tally)
    optional = {qi for li, qi in case.matches.items() if case.labels[li].get("optional")}
    for i, quote in enumerate(quotes):
        if i in optional:
            continue
        tally.extracted += 1
        if i not in used:
            tally.misses.append(f"{case.name}: false quote “{quote.text[:70]}”")
            if norm(quote.text) in {norm(n) for n in case.not_quotes}:
                tally.not_quote_hits += 1


def _score_match(case: _Case, label: dict, quote, tally: _Tally) -> None:
    tally.found += 1
    head = f"{case.name}: “{label['starts'][:40]}”"
    if quote.speaker == label["speaker"]:
        tally.speaker += 1
    else:
        tally.misses.append(f"{head} speaker {quote.speaker!r}, want {label['speaker']!r}")
    if quote.is_partial == label["is_partial"]:
        tally.partial += 1
    else:
        tally.misses.append(f"{head} is_partial {quote.is_partial}, want {label['is_partial']}")
    if (quote.attribution_verb or None) == label["verb"]:
        tally.verb += 1
    else:
        tally.misses.append(f"{head} verb {quote.attribution_verb!r}, want {label['verb']!r}")


# ----------------------------------------------------------------------------- statements
def _quote_frame(cases: list[_Case]) -> pl.DataFrame:
    """Every extracted quote as link_statements receives it from the pipeline."""
    rows = []
    for case in cases:
        ex = case.extraction
        published = ex.document.published_date
        event_dates = {e.event_no: e.event_date for e in ex.events}
        for no, (quote, event_no) in enumerate(zip(ex.quotes, ex.quote_events, strict=True)):
            event_date = event_dates.get(event_no) if event_no is not None else None
            rows.append(
                {
                    "doc_id": case.name,
                    "quote_no": no,
                    "speaker": quote.speaker,
                    "quote_text": quote.text,
                    "published_date": published,
                    "event_date": event_date or published,
                }
            )
    schema = {
        "doc_id": pl.String,
        "quote_no": pl.Int64,
        "speaker": pl.String,
        "quote_text": pl.String,
        "published_date": pl.Date,
        "event_date": pl.Date,
    }
    return pl.DataFrame(rows, schema=schema)


def _label_index(cases: list[_Case], doc: str, starts: str) -> tuple[str, int] | None:
    """(doc, label index) of the label of `doc` whose text begins with `starts`."""
    case = next((c for c in cases if c.name == doc), None)
    if case is None:
        raise ValueError(f"{_GROUPS_FILE}: no case named {doc}")
    for li, label in enumerate(case.labels):
        if norm(label["starts"]).startswith(norm(starts)):
            return doc, li
    raise ValueError(f"{_GROUPS_FILE}: {doc} has no labelled quote “{starts}”")


def _linking(cases: list[_Case], groups_file: Path, report: EvalReport) -> None:
    groups = json.loads(groups_file.read_text(encoding="utf-8"))["groups"]
    gold: set[frozenset[Any]] = set()
    for group in groups:
        keys = [_label_index(cases, doc, starts) for doc, starts in group]
        gold.update(frozenset(p) for p in itertools.combinations(keys, 2))
    links = link_statements(_quote_frame(cases))
    ids = {(r["doc_id"], r["quote_no"]): r["statement_id"] for r in links.to_dicts()}
    labelled = [
        ((c.name, li), ids[(c.name, qi)])
        for c in cases
        for li, qi in c.matches.items()
        if not c.labels[li].get("optional")
    ]
    predicted = {
        frozenset((a, b)) for (a, sa), (b, sb) in itertools.combinations(labelled, 2) if sa == sb
    }
    hits = len(predicted & gold)
    _ratio(report, "linking_precision", hits, len(predicted))
    _ratio(report, "linking_recall", hits, len(gold))
    for pair in sorted(predicted - gold, key=sorted):
        report.misses.append(f"wrongly linked: {_describe(cases, pair)}")
    for pair in sorted(gold - predicted, key=sorted):
        report.misses.append(f"not linked: {_describe(cases, pair)}")


def _describe(cases: list[_Case], pair: frozenset) -> str:
    by_name = {c.name: c for c in cases}
    parts = [f"{doc} “{by_name[doc].labels[li]['starts'][:35]}”" for doc, li in sorted(pair)]
    return " ~ ".join(parts)


# ----------------------------------------------------------------------------- report
def _ratio(report: EvalReport, name: str, hits: int, total: int) -> None:
    report.metrics[name] = hits / total if total else 1.0
    report.counts[name] = f"{hits}/{total}"


def run(cases_dir: Path | None = None) -> EvalReport:
    """Score extraction, attribution and statement linking on the labelled quote cases."""
    cases_dir = cases_dir or DEFAULT_CASES
    reference = Reference.from_seeds(SEEDS)
    cases = _load_cases(cases_dir, reference)
    tally = _Tally()
    for case in cases:
        _score_case(case, tally)
    report = EvalReport(stage="quotes")
    _ratio(report, "precision", tally.found, tally.extracted)
    _ratio(report, "recall", tally.found, tally.labelled)
    p, r = report.metrics["precision"], report.metrics["recall"]
    report.metrics["f1"] = 2 * p * r / (p + r) if p + r else 0.0
    _ratio(report, "speaker_accuracy", tally.speaker, tally.found)
    _ratio(report, "partial_accuracy", tally.partial, tally.found)
    _ratio(report, "verb_accuracy", tally.verb, tally.found)
    _ratio(report, "not_quotes_extracted", tally.not_quote_hits, tally.not_quotes)
    report.misses.extend(tally.misses)
    if (cases_dir / _GROUPS_FILE).exists():
        _linking(cases, cases_dir / _GROUPS_FILE, report)
    return report

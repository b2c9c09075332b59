"""Score boilerplate removal and article metadata on the labelled set in tests/cleaning_cases/.

Every source line (HTML: text block) of a case is labelled content, metadata or boilerplate
in its sidecar `<name>.labels.json` (format: tests/cleaning_cases/README.md). Scoring looks at
the cleaned body only, so it does not depend on how the cleaner numbers or splits lines:

- a content unit is kept when its text appears inside one body paragraph;
- a removed unit (metadata or boilerplate) leaked when its text occurs in the body more often
  than inside the article's own content units (a short debris word may also occur in a story
  sentence).

The HTML cases are also cleaned a second way, with trafilatura as the HTML extractor, to
compare it against beautifulsoup4 plus the line rules on the same labels.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from devtools.evaluate import EvalReport
from flows.extract.cleaning import BoilerplatePatterns, clean_document
from flows.records import CleanDocument
from flows.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT
DEFAULT_CASES = ROOT / "tests" / "cleaning_cases"
SEEDS = ROOT / "seeds"
SUFFIXES = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html"}
FIELDS = ("title", "subtitle", "outlet", "dateline", "byline")
REMOVED = ("metadata", "boilerplate")

Cleaner = Callable[[str, str], CleanDocument]


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled article: its source file and sidecar labels."""

    name: str
    path: Path
    kind: str  # text | html
    labels: dict[str, object]

    @property
    def units(self) -> list[tuple[str, str]]:
        """(label, text) for every labelled line or block, in source order."""
        return [(str(label), str(text)) for label, text in self.labels["lines"]]  # type: ignore[union-attr,attr-defined]


@dataclass(slots=True)
class Tally:
    """Hit/total counters for one metric."""

    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        """Count one observation."""
        self.total += 1
        self.hits += int(hit)

    @property
    def ratio(self) -> float:
        """hits / total, 1.0 when nothing was counted."""
        return self.hits / self.total if self.total else 1.0


@dataclass(slots=True)
class LineScore:
    """Line-level outcome of one cleaned article against its labels."""

    content_kept: int = 0
    content_lost: list[str] = field(default_factory=list)
    removed_out: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REMOVED, 0))
    leaked: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in REMOVED})


def load_cases(cases_dir: Path | None = None) -> list[Case]:
    """Every `<name>.<ext>` with a `<name>.labels.json` sidecar in the folder."""
    folder = cases_dir or DEFAULT_CASES
    if not folder.is_dir():
        raise FileNotFoundError(f"no cleaning cases folder: {folder}")
    cases = []
    for path in sorted(folder.iterdir()):
        sidecar = path.with_name(f"{path.stem}.labels.json")
        if path.suffix in SUFFIXES and sidecar.exists():
            labels = json.loads(sidecar.read_text(encoding="utf-8"))
            cases.append(Case(path.stem, path, SUFFIXES[path.suffix], labels))
    return cases


def norm(text: str) -> str:
    """Compare texts as NFC with every run of whitespace (NBSP too) as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def body_text(doc: CleanDocument) -> str:
    """The cleaned body, one normalised paragraph per line."""
    return "\n".join(norm(p) for p in doc.paragraphs)


def _occurrences(needle: str, haystack: str) -> int:
    """Word-bounded occurrences of needle in haystack."""
    if not needle:
        return 0
    return len(re.findall(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack))


def score_lines(case: Case, doc: CleanDocument) -> LineScore:
    """Which labelled units survived in the body and which removed ones leaked into it."""
    body = body_text(doc)
    score = LineScore()
    content = [norm(text) for label, text in case.units if label == "content"]
    for text in content:
        if text in body:
            score.content_kept += 1
        else:
            score.content_lost.append(text)
    for label, raw in case.units:
        if label not in REMOVED:
            continue
        text = norm(raw)
        allowed = sum(_occurrences(text, c) for c in content)
        if _occurrences(text, body) > allowed:
            score.leaked[label].append(text)
        else:
            score.removed_out[label] += 1
    return score


def _same(expected: object, got: object) -> bool:
    """Field equality ignoring case, spacing and trailing punctuation; None equals None."""
    if expected is None or got is None:
        return expected is None and got is None
    return norm(str(expected)).casefold().rstrip(" .:-–—") == (
        norm(str(got)).casefold().rstrip(" .:-–—")
    )


def _date_hit(case: Case, doc: CleanDocument) -> bool:
    expected = case.labels.get("published_date")
    got = doc.published_date.isoformat() if isinstance(doc.published_date, date) else None
    return expected == got


def rules_cleaner(patterns: BoilerplatePatterns) -> Cleaner:
    """The project's cleaner: beautifulsoup4 for HTML, then the line rules."""
    return lambda text, kind: clean_document(text, kind, patterns)


def trafilatura_cleaner(patterns: BoilerplatePatterns) -> Cleaner:
    """trafilatura extracts the main text of HTML pages; the line rules then run on it."""
    import trafilatura

    def clean(text: str, kind: str) -> CleanDocument:
        if kind != "html":
            return clean_document(text, kind, patterns)
        extracted = trafilatura.extract(text, include_comments=False, include_tables=False) or ""
        # trafilatura puts one paragraph per line: make them blank-line separated text.
        return clean_document("\n\n".join(extracted.splitlines()), "text", patterns)

    return clean


def _read(case: Case) -> str:
    return case.path.read_text(encoding="utf-8")


def _score_case(case: Case, doc: CleanDocument, tallies: dict[str, Tally], misses: list[str]):
    score = score_lines(case, doc)
    n_content = score.content_kept + len(score.content_lost)
    lost, leaked_all = len(score.content_lost), sum(len(v) for v in score.leaked.values())
    out_all = sum(score.removed_out.values())
    _bulk(tallies["content_recall"], score.content_kept, n_content)
    _bulk(tallies["content_precision"], score.content_kept, score.content_kept + leaked_all)
    _bulk(tallies["boilerplate_recall"], out_all, out_all + leaked_all)
    _bulk(tallies["boilerplate_precision"], out_all, out_all + lost)
    for label in REMOVED:
        out = score.removed_out[label]
        _bulk(tallies[f"{label}_only_recall"], out, out + len(score.leaked[label]))
    misses += [f"{case.name}: content lost: {t!r}" for t in score.content_lost]
    for label in REMOVED:
        misses += [f"{case.name}: {label} kept: {t!r}" for t in score.leaked[label]]
    _score_fields(case, doc, tallies, misses)


def _score_fields(case: Case, doc: CleanDocument, tallies: dict[str, Tally], misses: list[str]):
    hit = _date_hit(case, doc)
    tallies["date_accuracy"].add(hit)
    if not hit:
        misses.append(
            f"{case.name}: published_date {doc.published_date} != {case.labels['published_date']}"
        )
    for name in FIELDS:
        expected, got = case.labels.get(name), getattr(doc, name)
        hit = _same(expected, got)
        tallies[f"{name}_accuracy"].add(hit)
        if not hit:
            misses.append(f"{case.name}: {name} {got!r} != {expected!r}")
    expected_count = case.labels.get("paragraph_count")
    if expected_count is not None:
        hit = len(doc.paragraphs) == expected_count
        tallies["paragraph_count_accuracy"].add(hit)
        if not hit:
            misses.append(f"{case.name}: {len(doc.paragraphs)} paragraphs != {expected_count}")


def _bulk(tally: Tally, hits: int, total: int) -> None:
    tally.hits += hits
    tally.total += total


def _score_pairs(docs: dict[str, CleanDocument], cases: list[Case], misses: list[str]) -> Tally:
    """Cases sharing a `pair` key (same article as text and HTML) must give the same body."""
    groups: dict[str, list[str]] = {}
    for case in cases:
        if case.labels.get("pair"):
            groups.setdefault(str(case.labels["pair"]), []).append(case.name)
    tally = Tally()
    for pair, names in sorted(groups.items()):
        bodies = {body_text(docs[name]) for name in names}
        tally.add(len(bodies) == 1)
        if len(bodies) > 1:
            misses.append(f"pair {pair}: text and HTML bodies differ ({', '.join(names)})")
    return tally


def _compare_extractors(
    cases: list[Case], patterns: BoilerplatePatterns, docs: dict[str, CleanDocument]
) -> tuple[dict[str, Tally], list[str]]:
    """Content and boilerplate recall on the HTML cases for bs4 (project) and trafilatura."""
    tallies: dict[str, Tally] = {}
    misses: list[str] = []
    traf = trafilatura_cleaner(patterns)
    for case in (c for c in cases if c.kind == "html"):
        for name, doc in (("bs4", docs[case.name]), ("trafilatura", traf(_read(case), "html"))):
            score = score_lines(case, doc)
            lost, leaked = len(score.content_lost), sum(len(v) for v in score.leaked.values())
            out = sum(score.removed_out.values())
            _bulk(
                tallies.setdefault(f"html_{name}_content_recall", Tally()),
                score.content_kept,
                score.content_kept + lost,
            )
            _bulk(tallies.setdefault(f"html_{name}_boilerplate_recall", Tally()), out, out + leaked)
            if name == "trafilatura":
                misses += [f"{case.name}: trafilatura lost: {t!r}" for t in score.content_lost]
    return tallies, misses


def clean_cases(cases: list[Case], cleaner: Cleaner) -> dict[str, CleanDocument]:
    """Clean every case with one cleaner."""
    return {case.name: cleaner(_read(case), case.kind) for case in cases}


def run(cases_dir: Path | None = None, compare_extractors: bool = True) -> EvalReport:
    """Line-level precision/recall, metadata accuracy and the HTML extractor comparison."""
    cases = load_cases(cases_dir)
    patterns = BoilerplatePatterns.from_seeds(SEEDS)
    docs = clean_cases(cases, rules_cleaner(patterns))
    names = [
        "content_recall",
        "content_precision",
        "boilerplate_recall",
        "boilerplate_precision",
        "boilerplate_only_recall",
        "metadata_only_recall",
        "date_accuracy",
        *(f"{f}_accuracy" for f in FIELDS),
        "paragraph_count_accuracy",
    ]
    tallies = {name: Tally() for name in names}
    misses: list[str] = []
    for case in cases:
        _score_case(case, docs[case.name], tallies, misses)
    tallies["pairs_same_body"] = _score_pairs(docs, cases, misses)
    if compare_extractors:
        extra, extra_misses = _compare_extractors(cases, patterns, docs)
        tallies |= extra
        misses += extra_misses
    report = EvalReport("cleaning")
    for name, tally in tallies.items():
        report.metrics[name] = tally.ratio
        report.counts[name] = f"{tally.hits}/{tally.total}"
    report.misses = misses
    return report

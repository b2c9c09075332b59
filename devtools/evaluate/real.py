"""Score the whole extraction path on the real-news corpus (`../shared/realnews`, read in place).

The corpus has four region folders (any other folder holding a labels.json is read too, so a
second development set can be laid out the same way), each with `raw/NN_<outlet>.txt` (page text
exactly as a page store returned it) and `labels.json` (one object per file). Odd-numbered files
are the DEV half (tune on them), even-numbered ones the TEST half (measure only). Every file
runs through `flows.extract.article.extract` with the content type the pipeline would give it.
The corpus is never copied into the project; `tests/realnews_errata.json` holds our corrections
to labels we believe are wrong (with reasons), and every figure is reported both ways: as
labelled (`<metric>`) and with the errata applied (`errata:<metric>`).

Measures (each a ratio with its hits/total):
- engagement detection: a file is predicted to report an engagement when extraction yields an
  event of kind meeting or phone_call (a video call is a phone_call; a message is no
  engagement); the label is `is_meeting`. TP/FP/FN, precision, recall, F1 over files.
- engagement kind: over detected engagements, the best event's kind equals the label's.
- participants exact: over ALL labelled engagements (a missed one is wrong), the best event
  (highest participant Jaccard) has exactly the label's set, names folded (case, accents,
  apostrophes, hyphens); `participants_exact_union` compares the union of every engagement
  event (some labels list the principals of several engagements of one article);
  `participants_translit` is participants_exact with names compared by spelling skeleton
  (`flows.extract.name_cues.variant_key`: doubled letters, vowels after the first letter, z/s,
  ph/f, particles), since the labels canonicalise spelling variants (Mohamed / Mohammed /
  Muhammad, Felipe / Filipe) that the page may write either way; reported beside the strict one.
- meeting date / location: over labelled engagements with one, the best event's equals it.
- published date: over files with a labelled one, document.published_date equals it.
- boilerplate recall: a labelled boilerplate line (after the cleaner's line normalisation and
  whitespace folding) remains when it equals a body paragraph, or occurs word-bounded in the
  body more often than in the file's other lines.
- content kept (approximation): non-boilerplate lines (store prefix stripped) that read as
  prose (8+ words ending in sentence punctuation, or the cut-off last line), minus captions
  and credit lines; kept when inside a body paragraph (or mostly covered by one), or taken as
  title/subtitle (a note).
- quotes: a label matches an extracted quote whose folded words contain the label's
  `text_start` (one-to-one, in order); `quote_recall` also accepts a label found inside an
  already matched quote that ran on across paragraphs (`quote_recall_strict` does not);
  speaker accuracy over matched quotes (`speaker_lenient` accepts a name-word subset).
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from devtools.evaluate import EvalReport
from flows.extract.article import Extraction, Reference, extract
from flows.extract.cleaning import normalise_line
from flows.extract.name_cues import variant_key
from flows.extract.people import fold
from flows.ingest.reading import content_type
from flows.settings import PROJECT_ROOT

DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "realnews"
ERRATA = PROJECT_ROOT / "tests" / "realnews_errata.json"
REGIONS = ("asia", "europe-americas", "africa-mideast", "multilateral")
HALVES = ("dev", "test", "all")
KIND_MAP = {"meeting": "meeting", "phone_call": "phone_call", "video_call": "phone_call"}
ENGAGEMENT_KINDS = frozenset({"meeting", "phone_call"})
STORE_PREFIX = re.compile(r"^\s*date \d{4}-\d{2}-\d{2}\b\s*")
PROSE_END = re.compile(r"[.!?:;\"”’'»)…]\s*$")
# Prose-like lines the labelling rules call metadata: captions ending in a credit, credit lines.
CAPTION_END = re.compile(
    r"(?:\((?:[^()]*(?:photo|pic|image|credit|/)[^()]*)\)|photo\s*:.*)\s*\.?$", re.I
)
CREDIT_LINE = re.compile(r"^(?:additional\s+)?(?:reporting|writing|editing)\s+by\b", re.I)


def ws(text: str) -> str:
    """NFC with every run of whitespace (NBSP too) as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def name_key(name: str | None) -> str:
    """Folded name: case, accents, apostrophes, dots, hyphens and spacing ignored."""
    return " ".join(re.findall(r"\w+", fold(name or "")))


def quote_words(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def spelling_key(name: str | None) -> str:
    """A name's spelling skeleton (transliteration variants equal), else its folded key."""
    return " ".join(variant_key(name or "")) or name_key(name)


def lenient_same(a: str | None, b: str | None) -> bool:
    ka, kb = set(name_key(a).split()), set(name_key(b).split())
    return bool(ka and kb) and (ka <= kb or kb <= ka)


def line_text(raw: str) -> str:
    """A source line as the cleaner sees it, whitespace-folded."""
    return ws(normalise_line(raw)[0])


def occurrences(needle: str, haystack: str) -> int:
    if not needle:
        return 0
    return len(re.findall(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack))


def ratio(hits: int, total: int) -> float:
    return hits / total if total else 1.0


@dataclass(slots=True)
class Case:
    region: str
    name: str  # region/file
    number: int
    text: str
    label: dict[str, Any]
    extraction: Extraction

    @property
    def half(self) -> str:
        return "dev" if self.number % 2 else "test"


def half_of(file_name: str) -> str:
    return "dev" if int(file_name.split("_", 1)[0]) % 2 else "test"


def load_errata(path: Path | None = ERRATA) -> list[dict[str, Any]]:
    """Corrections: {"file": "<region>/<file>", "field": ..., "value": ..., "reason": ...}."""
    if path is None or not Path(path).exists():
        return []
    return list(json.loads(Path(path).read_text(encoding="utf-8"))["errata"])


def apply_errata(label: dict[str, Any], name: str, errata: list[dict[str, Any]]) -> dict:
    """The label with every erratum for file `name` applied (a copy)."""
    fixed = copy.deepcopy(label)
    for erratum in errata:
        if erratum["file"] == name:
            fixed[erratum["field"]] = erratum["value"]
    return fixed


def regions_of(corpus: Path) -> list[str]:
    """The corpus's region folders (those with a labels.json): the four of realnews first,
    then any other (a second development set laid out the same way)."""
    found = sorted(d.name for d in corpus.iterdir() if (d / "labels.json").exists())
    return [r for r in REGIONS if r in found] + [r for r in found if r not in REGIONS]


def load_cases(corpus: Path, half: str, reference: Reference) -> list[Case]:
    """Extract every file of the half (labels as given)."""
    cases = []
    for region in regions_of(corpus):
        labels = json.loads((corpus / region / "labels.json").read_text(encoding="utf-8"))
        for label in labels:
            if half != "all" and half_of(label["file"]) != half:
                continue
            path = corpus / region / "raw" / label["file"]
            text = path.read_text(encoding="utf-8")
            extraction = extract(text, content_type(str(path), text), reference)
            number = int(label["file"].split("_", 1)[0])
            cases.append(Case(region, f"{region}/{label['file']}", number, text, label, extraction))
    return cases


@dataclass(slots=True)
class Tally:
    hits: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def add(self, name: str, hit: bool) -> None:
        self.totals[name] = self.totals.get(name, 0) + 1
        self.hits[name] = self.hits.get(name, 0) + int(hit)


def describe(event: Any) -> str:
    return (
        f"{event.kind} {event.event_date} {event.location} {event.participants} "
        f"trigger={event.trigger!r}"
    )


def best_event(events: list[Any], gold: set[str], key: Any = name_key) -> Any:
    """Highest participant Jaccard with the label set (first event on ties)."""

    def score(e: Any) -> float:
        got = {key(p) for p in e.participants}
        return len(got & gold) / len(got | gold) if got | gold else 0.0

    return max(events, key=score, default=None)


def score_engagement(case: Case, t: Tally) -> None:
    label, ex = case.label, case.extraction
    events = [e for e in ex.events if e.kind in ENGAGEMENT_KINDS]
    predicted, wanted = bool(events), bool(label["is_meeting"])
    t.add("detect_tp", predicted and wanted)
    t.add("detect_fp", predicted and not wanted)
    t.add("detect_fn", wanted and not predicted)
    if predicted and not wanted:
        t.misses.append(
            f"{case.name}: FALSE engagement (label {label['kind']}): "
            + "; ".join(describe(e) for e in events)
        )
    if not wanted:
        return
    gold = {name_key(p) for p in label["participants"]}
    if not predicted:
        others = "; ".join(describe(e) for e in ex.events) or "no events"
        t.misses.append(
            f"{case.name}: MISSED {label['kind']} {label['participants']} "
            f"date={label['meeting_date']} (got: {others})"
        )
        for key in ("participants_exact", "participants_exact_union", "participants_translit"):
            t.add(key, False)
        for key, lab in (("meeting_date", "meeting_date"), ("location", "location")):
            if label[lab]:
                t.add(key, False)
        return
    event = best_event(events, gold)
    kind_ok = event.kind == KIND_MAP.get(label["kind"], label["kind"])
    t.add("kind", kind_ok)
    if not kind_ok:
        t.misses.append(f"{case.name}: kind {event.kind!r}, want {label['kind']!r}")
    got = {name_key(p) for p in event.participants}
    t.add("participants_exact", got == gold)
    if got != gold:
        t.misses.append(
            f"{case.name}: participants {sorted(event.participants)}, "
            f"want {sorted(label['participants'])}"
        )
    union = {name_key(p) for e in events for p in e.participants}
    t.add("participants_exact_union", union == gold)
    gold_spelling = {spelling_key(p) for p in label["participants"]}
    spelled = best_event(events, gold_spelling, spelling_key)
    t.add("participants_translit", {spelling_key(p) for p in spelled.participants} == gold_spelling)
    if label["meeting_date"]:
        want = date.fromisoformat(label["meeting_date"])
        t.add("meeting_date", event.event_date == want)
        if event.event_date != want:
            t.misses.append(
                f"{case.name}: meeting date {event.event_date} "
                f"(certain={event.date_certain}), want {want}"
            )
    if label["location"]:
        ok = name_key(event.location) == name_key(label["location"])
        t.add("location", ok)
        if not ok:
            t.misses.append(f"{case.name}: location {event.location!r}, want {label['location']!r}")


def score_published(case: Case, t: Tally) -> None:
    want = case.label["published_date"]
    if not want:
        return
    got = case.extraction.document.published_date
    ok = got == date.fromisoformat(want)
    t.add("published_date", ok)
    if not ok:
        t.misses.append(f"{case.name}: published_date {got}, want {want}")


def _content_lines(case: Case, boiler: set[str]) -> list[str]:
    """Approximate content lines: prose-like, non-boilerplate, store prefix stripped."""
    raw_lines = [ln for ln in case.text.split("\n") if ln.strip()]
    out: list[str] = []
    for i, raw in enumerate(raw_lines):
        if line_text(raw) in boiler:
            continue
        text = line_text(STORE_PREFIX.sub("", raw))
        last = i == len(raw_lines) - 1
        if len(text.split()) < 8 or not (PROSE_END.search(text) or last):
            continue
        if CAPTION_END.search(text) or CREDIT_LINE.match(text):
            continue
        if text not in out:
            out.append(text)
    return out


def score_cleaning(case: Case, t: Tally) -> None:
    doc = case.extraction.document
    paragraphs = [ws(p) for p in doc.paragraphs]
    body = "\n".join(paragraphs)
    boiler = {line_text(b) for b in case.label["boilerplate_lines"]}
    boiler.discard("")
    others = [line_text(ln) for ln in case.text.split("\n") if line_text(ln) not in boiler]
    for line in sorted(boiler):
        allowed = sum(occurrences(line, o) for o in others)
        remains = line in paragraphs or occurrences(line, body) > allowed
        t.add("boilerplate_recall", not remains)
        if remains:
            t.misses.append(f"{case.name}: boilerplate kept: {line[:90]!r}")
    meta = {ws(x) for x in (doc.title, doc.subtitle) if x}
    for line in _content_lines(case, boiler):
        if line in body or any(len(p) >= 0.6 * len(line) and p in line for p in paragraphs):
            t.add("content_kept", True)
        elif any(line in m for m in meta):
            t.add("content_kept", True)
            t.misses.append(f"{case.name}: (note) content line taken as title/subtitle")
        else:
            t.add("content_kept", False)
            reason = next(
                (
                    r.reason
                    for r in doc.removed
                    if ws(r.text)[:40] in line or line[:40] in ws(r.text)
                ),
                "?",
            )
            t.misses.append(f"{case.name}: content lost ({reason}): {line[:90]!r}")


def score_quotes(case: Case, t: Tally) -> None:
    quotes = case.extraction.quotes
    used: dict[int, dict] = {}
    for label in case.label["quotes"]:
        start = quote_words(label["text_start"])
        qi = next(
            (
                i
                for i, q in enumerate(quotes)
                if i not in used and start and start in quote_words(q.text)
            ),
            None,
        )
        t.add("quote_recall_strict", qi is not None)
        if qi is None:
            # run on across paragraphs: the label opens a new mark inside a matched quote
            qi = next(
                (
                    i
                    for i, q in enumerate(quotes)
                    if i in used
                    and start
                    and "\n" in q.text.strip()
                    and quote_words(q.text).find(start) > 0
                ),
                None,
            )
        t.add("quote_recall", qi is not None)
        if qi is None:
            t.misses.append(
                f"{case.name}: quote missed “{label['text_start'][:60]}” ({label['speaker']})"
            )
            continue
        used.setdefault(qi, label)
        got = quotes[qi].speaker
        strict = name_key(got) == name_key(label["speaker"])
        t.add("speaker_accuracy", strict)
        t.add("speaker_lenient", strict or lenient_same(got, label["speaker"]))
        if not strict:
            t.misses.append(
                f"{case.name}: speaker {got!r}, want {label['speaker']!r} "
                f"for “{label['text_start'][:40]}”"
            )
    for i, q in enumerate(quotes):
        t.add("quote_precision", i in used)
        if i not in used:
            t.misses.append(f"{case.name}: false quote “{q.text[:70]}” speaker={q.speaker!r}")


ORDER: list[tuple[str, str | None]] = [
    ("engagement_precision", None),
    ("engagement_recall", None),
    ("engagement_f1", None),
    ("engagement_kind", "kind"),
    ("participants_exact", "participants_exact"),
    ("participants_exact_union", "participants_exact_union"),
    ("participants_translit", "participants_translit"),
    ("meeting_date_accuracy", "meeting_date"),
    ("location_accuracy", "location"),
    ("published_date_accuracy", "published_date"),
    ("boilerplate_recall", "boilerplate_recall"),
    ("content_kept", "content_kept"),
    ("quote_precision", "quote_precision"),
    ("quote_recall", "quote_recall"),
    ("quote_recall_strict", "quote_recall_strict"),
    ("quote_f1", None),
    ("speaker_accuracy", "speaker_accuracy"),
    ("speaker_lenient", "speaker_lenient"),
]


def score(cases: list[Case]) -> tuple[dict[str, float], dict[str, str], list[str]]:
    """Metrics, their counts and the misses over `cases`."""
    t = Tally()
    for case in cases:
        score_engagement(case, t)
        score_published(case, t)
        score_cleaning(case, t)
        score_quotes(case, t)
    metrics: dict[str, float] = {}
    counts: dict[str, str] = {}
    tp, fp, fn = (t.hits.get(k, 0) for k in ("detect_tp", "detect_fp", "detect_fn"))
    p, rc = ratio(tp, tp + fp), ratio(tp, tp + fn)
    metrics["engagement_precision"], counts["engagement_precision"] = p, f"{tp}/{tp + fp}"
    metrics["engagement_recall"], counts["engagement_recall"] = rc, f"{tp}/{tp + fn}"
    metrics["engagement_f1"] = 2 * p * rc / (p + rc) if p + rc else 0.0
    counts["engagement_f1"] = f"TP={tp} FP={fp} FN={fn}"
    for name, key in ORDER:
        if key is not None:
            h, n = t.hits.get(key, 0), t.totals.get(key, 0)
            metrics[name], counts[name] = ratio(h, n), f"{h}/{n}"
    qp, qr = metrics["quote_precision"], metrics["quote_recall"]
    metrics["quote_f1"] = 2 * qp * qr / (qp + qr) if qp + qr else 0.0
    counts["quote_f1"] = ""
    return {name: metrics[name] for name, _ in ORDER}, counts, t.misses


def run(
    cases_dir: Path | None = None,
    half: str = "all",
    errata: Path | None = ERRATA,
) -> EvalReport:
    """Score one half (dev | test | all) of the real-news corpus, labels as given and with
    the errata applied (metrics prefixed `errata:`; misses listed for the errata labels)."""
    if half not in HALVES:
        raise ValueError(f"half must be one of {HALVES}")
    corpus = Path(cases_dir) if cases_dir else DEFAULT_CORPUS
    if not corpus.is_dir() or not regions_of(corpus):
        raise FileNotFoundError(f"no real-news corpus at {corpus}")
    cases = load_cases(corpus, half, Reference.from_seeds(PROJECT_ROOT / "seeds"))
    report = EvalReport(f"real ({half})")
    report.metrics, report.counts, _ = score(cases)
    fixes = load_errata(errata)
    corrected = [
        Case(c.region, c.name, c.number, c.text, apply_errata(c.label, c.name, fixes), c.extraction)
        for c in cases
    ]
    metrics, counts, misses = score(corrected)
    for name, value in metrics.items():
        report.metrics[f"errata:{name}"] = value
        report.counts[f"errata:{name}"] = counts[name]
    report.misses = misses
    return report

"""Score event detection, dating, places, occasions, participants, topics and merging.

Cases live in tests/event_cases/: an article `<name>.txt` (or `.md`, `.html`) with a sidecar
`<name>.expected.json` holding `events`, each with `kind`, `date` (ISO or null), `location`
(city or null), `country`, `occasion` (normalised, or null), `participants` (canonical names),
`trigger` (a hint, not scored), `paragraphs` ([first, last], a hint) and `topics` (ids the
event's report discusses). `merge_groups.json` lists, per real-world engagement reported by
several articles, its labelled events as `"<name>#<index>"`; every other pair is a negative.

Each article runs through `flows.extract.article.extract` (the real cleaning and people path), then
`flows.link.meetings.link_meetings` runs over every extracted event of every case. The sidecar's
`published_date` (the article's own date line) checks the cleaning stage: when cleaning misses
it, that is reported (`published_date_found`, `date_accuracy_end_to_end`) and the events stage
is then scored on the same cleaned document with the labelled published date, so a cleaning
miss is not counted as an events miss. An extracted
event matches a label of the same article when the kinds agree and they share a participant
(pairs ranked by participant overlap, then date agreement; one-to-one). Field accuracies are
over all labelled events: an unmatched label counts as wrong. An event's topics are those of
its paragraphs and of the quotes linked to it, as marts.topics builds them.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import polars as pl

from devtools.evaluate import EvalReport
from flows.extract.article import Extraction, Reference, extract, extract_from_clean
from flows.link.meetings import LINK_INPUT_SCHEMA, link_meetings
from flows.records import Event
from flows.settings import PROJECT_ROOT

_ROOT = PROJECT_ROOT
DEFAULT_CASES = _ROOT / "tests" / "event_cases"
_SUFFIXES = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html"}
_GROUPS_FILE = "merge_groups.json"
_FIELDS = ("date", "location", "occasion", "participants")


@dataclass(slots=True)
class _Case:
    name: str
    extraction: Extraction
    labels: list[dict]
    cleaning_date: date | None  # published date as cleaning found it
    published: date | None  # labelled published date
    matches: dict[int, int] = field(default_factory=dict)  # label index -> event index


@dataclass(slots=True)
class _Tally:
    """Counters behind the report's ratios."""

    extracted: int = 0
    labelled: int = 0
    found: int = 0
    fields: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_FIELDS, 0))
    dates_end_to_end: int = 0  # right dates among articles whose published date cleaning found
    published_found: int = 0
    topic_hits: int = 0
    topic_labelled: int = 0
    topic_tagged: int = 0
    misses: list[str] = field(default_factory=list)


def _load_cases(cases_dir: Path, reference: Reference) -> list[_Case]:
    cases = []
    for path in sorted(cases_dir.iterdir()):
        sidecar = path.with_name(path.stem + ".expected.json")
        if path.suffix not in _SUFFIXES or not sidecar.exists():
            continue
        labels = json.loads(sidecar.read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
        extraction = extract(text, _SUFFIXES[path.suffix], reference)
        found = extraction.document.published_date
        published = _iso(labels.get("published_date"))
        if published and found != published:
            document = replace(extraction.document, published_date=published)
            extraction = extract_from_clean(document, reference)
        cases.append(_Case(path.stem, extraction, labels["events"], found, published))
    return cases


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _label_date(label: dict) -> date | None:
    return _iso(label["date"])


def _match_score(label: dict, event: Event) -> tuple[float, bool] | None:
    """Participant overlap (Jaccard) and date agreement; None when they cannot match."""
    if event.kind != label["kind"]:
        return None
    gold, got = set(label["participants"]), set(event.participants)
    shared = len(gold & got)
    if not shared:
        return None
    return shared / len(gold | got), event.event_date == _label_date(label)


def _match(case: _Case) -> None:
    """One-to-one pairing of labels and extracted events, best pairs first."""
    scored = []
    for li, label in enumerate(case.labels):
        for ei, event in enumerate(case.extraction.events):
            score = _match_score(label, event)
            if score:
                scored.append((score, li, ei))
    used: set[int] = set()
    for _, li, ei in sorted(scored, key=lambda s: (-s[0][0], not s[0][1], s[1], s[2])):
        if li not in case.matches and ei not in used:
            case.matches[li] = ei
            used.add(ei)


def event_topics(extraction: Extraction, event_no: int) -> set[str]:
    """Topics of an event: its paragraphs' tags plus the tags of quotes linked to it."""
    event = extraction.events[event_no]
    found: set[str] = set()
    for p in range(event.first_paragraph, event.last_paragraph + 1):
        found.update(extraction.paragraph_topics[p])
    for q, linked in enumerate(extraction.quote_events):
        if linked == event_no:
            found.update(extraction.quote_topics[q])
    return found


def _describe(event: Event) -> str:
    return (
        f"{event.kind} {event.event_date} {event.location} {event.occasion!r} "
        f"{event.participants} trigger={event.trigger!r}"
    )


def _field_values(label: dict, event: Event) -> dict[str, tuple[object, object]]:
    return {
        "date": (_label_date(label), event.event_date),
        "location": (label["location"], event.location),
        "occasion": (label["occasion"], event.occasion),
        "participants": (sorted(label["participants"]), sorted(event.participants)),
    }


def _score_case(case: _Case, tally: _Tally) -> None:
    _match(case)
    cleaned_ok = case.cleaning_date == case.published
    tally.published_found += cleaned_ok
    if not cleaned_ok:
        tally.misses.append(f"{case.name}: cleaning published_date {case.cleaning_date}")
    tally.extracted += len(case.extraction.events)
    tally.labelled += len(case.labels)
    tally.found += len(case.matches)
    for li, label in enumerate(case.labels):
        tally.topic_labelled += len(label["topics"])
        if li not in case.matches:
            tally.misses.append(f"{case.name}: missed {label['kind']} {label['participants']}")
            continue
        event = case.extraction.events[case.matches[li]]
        for name, (want, got) in _field_values(label, event).items():
            if want == got:
                tally.fields[name] += 1
                tally.dates_end_to_end += name == "date" and cleaned_ok
            else:
                tally.misses.append(f"{case.name}#{li}: {name} {got!r} != {want!r}")
        topics = event_topics(case.extraction, case.matches[li])
        tally.topic_tagged += len(topics)
        tally.topic_hits += len(topics & set(label["topics"]))
        for lost in sorted(set(label["topics"]) - topics):
            tally.misses.append(f"{case.name}#{li}: topic {lost} not tagged")
    matched = set(case.matches.values())
    for ei, event in enumerate(case.extraction.events):
        if ei not in matched:
            tally.misses.append(f"{case.name}: spurious {_describe(event)}")


def _events_frame(cases: list[_Case]) -> pl.DataFrame:
    rows = [
        {
            "doc_id": case.name,
            "event_no": event.event_no,
            "kind": event.kind,
            "event_date": event.event_date,
            "date_certain": event.date_certain,
            "location": event.location,
            "participants": list(event.participants),
        }
        for case in cases
        for event in case.extraction.events
    ]
    return pl.DataFrame(rows, schema=LINK_INPUT_SCHEMA)


def _merge_pairs(
    cases: list[_Case], groups: dict[str, list[str]], misses: list[str]
) -> tuple[int, int, int, int]:
    """(right links made, links made, links labelled, labelled links made) as pair counts."""
    links = link_meetings(_events_frame(cases))
    meeting = {(r["doc_id"], r["event_no"]): r["meeting_id"] for r in links.to_dicts()}
    gold_group = {ref: name for name, refs in groups.items() for ref in refs}
    # Extracted event -> the label it matched ("<case>#<index>").
    label_of = {
        (case.name, case.extraction.events[ei].event_no): f"{case.name}#{li}"
        for case in cases
        for li, ei in case.matches.items()
    }
    made = found = 0
    for a, b in itertools.combinations(meeting, 2):
        if meeting[a] != meeting[b]:
            continue
        made += 1
        ga, gb = gold_group.get(label_of.get(a, "")), gold_group.get(label_of.get(b, ""))
        found += bool(ga and ga == gb)
        if not (ga and ga == gb):
            misses.append(f"wrong merge: {label_of.get(a, a)} + {label_of.get(b, b)}")
    labelled = sum(len(refs) * (len(refs) - 1) // 2 for refs in groups.values())
    reverse = {v: k for k, v in label_of.items()}
    recalled = 0
    for refs in groups.values():
        for ref_a, ref_b in itertools.combinations(refs, 2):
            if (
                ref_a in reverse
                and ref_b in reverse
                and (meeting[reverse[ref_a]] == meeting[reverse[ref_b]])
            ):
                recalled += 1
            else:
                misses.append(f"missed merge: {a} + {b}")
    return found, made, labelled, recalled


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def run(cases_dir: Path | None = None) -> EvalReport:
    """Score the events stage on the labelled cases (default tests/event_cases/)."""
    folder = Path(cases_dir) if cases_dir else DEFAULT_CASES
    cases = _load_cases(folder, Reference.from_seeds(_ROOT / "seeds"))
    tally = _Tally()
    for case in cases:
        _score_case(case, tally)
    groups = json.loads((folder / _GROUPS_FILE).read_text(encoding="utf-8"))["groups"]
    found, made, labelled, recalled = _merge_pairs(cases, groups, tally.misses)
    report = EvalReport("events")
    precision = _ratio(tally.found, tally.extracted)
    recall = _ratio(tally.found, tally.labelled)
    values = {
        "event_precision": (tally.found, tally.extracted),
        "event_recall": (tally.found, tally.labelled),
    }
    values |= {f"{name}_accuracy": (tally.fields[name], tally.labelled) for name in _FIELDS}
    values |= {
        "merge_precision": (found, made),
        "merge_recall": (recalled, labelled),
        "topic_recall": (tally.topic_hits, tally.topic_labelled),
        "topic_precision": (tally.topic_hits, tally.topic_tagged),
        "published_date_found": (tally.published_found, len(cases)),
        "date_accuracy_end_to_end": (tally.dates_end_to_end, tally.labelled),
    }
    for name, (hits, total) in values.items():
        report.metrics[name] = _ratio(hits, total)
        report.counts[name] = f"{hits}/{total}"
        if name == "event_recall":
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            report.metrics["event_f1"] = f1
    report.misses = tally.misses
    return report

"""Per-document extraction: cleaning, people, quotes, events and topics wired together.

Pure functions over one article's text; the pipeline maps them over a batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flows.extract.cleaning import BoilerplatePatterns, clean_document
from flows.extract.events import detect_events
from flows.extract.gazetteer import Gazetteer
from flows.extract.people import PeopleDirectory
from flows.extract.quotes import extract_quotes
from flows.extract.topics import TopicTaxonomy
from flows.records import CleanDocument, Event, Mention, Quote


@dataclass(frozen=True, slots=True)
class Reference:
    """Reference data from seeds/, loaded once per run."""

    patterns: BoilerplatePatterns
    people: PeopleDirectory
    topics: TopicTaxonomy
    gazetteer: Gazetteer

    @classmethod
    def from_seeds(cls, seeds_dir: Path) -> Reference:
        """Load every reference CSV under `seeds_dir`."""
        return cls(
            patterns=BoilerplatePatterns.from_seeds(seeds_dir),
            people=PeopleDirectory.from_seeds(seeds_dir),
            topics=TopicTaxonomy.from_seeds(seeds_dir),
            gazetteer=Gazetteer.from_seeds(seeds_dir),
        )


@dataclass(slots=True)
class Extraction:
    """Everything extracted from one article."""

    document: CleanDocument
    mentions: list[Mention]
    quotes: list[Quote]
    events: list[Event]
    paragraph_topics: list[list[str]]
    quote_topics: list[list[str]]
    quote_events: list[int | None]


def extract(text: str, content_type: str, reference: Reference) -> Extraction:
    """Clean one article and extract its people, quotes, events and topics."""
    document = clean_document(text, content_type, reference.patterns)
    return extract_from_clean(document, reference)


def extract_from_clean(document: CleanDocument, reference: Reference) -> Extraction:
    """Extract people, quotes, events and topics from an already cleaned article."""
    paragraphs, published = document.paragraphs, document.published_date
    mentions = reference.people.find_mentions(paragraphs, published)
    beside = [document.title or "", document.subtitle or ""] + [
        removed.text for removed in document.removed if removed.reason == "caption"
    ]
    quotes = extract_quotes(paragraphs, reference.people, published, mentions, beside)
    # Names in the headline block (title and standfirst) help find an event's participants;
    # paragraph_no -1 marks them. People are found in headline and body together, so a bare
    # surname in the body refers to the full name the headline introduced, and back.
    headline = "\n".join(t for t in (document.title, document.subtitle) if t)
    together = reference.people.find_mentions([headline, *paragraphs], published)
    event_mentions = [
        Mention(m.paragraph_no - 1, m.start, m.end, m.person, m.surface, m.how) for m in together
    ]
    events = detect_events(
        paragraphs,
        headline or None,
        published,
        event_mentions,
        reference.gazetteer,
        document.dateline,
        tuple(beside[2:]),
    )
    return Extraction(
        document=document,
        mentions=mentions,
        quotes=quotes,
        events=events,
        paragraph_topics=[reference.topics.tag(paragraph) for paragraph in paragraphs],
        quote_topics=[reference.topics.tag(quote.text) for quote in quotes],
        quote_events=[event_of(quote.paragraph_no, events) for quote in quotes],
    )


def event_of(paragraph_no: int, events: list[Event]) -> int | None:
    """The event whose paragraph range holds `paragraph_no` (the latest-starting one wins)."""
    holders = [e for e in events if e.first_paragraph <= paragraph_no <= e.last_paragraph]
    return max(holders, key=lambda e: e.first_paragraph).event_no if holders else None

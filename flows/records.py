"""Plain records passed between the pure extraction stages.

Extraction code (cleaning, people, quotes, events, topics) takes and returns these;
it never touches Prefect or DuckDB. `flows.load.transform` turns batches of them into
polars frames for the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class RemovedLine:
    """A line taken out of an article body, and why."""

    line_no: int  # 1-based line number in the decoded source text
    text: str
    reason: str  # boilerplate | metadata | caption | foreign_language | duplicate | ...


@dataclass(slots=True)
class CleanDocument:
    """An article after boilerplate stripping and metadata extraction."""

    title: str | None = None
    subtitle: str | None = None
    published_date: date | None = None
    dateline: str | None = None  # place only, e.g. "TEHRAN", "Baku"
    outlet: str | None = None
    byline: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    removed: list[RemovedLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Mention:
    """A reference to a person inside one paragraph (character offsets into it)."""

    paragraph_no: int  # 0-based index into CleanDocument.paragraphs
    start: int
    end: int
    person: str  # canonical name
    surface: str  # the text as written
    how: str  # name | alias | title | pronoun | new


@dataclass(slots=True)
class Quote:
    """A direct quotation found in an article body."""

    paragraph_no: int  # 0-based paragraph where the quote opens
    start: int  # character offset of the quote text inside that paragraph
    text: str  # the quoted words, without the quotation marks
    speaker: str | None  # canonical name, None when unattributed
    attribution_verb: str | None  # said, added, noted, warned, ... (lower case)
    is_partial: bool = False  # a fragment inside reported speech
    end_paragraph_no: int | None = None  # last paragraph for multi-paragraph quotes


@dataclass(slots=True)
class Event:
    """One diplomatic engagement reported by an article."""

    event_no: int  # 0-based, order of appearance in the article
    kind: str  # meeting | phone_call | message
    trigger: str  # the phrase that revealed the event, e.g. "In a message to"
    event_date: date | None
    date_certain: bool  # False when inferred (e.g. from the published date)
    location: str | None  # canonical city
    country: str | None
    occasion: str | None  # normalised, e.g. "15th Economic Cooperation Organization (ECO) summit"
    participants: list[str]  # canonical names, sorted
    first_paragraph: int  # paragraphs [first, last] belong to this event
    last_paragraph: int

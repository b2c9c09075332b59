"""Event (meeting / phone call / message) detection per article and cross-article linking.

How an article becomes events (kept deliberately simple so every decision can be explained):

1. A *cue* is a paragraph holding a trigger phrase from seeds/event_triggers.csv (the earliest
   match wins; on a tie the longer one). A trigger does not count when the text just before it
   puts it in the future ("is due to hold talks", "will meet", "the next trilateral meeting"),
   or, for verbs that take a person ("received", "met", "welcomed"), when no person is named
   right after it. Its *trigger sentence* gives the cue's date (closest date expression to the
   trigger, else anywhere in the paragraph), place ("in/at <place>", "in the Uzbek city of
   <place>", "visit to <place>" from seeds/places.csv), occasion (seeds/occasions.csv) and
   principals (people mentioned there, except those the event is about: "the death of ...",
   "his election as President ..."). Cues in headings (short, unpunctuated lines) count only
   when no other paragraph has one.
2. The first cue opens event 0, which also owns the paragraphs before it. A later cue opens a
   new event when it recalls an earlier engagement ("last met", "had met"); when it is of
   another kind and not a weak trigger (a letter that recalls "talks with Khatami in Tehran on
   Monday"; but "congratulated" inside a call stays in the call); when its date differs from
   the current event's; or when it names someone who is not yet a participant while the
   current event already has two. A short heading just before a new event moves to it.
3. Participants are the principals plus people in "also attended by"-style sentences of the
   event's paragraphs; with fewer than two, every person mentioned in the event's paragraphs;
   with nobody ("the two presidents last met in Baku"), the previous event's participants.
   An event with fewer than two participants is no engagement: it is dropped.
4. Date rule. A date the text states (explicit, numeric, weekday, "yesterday", "next Monday"
   resolved against the published date; the year inferred as the latest such day not after
   it) is used, certain. "Later in the day" / "on the same day" take the previous event's
   date. With no date in the text: the article's own news (event 0, not recalled) takes a
   title date, else the published date with date_certain=False (the article reports it as
   current news, so the date is supported, if loosely); any other event (a recalled or
   secondary engagement) stays NULL rather than guessed, and a year alone ("in 2018") is no
   date.
5. Place: meetings only (calls and messages have none); else a place named in the event's other
   paragraphs; a later unplaced meeting on the previous meeting's day shares its place.
   Occasion: see OccasionNormaliser; "trilateral summit" is named by the participants'
   countries (seeds/people.csv).
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from flows.extract.cleaning import union_of
from flows.records import Event, Mention

EVENT_KINDS = ("meeting", "phone_call", "message")
# Kinds that can describe the same engagement (a video call is recorded as phone_call).
KIND_FAMILY = {"meeting": "meeting", "phone_call": "remote", "message": "message"}


def _read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a seed CSV (header row required)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _split_variants(value: str) -> list[str]:
    """'A|B|C' -> ['A', 'B', 'C'] without empties."""
    return [v.strip() for v in value.split("|") if v.strip()]


def _alternation(variants: Iterable[str]) -> str:
    """Regex alternation, longest first so 'Saint Petersburg' wins over shorter variants."""
    return "|".join(re.escape(v) for v in sorted(set(variants), key=len, reverse=True))


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _no in range(1, 13):
    _MONTHS[calendar.month_name[_no].lower()] = _no
    _MONTHS[calendar.month_abbr[_no].lower()] = _no
_MONTHS["sept"] = 9
_MONTH_RE = r"(?P<{g}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY_RE = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR_RE = r"(?:,?\s+(?P<{g}>(?:19|20)\d\d))?"
_EXPLICIT_RE = re.compile(
    r"\b(?:"
    + _MONTH_RE.format(g="m1")
    + r"\s+"
    + _DAY_RE.format(g="d1")
    + _YEAR_RE.format(g="y1")
    + r"|"
    + _DAY_RE.format(g="d2")
    + r"(?:\s+of)?\s+"
    + _MONTH_RE.format(g="m2")
    + _YEAR_RE.format(g="y2")
    + r")(?![\w-])",
    re.IGNORECASE,
)
_WEEKDAYS = {calendar.day_name[i].lower(): i for i in range(7)}
_WEEKDAY_RE = re.compile(
    r"\b(?:(?:on|last|this|late|early|next)\s+)?(?P<wd>" + "|".join(_WEEKDAYS) + r")\b"
    # "on Sunday, November 28" is an explicit date: let the explicit form speak.
    r"(?!,?\s+(?:the\s+)?(?:\d|" + "|".join(_MONTHS) + r"))",
    re.IGNORECASE,
)
# Relative day words -> offset in days from the published date.
_RELATIVE_DAYS = {
    "the day before yesterday": -2,
    "yesterday": -1,
    "last night": -1,
    "earlier today": 0,
    "earlier in the day": 0,
    "today": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "tonight": 0,
}
_RELATIVE_RE = re.compile(r"\b(?P<rel>" + _alternation(_RELATIVE_DAYS) + r")\b", re.IGNORECASE)
# Same-day words: the day of the event reported just before (the published date for the first).
_SAME_DAY_RE = re.compile(
    r"\b(?:(?:later|earlier)\s+(?:in\s+the|that)\s+day|(?:on\s+)?the\s+same\s+day)\b",
    re.IGNORECASE,
)
# Numeric dates in running text: "on 05.03.2019", "on 29.11.21" (day first, as in the region's
# press), "on 2019-03-05". The preposition is required: a bare number in a dateline
# ("Baku/29.11.21/Turan") or a stamp is metadata, not the event's date.
_NUMERIC_RE = re.compile(
    r"\b(?:on|dated|of)\s+(?P<num>(?P<d>[0-3]?\d)[./](?P<m>[01]?\d)[./](?P<y>(?:19|20)?\d\d)"
    r"|(?P<iy>(?:19|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d))(?![\d/-]|\.\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DateHit:
    """A date expression found in text, resolved to a calendar date."""

    start: int
    end: int
    value: date
    certain: bool  # False only for dates guessed without textual support
    same_day: bool = False  # "later in the day": the previous event's date, when there is one


def _infer_year(month: int, day: int, published: date) -> date | None:
    """The most recent (month, day) not after the published date."""
    for year in (published.year, published.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate <= published:
            return candidate
    return None


def _explicit_value(m: re.Match[str], published: date | None) -> date | None:
    """Resolve an explicit month/day(/year) match."""
    month = _MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")]
    day = int(m.group("d1") or m.group("d2"))
    year = m.group("y1") or m.group("y2")
    if year:
        try:
            return date(int(year), month, day)
        except ValueError:
            return None
    return _infer_year(month, day, published) if published else None


def _weekday_value(name: str, published: date, ahead: bool = False) -> date:
    """The most recent such weekday on or before the published date ("next ...": after it)."""
    if ahead:
        return published + timedelta(days=(_WEEKDAYS[name.lower()] - published.weekday()) % 7 or 7)
    back = (published.weekday() - _WEEKDAYS[name.lower()]) % 7
    return published - timedelta(days=back)


def _numeric_value(m: re.Match[str]) -> date | None:
    """Resolve a numeric date match (two-digit years are 19xx from 50 on, else 20xx)."""
    if m.group("iy"):
        year, month, day = int(m.group("iy")), int(m.group("im")), int(m.group("id"))
    else:
        year, month, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        if year < 100:
            year += 1900 if year >= 50 else 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, published: date | None) -> list[DateHit]:
    """Every date expression in the text that resolves to a date, in order of appearance."""
    hits: list[DateHit] = []
    for m in _EXPLICIT_RE.finditer(text):
        value = _explicit_value(m, published)
        if value:
            hits.append(DateHit(m.start(), m.end(), value, True))
    for m in _NUMERIC_RE.finditer(text):
        if value := _numeric_value(m):
            hits.append(DateHit(m.start("num"), m.end(), value, True))
    if published:
        for m in _WEEKDAY_RE.finditer(text):
            ahead = m.group(0).lower().startswith("next")
            value = _weekday_value(m.group("wd"), published, ahead)
            hits.append(DateHit(m.start(), m.end(), value, True))
        for m in _SAME_DAY_RE.finditer(text):
            hits.append(DateHit(m.start(), m.end(), published, True, same_day=True))
        covered = [(h.start, h.end) for h in hits]
        for m in _RELATIVE_RE.finditer(text):
            if any(a <= m.start() < b for a, b in covered):
                continue  # "earlier in the day" is a same-day hit already
            offset = _RELATIVE_DAYS[m.group("rel").lower()]
            hits.append(DateHit(m.start(), m.end(), published + timedelta(days=offset), True))
    return sorted(hits, key=lambda h: h.start)


def parse_event_date(text: str, published: date | None) -> date | None:
    """The first date expressed in the text (convenience for callers and tests)."""
    hits = find_dates(text, published)
    return hits[0].value if hits else None


# ---------------------------------------------------------------------------------------------
# Occasions
# ---------------------------------------------------------------------------------------------

_ORDINAL_WORDS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_NUM_RE = (
    r"(?P<{g}>\d{{1,3}}(?:st|nd|rd|th)|(?-i:[IVXLC]{{1,7}})|" + "|".join(_ORDINAL_WORDS) + r")"
)


def roman_to_int(text: str) -> int | None:
    """Value of a roman numeral (subtractive notation), None when malformed."""
    if not text or any(c not in _ROMAN for c in text):
        return None
    total = 0
    for i, c in enumerate(text):
        value = _ROMAN[c]
        total += -value if i + 1 < len(text) and _ROMAN[text[i + 1]] > value else value
    return total if total > 0 else None


def ordinal(n: int) -> str:
    """1 -> '1st', 12 -> '12th', 22 -> '22nd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _number_of(token: str | None) -> int | None:
    """'15th' | 'XV' | 'fifteenth' -> 15."""
    if not token:
        return None
    if token[0].isdigit():
        return int(re.match(r"\d+", token).group(0))  # type: ignore[union-attr]
    if token.lower() in _ORDINAL_WORDS:
        return _ORDINAL_WORDS.index(token.lower()) + 1
    return roman_to_int(token)


COUNTRIES = "{countries}"
_SUMMIT = re.compile("summit", re.IGNORECASE)


def fill_occasion(occasion: str | None, countries: Iterable[str]) -> str | None:
    """Put the parties' countries into a template occasion; None with fewer than three."""
    if occasion is None or COUNTRIES not in occasion:
        return occasion
    parties = sorted(set(countries))
    return occasion.replace(COUNTRIES, "-".join(parties)) if len(parties) >= 3 else None


class OccasionNormaliser:
    """Finds occasions in text and names them in one normal form.

    Rows of seeds/occasions.csv with event word `summit` name an organisation whose summits
    read '<ordinal> <organisation> summit' ("XV Summit of the ECO" = "15th Economic Cooperation
    Organization (ECO) summit"); rows naming "{countries}" are filled from the participants'
    countries ("Azerbaijan-Iran-Russia trilateral summit"); any other row is a named occasion
    found by its variants alone, "{n}" standing for a number ("COP29").
    """

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self._canonical: dict[str, tuple[str, str]] = {}
        templates = [r for r in rows if COUNTRIES in r["occasion"]]
        named = [r for r in rows if COUNTRIES not in r["occasion"] and r["event_word"] != "summit"]
        self._named = [
            (
                re.compile(
                    r"\b(?:"
                    + "|".join(
                        re.escape(v).replace(re.escape("{n}"), r"(\d{1,3})")
                        for v in sorted(_split_variants(r["variants"]), key=len, reverse=True)
                    )
                    + r")(?!\w)",
                    re.IGNORECASE,
                ),
                f"{r['occasion']} {r['event_word']}".strip(),
            )
            for r in named
        ]
        rows = [r for r in rows if r["event_word"] == "summit" and COUNTRIES not in r["occasion"]]
        self._templates = [
            (
                re.compile(
                    r"\b(?:" + _alternation(_split_variants(r["variants"])) + r")\s+"
                    r"(?:summit|meeting|talks)\b",
                    re.IGNORECASE,
                ),
                f"{r['occasion']} {r['event_word'] or 'summit'}",
            )
            for r in templates
        ]
        for row in rows:
            for variant in [row["occasion"], *_split_variants(row["variants"])]:
                self._canonical[variant.lower()] = (row["occasion"], row["event_word"] or "summit")
        org = r"(?P<{g}>" + _alternation(v for v in self._canonical) + r")"
        acronym = r"(?:\s*\([^)]{1,12}\))?"
        self._pattern = re.compile(
            r"\b(?:"
            + r"(?:"
            + _NUM_RE.format(g="n1")
            + r"\s+)?summit\s+of\s+(?:the\s+)?"
            + r"(?:heads\s+of\s+state\s+of\s+(?:the\s+)?)?"
            + org.format(g="o1")
            + acronym
            + r"|"
            + r"(?:"
            + _NUM_RE.format(g="n2")
            + r"\s+)?"
            + org.format(g="o2")
            + acronym
            + r"\s+summit"
            + r")(?!\w)",
            re.IGNORECASE,
        )

    def find(self, text: str) -> str | None:
        """The normalised occasion named in the text, or None (templates keep "{countries}")."""
        # both forms of the summit pattern hold the word "summit": a quick test skips the
        # long alternation of organisation names in most paragraphs
        summit = bool(self._canonical) and _SUMMIT.search(text) is not None
        m = self._pattern.search(text) if summit else None
        if not m:
            return self._find_named(text) or next(
                (name for p, name in self._templates if p.search(text)), None
            )
        name, word = self._canonical[(m.group("o1") or m.group("o2")).lower()]
        number = _number_of(m.group("n1") or m.group("n2"))
        return f"{ordinal(number)} {name} {word}" if number else f"{name} {word}"

    def _find_named(self, text: str) -> str | None:
        """A named occasion ("COP29", "the UN General Assembly"), numbers filled in."""
        for pattern, name in self._named:
            m = pattern.search(text)
            if m:
                number = next((g for g in m.groups() if g), None)
                return name.replace("{n}", number) if number else name
        return None


# ---------------------------------------------------------------------------------------------
# Triggers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TriggerHit:
    """A trigger phrase matched in a paragraph."""

    kind: str  # meeting | phone_call | message | attendance | recall | ...
    start: int
    end: int
    text: str
    weak: bool = False  # joins the current event; never opens one of another kind
    person_follows: bool = False  # counts only when a person is named right after it


class TriggerSet:
    """Trigger regexes from seeds/event_triggers.csv (pattern, kind, weak, person_follows).

    Besides the event kinds, rows of kind `attendance` name further participants, `recall`
    marks an earlier engagement recalled in the trigger sentence, `future` (matched on the text
    just before a trigger) and `future_sentence` (anywhere in its sentence) put the trigger in
    the future, and `non_participant` (matched on the text just before a person) marks someone
    the event is about rather than a participant ("the death of President ...").
    """

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self._patterns = [
            (
                re.compile(r["pattern"], re.IGNORECASE),
                r["kind"],
                bool(r.get("weak")),
                bool(r.get("person_follows")),
            )
            for r in rows
        ]
        self._gates: dict[frozenset[str], re.Pattern[str] | None] = {}

    def find(self, text: str, kinds: Iterable[str] = EVENT_KINDS) -> list[TriggerHit]:
        """All matches of the given kinds, by position (longer first on a tie)."""
        wanted = frozenset(kinds)
        gate = self._gate(wanted)
        if gate is not None and gate.search(text) is None:
            return []  # most paragraphs hold no trigger: one search tells
        hits = [
            TriggerHit(kind, m.start(), m.end(), m.group(0), weak, follows)
            for pattern, kind, weak, follows in self._patterns
            if kind in wanted
            for m in pattern.finditer(text)
        ]
        return sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))

    def _gate(self, kinds: frozenset[str]) -> re.Pattern[str] | None:
        """One regex that matches where any pattern of these kinds does (None: none built)."""
        if kinds not in self._gates:
            patterns = tuple(p for p, kind, _, _ in self._patterns if kind in kinds)
            self._gates[kinds] = union_of(patterns)
        return self._gates[kinds]

    def any(self, text: str, kind: str) -> bool:
        """Whether a pattern of this kind matches the text."""
        return any(k == kind and p.search(text) for p, k, _, _ in self._patterns)


# ---------------------------------------------------------------------------------------------
# Gazetteer (places, plus the other event reference data)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """A row of seeds/places.csv."""

    place: str
    kind: str  # city | country | venue
    country: str | None
    city: str | None  # for venues: the city they are in


@dataclass(frozen=True, slots=True)
class PlaceHit:
    """A place named as the location of something ('in Ashgabat', 'at the Kremlin')."""

    start: int
    city: str
    country: str | None


class Gazetteer:
    """Places (seeds/places.csv) with the occasion and trigger rules events need."""

    def __init__(
        self,
        places: list[dict[str, str]],
        occasions: list[dict[str, str]] | None = None,
        triggers: list[dict[str, str]] | None = None,
        people: list[dict[str, str]] | None = None,
    ) -> None:
        self._by_variant: dict[str, Place] = {}
        for row in places:
            place = Place(
                row["place"], row["kind"], row.get("country") or None, row.get("city") or None
            )
            for variant in [row["place"], *_split_variants(row.get("variants", ""))]:
                self._by_variant[variant.lower()] = place
        local = [v for v, p in self._by_variant.items() if p.kind in ("city", "venue")]
        self._located = (
            re.compile(
                # "in the Uzbek city of Samarkand" names Samarkand.
                r"\b(?:in|at|visit\s+to|trip\s+to|arrived\s+in)\s+(?:the\s+)?(?:(?-i:[A-Z])[\w-]+\s+(?:city|capital|town|resort"
                r"|port)\s+of\s+)?(?P<place>" + "|".join(_case_variants(local)) + r")(?![\w-])"
            )
            if local
            else None
        )
        self.occasions = OccasionNormaliser(occasions or [])
        self.triggers = TriggerSet(triggers or [])
        # A person's country names the parties of a "trilateral summit" occasion.
        self.person_country = {r["person"]: r["country"] for r in people or [] if r.get("country")}

    @classmethod
    def from_seeds(cls, seeds_dir: Path) -> Gazetteer:
        """Load seeds/places.csv, occasions.csv, event_triggers.csv and people.csv."""
        seeds = Path(seeds_dir)
        people = seeds / "people.csv"
        return cls(
            _read_csv(seeds / "places.csv"),
            _read_csv(seeds / "occasions.csv"),
            _read_csv(seeds / "event_triggers.csv"),
            _read_csv(people) if people.exists() else None,
        )

    def lookup(self, name: str) -> Place | None:
        """The place a name or variant refers to."""
        return self._by_variant.get(name.strip().lower())

    def country_of(self, name: str) -> str | None:
        """Country of a city, venue or country name."""
        place = self.lookup(name)
        return place.country if place else None

    def locations(self, text: str) -> list[PlaceHit]:
        """Cities or venues introduced by 'in'/'at' (venues resolve to their city)."""
        if not self._located:
            return []
        hits = []
        for m in self._located.finditer(text):
            place = self._by_variant[m.group("place").lower()]
            city = place.city if place.kind == "venue" and place.city else place.place
            hits.append(PlaceHit(m.start(), city, place.country))
        return hits


def _case_variants(keys: list[str]) -> list[str]:
    """Regex pieces for place variants: capital first letter required, rest any case.

    Requiring the capital keeps "in turn" or "in march" from matching while "TEHRAN" and
    "Teheran" still do.
    """
    pieces = []
    for key in sorted(keys, key=len, reverse=True):
        pieces.append(re.escape(key[:1].upper()) + "(?i:" + re.escape(key[1:]) + ")")
    return pieces


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------

_BOUNDARY_RE = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "jr", "gen", "col", "prof", "u.s", "u.n", "no"}


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a full stop after a short abbreviation is no boundary."""
    spans, start = [], 0
    for m in _BOUNDARY_RE.finditer(text):
        word = re.findall(r"[\w.]+$", text[start : m.start()])
        if word and word[0].lower().rstrip(".") in _ABBREVIATIONS:
            continue
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _span_at(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The sentence span holding a character offset."""
    for span in spans:
        if span[0] <= pos < span[1]:
            return span
    return (0, spans[-1][1]) if spans else (0, 0)


def _closest(items: list, pos: int, lo: int = 0, hi: int | None = None):  # type: ignore[no-untyped-def]
    """The item (with .start) inside [lo, hi) nearest to pos, or None."""
    inside = [i for i in items if i.start >= lo and (hi is None or i.start < hi)]
    return min(inside, key=lambda i: abs(i.start - pos), default=None)


# ---------------------------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Cue:
    """One trigger paragraph and what its trigger sentence says."""

    paragraph_no: int
    trigger: TriggerHit
    date: DateHit | None
    location: PlaceHit | None
    occasion: str | None
    people: set[str]
    recalled: bool = False  # "the two last met in Baku": an earlier engagement
    heading: bool = False  # a headline or section heading, not a report


@dataclass(slots=True)
class _Draft:
    """An event being assembled from its cues."""

    cues: list[Cue]
    first: int
    people: set[str] = field(default_factory=set)


def _participant_mentions(
    text: str, lo: int, hi: int, mentions: list[Mention], gazetteer: Gazetteer
) -> set[str]:
    """People named in text[lo:hi] except those the event is about ("the death of ...")."""
    people = set()
    for m in mentions:
        if not lo <= m.start < hi:
            continue
        # Titles between the marker and the name ("the death of President ...") are skipped.
        before = re.sub(r"(?:(?-i:[A-Z])[\w'’.-]*\s+){0,6}$", "", text[lo : m.start])
        if not gazetteer.triggers.any(before, "non_participant"):
            people.add(m.person)
    return people


def _is_future(text: str, lo: int, hi: int, trigger: TriggerHit, gazetteer: Gazetteer) -> bool:
    """The trigger announces a planned engagement ("is due to hold talks", "will meet")."""
    triggers = gazetteer.triggers
    return triggers.any(text[lo : trigger.start], "future") or triggers.any(
        text[lo:hi], "future_sentence"
    )


# Title words that may stand between a verb and the person it takes ("received the visiting
# First Vice President of the Islamic Republic of Iran Mohammad Reza Aref").
_OBJECT_GAP = 90


def _person_follows(trig: TriggerHit, hi: int, mentions: list[Mention]) -> bool:
    """A person is named right after the trigger, in its sentence ("received Aliyev", not
    "received Israeli drones")."""
    return any(trig.end <= m.start < min(hi, trig.end + _OBJECT_GAP) for m in mentions)


def _first_trigger(
    text: str, gazetteer: Gazetteer, mentions: list[Mention]
) -> tuple[TriggerHit, tuple[int, int]] | None:
    """The earliest trigger not put in the future, with its sentence span."""
    spans = sentence_spans(text)
    for trig in gazetteer.triggers.find(text):
        lo, hi = _span_at(spans, trig.start)
        if trig.person_follows and not _person_follows(trig, hi, mentions):
            continue
        if not _is_future(text, lo, hi, trig, gazetteer):
            return trig, (lo, hi)
    return None


def _cue(
    paragraph_no: int,
    text: str,
    published: date | None,
    mentions: list[Mention],
    gazetteer: Gazetteer,
) -> Cue | None:
    """Build the cue of a paragraph, or None when it holds no trigger."""
    found = _first_trigger(text, gazetteer, mentions)
    if found is None:
        return None
    trig, (lo, hi) = found
    # "last met", "their previous meeting with": the recall words touch the trigger itself
    # (a current meeting at which someone recalls another stays current).
    recalled = any(
        h.start <= trig.end and h.end >= trig.start
        for h in gazetteer.triggers.find(text, kinds=("recall",))
    )
    dates = find_dates(text, published)
    places = gazetteer.locations(text)
    # A recalled engagement is dated by its own sentence only (no guess from the paragraph).
    date_hit = _closest(dates, trig.start, lo, hi) or (
        None if recalled else _closest(dates, trig.start)
    )
    place = _closest(places, trig.start, lo, hi) or _closest(places, trig.start)
    occasion = gazetteer.occasions.find(text[lo:hi]) or gazetteer.occasions.find(text)
    people = _participant_mentions(text, lo, hi, mentions, gazetteer)
    return Cue(paragraph_no, trig, date_hit, place, occasion, people, recalled, _is_heading(text))


def _attendees(text: str, mentions: list[Mention], gazetteer: Gazetteer) -> set[str]:
    """People named in sentences with an attendance cue ('also attended by ...')."""
    found: set[str] = set()
    spans = sentence_spans(text)
    for hit in gazetteer.triggers.find(text, kinds=("attendance",)):
        lo, hi = _span_at(spans, hit.start)
        found.update(_participant_mentions(text, lo, hi, mentions, gazetteer))
    return found


def _opens_new_event(draft: _Draft, cue: Cue) -> bool:
    """Whether a cue starts a new event rather than adding to the current one.

    New: a recalled engagement (unless dated the same day); another kind, from a strong
    trigger; another explicit date; people who are not yet participants, unless the current
    event has no named principals yet (its later cues name them).
    """
    lead = draft.cues[0].trigger
    if cue.trigger.kind != lead.kind:
        return not cue.trigger.weak
    current = next((c.date for c in draft.cues if c.date), None)
    if cue.recalled:
        return not (cue.date and current and cue.date.value == current.value)
    date_differs = bool(
        cue.date and not cue.date.same_day and current and cue.date.value != current.value
    )
    if date_differs:
        return True
    return len(draft.people) >= 2 and bool(cue.people - draft.people)


def _is_heading(text: str) -> bool:
    """A short line without closing sentence punctuation (a section heading)."""
    stripped = text.strip().rstrip("\"”’'")
    return bool(stripped) and len(stripped.split()) <= 15 and stripped[-1] not in ".!?:;,"


def _segment(
    cues: list[Cue],
    attendees: dict[int, set[str]],
    paragraphs: list[str],
    by_paragraph: dict[int, list[Mention]],
) -> list[_Draft]:
    """Group cues into events (rule 2 of the module docstring)."""
    drafts: list[_Draft] = []
    for cue in cues:
        if drafts:
            draft = drafts[-1]
            for p in range(draft.first, cue.paragraph_no):
                draft.people |= attendees.get(p, set())
                if len(draft.cues[0].people) < 2:
                    # Principals unnamed in the trigger sentence ("the leaders of Russia,
                    # Azerbaijan and Iran met"): the people named so far are the event's.
                    draft.people.update(m.person for m in by_paragraph.get(p, []))
            if not _opens_new_event(draft, cue):
                draft.cues.append(cue)
                draft.people |= cue.people
                continue
        first = cue.paragraph_no if drafts else 0
        prev_cue = drafts[-1].cues[-1].paragraph_no if drafts else -1
        if drafts and first - 1 > prev_cue and _is_heading(paragraphs[first - 1]):
            first -= 1
        drafts.append(_Draft([cue], first, set(cue.people)))
    return drafts


def _participants(
    draft: _Draft,
    last: int,
    by_paragraph: dict[int, list[Mention]],
    attendees: dict[int, set[str]],
    previous: Event | None = None,
) -> list[str]:
    """Principals + attendees; with fewer than two, everyone mentioned in the event; with
    nobody named ("the two presidents last met in Baku"), the previous event's people."""
    people = set(draft.people) | set(draft.cues[0].people)
    for p in range(draft.first, last + 1):
        people |= attendees.get(p, set())
    if len(people) < 2:
        for p in range(draft.first, last + 1):
            people.update(m.person for m in by_paragraph.get(p, []))
        if draft.first == 0:
            people.update(m.person for m in by_paragraph.get(-1, []))
    if not people and previous is not None:
        people = set(previous.participants)
    return sorted(people)


def _event_date(
    draft: _Draft, event_no: int, context: tuple[str | None, date | None, Event | None]
) -> tuple[date | None, bool]:
    """Rule 4 of the module docstring."""
    title, published, previous = context
    hit = next((c.date for c in draft.cues if c.date), None)
    if hit and hit.same_day and previous is not None:
        return previous.event_date, previous.date_certain
    if hit:
        return hit.value, hit.certain
    if event_no == 0 and not draft.cues[0].recalled:
        title_dates = find_dates(title or "", published)
        if title_dates:
            return title_dates[0].value, True
        return published, False
    return None, False


def _event_place(
    draft: _Draft, kind: str, when: date | None, previous: Event | None, elsewhere: PlaceHit | None
) -> tuple[str | None, str | None]:
    """Where a meeting took place: its cues' place, else one named in its other paragraphs;
    a later meeting the same day, unplaced, shares the previous meeting's place."""
    if kind != "meeting":
        return None, None  # calls and messages have no single place
    place = next((c.location for c in draft.cues if c.location), None) or elsewhere
    if place:
        return place.city, place.country
    if previous and previous.kind == "meeting" and when and when == previous.event_date:
        return previous.location, previous.country
    return None, None


def _to_event(
    event_no: int,
    draft: _Draft,
    last: int,
    context: tuple[list[str], str | None, date | None, Gazetteer, Event | None],
    mentions: tuple[dict[int, list[Mention]], dict[int, set[str]]],
) -> Event:
    """Turn a draft into an Event record."""
    texts, title, published, gazetteer, previous = context
    when, certain = _event_date(draft, event_no, (title, published, previous))
    lead = draft.cues[0]
    elsewhere = next(
        (hit for p in range(draft.first, last + 1) for hit in gazetteer.locations(texts[p])), None
    )
    location, country = _event_place(draft, lead.trigger.kind, when, previous, elsewhere)
    occasion = next((c.occasion for c in draft.cues if c.occasion), None)
    if occasion is None and event_no == 0 and title:
        occasion = gazetteer.occasions.find(title)
    if occasion is None and lead.trigger.kind == "meeting":
        # "Putin, who is in Tehran to attend the Astana format summit, ..." a paragraph later.
        occasion = next(
            (o for p in range(draft.first, last + 1) if (o := gazetteer.occasions.find(texts[p]))),
            None,
        )
    participants = _participants(draft, last, *mentions, previous)
    countries = [gazetteer.person_country.get(p, "") for p in participants]
    return Event(
        event_no=event_no,
        kind=lead.trigger.kind,
        trigger=lead.trigger.text,
        event_date=when,
        date_certain=certain,
        location=location,
        country=country,
        occasion=fill_occasion(occasion, [c for c in countries if c]),
        participants=participants,
        first_paragraph=draft.first,
        last_paragraph=last,
    )


def _report_cues(cues: list[Cue]) -> list[Cue]:
    """Headings only announce what the paragraphs report: their cues count when nothing else
    does."""
    reported = [c for c in cues if not c.heading]
    return reported or cues[:1]


def detect_events(
    paragraphs: list[str],
    title: str | None,
    published: date | None,
    mentions: list[Mention],
    gazetteer: Gazetteer,
) -> list[Event]:
    """Events reported by one article (mentions with paragraph_no -1 are title mentions)."""
    by_paragraph: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_paragraph[m.paragraph_no].append(m)
    cues = [
        cue
        for i, text in enumerate(paragraphs)
        if (cue := _cue(i, text, published, by_paragraph.get(i, []), gazetteer))
    ]
    if not cues and title:
        # Only the headline announces the event: it spans the whole article.
        title_cue = _cue(-1, title, published, by_paragraph.get(-1, []), gazetteer)
        cues = [title_cue] if title_cue else []
    attendees = {
        i: _attendees(text, by_paragraph.get(i, []), gazetteer) for i, text in enumerate(paragraphs)
    }
    drafts = _segment(_report_cues(cues), attendees, paragraphs, by_paragraph)
    events: list[Event] = []
    for no, draft in enumerate(drafts):
        draft.first = max(draft.first, 0)
        last = drafts[no + 1].first - 1 if no + 1 < len(drafts) else len(paragraphs) - 1
        previous = events[-1] if events else None
        events.append(
            _to_event(
                no,
                draft,
                max(last, draft.first),
                (paragraphs, title, published, gazetteer, previous),
                (by_paragraph, attendees),
            )
        )
    return _engagements(events)


def _engagements(events: list[Event]) -> list[Event]:
    """Events between at least two people; a lone one's paragraphs go to the event before it."""
    kept: list[Event] = []
    for event in events:
        if len(event.participants) >= 2:
            kept.append(replace(event, event_no=len(kept)))
        elif kept:
            kept[-1] = replace(kept[-1], last_paragraph=event.last_paragraph)
    return kept


# ---------------------------------------------------------------------------------------------
# Cross-article linking
# ---------------------------------------------------------------------------------------------


class _UnionFind:
    """Disjoint sets over 0..n-1."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _same_engagement(a: dict, b: dict) -> bool:  # type: ignore[type-arg]
    """The linking rule of link_meetings, for one pair."""
    if KIND_FAMILY.get(a["kind"], a["kind"]) != KIND_FAMILY.get(b["kind"], b["kind"]):
        return False
    if a["event_date"] is None or b["event_date"] is None:
        return False  # an undated (recalled) engagement cannot be placed next to another
    gap = abs((a["event_date"] - b["event_date"]).days)
    loose = not (a["date_certain"] and b["date_certain"])
    if gap > (1 if loose else 0):
        return False
    if a["location"] and b["location"] and a["location"] != b["location"]:
        return False
    pa, pb = set(a["participants"] or []), set(b["participants"] or [])
    shared = len(pa & pb)
    return shared >= 2 or (shared >= 1 and shared == min(len(pa), len(pb)))


def _candidate_pairs(rows: list[dict]) -> Iterable[tuple[int, int]]:  # type: ignore[type-arg]
    """Pairs worth comparing: same family and dates at most one day apart (undated: none)."""
    by_day: dict[tuple[str, date], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        family = KIND_FAMILY.get(row["kind"], row["kind"])
        if row["event_date"] is None:
            continue
        for delta in (-1, 0, 1):
            for j in by_day.get((family, row["event_date"] + timedelta(days=delta)), []):
                yield j, i
        by_day[(family, row["event_date"])].append(i)


def _meeting_id(members: list[dict]) -> str:  # type: ignore[type-arg]
    """Stable id: kind family + earliest date + participants of the earliest member."""
    first = min(
        members,
        key=lambda r: (
            r["event_date"] is None,
            r["event_date"] or date.min,
            r["doc_id"],
            r["event_no"],
        ),
    )
    family = KIND_FAMILY.get(first["kind"], first["kind"])
    key = f"{family}|{first['event_date'] or ''}|{';'.join(sorted(first['participants'] or []))}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


# What link_meetings reads: one row per article event.
LINK_INPUT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "doc_id": pl.String,
    "event_no": pl.Int64,
    "kind": pl.String,
    "event_date": pl.Date,
    "date_certain": pl.Boolean,
    "location": pl.String,
    "participants": pl.List(pl.String),
}


def link_meetings(events: pl.DataFrame) -> pl.DataFrame:
    """Cluster per-article events that report the same engagement; one meeting_id per cluster.

    Two events are linked when all hold: same kind family (meeting | phone_call | message);
    same event_date, or at most one day apart when either date is uncertain (an article's own
    news without a date in the text carries its published date, uncertain); an undated event
    (an engagement recalled without a date) links to nothing, since it cannot be placed; at
    least two shared participants, or every participant of the smaller set shared; locations
    equal or one missing. Links are transitive (union-find).
    meeting_id = first 12 hex of sha256("<family>|<earliest date>|<sorted participants of the
    cluster's earliest member>"), so it is stable across runs while the cluster is unchanged.
    Input columns: doc_id, event_no, kind, event_date, date_certain, location, participants.
    Output: doc_id, event_no, meeting_id (one row per input row, input order).
    """
    cols = ["doc_id", "event_no", "kind", "event_date", "date_certain", "location", "participants"]
    rows = events.select(cols).to_dicts()
    uf = _UnionFind(len(rows))
    for j, i in _candidate_pairs(rows):
        if _same_engagement(rows[i], rows[j]):
            uf.union(i, j)
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        clusters[uf.find(i)].append(i)
    ids: dict[int, str] = {}
    seen: dict[str, int] = defaultdict(int)
    # Deterministic order so colliding ids get the same suffix on every run.
    ordered = sorted(
        clusters.values(), key=lambda m: min((rows[i]["doc_id"], rows[i]["event_no"]) for i in m)
    )
    for members in ordered:
        mid = _meeting_id([rows[i] for i in members])
        seen[mid] += 1
        suffix = f"-{seen[mid]}" if seen[mid] > 1 else ""
        for i in members:
            ids[i] = mid + suffix
    return pl.DataFrame(
        {
            "doc_id": [r["doc_id"] for r in rows],
            "event_no": [r["event_no"] for r in rows],
            "meeting_id": [ids[i] for i in range(len(rows))],
        },
        schema={"doc_id": pl.String, "event_no": pl.Int64, "meeting_id": pl.String},
    )

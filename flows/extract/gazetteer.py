"""Event reference data: trigger phrases (seeds/event_triggers.csv) and places
(seeds/places.csv), with the other lookups detection needs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flows.extract.cleaning import union_of
from flows.extract.occasions import OccasionNormaliser
from flows.extract.regexes import HintedPatterns
from flows.extract.seeds import read_seed_csv, split_variants

# ---------------------------------------------------------------------------------------------
# Triggers
# ---------------------------------------------------------------------------------------------

EVENT_KINDS = ("meeting", "phone_call", "message")


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
    the future, `remote_sentence` (anywhere in its sentence) makes a meeting trigger a remote
    talk (kind phone_call), `future_after` (matched on the text just after a trigger) makes it
    the subject of a future verb, `negated_sentence` (anywhere in its sentence) marks a
    postponed or cancelled engagement, and `non_participant` (matched on the text just before
    a person) marks someone the event is about rather than a participant ("the death of
    President ..."); `non_principal` / `non_principal_after` (around a person) mark a spokesman
    or aide, unless `principal_after` (right after the name) makes them the subject of an
    engagement verb; `companion` (just before a person) marks a relative or companion, never a
    principal; `escort` (earlier in a person's sentence: "was accompanied by", "was met at the
    airport by") marks a member of the entourage or of the greeting party, and `escort_arrival`
    likewise when the sentence also holds an `arrival` row ("airport", "upon arrival").
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
        # kinds -> their patterns, each tried only on texts holding one of its literal words
        # (most paragraphs hold no trigger word at all)
        self._of_kinds: dict[frozenset[str], tuple[list, HintedPatterns]] = {}
        kinds = dict.fromkeys(kind for _, kind, _, _ in self._patterns)
        self._unions = {  # kind -> one regex of its patterns (None: they do not combine)
            kind: union_of(tuple(p for p, k, _, _ in self._patterns if k == kind)) for kind in kinds
        }

    def _candidates(
        self, text: str, wanted: frozenset[str]
    ) -> list[tuple[re.Pattern[str], str, bool, bool]]:
        """The patterns of these kinds that may match the text, in seed order."""
        group = self._of_kinds.get(wanted)
        if group is None:
            rows = [row for row in self._patterns if row[1] in wanted]
            group = self._of_kinds[wanted] = (rows, HintedPatterns([r[0] for r in rows]))
        rows, hinted = group
        return [rows[i] for i in hinted.candidates(text)]

    def find(self, text: str, kinds: Iterable[str] = EVENT_KINDS) -> list[TriggerHit]:
        """All matches of the given kinds, by position (longer first on a tie)."""
        hits = [
            TriggerHit(kind, m.start(), m.end(), m.group(0), weak, follows)
            for pattern, kind, weak, follows in self._candidates(text, frozenset(kinds))
            for m in pattern.finditer(text)
        ]
        return sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))

    def any(self, text: str, kind: str) -> bool:
        """Whether a pattern of this kind matches the text (one search of their union)."""
        union = self._unions.get(kind)
        if union is not None:
            return union.search(text) is not None
        return any(p.search(text) for p, _, _, _ in self._candidates(text, frozenset((kind,))))


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
        world: list[dict[str, str]] | None = None,
    ) -> None:
        self._by_variant: dict[str, Place] = {}
        for row in [*(world or []), *places]:  # the region's own rows win over world rows
            place = Place(
                row["place"], row["kind"], row.get("country") or None, row.get("city") or None
            )
            for variant in [row["place"], *split_variants(row.get("variants", ""))]:
                self._by_variant[variant.lower()] = place
        self._longest = max((len(v.split()) for v in self._by_variant), default=0)
        self.occasions = OccasionNormaliser(occasions or [])
        self.triggers = TriggerSet(triggers or [])
        # A person's country names the parties of a "trilateral summit" occasion.
        self.person_country = {r["person"]: r["country"] for r in people or [] if r.get("country")}

    @classmethod
    def from_seeds(cls, seeds_dir: Path) -> Gazetteer:
        """Load seeds/places.csv, world_cities.csv, occasions.csv, event_triggers.csv and
        people.csv."""
        seeds = Path(seeds_dir)
        people = seeds / "people.csv"
        return cls(
            read_seed_csv(seeds / "places.csv"),
            read_seed_csv(seeds / "occasions.csv"),
            read_seed_csv(seeds / "event_triggers.csv"),
            read_seed_csv(people) if people.exists() else None,
            read_seed_csv(seeds / "world_cities.csv", optional=True),
        )

    def lookup(self, name: str) -> Place | None:
        """The place a name or variant refers to."""
        return self._by_variant.get(name.strip().lower())

    def country_of(self, name: str) -> str | None:
        """Country of a city, venue or country name."""
        place = self.lookup(name)
        return place.country if place else None

    def locations(self, text: str) -> list[PlaceHit]:
        """Cities or venues introduced by 'in'/'at' (venues resolve to their city).

        The words after the preposition are looked up, longest first (up to the longest
        variant); the place must start with a capital letter ("in turn" is no place) and end
        at a word boundary ("Baku's" names Baku, "Baku-based" does not).
        """
        hits = []
        pos = 0
        # Cues may nest ("at his residence in the State House, Abuja"): a cue that names no
        # place lets the next one, inside its words, be tried.
        while (m := _LOCATED_RE.search(text, pos)) is not None:
            pos = m.start() + 1
            words = m.group("rest").split(" ")
            place = self._lookup_words(words)
            if place is None and (kind := _KIND_OF_PLACE.match(m.group("rest"))):
                place = self._lookup_words(m.group("rest")[kind.end() :].split(" "))
            if place is None and (venue := _VENUE_CITY_RE.match(text, m.start())):
                # "at the State House, Abuja": an unknown venue, then its city
                place = self._lookup_words(venue.group("city").split(" "))
            if place is not None:
                city = place.city if place.kind == "venue" and place.city else place.place
                hits.append(PlaceHit(m.start(), city, place.country))
                pos = m.end()
        return hits

    def dateline_place(self, dateline: str | None, lead: str = "") -> PlaceHit | None:
        """The city of a dateline: the one cleaning found, else one opening the first
        paragraph ("New Delhi: ...", "SHARM EL-SHEIKH: ...", "BUSAN, South Korea — ...")."""
        names = [dateline] if dateline else []
        if m := _DATELINE_RE.match(lead):
            names.append(m.group("place").split("/")[0])  # "New Delhi/UNI:"
        for name in names:
            place = self.lookup(name.strip().rstrip(","))
            if place is not None and place.kind in ("city", "venue"):
                city = place.city if place.kind == "venue" and place.city else place.place
                return PlaceHit(0, city, place.country)
        return None

    def _lookup_words(self, words: list[str]) -> Place | None:
        """The city or venue named by the longest run of leading words (capitalised)."""
        if not words or not words[0][:1].isupper():
            return None
        for k in range(min(len(words), self._longest), 0, -1):
            place = self._by_variant.get(_PLACE_END.sub("", " ".join(words[:k])).lower())
            if place is not None and place.kind in ("city", "venue"):
                return place
        return None


# "in Tashkent", "at the Kremlin", "in the Uzbek city of Samarkand", "in the Moroccan capital
# Rabat", "in the resort town of Sharm el-Sheikh": the capitalised words after the cue.
_LOCATED_RE = re.compile(
    r"\b(?:in|at|visit\s+to|trip\s+to|arrived\s+in)\s+(?:the\s+)?"
    r"(?P<rest>[^\W\d_][^\s,;:()]*(?: [^\s,;:()]+){0,7})"
)
# An unknown venue named by capitalised words, a comma, then the city it is in.
_VENUE_CITY_RE = re.compile(
    r"\b(?:in|at)\s+(?:the\s+)?(?:(?-i:[A-Z])[\w'’-]*\s+){0,4}(?-i:[A-Z])[\w'’-]*,\s+"
    r"(?P<city>(?-i:[A-Z])[^\s,;:()]*(?: (?-i:[A-Z])[^\s,;:()]*){0,2})"
)
_KIND_OF_PLACE = re.compile(
    r"(?:(?-i:[A-Z])[\w-]+ )?(?:resort )?(?:city|capital|town|resort|port)(?: of)?,? "
)
_DATELINE_RE = re.compile(
    r"\s*(?P<place>[^\W\d_][\w.'’ -]{1,30}?)\s*(?:,[^:—–()]{1,30}?)?\s*"
    r"(?:\([^)]{1,25}\)\s*)?(?::|—|–|\s-\s)"
)
# What may follow a place's last word: a possessive, closing punctuation.
_PLACE_END = re.compile(r"(?:['’]s)?[.!?'’\"”)\]]*$")

"""People reference data and person-mention finding.

Reads seeds/people.csv (names, aliases, honorifics) and seeds/roles.csv (offices held over
time), plus the helper seeds people_countries.csv (country names and adjectives),
people_role_words.csv (ways an office is named), people_title_words.csv (title heads that
introduce names missing from the reference) and people_honorifics.csv.

Matching runs on a *folded* copy of each paragraph: one character in, one character out
(diacritics dropped, lower case, curly apostrophes straightened), so offsets found in the
folded text are offsets into the original paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flows.extract.name_cues import NameShapes
from flows.extract.names import (
    _BARE_NOUNS,
    _CONTEXT_RE,
    _CONTEXT_WORDS,
    _DESCRIBED_RE,
    _DESCRIBED_ROLES,
    _DESCRIBED_WORDS,
    _WORD_START,
    _followed_by_name,
    _index_by_first_word,
    _key,
    _overlaps,
    _parse_date,
    _phrase_regex,
    _seed_rows,
    _split,
    _strip_honorifics,
    fold,
)
from flows.extract.unknown_people import add_unknown_people
from flows.records import Mention


@dataclass(frozen=True, slots=True)
class Role:
    """One office held by one person over a period (valid_to exclusive, None = still held)."""

    person: str
    role: str
    country: str | None
    valid_from: date | None
    valid_to: date | None

    def active(self, on: date | None) -> bool:
        """Whether the office was held on `on` (None means today: still held)."""
        if on is None:
            return self.valid_to is None
        started = self.valid_from is None or self.valid_from <= on
        return started and (self.valid_to is None or on < self.valid_to)


@dataclass(frozen=True, slots=True)
class _Entry:
    """What a matched phrase means: one or more candidate people, or an office."""

    kind: str  # name | surname | title
    people: tuple[str, ...] = ()
    offices: tuple[tuple[str, str | None], ...] = ()  # (role, country)
    case_sensitive: str | None = None  # the phrase must appear with this exact casing


# One phrase match: start, end, surface, entry, candidate people.
_Raw = tuple[int, int, str, _Entry, tuple[str, ...]]
_MEMO_LIMIT = 4096  # paragraphs remembered before the memos start afresh


@dataclass
class PeopleDirectory:
    """Canonical people, their aliases and offices, and a mention finder over them."""

    countries: dict[str, str | None] = field(default_factory=dict)  # person -> country
    genders: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    roles: list[Role] = field(default_factory=list)
    country_forms: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    role_words: dict[str, list[str]] = field(default_factory=dict)
    extra_titles: dict[tuple[str, str | None], set[str]] = field(default_factory=dict)
    title_words: list[str] = field(default_factory=list)
    # heads after which one capitalised word is a name ("President Mugabe"), folded
    sole_titles: frozenset[str] = frozenset()
    honorifics: list[str] = field(default_factory=list)
    non_name_words: set[str] = field(default_factory=set)
    seeds_dir: Path | None = None  # where the CSVs came from (quotes reads its own seeds there)
    _entries: dict[str, _Entry] = field(default_factory=dict, init=False)
    _regex: re.Pattern[str] | None = field(default=None, init=False)
    # first word -> regex of the phrases starting with it (None: some phrase starts otherwise)
    _by_first_word: dict[str, re.Pattern[str]] | None = field(default=None, init=False)
    _shapes: NameShapes | None = field(default=None, init=False)
    # paragraph -> its phrase matches / its names missing from the directory: both depend on
    # the paragraph's text alone, and an article's paragraphs are searched twice (body, and
    # headline + body); bounded, cleared when full
    _raw_memo: dict[str, list[_Raw]] = field(default_factory=dict, init=False, repr=False)
    _names_memo: dict[str, list] = field(default_factory=dict, init=False, repr=False)

    # ----------------------------------------------------------------- loading
    @classmethod
    def from_seeds(cls, seeds_dir: Path) -> PeopleDirectory:
        """Build the directory from the people/roles CSV files in `seeds_dir`."""
        seeds_dir = Path(seeds_dir)
        directory = cls(seeds_dir=seeds_dir)
        for row in _seed_rows(seeds_dir / "people.csv"):
            person = row["person"].strip()
            directory.countries[person] = (row.get("country") or "").strip() or None
            directory.genders[person] = (row.get("gender") or "m").strip() or "m"
            directory.aliases[person] = [a for a in _split(row.get("aliases")) if a != person]
            directory.honorifics.extend(_split(row.get("honorifics")))
        for row in _seed_rows(seeds_dir / "roles.csv"):
            directory._add_role(row)
        for row in _seed_rows(seeds_dir / "people_countries.csv"):
            forms = (_split(row.get("names")), _split(row.get("adjectives")))
            directory.country_forms[row["country"].strip()] = forms
        for row in _seed_rows(seeds_dir / "people_role_words.csv"):
            directory.role_words[row["role"].strip()] = _split(row.get("words"))
        title_rows = _seed_rows(seeds_dir / "people_title_words.csv")
        directory.title_words = [r["word"].strip() for r in title_rows]
        directory.sole_titles = frozenset(
            fold(r["word"].strip()) for r in title_rows if (r.get("sole_name") or "").strip()
        )
        directory.honorifics.extend(
            r["honorific"].strip() for r in _seed_rows(seeds_dir / "people_honorifics.csv")
        )
        directory.non_name_words = {
            fold(r["word"].strip()) for r in _seed_rows(seeds_dir / "people_non_name_words.csv")
        }
        directory._build()
        return directory

    def _add_role(self, row: dict[str, str]) -> None:
        country = (row.get("country") or "").strip() or None
        role = Role(
            person=row["person"].strip(),
            role=row["role"].strip(),
            country=country,
            valid_from=_parse_date(row.get("valid_from")),
            valid_to=_parse_date(row.get("valid_to")),
        )
        self.roles.append(role)
        self.extra_titles.setdefault((role.role, country), set()).update(_split(row.get("titles")))

    # ----------------------------------------------------------------- phrase index
    def _build(self) -> None:
        """Index every name, alias, surname and office phrase; compile one matcher."""
        entries: dict[str, _Entry] = {}
        for person in self.countries:
            for name in [person, *self.aliases[person]]:
                kind = "name" if len(_key(name).split()) > 1 else "surname"
                self._add_entry(entries, _key(name), _Entry(kind, people=(person,)))
        for person, surnames in self._surnames().items():
            for surname in surnames:
                if _key(surname) not in entries or entries[_key(surname)].kind == "surname":
                    self._add_entry(entries, _key(surname), _Entry("surname", people=(person,)))
        for office, phrases in self._office_phrases().items():
            for phrase, exact in phrases:
                sensitive = phrase if exact else None
                entry = _Entry("title", offices=(office,), case_sensitive=sensitive)
                self._add_entry(entries, _key(phrase), entry)
        self._entries = entries
        alternatives = sorted(entries, key=len, reverse=True)
        self._regex = _phrase_regex(alternatives)
        self._by_first_word = _index_by_first_word(alternatives)

    @staticmethod
    def _add_entry(entries: dict[str, _Entry], key: str, entry: _Entry) -> None:
        old = entries.get(key)
        if old is None or (old.kind == "surname" and entry.kind == "name"):
            entries[key] = entry
        elif old.kind == entry.kind:
            # Same phrase for several people/offices: keep all candidates, decide in context.
            people = tuple(dict.fromkeys(old.people + entry.people))
            offices = tuple(dict.fromkeys(old.offices + entry.offices))
            kind = "surname" if old.kind == "name" and len(people) > 1 else old.kind
            entries[key] = _Entry(kind, people, offices, old.case_sensitive)

    def _surnames(self) -> dict[str, set[str]]:
        """Last word of every multi-word name (with and without an 'al-' article)."""
        out: dict[str, set[str]] = {}
        for person in self.countries:
            for name in [person, *self.aliases[person]]:
                words = name.split()
                if len(words) < 2:
                    continue
                last = words[-1]
                out.setdefault(person, set()).add(last)
                if fold(last).startswith("al-"):
                    out[person].add(last[3:])
        return out

    def _office_phrases(self) -> dict[tuple[str, str | None], set[tuple[str, bool]]]:
        """Generated ('Iranian president', 'president of Iran') and seeded office phrases."""
        phrases: dict[tuple[str, str | None], set[tuple[str, bool]]] = {}
        for office, extra in self.extra_titles.items():
            role, country = office
            bucket = phrases.setdefault(office, set())
            for title in extra:
                # "the Leader" is a title only when capitalised; "the leader" is any leader.
                bucket.add((title, title.lower().startswith("the ") and len(title.split()) == 2))
            names, adjectives = self.country_forms.get(country or "", ([], []))
            for word in self.role_words.get(role, []):
                bucket.update((f"{adj} {word}", False) for adj in adjectives)
                # "President of Azerbaijani" is a frequent non-native slip: accept adjectives.
                bucket.update((f"{word} of {n}", False) for n in names + adjectives)
        return phrases

    # ----------------------------------------------------------------- lookups
    def canonical(self, name: str) -> str | None:
        """Canonical person for a full name, alias, spelling variant or unambiguous surname."""
        text = _strip_honorifics(name.strip(), self.honorifics)
        entry = self._entries.get(_key(text))
        if entry is None or entry.kind == "title" or len(entry.people) != 1:
            return None
        return entry.people[0]

    def country_of(self, person: str) -> str | None:
        """Country of a canonical person (or of any name that resolves to one)."""
        canonical = person if person in self.countries else self.canonical(person)
        return self.countries.get(canonical) if canonical else None

    def holder(self, role_phrase: str, on: date | None) -> str | None:
        """Who held the office named by `role_phrase` ("president of Iran") on `on`."""
        text = re.sub(r"^the\s+", "", role_phrase.strip(), flags=re.IGNORECASE)
        entry = self._entries.get(_key(text)) or self._entries.get(_key(role_phrase))
        if entry is None or entry.kind != "title":
            return None
        return self._office_holder(entry.offices, on)

    def _office_holder(
        self,
        offices: tuple[tuple[str, str | None], ...],
        on: date | None,
        named: frozenset[str] | set[str] = frozenset(),
    ) -> str | None:
        """Holder of an office on `on`; undated, a holder the article names wins over today's."""
        if on is None and named:
            ever = {r.person for r in self.roles if (r.role, r.country) in offices}
            if len(ever & named) == 1:
                return (ever & named).pop()
        holders = {r.person for r in self.roles if (r.role, r.country) in offices and r.active(on)}
        return holders.pop() if len(holders) == 1 else None

    def _held(self, person: str, on: date | None, named: set[str]) -> list[Role]:
        """Offices held on `on`; undated, every office a person the article names ever held."""
        if on is None and person in named:
            return [r for r in self.roles if r.person == person]
        return self.roles_of(person, on)

    def roles_of(self, person: str, on: date | None) -> list[Role]:
        """Offices `person` held on `on`."""
        return [r for r in self.roles if r.person == person and r.active(on)]

    def gender_of(self, person: str) -> str | None:
        """'m' or 'f' for a known person, None otherwise."""
        return self.genders.get(person)

    def records(self) -> tuple[list[dict], list[dict]]:
        """Rows for staging.seed_people and staging.seed_roles."""
        people = [
            {"person": p, "country": c, "aliases": list(self.aliases.get(p, []))}
            for p, c in self.countries.items()
        ]
        roles = [
            {
                "person": r.person,
                "role": r.role,
                "country": r.country,
                "valid_from": r.valid_from,
                "valid_to": r.valid_to,
            }
            for r in self.roles
        ]
        return people, roles

    def name_shapes(self) -> NameShapes:
        """Shapes and cues of names missing from the directory (built once)."""
        if self._shapes is None:
            self._shapes = NameShapes.build(
                self.title_words, self.honorifics, self.non_name_words, self.seeds_dir
            )
        return self._shapes

    # ----------------------------------------------------------------- mentions
    def find_mentions(self, paragraphs: list[str], on: date | None) -> list[Mention]:
        """Every reference to a person in `paragraphs`, resolved to a canonical name."""
        raw = [self._raw_matches(i, p) for i, p in enumerate(paragraphs)]
        named = {m[4][0] for ms in raw for m in ms if m[3].kind == "name"}
        known = [
            self._resolve_paragraph(i, para, raw[i], named, on) for i, para in enumerate(paragraphs)
        ]
        mentions = add_unknown_people(self, self.name_shapes(), paragraphs, known)
        named |= {m.person for m in mentions if m.how in ("name", "new")}
        mentions = self._contextual(paragraphs, mentions, on, named)
        return sorted(mentions, key=lambda m: (m.paragraph_no, m.start))

    def _raw_matches(self, index: int, para: str) -> list[_Raw]:
        """Phrase matches of a paragraph (memoised by its text: treat as read-only)."""
        found = self._raw_memo.get(para)
        if found is None:
            if len(self._raw_memo) >= _MEMO_LIMIT:
                self._raw_memo.clear()
            found = self._raw_memo[para] = self._raw_matches_of(para)
        return found

    def _raw_matches_of(self, para: str) -> list[_Raw]:
        out = []
        for match in self._phrase_matches(fold(para)):
            entry = self._entries[_key(match.group(0))]
            surface = para[match.start() : match.end()]
            if entry.kind in ("name", "surname") and not surface[:1].isupper():
                continue  # names are capitalised; lower-case hits are ordinary words
            # "the Leader" is a title only when capitalised as seeded.
            exact = entry.case_sensitive
            if exact and surface.split()[-1] != exact.split()[-1]:
                continue
            out.append((match.start(), match.end(), surface, entry, entry.people))
        return out

    def _phrase_matches(self, folded: str) -> Iterator[re.Match[str]]:
        """The matches of the phrase regex in a folded paragraph, as `finditer` finds them.

        A phrase can only start where a word starts, and only the phrases whose first word
        is that word can match there; trying just those (in the regex's own order) at each
        word start finds the same leftmost, non-overlapping matches much faster than
        scanning the text with the alternation of every phrase.
        """
        assert self._regex is not None
        if self._by_first_word is None:
            yield from self._regex.finditer(folded)
            return
        end = 0
        for word in _WORD_START.finditer(folded):
            regex = self._by_first_word.get(word.group())
            if regex is None or word.start() < end:
                continue
            match = regex.match(folded, word.start())
            if match:
                end = match.end()
                yield match

    def _resolve_paragraph(
        self,
        index: int,
        para: str,
        raw: list[_Raw],
        named: set[str],
        on: date | None,
    ) -> list[Mention]:
        out: list[Mention] = []
        for n, (start, end, surface, entry, people) in enumerate(raw):
            if entry.kind == "title":
                if _followed_by_name(para, end, raw[n + 1 :], self.honorifics):
                    continue  # "Azeri President Ilham Aliyev": the name mention covers it
                person = self._office_holder(entry.offices, on, named)
                how = "title"
            else:
                person = self._pick(people, named, on)
                how = (
                    "name"
                    if entry.kind == "name" and _key(surface) == _key(person or "")
                    else "alias"
                )
            if person:
                out.append(Mention(index, start, end, person, surface, how))
        return out

    def _pick(self, people: tuple[str, ...], named: set[str], on: date | None) -> str | None:
        """Choose among people sharing a surname: named in full, then in office, then sole."""
        if len(people) == 1:
            return people[0]
        for narrowed in (
            [p for p in people if p in named],
            [p for p in people if self.roles_of(p, on)],
        ):
            if len(narrowed) == 1:
                return narrowed[0]
        return None

    def _contextual(
        self, paragraphs: list[str], mentions: list[Mention], on: date | None, named: set[str]
    ) -> list[Mention]:
        """'the president', 'his Azerbaijani counterpart', 'the Azerbaijani minister', 'the
        head of state', resolved from earlier mentions."""
        ordered = sorted(mentions, key=lambda m: (m.paragraph_no, m.start))
        adjectives = self._adjective_index()
        for i, para in enumerate(paragraphs):
            for match, described in _context_matches(para):
                resolve = self._resolve_described if described else self._resolve_context
                start, end = match.start(1), match.end(1)
                if _overlaps(ordered, i, start, end):
                    continue
                before = [m for m in ordered if (m.paragraph_no, m.end) <= (i, start)]
                person = resolve(match, before, adjectives, on, named)
                if person:
                    ordered.append(Mention(i, start, end, person, match.group(1), "title"))
                    ordered.sort(key=lambda m: (m.paragraph_no, m.start))
        return ordered

    def _adjective_index(self) -> dict[str, str]:
        return {_key(a): c for c, (_, adjs) in self.country_forms.items() for a in adjs}

    def _resolve_context(
        self,
        match: re.Match[str],
        before: list[Mention],
        adjectives: dict[str, str],
        on: date | None,
        named: set[str],
    ) -> str | None:
        if match.group("adj") is None:  # bare "the president": latest president mentioned
            for m in reversed(before):
                if any(r.role == "president" for r in self._held(m.person, on, named)):
                    return m.person
            return None
        country = adjectives.get(_key(match.group("adj")))
        for m in reversed(before):
            if self.countries.get(m.person) == country:
                continue
            held = [r.role for r in self._held(m.person, on, named)]
            for role in [*held, "president", "prime_minister"]:
                found = self._office_holder(((role, country),), on, named)
                if found:
                    return found
            return None
        return None

    def _resolve_described(
        self,
        match: re.Match[str],
        before: list[Mention],
        adjectives: dict[str, str],
        on: date | None,
        named: set[str],
    ) -> str | None:
        """'the Azerbaijani minister', 'the top Iranian diplomat', 'the head of state': the
        latest earlier person of that country holding a matching office."""
        noun = " ".join(match.group("noun").lower().split())
        wanted = _DESCRIBED_ROLES[noun]
        adj = match.group("cadj")
        if adj is None and noun not in _BARE_NOUNS:
            return None
        country = adjectives.get(_key(adj)) if adj else None
        if adj and country is None:
            return None
        for m in reversed(before):
            if country and self.countries.get(m.person) != country:
                continue
            if any(wanted(r.role) for r in self._held(m.person, on, named)):
                return m.person
        return None


def _context_matches(para: str) -> list[tuple[re.Match[str], bool]]:
    """(match, described?) for every contextual reference of the paragraph, by position
    (memoised by text: both passes over an article ask; treat as read-only)."""
    found = _CONTEXT_MEMO.get(para)
    if found is None:
        if len(_CONTEXT_MEMO) >= _MEMO_LIMIT:
            _CONTEXT_MEMO.clear()
        found = []
        if any(word in para for word in _CONTEXT_WORDS):
            found = [(m, False) for m in _CONTEXT_RE.finditer(para)]
        if any(word in para for word in _DESCRIBED_WORDS):
            found += [(m, True) for m in _DESCRIBED_RE.finditer(para)]
        found = _CONTEXT_MEMO[para] = sorted(found, key=lambda f: f[0].start(1))
    return found


_CONTEXT_MEMO: dict[str, list[tuple[re.Match[str], bool]]] = {}

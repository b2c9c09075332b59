"""People missing from seeds/people.csv: names found by their shape, licensed by a cue, and
the spelling variants of one name brought together.

A *candidate* is a run of capitalised words ("Peter M. Christian", "Salman bin Abdulaziz Al
Saud", "Joko "Jokowi" Widodo" without the nickname) cut at words that are never part of a
name (titles, honorifics, nationality adjectives, months, weekdays, organisation words; seeds
people_title_words.csv, people_honorifics.csv, nationalities.csv, people_non_name_words.csv).
It needs two name words, or an initial and one ("S. Jaishankar"), and is not a place.

A candidate becomes a person when a cue licenses it:
- a title, honorific or "counterpart" right before it, a comma or a missing space allowed
  ("Chancellor Angela Merkel", "the Hon. Malcolm Turnbull", "his Chilean counterpart, Gabriel
  Boric", "Prime Minister,Sovaleni ...", "the president of Colombia, Gustavo Petro");
- an appositive title right after it ("Felix Tshisekedi, president of the ...");
- a verb of speech right after it ("Gustavo Petro said");
- its surname standing alone elsewhere in the article (see `recurring`).

`variant_key` folds the ways one name is transliterated (doubled or single consonants,
vowels, s/z, accents, "al-"/"bin" particles), so "Mohamed bin Salman" and "Muhammad Bin
Salman" are one person; a patronymic chain is the same person as its longer form ("Mohamed
bin Zayed" / "Mohamed bin Zayed Al Nahyan").

Shapes: a possessor ends a name ("Fiji's Frank Bainimarama" is Frank Bainimarama), an initial
glued to another ("H.H. Sheikh ...") is an honorific, a chain with Arabic particles may run to
nine words, and a generational suffix belongs to the name ("Benigno Aquino III").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flows.extract.names import _UPPER, _seed_rows, fold
from flows.extract.regexes import word_alternation


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PARTICLES = _words(
    "bin bint ibn al el de del della da dos das do van von der den la le di du ben abu"
)
# Capitalised at a sentence's start, never a name word.
_FUNCTION_WORDS = _words(
    "a an the this that these those then than but and or nor so yet also as at by for from in"
    " into of on onto to with without after before during while when where whether if once"
    " since until unless though although however meanwhile moreover furthermore thus hence"
    " therefore later earlier today yesterday tomorrow now here there both each every all some"
    " many most several other another such he she it we they i you his her its our their my"
    " your who whom whose which what how why speaking following according among between"
    " under over about against despite amid regarding asked like unlike not no first second"
    " third fourth fifth sixth seventh eighth ninth tenth"
)
_MONTHS = _words(
    "january february march april may june july august september october november december"
    " jan feb mar apr jun jul aug sep sept oct nov dec"
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# Honorifics that may be part of the name itself when only one name word follows.
_NAME_LIKE_HONORIFICS = frozenset({"sheikh", "sheikha", "shaikh"})
_NUMBER_NEAR = re.compile(r"\d\W{0,2}\||\|\W{0,2}\d")
_SPEECH_VERBS = r"(?:said|says|told|stated|added|noted|stressed|tweeted|wrote|remarked|replied)"
_ACRONYM_TITLES = r"(?-i:PM|FM|EAM|HE|H\.E\.)"
# Engagement verbs and nouns whose object is a principal ("met", "talks with", "hosted").
_ENGAGED = (
    r"(?:met|meets|meeting|talks|received|receives|receiving|hosted|hosts|hosting|welcomed"
    r"|welcomes|welcoming)"
)
_ENGAGED_WORDS = ("met", "meet", "talks", "receiv", "host", "welcom")
# The object of an engagement verb, a possessor allowed ("held a bilateral meeting with French
# Polynesia's Edouard Fritch", "hosted Anwar Ibrahim"): tried on the last words before a name.
_ENGAGED_BEFORE = re.compile(
    rf"\b(?i:{_ENGAGED})\s+(?:(?i:with)\s+)?(?:(?:[{_UPPER}][\w'’-]*\s+){{0,2}}"
    rf"[{_UPPER}][\w'’-]*['’]s\s+)?$"
)

_TOKEN = rf"(?:(?:al|el|Al|El)[-‐])?[{_UPPER}][\w'’\-]*[a-zà-ɏ][\w'’\-]*"
_INITIAL = rf"[{_UPPER}]\.?(?=\s)"
_NICK = r"[\"“‘][A-Z][\w'’-]+[\"”’]"
_TOKEN_RE = re.compile(rf"{_NICK}|{_TOKEN}|{_INITIAL}|[a-z]+")
_RUN_RE = re.compile(
    rf"(?<![\w'’.-])(?:{_TOKEN}|{_INITIAL})"
    rf"(?:[ \t]+(?:{_TOKEN}|{_INITIAL}|{_NICK}|(?:{'|'.join(_PARTICLES)})(?=[ \t])))*"
)


# Capitalised particles of Arabic name chains ("Sabah Khalid Al Hamad Al Mubarak Al Sabah"): a
# chain holding them may run to nine words.
_CHAIN_PARTICLES = _words("al el bin bint ibn abu ben")
_MAX_WORDS, _MAX_CHAIN_WORDS = 6, 9
# A generational suffix after a name belongs to it ("Benigno Aquino III", "Marcos Jr.").
_SUFFIX_RE = re.compile(r"[ \t]+(?:II|III|IV|Jr\.?|Sr\.?)(?![\w'’-])")

_BARE = re.compile(_TOKEN)
# A cheap test for "...s Name, Name and Name" before the title alternation is tried.
_SHARED_GATE = re.compile(
    r"s[ \t]+[A-Z][^\s,]*(?:[ \t]*,[ \t]*[A-Z][^\s,]*)*[ \t]*,?[ \t]+and[ \t]+[A-Z]"
)
_PREV_WORD = re.compile(r"([\w'’-]+)[ \t]+$")

# A monarch's regnal name: the title, one name and the numeral ("King Charles III").
_REGNAL_RE = re.compile(
    rf"\b(?:King|Queen|Emperor|Empress|Pope|Sultan|Emir|Amir)\s+{_TOKEN}\s+[IVX]{{1,5}}\b"
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A name-shaped run in one paragraph; `licensed` when a cue makes it a person."""

    start: int
    end: int
    name: str
    licensed: bool


@dataclass(frozen=True)
class NameShapes:
    """Words and patterns that shape and license names of people outside the directory."""

    stop: frozenset[str]  # folded words that are never part of a name
    honorifics: frozenset[str]  # folded
    places: frozenset[str]  # folded full place names
    before: re.Pattern[str]  # a cue ending right before a name
    after: re.Pattern[str]  # a cue starting right after a name
    # a plural title over a coordination of bare names ("Presidents Duda and Nauseda")
    shared: re.Pattern[str] | None = None
    countries: frozenset[str] = frozenset()  # folded country names

    @classmethod
    def build(
        cls,
        title_words: list[str],
        honorifics: list[str],
        non_name_words: set[str],
        seeds_dir: Path | None,
    ) -> NameShapes:
        seeds = Path(seeds_dir) if seeds_dir else None
        adjectives = {
            fold(r["adjective"].strip())
            for r in (_seed_rows(seeds / "nationalities.csv") if seeds else [])
        }
        places, countries, nations = _places(seeds)
        title_tokens = {fold(w) for t in title_words for w in re.split(r"[\s-]+", t)}
        title_tokens |= {f"{t}s" for t in title_tokens}  # "Commissioners X and Y"
        honor = {fold(h.rstrip(".")) for h in honorifics}
        stop = (
            title_tokens
            | {w for h in honor for w in h.split()}  # "His Excellency", "Right Honourable"
            | adjectives
            | countries
            | set(non_name_words)
            | set(_WEEKDAYS)
            | _FUNCTION_WORDS
        ) - {"head", "chief"}
        # (word_alternation: the same words, grouped by first letter, for speed)
        titles = word_alternation(sorted(title_words, key=len, reverse=True), True)
        honors = word_alternation(sorted(honorifics, key=len, reverse=True), True)
        before = re.compile(
            rf"(?:\b(?:{titles}|counterparts?|{honors}|Hon\.?|Honou?rable|Excellency|Majesty"
            rf"|Highness)|{_ACRONYM_TITLES})"
            # "the president of Colombia, Gustavo Petro": a title of a country, then a comma.
            # (Possessive `*+`: a word is never split into several, which only the lookahead
            # after the words could want, and it cannot: those characters end a word.)
            # "the foreign ministers of Kenya, Ghana and Zambia, X, Y and Z": a list of countries
            rf"s?(?:\s+(?:of|for)\s+(?:the\s+)?"
            rf"(?:(?:[{_UPPER}][\w'’-]*+|and)[ \t]*(?:,[ \t]*(?=[{_UPPER}]))?){{1,8}}"
            # "(also known as Western Sahara)" between the country and the comma; a dash
            # glued to a word joins a compound ("Nigeria–Kenya"), it sets off no name
            r"(?:\([^()]{0,60}\))?(?=[,:]|\s[—–]))?\s*[,:—–]?\s*(?:the\s+)?$",
            re.IGNORECASE,
        )
        after = re.compile(
            rf"^(?:\s*\([^)]{{0,30}}\))?(?:\s*,\s*(?:the\s+)?"
            rf"(?:(?:former|then|deputy|acting|interim|new|current|outgoing|(?-i:[{_UPPER}])"
            rf"[\w'’-]*)\s+){{0,3}}?"
            rf"(?:{titles}|king|queen|leader|premier)\b|\s+{_SPEECH_VERBS}\b)",
            re.IGNORECASE,
        )
        cased = word_alternation(sorted(title_words, key=len, reverse=True), False)
        shared = re.compile(
            rf"\b(?:{cased})s[ \t]+((?:{_TOKEN}[ \t]*,[ \t]*)*{_TOKEN})[ \t]*,?[ \t]+and[ \t]+"
            rf"({_TOKEN})(?![\w'’-]|[ \t]+[{_UPPER}])"
        )
        return cls(
            frozenset(stop),
            frozenset(honor),
            frozenset(places),
            before,
            after,
            shared,
            frozenset(nations),
        )

    # ------------------------------------------------------------------ candidates
    def candidates(self, para: str) -> list[Candidate]:
        """Name-shaped runs of the paragraph, each licensed or not by its local cues."""
        out = [
            Candidate(m.start(), m.end(), " ".join(m[0].split()), True)
            for m in _REGNAL_RE.finditer(para)
        ]
        out += self._shared_title(para)
        for run in _RUN_RE.finditer(para):
            tokens = [(m.start() + run.start(), m.group(0)) for m in _TOKEN_RE.finditer(run[0])]
            for segment in self._segments(para, tokens):
                found = self._candidate(para, segment)
                if found is not None:
                    out.append(found)
        return out

    def _shared_title(self, para: str) -> list[Candidate]:
        """Bare names under one plural title ("Presidents Duda and Nauseda met"): each is a
        person, named by the one word the article gives."""
        if self.shared is None or _SHARED_GATE.search(para) is None:
            return []
        out = []
        for match in self.shared.finditer(para):
            names = [(m.start() + match.start(1), m.group(0)) for m in _BARE.finditer(match[1])]
            names.append((match.start(2), match[2]))
            if all(not _is_stop(self, name) for _, name in names):
                out += [Candidate(at, at + len(name), name, True) for at, name in names]
        return out

    def _segments(self, para: str, tokens: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
        """The run cut at stop words (a month first or next to a number: "May 25", not
        "Theresa May"); a name-like honorific joins a lone following name ("Sheikh Hasina")."""
        segments: list[list[tuple[int, str]]] = [[]]
        for i, (pos, word) in enumerate(tokens):
            key = fold(word).rstrip(".")
            if key in _MONTHS and (
                not segments[-1]
                or _NUMBER_NEAR.search(
                    para[max(0, pos - 4) : pos] + "|" + para[pos + len(word) : pos + len(word) + 4]
                )
            ):
                segments.append([])
                continue
            lone_next = (
                key in _NAME_LIKE_HONORIFICS
                and i + 1 < len(tokens)
                and (i + 2 == len(tokens) or _is_stop(self, tokens[i + 2][1]))
            )
            if _is_stop(self, word) and not lone_next:
                segments.append([])
            elif i + 1 < len(tokens) and _POSSESSIVE.search(word):
                segments.append([])  # a possessor is no part of the name after it ("Fiji's")
            else:
                segments[-1].append((pos, word))
        return [s for s in segments if s]

    def _candidate(self, para: str, segment: list[tuple[int, str]]) -> Candidate | None:
        while segment and (_kind(segment[-1][1]) != "name"):
            segment = segment[:-1]
        while segment and _kind(segment[0][1]) in ("particle", "nick"):
            segment = segment[1:]
        while len(segment) > 2 and fold(segment[0][1]) in self.countries:
            segment = segment[1:]  # "of Japan Fumio Kishida": the country is no name word
        kinds = [_kind(w) for _, w in segment]
        names = kinds.count("name")
        chain = any(fold(w) in _CHAIN_PARTICLES for _, w in segment)
        longest = _MAX_CHAIN_WORDS if chain else _MAX_WORDS
        if names < 1 or (names < 2 and "initial" not in kinds) or len(segment) > longest:
            return None
        start = segment[0][0]
        last_pos, last = segment[-1]
        last = re.sub(r"['’]s$", "", last)
        end = last_pos + len(last)
        words = [w for (_, w), k in zip(segment[:-1], kinds, strict=False) if k != "nick"]
        name = " ".join([*words, last])
        if last == segment[-1][1] and (suffix := _SUFFIX_RE.match(para, end)):
            name, end = f"{name} {suffix.group(0).split()[0]}", suffix.end()
        if self.is_place(para, start, name):
            return None
        window = para[max(0, start - 90) : start]
        licensed = bool(
            self.before.search(window)
            or (
                any(w in window[-60:].lower() for w in _ENGAGED_WORDS)
                and _ENGAGED_BEFORE.search(window, max(0, len(window) - 60))
            )
            or self.after.search(para[end : end + 90])
        )
        return Candidate(start, end, name, licensed)

    def is_place(self, para: str, start: int, name: str) -> bool:
        """A place's name, or the tail of a longer one ("[Papua] New Guinea")."""
        key = fold(name)
        if key in self.places:
            return True
        if key not in _place_tails(self.places):
            return False
        prev = _PREV_WORD.search(para, max(0, start - 30), start)
        return prev is not None and f"{fold(prev.group(1))} {fold(name)}" in self.places

    def clean(self, name: str) -> str:
        """A name from elsewhere (a title's tail) without title, month or weekday words at its
        edges ("Uhuru Kenyatta Thursday", "President Xi Jinping")."""
        words = name.split()
        if words:
            words[-1] = re.sub(r"['’]s$", "", words[-1])  # "Xi Jinping’s"
        while len(words) > 2 and _is_stop(self, words[-1]):
            words.pop()
        while len(words) > 2 and _is_stop(self, words[0]):
            words.pop(0)
        return " ".join(words)

    def recurring(self, candidate: Candidate, texts: list[str]) -> bool:
        """The candidate's surname stands alone elsewhere in the article ("Gustavo Petro ...
        Petro said"): a name word used on its own is a person's."""
        surname = candidate.name.split()[-1]
        if len(surname) < 3:
            return False
        word = re.compile(rf"(?<![\w'’-]){re.escape(surname)}(?![\w-])")
        for text in texts:
            for m in word.finditer(text):
                before = text[max(0, m.start() - 30) : m.start()].split()
                after = text[m.end() : m.end() + 30].split()
                glued_before = bool(before) and text[m.start() - 1 : m.start()] == " "
                if glued_before and self._name_word(before[-1]):
                    continue  # part of a longer name ("Gustavo Petro")
                glued_after = bool(after) and text[m.end() : m.end() + 1] == " "
                if glued_after and self._name_word(after[0]):
                    continue
                return True
        return False

    def _name_word(self, word: str) -> bool:
        return word[:1].isupper() and _kind(word) == "name" and not _is_stop(self, word)


def is_stop(shapes: NameShapes, word: str) -> bool:
    """Whether a word is never part of a name (a title, country, nationality, weekday ...)."""
    return _is_stop(shapes, word)


def _is_stop(shapes: NameShapes, word: str) -> bool:
    key = _stop_key(word)
    # "India-China": a compound of place or nationality words is no name word
    return key in shapes.stop or ("-" in key and key.split("-")[0] in shapes.stop)


@lru_cache(maxsize=16384)
def _stop_key(word: str) -> str:
    """A word as looked up among stop words: folded, without a final dot or possessive
    (cached: the same words recur in every article)."""
    return _POSSESSIVE.sub("", fold(word).rstrip("."))


_POSSESSIVE = re.compile(r"['’]s$")


@lru_cache(maxsize=16384)
def _kind(word: str) -> str:
    if word[:1] in '"“‘':
        return "nick"
    if word.lower() in _PARTICLES and word[:1].islower():
        return "particle"
    if len(word.rstrip(".")) == 1:
        return "initial"
    return "name"


@lru_cache(maxsize=4)
def _place_tails(places: frozenset[str]) -> frozenset[str]:
    """The last words of every place name of three or more words ("new guinea")."""
    tails: set[str] = set()
    for place in places:
        words = place.split()
        tails.update(" ".join(words[i:]) for i in range(1, len(words) - 1))
    return frozenset(tails)


def _places(seeds: Path | None) -> tuple[set[str], set[str], set[str]]:
    """Folded place names (cities, venues, countries), one-word country names of kind
    country, and every country a city is in."""
    if seeds is None:
        return set(), set(), set()
    places, countries, nations = set(), set(), set()
    for file in ("places.csv", "world_cities.csv"):
        for row in _seed_rows(seeds / file):
            names = [row["place"], *row.get("variants", "").split("|")]
            folded = {fold(n.strip()) for n in names if n.strip()}
            places |= folded
            # the country a city is in, when its name has several words ("Papua New Guinea",
            # "Sierra Leone"): a place, never a person
            country = fold((row.get("country") or "").strip())
            if " " in country:
                places.add(country)
            if country:
                nations.add(country)
            if row.get("kind", "").strip() == "country":
                countries |= {n for n in folded if " " not in n}
    return places, countries, nations | countries


# ------------------------------------------------------------------------------- variants
@lru_cache(maxsize=4096)
def variant_key(name: str) -> tuple[str, ...]:
    """The consonant skeleton of each name word: particles and initials dropped, doubled
    letters single, vowels (after the first letter) dropped, z as s, ph as f, ou as u."""
    out = []
    for word in re.split(r"[\s\-‐'’]+", fold(name)):
        word = re.sub(r"[^a-z]", "", word)
        if len(word) <= 1 or word in _PARTICLES:
            continue
        word = word.replace("ph", "f").replace("z", "s").replace("ou", "u").replace("kh", "k")
        word = re.sub(r"(.)\1+", r"\1", word)
        word = word[0] + re.sub(r"[aeiouy]", "", word[1:])
        out.append(word)
    return tuple(out)


def same_person(a: str, b: str) -> bool:
    """Two spellings of one name: equal skeletons, or one's words all in the other's with
    the same surname and at least two words shared ("Ibrahim Solih" and "Ibrahim Mohamed
    Solih")."""
    ka, kb = variant_key(a), variant_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    small, big = sorted((ka, kb), key=len)
    if len(small) >= 2 and big[: len(small)] == small and _is_chain(a) and _is_chain(b):
        return True  # "Mohamed bin Zayed" and "Mohamed bin Zayed Al Nahyan"
    if len(small) >= 2 and big[: len(small)] == small:
        longer = a if len(ka) > len(kb) else b
        if _particle_after(longer, len(small)):
            return True  # "Carlos Agostinho" and "Carlos Agostinho do Rosario"
    if len(ka) != len(kb) and _joined_key(a) == _joined_key(b):
        return True  # "Salman bin Abdel Aziz" and "Salman bin Abdulaziz"
    return len(small) >= 2 and small[-1] == big[-1] and set(small) <= set(big)


def _particle_after(name: str, words: int) -> bool:
    """Whether the name word after the first `words` name words is a particle ("do", "da",
    "bin"): a family name joined on, not another person's name."""
    seen = 0
    for word in re.split(r"[\s\-‐'’]+", fold(name)):
        word = re.sub(r"[^a-z]", "", word)
        if len(word) <= 1:
            continue
        if word in _PARTICLES:
            if seen == words:
                return True
            continue
        seen += 1
    return False


def _joined_key(name: str) -> tuple[str, ...]:
    """The skeleton of the name written as one word (particles dropped): "Abdel Aziz" and
    "Abdulaziz" are one word split two ways."""
    words = [w for w in re.split(r"[\s\-‐'’]+", fold(name)) if w not in _PARTICLES]
    return variant_key("".join(words))


def _is_chain(name: str) -> bool:
    """A name joined by a patronymic particle ("bin", "ibn", "bint")."""
    return any(w in ("bin", "bint", "ibn") for w in fold(name).split())

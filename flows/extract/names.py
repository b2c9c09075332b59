"""Name text: folding for comparison, phrase patterns, and the shapes that introduce a
person's name (titles, honorifics, descriptions such as "his Uzbek counterpart")."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path

from flows.extract.regexes import word_alternation
from flows.extract.seeds import read_seed_csv
from flows.records import Mention

# Characters whose NFD decomposition does not give the ASCII letter writers use instead.
_SPECIAL_FOLD = {
    "ı": "i",
    "İ": "i",
    "ə": "a",
    "Ə": "a",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "`": "'",
    "‐": "-",
    "‑": "-",
    "–": "-",
    "\u00a0": " ",
}


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _SPECIAL_FOLD:
        return _SPECIAL_FOLD[char]
    base = unicodedata.normalize("NFD", char)[0].lower()
    return base if len(base) == 1 else char


class _FoldTable(dict[int, str]):
    """str.translate table mapping each code point to `_fold_char` of it, filled on first use."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


# The ASCII characters `_fold_char` maps other than by lower-casing ("`" to "'"); ASCII text
# folds by `str.lower` and these replacements, far faster than a translate table.
_ASCII_SPECIAL = tuple((c, f) for c, f in _SPECIAL_FOLD.items() if c.isascii())
assert all(not c.isalpha() and f == f.lower() for c, f in _ASCII_SPECIAL)


def fold(text: str) -> str:
    """Lower-case, strip diacritics and straighten apostrophes, keeping the length unchanged."""
    if text.isascii():  # NFD leaves ASCII as it is: `_fold_char` is `lower` but for the specials
        text = text.lower()
        for char, folded in _ASCII_SPECIAL:
            if char in text:
                text = text.replace(char, folded)
        return text
    return text.translate(_FOLD_TABLE)  # one character in, one out (see _fold_char)


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """Lookup key of a phrase: folded, hyphens and runs of spaces collapsed to one space
    (cached: every match and candidate name is looked up this way)."""
    return _SEPARATORS.sub(" ", fold(text)).strip()


_SEPARATORS = re.compile(r"[\s\-]+")


def _pattern(phrase: str) -> str:
    """Regex for a folded phrase that tolerates hyphen/space variation."""
    parts = [re.escape(p) for p in _key(phrase).split(" ")]
    return r"[\s\-]+".join(parts)


# Where a phrase may start: word characters not preceded by one or by an apostrophe (the
# lookbehind of the phrase regex).
_WORD_START = re.compile(r"(?<![\w'])\w+")


def _phrase_regex(keys: list[str]) -> re.Pattern[str]:
    """One regex for phrase keys, tried in the given order, on word boundaries."""
    body = "|".join(_pattern(k) for k in keys)
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w]|-\w)")


def _index_by_first_word(keys: list[str]) -> dict[str, re.Pattern[str]] | None:
    """First word -> regex of the keys starting with it, in the given order; None when a key
    does not start with a word character.

    Where a key matches, the text's run of word characters at the match start is the key's
    first run: the key's next character (or the regex after it) is not a word character.
    """
    groups: dict[str, list[str]] = {}
    for key in keys:
        first = re.match(r"\w+", _key(key))
        if first is None:
            return None
        groups.setdefault(first.group(0), []).append(key)
    return {word: _phrase_regex(group) for word, group in groups.items()}


def _split(cell: str | None) -> list[str]:
    return [p.strip() for p in (cell or "").split("|") if p.strip()]


def _parse_date(cell: str | None) -> date | None:
    return date.fromisoformat(cell.strip()) if cell and cell.strip() else None


# "the president" not followed by "of ..." (that form is a full title); "his X counterpart".
_CONTEXT_RE = re.compile(
    r"(?<!\w)((?:[Tt]he\s+[Pp]resident(?!s|\s+of\b|\s+[A-Z]))"
    r"|(?:(?:his|her|their)\s+(?P<adj>[A-Z][\w'’]+)\s+counterpart(?!s)))"
)

# "the Azerbaijani minister", "the top Iranian diplomat", "the head of state": a person
# described by nationality and office, resolved to the latest matching earlier mention.
_DESCRIBED_RE = re.compile(
    r"(?<!\w)((?:[Tt]he|[Hh]is|[Hh]er)\s+(?:(?:top|chief|senior)\s+)?"
    r"(?:(?P<cadj>[A-Z][\w'’]+)\s+)?(?:(?:top|chief)\s+)?"
    r"(?P<noun>head\s+of\s+state|foreign\s+minister|prime\s+minister|minister|diplomat|premier|"
    r"leader|president))(?![\w-]|\s+of\b)"
)
_DESCRIBED_ROLES = {
    "head of state": lambda role: role == "president",
    "president": lambda role: role == "president",
    "foreign minister": lambda role: role == "foreign_minister",
    "diplomat": lambda role: role == "foreign_minister",
    "prime minister": lambda role: role == "prime_minister",
    "premier": lambda role: role == "prime_minister",
    "minister": lambda role: "minister" in role,
    "leader": lambda role: role in ("president", "supreme_leader", "prime_minister"),
}
# Literal words every match of _CONTEXT_RE / _DESCRIBED_RE holds (case-sensitive in both):
# a paragraph holding none of them is not scanned. Keep them in step with the regexes.
_CONTEXT_WORDS = ("resident", "counterpart")
_DESCRIBED_WORDS = ("head", "minister", "diplomat", "premier", "leader", "president")
# Without a nationality these still name an office; "the leader" or "the diplomat" do not.
_BARE_NOUNS = {"head of state", "prime minister", "premier", "foreign minister", "minister"}

# Capital letters, Latin-1 and Latin Extended too ("Sedat Önal", "Ələsgər").
_UPPER = "A-Z" + "".join(chr(c) for c in range(0xC0, 0x250) if chr(c).isupper())
_NAME_TOKEN = rf"[{_UPPER}][\w'’\-]*[a-zà-ɏ][\w'’\-]*"


def _strip_honorifics(text: str, honorifics: list[str]) -> str:
    ordered = _longest_first(tuple(honorifics))
    firsts = _first_words(ordered)
    changed = True
    while changed:
        changed = False
        # An honorific can only match when the text's first word is an honorific's first
        # word: most texts are rejected without lower-casing them whole.
        if text.split(" ", 1)[0].lower() not in firsts:
            break
        for h in ordered:
            if text.lower().startswith(h.lower() + " "):
                text, changed = text[len(h) + 1 :].lstrip(), True
    return text


@lru_cache(maxsize=16)
def _longest_first(words: tuple[str, ...]) -> tuple[str, ...]:
    """Distinct words, longest first (cached: called for every name candidate)."""
    return tuple(sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=16)
def _first_words(words: tuple[str, ...]) -> frozenset[str]:
    """The lower-cased first word (up to the first space) of each word."""
    return frozenset(w.lower().split(" ", 1)[0] for w in words)


def _skip_honorifics(para: str, pos: int, honorifics: list[str]) -> int:
    """Position after any honorifics ("Ayatollah Seyyed ") starting at `pos`."""
    rest = para[pos:]
    stripped = _strip_honorifics(rest.lstrip(), honorifics)
    return len(para) - len(stripped)


def _followed_by_name(para: str, end: int, later: list, honorifics: list[str]) -> bool:
    pos = _skip_honorifics(para, end, honorifics)
    if later and later[0][3].kind != "title" and later[0][0] == pos and pos - end <= 40:
        return True
    return re.match(rf"\s+(?:{_NAME_TOKEN}\s+)+{_NAME_TOKEN}", para[end:]) is not None


def _titled_names(
    para: str,
    title_words: list[str],
    honorifics: list[str],
    stop: set[str],
    sole_titles: frozenset[str] = frozenset(),
) -> list[tuple[int, int, str]]:
    """(start, end, name) for capitalised names right after a title head; after a head of
    `sole_titles` ("President Mugabe said") one capitalised word is a name too."""
    if not title_words:
        return []
    regex = _titled_regex(tuple(title_words))
    out = []
    pos = 0
    while (match := regex.search(para, pos)) is not None:
        pos = match.end()
        tokens = match.group(1).split()
        # The name ends at the first cut that completes one: a comma (the title may hold
        # commas), or "and" right after a plain "Title Name Name" ("Deputy Foreign Minister
        # Khalaf Khalafov and Iranian Deputy ...").
        for k in range(1, len(tokens) + 1):
            plain = not any(t[:1].islower() for t in tokens[:k])
            cut = (
                k == len(tokens)
                or tokens[k - 1].endswith(",")
                or (plain and tokens[k][:1].islower())
            )
            words = [t.rstrip(",") for t in tokens[:k]]
            sole = k == 1 and fold(para[match.start() : match.start(1)]) in sole_titles
            name = _title_tail_name(words, honorifics, stop, sole) if cut else None
            if name:
                # the tokens were split on any white space: find the name as written
                spelled = re.compile(r"\s+".join(map(re.escape, name.split())))
                found = spelled.search(para, match.start(1))
                if found is None:
                    break
                out.append((found.start(), found.end(), name))
                pos = found.end()  # the rest may introduce another titled name
                break
    return out


@lru_cache(maxsize=16)
def _titled_regex(title_words: tuple[str, ...]) -> re.Pattern[str]:
    """A title head followed by the words of a title and name (built once per word list)."""
    # (the same words, grouped by first letter for speed: see word_alternation)
    heads = word_alternation(sorted(title_words, key=len, reverse=True), True)
    # "Kremlin spokesman Dmitry Peskov": heads may be lower case; "Minister of Cultural
    # Heritage, Tourism and Handicrafts Reza Salehi-Amiri": titles may hold commas.
    return re.compile(rf"\b(?i:{heads})((?:,?\s+(?:of|for|and|the|on|{_NAME_TOKEN}))+)")


def _title_tail_name(
    words: list[str], honorifics: list[str], stop: set[str], sole: bool = False
) -> str | None:
    """The name at the end of the words after a title head (one word when `sole`), or
    None."""
    while words and not words[-1][:1].isupper():
        words.pop()
    lower = [i for i, w in enumerate(words) if not w[:1].isupper()]
    tail = words[max(lower) + 1 :] if lower else words
    tail = _strip_honorifics(" ".join(tail), honorifics).split()
    # After "Minister of Roads and Urban Development" the name is the last two words.
    name_tokens = tail[-2:] if lower else tail
    if sole and not lower and len(name_tokens) == 1 and len(name_tokens[0]) >= 3:
        pass  # "President Mugabe": the head's sole name
    elif (lower and len(tail) < 3) or not 2 <= len(name_tokens) <= 3:
        return None
    if any(fold(t) in stop for t in name_tokens):
        return None
    return " ".join(name_tokens)


def _overlaps(mentions: list[Mention], index: int, start: int, end: int) -> bool:
    return any(m.paragraph_no == index and m.start < end and start < m.end for m in mentions)


def _seed_rows(path: Path) -> list[dict[str, str]]:
    """A seed CSV's rows as written; a missing file is none."""
    return read_seed_csv(path, strip=False, optional=True)

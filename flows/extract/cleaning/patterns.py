"""Compiled boilerplate rules from seeds/boilerplate_patterns.csv and the outlet tables,
plus the character classes every cleaning step shares."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path

from flows.extract.html import load_role_rules
from flows.extract.metadata import (
    OutletTable,
    fold,
)
from flows.extract.seeds import read_seed_csv

# NBSP and friends become spaces; zero-width characters and the BOM disappear.
_SPACES = {ord(c): " " for c in "\u00a0\u2007\u202f\u2002\u2003\u2009\u3000\t"} | {
    ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff"
}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")  # every letter beyond ASCII, and more
_WITHOUT_ASCII_LETTERS = str.maketrans("", "", string.ascii_letters)
_TERMINAL = (".", "!", "?", "…", ":", ";")
_CLOSERS = " \"'”’»)]*"
_WHITESPACE = re.compile(r"\s+")
_THREE_DIGITS = re.compile(r"\d{3}")
_THREE_LETTERS = re.compile(r"[^\W\d_]{3}")
_MAX_CAPTION_WORDS = 20
_MAX_CREDITED_CAPTION_WORDS = 80  # a caption that ends in a media credit may be long
_MAX_TITLE_WORDS = 25


def union_of(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """One alternation of the patterns: it matches (the whole text, or somewhere in it)
    exactly when one of them does, and one regex call is much faster than one per rule.

    None when that cannot be guaranteed: patterns with groups (a back-reference would change
    meaning), different flags, or sources that do not combine (a global inline flag).
    """
    if not patterns or any(p.groups for p in patterns):
        return None
    if len({p.flags for p in patterns}) != 1:
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)
    except re.error:
        return None


def _fullmatches_any(
    patterns: tuple[re.Pattern[str], ...], union: re.Pattern[str] | None, text: str
) -> bool:
    """Whether one of the patterns matches the whole text (`union`: their union_of)."""
    if union is None:
        return any(p.fullmatch(text) for p in patterns)
    return union.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class BoilerplatePatterns:
    """Compiled rules from seeds/boilerplate_patterns.csv plus the outlet table."""

    lines: tuple[re.Pattern[str], ...]
    cuts: tuple[re.Pattern[str], ...]
    trailing: tuple[re.Pattern[str], ...]
    captions: tuple[re.Pattern[str], ...]
    credits: tuple[re.Pattern[str], ...]
    byline_prefixes: str
    date_prefix: re.Pattern[str]
    stopwords: frozenset[str]
    foreign_letters: frozenset[str]
    outlets: OutletTable
    html_roles: tuple[tuple[str, re.Pattern[str]], ...] = ()
    languages: tuple[str, ...] = ()  # lingua language names of the region
    domains: dict[str, str] = field(default_factory=dict)  # web host -> canonical outlet
    cities: frozenset[str] = frozenset()  # folded city names (seeds/places.csv): datelines
    credit_captions: tuple[re.Pattern[str], ...] = ()  # captions of any length: a media credit
    promos: tuple[re.Pattern[str], ...] = ()  # app/channel/newsletter prompts, found anywhere
    # every line is tried against the debris and section-marker rules: one regex each
    _debris: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _sections: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _junk: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_debris", union_of(self.lines))
        object.__setattr__(self, "_sections", union_of(self.cuts))
        object.__setattr__(self, "_junk", union_of(self.trailing))

    def may_end_in_junk(self, text: str) -> bool:
        """False when no `trailing` rule can match the text (most lines: one search tells)."""
        return self._junk is None or self._junk.search(text) is not None

    def is_debris(self, text: str) -> bool:
        """A known page-debris line: some `line` rule matches all of it."""
        return _fullmatches_any(self.lines, self._debris, text)

    def is_section_marker(self, text: str) -> bool:
        """A section heading after which a page may hold only furniture (`cut` rules)."""
        return _fullmatches_any(self.cuts, self._sections, text)

    @classmethod
    def from_seeds(cls, seeds_dir: Path) -> BoilerplatePatterns:
        """Load boilerplate_patterns.csv and outlets.csv from the seeds folder."""
        outlets = OutletTable.from_csv(Path(seeds_dir) / "outlets.csv")
        path = Path(seeds_dir) / "boilerplate_patterns.csv"
        patterns = cls.from_rows(read_seed_csv(path, strip=False), outlets)
        roles_csv = Path(seeds_dir) / "boilerplate_html_classes.csv"
        if roles_csv.exists():
            patterns = replace(patterns, html_roles=load_role_rules(roles_csv))
        domains_csv = Path(seeds_dir) / "outlet_domains.csv"
        if domains_csv.exists():
            hosts = {r["domain"].lower(): r["outlet"] for r in read_seed_csv(domains_csv)}
            patterns = replace(patterns, domains=hosts)
        places_csv = Path(seeds_dir) / "places.csv"
        if places_csv.exists():
            cities = {
                fold(v).casefold().strip()
                for r in read_seed_csv(places_csv)
                if r["kind"] == "city"
                for v in r["variants"].split("|")
            }
            patterns = replace(patterns, cities=frozenset(cities))
        languages_csv = Path(seeds_dir) / "language_region.csv"
        if languages_csv.exists():
            names = tuple(row["language"] for row in read_seed_csv(languages_csv))
            patterns = replace(patterns, languages=names)
        return patterns

    @classmethod
    def from_rows(cls, rows: list[dict[str, str]], outlets: OutletTable) -> BoilerplatePatterns:
        """Compile `kind,pattern,...` rows; `{outlet}` expands to every outlet variant."""
        by_kind: dict[str, list[str]] = {}
        for row in rows:
            by_kind.setdefault(row["kind"].strip(), []).append(row["pattern"])
        outlet_group = rf"(?P<outlet>\b(?:{outlets.regex()})\b)"

        def compile_all(kind: str, template: str = "{}") -> tuple[re.Pattern[str], ...]:
            sources = [
                template.format(p.replace("{outlet}", outlet_group)) for p in by_kind.get(kind, [])
            ]
            return tuple(re.compile(s, re.I) for s in sources)

        return cls(
            lines=compile_all("line"),
            cuts=compile_all("cut"),
            trailing=compile_all("trailing", "(?:{})$"),
            captions=compile_all("caption"),
            credits=compile_all("credit"),
            credit_captions=compile_all("credit_caption"),
            promos=compile_all("promo"),
            byline_prefixes="|".join(by_kind.get("byline_prefix", ["by"])),
            date_prefix=re.compile(
                rf"^(?:{'|'.join(by_kind.get('date_prefix', ['published']))})\s*", re.I
            ),
            stopwords=frozenset(" ".join(by_kind.get("stopwords", [])).lower().split()),
            foreign_letters=frozenset("".join(by_kind.get("foreign_letters", []))),
            outlets=outlets,
        )

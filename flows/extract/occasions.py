"""Occasions of an engagement (summits, forums, visits) and the ordinals that number them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flows.extract.regexes import HintedPatterns
from flows.extract.seeds import alternation, split_variants

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
                        for v in sorted(split_variants(r["variants"]), key=len, reverse=True)
                    )
                    + r")(?!\w)",
                    re.IGNORECASE,
                ),
                f"{r['occasion']} {r['event_word']}".strip(),
            )
            for r in named
        ]
        # a named occasion is searched for only in texts holding one of its literal words
        self._named_hints = HintedPatterns([pattern for pattern, _ in self._named])
        rows = [r for r in rows if r["event_word"] == "summit" and COUNTRIES not in r["occasion"]]
        self._templates = [
            (
                re.compile(
                    r"\b(?:" + alternation(split_variants(r["variants"])) + r")\s+"
                    r"(?:summit|meeting|talks)\b",
                    re.IGNORECASE,
                ),
                f"{r['occasion']} {r['event_word'] or 'summit'}",
            )
            for r in templates
        ]
        for row in rows:
            for variant in [row["occasion"], *split_variants(row["variants"])]:
                self._canonical[variant.lower()] = (row["occasion"], row["event_word"] or "summit")
        org = r"(?P<{g}>" + alternation(v for v in self._canonical) + r")"
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
        for index in self._named_hints.candidates(text):
            pattern, name = self._named[index]
            m = pattern.search(text)
            if m:
                number = next((g for g in m.groups() if g), None)
                return name.replace("{n}", number) if number else name
        return None

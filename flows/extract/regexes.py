"""Literal hints: skip a regex on a text that lacks every word its matches must hold.

Scanning a paragraph with a regex costs the same whether it matches or not; most trigger
patterns cannot match most paragraphs, and a substring test tells so far more cheaply.
`literal_hint` reads a pattern's parse tree (Python's own parser) for strings one of which
every match holds ("meeting", "talks" ...); `may_match` tests them on the lower-cased text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

# ---------------------------------------------------------------------------------------------
# Literal hints: words a match must hold, to skip a regex on texts that lack them
# ---------------------------------------------------------------------------------------------

# Characters other than ASCII that a case-insensitive regex matches to an ASCII letter
# ("ı" to "i", "ſ" to "s", the Kelvin sign to "k"); lower-casing does not map them to it.
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")


# The strings one of which a match holds: (lower-case strings, looked for in the text's
# lower case; exact strings, from case-sensitive parts of the pattern, looked for as written).
Hint = tuple[tuple[str, ...], tuple[str, ...]]


def literal_hint(pattern: re.Pattern[str]) -> Hint | None:
    """ASCII strings one of which every match of `pattern` holds (see `may_match`), or None
    when the pattern promises none."""
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # an internal parser; a pattern it cannot read gets no hint
        return None
    hint = _required(list(parsed), bool(parsed.state.flags & re.IGNORECASE))
    if not hint:
        return None
    lower = _minimal({s for s, exact in hint if not exact})
    exact = _minimal({s for s, exact in hint if exact})
    return (lower, exact)


def _minimal(strings: set[str]) -> tuple[str, ...]:
    """The strings without those holding a shorter one ("april" holds "apr": a text without
    "apr" has no "april", and one with "april" has "apr")."""
    return tuple(sorted(s for s in strings if not any(t != s and t in s for t in strings)))


def lowered(text: str) -> str | None:
    """`text.lower()` for `may_match`, or None when the text holds a character that a
    case-insensitive regex matches to an ASCII letter that lower-casing does not give."""
    return None if _FOLDS_TO_ASCII.search(text) else text.lower()


def may_match(hint: Hint | None, low: str | None, text: str) -> bool:
    """False only when a pattern with this hint cannot match `text` (`low` is
    `lowered(text)`): none of the hint's strings is in it."""
    if hint is None or low is None:
        return True
    return any(map(low.__contains__, hint[0])) or any(map(text.__contains__, hint[1]))


def _required(items: list, ignore: bool) -> set[tuple[str, bool]] | None:  # type: ignore[type-arg]
    """The best set of strings one of which a match of this sequence holds, or None
    (`ignore`: the sequence matches case-insensitively)."""
    best: set[tuple[str, bool]] | None = None
    run: list[str] = []

    def consider(found: set[tuple[str, bool]] | None) -> None:
        nonlocal best
        if found and all(s for s, _ in found) and (best is None or _score(found) > _score(best)):
            best = found

    def literal() -> set[tuple[str, bool]] | None:
        return {("".join(run), not ignore)} if run else None

    for op, av in items:
        if op is _c.LITERAL and av < 128:
            run.append(chr(av).lower() if ignore else chr(av))
            continue
        consider(literal())
        run = []
        if op is _c.BRANCH:
            alternatives = [_required(list(branch), ignore) for branch in av[1]]
            if all(alternatives):
                consider(set().union(*alternatives))  # type: ignore[arg-type]
        elif op is _c.SUBPATTERN:
            flags = (ignore and not av[2] & re.IGNORECASE) or bool(av[1] & re.IGNORECASE)
            consider(_required(list(av[3]), flags))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and av[0] >= 1:
            consider(_required(list(av[2]), ignore))
        elif op is _c.ATOMIC_GROUP:
            consider(_required(list(av), ignore))
    consider(literal())
    return best


def _score(strings: set[tuple[str, bool]]) -> tuple[int, int]:
    """Longer shortest string first (rarer), then fewer strings."""
    return (min(len(s) for s, _ in strings), -len(strings))


class HintedPatterns:
    """Patterns with their hints: which of them may match a text, found with one pass over
    the distinct hint strings instead of one test per pattern."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self.count = len(patterns)
        self._always: list[int] = []
        self._lower: dict[str, list[int]] = {}
        self._exact: dict[str, list[int]] = {}
        for index, pattern in enumerate(patterns):
            hint = literal_hint(pattern)
            if hint is None:
                self._always.append(index)
                continue
            for string in hint[0]:
                self._lower.setdefault(string, []).append(index)
            for string in hint[1]:
                self._exact.setdefault(string, []).append(index)
        self._lower_strings = tuple(self._lower)
        self._exact_strings = tuple(self._exact)

    def candidates(self, text: str) -> list[int]:
        """Indices (ascending) of the patterns that may match `text`; the others cannot."""
        low = lowered(text)
        if low is None:
            return list(range(self.count))
        found = set(self._always)
        for string in filter(low.__contains__, self._lower_strings):
            found.update(self._lower[string])
        for string in filter(text.__contains__, self._exact_strings):
            found.update(self._exact[string])
        return sorted(found)


# ---------------------------------------------------------------------------------------------
# Alternations of many words
# ---------------------------------------------------------------------------------------------


def word_alternation(words: list[str], ignorecase: bool) -> str:
    """Regex source that matches what `"|".join(map(re.escape, words))` matches, with the
    same preference among the words, but with the words grouped by their first character:
    "a(?:dmiral|dviser)|c(?:hancellor|ounterpart)". At each position the regex engine then
    tries one branch per first character instead of every word, which matters for the long
    word lists of titles and honorifics (a case-insensitive branch has no fast first-character
    test of its own).

    `ignorecase`: whether the regex is compiled case-insensitively. Two first characters
    that match the same character (a dotted and a dotless i, case-insensitively) would let
    the grouping change which word is preferred: then the plain alternation is returned.
    """
    flat = "|".join(re.escape(w) for w in words)
    groups = None if any(not w for w in words) else _by_first_character(words, ignorecase)
    if groups is None:
        return flat
    return "|".join(
        re.escape(ws[0][0]) + "(?:" + "|".join(re.escape(w[1:]) for w in ws) + ")" for ws in groups
    )


def phrase_alternation(phrases: list[str], ignorecase: bool, joiner: str = r"\s+") -> str:
    """Regex source that matches what `"|".join(r"\\s+".join(map(re.escape, p.split())) for p
    in phrases)` matches (words of a phrase apart by any whitespace), with the same preference
    among the phrases, grouped by first character as `word_alternation` groups words
    (`joiner`: the regex between the words of a phrase, `\\s+` above)."""

    def pattern(phrase: str) -> str:
        return joiner.join(map(re.escape, phrase.split()))

    flat = "|".join(pattern(p) for p in phrases)
    normal = [" ".join(p.split()) for p in phrases]
    # a phrase of a lone first letter ("a b") or with a first character that is no letter
    # would need its own care: the plain alternation then
    if any(len(p) < 2 or not p[0].isalpha() or p[1] == " " for p in normal):
        return flat
    groups = _by_first_character(normal, ignorecase)
    if groups is None:
        return flat
    return "|".join(
        re.escape(ps[0][0]) + "(?:" + "|".join(pattern(p[1:]) for p in ps) + ")" for ps in groups
    )


def _by_first_character(items: list[str], ignorecase: bool) -> list[list[str]] | None:
    """`items` grouped by first character (folded with `ignorecase`), in order of first
    appearance, each group in the items' order; None when two groups' first characters match
    each other under `ignorecase` (a dotted and a dotless i): grouping could then change which
    item the regex prefers."""
    groups: dict[str, list[str]] = {}
    for item in items:
        groups.setdefault(item[0].lower() if ignorecase else item[0], []).append(item)
    flags = re.IGNORECASE if ignorecase else 0
    firsts = [group[0][0] for group in groups.values()]
    for i, a in enumerate(firsts):
        for b in firsts[i + 1 :]:
            if re.fullmatch(re.escape(a), b, flags) or re.fullmatch(re.escape(b), a, flags):
                return None
    return list(groups.values())


@lru_cache(maxsize=64)
def _hint_of(pattern: re.Pattern[str]) -> Hint | None:
    return literal_hint(pattern)


def hinted_finditer(
    pattern: re.Pattern[str], text: str, low: str | None
) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, or nothing at once when the text (`low`: its `lowered`)
    lacks the pattern's hint."""
    if may_match(_hint_of(pattern), low, text):
        yield from pattern.finditer(text)

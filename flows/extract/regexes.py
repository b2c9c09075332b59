"""Literal hints: skip a regex on a text that lacks every word its matches must hold.

Scanning a paragraph with a regex costs the same whether it matches or not; most trigger
patterns cannot match most paragraphs, and a substring test tells so far more cheaply.
`literal_hint` reads a pattern's parse tree (Python's own parser) for strings one of which
every match holds ("meeting", "talks" ...); `may_match` tests them on the lower-cased text.
"""

from __future__ import annotations

import re
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

# ---------------------------------------------------------------------------------------------
# Literal hints: words a match must hold, to skip a regex on texts that lack them
# ---------------------------------------------------------------------------------------------

# Characters other than ASCII that a case-insensitive regex matches to an ASCII letter
# ("ı" to "i", "ſ" to "s", the Kelvin sign to "k"); lower-casing does not map them to it.
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")


def literal_hint(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Lower-case ASCII strings one of which every match of `pattern` holds (see
    `may_match`), or None when the pattern promises none."""
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # an internal parser; a pattern it cannot read gets no hint
        return None
    hint = _required(list(parsed))
    return tuple(sorted(hint)) if hint else None


def lowered(text: str) -> str | None:
    """`text.lower()` for `may_match`, or None when the text holds a character that a
    case-insensitive regex matches to an ASCII letter that lower-casing does not give."""
    return None if _FOLDS_TO_ASCII.search(text) else text.lower()


def may_match(hint: tuple[str, ...] | None, low: str | None) -> bool:
    """False only when a pattern with this hint cannot match the text whose `lowered` is
    `low`: none of the hint's strings is in it."""
    return hint is None or low is None or any(h in low for h in hint)


def _required(items: list) -> set[str] | None:  # type: ignore[type-arg]
    """The best set of strings one of which a match of this sequence holds, or None."""
    best: set[str] | None = None
    run: list[str] = []

    def consider(found: set[str] | None) -> None:
        nonlocal best
        if found and all(found) and (best is None or _score(found) > _score(best)):
            best = found

    for op, av in items:
        if op is _c.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        consider({"".join(run)} if run else None)
        run = []
        if op is _c.BRANCH:
            alternatives = [_required(list(branch)) for branch in av[1]]
            if all(alternatives):
                consider(set().union(*alternatives))  # type: ignore[arg-type]
        elif op is _c.SUBPATTERN:
            consider(_required(list(av[3])))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and av[0] >= 1:
            consider(_required(list(av[2])))
        elif op is _c.ATOMIC_GROUP:
            consider(_required(list(av)))
    consider({"".join(run)} if run else None)
    return best


def _score(strings: set[str]) -> tuple[int, int]:
    """Longer shortest string first (rarer), then fewer strings."""
    return (min(len(s) for s in strings), -len(strings))

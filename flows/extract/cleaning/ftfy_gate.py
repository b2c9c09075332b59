"""Which lines ftfy could change: a cheap pre-test, so ftfy only runs on lines that need it.

ftfy (with cleaning's options: quotes left curly, line breaks left alone) changes a line only
through one of these:
- its mojibake fix, which starts only when `ftfy.badness.is_bad` finds a suspicious sequence;
  every alternative of that heuristic needs at least one character of one of its character
  classes, and `_anchor_characters` picks one such class per alternative (the one least
  common in ordinary news text: not curly quotes, dashes or the ellipsis);
- HTML entities ("&"), C1 controls, Latin ligatures, full-width forms, surrogates, terminal
  escapes and control characters: each one a fixed set of characters;
- NFC normalisation.

So a line that holds none of those characters and is already NFC comes out of ftfy as it
went in. The character sets are read from ftfy itself at import; if ftfy's internals no
longer have the expected shape, the gate lets every non-ASCII line through (ftfy decides).
"""

from __future__ import annotations

import unicodedata

# what a news line commonly holds; an anchor without them keeps the gate shut for such lines
_FREQUENT = frozenset("’‘“”–—…«»·\u00a0")


def _positive_class(op: object, av: object) -> frozenset[str] | None:
    """The characters of a literal or a plain (not negated) character class, else None."""
    from re import _constants as C  # type: ignore[attr-defined]

    if op is C.LITERAL:
        return frozenset(chr(av))  # type: ignore[arg-type]
    if op is not C.IN:
        return None
    found: set[str] = set()
    for item_op, item in av:  # type: ignore[attr-defined]
        if item_op is C.LITERAL:
            found.add(chr(item))
        elif item_op is C.RANGE:
            found.update(chr(code) for code in range(item[0], item[1] + 1))
        else:  # a negation or a category (\w, \s): not a fixed set
            return None
    return frozenset(found)


def _anchor_characters() -> frozenset[str]:
    """One non-ASCII character class per alternative of ftfy's badness heuristic: a text
    without any of these characters cannot match it."""
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as parser  # type: ignore[attr-defined]

    from ftfy import badness

    parsed = parser.parse(badness.BADNESS_RE.pattern, badness.BADNESS_RE.flags)
    if len(parsed) != 1 or parsed[0][0] is not C.BRANCH:
        raise ValueError("unexpected shape of ftfy's badness pattern")
    anchors: set[str] = set()
    for branch in parsed[0][1][1]:
        classes = [
            chars
            for op, av in branch
            if (chars := _positive_class(op, av)) and not any(c.isascii() for c in chars)
        ]
        if not classes:
            raise ValueError("an alternative of ftfy's badness pattern has no anchor")
        anchors |= min(classes, key=lambda chars: (len(chars & _FREQUENT), len(chars)))
    return frozenset(anchors)


def _fixer_characters() -> frozenset[str]:
    """Characters ftfy's other fixes act on."""
    from ftfy import chardata

    chars = set("&\x1b")  # HTML entities, terminal escapes
    chars.update(chr(code) for code in range(0x80, 0xA0))  # C1 controls
    chars.update(chr(code) for code in range(0xD800, 0xE000))  # surrogates
    for table in (chardata.LIGATURES, chardata.WIDTH_MAP, chardata.CONTROL_CHARS):
        chars.update(chr(code) for code in table)
    return frozenset(chars)


def _suspect_characters() -> frozenset[str] | None:
    try:
        return _anchor_characters() | _fixer_characters()
    except (AttributeError, ImportError, IndexError, TypeError, ValueError):
        return None


SUSPECT = _suspect_characters()


def ftfy_may_change(text: str) -> bool:
    """False when ftfy certainly returns `text` unchanged (and finds no mojibake in it)."""
    if SUSPECT is None:
        return not text.isascii() or "&" in text or not text.isprintable()
    return not SUSPECT.isdisjoint(text) or not unicodedata.is_normalized("NFC", text)


def mojibake_possible(text: str) -> bool:
    """False when ftfy's mojibake detector (`is_bad`) certainly finds nothing in `text`."""
    return SUSPECT is None or not SUSPECT.isdisjoint(text)

"""Line features the rules test: words, sentence shape, stopword density, script and
language."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from flows.extract.cleaning.line_table import DEBRIS, python_matches
from flows.extract.cleaning.lines import _Line, _State
from flows.extract.cleaning.patterns import (
    _ASCII_LETTER,
    _CLOSERS,
    _NON_ASCII_LETTER,
    _TERMINAL,
    _WITHOUT_ASCII_LETTERS,
    _WORD,
)

# -- line features -------------------------------------------------------------------------

_ASCII_NON_LETTERS = bytes(
    code for code in range(128) if chr(code).translate(_WITHOUT_ASCII_LETTERS)
)


def matches(state: _State, text: str, rules: int) -> bool:
    """Whether a rule set of seeds/boilerplate_patterns.csv (a line_table bit) matches the
    line: the chunk's table answers when it holds the text, else Python (once per text)."""
    leftover = False
    if state.table.bits & rules:
        flags = state.table.flags.get(text)
        if flags is not None:
            if flags & rules:
                return True
            if not state.table.leftover & rules:
                return False
            leftover = True  # only the rule set's patterns Rust cannot run are left to try
    key = (rules, text)
    found = state.tested.get(key)
    if found is None:
        found = python_matches(state.patterns, rules, text, leftover)
        state.tested[key] = found
    return found


@lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    """The words of a line (cached: every step looks at the same lines)."""
    return tuple(_WORD.findall(text))


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS).endswith(_TERMINAL)


def _teaser_end(text: str) -> bool:
    """A link teaser cut with an ellipsis ("... as parliament passes…"): not a sentence end."""
    stripped = text.rstrip()
    for mark in ("…", "..."):
        if stripped.endswith(mark):
            before = stripped[: -len(mark)]
            return bool(before) and before[-1].isalnum()
    return False


def _sentence_end(text: str) -> bool:
    """Ends as a sentence does, and not with a teaser's ellipsis."""
    return _ends_sentence(text) and not _teaser_end(text)


def _title_case(text: str, stopwords: frozenset[str]) -> bool:
    """Headline capitalisation: every word but the function words starts upper-case."""
    words = _words(text)
    if len(words) < 3:
        return False
    lower = [w for w in words if w[:1].islower() and w.lower() not in stopwords]
    return not lower


def _starts_lower(text: str) -> bool:
    first = text.lstrip(_CLOSERS + "“‘(")[:1]
    return first.islower() or first.isdigit()


@lru_cache(maxsize=8192)
def _stop_density(text: str, stopwords: frozenset[str]) -> float:
    """Share of function words among the words of a line (cached like _words)."""
    return _share_of_stopwords(_words(text), stopwords)


def _share_of_stopwords(words: Sequence[str], stopwords: frozenset[str]) -> float:
    if not words:
        return 0.0
    return sum(map(stopwords.__contains__, map(str.lower, words))) / len(words)


def _script(text: str) -> str | None:
    """Dominant writing system of the letters in `text` (on a tie, the one met first)."""
    counts: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    # ASCII letters are Latin: count them in one go, then look at the other letters
    # (usually a few accented ones) one by one.
    if text.isascii():  # the usual line: Latin when it holds a letter
        return "latin" if _ASCII_LETTER.search(text) else None
    # (the ASCII bytes of the text without those that are no letter: a str translate table
    # is far slower on a long line)
    ascii_letters = len(text.encode("ascii", "ignore").translate(None, _ASCII_NON_LETTERS))
    if ascii_letters:
        counts["latin"] = ascii_letters
        first_seen["latin"] = _first_ascii_letter(text)
    if _BEYOND_BMP.search(text) is None:  # the usual text: each script's letters in one scan
        for script, letters in _script_letters():
            found = letters.search(text)
            if found is not None:
                counts[script] = counts.get(script, 0) + len(letters.findall(text))
                # (an accented Latin letter can come before the first ASCII one)
                first_seen[script] = min(first_seen.get(script, found.start()), found.start())
        return max(counts, key=lambda script: (counts[script], -first_seen[script]), default=None)
    for match in _NON_ASCII_LETTER.finditer(text):
        if match.group().isalpha():  # the class also holds a few non-letters ("²")
            script = _letter_script(ord(match.group()))
            counts[script] = counts.get(script, 0) + 1
            first_seen[script] = min(first_seen.get(script, match.start()), match.start())
    if not counts:
        return None
    return max(counts, key=lambda script: (counts[script], -first_seen[script]))


def _first_ascii_letter(text: str) -> int:
    """Offset of the first ASCII letter (the caller knows there is one)."""
    match = _ASCII_LETTER.search(text)
    return match.start() if match else -1


_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _script_letters() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """For each writing system of `_letter_script`, a character class of its letters in the
    Basic Multilingual Plane beyond ASCII: the characters of _NON_ASCII_LETTER that are
    letters (`str.isalpha`), worked out once by asking both of every code point."""
    groups: dict[str, list[int]] = {}
    for code in range(0x80, 0x10000):
        char = chr(code)
        if char.isalpha() and _NON_ASCII_LETTER.fullmatch(char):
            groups.setdefault(_letter_script(code), []).append(code)
    return tuple((script, re.compile(_char_class(codes))) for script, codes in groups.items())


def _char_class(codes: list[int]) -> str:
    """A regex character class of the (ascending) code points, as ranges."""
    parts, start = [], codes[0]
    for previous, code in zip(codes, [*codes[1:], -1], strict=True):
        if code != previous + 1:
            parts.append(re.escape(chr(start)) + "-" + re.escape(chr(previous)))
            start = code
    return "[" + "".join(parts) + "]"


def _letter_script(code: int) -> str:
    """Writing system of one letter, by code point."""
    if 0x0400 <= code <= 0x052F:
        return "cyrillic"
    if 0x0590 <= code <= 0x08FF or 0xFB1D <= code <= 0xFEFF:
        return "arabic"
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    return "other"


def _is_foreign(state: _State, text: str) -> bool:
    """Another script than the article's, or Azerbaijani/Turkish-looking text in English.

    Remembered per document: several steps ask about the same lines, and the verdict only
    depends on the line and on the document's script and language (set by _profile first).
    """
    verdict = state.foreign.get(text)
    if verdict is None:
        verdict = state.foreign[text] = _judge_foreign(state, text)
    return verdict


def _judge_foreign(state: _State, text: str) -> bool:
    """The verdict of _is_foreign, worked out."""
    script = _script(text)
    if script is None:
        return False
    if script != state.script:
        return True
    if not (state.english and script == "latin"):
        return False
    letters = state.patterns.foreign_letters
    ascii_text = text.isascii() and not _has_ascii(letters)  # then no letter can be in it
    marks = 0 if ascii_text else sum(text.count(letter) for letter in letters)
    density = _stop_density(text, state.patterns.stopwords)
    if marks >= 2 and density < 0.15:
        return True
    # Name-heavy English ("Aliyev and Raisi. IRNA", "Davutoğlu hosts ...") has few function
    # words too: only a line without any English function word goes to the identifier.
    if density > 0 or len(_words(text)) < (2 if marks else 3):
        return False
    return _identified_foreign(text, state.patterns.languages)


@lru_cache(maxsize=16)
def _has_ascii(letters: frozenset[str]) -> bool:
    return any(letter.isascii() for letter in letters)


@lru_cache(maxsize=4096)
def _identified_foreign(text: str, languages: tuple[str, ...]) -> bool:
    """lingua, restricted to the region's languages, is confident the line is not English."""
    detector = _detector(languages)
    if detector is None:
        return False
    confidences = {
        c.language.name: c.value for c in detector.compute_language_confidence_values(text)
    }
    best = max(confidences, key=confidences.__getitem__)
    return best != "ENGLISH" and confidences[best] >= 0.7 and confidences.get("ENGLISH", 0) < 0.1


@lru_cache(maxsize=4)
def _detector(languages: tuple[str, ...]):
    """A lingua detector over the seeded languages (None when fewer than two are named)."""
    from lingua import Language, LanguageDetectorBuilder

    chosen = [getattr(Language, name) for name in languages if hasattr(Language, name)]
    if len(chosen) < 2:
        return None
    return LanguageDetectorBuilder.from_languages(*chosen).build()


def _story_like(state: _State, text: str) -> bool:
    """A line that reads as a sentence of the story (jusText's 'good' paragraph)."""
    # the cheap tests first: _is_foreign may run the language identifier
    if len(_words(text)) < 8 or not _sentence_end(text) or _is_foreign(state, text):
        return False
    return not state.english or _stop_density(text, state.patterns.stopwords) >= 0.2


def _profile(state: _State) -> None:
    """Decide the article's script/language and whether it is hard-wrapped."""
    long_lines = [ln.text for ln in state.lines if len(_words(ln.text)) >= 6] or [
        ln.text for ln in state.lines
    ]
    joined = " ".join(long_lines)
    state.script = _script(joined) or "latin"
    # not through the caches: a whole document would sit in them long after it is done
    state.english = _share_of_stopwords(_WORD.findall(joined), state.patterns.stopwords) >= 0.2
    content = [ln.text for ln in state.lines if len(_words(ln.text)) >= 3]
    if state.html or len(content) < 4:
        return
    lengths = sorted(len(t) for t in content)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    open_ended = sum(len(t) >= 0.6 * width and not _ends_sentence(t) for t in content)
    state.hard_wrapped = width <= 110 and open_ended >= 2 and open_ended / len(content) >= 0.3
    state.wrap_width = width


def _furniture_reason(state: _State, line: _Line) -> str:
    if matches(state, line.text, DEBRIS):
        return "boilerplate"
    return "foreign_language" if _is_foreign(state, line.text) else "tail"


def _joins(state: _State, first: _Line, second: _Line) -> bool:
    """Whether `second` continues the paragraph of `first` (no blank line between them)."""
    if state.html or first.tag.startswith("h") or second.tag.startswith("h"):
        return False
    open_ended = not _ends_sentence(first.text)
    if open_ended and (_starts_lower(second.text) or first.text.endswith((",", "-", "–", "("))):
        return True
    if not state.hard_wrapped or second.indent > first.indent:
        return False
    return open_ended or len(first.text) >= 0.8 * state.wrap_width

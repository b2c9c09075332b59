"""Quotation-mark spans of an article (across paragraphs when a quotation runs on), the
filters that drop headings, scare quotes and titles, and colon-introduced speech. Also the
speech-verb vocabulary from seeds/."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flows.extract.people import PeopleDirectory
from flows.extract.regexes import phrase_alternation
from flows.extract.seeds import read_seed_csv
from flows.records import Mention
from flows.settings import PROJECT_ROOT

_OPENERS = {"“": "open", "«": "open", "„": "open", "”": "close", "»": "close"}
# two curly apostrophes typed for one double mark ("“... investment.’’", "‘‘...’’")
_DOUBLED = {"‘‘": "open", "’’": "close"}
# any double quotation mark, and two apostrophes used as one ('' ... '')
_MARK = re.compile("''|‘‘|’’|[" + re.escape("".join(_OPENERS) + '"') + "]")
_OPEN_CONTEXT = set(" \t([{—–-:/\u00a0")
_LOOKAHEAD_PARAGRAPHS = 40  # longest letter/speech we join into one quotation
_SCARE_MAX_WORDS = 3
_MIN_QUOTE_WORDS = 3  # a quoted fragment of one or two words is never a quotation
_HEADING_MAX_WORDS = 12
_VERB_WINDOW = 80  # characters around a short quote searched for a speech verb
_SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)[.!?]\s+(?=[A-Z“\"])")
_PRONOUN = re.compile(r"\b([Hh]e|[Ss]he)\b")
_WORD = re.compile(r"[\w'’\-]+|[^\w\s]")
_COLON_SPEECH_MIN_WORDS = 4
_APPOSITION_MAX_WORDS = 16
_DASH_LEAD = re.compile(r"^\s*[–—\-•]\s*")
_RELATIVE = re.compile(r"\bwho\s+(?:\w+\s+){0,2}$")


@dataclass(frozen=True, slots=True)
class _Mark:
    pos: int
    kind: str  # open | close
    size: int = 1  # characters of the mark: 2 for ''


@dataclass(slots=True)
class _Span:
    first: int  # paragraph of the opening mark
    start: int  # offset of the text after the opening mark
    last: int  # paragraph of the closing mark (or where the quote runs out)
    end: int  # offset of the closing mark in `last` (or its length)
    closed: bool
    colon: bool = False  # speech introduced by "X said:" without marks


@dataclass(frozen=True, slots=True)
class _Verbs:
    regex: re.Pattern[str]
    speaker_follows: frozenset[str]
    object_markers: frozenset[str]
    document_nouns: frozenset[str]  # "The letter reads:" speaks for the letter's author
    term_markers: re.Pattern[str]  # 'so-called "X"', 'dubbed "X"': a name, not speech
    determiners: frozenset[str]  # 'the "X" railway': a quoted modifier of a noun
    continuations: frozenset[str]  # words that go on a sentence after a quoted fragment


# ----------------------------------------------------------------------------- seeds
@lru_cache(maxsize=8)
def _load_verbs(seeds_dir: Path) -> _Verbs:
    rows = _seed_rows(seeds_dir / "speech_verbs.csv")
    verbs = sorted((r["verb"].strip().lower() for r in rows), key=len, reverse=True)
    follows = frozenset(r["verb"].strip().lower() for r in rows if r.get("speaker_follows") == "1")
    markers = frozenset(
        r["word"].strip().lower() for r in _seed_rows(seeds_dir / "quote_object_markers.csv")
    )
    body = phrase_alternation(verbs, True)  # grouped by first letter: scans ~3x faster
    nouns = frozenset(
        r["word"].strip().lower() for r in _seed_rows(seeds_dir / "quote_document_nouns.csv")
    )
    terms = sorted(
        (r["word"].strip().lower() for r in _seed_rows(seeds_dir / "quote_term_markers.csv")),
        key=len,
        reverse=True,
    )
    term_body = "|".join(r"[\s\-]+".join(map(re.escape, t.split())) for t in terms) or "(?!)"
    function = _seed_rows(seeds_dir / "quote_function_words.csv")
    return _Verbs(
        re.compile(rf"\b(?:{body})\b", re.IGNORECASE),
        follows,
        markers,
        nouns,
        re.compile(rf"\b(?:{term_body})\s*$", re.IGNORECASE),
        frozenset(r["word"].strip().lower() for r in function if r["kind"] == "determiner"),
        frozenset(r["word"].strip().lower() for r in function if r["kind"] == "continuation"),
    )


def _seeds_dir(people: PeopleDirectory) -> Path:
    return people.seeds_dir or PROJECT_ROOT / "seeds"


# ----------------------------------------------------------------------------- marks
def _marks(para: str) -> list[_Mark]:
    """Double quotation marks in a paragraph, each classified as opening or closing."""
    out: list[_Mark] = []
    inside = False
    for mark in _MARK.finditer(para):
        pos, char = mark.start(), mark.group()
        size = len(char)
        kind = _OPENERS.get(char) or _DOUBLED.get(char) or _straight_kind(para, pos, inside, size)
        if char == "“" and inside and _closes_like(para, pos + size):
            kind = "close"  # an opening mark typed for a closing one: '“endorse “ what
        elif char == "”" and not inside and _opens_like(para, pos, size):
            kind = "open"  # a closing mark typed for an opening one: '. ” Throughout …,” he said'
        out.append(_Mark(pos, kind, size))
        inside = kind == "open"
    return out


def _opens_like(para: str, pos: int, size: int) -> bool:
    """A closing-shaped mark that opens a quotation: at the paragraph start or after a
    sentence end, before a capitalised word, with a closing mark later in the paragraph."""
    before = para[:pos].rstrip()
    if before and not before.endswith((".", "!", "?", ":")):
        return False
    word = re.match(r"\s?([A-Z])", para[pos + size :])
    return word is not None and "”" in para[pos + size :]


def _closes_like(para: str, after: int) -> bool:
    """A mark at the end of the paragraph or before a space or punctuation ends a quotation,
    whatever its shape."""
    return after >= len(para) or para[after].isspace() or para[after] in ",.;:!?)"


def _straight_kind(para: str, pos: int, inside: bool, size: int = 1) -> str:
    """A straight mark opens after a space and before a word, closes after a word."""
    before = para[pos - 1] if pos else " "
    after = para[pos + size] if pos + size < len(para) else " "
    if before in _OPEN_CONTEXT and not after.isspace():
        return "open"
    if not before.isspace() and (after.isspace() or not after.isalnum()):
        return "close"
    return "close" if inside else "open"


def _spans(paragraphs: list[str]) -> list[_Span]:
    """Quotation spans; an unclosed mark runs to the paragraph end or over a whole letter."""
    marks = [_marks(p) for p in paragraphs]
    spans: list[_Span] = []
    skip_until = -1
    for i, para in enumerate(paragraphs):
        if i <= skip_until:
            continue
        open_at: int | None = None
        for mark in marks[i]:
            if mark.kind == "open" and open_at is None:
                open_at = mark.pos + mark.size
            elif mark.kind == "close" and open_at is not None:
                spans.append(_Span(i, open_at, i, mark.pos, True))
                open_at = None
        if open_at is None:
            continue
        last = _continuation_end(marks, i)
        if last is None:
            spans.append(_Span(i, open_at, i, len(para.rstrip()), False))
        else:
            close = next(m.pos for m in marks[last] if m.kind == "close")
            spans.append(_Span(i, open_at, last, close, True))
            skip_until = last
    return spans


def _continuation_end(marks: list[list[_Mark]], first: int) -> int | None:
    """Last paragraph of a quotation opened in `first` and closed in a later paragraph."""
    for j in range(first + 1, min(len(marks), first + 1 + _LOOKAHEAD_PARAGRAPHS)):
        kinds = [m.kind for m in marks[j]]
        if not kinds:
            continue  # a paragraph of the letter with no marks at all
        if kinds[0] == "close":
            return j
        # Classic style: every continued paragraph reopens at its start.
        if kinds[0] == "open" and marks[j][0].pos == 0:
            if "close" in kinds:
                return j
            continue
        return None
    return None


# ----------------------------------------------------------------------------- filters
def _span_text(paragraphs: list[str], span: _Span) -> str:
    if span.first == span.last:
        return paragraphs[span.first][span.start : span.end]
    parts = [paragraphs[span.first][span.start :]]
    parts += [p.lstrip('“"«„') for p in paragraphs[span.first + 1 : span.last]]
    parts.append(paragraphs[span.last][: span.end].lstrip('“"«„'))
    return "\n\n".join(parts)


def _clean_text(text: str) -> str:
    # The comma of '“..., ” he said' belongs to the attribution, not to the words spoken.
    return text.strip().rstrip(",;:").strip()


def _is_heading(para: str, span: _Span, text: str) -> bool:
    """A short paragraph that is nothing but a quotation, without sentence punctuation,
    closed on the line (a quotation left open ran to where the page was cut)."""
    whole = para.strip().strip("“”\"«»„‘’'").strip()
    return (
        span.closed  # a heading is quoted whole; an open mark was cut off with its speech
        and span.first == span.last
        and whole == text.strip()
        and len(text.split()) <= _HEADING_MAX_WORDS
        and not re.search(r"[.!?]$", text.strip())
    )


def _is_scare_or_title(para: str, span: _Span, raw: str, verbs: _Verbs) -> bool:
    """A term, not speech: after "so-called"/"dubbed", a quoted modifier of the next noun
    ('the "Astara-Astara" railway'), a Title-Cased name of a work, or 1–3 words outside
    reported speech ("unwanted" tensions vs. he said it was “the best mechanism” for)."""
    words = raw.split()
    lead = para[: span.start - 1].rstrip()
    if span.first == span.last and (verbs.term_markers.search(lead) or _NAMED_BY.search(lead)):
        return True
    if span.first == span.last and _is_modifier(para, span, raw, verbs):
        return True
    titled = (
        len(words) <= 8
        and all(w[:1].isupper() or w[:1].isdigit() or w.lower() in _SMALL for w in words)
        and any(w[:1].isupper() for w in words)  # "Investment Forum 2024": a year is a name's
    )
    if len(words) > _SCARE_MAX_WORDS and not titled:
        return False
    lo = _sentence_start(para, span.start)
    hi = _SENTENCE_END.search(para, span.end)
    sentence = para[lo : hi.start() + 1 if hi else len(para)]
    spoken = raw.rstrip()[-1:] in ",.!?" or lead.endswith((":", ","))
    if not titled and verbs.regex.search(para, lo, span.start):
        return False  # a fragment inside reported speech: "X said it was “the best”"
    attributed_after = verbs.regex.search(sentence, span.end - lo) is not None
    if not titled and len(words) >= _MIN_QUOTE_WORDS and attributed_after:
        return False  # '... go to “the next level”, despite ..., the prime minister says.'
    return not (verbs.regex.search(sentence) and spoken)


def _is_modifier(para: str, span: _Span, raw: str, verbs: _Verbs) -> bool:
    """'the “one nation, two states” motto': a quoted phrase qualifying the noun after it."""
    if raw.rstrip()[-1:] in ",.!?;:":
        return False
    after = re.match(r"\s+([a-z][\w\-]*)", para[span.end + 1 :])
    if after is None or after.group(1) in verbs.continuations:
        return False
    before = re.search(r"([\w\-]+)\s*$", para[: span.start - 1])
    determined = before is not None and before.group(1).lower() in verbs.determiners
    return determined or len(raw.split()) <= _SCARE_MAX_WORDS


_SMALL = {"of", "the", "and", "in", "on", "a", "an", "for", "to", "at", "with"}
# the name of a theme, slogan or work: 'The theme of the summit is “...”', 'under the motto “'
_NAMED_BY = re.compile(
    r"\b(?:theme|slogan|motto|title|tagline|hashtag|banner)\b[^.“”\"]{0,40}?"
    r"\b(?:is|was|reads|read)\s*:?\s*$|\b(?:under|with|bearing) the (?:theme|slogan|motto|title|"
    r"banner|name)(?: of)?\s*:?\s*$",
    re.I,
)


# ----------------------------------------------------------------------------- subjects
def _sentence_start(para: str, pos: int) -> int:
    """Where the sentence holding `pos` starts: the last sentence end at or before `pos`
    (a word opening its sentence is in that sentence, not the one before)."""
    ends = _sentence_ends(para)
    return ends[at - 1] if (at := bisect_right(ends, pos)) else 0


def _sentence_ends(para: str) -> list[int]:
    """End of every _SENTENCE_END match in the paragraph, memoised (a paragraph is asked
    about many positions). Searching only up to `pos + 1`, as a look-ahead at `pos` needs,
    finds exactly the matches of the whole paragraph that end at or before `pos`."""
    ends = _ENDS_MEMO.get(para)
    if ends is None:
        if len(_ENDS_MEMO) >= 1024:
            _ENDS_MEMO.clear()
        ends = _ENDS_MEMO[para] = [m.end() for m in _SENTENCE_END.finditer(para)]
    return ends


_ENDS_MEMO: dict[str, list[int]] = {}


# ----------------------------------------------------------------------------- colon speech
def _colon_spans(
    paragraphs: list[str], marks_free: set[int], verbs: _Verbs, mentions: list[Mention]
) -> list[_Span]:
    """'Raisi said: We will ...', 'Raisi said:' then a paragraph, 'Raisi: We will ...' (an
    interview), all without quotation marks."""
    out = []
    for i in sorted(marks_free):
        para = paragraphs[i]
        span = _introduced_paragraph(paragraphs, i, verbs) or _interview_answer(para, i, mentions)
        if span:
            out.append(span)
            continue
        for colon in re.finditer(r":\s+(?=[A-Z])", para):
            head = para[: colon.start()]
            verb = verbs.regex.search(head[-20:])
            rest = para[colon.end() :]
            if (
                verb
                and head.endswith(verb.group(0))
                and len(rest.split()) >= _COLON_SPEECH_MIN_WORDS
            ):
                out.append(_Span(i, colon.end(), i, len(para.rstrip()), True, colon=True))
                break
    return out


def _introduced_paragraph(paragraphs: list[str], i: int, verbs: _Verbs) -> _Span | None:
    """A whole paragraph after one ending in 'X said:' ("– Dear Mr. President, ...")."""
    if i == 0:
        return None
    head = paragraphs[i - 1].rstrip()
    verb = verbs.regex.search(head[-24:])
    if not head.endswith(":") or verb is None or not head[:-1].rstrip().endswith(verb.group(0)):
        return None
    para = paragraphs[i]
    lead = _DASH_LEAD.match(para)
    start = lead.end() if lead else 0
    if len(para[start:].split()) < _COLON_SPEECH_MIN_WORDS:
        return None
    return _Span(i, start, i, len(para.rstrip()), True, colon=True)


def _interview_answer(para: str, i: int, mentions: list[Mention]) -> _Span | None:
    """'Heydar Aliyev: The summit ... adopted.' A person's name, a colon, then sentences (a
    headline 'Zarif: Iran will not yield' has no final stop and is not speech)."""
    head = next((m for m in mentions if m.paragraph_no == i and m.start <= 2), None)
    if head is None:
        return None
    colon = re.match(r"\s*:\s+", para[head.end :])
    if colon is None:
        return None
    start = head.end + colon.end()
    rest = para[start:].rstrip()
    if len(rest.split()) < _COLON_SPEECH_MIN_WORDS or not re.search(r"[.!?]$", rest):
        return None
    return _Span(i, start, i, len(rest) + start, True, colon=True)


def _seed_rows(path: Path) -> list[dict[str, str]]:
    """A seed CSV's rows as written; a missing file is none."""
    return read_seed_csv(path, strip=False, optional=True)

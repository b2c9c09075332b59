"""Direct quotations in an article body, with the speaker they are attributed to.

Pipeline for one document: find quotation-mark spans (across paragraphs when a quotation
runs on), drop headings, scare quotes and titles, then attribute each span to a speaker:
an attribution right after the closing mark wins ("..., " the Azeri leader warned), else the
subject of the clause holding the speech verb before the opening mark, else the subject
carried over from earlier text (pronouns, letters introduced by "as follows:").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from flows.extract.people import PeopleDirectory
from flows.extract.seeds import read_seed_csv
from flows.records import Mention, Quote
from flows.settings import PROJECT_ROOT

_OPENERS = {"“": "open", "«": "open", "„": "open", "”": "close", "»": "close"}
_MARK = re.compile("[" + re.escape("".join(_OPENERS) + '"') + "]")  # any double quotation mark
_OPEN_CONTEXT = set(" \t([{—–-:/\u00a0")
_LOOKAHEAD_PARAGRAPHS = 40  # longest letter/speech we join into one quotation
_SCARE_MAX_WORDS = 3
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
    body = "|".join(r"\s+".join(map(re.escape, v.split())) for v in verbs)
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
        kind = _OPENERS[char] if char in _OPENERS else _straight_kind(para, pos, inside)
        out.append(_Mark(pos, kind))
        inside = kind == "open"
    return out


def _straight_kind(para: str, pos: int, inside: bool) -> str:
    """A straight mark opens after a space and before a word, closes after a word."""
    before = para[pos - 1] if pos else " "
    after = para[pos + 1] if pos + 1 < len(para) else " "
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
                open_at = mark.pos + 1
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
    """A short paragraph that is nothing but a quotation, without sentence punctuation."""
    whole = para.strip().strip("“”\"«»„‘’'").strip()
    return (
        span.first == span.last
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
    if span.first == span.last and verbs.term_markers.search(lead):
        return True
    if span.first == span.last and _is_modifier(para, span, raw, verbs):
        return True
    titled = len(words) <= 8 and all(w[:1].isupper() or w.lower() in _SMALL for w in words)
    if len(words) > _SCARE_MAX_WORDS and not titled:
        return False
    lo = _sentence_start(para, span.start)
    hi = _SENTENCE_END.search(para, span.end)
    sentence = para[lo : hi.start() + 1 if hi else len(para)]
    spoken = raw.rstrip()[-1:] in ",.!?" or lead.endswith((":", ","))
    if not titled and verbs.regex.search(para, lo, span.start):
        return False  # a fragment inside reported speech: "X said it was “the best”"
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


# ----------------------------------------------------------------------------- subjects
def _sentence_start(para: str, pos: int) -> int:
    starts = [m.end() for m in _SENTENCE_END.finditer(para, 0, pos)]
    return starts[-1] if starts else 0


def _is_object(para: str, mention: Mention, verbs: _Verbs) -> bool:
    """Whether a mention sits after a preposition or object-taking verb ("met with X")."""
    if para[mention.end : mention.end + 2] in ("'s", "’s"):
        return True  # possessive: "Raisi's visit"
    tokens = _WORD.findall(para[: mention.start])[-10:]
    k = len(tokens) - 1
    while k >= 0:
        token = tokens[k]
        if token in {",", ";", "(", ")", "—", "–", ":", "."}:
            return False
        link = k
        while link >= 0 and tokens[link] in _TITLE_LINKS:
            link -= 1
        if token[:1].isupper() or (link < k and link >= 0 and tokens[link][:1].isupper()):
            # Title words and names between marker and mention ("by Iran's President"), and
            # the links inside a title ("President of the Republic of Azerbaijan Ilham Aliyev").
            k = min(k, link) - 1 if link < k else k - 1
            continue
        if token.lower() in _DETERMINERS:
            k -= 1
            continue  # "invited the Iranian president"
        return token.lower() in verbs.object_markers
    return False


_DETERMINERS = {"the", "his", "her", "their", "its", "a", "an"}


_TITLE_LINKS = {"of", "the", "and", "for"}


def _subjects(para: str, mentions: list[Mention], verbs: _Verbs) -> list[Mention]:
    """Mentions that can be the subject of a clause, appositions inheriting the status."""
    out: list[Mention] = []
    previous: Mention | None = None
    previous_object = False
    for m in mentions:
        # "Es'haq Jahangiri, Iran's first vice-president": an apposition shares the status.
        appositive = (
            previous is not None
            and previous.person == m.person
            and 0 <= m.start - previous.end <= 3
        )
        is_object = previous_object if appositive else _is_object(para, m, verbs)
        if not is_object:
            out.append(m)
        previous, previous_object = m, is_object
    return out


@dataclass(slots=True)
class _Context:
    """What the attribution of one paragraph needs to know."""

    para: str
    mentions: list[Mention]  # outside quotations, in order
    subjects: list[Mention]
    carried: str | None  # subject carried over from earlier paragraphs
    people: PeopleDirectory
    verbs: _Verbs


def _pronoun_referent(ctx: _Context, pos: int, pronoun: str) -> str | None:
    """Nearest earlier subject in the paragraph with a compatible gender, else the carried one."""
    gender = "f" if pronoun.lower() == "she" else "m"
    for m in reversed([s for s in ctx.subjects if s.end <= pos]):
        if ctx.people.gender_of(m.person) in (gender, None):
            return m.person
    return ctx.carried


def _clause_subject(ctx: _Context, lo: int, hi: int) -> str | None:
    """First subject (name, title or pronoun) in para[lo:hi]."""
    candidates: list[tuple[int, str | None]] = [
        (m.start, m.person) for m in ctx.subjects if lo <= m.start and m.end <= hi
    ]
    for match in _PRONOUN.finditer(ctx.para, lo, hi):
        candidates.append((match.start(), _pronoun_referent(ctx, match.start(), match.group(1))))
    candidates.sort(key=lambda c: c[0])
    return candidates[0][1] if candidates else None


def _mention_at(ctx: _Context, lo: int, hi: int) -> Mention | None:
    return next((m for m in ctx.mentions if lo <= m.start < hi), None)


# ----------------------------------------------------------------------------- attribution
def _post_attribution(ctx: _Context, close: int) -> tuple[str | None, str] | None:
    """'..., ” Raisi said' / '..., ” said Raisi' / '..., ” he added' right after the close."""
    after_start = close + 1
    tail = ctx.para[after_start : after_start + _VERB_WINDOW]
    stop = re.search(r"[.!?;:“\"]", tail)
    clause = tail[: stop.start()] if stop else tail
    verb = ctx.verbs.regex.search(clause)
    lo, hi = after_start, after_start + len(clause)
    first = _mention_at(ctx, lo, lo + 2)
    # '..., ” Hikmat Hajiyev, foreign policy adviser to President Ilham Aliyev, told Reuters':
    # the name opening the clause is the speaker however long its apposition.
    appositive = first is not None and ctx.para[first.end : first.end + 1] == ","
    # '..., ” Iranian foreign ministry spokesman Hamid Reza Asefi told': a long title is fine
    # when the name ends right before the verb.
    named = verb is not None and any(
        lo <= m.start and not ctx.para[m.end : after_start + verb.start()].strip()
        for m in ctx.mentions
    )
    limit = _APPOSITION_MAX_WORDS if appositive or named else 6
    if verb is None or len(clause[: verb.start()].split()) > limit:
        return None
    if appositive and first is not None:
        return first.person, verb.group(0).lower()
    before_verb = _mention_at(ctx, lo, after_start + verb.start())
    after_verb = _mention_at(ctx, after_start + verb.end(), hi)
    pronoun = _PRONOUN.search(clause[: verb.start()])
    if before_verb:
        return before_verb.person, verb.group(0).lower()
    if pronoun:
        return _pronoun_referent(ctx, lo, pronoun.group(1)), verb.group(0).lower()
    if after_verb:
        return after_verb.person, verb.group(0).lower()
    return None


def _pre_attribution(ctx: _Context, open_pos: int) -> tuple[str | None, str | None, bool]:
    """Speaker and verb from the clause before the opening mark, and whether a missing
    speaker may be inherited from earlier text (no verb, or a verb without its own subject:
    "..., saying", "and added")."""
    lo = _sentence_start(ctx.para, open_pos)
    verbs = list(ctx.verbs.regex.finditer(ctx.para, lo, open_pos))
    if not verbs:
        return None, None, True
    verb = verbs[-1]
    word = " ".join(verb.group(0).lower().split())
    if word in ctx.verbs.speaker_follows:
        mention = _mention_at(ctx, verb.end(), open_pos)
        return (mention.person if mention else None), word, False
    lead = ctx.para[lo : verb.start()]
    if _RELATIVE.search(lead):
        # "..., President Ilham Aliyev, who said, “...”": the relative pronoun's antecedent.
        antecedent = [m for m in ctx.mentions if lo <= m.start and m.end <= verb.start()]
        if antecedent:
            return antecedent[-1].person, word, False
    if word.endswith("ing") and _document_participle(lead, ctx.verbs):
        return None, word, False  # "handed him a note describing it as “...”": no person
    coordinated = word.endswith("ing") or re.search(r"\b(?:and|then)\s*$", lead) is not None
    inherit = coordinated or not re.search(r"\w", lead) or _is_document(lead, ctx.verbs)
    # "Addressing the crowd alongside Ilham Aliyev, the Turkish leader said": the subject
    # right before the verb, after the last comma, beats the first name in the sentence.
    comma = lead.rfind(",")
    # ("..., invited the Iranian president to Baku and said" keeps its first subject).
    near = (
        _clause_subject(ctx, lo + comma + 1, verb.start())
        if comma >= 0 and not coordinated
        else None
    )
    return near or _clause_subject(ctx, lo, verb.start()), word, inherit


def _document_participle(lead: str, verbs: _Verbs) -> bool:
    """'... a note describing': the participle's subject is an unattributed document."""
    words = re.findall(r"[\w\-]+", lead.lower())[-3:]
    return bool(words) and words[-1] in verbs.document_nouns and "the" not in words[:-1]


def _is_document(lead: str, verbs: _Verbs) -> bool:
    """'The letter reads:' / 'The full text of his message reads:': a definite document
    speaks for its author; 'A statement posted online read:' has no known author."""
    words = re.findall(r"[\w\-]+", lead.lower())
    if not words or words[0] not in {"the", "this", "his", "her", "its", "their"}:
        return False
    return any(w in verbs.document_nouns for w in words)


def _attribute(
    ctx: _Context, span: _Span, previous: _Context | None
) -> tuple[str | None, str | None]:
    """Speaker and speech verb of one quotation."""
    if span.closed and span.first == span.last:
        post = _post_attribution(ctx, span.end)
        if post and post[0]:
            return post
    speaker, verb, inherit = _pre_attribution(ctx, span.start - 1)
    if verb is None and previous is not None and _introduced(ctx, span, previous):
        # "the Turkish leader said:" ends the paragraph before the speech.
        ctx, at = previous, len(previous.para.rstrip())
        speaker, verb, inherit = _pre_attribution(ctx, at)
    else:
        at = span.start
    if speaker is None and inherit:
        # No subject of its own ("Officials say" has one): the nearest earlier subject, else
        # the one carried over from earlier paragraphs.
        earlier = [s for s in ctx.subjects if s.end <= at]
        speaker = earlier[-1].person if earlier else ctx.carried
    return speaker, verb


def _introduced(ctx: _Context, span: _Span, previous: _Context) -> bool:
    """Whether the quote opens its paragraph right after one that ends in a colon."""
    opens = not re.search(r"\w", ctx.para[: span.start])
    return opens and previous.para.rstrip().endswith(":")


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


# ----------------------------------------------------------------------------- public
def extract_quotes(
    paragraphs: list[str],
    people: PeopleDirectory,
    on: date | None,
    mentions: list[Mention] | None = None,
) -> list[Quote]:
    """Direct quotations in `paragraphs`, each attributed to a canonical speaker where possible."""
    verbs = _load_verbs(_seeds_dir(people))
    if mentions is None:
        mentions = people.find_mentions(paragraphs, on)
    spans = _kept_spans(paragraphs, verbs, mentions)
    outside = [m for m in mentions if not _inside_any(m, spans)]
    quotes: list[Quote] = []
    carried: str | None = None
    previous: _Context | None = None
    for i, para in enumerate(paragraphs):
        para_mentions = [m for m in outside if m.paragraph_no == i]
        subjects = _subjects(para, para_mentions, verbs)
        ctx = _Context(para, para_mentions, subjects, carried, people, verbs)
        for span in (s for s in spans if s.first == i):
            quotes.append(_make_quote(paragraphs, span, ctx, previous))
        carried = _carry(ctx, quotes, i)
        previous = ctx
    return quotes


def _kept_spans(paragraphs: list[str], verbs: _Verbs, mentions: list[Mention]) -> list[_Span]:
    spans = []
    for span in _spans(paragraphs):
        raw = _span_text(paragraphs, span)
        text = _clean_text(raw)
        para = paragraphs[span.first]
        if not text or _is_heading(para, span, text) or _is_scare_or_title(para, span, raw, verbs):
            continue
        spans.append(span)
    covered = {p for s in spans for p in range(s.first, s.last + 1)}
    free = {i for i, p in enumerate(paragraphs) if i not in covered and not _marks(p)}
    spans += _colon_spans(paragraphs, free, verbs, mentions)
    return sorted(spans, key=lambda s: (s.first, s.start))


def _inside_any(m: Mention, spans: list[_Span]) -> bool:
    for s in spans:
        after_open = (m.paragraph_no, m.start) >= (s.first, s.start)
        before_close = (m.paragraph_no, m.end) <= (s.last, s.end)
        if after_open and before_close:
            return True
    return False


def _make_quote(
    paragraphs: list[str], span: _Span, ctx: _Context, previous: _Context | None
) -> Quote:
    text = _span_text(paragraphs, span)
    speaker, verb = _attribute(ctx, span, previous)
    cleaned = _clean_text(text)
    offset = span.start + (len(text) - len(text.lstrip()))
    return Quote(
        paragraph_no=span.first,
        start=offset,
        text=cleaned,
        speaker=speaker,
        attribution_verb=verb,
        is_partial=_is_partial(ctx.para, span, cleaned, ctx.verbs),
        end_paragraph_no=span.last if span.last != span.first else None,
    )


def _is_partial(para: str, span: _Span, text: str, verbs: _Verbs) -> bool:
    """A fragment woven into reported speech: it starts in lower case ("... and “must be"),
    or the sentence runs straight into it without a comma or colon ('described it as
    “Azerbaijan's closest partner”', 'said that “Iran ...”') — but 'said “We ...”' is whole."""
    if span.colon:
        return False
    if text[:1].islower():
        return True
    lead = para[: span.start - 1].rstrip()
    if span.first != span.last or not lead or lead[-1:] in ",:;.!?—–-([":
        return False
    last = re.search(r"([\w'’\-]+)$", lead)
    return last is not None and not verbs.regex.fullmatch(last.group(1))


def _carry(ctx: _Context, quotes: list[Quote], index: int) -> str | None:
    """Subject to carry into the next paragraph: the last speaker or clause subject seen."""
    events: list[tuple[int, str | None]] = []
    for q in quotes:
        if q.paragraph_no == index and q.speaker:
            events.append((q.start, q.speaker))
    for s in ctx.subjects:
        if _sentence_start(ctx.para, s.start) == _first_subject_sentence(ctx, s):
            events.append((s.start, s.person))
    events.sort(key=lambda e: e[0])
    return events[-1][1] if events else ctx.carried


def _first_subject_sentence(ctx: _Context, s: Mention) -> int:
    """Sentence start of `s` when it is the first subject of that sentence, else -1."""
    start = _sentence_start(ctx.para, s.start)
    first = next((x for x in ctx.subjects if _sentence_start(ctx.para, x.start) == start), None)
    return start if first is s else -1


def _seed_rows(path: Path) -> list[dict[str, str]]:
    """A seed CSV's rows as written; a missing file is none."""
    return read_seed_csv(path, strip=False, optional=True)

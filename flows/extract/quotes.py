"""Direct quotations in an article body, with the speaker they are attributed to.

Pipeline for one document: find quotation-mark spans (across paragraphs when a quotation
runs on), drop headings, scare quotes and titles, then attribute each span to a speaker:
an attribution right after the closing mark wins ("..., " the Azeri leader warned), else the
subject of the clause holding the speech verb before the opening mark, else the subject
carried over from earlier text (pronouns, letters introduced by "as follows:").
"""

from __future__ import annotations

import re
from datetime import date

from flows.extract.people import PeopleDirectory
from flows.extract.quote_attribution import (
    _Context,
    _institutional,
    _split_speaker,
    _unlisted_speaker,
    _verb_after,
    _verb_before,
)
from flows.extract.quote_sources import (
    _NAME_RUN,
    Sources,
    _untitled,
    fuller_name,
    is_institutional,
    load_sources,
    mask_quotes,
    role_referent,
)
from flows.extract.quote_spans import (
    _APPOSITION_MAX_WORDS,
    _MIN_QUOTE_WORDS,
    _PRONOUN,
    _RELATIVE,
    _VERB_WINDOW,
    _WORD,
    _clean_text,
    _colon_spans,
    _is_heading,
    _is_scare_or_title,
    _load_verbs,
    _marks,
    _seeds_dir,
    _sentence_start,
    _Span,
    _span_text,
    _spans,
    _Verbs,
)
from flows.records import Mention, Quote


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


def _pronoun_referent(ctx: _Context, pos: int, pronoun: str) -> str | None:
    """Nearest earlier subject in the paragraph with a compatible gender, else the carried one."""
    gender = "f" if pronoun.lower() == "she" else "m"
    for m in reversed([s for s in ctx.subjects if s.end <= pos]):
        if ctx.people.gender_of(m.person) in (gender, None):
            return m.person
    if ctx.carried == INSTITUTION:
        return None
    return ctx.carried or (ctx.headline if not ctx.earlier[0] else None)


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
        # "Jane Roe: “...”": a name and a colon opening the paragraph stand for its speaker
        return _colon_speaker(ctx, lo, open_pos), None, True
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


def _colon_speaker(ctx: _Context, lo: int, open_pos: int) -> str | None:
    """ "Jane Roe: “...”": a name and a colon opening the paragraph stand for its speaker."""
    if lo != 0 or not ctx.para[:open_pos].rstrip().endswith(":"):
        return None
    named = _mention_at(ctx, 0, 2)
    if named is not None and re.fullmatch(r"\s*:\s*", ctx.para[named.end : open_pos]):
        return named.person
    lead = ctx.para[:open_pos].rstrip()[:-1].strip()
    if ctx.sources is None or not _NAME_RUN.fullmatch(lead):
        return None
    return _untitled(lead, ctx.sources)


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
        unlisted = _unlisted_speaker(ctx, _verb_after(ctx, span))
        if unlisted[0]:
            return unlisted
    speaker, verb, inherit = _pre_attribution(ctx, span.start - 1)
    if speaker is None and verb is not None:
        unlisted = _unlisted_speaker(ctx, _verb_before(ctx, span.start - 1))
        if unlisted[0]:
            return unlisted
    if verb is None and previous is not None and _introduced(ctx, span, previous):
        # "the Turkish leader said:" ends the paragraph before the speech.
        ctx, at = previous, len(previous.para.rstrip())
        speaker, verb, inherit = _pre_attribution(ctx, at)
        if speaker is None and verb is not None:
            unlisted = _unlisted_speaker(ctx, _verb_before(ctx, at))
            if unlisted[0]:
                return unlisted
    else:
        at = span.start
    if speaker is None and inherit:
        # No subject of its own ("Officials say" has one): the nearest earlier subject, else
        # the one carried over from earlier paragraphs.
        earlier = [s for s in ctx.subjects if s.end <= at]
        speaker = earlier[-1].person if earlier else ctx.carried
    return speaker, verb


def _introduced(ctx: _Context, span: _Span, previous: _Context) -> bool:
    """Whether the quote opens its paragraph right after one that ends in a colon, or in a
    speech verb and a comma ("the Prime Minister said in his address,")."""
    opens = not re.search(r"\w", ctx.para[: span.start])
    head = previous.para.rstrip()
    if head.endswith(","):
        return opens and _verb_before(previous, len(head)) is not None
    return opens and head.endswith(":")


# ----------------------------------------------------------------------------- public
def extract_quotes(
    paragraphs: list[str],
    people: PeopleDirectory,
    on: date | None,
    mentions: list[Mention] | None = None,
    context: list[str] | None = None,
) -> list[Quote]:
    """Direct quotations in `paragraphs`, each attributed to a canonical speaker where possible.

    `context` holds text beside the story (headline, standfirst, photo captions): a speaker
    the story calls only by surname ("Minh said") may be named in full there."""
    verbs = _load_verbs(_seeds_dir(people))
    sources = load_sources(_seeds_dir(people))
    if mentions is None:
        mentions = people.find_mentions(paragraphs, on)
    spans = _kept_spans(paragraphs, verbs, mentions)
    outside = [m for m in mentions if not _inside_any(m, spans)]
    quotes: list[Quote] = []
    carried: str | None = None
    previous: _Context | None = None
    headline = _headline_speaker(context, people, on, sources)
    for i, para in enumerate(paragraphs):
        para_mentions = [m for m in outside if m.paragraph_no == i]
        subjects = _subjects(para, para_mentions, verbs)
        ctx = _Context(para, para_mentions, subjects, carried, people, verbs)
        ctx.masked = mask_quotes(para, _quoted_ranges(paragraphs, spans, i))
        ctx.sources = sources
        ctx.earlier = ([m for m in outside if m.paragraph_no <= i], [*paragraphs, *(context or [])])
        ctx.headline = headline
        before: Quote | None = None
        for span in (s for s in spans if s.first == i):
            source = _institutional(ctx, span)
            if source == "said":
                continue  # an institution's statement: no person's quotation
            quote = _make_quote(paragraphs, span, ctx, previous)
            if quote.speaker == INSTITUTION:
                continue  # no attribution of its own after an institution spoke: its words
            if source == "read":
                quote.speaker = None  # an unsigned document's text speaks for nobody named
            # no speaker or no verb of its own: the attribution of the quotation before it
            unattributed = quote.speaker is None or quote.attribution_verb is None
            split = _split_speaker(ctx, span, before) if unattributed else None
            if split is not None:
                quote.speaker, quote.attribution_verb = split
            quotes.append(quote)
            before = quote
        carried = _carry(ctx, quotes, i)
        previous = ctx
    for quote in quotes:  # "Sheikh Mohamed said" after the full name: the full name
        if quote.speaker:
            quote.speaker = fuller_name(quote.speaker, outside, quote.paragraph_no, sources)
    return quotes


def _headline_speaker(
    context: list[str] | None, people: PeopleDirectory, on: date | None, sources: Sources
) -> str | None:
    """The one person the headline or standfirst names (a known person, or a name led by a
    title: "Foreign Minister Jane Roe Says ..."), for "she said" in a story that names nobody
    else."""
    texts = [text for text in (context or [])[:2] if text]
    if not texts:
        return None
    known = {m.person for m in people.find_mentions(texts, on)}
    if known:
        return known.pop() if len(known) == 1 else None
    names = set()
    for text in texts:
        for run in _NAME_RUN.finditer(text):
            if run.group(0).split()[0].lower().rstrip(".") in sources.title_words:
                name = _untitled(run.group(0), sources)
                if name:
                    names.add(name)
    return names.pop() if len(names) == 1 else None


def _quoted_ranges(paragraphs: list[str], spans: list[_Span], i: int) -> list[tuple[int, int]]:
    """Offsets of the quoted text of every span inside paragraph `i`."""
    ranges = []
    for s in spans:
        if s.first <= i <= s.last:
            start = s.start if s.first == i else 0
            end = s.end if s.last == i else len(paragraphs[i])
            ranges.append((start, end))
    return ranges


def _kept_spans(paragraphs: list[str], verbs: _Verbs, mentions: list[Mention]) -> list[_Span]:
    spans = []
    for span in _spans(paragraphs):
        raw = _span_text(paragraphs, span)
        text = _clean_text(raw)
        para = paragraphs[span.first]
        if len(text.split()) < _MIN_QUOTE_WORDS and not _after_said_colon(para, span, verbs):
            continue  # one or two quoted words are a term or a scare quote, never a quotation
        if _is_heading(para, span, text) or _is_scare_or_title(para, span, raw, verbs):
            continue
        spans.append(span)
    covered = {p for s in spans for p in range(s.first, s.last + 1)}
    free = {i for i, p in enumerate(paragraphs) if i not in covered and not _marks(p)}
    spans += _colon_spans(paragraphs, free, verbs, mentions)
    return sorted(spans, key=lambda s: (s.first, s.start))


def _after_said_colon(para: str, span: _Span, verbs: _Verbs) -> bool:
    """Direct speech introduced by 'X said:' is a quotation however short ('said: "Fine."')."""
    lead = para[: span.start - 1].rstrip()
    if not lead.endswith(":"):
        return False
    verb = verbs.regex.search(lead[-24:])
    return verb is not None and lead[:-1].rstrip().endswith(verb.group(0))


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
    lead = para[: span.start - 1].rstrip().rstrip("'")  # '' opens with two characters
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
    events += _office_subjects(ctx)
    events.sort(key=lambda e: e[0])
    return events[-1][1] if events else ctx.carried


# carried when an institution said the last thing: a quotation after it is the institution's
INSTITUTION = "\x00institution"
_SUBJECT_EDGE = re.compile(r"[,;:()“”\"]|\bwho\b|\bwhich\b")


def _office_subjects(ctx: _Context) -> list[tuple[int, str | None]]:
    """Sentences whose subject is an office ("The Brazilian President, who ..., announced")
    or an institution ("The Department of Foreign Affairs said"), not a name: the person
    holding the office, or INSTITUTION, for the paragraphs after."""
    if ctx.sources is None or "the " not in ctx.masked.lower():
        return []  # every office or institution subject opens with "the"
    found: list[tuple[int, str | None]] = []
    seen: set[int] = set()
    for verb in ctx.verbs.regex.finditer(ctx.masked):
        lo = _sentence_start(ctx.masked, verb.start())
        if lo in seen:
            continue  # the sentence's first speech verb only
        seen.add(lo)
        if any(lo <= m.start < verb.start() for m in ctx.mentions):
            continue
        # the words right before the verb ("In a statement, the Head of State said"), else
        # the sentence's opening words ("The Brazilian President, who ..., announced")
        pieces = [p.strip() for p in _SUBJECT_EDGE.split(ctx.masked[lo : verb.start()])]
        for subject in (pieces[-1], pieces[0]):
            carried = _office_subject(ctx, subject)
            if carried is not None:
                found.append((lo, carried))
                break
    return found


def _office_subject(ctx: _Context, subject: str) -> str | None:
    """The person an office subject stands for, INSTITUTION for "the ministry", else None."""
    words = subject.split()
    if not words or len(words) > _OFFICE_SUBJECT_MAX_WORDS or words[0].lower() != "the":
        return None
    assert ctx.sources is not None
    if ctx.sources.role.match(subject):
        mentions, paragraphs = ctx.earlier
        return role_referent(subject, mentions, paragraphs, ctx.sources)
    return INSTITUTION if is_institutional(subject, ctx.sources, named=False) else None


_OFFICE_SUBJECT_MAX_WORDS = 8


def _first_subject_sentence(ctx: _Context, s: Mention) -> int:
    """Sentence start of `s` when it is the first subject of that sentence, else -1."""
    start = _sentence_start(ctx.para, s.start)
    first = next((x for x in ctx.subjects if _sentence_start(ctx.para, x.start) == start), None)
    return start if first is s else -1

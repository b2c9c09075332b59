"""What one paragraph's attribution needs (`_Context`), and the attribution rules for
speakers the directory does not name: institutions, offices, unknown names at the verb, and
the second half of a quotation split by its attribution."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.extract.people import PeopleDirectory
from flows.extract.quote_sources import (
    Sources,
    attribution_phrase,
    is_institutional,
    named_at_verb,
    role_referent,
)
from flows.extract.quote_spans import _sentence_start, _Span, _Verbs
from flows.records import Mention, Quote


@dataclass(slots=True)
class _Context:
    """What the attribution of one paragraph needs to know."""

    para: str
    mentions: list[Mention]  # outside quotations, in order
    subjects: list[Mention]
    carried: str | None  # subject carried over from earlier paragraphs
    people: PeopleDirectory
    verbs: _Verbs
    masked: str = ""  # the paragraph with quoted words blanked
    sources: Sources | None = None
    earlier: tuple[list[Mention], list[str]] = ([], [])  # every mention so far, paragraphs
    headline: str | None = None  # the one person the headline or standfirst names


# A speech verb, the sentence it is in (lo, hi) and its subject phrase.
_Attribution = tuple[re.Match[str], int, int]


def _verb_after(ctx: _Context, span: _Span) -> _Attribution | None:
    """The first speech verb after the closing mark in the quote's sentence ('..., ” said the
    Chilean president', '..., ” the ministry said in a statement')."""
    after = span.end + 1
    if after > len(ctx.para) or not ctx.masked:
        return None
    rest = ctx.para[after:].lstrip()
    quoted = ctx.para[span.start : span.end].rstrip()
    if quoted.endswith((".", "!", "?")) and rest[:1].isupper():
        return None  # the quoted sentence ended: what follows is a new sentence
    stop = re.search(r"[.!?](?:\s|$)", ctx.masked[after:])
    hi = after + stop.start() if stop else len(ctx.para)
    verb = ctx.verbs.regex.search(ctx.masked, after, hi)
    return (verb, after, hi) if verb else None


def _verb_before(ctx: _Context, at: int) -> _Attribution | None:
    """The last speech verb before `at` in its sentence ('the Prime Minister stressed: “')."""
    if not ctx.masked:
        return None
    lo = _sentence_start(ctx.para, at)
    verbs = list(ctx.verbs.regex.finditer(ctx.masked, lo, at))
    return (verbs[-1], lo, at) if verbs else None


def _unlisted_speaker(ctx: _Context, found: _Attribution | None) -> tuple[str | None, str | None]:
    """A speaker the directory does not name: an office standing for the person who holds
    it ("the Prime Minister said"), else a full name written at the verb."""
    if found is None or ctx.sources is None:
        return None, None
    verb, lo, hi = found
    word = " ".join(verb.group(0).lower().split())
    phrase = attribution_phrase(ctx.masked, verb, lo, hi)
    mentions, paragraphs = ctx.earlier
    person = role_referent(phrase, mentions, paragraphs, ctx.sources)
    if person is None and not ctx.sources.institution.search(phrase):
        person = named_at_verb(ctx.masked, verb, lo, hi, ctx.earlier, ctx.sources)
    if person is None and mentions and ctx.sources.role.match(phrase.strip()):
        # "the prime minister tweeted" when nobody is named with that office: the person the
        # story is about, named first
        person = mentions[0].person
    if person is None and not mentions and ctx.sources.role.match(phrase.strip()):
        person = ctx.headline  # "the minister said" in a story that names her in the headline
    return person, (word if person else None)


def _institutional(ctx: _Context, span: _Span) -> str | None:
    """ "said" when the quotation is an institution's statement ("..., the ministry said in a
    statement", "Merkel's office said the sides agreed that “...”"): no person's words;
    "read" when an unsigned document reads it ("the statement read: “...”"): a quotation
    without a speaker; None when a person (or nobody in particular) speaks."""
    if ctx.sources is None:
        return None
    found = None
    if span.closed and span.first == span.last:
        found = _verb_after(ctx, span)
    found = found or _verb_before(ctx, span.start - 1)
    if found is None:
        return None
    verb, lo, hi = found
    phrase = attribution_phrase(ctx.masked, verb, lo, hi)
    at = ctx.masked.find(phrase, lo, hi) if phrase else -1
    named = at >= 0 and any(
        at <= m.start < at + len(phrase) and ctx.para[m.end : m.end + 2] not in ("'s", "’s")
        for m in ctx.mentions
    )
    if not is_institutional(phrase, ctx.sources, named):
        return None
    return "read" if verb.group(0).lower() in _DOCUMENT_VERBS else "said"


_DOCUMENT_VERBS = {"read", "reads"}


def _split_speaker(ctx: _Context, span: _Span, before: Quote | None) -> tuple[str, str] | None:
    """'“...,” said Olmert, “...”': the second half of a quotation split by its attribution
    has the first half's speaker; so has a quotation without an attribution of its own right
    after the attribution sentence ('“...,” Roe, head of X, told reporters. “...”')."""
    if before is None or before.speaker is None or before.paragraph_no != span.first:
        return None
    close = before.start + len(before.text)
    between = ctx.para[close : span.start - 1]
    split = re.fullmatch(r"[\s,”\"'’]*[^.!?;:“”\"]{1,80}?,\s*", between)
    if not (split or re.fullmatch(r"[\s,”\"'’]*[^!?;:“”\"]{1,160}?\.\s*", between)):
        return None
    verb = ctx.verbs.regex.search(between)
    if verb is None:
        return None
    return before.speaker, " ".join(verb.group(0).lower().split())

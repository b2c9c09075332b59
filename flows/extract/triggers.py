"""Which trigger of a paragraph opens an event: modality, quotation and strength.

A trigger phrase (seeds/event_triggers.csv) reports an engagement only when
- it is not inside quotation marks (people *talk about* meetings in quotes: "our obligation
  as presidents is to meet"), unless it is a strong trigger whose sentence dates it (a letter
  recalling "just yesterday, we met with ...");
- the text before it in its sentence does not put it in the future or deny it (rows of kind
  `future`: "is due to hold talks", "would meet", "agreed to meet", "no agreement to hold a
  meeting"), and its sentence is not about a planned, postponed or cancelled engagement (rows
  of kind `future_sentence` / `negated_sentence`), and the text right after it does not make
  a planned engagement its subject (rows of kind `future_after`: "the bilateral meeting
  between Rabuka and Peters will be an opportunity");
- for verbs that take a person ("received", "met", "welcomed"), a person is named right
  after it.
Of the triggers that hold, the strongest wins: a strong trigger anywhere in the paragraph
beats a weak one ("congratulated ... during an Aug 20 phone conversation" is a call, not a
message); among equals, the earliest.
"""

from __future__ import annotations

import re
from datetime import date

from flows.extract.dates import find_dates
from flows.extract.gazetteer import Gazetteer, TriggerHit
from flows.extract.sentences import sentence_spans, span_at
from flows.records import Mention

# Title words that may stand between a verb and the person it takes ("received the visiting
# First Vice President of the Islamic Republic of ... Mohammad Reza Aref").
_OBJECT_GAP = 90

_ANY_DAY = date(2000, 1, 1)  # resolves relative dates when only their presence matters

# Quotation spans: curly pairs, doubled apostrophes, straight double quotes (paired in order).
_QUOTED_RE = re.compile(r"“[^”]*”?|''.*?''|\"[^\"]*\"?|«[^»]*»?")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every quotation in the paragraph (an unclosed one runs to the end)."""
    return [(m.start(), m.end()) for m in _QUOTED_RE.finditer(text)]


def _person_follows(trig: TriggerHit, hi: int, mentions: list[Mention], text: str = "") -> bool:
    """A person is named right after the trigger, in its sentence ("received Aliyev", not
    "received Israeli drones"); a longer gap only when all of it is a title ("received
    Cambodian Deputy Prime Minister and Minister of Foreign Affairs and International
    Cooperation X")."""
    return any(
        trig.end <= m.start < min(hi, trig.end + _OBJECT_GAP)
        or (trig.end <= m.start < hi and _TITLE_GAP.fullmatch(text, trig.end, m.start))
        for m in mentions
    )


# Capitalised title words joined by of/and/the/for, commas and hyphens.
_TITLE_GAP = re.compile(r"\s+(?:(?:the|of|and|for|on|visiting|[A-Z][\w'’.-]*),?\s+)*")


def is_unreal(text: str, lo: int, hi: int, trigger: TriggerHit, gazetteer: Gazetteer) -> bool:
    """The trigger announces a planned engagement or denies one ("is due to hold talks",
    "would meet", "no agreement to hold a meeting", "the visit was postponed")."""
    triggers = gazetteer.triggers
    return (
        triggers.any(text[lo : trigger.start], "future")
        or triggers.any(text[lo:hi], "future_sentence")
        or triggers.any(text[lo:hi], "negated_sentence")
        or triggers.any(text[trigger.end : hi], "future_after")
    )


def valid_triggers(
    text: str, gazetteer: Gazetteer, mentions: list[Mention]
) -> list[tuple[TriggerHit, tuple[int, int]]]:
    """Every trigger of the paragraph that reports an engagement, with its sentence span."""
    found = gazetteer.triggers.find(text)
    if not found:
        return []  # most paragraphs: no sentence or quotation scan needed
    spans = sentence_spans(text)
    quoted = quoted_spans(text)
    out: list[tuple[TriggerHit, tuple[int, int]]] = []
    unreal: list[TriggerHit] = []
    for trig in found:
        if any(u.start <= trig.start < u.end for u in unreal):
            continue  # "no agreement to [hold a [meeting] between]": the phrase is denied
        lo, hi = span_at(spans, trig.start)
        if any(a <= trig.start < b for a, b in quoted) and (
            trig.weak or not find_dates(text[lo:hi], _ANY_DAY)
        ):
            continue
        if trig.person_follows and not _person_follows(trig, hi, mentions, text):
            continue
        if is_unreal(text, lo, hi, trig, gazetteer):
            unreal.append(trig)
        else:
            out.append((trig, (lo, hi)))
    return out


def first_trigger(
    text: str, gazetteer: Gazetteer, mentions: list[Mention]
) -> tuple[TriggerHit, tuple[int, int]] | None:
    """The strongest trigger of the paragraph (the earliest strong one, else the earliest)."""
    found = valid_triggers(text, gazetteer, mentions)
    strong = [f for f in found if not f[0].weak]
    return next(iter(strong or found), None)

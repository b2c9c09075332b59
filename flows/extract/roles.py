"""Who takes part in an engagement and who is only around it: principals of a trigger
sentence, attendees, and the people left out (spokesmen and aides, the entourage and the
greeting party, the sources who only report, the people an event is about). Rows of
seeds/event_triggers.csv name the cues; flows.extract.events applies them."""

from __future__ import annotations

import re
from dataclasses import replace

from flows.extract.gazetteer import Gazetteer
from flows.extract.sentences import sentence_spans, span_at
from flows.records import Event, Mention


def _participant_mentions(
    text: str,
    lo: int,
    hi: int,
    mentions: list[Mention],
    gazetteer: Gazetteer,
    trigger_end: int | None = None,
) -> set[str]:
    """People named in text[lo:hi] except those the event is about ("the death of ..."), and
    except the source of the report named after the trigger ("X met Y on Monday, Foreign
    Minister Z told reporters") or before it ("Z noted that X and Y had held talks"), once two
    others are named."""
    people = set()
    speakers = set()
    for m in mentions:
        if not lo <= m.start < hi:
            continue
        # Titles between the marker and the name ("the death of President ...") are skipped.
        before = re.sub(r"(?:(?-i:[A-Z])[\w'’.-]*\s+){0,6}$", "", text[lo : m.start])
        if not gazetteer.triggers.any(before, "non_participant"):
            people.add(m.person)
            after = trigger_end is not None and m.start >= trigger_end
            if after and gazetteer.triggers.any(text[m.end : m.end + 40], "speaker_after"):
                speakers.add(m.person)
            elif not after and gazetteer.triggers.any(text[m.end : m.end + 40], "speaker_that"):
                speakers.add(m.person)  # "X noted that A and B had held talks"
    return people - speakers if len(people - speakers) >= 2 else people


def _attendees(text: str, mentions: list[Mention], gazetteer: Gazetteer) -> set[str]:
    """People named in sentences with an attendance cue ('also attended by ...'), but not a
    deputy or an assistant (`deputy_before`: "Deputy Foreign Minister X took part in the
    meeting" is in the delegation)."""
    found: set[str] = set()
    spans = sentence_spans(text)
    for hit in gazetteer.triggers.find(text, kinds=("attendance",)):
        lo, hi = span_at(spans, hit.start)
        deputies = [
            m
            for m in mentions
            if gazetteer.triggers.any(text[max(lo, m.start - 60) : m.start], "deputy_before")
        ]
        kept = [m for m in mentions if m not in deputies]
        found.update(_participant_mentions(text, lo, hi, kept, gazetteer))
    return found


def _non_principal(text: str, mention: Mention, gazetteer: Gazetteer) -> bool:
    """A spokesperson, ambassador, adviser or aide: named as a source or a delegation member,
    never a principal of an engagement ("spokesman Alaa Youssef", "X, the ambassador to")."""
    before = text[max(0, mention.start - 80) : mention.start]
    after = text[mention.end : mention.end + 60]
    triggers = gazetteer.triggers
    return triggers.any(before, "non_principal") or triggers.any(after, "non_principal_after")


def _has_escort(text: str, gazetteer: Gazetteer) -> bool:
    if " by" not in text and " BY" not in text and " By" not in text:
        return False  # every escort row ends in "by"
    return gazetteer.triggers.any(text, "escort") or gazetteer.triggers.any(text, "escort_arrival")


def _escorted(text: str, mention: Mention, gazetteer: Gazetteer) -> bool:
    """In the entourage or greeting party: an `escort` row earlier in the person's sentence
    ("X was accompanied by his adviser Y"), or an `escort_arrival` row in a sentence about an
    arrival ("where he was met by Vice President Y" at the airport); an engagement trigger
    between the row and the person ends the party ("accompanied by Z, he met Y")."""
    triggers = gazetteer.triggers
    lo, hi = span_at(sentence_spans(text), mention.start)
    before = text[lo : mention.start]
    kinds = ["escort"]
    if triggers.any(text[lo:hi], "arrival"):
        kinds.append("escort_arrival")
    hits = triggers.find(before, kinds=kinds)
    if not hits:
        return False
    return not triggers.find(before[hits[-1].end :])


def _reports(texts: list[str], m: Mention, gazetteer: Gazetteer) -> bool:
    """The mention is the source of a report or quotation ("Mr X said", "..., said Mr X")."""
    text = texts[m.paragraph_no] if 0 <= m.paragraph_no < len(texts) else ""
    triggers = gazetteer.triggers
    return triggers.any(text[m.end : m.end + 40], "speaker_after") or triggers.any(
        text[max(0, m.start - 60) : m.start], "speaker_before"
    )


def _about(texts: list[str], m: Mention, gazetteer: Gazetteer) -> bool:
    """The mention is someone the event is about or who sent another ("the death of ...",
    "representing President X"), by the `non_participant` rows in its sentence."""
    text = texts[m.paragraph_no] if 0 <= m.paragraph_no < len(texts) else ""
    if not text:
        return False
    lo, _ = span_at(sentence_spans(text), m.start)
    before = re.sub(r"(?:(?-i:[A-Z])[\w'’.-]*\s+){0,6}$", "", text[lo : m.start])
    return gazetteer.triggers.any(before, "non_participant")


def _with_captioned(event: Event, captioned: list[Mention]) -> Event:
    """People named only in a caption paragraph of the event, when without them it has fewer
    than two participants (the last resort: a caption shows who met, the body may not)."""
    if len(event.participants) >= 2:
        return event
    extra = {
        m.person
        for m in captioned
        if event.first_paragraph <= m.paragraph_no <= event.last_paragraph
    }
    return replace(event, participants=sorted(set(event.participants) | extra))

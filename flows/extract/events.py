"""Event (meeting / phone call / message) detection per article and cross-article linking.

How an article becomes events (kept deliberately simple so every decision can be explained):

1. A *cue* is a paragraph holding a trigger phrase from seeds/event_triggers.csv (the earliest
   match wins; on a tie the longer one). A trigger does not count when the text just before it
   puts it in the future ("is due to hold talks", "will meet", "the next trilateral meeting"),
   or, for verbs that take a person ("received", "met", "welcomed"), when no person is named
   right after it. Its *trigger sentence* gives the cue's date (closest date expression to the
   trigger, else anywhere in the paragraph), place ("in/at <place>", "in the Uzbek city of
   <place>", "visit to <place>" from seeds/places.csv), occasion (seeds/occasions.csv) and
   principals (people mentioned there, except those the event is about: "the death of ...",
   "his election as President ..."). Cues in headings (short, unpunctuated lines) count only
   when no other paragraph has one.
2. The first cue opens event 0, which also owns the paragraphs before it. A later cue opens a
   new event when it recalls an earlier engagement ("last met", "had met"); when it is of
   another kind and not a weak trigger (a letter that recalls "talks with Khatami in Tehran on
   Monday"; but "congratulated" inside a call stays in the call); when its date differs from
   the current event's; or when it names someone who is not yet a participant while the
   current event already has two. A short heading just before a new event moves to it.
3. Participants are the principals plus people in "also attended by"-style sentences of the
   event's paragraphs; with fewer than two, every person mentioned in the event's paragraphs;
   with nobody ("the two presidents last met in Baku"), the previous event's participants.
   An event with fewer than two participants is no engagement: it is dropped.
4. Date rule. A date the text states (explicit, numeric, weekday, "yesterday", "next Monday"
   resolved against the published date; the year inferred as the latest such day not after
   it) is used, certain. "Later in the day" / "on the same day" take the previous event's
   date. With no date in the text: the article's own news (event 0, not recalled) takes a
   title date, else the published date with date_certain=False (the article reports it as
   current news, so the date is supported, if loosely); any other event (a recalled or
   secondary engagement) stays NULL rather than guessed, and a year alone ("in 2018") is no
   date.
5. Place: meetings only (calls and messages have none); else a place named in the event's other
   paragraphs; a later unplaced meeting on the previous meeting's day shares its place.
   Occasion: see OccasionNormaliser; "trilateral summit" is named by the participants'
   countries (seeds/people.csv).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from flows.extract.dates import DateHit, _full_dates, _page_date, anchored_dates, find_dates
from flows.extract.gazetteer import Gazetteer, PlaceHit, TriggerHit
from flows.extract.occasions import fill_occasion
from flows.extract.roles import (
    _about,
    _attendees,
    _escorted,
    _has_escort,
    _non_principal,
    _participant_mentions,
    _reports,
    _with_captioned,
)
from flows.extract.sentences import closest, sentence_spans, span_at
from flows.extract.triggers import first_trigger, is_unreal
from flows.records import Event, Mention

# ---------------------------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Cue:
    """One trigger paragraph and what its trigger sentence says."""

    paragraph_no: int
    trigger: TriggerHit
    date: DateHit | None
    location: PlaceHit | None
    occasion: str | None
    people: set[str]
    recalled: bool = False  # "the two last met in Baku": an earlier engagement
    heading: bool = False  # a headline or section heading, not a report


@dataclass(slots=True)
class _Draft:
    """An event being assembled from its cues."""

    cues: list[Cue]
    first: int
    people: set[str] = field(default_factory=set)


def _cue(
    paragraph_no: int,
    text: str,
    published: date | None,
    mentions: list[Mention],
    gazetteer: Gazetteer,
    anchors: frozenset[date] | None = None,
) -> Cue | None:
    """Build the cue of a paragraph, or None when it holds no trigger (`anchors`: the full
    dates of a page without a date of its own, see `anchored_dates`)."""
    found = first_trigger(text, gazetteer, mentions)
    if found is None:
        return None
    trig, (lo, hi) = found
    if trig.kind == "meeting" and gazetteer.triggers.any(text[lo:hi], "remote_sentence"):
        # "met via videoconference", "in a virtual meeting": a remote talk is kind phone_call
        trig = replace(trig, kind="phone_call")
    # "last met", "their previous meeting with": the recall words touch the trigger itself
    # (a current meeting at which someone recalls another stays current).
    recalled = any(
        h.start <= trig.end and h.end >= trig.start
        for h in gazetteer.triggers.find(text, kinds=("recall",))
    )
    dates = find_dates(text, published)
    if published is None and anchors:
        dates = sorted([*dates, *anchored_dates(text, anchors)], key=lambda h: h.start)
    places = gazetteer.locations(text)
    # A recalled engagement is dated by its own sentence only (no guess from the paragraph).
    date_hit = closest(dates, trig.start, lo, hi) or (
        None if recalled else closest(dates, trig.start)
    )
    place = closest(places, trig.start, lo, hi) or closest(places, trig.start)
    occasion = gazetteer.occasions.find(text[lo:hi]) or gazetteer.occasions.find(text)
    people = _participant_mentions(text, lo, hi, mentions, gazetteer, trig.end)
    return Cue(paragraph_no, trig, date_hit, place, occasion, people, recalled, _is_heading(text))


# Capitalised title words right before a name ("his father, Rt Hon ...")
_TITLES_AT_END = re.compile(r"(?:(?-i:[A-Z])[\w'’.-]*\s+){1,6}$")
_PRONOUN_SUBJECT = re.compile(
    r"\s*(?:(?:On|In|At|During)\s[^,]{1,40},\s*)?"
    r"(?:He|She|The\s+(?:[a-z]+\s+)?(?:president|prime\s+minister|premier|minister|leader))"
    r"\s+(?:[a-z]+ly\s+|also\s+|then\s+)?$"
)


def _add_antecedent(cue: Cue, text: str, by_paragraph: dict[int, list[Mention]]) -> None:
    """ "He held talks with President X": with fewer than two principals, a pronoun subject of
    the trigger is the person who opens the nearest earlier paragraph (or the headline)."""
    if len(cue.people) >= 2 or cue.paragraph_no < 0:
        return
    lo, _ = span_at(sentence_spans(text), cue.trigger.start)
    if not _PRONOUN_SUBJECT.fullmatch(text, lo, cue.trigger.start):
        return
    for p in range(cue.paragraph_no - 1, -2, -1):
        if by_paragraph.get(p):
            cue.people.add(by_paragraph[p][0].person)
            return


def _opens_new_event(draft: _Draft, cue: Cue) -> bool:
    """Whether a cue starts a new event rather than adding to the current one.

    New: a recalled engagement (unless dated the same day); another kind, from a strong
    trigger; another explicit date; people who are not yet participants, unless the current
    event has no named principals yet (its later cues name them).
    """
    lead = lead_cue(draft).trigger
    if cue.trigger.weak and not cue.recalled:
        return False  # "during the meeting", "congratulated": part of the event reported
    if cue.trigger.kind != lead.kind:
        # a weak lead ("congratulated") takes the kind of the first strong cue (a call)
        return not cue.trigger.weak and not lead.weak
    current = next((c.date for c in draft.cues if c.date), None)
    if cue.recalled:
        return not (cue.date and current and cue.date.value == current.value)
    date_differs = bool(
        cue.date and not cue.date.same_day and current and cue.date.value != current.value
    )
    if date_differs:
        return True
    return len(draft.people) >= 2 and bool(cue.people - draft.people)


def lead_cue(draft: _Draft) -> Cue:
    """The cue that names the event's kind: its first strong cue, else its first."""
    return next((c for c in draft.cues if not c.trigger.weak), draft.cues[0])


def _is_heading(text: str) -> bool:
    """A short line without closing sentence punctuation (a section heading)."""
    stripped = text.strip().rstrip("\"”’'")
    return bool(stripped) and len(stripped.split()) <= 15 and stripped[-1] not in ".!?:;,"


def _segment(
    cues: list[Cue],
    attendees: dict[int, set[str]],
    paragraphs: list[str],
    by_paragraph: dict[int, list[Mention]],
    gazetteer: Gazetteer | None = None,
) -> list[_Draft]:
    """Group cues into events (rule 2 of the module docstring)."""
    drafts: list[_Draft] = []
    for cue in cues:
        if drafts:
            draft = drafts[-1]
            for p in range(draft.first, cue.paragraph_no):
                draft.people |= attendees.get(p, set())
                if len(draft.cues[0].people) < 2:
                    # Principals unnamed in the trigger sentence ("the leaders of Russia,
                    # Azerbaijan and Iran met"): the people named so far are the event's.
                    draft.people.update(
                        m.person
                        for m in by_paragraph.get(p, [])
                        if gazetteer is None or not _about(paragraphs, m, gazetteer)
                    )
            if not _opens_new_event(draft, cue):
                draft.cues.append(cue)
                if not cue.trigger.weak or len(draft.people) < 2:
                    # "After the meeting, Foreign Minister X said": a speaker, once two
                    # principals are known, not one more participant
                    draft.people |= cue.people
                continue
        first = cue.paragraph_no if drafts else 0
        prev_cue = drafts[-1].cues[-1].paragraph_no if drafts else -1
        if drafts and first - 1 > prev_cue and _is_heading(paragraphs[first - 1]):
            first -= 1
        drafts.append(_Draft([cue], first, set(cue.people)))
    return drafts


def _participants(
    draft: _Draft,
    last: int,
    by_paragraph: dict[int, list[Mention]],
    attendees: dict[int, set[str]],
    previous: Event | None = None,
    sourced: tuple[list[str], Gazetteer] | None = None,
) -> list[str]:
    """Principals + attendees; with fewer than two, everyone mentioned in the event (but a
    source who only reports, when two others are left); with nobody named ("the two presidents
    last met in Baku"), the previous event's people. A call is between the people its own call
    cues name, when they name two."""
    if lead_cue(draft).trigger.kind == "phone_call":
        callers = {
            p
            for c in draft.cues
            if c.trigger.kind == "phone_call" and not c.trigger.weak
            for p in c.people
        }
        if len(callers) >= 2:
            return sorted(callers)
    people = set(draft.people) | set(draft.cues[0].people)
    for p in range(draft.first, last + 1):
        people |= attendees.get(p, set())
    if len(people) < 2:
        mentioned = [m for p in range(draft.first, last + 1) for m in by_paragraph.get(p, [])]
        if draft.first == 0:
            mentioned += by_paragraph.get(-1, [])
        texts, gazetteer = sourced if sourced else ([], None)
        if gazetteer is not None:
            mentioned = [m for m in mentioned if not _about(texts, m, gazetteer)]
        everyone = people | {m.person for m in mentioned}
        # a source who only reports ("Mr X said", "..., said Mr X") is no principal
        sources = {m.person for m in mentioned} - {
            m.person for m in mentioned if gazetteer is None or not _reports(texts, m, gazetteer)
        }
        people = everyone - sources if len(everyone - sources) >= 2 else everyone
    if not people and previous is not None:
        people = set(previous.participants)
    return sorted(people)


def _event_date(
    draft: _Draft, event_no: int, context: tuple[str | None, date | None, Event | None]
) -> tuple[date | None, bool]:
    """Rule 4 of the module docstring."""
    title, published, previous = context
    hit = next((c.date for c in draft.cues if c.date), None)
    if hit and hit.same_day and previous is not None:
        return previous.event_date, previous.date_certain
    if hit:
        return hit.value, hit.certain
    if event_no == 0 and not draft.cues[0].recalled:
        title_dates = find_dates(title or "", published)
        if title_dates:
            return title_dates[0].value, True
        return published, False
    return None, False


def _principals_date(
    texts: list[str],
    span: tuple[int, int],
    by_paragraph: dict[int, list[Mention]],
    participants: list[str],
    published: date | None,
) -> date | None:
    """The date stated in the event's first sentence that names two of its participants."""
    wanted = set(participants)
    for p in range(span[0], span[1] + 1):
        for lo, hi in sentence_spans(texts[p]):
            named = {m.person for m in by_paragraph.get(p, []) if lo <= m.start < hi}
            if len(named & wanted) < 2:
                continue
            hits = [h for h in find_dates(texts[p][lo:hi], published) if not h.same_day]
            if hits:
                return hits[0].value
    return None


def _event_place(
    draft: _Draft, kind: str, when: date | None, previous: Event | None, elsewhere: PlaceHit | None
) -> tuple[str | None, str | None]:
    """Where a meeting took place: its cues' place, else one named in its other paragraphs;
    a later meeting the same day, unplaced, shares the previous meeting's place."""
    if kind != "meeting":
        return None, None  # calls and messages have no single place
    place = next((c.location for c in draft.cues if c.location), None) or elsewhere
    if place:
        return place.city, place.country
    if previous and previous.kind == "meeting" and when and when == previous.event_date:
        return previous.location, previous.country
    return None, None


def _to_event(
    event_no: int,
    draft: _Draft,
    last: int,
    context: tuple[list[str], str | None, date | None, Gazetteer, Event | None, PlaceHit | None],
    mentions: tuple[dict[int, list[Mention]], dict[int, set[str]]],
) -> Event:
    """Turn a draft into an Event record."""
    texts, title, published, gazetteer, previous, home = context
    participants = _participants(draft, last, *mentions, previous, (texts, gazetteer))
    when, certain = _event_date(draft, event_no, (title, published, previous))
    if not certain and event_no == 0 and not draft.cues[0].recalled:
        # "X and his counterpart Y on Thursday discussed ..." in the lead, the trigger later
        dated = _principals_date(texts, (draft.first, last), mentions[0], participants, published)
        when, certain = (dated, True) if dated else (when, certain)
    lead = lead_cue(draft)
    elsewhere = home if event_no == 0 and not draft.cues[0].recalled else None
    elsewhere = elsewhere or next(
        (hit for p in range(draft.first, last + 1) for hit in _current_places(texts[p], gazetteer)),
        None,
    )
    location, country = _event_place(draft, lead.trigger.kind, when, previous, elsewhere)
    occasion = next((c.occasion for c in draft.cues if c.occasion), None)
    if occasion is None and event_no == 0 and title:
        occasion = gazetteer.occasions.find(title)
    if occasion is None and lead.trigger.kind == "meeting":
        # "Putin, who is in Tehran to attend the Astana format summit, ..." a paragraph later.
        occasion = next(
            (o for p in range(draft.first, last + 1) if (o := gazetteer.occasions.find(texts[p]))),
            None,
        )
    countries = [gazetteer.person_country.get(p, "") for p in participants]
    return Event(
        event_no=event_no,
        kind=lead.trigger.kind,
        trigger=lead.trigger.text,
        event_date=when,
        date_certain=certain,
        location=location,
        country=country,
        occasion=fill_occasion(occasion, [c for c in countries if c]),
        participants=participants,
        first_paragraph=draft.first,
        last_paragraph=last,
    )


def _report_cues(cues: list[Cue]) -> list[Cue]:
    """Headings only announce what the paragraphs report: their cues count when nothing else
    does."""
    reported = [c for c in cues if not c.heading]
    return reported or cues[:1]


def detect_events(
    paragraphs: list[str],
    title: str | None,
    published: date | None,
    mentions: list[Mention],
    gazetteer: Gazetteer,
    dateline: str | None = None,
    captions: tuple[str, ...] = (),
) -> list[Event]:
    """Events reported by one article (mentions with paragraph_no -1 are title mentions).

    On a page without a date of its own, a weekday or a month and day the body gives is fixed
    by the one full date of the page (body, headline or photo `captions`) that matches it.

    Without a published date, a full date in the headline or in a short line at the top of the
    body anchors weekdays and relative days;
    an in-person meeting the article reports (event 0) with no place named takes the
    dateline's city ("SHARM EL-SHEIKH: ..."), given apart or at the start of the first
    paragraph.
    """
    if published is None:
        published = _page_date(title, paragraphs)
    by_paragraph: dict[int, list[Mention]] = defaultdict(list)
    texts = {-1: title or "", **dict(enumerate(paragraphs))}
    escorting: dict[int, bool] = {}
    captioned: list[Mention] = []
    captions_in_body = {
        i
        for i, text in enumerate(paragraphs)
        if "aption" in text[:40].lower() and gazetteer.triggers.any(text[:40], "caption_paragraph")
    }
    for m in mentions:
        if m.paragraph_no in captions_in_body:
            captioned.append(m)
            continue  # "(Picture caption: L-R ...)": named only under a photo
        text = texts.get(m.paragraph_no, "")
        before = text[max(0, m.start - 80) : m.start]
        untitled = _TITLES_AT_END.sub("", before)
        if gazetteer.triggers.any(before, "companion") or (
            untitled != before and gazetteer.triggers.any(untitled, "companion")
        ):
            continue  # "accompanied by his wife X": present, never a principal
        if m.paragraph_no not in escorting:
            escorting[m.paragraph_no] = _has_escort(text, gazetteer)
        if escorting[m.paragraph_no] and _escorted(text, m, gazetteer):
            continue  # the entourage or the greeting party at the airport
        if _non_principal(text, m, gazetteer) and not gazetteer.triggers.any(
            text[m.end : m.end + 90], "principal_after"
        ):
            continue  # a spokesman or aide, unless the subject of the engagement verb
        by_paragraph[m.paragraph_no].append(m)
    anchors = _full_dates([title or "", *captions, *paragraphs]) if published is None else None
    cues = [
        cue
        for i, text in enumerate(paragraphs)
        if (cue := _cue(i, text, published, by_paragraph.get(i, []), gazetteer, anchors or None))
    ]
    for cue in cues:
        _add_antecedent(cue, paragraphs[cue.paragraph_no], by_paragraph)
    if not cues and title:
        # Only the headline announces the event: it spans the whole article (unless the body
        # puts the headline's own words in the future: "... when the leaders meet today").
        title_cue = _cue(-1, title, published, by_paragraph.get(-1, []), gazetteer)
        if title_cue and not _body_unreal(paragraphs, title_cue.trigger.text, gazetteer):
            cues = [title_cue]
    attendees = {
        i: _attendees(text, by_paragraph.get(i, []), gazetteer) for i, text in enumerate(paragraphs)
    }
    drafts = _segment(_report_cues(cues), attendees, paragraphs, by_paragraph, gazetteer)
    home = gazetteer.dateline_place(dateline, paragraphs[0] if paragraphs else "")
    events: list[Event] = []
    for no, draft in enumerate(drafts):
        draft.first = max(draft.first, 0)
        last = drafts[no + 1].first - 1 if no + 1 < len(drafts) else len(paragraphs) - 1
        previous = events[-1] if events else None
        events.append(
            _to_event(
                no,
                draft,
                max(last, draft.first),
                (paragraphs, title, published, gazetteer, previous, home),
                (by_paragraph, attendees),
            )
        )
    first = events[0] if events else None
    own_news = bool(drafts) and not drafts[0].cues[0].recalled
    if home and first and own_news and first.kind == "meeting" and first.location is None:
        events[0] = replace(first, location=home.city, country=home.country)
    return _engagements([_with_captioned(e, captioned) for e in events])


def _body_unreal(paragraphs: list[str], phrase: str, gazetteer: Gazetteer) -> bool:
    """Whether a body paragraph announces the headline's engagement phrase as planned or
    denied (asked only when no paragraph reports an engagement)."""
    for text in paragraphs:
        for trig in gazetteer.triggers.find(text):
            if trig.text.lower() != phrase.lower():
                continue
            lo, hi = span_at(sentence_spans(text), trig.start)
            if is_unreal(text, lo, hi, trig, gazetteer):
                return True
    return False


def _current_places(text: str, gazetteer: Gazetteer) -> list[PlaceHit]:
    """Places of a paragraph outside sentences that recall an earlier engagement ("four months
    after they met in Osaka")."""
    spans = sentence_spans(text)
    recalled = [span_at(spans, h.start) for h in gazetteer.triggers.find(text, kinds=("recall",))]
    return [h for h in gazetteer.locations(text) if not any(a <= h.start < b for a, b in recalled)]


def _engagements(events: list[Event]) -> list[Event]:
    """Events between at least two people; a lone one's paragraphs go to the event before it."""
    kept: list[Event] = []
    for event in events:
        if len(event.participants) >= 2:
            kept.append(replace(event, event_no=len(kept)))
        elif kept:
            kept[-1] = replace(kept[-1], last_paragraph=event.last_paragraph)
    return kept

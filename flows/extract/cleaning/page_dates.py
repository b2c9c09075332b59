"""Page dates in header lines of any shape: a date with a bullet, a label ("Created:",
"Date"), a time and time zone before or after it, a place, section or credit beside it
("11:52 pm GMT+12, 18/11/2014, Fiji", "Written by // November 17, 2022 // Section",
"Agency | @handle | 25 Jan 2020, 07:04 am", "By Office of X     Date 15 November 2022")."""

from __future__ import annotations

import re
from datetime import date

from flows.extract.dates import parse_date_field

_BULLETS = re.compile(r"^[\s•·▪●◦*>»›|/–—-]+")
# a label with the date at the end of a longer line (a byline that carries the date)
_LABELLED = re.compile(
    r"\b(?:date|(?:first |last )?(?:published|posted|updated|modified)(?: on)?|created|added)\b"
    r"\s*:?\s*(?P<d>[^|•»›·]{6,60}?)\s*(?:[|•»›·].*)?$",
    re.I,
)
# what separates the pieces of a date line: bars, bullets, spaced dashes, commas
_PIECES = re.compile(r"\s*[|•·»›]\s*|\s+(?:[-–—]|/{1,2})\s+|,\s+")
_MAX_DATE_LINE_WORDS = 16  # longer lines are story text or a byline without a date field
_MAX_LABELLED_LINE_WORDS = 30  # a byline with a "Date ..." field at its end
_MAX_SIDE_WORDS = 6  # a time, a zone, a place, a section or a short credit beside the date
_MAX_DATE_PIECES = 3  # "May 26, 2025" is two pieces; "Tuesday, April 27, 2021" three


def header_date(text: str, date_prefix: re.Pattern[str]) -> date | None:
    """The date a header line shows, else None. `date_prefix` strips lead-in words."""
    text = _BULLETS.sub("", text).strip()
    words = len(text.split())
    labelled = _LABELLED.search(text) if words <= _MAX_LABELLED_LINE_WORDS else None
    if labelled and (found := parse_date_field(labelled["d"])) is not None:
        return found
    if not text or words > _MAX_DATE_LINE_WORDS:
        return None
    found = parse_date_field(date_prefix.sub("", text))
    if found is not None:
        return found
    pieces = [piece.strip() for piece in _PIECES.split(text) if piece.strip()]
    for first in range(len(pieces)):
        for last in range(first + 1, min(len(pieces), first + _MAX_DATE_PIECES) + 1):
            rest = pieces[:first] + pieces[last:]
            if not all(_side_piece(piece) for piece in rest):
                continue
            found = parse_date_field(date_prefix.sub("", ", ".join(pieces[first:last])))
            if found is not None:
                return found
    return None


def _side_piece(piece: str) -> bool:
    """A piece beside a date: a time, zone, place, section, handle or short credit; not a
    clause ("Raisi met with Aliyev.": lower-case words are verbs and function words)."""
    words = piece.split()
    clause = [w for w in words if w[:1].islower() and len(w) > 2 and w.lower() not in _SIDE_WORDS]
    return len(words) <= _MAX_SIDE_WORDS and not clause


_SIDE_WORDS = frozenset({"a.m.", "p.m.", "ist", "gmt", "utc", "est", "edt", "cet", "eet"})

"""Page dates in header lines of any shape: a date with a bullet, a label ("Created:",
"Date"), a time and time zone before or after it, a place, section or credit beside it
("11:52 pm GMT+12, 18/11/2014, Fiji", "Written by // November 17, 2022 // Section",
"Agency | @handle | 25 Jan 2020, 07:04 am", "By Office of X     Date 15 November 2022")."""

from __future__ import annotations

import re
from datetime import date

from flows.extract.dates import parse_date_field
from flows.extract.seeds import read_seed_csv
from flows.settings import PROJECT_ROOT

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
    found = _header_date(text, date_prefix)
    if found is None and _FOREIGN_MONTH is not None and _FOREIGN_MONTH.search(text):
        # "13 de febrero de 2018 - 16:16": the month in English, without "de"
        english = _FOREIGN_MONTH.sub(lambda m: _FOREIGN_MONTHS[m[0].lower()], text)
        found = _header_date(_OF.sub(" ", english), date_prefix)
    return found


def _header_date(text: str, date_prefix: re.Pattern[str]) -> date | None:
    text = _AGO.sub(" ", _BULLETS.sub("", text)).strip()
    words = len(text.split())
    labelled = _LABELLED.search(text) if words <= _MAX_LABELLED_LINE_WORDS else None
    if labelled and (found := parse_date_field(labelled["d"])) is not None:
        return found
    if not text or words > _MAX_DATE_LINE_WORDS:
        return None
    found = parse_date_field(date_prefix.sub("", text))
    if found is not None:
        return found
    found = _date_inside(text, date_prefix)
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


# "Published 3 years ago on September 10, 2017": the relative part is no date
_AGO = re.compile(
    r"\b(?:about |an? |\d+ )(?:sec(?:ond)?|min(?:ute)?|hour|day|week|month|year)s? ago(?: on)?\b",
    re.I,
)
_FOREIGN_MONTHS = {
    row["word"].lower(): row["month"]
    for row in read_seed_csv(PROJECT_ROOT / "seeds" / "month_names.csv", optional=True)
}
_FOREIGN_MONTH = (
    re.compile(rf"\b(?:{'|'.join(sorted(_FOREIGN_MONTHS, key=len, reverse=True))})\b", re.I)
    if _FOREIGN_MONTHS
    else None
)
_OF = re.compile(r"\s(?:de|del|du)\s", re.I)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
# a date written inside a header line with nothing to split it off ("Oman Thursday
# 31/October/2024 18:16 PM", "Agency logo Agency 22/10/2016")
_DATE_INSIDE = re.compile(
    rf"\b{_WEEKDAY}(?:\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?[\s/.-]+{_MONTH}[\s/.,-]+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{1,2}[./-]\d{1,2}[./-]\d{4}|\d{4}-\d{2}-\d{2})\b",
    re.I,
)


_CAPS_PLACE = re.compile(r"[A-Z][A-Z'’.-]{2,}(?:\s[A-Z][A-Z'’.-]{2,})?,?")


def _date_inside(text: str, date_prefix: re.Pattern[str]) -> date | None:
    """A date inside a short header line, beside a place, section, time or credit only."""
    match = _DATE_INSIDE.search(text)
    if match is None:
        return None
    rest = [date_prefix.sub("", text[: match.start()]).strip(), text[match.end() :].strip()]
    if _CAPS_PLACE.fullmatch(rest[0]):
        return None  # "ISTANBUL DEC 10, 2021": a dateline, read with its place elsewhere
    if not all(_side_piece(piece) for piece in rest if piece):
        return None
    return parse_date_field(re.sub(r"(?<=\w)/(?=\w)", " ", match[0]))


def _side_piece(piece: str) -> bool:
    """A piece beside a date: a time, zone, place, section, handle or short credit; not a
    clause ("Raisi met with Aliyev.": lower-case words are verbs and function words)."""
    words = piece.split()
    clause = [
        w for w in words if w[:1].islower() and w.islower() and len(w) > 2 and w not in _SIDE_WORDS
    ]
    return len(words) <= _MAX_SIDE_WORDS and not clause


_SIDE_WORDS = frozenset(
    {"a.m.", "p.m.", "am", "pm", "ist", "gmt", "utc", "est", "edt", "cet", "eet"}
)

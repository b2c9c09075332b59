"""A page date printed under the story ("Published: 12/4/2019", "Publish Date : 12 October
2023 14:14 PM"): some pages show it after the last paragraph, not in the header.

It gives the page's date when the header showed none, or only a date above the headline (a
site's clock or ticker, which shows the day the page was read). A numeric date whose day and
month could be swapped ("12/4/2019") is read the way a month and day written out elsewhere in
the header agree with ("Bogota, Dec. 4.").
"""

from __future__ import annotations

import re
from datetime import date

from flows.extract.cleaning.lines import _State
from flows.extract.cleaning.page_dates import header_date
from flows.extract.dates import month_number

# the line opens with a publishing label: a date under the story without one is an event's
_LABEL = re.compile(
    r"^\W*(?:publish(?:ed)?(?:\s+(?:date|on|at))?|posted(?:\s+(?:on|at))?|date(?:\s+published)?)"
    r"\s*:?\s*(?=\S)",
    re.I,
)
_MAX_FOOTER_DATE_WORDS = 16
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-]((?:19|20)\d{2})(?!\d)")
_MONTH_WORD = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_MONTH_DAY = re.compile(
    rf"\b(?P<m>{_MONTH_WORD})\s+(?P<d>\d{{1,2}})(?!\d)|(?<!\d)(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH_WORD})",
    re.I,
)


def _take_footer_date(state: _State) -> None:
    """A labelled date line after the story's last kept line is the page's date when the
    header gave none, or only one above the headline."""
    if state.doc.published_date is not None and not state.date_above_title:
        return
    body = [line.no for line in state.kept()]
    if not body:
        return
    first, last = min(body), max(body)
    for line in state.lines:
        if line.no <= last or line.reason is None or not _LABEL.match(line.text):
            continue
        if len(line.text.split()) > _MAX_FOOTER_DATE_WORDS:
            continue
        found = header_date(line.text, state.patterns.date_prefix)
        if found is None or found > date.today():
            continue
        state.doc.published_date = _day_month_order(state, line.text, found, first)
        state.date_above_title = False
        return


def _day_month_order(state: _State, text: str, found: date, first: int) -> date:
    """`found`, or its day and month swapped when only the swapped reading agrees with a
    month and day written out in the header or the story's first line (a dateline)."""
    match = _NUMERIC.search(text)
    if match is None:
        return found
    a, b = int(match[1]), int(match[2])
    if a == b or a > 12 or b > 12:
        return found
    mentioned = _header_month_days(state, first)
    if state.month_day is not None:
        mentioned.add(state.month_day)
    swapped = (found.day, found.month)  # (month, day) of the other reading
    if (found.month, found.day) in mentioned or swapped not in mentioned:
        return found
    try:
        return date(found.year, found.day, found.month)
    except ValueError:
        return found


def _header_month_days(state: _State, first: int) -> set[tuple[int, int]]:
    """(month, day) pairs written with a month name in the lines up to the story's first."""
    pairs: set[tuple[int, int]] = set()
    for line in state.lines:
        if line.no > first:
            break
        for match in _MONTH_DAY.finditer(line.text):
            month = month_number(match["m"] or match["m2"])
            day = int(match["d"] or match["d2"])
            if month is not None and 1 <= day <= 31:
                pairs.add((month, day))
    return pairs

"""The date grammar, one for the whole pipeline.

Two entry points share its month and weekday vocabulary:
- `parse_date` / `parse_date_field`: a string that as a whole is a date (a published date, a
  dateline's date), in any of the formats pages use, with dateparser as a strict fallback;
- `find_dates` / `parse_event_date`: date expressions inside running text (explicit, numeric,
  weekday and relative dates), resolved against the article's published date.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from flows.extract.dateparser_gate import dateparser_cannot_parse
from flows.extract.regexes import hinted_finditer, lowered
from flows.extract.seeds import alternation

# ---------------------------------------------------------------------------------------------
# Date fields: a string that as a whole is a date
# ---------------------------------------------------------------------------------------------

_MONTH_NAMES = tuple(calendar.month_name[no].lower() for no in range(1, 13))
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
_ORD = r"(?:st|nd|rd|th)?"
_SEP = r"[\s/.,-]*"
_WEEKDAY = re.compile(
    r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|urday|sday)?\.?,?\s+", re.I
)
_TIME = (
    r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?\s?m\.?)?"
    r"(?:\s*(?:gmt|utc|[A-Z]{2,4})(?:\s?[+-]\d{1,2}(?::?\d{2})?)?)?"
)
_TRAILING_TIME = re.compile(rf"(?:,|\s|-|\||at)+{_TIME}\s*$", re.I)
_LEADING_TIME = re.compile(rf"^{_TIME}\s*(?:,|-|\||/)?\s*", re.I)

_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_YMD = re.compile(r"(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})")
_DMY_NUM = re.compile(r"(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4}|\d{2})")
_D_MON_Y = re.compile(rf"(?P<d>\d{{1,2}}){_ORD}{_SEP}(?:of\s+)?{_MONTH}{_SEP}(?P<y>\d{{4}})", re.I)
_MON_D_Y = re.compile(rf"{_MONTH}{_SEP}(?P<d>\d{{1,2}}){_ORD}{_SEP}(?P<y>\d{{4}})", re.I)

_DATEPARSER_SETTINGS = {
    "STRICT_PARSING": True,
    "PREFER_DAY_OF_MONTH": "first",
    "DATE_ORDER": "DMY",
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["custom-formats", "absolute-time"],
    "RETURN_AS_TIMEZONE_AWARE": False,
}
_MIN_YEAR, _MAX_YEAR = 1950, 2100


def month_number(word: str) -> int | None:
    """Map 'Nov', 'Nov.', 'November', 'Sept' to 11/9; None for other words."""
    word = word.lower().rstrip(".")
    if len(word) < 3:
        return None
    for number, name in enumerate(_MONTH_NAMES, start=1):
        if name.startswith(word) or (word == "sept" and name == "september"):
            return number
    return None


def _year(text: str) -> int:
    """Expand two-digit years ("21" -> 2021, "98" -> 1998)."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _safe_date(year: int, month: int | None, day: int) -> date | None:
    """A date, or None when the parts are impossible or outside a news-plausible range."""
    if month is None or not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _prepare(text: str) -> str:
    """Strip markdown, lead-in words, weekdays and times around a date candidate."""
    text = unicodedata.normalize("NFKC", text).replace("*", "").replace("_", " ")
    # "January 27, 20239:41 AM GMT+3Updated 3 years ago": a page that glued its fields
    text = re.sub(r"(?<=\d{4})(?=\d{1,2}:\d{2})", " ", text)
    text = re.sub(r"\s*(?:\[|\()?\s*(?:last )?updated?\b.*$", "", text, flags=re.I)
    text = re.sub(r"\s*[\[(]\s*(?:utc|gmt)?\s*[+-]?[\d:]+\s*[\])]\s*$", "", text, flags=re.I)
    text = re.sub(
        r"\s*\(\s*(?:utc|gmt)\s*[+-]\s*\d{1,2}(?::?\d{2})?\s*\)\s*$", "", text, flags=re.I
    )
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"\s+", " ", text).strip(" \t|-–—,:;()[]")
    text = re.sub(r"^(?:date|dated|on)\s*:?\s*", "", text, flags=re.I)
    text = _WEEKDAY.sub("", text)
    text = _LEADING_TIME.sub("", text)
    text = _TRAILING_TIME.sub("", text)
    return text.strip(" \t|-–—,:;")


def _from_match(match: re.Match[str]) -> date | None:
    """Build a date from a regex match with named groups y, d and m or mon."""
    parts = match.groupdict()
    month = int(parts["m"]) if parts.get("m") else month_number(parts.get("mon") or "")
    return _safe_date(_year(parts["y"]), month, int(parts["d"]))


def _numeric_dmy(match: re.Match[str]) -> date | None:
    """Dotted/slashed numbers are day-month-year unless only month-day-year is possible."""
    day, month, year = int(match["d"]), int(match["m"]), _year(match["y"])
    if month > 12 >= day:
        day, month = month, day
    return _safe_date(year, month, day)


@lru_cache(maxsize=4096)
def parse_date(text: str) -> date | None:
    """Parse a string that as a whole is a published date ("2 /Nov/ 2017", "29.11.21")."""
    candidate = _prepare(text)
    if not candidate or len(candidate) > 40 or not re.search(r"\d", candidate):
        return None
    for pattern in (_ISO, _YMD, _D_MON_Y, _MON_D_Y):
        match = pattern.fullmatch(candidate)
        if match:
            return _from_match(match)
    match = _DMY_NUM.fullmatch(candidate)
    if match:
        return _numeric_dmy(match)
    return _dateparser_fallback(candidate)


def parse_date_field(line: str) -> date | None:
    """A date in one "|"-separated field of a header line ("Source: X| 2019-03-05 22:13|...")."""
    if "|" not in line:
        return parse_date(line)
    for part in line.split("|"):
        found = parse_date(part)
        if found is not None:
            return found
    return None


def _dateparser_fallback(candidate: str) -> date | None:
    """Last resort for unusual absolute formats; strict so that fragments never parse."""
    if not re.search(r"\d{4}", candidate):
        return None  # without a year a string is too ambiguous to be a published date
    if dateparser_cannot_parse(candidate):  # a word dateparser does not know: it says None
        return None
    import dateparser  # imported lazily: it takes about a second to load its language data

    parsed: datetime | None = dateparser.parse(
        candidate, languages=["en"], settings=_DATEPARSER_SETTINGS
    )
    if parsed is None:
        return None
    return _safe_date(parsed.year, parsed.month, parsed.day)


# ---------------------------------------------------------------------------------------------
# Dates in running text
# ---------------------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _no in range(1, 13):
    _MONTHS[calendar.month_name[_no].lower()] = _no
    _MONTHS[calendar.month_abbr[_no].lower()] = _no
_MONTHS["sept"] = 9
_MONTH_RE = r"(?P<{g}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY_RE = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR_RE = r"(?:,?\s+(?P<{g}>(?:19|20)\d\d))?"
# A day range gives its first day: "23-24 May 2024", "May 23-24, 2024", "Nov, 15, 2023".
_RANGE_END = r"(?:\s*[-–]\s*[0-3]?\d(?:st|nd|rd|th)?)?"
_EXPLICIT_RE = re.compile(
    r"\b(?:"
    + _MONTH_RE.format(g="m1")
    + r",?\s+"
    + _DAY_RE.format(g="d1")
    + _RANGE_END
    + _YEAR_RE.format(g="y1")
    + r"|"
    + _DAY_RE.format(g="d2")
    + _RANGE_END
    + r"(?:\s+of)?\s+"
    + _MONTH_RE.format(g="m2")
    + _YEAR_RE.format(g="y2")
    + r")(?![\w-])",
    re.IGNORECASE,
)
_WEEKDAYS = {calendar.day_name[i].lower(): i for i in range(7)}
_WEEKDAY_RE = re.compile(
    r"\b(?:(?:on|last|this|late|early|next)\s+)?(?P<wd>" + "|".join(_WEEKDAYS) + r")\b"
    # "on Sunday, November 28" is an explicit date: let the explicit form speak.
    r"(?!,?\s+(?:the\s+)?(?:\d|" + "|".join(_MONTHS) + r"))",
    re.IGNORECASE,
)
# Relative day words -> offset in days from the published date.
_RELATIVE_DAYS = {
    "the day before yesterday": -2,
    "yesterday": -1,
    "last night": -1,
    "earlier today": 0,
    "earlier in the day": 0,
    "today": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "tonight": 0,
}
_RELATIVE_RE = re.compile(r"\b(?P<rel>" + alternation(_RELATIVE_DAYS) + r")\b", re.IGNORECASE)
# Same-day words: the day of the event reported just before (the published date for the first).
_SAME_DAY_RE = re.compile(
    r"\b(?:(?:later|earlier)\s+(?:in\s+the|that)\s+day|(?:on\s+)?the\s+same\s+day)\b",
    re.IGNORECASE,
)
# Numeric dates in running text: "on 05.03.2019", "on 29.11.21" (day first, as in the region's
# press), "on 2019-03-05". The preposition is required: a bare number in a dateline
# ("Baku/29.11.21/Turan") or a stamp is metadata, not the event's date.
_NUMERIC_RE = re.compile(
    r"\b(?:on|dated|of)\s+(?P<num>(?P<d>[0-3]?\d)[./](?P<m>[01]?\d)[./](?P<y>(?:19|20)?\d\d)"
    r"|(?P<iy>(?:19|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d))(?![\d/-]|\.\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DateHit:
    """A date expression found in text, resolved to a calendar date."""

    start: int
    end: int
    value: date
    certain: bool  # False only for dates guessed without textual support
    same_day: bool = False  # "later in the day": the previous event's date, when there is one


def _infer_year(month: int, day: int, published: date) -> date | None:
    """The most recent (month, day) not after the published date."""
    for year in (published.year, published.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate <= published:
            return candidate
    return None


def _explicit_value(m: re.Match[str], published: date | None) -> date | None:
    """Resolve an explicit month/day(/year) match."""
    month = _MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")]
    day = int(m.group("d1") or m.group("d2"))
    year = m.group("y1") or m.group("y2")
    if year:
        try:
            return date(int(year), month, day)
        except ValueError:
            return None
    return _infer_year(month, day, published) if published else None


def _weekday_value(name: str, published: date, ahead: bool = False) -> date:
    """The most recent such weekday on or before the published date ("next ...": after it)."""
    if ahead:
        return published + timedelta(days=(_WEEKDAYS[name.lower()] - published.weekday()) % 7 or 7)
    back = (published.weekday() - _WEEKDAYS[name.lower()]) % 7
    return published - timedelta(days=back)


def _numeric_value(m: re.Match[str]) -> date | None:
    """Resolve a numeric date match (two-digit years are 19xx from 50 on, else 20xx)."""
    if m.group("iy"):
        year, month, day = int(m.group("iy")), int(m.group("im")), int(m.group("id"))
    else:
        year, month, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        if year < 100:
            year += 1900 if year >= 50 else 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, published: date | None) -> list[DateHit]:
    """Every date expression in the text that resolves to a date, in order of appearance."""
    hits: list[DateHit] = []
    low = lowered(text)  # (each pattern is skipped on a text without its words)
    for m in hinted_finditer(_EXPLICIT_RE, text, low):
        value = _explicit_value(m, published)
        if value:
            hits.append(DateHit(m.start(), m.end(), value, True))
    for m in hinted_finditer(_NUMERIC_RE, text, low):
        if value := _numeric_value(m):
            hits.append(DateHit(m.start("num"), m.end(), value, True))
    if published:
        for m in hinted_finditer(_WEEKDAY_RE, text, low):
            ahead = m.group(0).lower().startswith("next")
            value = _weekday_value(m.group("wd"), published, ahead)
            hits.append(DateHit(m.start(), m.end(), value, True))
        for m in hinted_finditer(_SAME_DAY_RE, text, low):
            hits.append(DateHit(m.start(), m.end(), published, True, same_day=True))
        covered = [(h.start, h.end) for h in hits]
        for m in hinted_finditer(_RELATIVE_RE, text, low):
            if any(a <= m.start() < b for a, b in covered):
                continue  # "earlier in the day" is a same-day hit already
            offset = _RELATIVE_DAYS[m.group("rel").lower()]
            hits.append(DateHit(m.start(), m.end(), published + timedelta(days=offset), True))
    return sorted(hits, key=lambda h: h.start)


def anchored_dates(text: str, anchors: frozenset[date]) -> list[DateHit]:
    """Dates a page without its own date still fixes: a weekday, or a month and day without a
    year, that exactly one full date elsewhere on the page matches ("on Friday afternoon" with
    a caption's "Friday, Sept. 16, 2016"; "On March 21" with "March 21, 2023")."""
    if not anchors:
        return []
    hits: list[DateHit] = []
    low = lowered(text)
    for m in hinted_finditer(_EXPLICIT_RE, text, low):
        if m.group("y1") or m.group("y2"):
            continue
        month = _MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")]
        day = int(m.group("d1") or m.group("d2"))
        same = {a for a in anchors if (a.month, a.day) == (month, day)}
        if len(same) == 1:
            hits.append(DateHit(m.start(), m.end(), same.pop(), True))
    for m in hinted_finditer(_WEEKDAY_RE, text, low):
        if m.group(0).lower().startswith("next"):
            continue
        same = {a for a in anchors if a.weekday() == _WEEKDAYS[m.group("wd").lower()]}
        if len(same) == 1:
            hits.append(DateHit(m.start(), m.end(), same.pop(), True))
    return sorted(hits, key=lambda h: h.start)


def parse_event_date(text: str, published: date | None) -> date | None:
    """The first date expressed in the text (convenience for callers and tests)."""
    hits = find_dates(text, published)
    return hits[0].value if hits else None


# ---------------------------------------------------------------------------------------------
# The page's own date, when the cleaner found none (used by flows.extract.events)
# ---------------------------------------------------------------------------------------------


def _full_dates(texts: list[str]) -> frozenset[date]:
    """Every full date (with its year) of a page that has no date of its own."""
    return frozenset(h.value for text in texts for h in find_dates(text, None))


def _page_date(title: str | None, paragraphs: list[str]) -> date | None:
    """The page's own date when no published date was found: a full date in the headline, else
    in a short line near the top ("NZ Newswire 22/10/2016", "Thursday 31/October/2024"); a
    full date inside a sentence there may be history, not the page's day."""
    top = paragraphs[0][:_DATELINE_SPAN] if paragraphs else ""
    lead = next(iter(find_dates(top, None)), None)
    if lead and _DATELINE_HEAD.fullmatch(paragraphs[0], 0, lead.start):
        return lead.value  # "PORT LOUIS, March 3, 2021. ..." opens the first paragraph
    lines = [title or "", *(p for p in paragraphs[:_PAGE_DATE_LINES] if len(p.split()) <= 12)]
    for no, text in enumerate(lines):
        hit = next((h.value for h in find_dates(text, None)), None)
        if hit:
            return hit
        # a page's own numeric date ("22/10/2016", "31/October/2024"), never in the headline
        numeric = (parse_date(m.group(0)) for m in _NUMERIC_DATE.finditer(text) if no)
        hit = next((d for d in numeric if d), None)
        if hit:
            return hit
        if no and (whole := parse_date(text)):
            return whole  # a line that is a date as a whole ("Sun 10 - September 2017")
    return None


_PAGE_DATE_LINES = 4  # the top of the body, where page furniture leaves a date


_DATELINE_SPAN = 60  # a dateline's date sits at the very start of the first paragraph


_DATELINE_HEAD = re.compile(r"\s*(?-i:[A-Z][A-Z .'’-]+)(?:\([^()]{0,30}\))?\s*[,:–—-]?\s*")


_NUMERIC_DATE = re.compile(
    r"(?<![\d/.-])\d{1,2}[/.-](?:\d{1,2}|[A-Za-z]{3,9})[/.-]\d{4}(?![\d/.-])"
)

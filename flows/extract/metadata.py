"""Article metadata: published dates, datelines, bylines, titles and outlet names.

Pure functions over single lines. The cleaning stage decides *which* lines are header
lines; this module only says what a given line means. Dates are parsed from candidate
strings that are a date as a whole (never from inside story sentences).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flows.extract.dates import month_number, parse_date
from flows.extract.seeds import read_seed_csv

# -- outlets ------------------------------------------------------------------------------


class _NoCombiningMarks(dict[int, str | None]):
    """str.translate table deleting combining marks, filled on first use of a character."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        kept = self[code] = None if unicodedata.combining(char) else char
        return kept


_NO_COMBINING_MARKS = _NoCombiningMarks()


def fold(text: str) -> str:
    """Strip diacritics and dotted capitals ("İRNA" -> "IRNA") for comparisons."""
    if text.isascii():
        return text  # NFKD leaves ASCII as it is, and ASCII has no combining marks
    return unicodedata.normalize("NFKD", text).translate(_NO_COMBINING_MARKS)


@dataclass(frozen=True, slots=True)
class OutletTable:
    """Outlet names and their variants, from seeds/outlets.csv."""

    variants: tuple[tuple[str, str], ...]  # (variant as written, canonical outlet)
    # surface -> outlet for single-word variants, casefolded surface -> outlet for the rest
    _words: dict[str, str] = field(init=False, repr=False, compare=False)
    _phrases: dict[str, str] = field(init=False, repr=False, compare=False)
    _alternation: str = field(init=False, repr=False, compare=False)
    _names: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # match() runs on most header lines: index the variants once instead of comparing
        # the line with each. The first variant in table order wins, as in a linear scan.
        words: dict[str, str] = {}
        phrases: dict[str, str] = {}
        for variant, outlet in self.variants:
            folded = fold(variant)
            if " " in folded:
                phrases.setdefault(folded.casefold(), outlet)
            else:  # single-word names must match case exactly or in capitals
                words.setdefault(folded, outlet)
                words.setdefault(folded.upper(), outlet)
        object.__setattr__(self, "_words", words)
        object.__setattr__(self, "_phrases", phrases)
        names = {fold(v) for v, _ in self.variants} | {v for v, _ in self.variants}
        alternation = "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))
        object.__setattr__(self, "_alternation", alternation)
        object.__setattr__(self, "_names", re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"))

    @classmethod
    def from_csv(cls, path: Path) -> OutletTable:
        """Load `outlet,variant,...` rows."""
        rows = [(r["variant"], r["outlet"]) for r in read_seed_csv(path)]
        return cls(tuple(sorted(rows, key=lambda row: -len(row[0]))))

    def match(self, text: str) -> str | None:
        """Canonical outlet when `text` is exactly an outlet name or variant.

        Multi-word variants compare case-insensitively, single words ("Trend" is also a word)
        only as written or in capitals. A surface with a space can only equal a multi-word
        variant, one without only a single word (no character casefolds or upper-cases to a
        space).
        """
        surface = fold(text.strip(" .,:;()[]-–—/"))
        if " " in surface:
            return self._phrases.get(surface.casefold())
        return self._words.get(surface)

    def regex(self) -> str:
        """An alternation of every variant, longest first, for embedding in patterns."""
        return self._alternation

    def names_in(self, text: str) -> list[str]:
        """Every outlet name or variant written in the text, as written, left to right."""
        return self._names.findall(text)


# -- titles, bylines, datelines -----------------------------------------------------------

_TITLE_DATE_SPLIT = re.compile(r"\s+[-–—|]+\s+|\s*\|\s*")


def split_trailing_date(line: str) -> tuple[str, date | None]:
    """Split "Title - 2 /Nov/ 2017" into ("Title", date); (line, None) when no date."""
    separators = list(_TITLE_DATE_SPLIT.finditer(line))
    for match in separators:  # the earliest split whose whole right side is a date
        parsed = parse_date(line[match.end() :])
        if parsed is not None:
            return line[: match.start()].strip(), parsed
    return line, None


@dataclass(frozen=True, slots=True)
class Byline:
    """A parsed byline: "By News Desk - November 28 2021"."""

    name: str | None
    published: date | None
    outlet: str | None


def parse_byline(line: str, prefixes: str, outlets: OutletTable) -> Byline | None:
    """Read a byline line; `prefixes` is a regex alternation such as "by|written by"."""
    match = re.fullmatch(rf"(?:{prefixes})\s+(?P<rest>.+)", line.strip(), flags=re.I)
    if not match:
        return None
    rest, published = split_trailing_date(match["rest"])
    rest = rest.strip().rstrip(":")
    parts = re.split(r"\s*[,/|]\s*|\s+[-–—]\s+", rest, maxsplit=1)
    name, tail = parts[0], parts[1] if len(parts) > 1 else ""
    outlet = outlets.match(tail) if tail else None
    if outlets.match(name):
        name, outlet = "", outlets.match(name)
    if len(name.split()) > 6 or (tail and outlet is None and published is None):
        return None  # a sentence starting with "By", not a byline
    return Byline(name or None, published, outlet)


_PLACE_CAPS = r"[A-Z][A-Z'’.-]+(?:\s[A-Z][A-Z'’.-]+){0,2}"
_PLACE_ANY = r"[A-Z][\w'’.-]+(?:\s[A-Z][\w'’.-]+){0,2}"
_DASH = r"(?:\s+-{1,2}\s+|\s*[—–]{1,2}\s*)"


@dataclass(frozen=True, slots=True)
class Dateline:
    """A dateline found at the start of the first body paragraph."""

    prefix: str  # the text removed from the line, e.g. "Baku/29.11.21/Turan:"
    place: str | None
    published: date | None
    outlet: str | None
    rest: str  # the line without the prefix: story text
    byline: str | None = None  # "Baku. Nazrin Abdul – APA." carries the reporter
    month_day: tuple[int, int] | None = None  # "BEIJING, Sept. 2 (Xinhua)": a date, no year


def parse_dateline(line: str, outlets: OutletTable) -> Dateline | None:
    """Find "TEHRAN —", "Baku/29.11.21/Turan:", "Tehran, IRNA –" or "date 2022-03-12 ..."."""
    lead = re.match(r"\s*date\s*:?\s*(?P<d>\d{4}-\d{2}-\d{2})\s+", line, flags=re.I)
    offset, lead_date = (lead.end(), parse_date(lead["d"])) if lead else (0, None)
    body = line[offset:]
    for parser in (
        _slash_dateline,
        _tass_dateline,
        _reporter_dateline,
        _agency_dateline,
        _caps_dateline,
    ):
        found = parser(body, outlets)
        if found is not None and outlets.match(found.rest) is None:  # "ANKARA - Anadolu"
            prefix = (line[:offset] + found.prefix).strip()
            return Dateline(
                prefix,
                found.place,
                found.published or lead_date,
                found.outlet,
                found.rest,
                found.byline,
                found.month_day,
            )
    if lead and body.strip():
        return Dateline(line[:offset].strip(), None, lead_date, None, body.strip())
    return None


def _slash_dateline(line: str, outlets: OutletTable) -> Dateline | None:
    """Turan style: "Baku/29.11.21/Turan: text"."""
    match = re.match(
        rf"(?P<place>{_PLACE_ANY})\s*/\s*(?P<date>[\d.\-/]{{6,10}})\s*/\s*(?P<outlet>[^:/]{{2,40}}?)"
        r"\s*:\s*(?=\S)",
        line,
    )
    if not match or parse_date(match["date"]) is None:
        return None
    outlet = outlets.match(match["outlet"]) or match["outlet"].strip()
    return Dateline(
        match[0], match["place"], parse_date(match["date"]), outlet, line[match.end() :]
    )


_MONTH_DAY = re.compile(
    r"(?P<mon>[A-Z][a-z]{2,8})\.?\s+(?P<d>\d{1,2})|(?P<d2>\d{1,2})\s+(?P<mon2>[A-Z][a-z]{2,8})\.?"
)


def _dateline_date(text: str) -> tuple[bool, date | None]:
    """(is a date, the date if it has a year): "Jan 27" is a date without a year."""
    published = parse_date(text)
    if published is not None:
        return True, published
    return bool(_MONTH_DAY.fullmatch(text.strip())), None


def month_day(text: str) -> tuple[int, int] | None:
    """(month, day) of a date written without a year ("Sept. 2", "2 Sept"), else None."""
    match = _MONTH_DAY.fullmatch(text.strip())
    if match is None:
        return None
    month = month_number(match["mon"] or match["mon2"])
    day = int(match["d"] or match["d2"])
    return (month, day) if month is not None and 1 <= day <= 31 else None


def _agency_dateline(line: str, outlets: OutletTable) -> Dateline | None:
    """Agency style: "Tehran, IRNA – text", "TEHRAN (Tasnim) - text", "BAKU, Nov 9 (Reuters) -",
    "TEHRAN, Iran (AP) _ text", "Baku, April 28, AZERTAC text"."""
    match = re.match(
        rf"(?P<place>{_PLACE_ANY})(?P<extras>(?:\s*,\s*[^,()–—_-]{{2,25}}?){{0,2}}?)"
        rf"\s*(?:,\s*(?P<named>[^,()–—_-]{{2,40}}?)|\(\s*(?P<bracketed>[^()]{{2,40}}?)\s*\))"
        rf"(?P<end>{_DASH}|(?<=\))\s*-{{1,2}}\s*|\s+_{{1,2}}\s+|\s*:\s*|\s+(?=[A-Z]))(?=\S)",
        line,
    )
    name = match and (match["named"] or match["bracketed"])
    if not match or not name or outlets.match(name) is None:
        return None
    if match["end"].strip() == "" and not (name.isupper() or match["bracketed"]):
        return None  # no dash after a plain-case name: a sentence, not a dateline
    published, undated = None, None
    for extra in (e.strip() for e in match["extras"].split(",") if e.strip()):
        is_date, when = _dateline_date(extra)
        if not is_date and not re.fullmatch(r"[A-Z][\w'’.-]+(?:\s[A-Z][\w'’.-]+)?", extra):
            return None
        published, undated = published or when, undated or month_day(extra)
    outlet = outlets.match(name)
    return Dateline(
        match[0], match["place"], published, outlet, line[match.end() :], month_day=undated
    )


def _tass_dateline(line: str, outlets: OutletTable) -> Dateline | None:
    """TASS style: "AKTAU, August 12. /TASS/. text"."""
    match = re.match(
        rf"(?P<place>{_PLACE_ANY}),\s*(?P<date>[^/]{{3,25}}?)\.?\s*/(?P<outlet>[^/]{{2,30}})/\.?\s*",
        line,
    )
    if not match or outlets.match(match["outlet"]) is None:
        return None
    is_date, published = _dateline_date(match["date"])
    if not is_date:
        return None
    outlet = outlets.match(match["outlet"])
    undated = month_day(match["date"])
    return Dateline(
        match[0], match["place"], published, outlet, line[match.end() :], month_day=undated
    )


def _reporter_dateline(line: str, outlets: OutletTable) -> Dateline | None:
    """APA style: "Baku. Nazrin Abdul – APA. text"."""
    match = re.match(
        rf"(?P<place>{_PLACE_ANY})\.\s+(?P<name>[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+){{1,3}})"
        rf"{_DASH}(?P<outlet>[^.\s]{{2,30}})\.\s*",
        line,
    )
    if not match or outlets.match(match["outlet"]) is None:
        return None
    outlet = outlets.match(match["outlet"])
    return Dateline(match[0], match["place"], None, outlet, line[match.end() :], match["name"])


def parse_place_line(line: str, outlets: OutletTable, alone: bool = False) -> Dateline | None:
    """A header line that is only a dateline: "Baku, Azerbaijan, Aug. 8", "ANKARA - Anatolia
    News Agency", "ISTANBUL DEC 10, 2021 - 3:55 PM"; a bare "ANKARA" only when `alone`."""
    text = line.strip()
    caps = re.fullmatch(rf"(?P<place>{_PLACE_CAPS})\s*[-–—]\s*(?P<outlet>.{{2,40}})", text)
    if caps and outlets.match(caps["outlet"]):
        return Dateline(text, caps["place"], None, outlets.match(caps["outlet"]), "")
    for dated in (
        re.fullmatch(rf"(?P<place>[A-Z]{{3,}}{extra})\s+(?P<date>.{{6,60}})", text)
        for extra in ("", r"\s[A-Z]{3,}")
    ):
        if dated and month_number(dated["place"].split()[-1]) is None:
            published = parse_date(dated["date"])
            if published is not None:
                return Dateline(text, dated["place"], published, None, "")
    parts = [p.strip() for p in text.split(",")]
    if len(parts) >= 2 and re.fullmatch(_PLACE_ANY, parts[0]):
        dates = [_dateline_date(p) for p in parts[1:]]
        regions = [re.fullmatch(r"[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?", p) for p in parts[1:]]
        if any(d for d, _ in dates) and all(
            d or r for (d, _), r in zip(dates, regions, strict=True)
        ):
            return Dateline(text, parts[0], next((w for _, w in dates if w), None), None, "")
    if alone and re.fullmatch(r"[A-Z][A-Z'’-]{2,}(?:\s[A-Z][A-Z'’-]{2,})?", text):
        return Dateline(text, text, None, None, "")
    return None


def _caps_dateline(line: str, outlets: OutletTable) -> Dateline | None:
    """Wire style: "TEHRAN — text", "BAKU, Azerbaijan, Nov. 9 — text"."""
    match = re.match(
        rf"(?P<place>{_PLACE_CAPS})(?:\s*,\s*(?P<extra>[^—–]{{1,40}}?))?{_DASH}(?=\S)", line
    )
    if not match or len(match["place"]) < 3:
        return None
    published, undated = None, None
    if match["extra"]:
        pieces = [p.strip() for p in match["extra"].split(",")]
        dated = [parse_date(", ".join(pieces[i:])) for i in range(len(pieces))]
        published = next((d for d in dated if d), None)
        undated = next((md for md in map(month_day, pieces) if md), None)
        if published is None and not re.fullmatch(r"[A-Z][\w .'-]{1,30}", match["extra"]):
            return None
    prefix, rest = match[0], line[match.end() :]
    second = _DATE_THEN_DASH.match(rest)  # "JOHANNESBURG – 15TH JUNE, 2015 – text"
    if published is None and second and (found := parse_date(second["d"])) is not None:
        prefix, rest, published = prefix + second[0], rest[second.end() :], found
    return Dateline(prefix, match["place"], published, None, rest, month_day=undated)


# a date between the place's dash and a second dash
_DATE_THEN_DASH = re.compile(rf"(?P<d>[\w ,.]{{6,30}}?){_DASH}(?=\S)")

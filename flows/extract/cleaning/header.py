"""Header rules: page metadata, title, subtitle, byline, dateline and published date."""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import replace
from datetime import date
from itertools import pairwise

from flows.extract.cleaning.features import (
    _ends_sentence,
    _furniture_reason,
    _is_foreign,
    _joins,
    _stop_density,
    _story_like,
    _words,
)
from flows.extract.cleaning.lines import _key, _Line, _State
from flows.extract.cleaning.page_dates import header_date
from flows.extract.cleaning.patterns import (
    _CLOSERS,
    _MAX_TITLE_WORDS,
    _THREE_DIGITS,
    _THREE_LETTERS,
)
from flows.extract.dates import month_number, parse_date
from flows.extract.html import HtmlPage
from flows.extract.metadata import (
    Byline,
    fold,
    parse_byline,
    parse_dateline,
    parse_place_line,
    split_trailing_date,
)

# -- marking steps -------------------------------------------------------------------------

# A page store's prefix on the first line: " date 2022-03-12" and whatever follows it.
_STORE_PREFIX = re.compile(r"date\s*:?\s*(?P<d>\d{4}-\d{2}-\d{2})(?!\S)\s*", re.I)
_COPYRIGHT_YEAR = re.compile(r"(?:©|\(c\)|copyright)\D{0,20}(?P<y>(?:19|20)\d{2})", re.I)
_WEEKDAY_NAME = re.compile(
    r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b", re.I
)
_MAX_PROMO_WORDS = 30  # longer lines above a date line are a story paragraph, not a promotion
_DATE_LINE_REACH = 4  # lines between a header promotion and the page's date line
_MAX_DATE_LINE_WORDS = 12
_MAX_CUT_TITLE_WORDS = 20  # a headline is shorter; a paragraph the store cut may not end
_YEAR = re.compile(r"(?<!\d)(?:19[5-9]\d|20\d{2})(?!\d)")


def _take_store_prefix(state: _State) -> None:
    """The store's " date YYYY-MM-DD" prefix is the page's date, ahead of any other; the rest
    of its line (debris, a date line, a dateline or story text) is judged like any line."""
    if state.html or not state.lines:
        return
    line = state.lines[0]
    match = _STORE_PREFIX.match(line.text)
    found = parse_date(match["d"]) if match else None
    if match is None or found is None:
        return
    state.doc.published_date = found
    rest = line.text[match.end() :].strip()
    if not rest:
        state.remove(line, "metadata")
        return
    state.record(line, match[0], "metadata")
    line.text = rest
    state.store_line = line.no


def _settle_published(state: _State) -> None:
    """No header field gave the page's date: the first date line above the body that another
    rule removed (a repeated line taken for a caption), or
    the dateline's day and month in the page's year (copyright line, else latest year)."""
    if state.doc.published_date is not None:
        return
    body = min((line.no for line in state.kept()), default=0)
    above = [found for found in state.dates if found[0] < body]  # a date inside is debris
    if above:
        state.doc.published_date = min(above)[1]
    elif state.month_day is not None:
        year = _page_year(state)
        if year is not None:
            month, day = state.month_day
            with suppress(ValueError):  # "Feb. 29" in a year without one
                state.doc.published_date = date(year, month, day)


def _page_year(state: _State) -> int | None:
    """The year a page shows: its copyright line's, else the latest year it mentions."""
    texts = [line.raw for line in state.lines]
    for text in texts:
        match = _COPYRIGHT_YEAR.search(text)
        if match:
            return int(match["y"])
    years = [int(y) for text in texts for y in _YEAR.findall(text)]
    return max(years, default=None)


def _apply_page_meta(state: _State, page: HtmlPage) -> None:
    """HTML <head> metadata: title, published time, site name."""
    title = page.og_title or page.title
    if title:
        state.doc.title = _strip_site_suffix(state, title, page.site_name)
    if page.published:
        state.doc.published_date = parse_date(page.published)
    if page.site_name:
        outlet = _masthead_outlet(state, page.site_name) or _leading_outlet(state, page.site_name)
        if outlet:
            state.evidence["site"] = outlet
        else:  # an outlet the seeds do not know: weaker than a known agency in the dateline
            state.evidence["site_name"] = page.site_name


def _leading_outlet(state: _State, name: str) -> str | None:
    """ "IRNA English" -> IRNA: a site name that starts with a known outlet name."""
    words = name.split()
    for size in range(len(words) - 1, 0, -1):
        outlet = state.patterns.outlets.match(" ".join(words[:size]))
        if outlet:
            return outlet
    return None


def _strip_site_suffix(state: _State, title: str, site: str | None) -> str:
    """'Headline | Tehran Times' -> 'Headline'."""
    parts = re.split(r"\s+[|–—-]\s+|\s*\|\s*|(?<=[a-z])-(?=[A-Z])", title)
    if len(parts) < 2:
        return title
    for index in (-1, 0):  # "Headline | Site" or "Site - Headline"
        outlet = state.patterns.outlets.match(parts[index])
        if outlet:
            state.evidence.setdefault("site", outlet)
        if outlet or (site and fold(parts[index]) == fold(site)):
            rest = parts[:-1] if index == -1 else parts[1:]
            return " - ".join(rest).strip()
    return title


def _mark_header(state: _State) -> None:
    """Everything above the first story paragraph: title, subtitle, byline, dates, furniture."""
    kept = state.kept()
    start = _body_start(state, kept)
    head = kept[:start]
    title_at = _pick_title(state, head)
    for index, line in enumerate(head):
        if index == title_at:
            _take_title(state, line)
        elif not _take_header_field(state, line, index > title_at >= 0):
            if index == start - 1 and _take_place_line(state, line, alone=True):
                continue
            if index > title_at and _sentence_like(state, line.text):
                continue  # a short opening sentence of the story: losing it is worse
            state.remove(line, _furniture_reason(state, line))


def _take_header_field(state: _State, line: _Line, after_title: bool) -> bool:
    """Take a header line that carries a field; False for page furniture."""
    if line.role == "byline" and _take_role_byline(state, line):
        return True
    if _take_masthead(state, line) or _take_byline(state, line, after_title):
        return True
    if _take_date_line(state, line, after_title):
        return True
    if _take_place_line(state, line, alone=False):
        return True
    if not after_title or line.role in {"furniture", "caption", "date"}:
        return False
    words = _words(line.text)
    if state.doc.title and _key(line.text) == _key(state.doc.title):
        state.remove(line, "duplicate")
        return True
    if state.doc.subtitle is None and (line.role == "subtitle" or _subtitle_like(state, line)):
        state.doc.subtitle = line.text
        state.remove(line, "metadata")
        return True
    if state.doc.byline is None and _name_like(line.text) and len(words) <= 3:
        state.doc.byline = line.text
        state.remove(line, "metadata")
        return True
    return False


def _sentence_like(state: _State, text: str) -> bool:
    """A short but complete sentence in the story's language (jusText's 'short' class)."""
    words = len(_words(text))
    if words < 5 or not _ends_sentence(text) or text.endswith(":") or _is_foreign(state, text):
        return False
    return words >= 12 or not state.english or _stop_density(text, state.patterns.stopwords) >= 0.25


def _subtitle_like(state: _State, line: _Line) -> bool:
    """A standfirst: a sentence-sized line in the story's language."""
    words = _words(line.text)
    return 5 <= len(words) <= 45 and not _is_foreign(state, line.text)


def _name_like(text: str, longest: int = 3) -> bool:
    """Two or three capitalised words and nothing else: a reporter's name."""
    tokens = text.split()
    return 2 <= len(tokens) <= longest and all(
        re.fullmatch(r"[A-ZÀ-ÖØ-Ý][a-zà-öø-ÿ'’-]+", token) for token in tokens
    )


def _take_role_byline(state: _State, line: _Line) -> bool:
    """An HTML block named as the author: the byline with or without "By"."""
    byline = parse_byline(line.text, state.patterns.byline_prefixes, state.patterns.outlets)
    name = byline.name if byline else line.text
    if name is None or len(_words(name)) > 6:
        return False
    state.doc.byline = state.doc.byline or name
    state.remove(line, "metadata")
    return True


def _take_place_line(state: _State, line: _Line, alone: bool) -> bool:
    """A header line that is only a dateline ("Baku, Azerbaijan, Aug. 8", "ANKARA")."""
    found = parse_place_line(line.text, state.patterns.outlets, alone=alone)
    if found is None and alone and fold(line.text).casefold() in state.patterns.cities:
        found = parse_place_line(line.text.upper(), state.patterns.outlets, alone=True)
        found = found and replace(found, place=line.text.strip())
    if found is None or state.patterns.outlets.match(line.text):
        return False
    state.doc.dateline = state.doc.dateline or found.place
    state.doc.published_date = state.doc.published_date or found.published
    if found.outlet:
        state.evidence.setdefault("credit", found.outlet)
    state.remove(line, "metadata")
    return True


def _body_start(state: _State, kept: list[_Line]) -> int:
    """Index of the first story paragraph: a dateline opening or a jusText-'good' paragraph."""
    for index, line in enumerate(kept):
        if line.role in {"furniture", "caption", "byline", "date", "subtitle"}:
            continue
        found = parse_dateline(line.text, state.patterns.outlets)
        if found is not None and len(_words(found.rest)) >= 3:
            return index
        if line.no == state.store_line and _opens_story(state, line):
            return index
        if _story_like(state, _paragraph_from(state, kept, index)) and not (
            _before_header(state, kept, index) or _above_page_date(state, kept, index)
        ):
            return index
    long = [i for i, ln in enumerate(kept) if len(_words(ln.text)) >= 12]
    return long[0] if long else 0


def _opens_story(state: _State, line: _Line) -> bool:
    """Story text after the store's prefix: a sentence, or a paragraph the store cut short
    (too long for a headline), not a field line."""
    words = len(_words(line.text))
    if words < 8 or _is_foreign(state, line.text) or _is_header_line(state, line):
        return False
    if _ends_sentence(line.text):
        return True
    dense = _stop_density(line.text, state.patterns.stopwords) >= 0.2
    return words > _MAX_CUT_TITLE_WORDS and (dense or not state.english)


def _paragraph_from(state: _State, kept: list[_Line], index: int) -> str:
    """The line joined with the lines that continue it (hard-wrapped text)."""
    parts = [kept[index].text]
    if len(_words(parts[0])) < 8:
        return parts[0]
    for previous, line in pairwise(kept[index:]):
        if line.blank_before or not _joins(state, previous, line):
            break
        parts.append(line.text)
    return " ".join(parts)


def _above_page_date(state: _State, kept: list[_Line], index: int) -> bool:
    """A short line in one block (no blank line) with the page's date line a few lines below
    it sits in the header (an advertisement or promotion above the byline), not in the
    story: stories start under the page's date, not over it."""
    if len(_words(kept[index].text)) > _MAX_PROMO_WORDS:
        return False
    for line in kept[index + 1 : index + 1 + _DATE_LINE_REACH]:
        if line.blank_before:
            return False
        short = len(_words(line.text)) <= _MAX_DATE_LINE_WORDS
        if short and header_date(line.text, state.patterns.date_prefix) is not None:
            return True
    return False


def _before_header(state: _State, kept: list[_Line], index: int) -> bool:
    """A sentence followed by a byline or date line is the standfirst, not the story."""
    after = kept[index + 1] if index + 1 < len(kept) else None
    if index == 0 or not _headline_like(state, kept[index - 1]):
        return False  # a standfirst sits under a headline
    return after is not None and (after.role in {"byline", "date"} or _is_header_line(state, after))


def _pick_title(state: _State, head: list[_Line]) -> int:
    """Index of the headline among the header lines, or -1."""
    if state.html:
        for index, line in enumerate(head):
            if line.tag == "h1" or (state.doc.title and _key(line.text) == _key(state.doc.title)):
                return index
    candidates = [i for i, line in enumerate(head) if _headline_like(state, line)]
    long = [i for i in candidates if len(_words(split_trailing_date(head[i].text)[0])) >= 4]
    return (long or candidates or [-1])[0]


def _headline_like(state: _State, line: _Line) -> bool:
    """Short, capitalised, in the story's language, no final period, not a field line."""
    if line.role in {"furniture", "caption", "byline", "date"} or _is_header_line(state, line):
        return False
    text, _ = split_trailing_date(line.text)
    words = _words(text)
    if not 3 <= len(words) <= _MAX_TITLE_WORDS or text.rstrip(_CLOSERS).endswith((".", ",", ";")):
        return False
    if _is_foreign(state, text) or _masthead_outlet(state, text):
        return False
    if any(_THREE_DIGITS.search(t) and _THREE_LETTERS.search(t) for t in text.split()):
        return False  # archive ids such as "afp0000020010724dx7o00a1h"
    return text[:1].isupper() or text[:1].isdigit() or text[:1] in "\"“‘'"


def _take_title(state: _State, line: _Line) -> None:
    title, published = split_trailing_date(line.text)
    if not state.html or line.tag == "h1" or not state.doc.title:
        state.doc.title = title
    if state.doc.published_date is None:
        state.doc.published_date = published
    state.remove(line, "metadata")


def _take_masthead(state: _State, line: _Line) -> bool:
    """A header line that is an outlet's name ("Tehran Times", "FNA - Fars News Agency",
    "IRAN DAILY - Politics") is the masthead."""
    outlet = _masthead_outlet(state, line.text)
    if outlet is None:
        return False
    state.evidence.setdefault("site", outlet)
    state.remove(line, "metadata")
    return True


def _masthead_outlet(state: _State, text: str) -> str | None:
    """The outlet when the line is its name, maybe with section names beside it."""
    parts = [p for p in re.split(r"\s+[-–—|]\s+|\s*\|\s*", text) if p.strip()]
    found = [state.patterns.outlets.match(part) for part in parts]
    if not found or found[0] is None:
        return None
    return (
        found[0]
        if all(f or len(_words(p)) <= 3 for f, p in zip(found, parts, strict=True))
        else None
    )


def _take_byline(state: _State, line: _Line, after_title: bool = False) -> bool:
    byline = parse_byline(line.text, state.patterns.byline_prefixes, state.patterns.outlets)
    if byline is None and not state.patterns.date_prefix.match(line.text):
        byline = _name_and_date(line.text)
    if byline is None:
        return False
    state.doc.byline = state.doc.byline or byline.name
    _set_published(state, byline.published, after_title)
    if byline.outlet:
        state.evidence.setdefault("byline", byline.outlet)
    state.remove(line, "metadata")
    return True


def _name_and_date(text: str) -> Byline | None:
    """An author's name followed by the date, without "By": "Jane Roe January 17, 2023"."""
    tokens = text.split()
    for size in (2, 3, 4):
        name = tokens[:size]
        if len(tokens) <= size + 1 or not _name_like(" ".join(name), size):
            continue
        if any(month_number(token) for token in name) or _WEEKDAY_NAME.match(name[-1]):
            continue
        published = parse_date(" ".join(tokens[size:]))
        if published is not None:
            return Byline(" ".join(tokens[:size]), published, None)
    return None


def _take_date_line(state: _State, line: _Line, after_title: bool = False) -> bool:
    published = header_date(line.text, state.patterns.date_prefix)
    if published is None:
        return False
    for part in line.text.split("|")[1:] if "|" in line.text else []:
        credited = re.sub(r"^\s*sources?\s*:\s*", "", part, flags=re.I)
        outlet = state.patterns.outlets.match(credited)
        if outlet:
            state.evidence.setdefault("credit", outlet)
    first = line.text.split("|")[0]
    if re.match(r"\s*sources?\s*:", first, flags=re.I):
        outlet = state.patterns.outlets.match(re.sub(r"^\s*sources?\s*:\s*", "", first, flags=re.I))
        if outlet:
            state.evidence.setdefault("credit", outlet)
    _set_published(state, published, after_title)
    state.remove(line, "metadata")
    return True


def _set_published(state: _State, published: date | None, after_title: bool) -> None:
    """The first header date is the page's, except that a date above the headline (a site's
    clock or ticker) gives way to one beside the story (a byline or date line under it)."""
    if published is None or published > date.today():
        return  # a page is not dated after the day it is read
    if state.doc.published_date is None or (after_title and state.date_above_title):
        state.doc.published_date = published
        state.date_above_title = not after_title


def _is_header_line(state: _State, line: _Line) -> bool:
    """A byline or a date line."""
    prefixes, outlets = state.patterns.byline_prefixes, state.patterns.outlets
    if parse_byline(line.text, prefixes, outlets) is not None:
        return True
    return header_date(line.text, state.patterns.date_prefix) is not None


def _mark_dateline(state: _State) -> None:
    """A dateline opening the first body line: the rest of the line stays as story text."""
    kept = state.kept()
    if not kept:
        return
    line = kept[0]
    found = parse_dateline(line.text, state.patterns.outlets)
    if found is None or len(_words(found.rest)) < 3:
        return
    state.record(line, found.prefix, "metadata")
    line.text = found.rest.strip()
    state.doc.dateline = found.place
    state.doc.published_date = state.doc.published_date or found.published
    state.month_day = state.month_day or found.month_day
    state.doc.byline = state.doc.byline or found.byline
    if found.outlet:
        state.evidence["dateline"] = found.outlet


def _mark_stray_dates(state: _State) -> None:
    """A bare date line inside the body is page furniture (the header step took real ones)."""
    for line in state.kept():
        if len(_words(line.text)) <= 6 and parse_date(line.text) is not None:
            state.remove(line, "boilerplate")

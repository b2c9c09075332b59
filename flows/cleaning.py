"""Boilerplate stripping: decoded article text or HTML -> CleanDocument.

The input is split into lines (HTML: text blocks), each line is normalised, then a fixed
sequence of marking steps takes lines out of the body with a reason (metadata, boilerplate,
caption, foreign_language, tail, duplicate). What is left is joined into paragraphs.
Every pattern comes from seeds/boilerplate_patterns.csv and seeds/outlets.csv.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ftfy

from flows.html import HtmlPage, html_to_blocks
from flows.metadata import (
    OutletTable,
    fold,
    parse_byline,
    parse_date,
    parse_dateline,
    split_trailing_date,
)
from flows.records import CleanDocument, RemovedLine

# NBSP and friends become spaces; zero-width characters and the BOM disappear.
_SPACES = {ord(c): " " for c in "\u00a0\u2007\u202f\u2002\u2003\u2009\u3000\t"} | {
    ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff"
}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_TERMINAL = (".", "!", "?", "…", ":", ";")
_CLOSERS = " \"'”’»)]*"
_MAX_CAPTION_WORDS = 20
_MAX_TITLE_WORDS = 25
_HEADER_SCAN = 6


@dataclass(frozen=True, slots=True)
class BoilerplatePatterns:
    """Compiled rules from seeds/boilerplate_patterns.csv plus the outlet table."""

    lines: tuple[re.Pattern[str], ...]
    cuts: tuple[re.Pattern[str], ...]
    trailing: tuple[re.Pattern[str], ...]
    captions: tuple[re.Pattern[str], ...]
    credits: tuple[re.Pattern[str], ...]
    byline_prefixes: str
    date_prefix: re.Pattern[str]
    stopwords: frozenset[str]
    foreign_letters: frozenset[str]
    outlets: OutletTable

    @classmethod
    def from_seeds(cls, seeds_dir: Path) -> BoilerplatePatterns:
        """Load boilerplate_patterns.csv and outlets.csv from the seeds folder."""
        outlets = OutletTable.from_csv(Path(seeds_dir) / "outlets.csv")
        path = Path(seeds_dir) / "boilerplate_patterns.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return cls.from_rows(rows, outlets)

    @classmethod
    def from_rows(cls, rows: list[dict[str, str]], outlets: OutletTable) -> BoilerplatePatterns:
        """Compile `kind,pattern,...` rows; `{outlet}` expands to every outlet variant."""
        by_kind: dict[str, list[str]] = {}
        for row in rows:
            by_kind.setdefault(row["kind"].strip(), []).append(row["pattern"])
        outlet_group = rf"(?P<outlet>\b(?:{outlets.regex()})\b)"

        def compile_all(kind: str, template: str = "{}") -> tuple[re.Pattern[str], ...]:
            sources = [
                template.format(p.replace("{outlet}", outlet_group)) for p in by_kind.get(kind, [])
            ]
            return tuple(re.compile(s, re.I) for s in sources)

        return cls(
            lines=compile_all("line"),
            cuts=compile_all("cut"),
            trailing=compile_all("trailing", "(?:{})$"),
            captions=compile_all("caption"),
            credits=compile_all("credit"),
            byline_prefixes="|".join(by_kind.get("byline_prefix", ["by"])),
            date_prefix=re.compile(
                rf"^(?:{'|'.join(by_kind.get('date_prefix', ['published']))})\s*", re.I
            ),
            stopwords=frozenset(" ".join(by_kind.get("stopwords", [])).lower().split()),
            foreign_letters=frozenset("".join(by_kind.get("foreign_letters", []))),
            outlets=outlets,
        )


@dataclass(slots=True)
class _Line:
    """One input line (or HTML block) while it is being classified."""

    no: int
    raw: str  # as written in the input, for RemovedLine.text
    text: str  # normalised; may lose a dateline prefix or trailing junk
    tag: str = ""  # HTML tag, or "h1".."h6" for markdown headings
    blank_before: bool = True
    indent: int = 0
    reason: str | None = None


@dataclass(slots=True)
class _State:
    """Everything the marking steps share."""

    lines: list[_Line]
    patterns: BoilerplatePatterns
    html: bool
    doc: CleanDocument = field(default_factory=CleanDocument)
    removed: list[RemovedLine] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)  # outlet by source
    script: str = "latin"
    english: bool = True
    hard_wrapped: bool = False
    wrap_width: int = 0

    def kept(self) -> list[_Line]:
        """Lines still in the body."""
        return [line for line in self.lines if line.reason is None]

    def remove(self, line: _Line, reason: str) -> None:
        """Take a whole line out of the body."""
        line.reason = reason
        self.removed.append(RemovedLine(line.no, line.raw, reason))

    def record(self, line: _Line, fragment: str, reason: str) -> None:
        """Note a fragment cut from a kept line (dateline prefix, trailing junk)."""
        self.removed.append(RemovedLine(line.no, fragment.strip(), reason))


# -- public entry point --------------------------------------------------------------------


def clean_document(
    text: str, content_type: str, patterns: BoilerplatePatterns, outlet_hint: str | None = None
) -> CleanDocument:
    """Strip boilerplate from one decoded article and pull out its metadata."""
    page = html_to_blocks(text) if content_type == "html" else None
    lines = _html_lines(page) if page is not None else _text_lines(text)
    state = _State(lines, patterns, html=page is not None)
    _profile(state)
    if page is not None:
        _apply_page_meta(state, page)
    for step in _STEPS:
        step(state)
    state.doc.outlet = _pick_outlet(state, outlet_hint)
    state.doc.paragraphs = _assemble(state)
    state.doc.removed = sorted(state.removed, key=lambda r: r.line_no)
    return state.doc


# -- input -> lines ------------------------------------------------------------------------


def normalise_line(raw: str) -> tuple[str, str]:
    """Fix mojibake, spaces and markdown in one line; returns (text, heading tag or "")."""
    text = ftfy.fix_text(raw, uncurl_quotes=False, fix_line_breaks=False).translate(_SPACES)
    tag = ""
    heading = re.match(r"\s{0,3}(#{1,6})\s+", text)
    if heading:
        tag, text = f"h{len(heading.group(1))}", text[heading.end() :].rstrip("# ")
    text = re.sub(r"^\s*>\s?", "", text)  # markdown blockquote
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<!!)\[([^\]]+)\]\([^)\s]+\)", r"\1", text)  # [text](url) -> text
    text = text.replace("**", "")
    return re.sub(r" {2,}", " ", text).strip(), tag


def _text_lines(text: str) -> list[_Line]:
    """Split text on newlines keeping 1-based input line numbers."""
    lines: list[_Line] = []
    blank = True
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.rstrip("\r")
        normalised, tag = normalise_line(raw)
        if not normalised:
            blank = True
            continue
        indent = len(raw) - len(raw.lstrip())
        lines.append(_Line(number, raw.strip(), normalised, tag, blank, indent))
        blank = False
    return lines


def _html_lines(page: HtmlPage) -> list[_Line]:
    """One line per HTML block, numbered as the extracted text lines."""
    lines = []
    for number, block in enumerate(page.blocks, start=1):
        normalised, _ = normalise_line(block.text)
        if normalised:
            lines.append(_Line(number, block.text, normalised, block.tag))
    return lines


# -- line features -------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS).endswith(_TERMINAL)


def _starts_lower(text: str) -> bool:
    first = text.lstrip(_CLOSERS + "“‘(")[:1]
    return first.islower() or first.isdigit()


def _stop_density(text: str, stopwords: frozenset[str]) -> float:
    words = _words(text)
    return sum(w.lower() in stopwords for w in words) / len(words) if words else 0.0


def _script(text: str) -> str | None:
    """Dominant writing system of the letters in `text`."""
    counts: Counter[str] = Counter()
    for char in text:
        if not char.isalpha():
            continue
        code = ord(char)
        if 0x0400 <= code <= 0x052F:
            counts["cyrillic"] += 1
        elif 0x0590 <= code <= 0x08FF or 0xFB1D <= code <= 0xFEFF:
            counts["arabic"] += 1
        elif code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
            counts["latin"] += 1
        else:
            counts["other"] += 1
    return counts.most_common(1)[0][0] if counts else None


def _is_foreign(state: _State, text: str) -> bool:
    """Another script than the article's, or Azerbaijani/Turkish-looking text in English."""
    script = _script(text)
    if script is None:
        return False
    if script != state.script:
        return True
    if not (state.english and script == "latin"):
        return False
    marks = sum(ch in state.patterns.foreign_letters for ch in text)
    density = _stop_density(text, state.patterns.stopwords)
    return (marks >= 2 and density < 0.15) or (
        marks >= 1 and density == 0 and len(_words(text)) >= 4
    )


def _story_like(state: _State, text: str) -> bool:
    """A line that reads as a sentence of the story (jusText's 'good' paragraph)."""
    if _is_foreign(state, text) or len(_words(text)) < 8 or not _ends_sentence(text):
        return False
    return not state.english or _stop_density(text, state.patterns.stopwords) >= 0.2


def _profile(state: _State) -> None:
    """Decide the article's script/language and whether it is hard-wrapped."""
    long_lines = [ln.text for ln in state.lines if len(_words(ln.text)) >= 6] or [
        ln.text for ln in state.lines
    ]
    joined = " ".join(long_lines)
    state.script = _script(joined) or "latin"
    state.english = _stop_density(joined, state.patterns.stopwords) >= 0.2
    content = [ln.text for ln in state.lines if len(_words(ln.text)) >= 3]
    if state.html or len(content) < 4:
        return
    lengths = sorted(len(t) for t in content)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    open_ended = sum(len(t) >= 0.6 * width and not _ends_sentence(t) for t in content)
    state.hard_wrapped = width <= 110 and open_ended >= 2 and open_ended / len(content) >= 0.3
    state.wrap_width = width


# -- marking steps -------------------------------------------------------------------------


def _apply_page_meta(state: _State, page: HtmlPage) -> None:
    """HTML <head> metadata: title, published time, site name."""
    title = page.og_title or page.title
    if title:
        state.doc.title = _strip_site_suffix(state, title, page.site_name)
    if page.published:
        state.doc.published_date = parse_date(page.published)
    if page.site_name:
        state.evidence["site"] = state.patterns.outlets.match(page.site_name) or page.site_name


def _strip_site_suffix(state: _State, title: str, site: str | None) -> str:
    """'Headline | Tehran Times' -> 'Headline'."""
    parts = re.split(r"\s+[|–—-]\s+", title)
    outlet = state.patterns.outlets.match(parts[-1]) if len(parts) > 1 else None
    if outlet:
        state.evidence.setdefault("site", outlet)
    if outlet or (len(parts) > 1 and site and fold(parts[-1]) == fold(site)):
        return " ".join(parts[:-1]).strip()
    return title


def _mark_debris(state: _State) -> None:
    """Known page-debris lines (full-line patterns)."""
    for line in state.kept():
        # bare dates are judged by the header step, not here
        debris = any(p.fullmatch(line.text) for p in state.patterns.lines)
        if debris and parse_date(line.text) is None:
            state.remove(line, "boilerplate")


def _strip_trailing_junk(state: _State) -> None:
    """Agency end marks glued to a paragraph ("... IRNA reports.-0—")."""
    for line in state.kept():
        for pattern in state.patterns.trailing:
            match = pattern.search(line.text)
            # only when what is left still ends a sentence: never cut story text
            if match and match.start() > 0 and _ends_sentence(line.text[: match.start()]):
                state.record(line, match.group(), "boilerplate")
                line.text = line.text[: match.start()].rstrip()


def _mark_captions(state: _State) -> None:
    """Photo captions, agency credits and short lines that repeat."""
    counts = Counter(_key(ln.text) for ln in state.kept())
    for line in state.kept():
        if line.tag == "figcaption":
            state.remove(line, "caption")
            continue
        words = _words(line.text)
        if len(words) > _MAX_CAPTION_WORDS:
            continue
        outlet = _caption_outlet(state, line.text)
        if outlet is not None:
            state.evidence.setdefault("caption", outlet)
            state.remove(line, "caption")
        elif counts[_key(line.text)] > 1 and len(words) <= 12 and not _ends_sentence(line.text):
            state.remove(line, "caption")


def _caption_outlet(state: _State, text: str) -> str | None:
    """The credited outlet ("" when uncredited) if `text` is a caption, else None."""
    for pattern in state.patterns.captions:
        match = pattern.fullmatch(text)
        if not match:
            continue
        credited = match.groupdict().get("outlet")
        if credited is None:
            return ""
        outlet = state.patterns.outlets.match(credited)
        if outlet is not None:
            return outlet
    return None


def _mark_header(state: _State) -> None:
    """Title, subtitle, byline and date lines at the top of the article."""
    kept = state.kept()[:_HEADER_SCAN]
    title_at = -1
    for index, line in enumerate(kept):
        if _take_masthead(state, line) or _take_byline(state, line) or _take_date_line(state, line):
            continue
        if title_at < 0 and _is_title(state, kept, index):
            _take_title(state, line)
            title_at = index
        elif title_at == index - 1 >= 0 and _is_subtitle(state, kept, index):
            state.doc.subtitle = line.text
            state.remove(line, "metadata")
        else:
            break


def _take_title(state: _State, line: _Line) -> None:
    title, published = split_trailing_date(line.text)
    if not state.html or line.tag == "h1" or not state.doc.title:
        state.doc.title = title
    if state.doc.published_date is None:
        state.doc.published_date = published
    state.remove(line, "metadata")


def _take_masthead(state: _State, line: _Line) -> bool:
    """A header line that is only an outlet's name ("Tehran Times") is the masthead."""
    outlet = state.patterns.outlets.match(line.text)
    if outlet is None:
        return False
    state.evidence.setdefault("site", outlet)
    state.remove(line, "metadata")
    return True


def _take_byline(state: _State, line: _Line) -> bool:
    byline = parse_byline(line.text, state.patterns.byline_prefixes, state.patterns.outlets)
    if byline is None:
        return False
    state.doc.byline = state.doc.byline or byline.name
    state.doc.published_date = state.doc.published_date or byline.published
    if byline.outlet:
        state.evidence.setdefault("byline", byline.outlet)
    state.remove(line, "metadata")
    return True


def _take_date_line(state: _State, line: _Line) -> bool:
    published = parse_date(state.patterns.date_prefix.sub("", line.text))
    if published is None:
        return False
    state.doc.published_date = state.doc.published_date or published
    state.remove(line, "metadata")
    return True


def _is_title(state: _State, kept: list[_Line], index: int) -> bool:
    """A headline: short, no final period, not a dateline, with story text after it."""
    line = kept[index]
    if state.html and state.doc.title and _key(line.text) == _key(state.doc.title):
        return True
    text, published = split_trailing_date(line.text)
    words = _words(text)
    if not 1 <= len(words) <= _MAX_TITLE_WORDS or text.rstrip(_CLOSERS).endswith(
        (".", ",", ";", ":")
    ):
        return False
    if state.html and line.tag != "h1" and state.doc.title:
        return False
    if published is None and parse_dateline(line.text, state.patterns.outlets) is not None:
        return False
    following = kept[index + 1] if index + 1 < len(kept) else None
    if following is None or (not following.blank_before and _joins(state, line, following)):
        return published is not None
    return text[:1].isupper() or text[:1].isdigit() or text[:1] in "\"“‘'"


def _is_subtitle(state: _State, kept: list[_Line], index: int) -> bool:
    """The standfirst right after the title (before the byline, or in the title's block)."""
    line = kept[index]
    if len(_words(line.text)) > 45 or parse_dateline(line.text, state.patterns.outlets):
        return False
    if line.tag in {"h2", "h3", "h4"}:
        return True
    after = kept[index + 1] if index + 1 < len(kept) else None
    if after is not None and _is_header_line(state, after):
        return True
    return bool(
        not state.html
        and not state.hard_wrapped
        and not line.blank_before
        and (after is None or after.blank_before)
    )


def _is_header_line(state: _State, line: _Line) -> bool:
    """A byline or a date line."""
    prefixes, outlets = state.patterns.byline_prefixes, state.patterns.outlets
    if parse_byline(line.text, prefixes, outlets) is not None:
        return True
    return parse_date(state.patterns.date_prefix.sub("", line.text)) is not None


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
    if found.outlet:
        state.evidence["dateline"] = found.outlet


def _mark_stray_dates(state: _State) -> None:
    """A bare date line inside the body is page furniture (the header step took real ones)."""
    for line in state.kept():
        if len(_words(line.text)) <= 6 and parse_date(line.text) is not None:
            state.remove(line, "boilerplate")


def _mark_cut(state: _State) -> None:
    """Cut at the first section marker ("Most Popular") followed by no story text."""
    story_seen = False
    for index, line in enumerate(state.lines):
        is_marker = any(p.fullmatch(line.text) for p in state.patterns.cuts)
        if is_marker and story_seen and _furniture_follows(state, state.lines[index + 1 :]):
            _cut_from(state, index)
            return
        story_seen = story_seen or (line.reason is None and _story_like(state, line.text))


def _furniture_follows(state: _State, rest: list[_Line]) -> bool:
    """jusText-style test: what follows a marker holds (almost) no story sentences."""
    pending = [ln for ln in rest if ln.reason is None]
    story = sum(_story_like(state, ln.text) for ln in pending)
    return story == 0 or (story < 2 and story / len(pending) < 0.34)


def _cut_from(state: _State, index: int) -> None:
    marker = state.lines[index]
    if marker.reason is None:
        state.remove(marker, "boilerplate")
    for line in state.lines[index + 1 :]:
        if line.reason is None:
            state.remove(line, _furniture_reason(state, line))


def _furniture_reason(state: _State, line: _Line) -> str:
    if any(p.fullmatch(line.text) for p in state.patterns.lines):
        return "boilerplate"
    return "foreign_language" if _is_foreign(state, line.text) else "tail"


def _mark_tail(state: _State) -> None:
    """Short, unfinished or foreign lines after the last story sentence are furniture."""
    kept = state.kept()
    tail: list[_Line] = []
    for line in reversed(kept):
        if not _furniture_like(state, line):
            break
        tail.append(line)
    if len(tail) < len(kept):  # never empty the whole body
        for line in tail:
            state.remove(line, _furniture_reason(state, line))


def _furniture_like(state: _State, line: _Line) -> bool:
    """Unfinished short lines, foreign lines, and short exclamations with few function words."""
    text, words = line.text, _words(line.text)
    if line.tag.startswith("h") and state.html:
        return False
    if _is_foreign(state, text) or (not _ends_sentence(text) and len(words) <= 12):
        return True
    exclaiming = text.rstrip(_CLOSERS).endswith("!") and not re.search(r"[\"“”]", text)
    sparse = _stop_density(text, state.patterns.stopwords) < 0.34
    return exclaiming and len(words) <= 6 and sparse


def _mark_foreign(state: _State) -> None:
    """Lines in another language than the article's anywhere in the body."""
    for line in state.kept():
        if _is_foreign(state, line.text):
            state.remove(line, "foreign_language")


def _mark_duplicates(state: _State) -> None:
    """A line repeated verbatim keeps only its first occurrence."""
    seen: set[str] = set()
    for line in state.kept():
        key = _key(line.text)
        if key in seen:
            state.remove(line, "duplicate")
        seen.add(key)


def _collect_credits(state: _State) -> None:
    """Agency credits inside the story ("..., IRNA reports.") are outlet evidence."""
    for line in state.kept():
        for pattern in state.patterns.credits:
            for match in pattern.finditer(line.text):
                outlet = state.patterns.outlets.match(match.group("outlet"))
                if outlet:
                    state.evidence.setdefault("credit", outlet)


_STEPS: tuple[Callable[[_State], None], ...] = (
    _mark_debris,
    _strip_trailing_junk,
    _mark_captions,
    _mark_header,
    _mark_dateline,
    _mark_stray_dates,
    _mark_cut,
    _mark_tail,
    _mark_foreign,
    _mark_duplicates,
    _collect_credits,
)


def _pick_outlet(state: _State, hint: str | None) -> str | None:
    """Dateline beats the caller's hint, which beats the site name, credits and captions."""
    if "dateline" in state.evidence:
        return state.evidence["dateline"]
    if hint:
        return state.patterns.outlets.match(hint) or hint
    for source in ("site", "byline", "credit", "caption"):
        if state.evidence.get(source):
            return state.evidence[source]
    return None


# -- lines -> paragraphs -------------------------------------------------------------------


def _joins(state: _State, first: _Line, second: _Line) -> bool:
    """Whether `second` continues the paragraph of `first` (no blank line between them)."""
    if state.html or first.tag.startswith("h") or second.tag.startswith("h"):
        return False
    open_ended = not _ends_sentence(first.text)
    if open_ended and (_starts_lower(second.text) or first.text.endswith((",", "-", "–", "("))):
        return True
    if not state.hard_wrapped or second.indent > first.indent:
        return False
    return open_ended or len(first.text) >= 0.8 * state.wrap_width


def _assemble(state: _State) -> list[str]:
    """Join kept lines into paragraphs: blank lines, removed lines and line ends split them."""
    paragraphs: list[str] = []
    previous: _Line | None = None
    for line in state.lines:
        if line.reason is not None:
            previous = None
            continue
        if previous is not None and not line.blank_before and _joins(state, previous, line):
            glue = "" if previous.text.endswith("-") and _starts_lower(line.text) else " "
            paragraphs[-1] = paragraphs[-1] + glue + line.text
        else:
            paragraphs.append(line.text)
        previous = line
    return paragraphs


def _key(text: str) -> str:
    """Comparison key: case-folded, diacritics and spacing ignored."""
    return re.sub(r"\s+", " ", fold(text)).casefold().strip()

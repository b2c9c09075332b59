"""Input to lines: normalising each line, fixing mojibake, and the state the marking steps
share. Also the page-template lines of an outlet."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import ftfy

from flows.extract.cleaning.ftfy_gate import ftfy_may_change, mojibake_possible
from flows.extract.cleaning.line_table import LineTable
from flows.extract.cleaning.page_dates import header_date
from flows.extract.cleaning.patterns import _SPACES, _WHITESPACE, BoilerplatePatterns
from flows.extract.html import HtmlPage, html_to_blocks
from flows.extract.metadata import (
    fold,
)
from flows.records import CleanDocument, RemovedLine


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
    role: str = ""  # HTML class-name hint: caption | byline | date | subtitle | furniture
    inline: bool = False  # a caption set inside a paragraph: the paragraph goes on past it


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
    template: frozenset[str] = frozenset()  # keys of the outlet's template lines
    page_links: str = ""  # absolute link targets of an HTML page, space-separated
    hard_wrapped: bool = False
    wrap_width: int = 0
    foreign: dict[str, bool] = field(default_factory=dict)  # _is_foreign verdicts by text
    # dates of removed lines that were a date as a whole, by line number: the page's date
    # when no header field gives one (a date line taken for a caption or a stray date)
    dates: list[tuple[int, date]] = field(default_factory=list)
    date_above_title: bool = False  # the page's date so far came from above the headline
    month_day: tuple[int, int] | None = None  # a dateline's date without its year
    store_line: int = 0  # number of the line that carried the store's date prefix
    store_cut: bool = False  # the text ends where a page store cuts pages (see store_cut)
    # pattern tests by line text: the chunk's table (line_table.py), then the document's own
    table: LineTable = field(default_factory=lambda: LineTable({}))
    tested: dict[tuple[int, str], bool] = field(default_factory=dict)

    def kept(self) -> list[_Line]:
        """Lines still in the body."""
        return [line for line in self.lines if line.reason is None]

    def remove(self, line: _Line, reason: str) -> None:
        """Take a whole line out of the body (noting its date if it is a date line). One
        removed row per line: fragments already cut from it are part of the whole line."""
        line.reason = reason
        self.removed = [r for r in self.removed if r.line_no != line.no]
        self.removed.append(RemovedLine(line.no, line.raw, reason))
        if _YEAR.search(line.text) and len(line.text.split()) <= _MAX_DATE_LINE_WORDS:
            # a date line of any shape ("Published On <date> » 2201 Views » By X")
            found = header_date(line.text, self.patterns.date_prefix)
            if found is not None:
                self.dates.append((line.no, found))

    def record(self, line: _Line, fragment: str, reason: str) -> None:
        """Note a fragment cut from a kept line (dateline prefix, trailing junk); a second cut
        from the same line (the store's prefix, then a dateline) joins the first one's row."""
        for index, earlier in enumerate(self.removed):
            if earlier.line_no == line.no:
                joined = f"{earlier.text} {fragment.strip()}"
                self.removed[index] = RemovedLine(line.no, joined, earlier.reason)
                return
        self.removed.append(RemovedLine(line.no, fragment.strip(), reason))


_YEAR = re.compile(r"\d{4}|\d[./-]\d{1,2}[./-]\d{2}\b")  # no page date without a year
_MAX_DATE_LINE_WORDS = 16  # page_dates' longest date line


# A page store returns the first ~2,000 bytes of a page, cut mid-word and without a final
# newline: a text of that length that ends unfinished lost the rest of its last paragraph.
_STORE_CUT_BYTES = (1900, 2000)


def store_cut(text: str) -> bool:
    """Whether the text looks cut by a page store at its length limit."""
    low, high = _STORE_CUT_BYTES
    return not text.endswith("\n") and low <= len(text.encode("utf-8")) <= high


# -- input -> lines ------------------------------------------------------------------------


# Markdown, compiled once: every line of every document goes through normalise_line.
_HEADING = re.compile(r"\s{0,3}(#{1,6})\s+")
_BLOCKQUOTE = re.compile(r"^\s*>\s?")
_STRONG = re.compile(r"(\*\*|__)(.+?)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\([^)\s]+\)")
_SPACE_RUN = re.compile(r" {2,}")
_MAX_PASSES = 4  # normalise_line's repeats; ">>>>>" and the like settle well before
_SPACE_CHARS = re.compile("[" + "".join(re.escape(chr(code)) for code in _SPACES) + "]")
# Printable ASCII (and tabs) without "&": nothing ftfy fixes can occur in it. Mojibake, C1
# controls, ligatures, full-width forms and surrogates are not ASCII, the control characters
# it removes are not printable, and HTML entities start with "&".
_NOTHING_TO_FIX = re.compile(r"[\t\x20-\x25\x27-\x7e]*")


def normalise_line(raw: str) -> tuple[str, str]:
    """Fix mojibake, spaces and markdown in one line; returns (text, heading tag or "").

    Idempotent: a pass that changed the line is repeated until nothing changes, since its
    output may hold more to fix (markdown inside markdown, "> # Title"; ftfy fixing what a
    removed space hid). Most lines settle in one pass or two."""
    previous, (text, tag) = raw, _normalise_once(raw)
    for _ in range(_MAX_PASSES):
        if text == previous:
            break
        again, inner = _normalise_once(text)
        if again == text:
            break
        previous, text, tag = text, again, tag or inner
    return text, tag


def _normalise_once(raw: str) -> tuple[str, str]:
    text = _fix_text(raw)
    # of the characters _SPACES maps, only the tab is ASCII
    if text.isascii():
        text = text.replace("\t", " ")
    elif _SPACE_CHARS.search(text):  # a translate table is slow: only when it has work
        text = text.translate(_SPACES)
    return _strip_markdown(text)


def _strip_markdown(text: str) -> tuple[str, str]:
    tag = ""
    # most lines hold no markdown: each rule runs only when its marks are there
    heading = _HEADING.match(text) if "#" in text else None
    if heading:
        tag, text = f"h{len(heading.group(1))}", text[heading.end() :].rstrip("# ")
    if ">" in text:
        text = _BLOCKQUOTE.sub("", text)  # markdown blockquote
    if "*" in text or "_" in text:
        text = _STRONG.sub(r"\2", text)
        text = _EMPHASIS.sub(r"\1", text)
    if "[" in text:
        text = _LINK.sub(r"\1", text)  # [text](url) -> text
    text = text.replace("**", "")
    return _SPACE_RUN.sub(" ", text).strip(), tag


def _fix_text(raw: str) -> str:
    """ftfy's fixes for one line (most lines need none, and ftfy takes a while to see that)."""
    if _NOTHING_TO_FIX.fullmatch(raw) or not ftfy_may_change(raw):
        return raw
    return ftfy.fix_text(raw, uncurl_quotes=False, fix_line_breaks=False)


def fix_document_encoding(lines: list[str]) -> list[str]:
    """Undo mojibake with the plan ftfy finds on the clearest lines, applied to every line.

    ftfy judges each line alone and leaves a line with a single mis-decoded letter
    ("DavutoÄŸlu") as it is; the document was mis-decoded as a whole, so its plan is reused.
    """
    plans: Counter[tuple[tuple[str, str], ...]] = Counter()
    for raw in lines:
        if raw.isascii() or not mojibake_possible(raw):
            continue  # ftfy returns such text unchanged, without a plan
        plan = ftfy.fix_encoding_and_explain(raw).explanation or []
        if any(step[0] == "encode" for step in plan):
            plans[tuple((str(a), str(b)) for a, b in plan)] += 1
    if not plans:  # no line was mis-decoded: every line stays as it is
        return lines
    ordered = [list(plan) for plan, _ in plans.most_common()]
    return [_apply_plans(raw, ordered) for raw in lines]


def _apply_plans(raw: str, plans: list[list[tuple[str, str]]]) -> str:
    """The first plan that decodes the line; the line itself when none does (it was right)."""
    for plan in plans:
        try:
            return str(ftfy.apply_plan(raw, plan))  # type: ignore[arg-type]
        except (UnicodeError, ValueError):
            continue
    return raw


def _text_lines(text: str) -> list[_Line]:
    """Split text on newlines keeping 1-based input line numbers."""
    lines: list[_Line] = []
    blank = True
    for number, raw in enumerate(fix_document_encoding(text.split("\n")), start=1):
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
            lines.append(_Line(number, block.text, normalised, block.tag, role=block.role))
    return lines


def document_lines(text: str, content_type: str) -> list[str]:
    """The normalised lines (HTML: text blocks) of one document, as `template_lines` takes."""
    if content_type == "html":
        return [line.text for line in _html_lines(html_to_blocks(text))]
    return [line.text for line in _text_lines(text)]


# A template line recurs in at least this many documents of the folder, and this share.
TEMPLATE_MIN_DOCUMENTS = 3
TEMPLATE_MIN_SHARE = 0.3


def template_lines(
    documents: list[list[str]],
    min_documents: int = TEMPLATE_MIN_DOCUMENTS,
    min_share: float = TEMPLATE_MIN_SHARE,
) -> set[str]:
    """Lines that recur in many documents of one outlet: its page template (menus, footers).

    A line counts once per document; it is a template line when it occurs in at least
    `min_documents` documents and in at least `min_share` of them. Feed all of one outlet's
    (or one source folder's) current documents, then pass the result to
    `clean_document(..., template=...)`.
    """
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for lines in documents:
        keys = {_key(line): line for line in lines if line.strip()}
        counts.update(keys.keys())
        for key, line in keys.items():
            spelling.setdefault(key, line)
    template = template_from_counts(counts, len(documents), min_documents, min_share)
    return {spelling[key] for key in template}


def template_from_counts(
    counts: Mapping[str, int],
    documents: int,
    min_documents: int = TEMPLATE_MIN_DOCUMENTS,
    min_share: float = TEMPLATE_MIN_SHARE,
) -> set[str]:
    """The template line keys of a folder of `documents` documents, given how many of them
    hold each line key (`template_lines`' rule, for counts kept elsewhere)."""
    floor = max(min_documents, min_share * documents)
    return {key for key, n in counts.items() if n >= floor}


def line_keys(text: str, content_type: str) -> set[str]:
    """The comparison keys of one document's lines, as `template_lines` counts them."""
    return {_key(line) for line in document_lines(text, content_type) if line.strip()}


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """Comparison key: case-folded, diacritics and spacing ignored (cached: the steps compare
    the same lines many times)."""
    return _WHITESPACE.sub(" ", fold(text)).casefold().strip()

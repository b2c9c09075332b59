"""Boilerplate stripping: decoded article text or HTML -> CleanDocument.

The input is split into lines (HTML: text blocks), each line is normalised, then a fixed
sequence of marking steps takes lines out of the body with a reason (metadata, boilerplate,
caption, foreign_language, tail, duplicate). What is left is joined into paragraphs.
Every pattern comes from seeds/boilerplate_patterns.csv and seeds/outlets.csv.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import ftfy

from flows.extract.dates import parse_date, parse_date_field
from flows.extract.html import HtmlPage, html_to_blocks, load_role_rules
from flows.extract.metadata import (
    OutletTable,
    fold,
    parse_byline,
    parse_dateline,
    parse_place_line,
    split_trailing_date,
)
from flows.extract.seeds import read_seed_csv
from flows.records import CleanDocument, RemovedLine

# NBSP and friends become spaces; zero-width characters and the BOM disappear.
_SPACES = {ord(c): " " for c in "\u00a0\u2007\u202f\u2002\u2003\u2009\u3000\t"} | {
    ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff"
}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")  # every letter beyond ASCII, and more
_WITHOUT_ASCII_LETTERS = str.maketrans("", "", string.ascii_letters)
_TERMINAL = (".", "!", "?", "…", ":", ";")
_CLOSERS = " \"'”’»)]*"
_WHITESPACE = re.compile(r"\s+")
_THREE_DIGITS = re.compile(r"\d{3}")
_THREE_LETTERS = re.compile(r"[^\W\d_]{3}")
_MAX_CAPTION_WORDS = 20
_MAX_TITLE_WORDS = 25


def union_of(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """One alternation of the patterns: it matches (the whole text, or somewhere in it)
    exactly when one of them does, and one regex call is much faster than one per rule.

    None when that cannot be guaranteed: patterns with groups (a back-reference would change
    meaning), different flags, or sources that do not combine (a global inline flag).
    """
    if not patterns or any(p.groups for p in patterns):
        return None
    if len({p.flags for p in patterns}) != 1:
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)
    except re.error:
        return None


def _fullmatches_any(
    patterns: tuple[re.Pattern[str], ...], union: re.Pattern[str] | None, text: str
) -> bool:
    """Whether one of the patterns matches the whole text (`union`: their union_of)."""
    if union is None:
        return any(p.fullmatch(text) for p in patterns)
    return union.fullmatch(text) is not None


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
    html_roles: tuple[tuple[str, re.Pattern[str]], ...] = ()
    languages: tuple[str, ...] = ()  # lingua language names of the region
    domains: dict[str, str] = field(default_factory=dict)  # web host -> canonical outlet
    cities: frozenset[str] = frozenset()  # folded city names (seeds/places.csv): datelines
    # every line is tried against the debris and section-marker rules: one regex each
    _debris: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _sections: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _junk: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_debris", union_of(self.lines))
        object.__setattr__(self, "_sections", union_of(self.cuts))
        object.__setattr__(self, "_junk", union_of(self.trailing))

    def may_end_in_junk(self, text: str) -> bool:
        """False when no `trailing` rule can match the text (most lines: one search tells)."""
        return self._junk is None or self._junk.search(text) is not None

    def is_debris(self, text: str) -> bool:
        """A known page-debris line: some `line` rule matches all of it."""
        return _fullmatches_any(self.lines, self._debris, text)

    def is_section_marker(self, text: str) -> bool:
        """A section heading after which a page may hold only furniture (`cut` rules)."""
        return _fullmatches_any(self.cuts, self._sections, text)

    @classmethod
    def from_seeds(cls, seeds_dir: Path) -> BoilerplatePatterns:
        """Load boilerplate_patterns.csv and outlets.csv from the seeds folder."""
        outlets = OutletTable.from_csv(Path(seeds_dir) / "outlets.csv")
        path = Path(seeds_dir) / "boilerplate_patterns.csv"
        patterns = cls.from_rows(read_seed_csv(path, strip=False), outlets)
        roles_csv = Path(seeds_dir) / "boilerplate_html_classes.csv"
        if roles_csv.exists():
            patterns = replace(patterns, html_roles=load_role_rules(roles_csv))
        domains_csv = Path(seeds_dir) / "outlet_domains.csv"
        if domains_csv.exists():
            hosts = {r["domain"].lower(): r["outlet"] for r in read_seed_csv(domains_csv)}
            patterns = replace(patterns, domains=hosts)
        places_csv = Path(seeds_dir) / "places.csv"
        if places_csv.exists():
            cities = {
                fold(v).casefold().strip()
                for r in read_seed_csv(places_csv)
                if r["kind"] == "city"
                for v in r["variants"].split("|")
            }
            patterns = replace(patterns, cities=frozenset(cities))
        languages_csv = Path(seeds_dir) / "language_region.csv"
        if languages_csv.exists():
            names = tuple(row["language"] for row in read_seed_csv(languages_csv))
            patterns = replace(patterns, languages=names)
        return patterns

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
    role: str = ""  # HTML class-name hint: caption | byline | date | subtitle | furniture


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
    text: str,
    content_type: str,
    patterns: BoilerplatePatterns,
    outlet_hint: str | None = None,
    template: set[str] | frozenset[str] = frozenset(),
) -> CleanDocument:
    """Strip boilerplate from one decoded article and pull out its metadata.

    `template` holds lines repeated across many documents of the same outlet (from
    `template_lines` over a batch); they are removed unless they read as story text.
    """
    page = html_to_blocks(text, patterns.html_roles) if content_type == "html" else None
    lines = _html_lines(page) if page is not None else _text_lines(text)
    state = _State(lines, patterns, html=page is not None)
    state.template = frozenset(_key(line) for line in template)
    state.page_links = " ".join(page.links) if page is not None else ""
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


# Markdown, compiled once: every line of every document goes through normalise_line.
_HEADING = re.compile(r"\s{0,3}(#{1,6})\s+")
_BLOCKQUOTE = re.compile(r"^\s*>\s?")
_STRONG = re.compile(r"(\*\*|__)(.+?)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\([^)\s]+\)")
_SPACE_RUN = re.compile(r" {2,}")
# Printable ASCII (and tabs) without "&": nothing ftfy fixes can occur in it. Mojibake, C1
# controls, ligatures, full-width forms and surrogates are not ASCII, the control characters
# it removes are not printable, and HTML entities start with "&".
_NOTHING_TO_FIX = re.compile(r"[\t\x20-\x25\x27-\x7e]*")


def normalise_line(raw: str) -> tuple[str, str]:
    """Fix mojibake, spaces and markdown in one line; returns (text, heading tag or "")."""
    text = _fix_text(raw).translate(_SPACES)
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
    if _NOTHING_TO_FIX.fullmatch(raw):
        return raw
    return ftfy.fix_text(raw, uncurl_quotes=False, fix_line_breaks=False)


def fix_document_encoding(lines: list[str]) -> list[str]:
    """Undo mojibake with the plan ftfy finds on the clearest lines, applied to every line.

    ftfy judges each line alone and leaves a line with a single mis-decoded letter
    ("DavutoÄŸlu") as it is; the document was mis-decoded as a whole, so its plan is reused.
    """
    plans: Counter[tuple[tuple[str, str], ...]] = Counter()
    for raw in lines:
        if raw.isascii():
            continue  # ftfy returns ASCII text unchanged, without a plan
        plan = ftfy.fix_encoding_and_explain(raw).explanation or []
        if any(step[0] == "encode" for step in plan):
            plans[tuple((str(a), str(b)) for a, b in plan)] += 1
    return [_apply_plans(raw, [list(plan) for plan, _ in plans.most_common()]) for raw in lines]


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


def template_lines(
    documents: list[list[str]], min_documents: int = 3, min_share: float = 0.3
) -> set[str]:
    """Lines that recur in many documents of one outlet: its page template (menus, footers).

    A line counts once per document; it is a template line when it occurs in at least
    `min_documents` documents and in at least `min_share` of them. Feed one outlet's (or one
    source folder's) batch, then pass the result to `clean_document(..., template=...)`.
    """
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for lines in documents:
        keys = {_key(line): line for line in lines if line.strip()}
        counts.update(keys.keys())
        for key, line in keys.items():
            spelling.setdefault(key, line)
    floor = max(min_documents, min_share * len(documents))
    return {spelling[key] for key, n in counts.items() if n >= floor}


# -- line features -------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    """The words of a line (cached: every step looks at the same lines)."""
    return tuple(_WORD.findall(text))


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS).endswith(_TERMINAL)


def _starts_lower(text: str) -> bool:
    first = text.lstrip(_CLOSERS + "“‘(")[:1]
    return first.islower() or first.isdigit()


@lru_cache(maxsize=8192)
def _stop_density(text: str, stopwords: frozenset[str]) -> float:
    """Share of function words among the words of a line (cached like _words)."""
    return _share_of_stopwords(_words(text), stopwords)


def _share_of_stopwords(words: Sequence[str], stopwords: frozenset[str]) -> float:
    return sum(w.lower() in stopwords for w in words) / len(words) if words else 0.0


def _script(text: str) -> str | None:
    """Dominant writing system of the letters in `text` (on a tie, the one met first)."""
    counts: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    # ASCII letters are Latin: count them in one go, then look at the other letters
    # (usually a few accented ones) one by one.
    ascii_letters = len(text) - len(text.translate(_WITHOUT_ASCII_LETTERS))
    if ascii_letters:
        counts["latin"] = ascii_letters
        first_seen["latin"] = _first_ascii_letter(text)
    for match in _NON_ASCII_LETTER.finditer(text):
        if match.group().isalpha():  # the class also holds a few non-letters ("²")
            script = _letter_script(ord(match.group()))
            counts[script] = counts.get(script, 0) + 1
            # (an accented Latin letter can come before the first ASCII one)
            first_seen[script] = min(first_seen.get(script, match.start()), match.start())
    if not counts:
        return None
    return max(counts, key=lambda script: (counts[script], -first_seen[script]))


def _first_ascii_letter(text: str) -> int:
    """Offset of the first ASCII letter (the caller knows there is one)."""
    match = _ASCII_LETTER.search(text)
    return match.start() if match else -1


def _letter_script(code: int) -> str:
    """Writing system of one letter, by code point."""
    if 0x0400 <= code <= 0x052F:
        return "cyrillic"
    if 0x0590 <= code <= 0x08FF or 0xFB1D <= code <= 0xFEFF:
        return "arabic"
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    return "other"


def _is_foreign(state: _State, text: str) -> bool:
    """Another script than the article's, or Azerbaijani/Turkish-looking text in English.

    Remembered per document: several steps ask about the same lines, and the verdict only
    depends on the line and on the document's script and language (set by _profile first).
    """
    verdict = state.foreign.get(text)
    if verdict is None:
        verdict = state.foreign[text] = _judge_foreign(state, text)
    return verdict


def _judge_foreign(state: _State, text: str) -> bool:
    """The verdict of _is_foreign, worked out."""
    script = _script(text)
    if script is None:
        return False
    if script != state.script:
        return True
    if not (state.english and script == "latin"):
        return False
    marks = sum(text.count(letter) for letter in state.patterns.foreign_letters)
    density = _stop_density(text, state.patterns.stopwords)
    if marks >= 2 and density < 0.15:
        return True
    # Name-heavy English ("Aliyev and Raisi. IRNA", "Davutoğlu hosts ...") has few function
    # words too: only a line without any English function word goes to the identifier.
    if density > 0 or len(_words(text)) < (2 if marks else 3):
        return False
    return _identified_foreign(text, state.patterns.languages)


@lru_cache(maxsize=4096)
def _identified_foreign(text: str, languages: tuple[str, ...]) -> bool:
    """lingua, restricted to the region's languages, is confident the line is not English."""
    detector = _detector(languages)
    if detector is None:
        return False
    confidences = {
        c.language.name: c.value for c in detector.compute_language_confidence_values(text)
    }
    best = max(confidences, key=confidences.__getitem__)
    return best != "ENGLISH" and confidences[best] >= 0.7 and confidences.get("ENGLISH", 0) < 0.1


@lru_cache(maxsize=4)
def _detector(languages: tuple[str, ...]):
    """A lingua detector over the seeded languages (None when fewer than two are named)."""
    from lingua import Language, LanguageDetectorBuilder

    chosen = [getattr(Language, name) for name in languages if hasattr(Language, name)]
    if len(chosen) < 2:
        return None
    return LanguageDetectorBuilder.from_languages(*chosen).build()


def _story_like(state: _State, text: str) -> bool:
    """A line that reads as a sentence of the story (jusText's 'good' paragraph)."""
    # the cheap tests first: _is_foreign may run the language identifier
    if len(_words(text)) < 8 or not _ends_sentence(text) or _is_foreign(state, text):
        return False
    return not state.english or _stop_density(text, state.patterns.stopwords) >= 0.2


def _profile(state: _State) -> None:
    """Decide the article's script/language and whether it is hard-wrapped."""
    long_lines = [ln.text for ln in state.lines if len(_words(ln.text)) >= 6] or [
        ln.text for ln in state.lines
    ]
    joined = " ".join(long_lines)
    state.script = _script(joined) or "latin"
    # not through the caches: a whole document would sit in them long after it is done
    state.english = _share_of_stopwords(_WORD.findall(joined), state.patterns.stopwords) >= 0.2
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


def _mark_debris(state: _State) -> None:
    """Known page-debris lines (full-line patterns)."""
    for line in state.kept():
        # bare dates are judged by the header step, not here
        debris = state.patterns.is_debris(line.text)
        if debris and parse_date_field(line.text) is None:
            state.remove(line, "boilerplate")


def _strip_trailing_junk(state: _State) -> None:
    """Agency end marks glued to a paragraph ("... IRNA reports.-0—")."""
    for line in state.kept():
        if not state.patterns.may_end_in_junk(line.text):
            continue
        for pattern in state.patterns.trailing:
            match = pattern.search(line.text)
            # only when what is left still ends a sentence: never cut story text
            if match and match.start() > 0 and _ends_sentence(line.text[: match.start()]):
                state.record(line, match.group(), "boilerplate")
                line.text = line.text[: match.start()].rstrip()


def _mark_captions(state: _State) -> None:
    """Photo captions, agency credits and short lines that repeat."""
    kept = state.kept()
    counts = Counter(_key(ln.text) for ln in kept)
    echoes = {
        _key(a.text)
        for a, b in pairwise(kept)
        if _key(a.text) == _key(b.text) and _headline_like(state, a)
    }
    for line in kept:
        if line.tag == "figcaption":
            state.remove(line, "caption")
            continue
        words = _words(line.text)
        if len(words) > _MAX_CAPTION_WORDS:
            continue
        outlet = _caption_outlet(state, line.text)
        if outlet is not None and parse_place_line(line.text, state.patterns.outlets) is None:
            state.evidence.setdefault("caption", outlet)
            state.remove(line, "caption")
        elif (
            counts[_key(line.text)] > 1
            and len(words) <= 12
            and not _ends_sentence(line.text)
            and _key(line.text) not in echoes
        ):
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


def _mark_roles(state: _State) -> None:
    """HTML blocks whose container is named as a caption or page furniture."""
    furniture = [ln for ln in state.kept() if ln.role == "furniture"]
    story = [ln for ln in state.kept() if _story_like(state, ln.text)] if furniture else []
    inside = sum(len(ln.text) for ln in story if ln.role == "furniture")
    # a "furniture" name on the article's own container would empty the body: ignore it then
    if story and inside > 0.5 * sum(len(ln.text) for ln in story):
        furniture = []
    for line in furniture:
        state.remove(line, _furniture_reason(state, line))
    for line in state.kept():
        if line.role == "caption":
            state.remove(line, "caption")


def _mark_template(state: _State) -> None:
    """Lines of the outlet's page template (see `template_lines`), unless they read as story."""
    if not state.template:
        return
    for line in state.kept():
        if _key(line.text) in state.template and not _story_like(state, line.text):
            state.remove(line, "template")


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
    if _take_masthead(state, line) or _take_byline(state, line) or _take_date_line(state, line):
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


def _name_like(text: str) -> bool:
    """Two or three capitalised words and nothing else: a reporter's name."""
    tokens = text.split()
    return 2 <= len(tokens) <= 3 and all(
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
        if _story_like(state, _paragraph_from(state, kept, index)) and not _before_header(
            state, kept, index
        ):
            return index
    long = [i for i, ln in enumerate(kept) if len(_words(ln.text)) >= 12]
    return long[0] if long else 0


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
    published = parse_date_field(state.patterns.date_prefix.sub("", line.text))
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
    state.doc.published_date = state.doc.published_date or published
    state.remove(line, "metadata")
    return True


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
    state.doc.byline = state.doc.byline or found.byline
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
        is_marker = state.patterns.is_section_marker(line.text)
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
    if state.patterns.is_debris(line.text):
        return "boilerplate"
    return "foreign_language" if _is_foreign(state, line.text) else "tail"


def _mark_tail(state: _State) -> None:
    """Short, unfinished or foreign lines after the last story sentence are furniture."""
    kept = state.kept()
    tail: list[_Line] = []
    for line in reversed(kept):
        # "...alternate addresses:" introducing only furniture is furniture too
        lead_in = tail and line.text.endswith(":") and len(_words(line.text)) <= 20
        if not (lead_in or _furniture_like(state, line)):
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


def _collect_page_outlet(state: _State) -> None:
    """Weak outlet evidence: an outlet named in removed furniture, the domain most linked to."""
    for line in state.lines:
        if line.reason in {"boilerplate", "tail", "template"}:
            named = state.patterns.outlets.names_in(line.text)
            found = [state.patterns.outlets.match(m) for m in named]
            if any(found):
                state.evidence.setdefault("furniture", next(f for f in found if f))
    domains = Counter(
        state.patterns.domains.get(domain)
        for domain in _link_domains(" ".join(line.raw for line in state.lines) + state.page_links)
    )
    domains.pop(None, None)
    if domains:
        state.evidence.setdefault("links", str(domains.most_common(1)[0][0]))


def _link_domains(text: str) -> list[str]:
    """Host names of absolute links, without "www."."""
    hosts = re.findall(r"https?://(?:www\.)?([a-z0-9.-]+\.[a-z]{2,})", text, flags=re.I)
    return [host.lower() for host in hosts]


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
    _mark_template,
    _mark_roles,
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
    _collect_page_outlet,
)


def _pick_outlet(state: _State, hint: str | None) -> str | None:
    """The publishing site (masthead, <title>, og:site_name) beats the agency in the dateline,
    which beats the caller's hint, credits, captions and links."""
    if "site" in state.evidence:
        return state.evidence["site"]
    if "dateline" in state.evidence:
        return state.evidence["dateline"]
    if hint:
        return state.patterns.outlets.match(hint) or hint
    for source in ("site_name", "site", "byline", "credit", "caption", "furniture", "links"):
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


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """Comparison key: case-folded, diacritics and spacing ignored (cached: the steps compare
    the same lines many times)."""
    return _WHITESPACE.sub(" ", fold(text)).casefold().strip()

"""Body rules: debris, page template, HTML roles, captions, cut-off and tail furniture,
foreign-language lines, duplicates and credits."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from flows.extract.cleaning.features import (
    _ends_sentence,
    _furniture_reason,
    _is_foreign,
    _starts_lower,
    _stop_density,
    _story_like,
    _words,
    matches,
)
from flows.extract.cleaning.header import _headline_like
from flows.extract.cleaning.line_table import CAPTION, CREDIT, CREDITED, DEBRIS, JUNK, SECTION
from flows.extract.cleaning.lines import _key, _Line, _State
from flows.extract.cleaning.patterns import (
    _MAX_CAPTION_WORDS,
    _MAX_CREDITED_CAPTION_WORDS,
)
from flows.extract.dates import parse_date_field
from flows.extract.metadata import (
    parse_place_line,
)


def _mark_debris(state: _State) -> None:
    """Known page-debris lines (full-line patterns)."""
    for line in state.kept():
        # bare dates are judged by the header step, not here
        debris = matches(state, line.text, DEBRIS)
        if debris and parse_date_field(line.text) is None:
            state.remove(line, "boilerplate")


def _strip_trailing_junk(state: _State) -> None:
    """Agency end marks glued to a paragraph ("... IRNA reports.-0—")."""
    for line in state.kept():
        if not matches(state, line.text, JUNK):
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
    echoes.update(_repeated_headline(state, kept, counts))
    for line in kept:
        if line.tag == "figcaption":
            state.remove(line, "caption")
            continue
        words = _words(line.text)
        outlet = _caption_outlet(state, line.text) if len(words) <= _MAX_CAPTION_WORDS else None
        if outlet is not None and parse_place_line(line.text, state.patterns.outlets) is None:
            state.evidence.setdefault("caption", outlet)
            state.remove(line, "caption")
        elif len(words) <= _MAX_CREDITED_CAPTION_WORDS and _credited_caption(state, line.text):
            state.remove(line, "caption")
            _mark_alt_above(state, kept, line)
        elif len(words) > _MAX_CAPTION_WORDS:
            continue
        elif (
            counts[_key(line.text)] > 1
            and len(words) <= 12
            and not _ends_sentence(line.text)
            and _key(line.text) not in echoes
        ):
            state.remove(line, "caption")


_MIN_SPLIT_WORDS = 15  # a story paragraph cut by an inline caption is long
_MAX_INLINE_CAPTION_WORDS = 20


def _mark_split_captions(state: _State) -> None:
    """A caption set inside a paragraph ("... Enhanced co-operation, moving" / "Minister X,
    Dr. Y" / "forward, is expected ..."): the short line between a long unfinished line and
    a line that goes on in lower case is a caption; the two halves are one paragraph."""
    if state.html:
        return
    kept = state.kept()
    for first, caption, rest in zip(kept, kept[1:], kept[2:], strict=False):
        words = _words(first.text)
        if len(words) < _MIN_SPLIT_WORDS or _ends_sentence(first.text):
            continue
        if not _starts_lower(rest.text) or _starts_lower(caption.text):
            continue
        if len(_words(caption.text)) > _MAX_INLINE_CAPTION_WORDS or _ends_sentence(caption.text):
            continue
        if _stop_density(first.text, state.patterns.stopwords) < 0.2 and state.english:
            continue
        state.remove(caption, "caption")
        caption.inline = True
        rest.blank_before = False


def _repeated_headline(state: _State, kept: list[_Line], counts: Counter[str]) -> set[str]:
    """The headline printed twice with a standfirst or caption between the copies: the first
    headline-shaped line above the story that repeats is the title, not a repeated caption."""
    for line in kept:
        if _story_like(state, line.text):
            break
        if counts[_key(line.text)] > 1 and _headline_like(state, line):
            return {_key(line.text)}
    return set()


_MAX_ALT_NAME_WORDS = 12


def _mark_alt_above(state: _State, kept: list[_Line], caption: _Line) -> None:
    """The block right above a credited caption that only names people in Title Case ("Jane
    Roe and Foreign Minister John Doe"): the image's alternative text."""
    at = kept.index(caption)
    if at == 0 or not caption.blank_before:
        return
    above = kept[at - 1]
    words = _words(above.text)
    titled = all(w[:1].isupper() or w in {"and", "of", "the", "with"} for w in words)
    sized = 3 <= len(words) <= _MAX_ALT_NAME_WORDS
    bare = not _ends_sentence(above.text) and not _QUOTE_MARK.search(above.text)
    if above.reason is None and titled and sized and bare:
        state.remove(above, "caption")


def _credited_caption(state: _State, text: str) -> bool:
    """A caption by its shape: it ends in a media credit or names people by position."""
    if _QUOTE_MARK.search(text):
        return False  # quoted speech is story text
    return matches(state, text, CREDITED)


_QUOTE_MARK = re.compile(r"[\"“”«»]")


def _caption_outlet(state: _State, text: str) -> str | None:
    """The credited outlet ("" when uncredited) if `text` is a caption, else None."""
    if not matches(state, text, CAPTION):
        return None
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


def _mark_cut(state: _State) -> None:
    """Cut at the first section marker ("Most Popular") followed by no story text."""
    story_seen = False
    for index, line in enumerate(state.lines):
        is_marker = matches(state, line.text, SECTION)
        if is_marker and story_seen and _furniture_follows(state, state.lines[index + 1 :]):
            _cut_from(state, index)
            return
        story_seen = story_seen or (line.reason is None and _story_like(state, line.text))


_MIN_STORY_WORDS_AFTER_MARKER = 12


def _furniture_follows(state: _State, rest: list[_Line]) -> bool:
    """jusText-style test: what follows a marker holds (almost) no story sentences."""
    pending = [ln for ln in rest if ln.reason is None]
    # prompts and notices ("You must be logged in to post a comment.") are sentences too,
    # but shorter than a story's paragraphs
    story = sum(
        _story_like(state, ln.text) and len(_words(ln.text)) >= _MIN_STORY_WORDS_AFTER_MARKER
        for ln in pending
    )
    return story == 0 or (story < 2 and story / len(pending) < 0.34)


def _cut_from(state: _State, index: int) -> None:
    marker = state.lines[index]
    if marker.reason is None:
        state.remove(marker, "boilerplate")
    for line in state.lines[index + 1 :]:
        if line.reason is None:
            state.remove(line, _furniture_reason(state, line))


def _mark_foreign(state: _State) -> None:
    """Lines in another language than the article's anywhere in the body."""
    for line in state.kept():
        if _is_foreign(state, line.text):
            state.remove(line, "foreign_language")


def _mark_duplicates(state: _State) -> None:
    """A line repeated verbatim keeps only its first occurrence."""
    # the headline printed again inside the body is a duplicate of the title
    seen: set[str] = {_key(state.doc.title)} if state.doc.title else set()
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
        if not matches(state, line.text, CREDIT):
            continue  # no credit rule finds anything in the line
        for pattern in state.patterns.credits:
            for match in pattern.finditer(line.text):
                outlet = state.patterns.outlets.match(match.group("outlet"))
                if outlet:
                    state.evidence.setdefault("credit", outlet)

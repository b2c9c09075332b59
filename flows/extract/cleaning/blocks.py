"""Outlet-independent furniture by position and shape: the block after the story's end,
runs of link headlines inside the body, and promotion prompts.

Related, popular and "you may also like" lists often come without a marker line: after the
last story sentence a page shows a run of headline-shaped lines (no final period, at most a
headline's length, or a teaser cut with an ellipsis). The page store may cut the last line
of a page mid-sentence, so that line is story text when it reads as prose.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from flows.extract.cleaning.features import (
    _ends_sentence,
    _furniture_reason,
    _is_foreign,
    _joins,
    _sentence_end,
    _stop_density,
    _story_like,
    _teaser_end,
    _title_case,
    _words,
    matches,
)
from flows.extract.cleaning.line_table import PROMO
from flows.extract.cleaning.lines import _Line, _State
from flows.extract.cleaning.patterns import _CLOSERS, _MAX_TITLE_WORDS

_MIN_RUN_LINKS = 3  # link headlines in a row that make a list inside the body
_MIN_LINK_WORDS = 6  # a link headline is a clause, not a label
_MAX_QUESTION_WORDS = 12  # "What is APEC anyway?" heads a list like a label
_MIN_CUT_WORDS = 8  # a cut-off last paragraph worth keeping
_MIN_FURNITURE_RUN = 4  # furniture lines right above a cut-off last line that make it furniture
_MAX_LABEL_WORDS = 3  # a section label in capitals inside the body ("FOREIGN AFFAIRS")
_MAX_PROMPT_QUESTION_WORDS = 8  # "Are you sure you want to log out?" after the story
_MAX_PROMPT_WORDS = 12  # longer unfinished lines read as story text even on a whole page
_MAX_EMPTY_LABEL_WORDS = 3  # "Estimated reading time:" with its value lost


def _mark_tail(state: _State) -> None:
    """Furniture after the last story sentence, removed as one block: short or unfinished
    lines, headline-shaped links, teasers, promotion prompts and foreign lines."""
    kept = state.kept()
    last_no = state.lines[-1].no if state.lines else 0
    wrapped = _wrapped(state, kept)
    tail: list[_Line] = []
    for line in reversed(kept):
        # "...alternate addresses:" introducing only furniture is furniture too
        # (or the page's last kept line, when only lines already taken out follow it)
        introduces = bool(tail) or (line is kept[-1] and line.no < last_no)
        lead_in = introduces and line.text.endswith(":") and len(_words(line.text)) <= 20
        # an empty field label at the page's end ("Short link:", "Tags:"): nothing follows it
        lead_in = lead_in or (
            line.text.endswith(":") and len(_words(line.text)) <= _MAX_EMPTY_LABEL_WORDS
        )
        last = line.no == last_no
        furniture = lead_in or _tail_furniture(state, line, last, line.no in wrapped)
        if not (furniture or (last and _under_furniture(state, kept, wrapped))):
            break
        tail.append(line)
    if len(tail) < len(kept):  # never empty the whole body
        for line in tail:
            reason = "boilerplate" if _is_promo(state, line.text) else None
            state.remove(line, reason or _furniture_reason(state, line))


def _tail_furniture(state: _State, line: _Line, last: bool, wrapped: bool) -> bool:
    """A line that may belong to the block after the story (`last`: the page's last line;
    `wrapped`: one line of a paragraph written over several lines)."""
    if line.tag.startswith("h") and state.html:
        return False
    if _is_promo(state, line.text):
        return True  # a prompt or the site's blurb, also where the store cut the page
    if last and (_cut_prose(state, line.text) or _cut_speech(line.text)):
        return False  # the store cut the story's last paragraph here
    if _furniture_like(state, line):
        return True
    return not wrapped and (_headline_shaped(state, line.text) or _prompt_question(line.text))


_MIN_CUT_SPEECH_WORDS = 4


def _cut_speech(text: str) -> bool:
    """The page's last line opens a quotation that never closes ('"What a better way to'):
    speech the store cut off, not a menu or a link."""
    opened = re.match(r"\s*[\"“«„]", text)
    return (
        opened is not None
        and not re.search(r"[\"”»]", text[opened.end() :])
        and len(_words(text)) >= _MIN_CUT_SPEECH_WORDS
    )


def _prompt_question(text: str) -> bool:
    """A widget's short question ("Are you sure you want to log out?"), not quoted speech."""
    short = len(_words(text)) <= _MAX_PROMPT_QUESTION_WORDS
    return short and text.rstrip(_CLOSERS).endswith("?") and not re.search(r"[\"“”«»]", text)


def _under_furniture(state: _State, kept: list[_Line], wrapped: set[int]) -> bool:
    """The page's cut-off last line sits under a run of furniture (tag rows, menus, widget
    labels): it is the site's blurb or the next teaser, not the story's last paragraph."""
    above = kept[-1 - _MIN_FURNITURE_RUN : -1]
    return len(above) == _MIN_FURNITURE_RUN and all(
        _tail_furniture(state, line, False, line.no in wrapped) for line in above
    )


def _wrapped(state: _State, kept: list[_Line]) -> set[int]:
    """Numbers of the lines that are part of a paragraph written over several lines."""
    numbers: set[int] = set()
    for first, second in pairwise(kept):
        if not second.blank_before and _joins(state, first, second):
            numbers.update((first.no, second.no))
    return numbers


def _headline_shaped(state: _State, text: str) -> bool:
    """A link headline: not a sentence, at most a headline's length, in the story's script."""
    words = len(_words(text))
    return not _sentence_end(text) and 2 <= words <= _MAX_TITLE_WORDS


def _cut_prose(state: _State, text: str) -> bool:
    """A paragraph cut off mid-sentence: function words, sentence case, and long or on a
    page the store cut at its length limit."""
    words = len(_words(text))
    if _sentence_end(text) or _teaser_end(text) or words < _MIN_CUT_WORDS:
        return False
    stopwords = state.patterns.stopwords
    if _title_case(text, stopwords) or _is_foreign(state, text):
        return False
    if state.store_cut:
        return True  # the store cut the page inside this line
    # on a whole page only a long line with function words: a short one is a prompt or label
    return words > _MAX_PROMPT_WORDS and _stop_density(text, stopwords) >= 0.2


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


def _is_promo(state: _State, text: str) -> bool:
    """An app, channel, newsletter or subscription prompt (seeds: `promo` rules)."""
    return matches(state, text, PROMO)


def _mark_link_runs(state: _State) -> None:
    """A run of link headlines inside the body ("What to know" and the stories it lists) is
    furniture; its last line stays when story text follows it (a section heading)."""
    if state.html:
        return
    run: list[_Line] = []
    kept = state.kept()
    wrapped = _wrapped(state, kept)
    for line in [*kept, None]:
        if line is not None and line.no not in wrapped and _link_shaped(state, line):
            run.append(line)
            continue
        links = [ln for ln in run if len(_words(ln.text)) >= _MIN_LINK_WORDS]
        if len(links) >= _MIN_RUN_LINKS:
            heading = line is not None and _story_like(state, line.text)
            for link in run[:-1] if heading else run:
                state.remove(link, "boilerplate")
        run = []


def _link_shaped(state: _State, line: _Line) -> bool:
    """A line that may sit in a list of links: headline-shaped, or a short question."""
    text = line.text
    if _is_foreign(state, text):
        return False
    question = text.rstrip(_CLOSERS).endswith("?") and len(_words(text)) <= _MAX_QUESTION_WORDS
    return question or _headline_shaped(state, text)


def _mark_labels(state: _State) -> None:
    """A category or widget label inside the body: one word alone on its line ("Opinion",
    "Newsletter"), or a short line in capitals ("DIPLOMACY"), under story text. Subheadings
    are longer and in sentence or title case; a word wrapped from a sentence joins it."""
    kept = state.kept()
    wrapped = _wrapped(state, kept)
    story_seen = False
    for line in kept:
        if story_seen and line.no not in wrapped and _label_shaped(state, line):
            state.remove(line, "boilerplate")
            continue
        story_seen = story_seen or _story_like(state, line.text)


def _label_shaped(state: _State, line: _Line) -> bool:
    text = line.text
    words = _words(text)
    if not words or _ends_sentence(text) or _is_foreign(state, text) or re.search(r"\d", text):
        return False
    capitals = all(word.isupper() for word in words) and len(words) <= _MAX_LABEL_WORDS
    return (
        (len(words) == 1 and len(words[0]) >= 2 and text.strip() == words[0])
        or capitals
        or (line.blank_before and _alt_text(text, words))
    )


_MAX_ALT_WORDS = 10


def _alt_text(text: str, words: Sequence[str]) -> bool:
    """An image's alternative text left as a block: a few words all in lower case, without
    any punctuation ("jane roe and john doe in the capital")."""
    return (
        3 <= len(words) <= _MAX_ALT_WORDS
        and text == text.lower()
        and re.search(r"[a-z]", text) is not None
        and re.fullmatch(r"[\w\s'’-]+", text) is not None
    )

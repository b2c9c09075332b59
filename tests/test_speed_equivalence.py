"""Faster helpers of the extraction hot path give what the plain versions they replaced give.

The plain versions are written out here as the reference. Every text is generated.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.extract.names import _strip_honorifics
from flows.extract.quote_sources import mask_quotes
from flows.extract.quote_spans import _SENTENCE_END, _sentence_start

TEXT = st.text(alphabet='ab A.B!?“"” \n\tMr.Dr’s', max_size=60)


def _plain_sentence_start(para: str, pos: int) -> int:
    starts = [m.end() for m in _SENTENCE_END.finditer(para, 0, min(len(para), pos + 1))]
    return starts[-1] if starts else 0


@settings(max_examples=400, deadline=None)
@given(TEXT, st.integers(min_value=-2, max_value=70))
def test_sentence_start_is_the_bounded_scan(para: str, pos: int) -> None:
    assert _sentence_start(para, pos) == _plain_sentence_start(para, pos)


def _plain_mask(para: str, spans: list[tuple[int, int]]) -> str:
    chars = list(para)
    for start, end in spans:
        for k in range(max(0, start), min(end, len(chars))):
            if not chars[k].isspace():
                chars[k] = "_"
    return "".join(chars)


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="ab \u00a0\u2003\n_x", max_size=40),
    st.lists(st.tuples(st.integers(-3, 45), st.integers(-3, 45)), max_size=4),
)
def test_masking_is_the_character_loop(para: str, spans: list[tuple[int, int]]) -> None:
    assert mask_quotes(para, spans) == _plain_mask(para, spans)


def _plain_strip(text: str, honorifics: list[str]) -> str:
    changed = True
    while changed:
        changed = False
        for h in sorted(set(honorifics), key=len, reverse=True):
            if text.lower().startswith(h.lower() + " "):
                text, changed = text[len(h) + 1 :].lstrip(), True
    return text


HONORIFICS = ["Dr.", "Sheikh", "His Excellency", "H.E.", "Mr", "İmam"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*HONORIFICS, "his", "Ali", "dr.", "x", "SHEIKH"]), max_size=5))
def test_honorifics_are_stripped_as_before(words: list[str]) -> None:
    text = " ".join(words)
    assert _strip_honorifics(text, HONORIFICS) == _plain_strip(text, HONORIFICS)


def test_reference_helpers_can_fail() -> None:
    # the references above are not the functions under test
    assert _plain_mask("a b", [(0, 3)]) == "_ _"
    assert re.fullmatch(r"_+", mask_quotes("ab", [(0, 2)]))

"""The chunk-wide line tests (polars, Rust regex) give the answers Python's re gives, and the
ftfy gate only skips lines ftfy leaves as they are."""

from __future__ import annotations

import re
from pathlib import Path

import ftfy
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.extract.cleaning import (
    BoilerplatePatterns,
    clean_document,
    clean_documents,
    document_lines,
)
from flows.extract.cleaning.ftfy_gate import SUSPECT, ftfy_may_change, mojibake_possible
from flows.extract.cleaning.line_table import (
    _RULES,
    MIN_TABLE_TEXTS,
    PROMO,
    SAFE,
    SECTION,
    _plan,
    line_table,
    python_matches,
    rust_literal,
)
from flows.ingest.reading import content_type

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cleaning_cases"


PATTERNS = BoilerplatePatterns.from_seeds(ROOT / "seeds")


@pytest.fixture(scope="module")
def patterns() -> BoilerplatePatterns:
    return PATTERNS


def _rust(source: str, texts: list[str]) -> list[bool]:
    return pl.Series(texts, dtype=pl.String).str.contains(source).to_list()


SAFE_CHARS = sorted(SAFE)


@pytest.mark.parametrize(
    "source", [r"^\w$", r"^\W$", r"^\s$", r"^\S$", r"^\d$", r"^\D$", "^.$", r"(?i)^[a-z]$"]
)
def test_character_classes_agree_on_safe_characters(source: str) -> None:
    python = re.compile(source)
    expected = [python.search(c) is not None for c in SAFE_CHARS]
    assert _rust(source, SAFE_CHARS) == expected


def test_word_boundaries_agree_on_safe_characters() -> None:
    texts = [f"{a}{b}" for a in ("a", " ", "é", "-") for b in SAFE_CHARS]
    python = re.compile(r"^.\b")
    assert _rust(r"^.\b", texts) == [python.search(t) is not None for t in texts]


def test_case_insensitive_literals_agree(patterns: BoilerplatePatterns) -> None:
    """Every character of a pattern the table runs in Rust, and every safe character, matches
    the same safe characters case-insensitively in both engines."""
    literals = set(SAFE_CHARS)
    for bit, (kind, _, _) in _RULES.items():
        if _plan(patterns)[bit].rust:
            for pattern in getattr(patterns, kind):
                literals.update(pattern.pattern)
    assert "İ" in literals  # the outlet names hold Turkish letters
    for char in sorted(literals):
        python = re.compile(re.escape(char), re.I)
        expected = [python.fullmatch(c) is not None for c in SAFE_CHARS]
        written = re.escape(char) if char.isascii() or char in SAFE else rust_literal(char)
        assert _rust(f"(?i)^{written}$", SAFE_CHARS) == expected, char


def test_search_rule_sets_run_in_rust(patterns: BoilerplatePatterns) -> None:
    """The seeds' cut, trailing, promo and credit rules all parse in Rust (else the table
    would quietly run them in Python)."""
    plan = _plan(patterns)
    engines = {bit: "rust" if plan[bit].rust else "python" for bit in _RULES}
    assert engines == {bit: engine for bit, (_, _, engine) in _RULES.items()}


def _corpus_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted(p for p in CASES.rglob("*") if p.suffix in {".txt", ".html", ".htm"}):
        text = path.read_text(encoding="utf-8", errors="replace")
        lines += document_lines(text, content_type(str(path), text))
    return lines


def test_table_answers_as_python_does(patterns: BoilerplatePatterns) -> None:
    texts = _corpus_lines()
    texts += [
        "Follow IRNA on Telegram",
        "Most Popular",
        "He said so, IRNA reports.-0—",
        "Aliyev and Raisi met in Baku. IRNA",
        "İstanbul’da bugün — Read more »",
        "Sıgn up for our newsletter",
        "ſubscribe now!",
    ]
    assert len(set(texts)) >= MIN_TABLE_TEXTS
    table = line_table(texts, patterns)
    assert table.bits and table.flags
    for text in set(texts):
        if text not in table.flags:
            assert not SAFE.issuperset(text)
            continue
        for bit in _RULES:
            if table.bits & bit:
                assert bool(table.flags[text] & bit) == python_matches(patterns, bit, text), text


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from([*SAFE_CHARS, "ı", "İ"]), max_size=40)))
def test_table_answers_as_python_does_on_any_text(texts: list[str]) -> None:
    patterns = PATTERNS
    texts = texts + [f"filler line {n} IRNA reports" for n in range(MIN_TABLE_TEXTS)]
    table = line_table(texts, patterns)
    for text in texts:
        flags = table.flags.get(text)
        for bit in _RULES:
            if flags is not None and table.bits & bit:
                assert bool(flags & bit) == python_matches(patterns, bit, text), text


def test_batch_cleans_as_one_document_at_a_time(patterns: BoilerplatePatterns) -> None:
    paths = sorted(p for p in CASES.rglob("*") if p.suffix in {".txt", ".html", ".htm"})
    items = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        items.append((text, content_type(str(path), text), frozenset[str]()))
    batch = clean_documents(items, patterns)
    single = [clean_document(text, kind, patterns) for text, kind, _ in items]
    assert batch == single


def test_ftfy_gate_reads_ftfy() -> None:
    assert SUSPECT is not None  # ftfy's internals still have the shape the gate reads
    assert ftfy_may_change("DavutoÄŸlu")  # mojibake
    assert ftfy_may_change("ﬁnal")  # a ligature
    assert ftfy_may_change("Ｗide")  # a full-width form
    assert ftfy_may_change("e\u0301")  # not NFC
    assert mojibake_possible("Ã©")
    assert not ftfy_may_change("It’s “quoted” — and so on…")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n"), max_size=30))
def test_ftfy_gate_skips_only_lines_ftfy_leaves_alone(text: str) -> None:
    if not ftfy_may_change(text):
        assert ftfy.fix_text(text, uncurl_quotes=False, fix_line_breaks=False) == text
    if not mojibake_possible(text):
        assert not ftfy.fix_encoding_and_explain(text).explanation


def _any_pattern(patterns: BoilerplatePatterns, bit: int, text: str) -> bool:
    kind, whole, _ = _RULES[bit]
    compiled: tuple[re.Pattern[str], ...] = getattr(patterns, kind)
    if whole:
        return any(p.fullmatch(text) for p in compiled)
    return any(p.search(text) for p in compiled)


def test_python_tests_are_the_rule_sets(patterns: BoilerplatePatterns) -> None:
    """python_matches (length bands, unions without group names) answers as trying each
    pattern of the rule set does."""
    texts = set(_corpus_lines()) | {"Photo: IRNA", "(Reuters) - x", "x" * 700, "Read more »"}
    for text in texts:
        for bit in _RULES:
            assert python_matches(patterns, bit, text) == _any_pattern(patterns, bit, text), text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from([*SAFE_CHARS[:120], "ı", "İ", "»"]), max_size=60))
def test_python_tests_are_the_rule_sets_on_any_text(text: str) -> None:
    for bit in _RULES:
        assert python_matches(PATTERNS, bit, text) == _any_pattern(PATTERNS, bit, text), text


def test_patterns_rust_cannot_run_stay_in_python() -> None:
    """A rule set with a look-behind: the other patterns run in Rust, that one in Python, and
    together they answer as the whole set does."""
    rows = [
        {"kind": "promo", "pattern": r"(?<!no )subscribe now"},
        {"kind": "promo", "pattern": r"\bget the app\b"},
        {"kind": "cut", "pattern": r"more news(?=:)|related"},
    ]
    patterns = BoilerplatePatterns.from_rows(rows, PATTERNS.outlets)
    rules = _plan(patterns)
    assert rules[PROMO].rust and rules[PROMO].leftover  # split: one pattern each side
    texts = ["Subscribe now!", "no subscribe now", "Get the app", "related", "more news:"]
    texts += [f"filler {n}" for n in range(MIN_TABLE_TEXTS)]
    table = line_table(texts, patterns)
    assert table.bits & PROMO
    for text in texts:
        for bit in (PROMO, SECTION):
            in_table = table.bits & bit and text in table.flags
            found = (
                bool(table.flags[text] & bit) or python_matches(patterns, bit, text, leftover=True)
                if in_table
                else python_matches(patterns, bit, text)
            )
            assert found == _any_pattern(patterns, bit, text), text


def _script_by_letter(text: str) -> str | None:
    """The dominant script as _script worked it out before: letter by letter."""
    from flows.extract.cleaning.features import _letter_script

    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for at, char in enumerate(text):
        if char.isalpha() and (char.isascii() or re.fullmatch(r"[^\W\d_\x00-\x7f]", char)):
            script = "latin" if char.isascii() else _letter_script(ord(char))
            counts[script] = counts.get(script, 0) + 1
            first.setdefault(script, at)
    return max(counts, key=lambda s: (counts[s], -first[s])) if counts else None


SCRIPT_CHARS = "aZ1 ,.ıİéßœДжاب²½ⅫΩ中ꙮ𝔄𐐀ǅ\u0345"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(SCRIPT_CHARS)), max_size=40))
def test_script_counts_as_letter_by_letter(text: str) -> None:
    from flows.extract.cleaning.features import _script

    assert _script(text) == _script_by_letter(text), text


def test_script_on_corpus_lines() -> None:
    from flows.extract.cleaning.features import _script

    for text in _corpus_lines():
        assert _script(text) == _script_by_letter(text), text

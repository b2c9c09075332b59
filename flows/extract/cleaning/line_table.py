"""The line pattern tests of cleaning, over all lines of a chunk of documents at once.

Each boilerplate rule set of seeds/boilerplate_patterns.csv gives one test per line ("some
`line` rule matches all of it", "some `promo` rule matches somewhere in it", ...). A test
depends only on the line's text, so a chunk's distinct line texts go through polars once
(`str.contains` with the rule set's union, in Rust's regex engine) and the marking steps look
the answers up (`matches`); a text the table does not hold (a line a step shortened) or a rule
set kept in Python is tested in Python, once per document and text.

Which engine runs a rule set was measured on the synthetic corpus: Rust wins on the `cut`,
`trailing`, `promo` and `credit` rules; Python's anchored `fullmatch` wins on the large
whole-line sets (`line`, `caption`, `credit_caption`): their union is big (Unicode,
case-insensitive, `.{0,150}`) and Rust's lazy DFA does not pay for it, one regex per pattern
neither.

The two engines agree on a pattern only where their syntax and character classes do: a
pattern Rust's regex cannot parse (look-arounds, back-references) stays in Python, that
pattern only (tried when the table says no other pattern of its set matches); a letter
outside SAFE in a pattern is written as the class Python's case-insensitive matching gives
it ("İ": "[Iiİı]"); and only lines made of SAFE characters go to Rust: printable ASCII,
Latin-1, Latin Extended-A and general punctuation, without the letters Python equates with
others ("ı", "İ", "ſ", "µ") and without the characters whose \\w differs (superscripts
and fractions are Python word characters, "‿" is Rust's).
tests/test_line_table.py checks that agreement character by character.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from flows.extract.cleaning.patterns import BoilerplatePatterns, union_of

DEBRIS, SECTION, JUNK, PROMO, CREDITED, CAPTION, CREDIT = (1 << bit for bit in range(7))

# rule set (BoilerplatePatterns field) by bit: (field, whole line, engine)
_RULES: dict[int, tuple[str, bool, str]] = {
    DEBRIS: ("lines", True, "python"),
    SECTION: ("cuts", True, "rust"),
    JUNK: ("trailing", False, "rust"),
    PROMO: ("promos", False, "rust"),
    CREDITED: ("credit_captions", True, "python"),
    CAPTION: ("captions", True, "python"),
    CREDIT: ("credits", False, "rust"),
}
# below this many distinct texts, starting polars (and compiling its regexes) costs more
MIN_TABLE_TEXTS = 200

_SAFE_CODES = (
    set(range(0x20, 0x7F))
    | (set(range(0xA0, 0x100)) - {0xB2, 0xB3, 0xB5, 0xB9, 0xBC, 0xBD, 0xBE})
    | (set(range(0x100, 0x180)) - {0x130, 0x131, 0x17F})
    | set(range(0x2010, 0x2028))
    | (set(range(0x2030, 0x205F)) - {0x203F, 0x2040, 0x2054})
    | {0x20AC, 0x2122}
)
SAFE = frozenset(chr(code) for code in _SAFE_CODES)
_GROUP_NAME = re.compile(r"\(\?P<\w+>")
_INLINE_FLAGS = re.IGNORECASE | re.UNICODE


@dataclass(frozen=True, slots=True)
class _RuleSet:
    """One rule set's tests: Rust unions (polars) and the patterns left to Python."""

    bit: int
    whole: bool
    rust: tuple[str, ...]  # unions of the Rust-compatible patterns, each under the size limit
    # Python: the patterns that can match a text of each length band (a whole-line pattern
    # never matches a line longer than its longest match)
    bands: tuple[_Band, ...]
    # the same for the patterns Rust cannot run, tried after the table's answer
    leftover: tuple[_Band, ...] = ()


class _Band:
    """The patterns of one length band, and their union (compiled when first needed: a
    worker pays only for the bands its lines reach)."""

    __slots__ = ("_union", "_unready", "members")

    def __init__(self, members: tuple[re.Pattern[str], ...]):
        self.members = members
        self._union: re.Pattern[str] | None = None
        self._unready = True

    def union(self) -> re.Pattern[str] | None:
        if self._unready:
            self._union, self._unready = _boolean_union(self.members), False
        return self._union


# upper ends of the length bands of whole-line tests
_BANDS = (8, 16, 32, 64, 128, 256, 512, 1024, 1 << 80)


def _python_bands(compiled: tuple[re.Pattern[str], ...], whole: bool) -> tuple[_Band, ...]:
    """For each band of _BANDS, the patterns whose longest match reaches into it."""
    from re import _parser as parser  # type: ignore[attr-defined]

    if not whole:  # a search may match inside any line
        return (_Band(compiled),) * len(_BANDS)
    longest = [parser.parse(p.pattern, p.flags).getwidth()[1] for p in compiled]
    bands: list[_Band] = []
    lower = 0
    for upper in _BANDS:
        members = tuple(p for p, width in zip(compiled, longest, strict=True) if width > lower)
        same = bands and bands[-1].members == members
        bands.append(bands[-1] if same else _Band(members))
        lower = upper
    return tuple(bands)


def _boolean_union(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """One regex that matches where one of the patterns does (union_of), also for patterns
    with groups when none refers back to a group: only whether they match counts here."""
    union = union_of(patterns)
    if union is not None or not patterns or len({p.flags for p in patterns}) != 1:
        return union
    if any(_refers_back(p) for p in patterns):
        return None
    sources = [_GROUP_NAME.sub("(?:", p.pattern) for p in patterns]
    try:
        return re.compile("|".join(f"(?:{s})" for s in sources), patterns[0].flags)
    except re.error:
        return None


@lru_cache(maxsize=1024)
def _refers_back(pattern: re.Pattern[str]) -> bool:
    """Whether the pattern holds a back-reference or a conditional on a group."""
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as parser  # type: ignore[attr-defined]

    def walk(items: object) -> bool:
        for op, av in items:  # type: ignore[attr-defined]
            if op in (C.GROUPREF, C.GROUPREF_EXISTS, C.GROUPREF_IGNORE):
                return True
            for arg in av if isinstance(av, (list, tuple)) else [av]:
                if isinstance(arg, parser.SubPattern) and walk(arg):
                    return True
                if isinstance(arg, list) and any(
                    isinstance(a, parser.SubPattern) and walk(a) for a in arg
                ):
                    return True
        return False

    return walk(parser.parse(pattern.pattern, pattern.flags))


def rust_source(pattern: re.Pattern[str], whole: bool) -> str | None:
    """The pattern in Rust's regex syntax, or None when polars cannot run it as written."""
    if pattern.flags & ~_INLINE_FLAGS:
        return None
    source = _rust_wrap([_rust_body(pattern)], whole, pattern.flags)
    return source if _compiles(source) else None


def _rust_body(pattern: re.Pattern[str]) -> str:
    """The source without group names (Rust refuses a name twice in a union) and with each
    letter outside SAFE written as the class of what Python's case-insensitive matching
    takes for it ("İ" is "[Iiİı]" there)."""
    source = _GROUP_NAME.sub("(?:", pattern.pattern)
    if not pattern.flags & re.IGNORECASE:
        return source
    return "".join(
        char if char.isascii() or char in SAFE else rust_literal(char) for char in source
    )


@lru_cache(maxsize=256)
def rust_literal(char: str) -> str:
    """A Rust class matching what Python's case-insensitive `char` matches, by Python's own
    test over its case forms and every cased character below U+3000 (Python maps "İ" to
    "i"; a character without case forms matches only itself)."""
    from re import _casefix  # type: ignore[attr-defined]

    candidates = set(_cased_characters())
    for form in (char, char.lower(), char.upper(), char.casefold(), char.title()):
        candidates.update(form)
        for letter in form:
            candidates.update(chr(code) for code in _casefix._EXTRA_CASES.get(ord(letter), ()))
    python = re.compile(re.escape(char), re.IGNORECASE)
    kept = sorted(c for c in candidates if python.fullmatch(c))
    return "[" + "".join(re.escape(c) for c in kept) + "]"


@lru_cache(maxsize=1)
def _cased_characters() -> tuple[str, ...]:
    chars = (chr(code) for code in range(0x3000))
    return tuple(c for c in chars if c.lower() != c or c.upper() != c or c.casefold() != c)


def _rust_wrap(sources: list[str], whole: bool, flags: int) -> str:
    union = "|".join(f"(?:{source})" for source in sources)
    prefix = "(?i)" if flags & re.IGNORECASE else ""
    return prefix + (f"^(?:{union})$" if whole else union)


def _compiles(source: str) -> bool:
    try:
        pl.select(pl.lit("x").str.contains(source))
    except pl.exceptions.PolarsError:
        return False
    return True


def _rule_set(patterns: BoilerplatePatterns, bit: int) -> _RuleSet:
    kind, whole, engine = _RULES[bit]
    compiled: tuple[re.Pattern[str], ...] = getattr(patterns, kind)
    bands = _python_bands(compiled, whole)
    if engine == "python" or not compiled:
        return _RuleSet(bit, whole, (), bands)
    sources = [rust_source(p, whole) for p in compiled]
    runnable = tuple(p for p, source in zip(compiled, sources, strict=True) if source)
    if not runnable or len({p.flags for p in runnable}) != 1:
        return _RuleSet(bit, whole, (), bands)
    leftover = tuple(p for p, source in zip(compiled, sources, strict=True) if not source)
    inner = [_rust_body(p) for p in runnable]
    groups: list[list[str]] = []
    for source in inner:  # as few unions as Rust's compiled-size limit allows
        if groups and _compiles(_rust_wrap([*groups[-1], source], whole, runnable[0].flags)):
            groups[-1].append(source)
        else:
            groups.append([source])
    rust = tuple(_rust_wrap(group, whole, runnable[0].flags) for group in groups)
    return _RuleSet(bit, whole, rust, bands, _python_bands(leftover, whole) if leftover else ())


_PLANS: dict[int, tuple[BoilerplatePatterns, dict[int, _RuleSet]]] = {}


def _plan(patterns: BoilerplatePatterns) -> dict[int, _RuleSet]:
    """The rule sets of a pattern object (built once; the entry keeps the object alive, so
    its id is not reused)."""
    entry = _PLANS.get(id(patterns))
    if entry is None or entry[0] is not patterns:
        entry = _PLANS[id(patterns)] = (patterns, {bit: _rule_set(patterns, bit) for bit in _RULES})
    return entry[1]


def python_matches(
    patterns: BoilerplatePatterns, bit: int, text: str, leftover: bool = False
) -> bool:
    """One rule set's test on one line, in Python (`leftover`: only its patterns that Rust
    cannot run)."""
    rules = _plan(patterns)[bit]
    bands = rules.leftover if leftover else rules.bands
    if not bands:
        return False
    band = bands[bisect_left(_BANDS, len(text))]
    union, members = band.union(), band.members
    if union is not None:
        found = union.fullmatch(text) if rules.whole else union.search(text)
        return found is not None
    if rules.whole:
        return any(p.fullmatch(text) for p in members)
    return any(p.search(text) for p in members)


@dataclass(slots=True)
class LineTable:
    """Test results by line text; `bits`: the rule sets the table answers."""

    flags: dict[str, int]
    bits: int = 0
    leftover: int = 0  # rule sets with patterns Rust cannot run (Python tries those)


def line_table(texts: list[str], patterns: BoilerplatePatterns) -> LineTable:
    """The Rust-engine rule sets' answers for the distinct texts made of SAFE characters."""
    if len(texts) < MIN_TABLE_TEXTS:  # fewer distinct texts still
        return LineTable({})
    plan = _plan(patterns)
    rust = [rules for rules in plan.values() if rules.rust]
    unique = list(dict.fromkeys(t for t in texts if t.isascii() or SAFE.issuperset(t)))
    if not rust or len(unique) < MIN_TABLE_TEXTS:
        return LineTable({})
    column = pl.col("text")
    flags = (
        pl.DataFrame({"text": unique}, schema={"text": pl.String})
        .select(
            pl.sum_horizontal(
                pl.any_horizontal(column.str.contains(source) for source in rules.rust)
                .cast(pl.Int64)
                .mul(rules.bit)
                for rules in rust
            )
        )
        .to_series()
        .to_list()
    )
    bits = leftover = 0
    for rules in rust:
        bits |= rules.bit
        leftover |= rules.bit if rules.leftover else 0
    return LineTable(dict(zip(unique, flags, strict=True)), bits, leftover)

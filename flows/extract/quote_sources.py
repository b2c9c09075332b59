"""Who a quotation's attribution names when it is not a known person's name: an institution
("the ministry said in a statement", "Merkel's office said"), an office named instead of the
person holding it ("the Prime Minister said", "said the Chilean president"), or a person the
directory does not know, named right at the verb ("spokesperson Jane Roe tweeted").

Institutional statements are not quotations of a person; the other two give a speaker.
Seeds: quote_institutions.csv (institution and document nouns), quote_role_nouns.csv (offices
that stand for a person).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from flows.extract.metadata import fold
from flows.extract.regexes import phrase_alternation
from flows.extract.seeds import read_seed_csv
from flows.records import Mention

_BOUNDARY = re.compile(r"[,;:()“”\"«»„]|\bthat\b|\band\b")
# a capitalised word, accented letters too ("Fiamē", "Ómar"), or an initial
_UP, _LOW = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿĀ-ɏ"
_NAME_TOKEN = rf"(?:[{_UP}][{_LOW}]+(?:[-'’][{_UP}]?[{_LOW}]+)*|[A-Z]\.)"
_NAME_RUN = re.compile(rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{1,3}}")
_CONTEXT_BEFORE = 80  # characters before a mention read for the office it is named with
_CONTEXT_AFTER = 60  # "Gustavo Petro, president of Colombia"


@dataclass(frozen=True, slots=True)
class Sources:
    """Institution nouns and office nouns, compiled."""

    institution: re.Pattern[str]
    role: re.Pattern[str]  # an office named with "the": group "mods" and group "head"
    person_noun: re.Pattern[str]  # an office noun anywhere (a person, not an institution)
    title_words: frozenset[str] = frozenset()  # words that lead a name: "Minister S. Roe"
    # office words and honorifics a speaker's name loses ("Public Relations X", "Samdech X")
    lead_words: frozenset[str] = frozenset()
    # folded country names: a name run may start with one ("Ambassador to the Philippines X Y")
    countries: frozenset[str] = frozenset()
    # lower-case country word -> country ("turkish" and "ankara" -> Turkey): seeds/demonyms.csv
    demonyms: dict[str, str] = field(default_factory=dict)
    # office -> offices written for it in titles ("premier" -> "prime minister"): seeds
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)


@lru_cache(maxsize=8)
def load_sources(seeds_dir: Path) -> Sources:
    """Compile seeds/quote_institutions.csv and seeds/quote_role_nouns.csv."""
    institutions = _terms(seeds_dir / "quote_institutions.csv", "term")
    roles = _terms(seeds_dir / "quote_role_nouns.csv", "role")
    # (grouped by first letter: the same matches, scanned faster)
    roles_alt = phrase_alternation(roles, True, r"[\s-]+") or "(?!)"
    inst_alt = phrase_alternation(institutions, True) or "(?!)"
    return Sources(
        institution=re.compile(rf"\b(?:{inst_alt})\b", re.I),
        role=re.compile(
            rf"\b(?:the|this)\s+(?P<mods>(?:[\w'’.-]+\s+){{0,3}}?)(?P<head>{roles_alt})\b"
            r"(?:\s+of\s+(?:the\s+)?(?P<of>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3}))?",
            re.I,
        ),
        person_noun=re.compile(rf"\b(?:{roles_alt})\b(?!['’]s)", re.I),
        title_words=frozenset(_terms(seeds_dir / "quote_title_words.csv", "word")),
        lead_words=frozenset(_terms(seeds_dir / "quote_name_lead_words.csv", "word")),
        countries=_countries(seeds_dir),
        demonyms=_demonyms(seeds_dir),
        synonyms={
            row["role"].strip().lower(): tuple(w.strip().lower() for w in row["same_as"].split("|"))
            for row in read_seed_csv(seeds_dir / "quote_role_synonyms.csv", optional=True)
        },
    )


def _demonyms(seeds_dir: Path) -> dict[str, str]:
    """Country words by country: seeds/demonyms.csv and people_countries.csv."""
    found: dict[str, str] = {}
    for row in read_seed_csv(seeds_dir / "demonyms.csv", optional=True):
        for word in row["words"].split("|"):
            found[word.strip().lower()] = row["country"]
    for row in read_seed_csv(seeds_dir / "people_countries.csv", optional=True):
        for word in f"{row['names']}|{row['adjectives']}".split("|"):
            word = word.strip().lower().removesuffix("'s").removesuffix("’s")
            if " " not in word:
                found.setdefault(word, row["country"])
    return found


def _countries(seeds_dir: Path) -> frozenset[str]:
    """Lower-case country names from seeds/places.csv and world_cities.csv."""
    names: set[str] = set()
    for file in ("places.csv", "world_cities.csv"):
        for row in read_seed_csv(seeds_dir / file, optional=True):
            names.add(row["country"].strip().lower())
            if row["kind"] == "country":
                names.update(v.strip().lower() for v in row["variants"].split("|"))
    names.discard("")
    return frozenset(names)


def _terms(path: Path, column: str) -> list[str]:
    rows = read_seed_csv(path, optional=True)
    return sorted((r[column].strip().lower() for r in rows if r[column].strip()), key=len)[::-1]


def mask_quotes(para: str, spans: list[tuple[int, int]]) -> str:
    """The paragraph with quoted words blanked (same length), so that verbs and nouns inside
    quotations are not read as the attribution."""
    masked = para
    for start, end in spans:
        lo, hi = max(0, start), min(end, len(para))
        if lo < hi:  # (`\S` is exactly the characters that are not `str.isspace`)
            masked = masked[:lo] + _NON_SPACE.sub("_", masked[lo:hi]) + masked[hi:]
    return masked


_NON_SPACE = re.compile(r"\S")


def attribution_phrase(masked: str, verb: re.Match[str], lo: int, hi: int) -> str:
    """The subject of a speech verb: the words from the last boundary before it, or, when the
    verb comes first ("..., said the ministry"), the words after it up to the next one."""
    before = masked[lo : verb.start()]
    cut = [m.end() for m in _BOUNDARY.finditer(before)]
    phrase = before[cut[-1] :] if cut else before
    if _RELATIVE_PRONOUN.fullmatch(phrase.strip()) and cut:
        # "The Nigerian leader, who described it as “...”": the relative pronoun's antecedent
        start = cut[-2] if len(cut) > 1 else 0
        phrase = before[start : cut[-1] - 1]
    if phrase.strip():
        return phrase.strip()
    after = masked[verb.end() : hi]
    stop = _BOUNDARY.search(after) or re.search(r"[.!?]", after)
    return (after[: stop.start()] if stop else after).strip()


_RELATIVE_PRONOUN = re.compile(r"(?:who|which)(?:\s+(?:also|then|later|earlier|had|has))?", re.I)


def is_institutional(phrase: str, sources: Sources, named: bool) -> bool:
    """An institution or an unsigned document speaks: "the ministry", "Merkel's office",
    "the statement", but not "ministry spokesman X" (`named`: a person's name is in it)."""
    if named or not sources.institution.search(phrase):
        return False
    return sources.person_noun.search(phrase) is None


def role_referent(
    phrase: str, mentions: list[Mention], paragraphs: list[str], sources: Sources
) -> str | None:
    """The person an office phrase at the start of `phrase` stands for ("the Prime Minister",
    "the Chilean president", "the president of Serbia"): the mentioned person named with
    that office and its modifiers; on a tie, the one mentioned first."""
    owner = _COUNTRY_OWNER.match(phrase.strip())
    if owner and owner["country"].lower() in sources.countries:
        phrase = f"the {owner['country']} {phrase.strip()[owner.end() :]}"  # "India's premier"
    match = sources.role.match(phrase.strip())
    if match is None:
        return None
    head = " ".join(match["head"].lower().split())
    mods = [w.lower() for w in re.findall(r"[\w'’-]+", f"{match['mods']} {match['of'] or ''}")]
    sided = [m for m in mods if m not in _GUEST_MODS and m not in _HOST_MODS]
    introduced = _introduced_name(head, sided, mentions, paragraphs) if sided else None
    if introduced is not None:
        return introduced
    best: tuple[int, int, str] | None = None
    for order, mention in enumerate(mentions):
        para = paragraphs[mention.paragraph_no]
        nearby = [m.start for m in mentions if m.paragraph_no == mention.paragraph_no]
        upto = min((start for start in nearby if start > mention.start), default=len(para))
        context = _office_context(para[:upto], mention)  # never another person's office
        words = re.findall(r"[\w'’-]+", context.lower())
        has_head = any(
            re.search(rf"\b{re.escape(office)}\b", context, re.I) is not None
            for office in (head, *sources.synonyms.get(head, ()))
        )
        if head in _GENERIC_HEADS and mods:
            # "the Nigerian leader": any office holder, told apart by the modifier
            has_head = has_head or sources.person_noun.search(context) is not None
        counterpart = "counterpart" in words
        if not (has_head or counterpart):
            continue
        matched = sum(any(_same_place(m, w, sources) for w in words) for m in mods)
        score = 2 * has_head + 3 * matched + counterpart + 3 * _side(mods, mention, paragraphs)
        if best is None or score > best[0]:
            best = (score, order, mention.person)
    if best is None:  # nobody mentioned holds it: a name the text writes after the office
        return _introduced_name(head, [""], mentions, paragraphs)
    return best[2]


_COUNTRY_OWNER = re.compile(r"(?P<country>[A-Z][\w-]*(?: [A-Z][\w-]*){0,2})['’]s\s+(?=[a-z])")
_GUEST_MODS = frozenset({"visiting", "guest", "visitor"})
_HOST_MODS = frozenset({"host", "hosting"})
_HOSTED = re.compile(
    r"\b(?:hosted|hosts|hosting|received|receives|receiving|welcomed|welcomes)\s+$"
)
_ARRIVED = re.compile(
    r"^[^.;]{0,60}\b(?:arrived|arrives|is visiting|was visiting|on an? (?:\w+ )?visit)\b"
)
_HOSTS = re.compile(r"^[^.;]{0,40}?\b(?:hosted|hosts|received|receives|welcomed|welcomes)\b")


def _side(mods: list[str], mention: Mention, paragraphs: list[str]) -> int:
    """1 when the mention is the guest of "the visiting president" (the object of "hosted",
    "received", "welcomed", or the one who "arrived") or the host of "the host president"."""
    guest, host = _GUEST_MODS.intersection(mods), _HOST_MODS.intersection(mods)
    if not (guest or host):
        return 0
    para = paragraphs[mention.paragraph_no]
    before = para[max(0, mention.start - 60) : mention.start]
    before = before[before.rfind(".") + 1 :]
    after = para[mention.end : mention.end + 80]
    is_guest = bool(_HOSTED.search(re.sub(r"(?:\b[A-Z][\w'’.-]*\s+)+$", "", before)))
    is_guest = is_guest or bool(_ARRIVED.search(after))
    is_host = bool(_HOSTS.search(after))
    return int(is_guest) if guest else int(is_host and not is_guest)


# offices that stand for any head of state or government ("the Nigerian leader")
_GENERIC_HEADS = frozenset({"leader", "head of state", "head of government"})


def _introduced_name(
    head: str, mods: list[str], mentions: list[Mention], paragraphs: list[str]
) -> str | None:
    """A name the text introduces with the office and a modifier of the phrase: "the Chilean
    president" -> "his Chilean counterpart, Jane Roe" or "Chilean President Jane Roe" (the
    mentioned person of that name, else the name as written)."""
    office = r"[\s-]+".join(map(re.escape, head.split()))
    for mod in (m for m in mods if len(m) >= 4 or not m):
        stem = rf"\b{re.escape(mod[:5])}\w*\s+(?:[\w'’-]+\s+){{0,2}}?" if mod else ""
        pattern = re.compile(
            rf"(?i:{stem}(?:\b{office}|counterpart)\b),?\s+(?P<name>{_NAME_RUN.pattern})"
        )
        for para in paragraphs:
            found = pattern.search(para)
            if found is None or not found["name"][:1].isupper():
                continue
            last = found["name"].split()[-1].casefold()
            known = [m.person for m in mentions if m.person.split()[-1].casefold() == last]
            return known[0] if known else found["name"]
    return None


def _office_context(para: str, mention: Mention) -> str:
    """The words a name is introduced with: before it back to the clause edge or another
    name's verb ("Merkel welcomed French President X" gives "French President"), and an
    apposition after it (", Prime Minister of Australia")."""
    before = para[max(0, mention.start - _CONTEXT_BEFORE) : mention.start]
    cut = [m.end() for m in _CLAUSE_EDGE.finditer(before)]
    cut += [m.end() for m in _NAME_THEN_VERB.finditer(before) if m.group(1) not in _TITLE_LINKS]
    after = para[mention.end : mention.end + _CONTEXT_AFTER]
    verb = _VERB_AFTER_NAME.match(after)  # "X met Foreign Minister Y": not X's title
    after = after[: verb.start(1)] if verb else after
    stop = _CLAUSE_EDGE.search(after)
    return (
        before[max(cut, default=0) :] + mention.surface + (after[: stop.start()] if stop else after)
    )


_CLAUSE_EDGE = re.compile(r"[.;:()“”\"]|\band\b|\bwith\b")
# a name followed directly by a lower-case verb ("Varga met", "Varga, who met")
_VERB_AFTER_NAME = re.compile(
    r"\s+(?:(?:also|then|later|on \w+)\s+)?"
    r"((?!(?:is|was|has|as)\b)[a-z]+(?:ed|s)\b|met\b|held\b|told\b)"
)
_NAME_THEN_VERB = re.compile(r"[A-Z][\w'’-]+\s+([a-z][\w-]*)\b")  # "Merkel welcomed"
# lower-case words inside a title before a name: "Egypt's president of the Republic of X"
_TITLE_LINKS = frozenset({"of", "the", "and", "for", "counterpart", "president", "minister"})


def _same_stem(a: str, b: str) -> bool:
    """'serbia' ~ 'serbian', 'chile' ~ 'chilean': the same word or a shared five-letter stem."""
    return a == b or (len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5])


def _same_place(a: str, b: str, sources: Sources) -> bool:
    """The same stem, or words of one country ("turkish" ~ "turkey", "chinese" ~ "china")."""
    if _same_stem(a, b):
        return True
    country = sources.demonyms.get(a)
    return country is not None and sources.demonyms.get(b) == country


def named_at_verb(
    masked: str,
    verb: re.Match[str],
    lo: int,
    hi: int,
    document: tuple[list[Mention], list[str]],
    sources: Sources,
) -> str | None:
    """A person the directory does not know, named right at the verb: a full name before it
    ("spokesperson Jane Roe tweeted") or after it ("..., said Jane Roe"), or a surname whose
    full name the article wrote earlier ("Roe tweeted" after "Minister J. Roe")."""
    before = masked[lo : verb.start()].rstrip()
    runs = list(_NAME_RUN.finditer(before))
    if runs and runs[-1].end() == len(before):
        return _untitled(runs[-1].group(0), sources)
    # '..., ” Jane Roe, managing director of the Fund, told reporters': the name opening the
    # clause, however long the apposition after its comma
    lead = _NAME_RUN.match(before.lstrip(" ,"))
    if lead and before.lstrip(" ,")[lead.end() : lead.end() + 1] == "," and before.endswith(","):
        name = _untitled(lead.group(0), sources)
        if name:
            return name
    after = masked[verb.end() : hi].lstrip()
    run = _NAME_RUN.match(after)
    if run:
        return _untitled(run.group(0), sources)
    # "Minh also noted": an adverb between the surname and its verb
    bare = _ADVERB_BEFORE_VERB.sub("", before)
    single = re.search(rf"(?<![\w.])({_NAME_TOKEN})$", bare) or re.match(_NAME_TOKEN, after)
    if single is None:
        return None
    word = single.group(single.lastindex or 0)
    if word.lower() in sources.title_words or sources.institution.fullmatch(word):
        return None
    return _full_name(word, document, sources)


_ADVERB_BEFORE_VERB = re.compile(r"\s+(?:also|further|then|later|again|however|earlier)$")


def _untitled(name: str, sources: Sources) -> str | None:
    """The name without the title leading it ("Minister S. Roe" -> "S. Roe", "Vietnamese
    Foreign Minister Pham Binh Minh" -> "Pham Binh Minh": the words after the last title
    word)."""
    words = name.split()
    titles = [i for i, word in enumerate(words) if word.lower().rstrip(".") in sources.title_words]
    if titles and len(words) - titles[-1] - 1 >= 2:
        words = words[titles[-1] + 1 :]
    while words and words[0].lower().rstrip(".") in sources.title_words:
        words.pop(0)
    return " ".join(words) if len(words) >= 2 else None


_LONG_RUN = re.compile(rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{1,7}}")


def _full_name(
    surname: str, document: tuple[list[Mention], list[str]], sources: Sources
) -> str | None:
    """The mentioned person with that surname, else the first full name ending in it (or,
    family name first, starting with it: "Huang" for "Ambassador Huang Xilian")."""
    mentions, paragraphs = document
    key = fold(surname).casefold()  # "Fiamē" is "Fiame Naomi Mata'afa"'s first name too
    known = [m.person for m in mentions if fold(m.person.split()[-1]).casefold() == key]
    known = known or [m.person for m in mentions if fold(m.person.split()[0]).casefold() == key]
    if known:
        return known[0]
    runs = [run.group(0).split() for para in paragraphs for run in _LONG_RUN.finditer(para)]
    for words in runs:
        name = _untitled(" ".join(words), sources)
        if name and name.split()[-1] == surname:
            return name
    for words in runs:  # "... Philippines Huang Xilian": the family name first
        if surname in words[1:-1]:
            at = words.index(surname, 1)
            name = _untitled(" ".join(words[at:]), sources)
            if name:
                return name
    return None


def _without_country(words: list[str], sources: Sources) -> list[str]:
    """A name run that starts with a country ("Ambassador to the Philippines Huang Xilian"
    read as "Philippines Huang Xilian") loses it when two name words remain."""
    for size in (3, 2, 1):
        if len(words) - size >= 2 and " ".join(words[:size]).lower() in sources.countries:
            return words[size:]
    return words


def fuller_name(name: str, mentions: list[Mention], paragraph_no: int, sources: Sources) -> str:
    """The article's full name for a speaker it also calls by one name and a title ("Sheikh
    Mohamed" after "Sheikh Mohamed bin Zayed Al Nahyan"): the person named nearest before
    the quotation (else first) whose name holds that word. The name itself when there is
    none, or when the speaker already has a full name."""
    words = _without_country(name.split(), sources)
    while len(words) > 2 and words[0].lower() in sources.lead_words:
        words = words[1:]  # "Public Relations Amos Chanda" -> "Amos Chanda"
    if len(words) > 1 and words != name.split():
        return " ".join(words)
    while len(words) > 1 and words[0].lower().rstrip(".") in sources.title_words:
        words = words[1:]
    size = len(words)
    if size > 1:
        return name  # a full name already: a longer one is more likely a misread run

    def holds(longer: list[str]) -> bool:
        return len(longer) > size and any(
            longer[i : i + size] == words for i in range(len(longer) - size + 1)
        )

    found = [m for m in mentions if m.person != name and holds(m.person.split())]
    if not found:
        return name
    before = [m for m in found if m.paragraph_no <= paragraph_no]
    nearest = max(before, key=lambda m: (m.paragraph_no, m.start)) if before else found[0]
    return nearest.person

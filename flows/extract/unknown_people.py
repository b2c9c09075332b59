"""Mentions of people missing from the directory (how='new'), added to the directory's own.

1. Per paragraph: names after a title head (`_titled_names`, "Minister of X Y Z"), and
   name-shaped runs licensed by a cue (`NameShapes.candidates`: "his Chilean counterpart,
   Gabriel Boric", "Felix Tshisekedi, president of ...", "the Hon. Malcolm Turnbull").
2. A candidate no cue licensed is a person when its surname stands alone elsewhere in the
   article ("Gustavo Petro ... Petro said").
3. Spellings of one name become one person: a directory person when the name is a variant of
   one of theirs, else the fullest spelling the article uses ("Ibrahim Mohamed Solih" for
   "Ibrahim Solih"; "Mohamed bin Salman" for "Muhammad Bin Salman").
4. Later bare surnames refer to the person introduced ("Boric said").
A titled full name displaces a bare-surname match of someone else ("police chief Hossein
Rahimi" is not the known Mohammad Reza Rahimi).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flows.extract.name_cues import Candidate, NameShapes, is_stop, same_person, variant_key
from flows.extract.names import _overlaps, _titled_names, fold
from flows.records import Mention

if TYPE_CHECKING:
    from flows.extract.people import PeopleDirectory


def add_unknown_people(
    directory: PeopleDirectory,
    shapes: NameShapes,
    paragraphs: list[str],
    known: list[list[Mention]],
) -> list[Mention]:
    """`known` (one list per paragraph) plus the mentions of people missing from the
    directory, as the module docstring describes."""
    found: list[tuple[int, Candidate]] = []
    loose: list[tuple[int, Candidate]] = []
    for i, para in enumerate(paragraphs):
        cands = _paragraph_names(directory, shapes, para)
        if cands and _headline_case(para):
            cands = [c for c in cands if not _ordinary_words(c.name, paragraphs, i)]
        for cand in cands:
            if _lone_sole_name(directory, paragraphs, i, cand):
                continue
            (found if cand.licensed else loose).append((i, cand))
    found += [(i, c) for i, c in loose if shapes.recurring(c, paragraphs)]
    found += _coordinated(paragraphs, found, [(i, c) for i, c in loose if (i, c) not in found])
    nicks = {
        fold(nick.strip("\"“”‘’'")): c.name
        for i, c in found
        for nick in _NICK_IN_NAME.findall(paragraphs[i][c.start : c.end])
    }
    names = _spellings(directory, [c.name for _, c in sorted(found, key=lambda f: f[0])], nicks)
    out = [m for ms in known for m in ms]
    for i, cand in sorted(found, key=lambda f: (f[0], f[1].start)):
        person = names[cand.name]
        overlapping = [
            m for m in out if m.paragraph_no == i and m.start < cand.end and cand.start < m.end
        ]
        if any(m.how == "new" or not _other_bearer(directory, m, person) for m in overlapping):
            continue
        out = [m for m in out if m not in overlapping]
        how = "new" if person not in directory.countries else "alias"
        out.append(
            Mention(i, cand.start, cand.end, person, paragraphs[i][cand.start : cand.end], how)
        )
    out.sort(key=lambda m: (m.paragraph_no, m.start))
    return _new_surnames(paragraphs, out)


_NICK_IN_NAME = re.compile(r"[\"“‘'][A-Z][\w'’-]+[\"”’']")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_HEADLINE_CHARS = 200
_SMALL_WORDS = frozenset(
    ["a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"]
)


def _lone_sole_name(
    directory: PeopleDirectory, paragraphs: list[str], i: int, cand: Candidate
) -> bool:
    """A one-word name after a head-of-state title ("President Mugabe") that no other
    paragraph writes: too thin to be a person ("President Arrives" in a headline)."""
    if " " in cand.name or not directory.sole_titles:
        return False
    head = fold(paragraphs[i][max(0, cand.start - 20) : cand.start]).rstrip()
    if not any(head.endswith(t) for t in directory.sole_titles):
        return False
    word = re.compile(rf"(?<![\w'’-]){re.escape(cand.name)}(?![\w-])")
    return not any(word.search(p) for j, p in enumerate(paragraphs) if j != i)


def _headline_case(para: str) -> bool:
    """A line in headline case: nearly every word other than a small one capitalised."""
    if len(para) > _HEADLINE_CHARS:
        return False  # a paragraph, not a headline
    words = [w for w in _WORD.findall(para) if w.lower() not in _SMALL_WORDS]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _ordinary_words(name: str, paragraphs: list[str], own: int) -> bool:
    """A headline-case run with a word after its first that the article writes in lower case
    elsewhere ("Jokowi Holds Bilateral Meetings" beside "held bilateral meetings"): words of
    the headline, not a name."""
    words = [w for w in name.split()[1:] if w[:1].isupper()]
    if not words:
        return False
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w.lower()) for w in words) + r")\b")
    return any(pattern.search(p) for i, p in enumerate(paragraphs) if i != own)


def _coordinated(
    paragraphs: list[str], found: list[tuple[int, Candidate]], loose: list[tuple[int, Candidate]]
) -> list[tuple[int, Candidate]]:
    """Candidates joined to a person by "and" or a comma ("... Ibrahim Solih and Yoweri
    Museveni"): the cue of the first covers the list."""
    people = list(found)
    out = []
    for i, cand in sorted(loose, key=lambda f: (f[0], f[1].start)):
        gaps = [
            paragraphs[i][p.end : cand.start] for j, p in people if j == i and p.end <= cand.start
        ]
        if any(_LIST_GAP.fullmatch(gap) for gap in gaps):
            licensed = Candidate(cand.start, cand.end, cand.name, True)
            people.append((i, licensed))
            out.append((i, licensed))
    return out


_LIST_GAP = re.compile(r"\s*(?:,|and|,\s*and)\s+")

# A relative named right before a person ("his wife", "her husband, ").
_RELATIVE_BEFORE = re.compile(
    r"\b(?:wife|husband|spouse|son|daughter|brother|sister|mother|father)\s*,?\s*$", re.I
)
# A capitalised word right before: the hit is inside a longer name.
_NAME_BEFORE = re.compile(r"[A-Z][\w'’-]*[ \t]+$")
_NAME_AFTER = re.compile(r"[ \t]+[A-Z]")
# Name words that are titles or particles, never a person's name on their own.
_NOT_FIRST_NAMES = frozenset(
    [
        "sheikh",
        "sheikha",
        "shaikh",
        "sultan",
        "emir",
        "prince",
        "princess",
        "king",
        "queen",
        "dame",
        "sir",
        "lord",
        "lady",
    ]
)


def _paragraph_names(directory: PeopleDirectory, shapes: NameShapes, para: str) -> list[Candidate]:
    """`_names_of` the paragraph, memoised by its text in the directory (read-only)."""
    if shapes is not directory._shapes:
        return _names_of(directory, shapes, para)
    memo = directory._names_memo
    found = memo.get(para)
    if found is None:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        found = memo[para] = _names_of(directory, shapes, para)
    return found


_MEMO_LIMIT = 4096  # paragraphs remembered before the memo starts afresh


def _names_of(directory: PeopleDirectory, shapes: NameShapes, para: str) -> list[Candidate]:
    """Titled names and cued candidates of one paragraph; where they overlap, a licensed one
    before an unlicensed one, then the longer ("Senator the Honourable Kamina Johnson Smith"),
    then a titled one."""
    titled = [
        Candidate(start, end, shapes.clean(name), True)
        for start, end, name in _titled_names(
            para,
            directory.title_words,
            directory.honorifics,
            directory.non_name_words,
            directory.sole_titles,
        )
        # "... Receives Kenyan High Commissioner": a title or country word is no name word;
        # "Minister of Papua New Guinea": a place is no name
        if not any(is_stop(shapes, word) for word in name.split())
        and not shapes.is_place(para, start, name)
    ]
    out: list[Candidate] = []
    cued = shapes.candidates(para)
    ranked = sorted([*titled, *cued], key=lambda c: (not c.licensed, c.start - c.end, c in cued))
    for cand in ranked:
        if any(o.start < cand.end and cand.start < o.end for o in out):
            continue
        if cand.licensed and directory.canonical(cand.name) is None:
            out.append(_trimmed(para, cand))
        elif not cand.licensed:
            out.append(cand)
    return sorted(out, key=lambda c: c.start)


def _trimmed(para: str, cand: Candidate) -> Candidate:
    """The candidate's span narrowed to its cleaned name when the name is written there."""
    at = para.find(cand.name, cand.start, cand.end)
    if at < 0:
        return cand
    return Candidate(at, at + len(cand.name), cand.name, cand.licensed)


def _spellings(
    directory: PeopleDirectory, names: list[str], nicks: dict[str, str] | None = None
) -> dict[str, str]:
    """Each name -> the person it names: a directory person of the same spelling skeleton,
    else the fullest spelling of the article's names that are the same person (`nicks`: a
    quoted nickname inside a name, folded -> that name: "Joko “Jokowi” Widodo")."""
    index = _directory_index(directory)
    out: dict[str, str] = {}
    groups: list[list[str]] = []
    for name in names:
        if name in out:
            continue
        known = index.get(variant_key(name))
        if known:
            out[name] = known
            continue
        group = next((g for g in groups if any(same_person(name, n) for n in g)), None)
        if group is None:
            groups.append([name])
        else:
            group.append(name)
    groups, joined = _sole_names_joined(groups, dict(out), nicks or {})
    out.update(joined)
    for group in groups:
        # The fullest spelling; among equally full ones the one the article uses most (a
        # slip of the keyboard, "Muhmmadu", is rarer than the name), then the longer (a slip
        # drops a letter more often than it adds one: "William Rut"), then the first.
        fullest = max(
            group,
            key=lambda n: (len(variant_key(n)), names.count(n), len(n), -group.index(n)),
        )
        out.update({n: fullest for n in group})
    return out


def _sole_names_joined(
    groups: list[list[str]], known: dict[str, str], nicks: dict[str, str]
) -> tuple[list[list[str]], dict[str, str]]:
    """A one-word name ("President Samia", "Pres Nyusi") joins the one fuller name of the
    article that has that word ("Samia Suluhu Hassan", "Filipe Nyusi"), or the directory
    person a fuller spelling of the article resolved to ("Joko 'Jokowi' Widodo"): the groups
    left and the one-word names given to a directory person."""
    out = [g for g in groups if any(len(variant_key(n)) > 1 for n in g)]
    joined: dict[str, str] = {}
    nick_keys: dict[str, set[str]] = {}
    for nick, name in nicks.items():
        nick_keys.setdefault(name, set()).update(variant_key(nick))

    def keys(name: str) -> set[str]:
        return set(variant_key(name)) | nick_keys.get(name, set())

    for group in groups:
        if group in out:
            continue
        words = {w for n in group for w in variant_key(n)}
        fuller = [g for g in out if any(words & keys(n) for n in g)]
        people = {p for n, p in known.items() if words & keys(n)}
        if len(fuller) == 1 and not people:
            fuller[0].extend(group)
        elif len(people) == 1 and not fuller:
            joined.update(dict.fromkeys(group, people.pop()))
        else:
            out.append(group)
    return out, joined


def _directory_index(directory: PeopleDirectory) -> dict[tuple[str, ...], str]:
    """Spelling skeleton of every full name and alias of the directory -> its person."""
    cached = getattr(directory, "_variant_index", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    index: dict[tuple[str, ...], str] = {}
    ambiguous: set[tuple[str, ...]] = set()
    for person in directory.countries:
        for name in [person, *directory.aliases.get(person, [])]:
            key = variant_key(name)
            if len(key) < 2:
                continue
            if index.get(key, person) != person:
                ambiguous.add(key)
            index[key] = person
    for key in ambiguous:
        index.pop(key, None)
    object.__setattr__(directory, "_variant_index", index)
    return index


def _other_bearer(directory: PeopleDirectory, mention: Mention, name: str) -> bool:
    """Whether `mention` is a bare surname shared by a different person called `name`."""
    if len(mention.surface.split()) != 1 or mention.how not in ("alias", "name"):
        return False
    # Given names only: "Dr. Saleh Amer Al Kharousi" is not the known Barham Saleh, whose
    # surname is the candidate's first word.
    given = {
        fold(w)
        for n in [mention.person, *directory.aliases.get(mention.person, [])]
        for w in (n.split()[:-1] or n.split())
    }
    return fold(name.split()[0]) not in given


def _new_surnames(paragraphs: list[str], mentions: list[Mention]) -> list[Mention]:
    """Later bare-surname references to people introduced with how='new'.

    A relative introduced as one ("his wife Rachel X") lends the family name to nobody: the
    bare surname is the principal's. Another word of the name standing alone is the person
    too ("Tuilaepa" for "Tuilaepa Sailele Malielegaoi", "Anwar" for "Anwar Ibrahim", "Lula"
    for "Inacio Lula da Silva"), when no other person of the article has that word.
    """
    firsts: dict[str, tuple[int, int]] = {}
    relatives: set[str] = set()
    for m in mentions:
        if m.how == "new" and m.person not in firsts:
            firsts[m.person] = (m.paragraph_no, m.end)
            if _RELATIVE_BEFORE.search(paragraphs[m.paragraph_no][max(0, m.start - 40) : m.start]):
                relatives.add(m.person)
    out = list(mentions)
    word_owners: dict[str, set[str]] = {}
    for person in {m.person for m in mentions}:
        for word in person.split():
            word_owners.setdefault(word, set()).add(person)
    for person, (p0, e0) in firsts.items():
        words = person.split()
        surname = words[-1]
        if person in relatives and len(word_owners.get(surname, ())) > 1:
            continue
        keys = [surname]
        keys += [
            word
            for word in words[:-1]
            if len(word) >= 4
            and word[:1].isupper()
            and word_owners.get(word) == {person}
            and fold(word) not in _NOT_FIRST_NAMES
        ]
        pattern = re.compile(rf"(?<![\w'’-])(?:{'|'.join(map(re.escape, keys))})(?![\w-])")
        for i, para in enumerate(paragraphs[p0:], start=p0):
            for hit in pattern.finditer(para):
                if (i, hit.start()) <= (p0, e0):
                    continue
                if hit.group(0) != surname and (
                    _NAME_BEFORE.search(para[max(0, hit.start() - 40) : hit.start()])
                    or _NAME_AFTER.match(para, hit.end())
                ):
                    continue  # "Anwar Ibrahim": a word of a longer name, not the name alone
                # The article introduced its own bearer of a known surname: later bare
                # surnames are that person.
                out = [
                    m
                    for m in out
                    if not (
                        m.paragraph_no == i
                        and m.start == hit.start()
                        and m.how == "alias"
                        and m.end == hit.end()
                    )
                ]
                if _overlaps(out, i, hit.start(), hit.end()):
                    continue
                out.append(Mention(i, hit.start(), hit.end(), person, hit.group(0), "new"))
    return sorted(out, key=lambda m: (m.paragraph_no, m.start))

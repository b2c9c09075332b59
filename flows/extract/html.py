"""HTML page -> text blocks (one per paragraph, heading, list item or caption) and page metadata.

Page chrome (scripts, navigation, site header/footer, asides, forms) is dropped here; the
text-level rules in `flows.extract.cleaning` then treat the blocks like lines of a text file.

The page is parsed by lxml (libxml2's HTML parser) into lxml's own tree and walked there.
This is the parser and the tree Beautiful Soup's "lxml" builder was given before, without
building Beautiful Soup's Python tree (a quarter of a millisecond per page against a
millisecond). The walk keeps Beautiful Soup's view of the page: a text node is one string
(an element's text, or the tail after a child), dropped chrome leaves the strings around it
apart, `get_text` leaves out comments and the text of <rt>/<rp> (ruby) annotations.
tests/test_html_lxml.py compares the result with the Beautiful Soup walk
(tests/html_bs4_reference.py) on the test pages and on generated ones. lexbor (selectolax) was
measured too: its parse took longer than libxml2's here, and an HTML5 tree differs from
libxml2's on malformed markup, so outputs would not stay identical.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from lxml.etree import _Element

from flows.extract.seeds import read_seed_csv

_DROP = {
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript",
    "iframe", "svg", "button", "template", "select", "input", "head",
}  # fmt: skip
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "pre", "dd"}
_CHROME_KEEP_INSIDE = {"article", "main"}  # a <header> inside the article holds its headline
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "sailthru.date",
)


@dataclass(frozen=True, slots=True)
class HtmlBlock:
    """One block of visible text and the tag it came from."""

    text: str
    tag: str  # p | h1..h6 | li | blockquote | figcaption | div (loose text) | ...
    role: str = ""  # caption | byline | date | subtitle | furniture, from class/id names
    names: tuple[tuple[str, ...], ...] = field(default=(), compare=False, repr=False)


@dataclass(slots=True)
class HtmlPage:
    """What an HTML page yields: text blocks plus metadata candidates."""

    blocks: list[HtmlBlock] = field(default_factory=list)
    title: str | None = None  # <title>
    og_title: str | None = None
    published: str | None = None  # article:published_time and similar, as written
    site_name: str | None = None  # og:site_name
    links: list[str] = field(default_factory=list)  # absolute hrefs, canonical and og:url


RoleRules = Sequence[tuple[str, re.Pattern[str]]]
_ROLE_DEPTH = 3  # how many ancestors' class/id names can give a block its role


def load_role_rules(path: Path) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """`role,words` rows (seeds/boilerplate_html_classes.csv) -> patterns over class/id names."""
    rows = read_seed_csv(path, strip=False)
    # a word must be a whole segment of the name: "news-date" has "date", "update" has not
    return tuple(
        (row["role"].strip(), re.compile(rf"(?:^|[-_])(?:{row['words']})(?:$|[-_])", re.I))
        for row in rows
    )


def html_to_blocks(html: str, roles: RoleRules = ()) -> HtmlPage:
    """Parse an HTML page into visible text blocks and metadata candidates."""
    page = HtmlPage()
    root = _parse(html)
    if root is None:  # no element at all
        return page
    _read_meta(root, page)
    page.links = [
        str(tag.get("href") or tag.get("content"))
        for tag in root.iter("a", "link", "meta")
        if str(tag.get("href") or tag.get("content") or "").startswith("http")
    ]
    dropped: set[_Element] = set()
    for tag in list(root.iter(*_DROP)):
        if tag.tag in {"header", "footer"} and _has_ancestor(tag, _CHROME_KEEP_INSIDE):
            continue
        dropped.add(tag)
    walk = _Walk(dropped)
    body = next(root.iter("body"), None)
    pending: list[str] = []
    _FIELD_ROLES[:] = [pattern for role, pattern in roles if role in {"byline", "date", "caption"}]
    if body is not None:
        walk.walk(body, page.blocks, pending)
    else:  # no <body>: the document's own children, its doctype first
        walk.walk_items(None, _document_items(root), page.blocks, pending)
    walk.flush(pending, page.blocks)
    if roles:
        page.blocks = [_with_role(block, roles) for block in page.blocks]
    return page


_CONTAINERS = {"rt", "rp", "style", "script", "template"}  # their text is not page text


def _parse(html: str) -> _Element | None:
    """lxml's tree of the page, parsed as Beautiful Soup's lxml builder parses it."""
    if html[:1] == "\ufeff":
        html = html[1:]
    try:
        return _feed(html, None)
    except (UnicodeDecodeError, LookupError, etree.ParserError):
        return _feed(html.encode("utf8"), "utf8")


def _feed(markup: str | bytes, encoding: str | None) -> _Element | None:
    parser = etree.HTMLParser(recover=True, encoding=encoding, default_doctype=False)
    parser.feed(markup)
    try:
        return parser.close()
    except etree.XMLSyntaxError:  # "Document is empty": nothing but text or comments
        return None


def _is_element(node: object) -> bool:
    return isinstance(node, _Element) and isinstance(node.tag, str)


def _has_ancestor(tag: _Element, names: set[str]) -> bool:
    return any(parent.tag in names for parent in tag.iterancestors())


def _items(node: _Element, dropped: set[_Element]) -> list[str | _Element]:
    """The children of an element as Beautiful Soup lists them: strings and nodes (a dropped
    child's place is empty, the strings before and after it stay two strings)."""
    items: list[str | _Element] = [node.text] if node.text else []
    for child in node:
        if child not in dropped:
            items.append(child)
        if child.tail:
            items.append(child.tail)
    return items


def _document_items(root: _Element) -> list[str | _Element]:
    """The top of a document without <body>: Beautiful Soup's doctype string, then <html>."""
    info = root.getroottree().docinfo
    if not info.doctype:
        return [root]
    value = info.root_name or ""
    if info.public_id is not None:
        value += f' PUBLIC "{info.public_id}"'
        if info.system_url is not None:
            value += f' "{info.system_url}"'
    elif info.system_url is not None:
        value += f' SYSTEM "{info.system_url}"'
    return [value, root]


def _string(node: _Element) -> str | None:
    """Beautiful Soup's `.string`: the only child's string, else None."""
    items = _items(node, set())
    if len(items) != 1:
        return None
    item = items[0]
    if isinstance(item, str):
        return item
    if item.tag is etree.Comment:
        return item.text or ""
    if item.tag is etree.ProcessingInstruction:
        return _pi_text(item)
    return _string(item)


def _pi_text(node: _Element) -> str:
    return f"{node.target} {node.text or ''}"  # type: ignore[attr-defined]


def _container(node: _Element | None) -> str | None:
    """The nearest of the node and its ancestors whose strings are not page text."""
    while node is not None:
        if node.tag in _CONTAINERS:
            return str(node.tag)
        node = node.getparent()
    return None


def _get_text(node: _Element, dropped: set[_Element], breaks: bool = False) -> str:
    """Beautiful Soup's `get_text("")` (with `breaks`: after each <br> became " ")."""
    wanted = str(node.tag) if node.tag in _CONTAINERS else None
    parts: list[str] = []

    def visit(element: _Element, container: str | None) -> None:
        if element.text and container == wanted:
            parts.append(element.text)
        for child in element:
            if child not in dropped and _is_element(child):
                if breaks and child.tag == "br":
                    if wanted is None:
                        parts.append(" ")
                else:
                    visit(child, str(child.tag) if child.tag in _CONTAINERS else container)
            if child.tail and container == wanted:
                parts.append(child.tail)

    visit(node, _container(node))
    return "".join(parts)


def _with_role(block: HtmlBlock, roles: RoleRules) -> HtmlBlock:
    role = "caption" if block.tag == "figcaption" else _role_of(block.names, roles)
    return HtmlBlock(block.text, block.tag, role)


def _role_of(names: tuple[tuple[str, ...], ...], roles: RoleRules) -> str:
    """The role of the nearest element (the block, then its parents) whose names match."""
    for level in names:
        for role, pattern in roles:
            if any(pattern.search(name) for name in level):
                return role
    return ""


def _class_names(tag: _Element) -> list[str]:
    return [*str(tag.get("class") or "").split(), str(tag.get("id") or "")]


def _names(tag: _Element | None) -> tuple[tuple[str, ...], ...]:
    """class and id names of a tag and its nearest ancestors, nearest first."""
    levels: list[tuple[str, ...]] = []
    while tag is not None and tag.tag not in {"body", "html"}:
        levels.append(tuple(n for n in _class_names(tag) if n))
        if len(levels) > _ROLE_DEPTH:
            break
        tag = tag.getparent()
    return tuple(levels)


def _read_meta(root: _Element, page: HtmlPage) -> None:
    """Fill title, og:title, site name and published time from <head> and JSON-LD."""
    title = next(root.iter("title"), None)
    if title is not None:
        string = _string(title)
        if string:
            page.title = _squash(string)
    for meta in root.iter("meta"):
        read_meta_tag(meta, page)
    if page.published is None:
        page.published = _json_ld_date(root) or _time_tag(root)


def read_meta_tag(meta: Any, page: HtmlPage) -> None:
    """Take title, site name or published time from one <meta> tag (any element with `.get`:
    lxml's, or Beautiful Soup's in the reference walk the tests compare with)."""
    key = str(meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
    value = _squash(str(meta.get("content") or ""))
    if not value:
        return
    if key == "og:title":
        page.og_title = value
    elif key == "og:site_name":
        page.site_name = value
    elif key in _DATE_META and page.published is None:
        page.published = value


def _json_ld_date(root: _Element) -> str | None:
    """datePublished from a JSON-LD block, if any."""
    for script in root.iter("script"):
        if script.get("type") != "application/ld+json":
            continue
        match = re.search(r'"datePublished"\s*:\s*("[^"]*")', _get_text(script, set()))
        if match:
            return str(json.loads(match.group(1)))
    return None


def _time_tag(root: _Element) -> str | None:
    """The datetime attribute of the first <time> tag."""
    for tag in root.iter("time"):
        if tag.get("datetime") is not None:
            return str(tag.get("datetime"))
    return None


# Class-name patterns of field roles (byline, date, caption) for the page being parsed.
_FIELD_ROLES: list[re.Pattern[str]] = []


def _names_field(tag: _Element) -> bool:
    """An inline element whose own class/id names a field (its text is a field on its own)."""
    return any(p.search(n) for p in _FIELD_ROLES for n in _class_names(tag) if n)


_INLINE = {"a", "span", "b", "i", "em", "strong", "time", "small", "sup", "sub", "abbr", "q",
           "cite", "u", "mark", "font", "label"}  # fmt: skip


class _Walk:
    """The block walk over one page, with the page's dropped chrome."""

    def __init__(self, dropped: set[_Element]):
        self.dropped = dropped
        # the element whose loose text is pending (keyed by the pending list), for its names
        self.owner: dict[int, _Element | None] = {}

    def walk(self, node: _Element, out: list[HtmlBlock], pending: list[str]) -> None:
        """Emit kept block tags whole; loose text in other containers becomes its own block."""
        self.walk_items(node, _items(node, self.dropped), out, pending)

    def walk_items(
        self,
        node: _Element | None,
        items: list[str | _Element],
        out: list[HtmlBlock],
        pending: list[str],
    ) -> None:
        for child in items:
            if isinstance(child, str) or child.tag is etree.ProcessingInstruction:
                text = child if isinstance(child, str) else _pi_text(child)
                if not "".join(pending).strip() and text.strip():
                    self.owner[id(pending)] = node
                pending.append(text)
            elif not _is_element(child):  # a comment (or an entity lxml left alone)
                continue
            elif child.tag in _BLOCKS:
                self.flush(pending, out)
                if not (child.tag == "li" and self.holds_block(child)):
                    self.emit(child, out)
                    continue
                self.walk(child, out, pending)
            elif child.tag == "br":
                self.flush(pending, out)
            elif self.is_inline(child) and _names_field(child):
                self.flush(pending, out)  # <span class="post-date"> beside <span class="author">
                self.owner[id(pending)] = child
                pending.append(_get_text(child, self.dropped))
                self.flush(pending, out)
            elif self.is_inline(child):
                if not "".join(pending).strip():
                    named = str(child.get("class") or "").split() or child.get("id")
                    self.owner[id(pending)] = child if named else node
                pending.append(_get_text(child, self.dropped))
            else:
                self.flush(pending, out)
                self.walk(child, out, pending)
                self.flush(pending, out)

    def is_inline(self, tag: _Element) -> bool:
        """Inline tags continue the surrounding text."""
        return tag.tag in _INLINE and not self.holds_block(tag)

    def holds_block(self, tag: _Element) -> bool:
        """Whether a block tag is nested anywhere inside `tag` (outside dropped chrome)."""
        for node in tag.iterdescendants(*_BLOCKS):
            if not any(a in self.dropped for a in _up_to(node, tag)):
                return True
        return False

    def emit(self, tag: _Element, out: list[HtmlBlock]) -> None:
        """Append a block tag's text (line breaks become spaces, inline tags join as written)."""
        text = _squash(_get_text(tag, self.dropped, breaks=True))
        if text:
            out.append(HtmlBlock(text, str(tag.tag), names=_names(tag)))

    def flush(self, pending: list[str], out: list[HtmlBlock]) -> None:
        """Turn accumulated loose text into a block."""
        text = _squash(" ".join(pending))
        pending.clear()
        owner = self.owner.pop(id(pending), None)
        if text:
            out.append(HtmlBlock(text, "div", names=_names(owner)))


def _up_to(node: _Element, top: _Element) -> list[_Element]:
    """The node and its ancestors below `top`."""
    chain = []
    while node is not None and node is not top:
        chain.append(node)
        node = node.getparent()
    return chain


def _squash(text: str) -> str:
    """Collapse whitespace (HTML layout whitespace carries no meaning)."""
    return re.sub(r"\s+", " ", text).strip()

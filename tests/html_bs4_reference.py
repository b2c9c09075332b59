"""The HTML walk flows.extract.html had before it moved to lxml's tree: Beautiful Soup over
libxml2 (the "lxml" builder). tests/test_html_lxml.py checks the lxml walk against it.

As it was: HTML page -> text blocks (one per paragraph, heading, list item or caption) and
page metadata.

Page chrome (scripts, navigation, site header/footer, asides, forms) is dropped here; the
text-level rules in `flows.extract.cleaning` then treat the blocks like lines of a text file.
"""

from __future__ import annotations

import json
import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

try:  # lxml is faster and more lenient, but html.parser is always there
    import lxml  # noqa: F401

    _PARSER = "lxml"
except ImportError:
    _PARSER = "html.parser"

# The walk is what changed; the tag sets, metadata fields, block and page records and role
# rules (and how a block takes its role from them) are the module's own, so both walks read
# the same ones.
from flows.extract.html import (
    _BLOCKS,
    _CHROME_KEEP_INSIDE,
    _DROP,
    _ROLE_DEPTH,
    HtmlBlock,
    HtmlPage,
    RoleRules,
    _with_role,
    read_meta_tag,
)


def html_to_blocks(html: str, roles: RoleRules = ()) -> HtmlPage:
    """Parse an HTML page into visible text blocks and metadata candidates."""
    soup = BeautifulSoup(html, _PARSER)
    page = HtmlPage()
    _read_meta(soup, page)
    page.links = [
        str(tag.get("href") or tag.get("content"))
        for tag in _tags_named(soup, {"a", "link", "meta"})
        if str(tag.get("href") or tag.get("content") or "").startswith("http")
    ]
    for tag in _tags_named(soup, _DROP):
        if tag.name in {"header", "footer"} and tag.find_parent(_CHROME_KEEP_INSIDE):
            continue
        tag.decompose()
    root = soup.body or soup
    pending: list[str] = []
    _FIELD_ROLES[:] = [pattern for role, pattern in roles if role in {"byline", "date", "caption"}]
    _walk(root, page.blocks, pending)
    _flush(pending, page.blocks)
    if roles:
        page.blocks = [_with_role(block, roles) for block in page.blocks]
    return page


def _tags_named(root: Tag, names: set[str]) -> list[Tag]:
    """Tags under `root` with one of these plain names, in document order: what
    `root.find_all(list(names))` returns, through bs4's quick path for all tags (its general
    name filter compares every tag with every name, slowly)."""
    return [tag for tag in root.find_all(True) if tag.name in names]


def _names(tag: Tag | None) -> tuple[tuple[str, ...], ...]:
    """class and id names of a tag and its nearest ancestors, nearest first."""
    levels: list[tuple[str, ...]] = []
    while isinstance(tag, Tag) and tag.name not in {"body", "html", "[document]"}:
        classes: list[str] = list(tag.get("class") or [])
        names = [*(classes if isinstance(classes, list) else [classes]), str(tag.get("id") or "")]
        levels.append(tuple(n for n in names if n))
        if len(levels) > _ROLE_DEPTH:
            break
        tag = tag.parent
    return tuple(levels)


def _read_meta(soup: BeautifulSoup, page: HtmlPage) -> None:
    """Fill title, og:title, site name and published time from <head> and JSON-LD."""
    if soup.title and soup.title.string:
        page.title = _squash(soup.title.string)
    for meta in soup.find_all("meta"):
        read_meta_tag(meta, page)
    if page.published is None:
        page.published = _json_ld_date(soup) or _time_tag(soup)


def _json_ld_date(soup: BeautifulSoup) -> str | None:
    """datePublished from a JSON-LD block, if any."""
    for script in soup.find_all("script", type="application/ld+json"):
        match = re.search(r'"datePublished"\s*:\s*("[^"]*")', script.get_text())
        if match:
            return str(json.loads(match.group(1)))
    return None


def _time_tag(soup: BeautifulSoup) -> str | None:
    """The datetime attribute of the first <time> tag."""
    tag = soup.find("time", attrs={"datetime": True})
    return str(tag["datetime"]) if isinstance(tag, Tag) else None


def _walk(node: Tag, out: list[HtmlBlock], pending: list[str]) -> None:
    """Emit kept block tags whole; loose text in other containers becomes its own block."""
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            if not "".join(pending).strip() and str(child).strip():
                _OWNER[id(pending)] = node
            pending.append(str(child))
        elif isinstance(child, Tag) and child.name in _BLOCKS:
            _flush(pending, out)
            if not (child.name == "li" and _holds_block(child)):
                _emit(child, out)
                continue
            _walk(child, out, pending)
        elif isinstance(child, Tag) and child.name == "br":
            _flush(pending, out)
        elif isinstance(child, Tag) and _is_inline(child) and _names_field(child):
            _flush(pending, out)  # <span class="post-date"> beside <span class="author">
            _OWNER[id(pending)] = child
            pending.append(child.get_text(""))
            _flush(pending, out)
        elif isinstance(child, Tag) and _is_inline(child):
            if not "".join(pending).strip():
                _OWNER[id(pending)] = child if child.get("class") or child.get("id") else node
            pending.append(child.get_text(""))
        elif isinstance(child, Tag):
            _flush(pending, out)
            _walk(child, out, pending)
            _flush(pending, out)


# Class-name patterns of field roles (byline, date, caption) for the page being parsed.
_FIELD_ROLES: list[re.Pattern[str]] = []


def _names_field(tag: Tag) -> bool:
    """An inline element whose own class/id names a field (its text is a field on its own)."""
    classes: list[str] = list(tag.get("class") or [])
    names = [*(classes if isinstance(classes, list) else [classes]), str(tag.get("id") or "")]
    return any(p.search(n) for p in _FIELD_ROLES for n in names if n)


# The element whose loose text is pending (keyed by the pending list), for its class names.
_OWNER: dict[int, Tag] = {}

_INLINE = {"a", "span", "b", "i", "em", "strong", "time", "small", "sup", "sub", "abbr", "q",
           "cite", "u", "mark", "font", "label"}  # fmt: skip


def _is_inline(tag: Tag) -> bool:
    """Inline tags continue the surrounding text."""
    return tag.name in _INLINE and not _holds_block(tag)


def _holds_block(tag: Tag) -> bool:
    """Whether a block tag is nested anywhere inside `tag` (as `tag.find(_BLOCKS)`)."""
    return any(isinstance(node, Tag) and node.name in _BLOCKS for node in tag.descendants)


def _emit(tag: Tag, out: list[HtmlBlock]) -> None:
    """Append a block tag's text (line breaks become spaces, inline tags join as written)."""
    for br in tag.find_all("br"):
        br.replace_with(" ")
    text = _squash(tag.get_text(""))
    if text:
        out.append(HtmlBlock(text, str(tag.name), names=_names(tag)))


def _flush(pending: list[str], out: list[HtmlBlock]) -> None:
    """Turn accumulated loose text into a block."""
    text = _squash(" ".join(pending))
    pending.clear()
    owner = _OWNER.pop(id(pending), None)
    if text:
        out.append(HtmlBlock(text, "div", names=_names(owner)))


def _squash(text: str) -> str:
    """Collapse whitespace (HTML layout whitespace carries no meaning)."""
    return re.sub(r"\s+", " ", text).strip()

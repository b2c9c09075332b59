"""flows.extract.html walks lxml's tree and must give what the Beautiful Soup walk it replaced
gave (tests/html_bs4_reference.py, the previous module as it was): same blocks, roles, names
and page metadata, on the test pages and on generated markup, malformed included."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.extract import html as fast
from flows.extract.cleaning import BoilerplatePatterns
from tests import html_bs4_reference as reference

ROOT = Path(__file__).resolve().parents[1]
ROLES = BoilerplatePatterns.from_seeds(ROOT / "seeds").html_roles


def _view(page: fast.HtmlPage | reference.HtmlPage) -> tuple:
    blocks = [(b.text, b.tag, b.role, b.names) for b in page.blocks]
    return blocks, page.title, page.og_title, page.published, page.site_name, page.links


def _same(html: str) -> None:
    for roles in ((), ROLES):
        assert _view(fast.html_to_blocks(html, roles)) == _view(
            reference.html_to_blocks(html, roles)
        )


def _pages() -> list[Path]:
    folders = [ROOT / "tests" / name for name in ("cleaning_cases", "cases", "event_cases")]
    return sorted(p for f in folders for p in f.rglob("*") if p.suffix in {".html", ".htm"})


@pytest.mark.parametrize("path", _pages(), ids=lambda p: p.name)
def test_test_pages_parse_as_before(path: Path) -> None:
    _same(path.read_text(encoding="utf-8", errors="replace"))


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "<!-- only a comment -->",
        "plain text, no tags",
        "<!DOCTYPE html><html><head><title>T</title></head></html>",
        '<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">'
        "<html><head><title>x</title></head></html>",
        "<html><body>a<script>x</script>b<p>c<br>d</p><span class='author'>Jo</span></body></html>",
        "<body><div class='post-date'>1 May 2024</div><div>x<!--c-->y<?php echo 1 ?>z</div></body>",
        "<p>a<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>b</p><div><rt>loose</rt> text</div>",
        "<ul><li>one<p>two</p>three</li><li><b>bold</b> <i>it</i></li></ul>",
        "<article><header><h1>Head</h1></header><footer>f</footer></article><footer>site</footer>",
        "<aside><article><header>in aside</header></article></aside><p>kept</p>",
        "<title><b>bold title</b></title><title>second</title><p>x</p>",
        "<title></title><meta property='og:title' content=' A  B '><p>x</p>",
        "<p>unclosed <b>bold <i>both</p> after</b> tail",
        "<table><tr><td class='caption'>cell</td></tr></table>",
        "<time datetime=''>t</time><time datetime='2024-01-02'>u</time>",
        '<script type="application/ld+json">{"datePublished": "2024-02-03"}</script><p>x</p>',
        "\ufeff<p>bom</p>",
        "<span class=' '>a</span><span id=''>b</span><span class='x y'>c</span>",
        "<div>a<nav>menu</nav>b<form>f</form>c</div>",
        "<pre>  keep\n  spaces </pre><textarea> t </textarea>",
    ],
)
def test_shapes_parse_as_before(html: str) -> None:
    _same(html)


_TAGS = ["p", "div", "span", "a", "b", "li", "ul", "h1", "h2", "br", "script", "nav", "header",
         "footer", "article", "main", "figcaption", "blockquote", "time", "rt", "rp", "table",
         "td", "tr", "aside", "em", "pre", "title", "meta", "section"]  # fmt: skip
_CLASSES = ["", "author", "byline", "post-date", "caption", "related", "x", "share-bar"]


@st.composite
def _markup(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4 if depth < 3 else 1))):
        kind = draw(st.sampled_from(["text", "tag", "tag", "comment", "close", "space"]))
        if kind == "text":
            parts.append(draw(st.text(alphabet="ab é<>&;\n\t", max_size=6)))
        elif kind == "space":
            parts.append(draw(st.sampled_from([" ", "\n", "  \n ", "\xa0"])))
        elif kind == "comment":
            parts.append("<!--c-->")
        elif kind == "close":
            parts.append(f"</{draw(st.sampled_from(_TAGS))}>")
        else:
            tag = draw(st.sampled_from(_TAGS))
            cls = draw(st.sampled_from(_CLASSES))
            attrs = f" class='{cls}'" if cls else ""
            inner = draw(_markup(depth + 1)) if depth < 3 else ""
            closing = draw(st.booleans())
            parts.append(f"<{tag}{attrs}>{inner}" + (f"</{tag}>" if closing else ""))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(_markup(), st.booleans())
def test_generated_markup_parses_as_before(body: str, wrap: bool) -> None:
    _same(f"<html><head><title>t</title></head><body>{body}</body></html>" if wrap else body)

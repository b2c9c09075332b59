"""The report as one self-contained HTML page: plotly.js, data, styles and script inline."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from pathlib import Path
from string import Template
from typing import Any

import plotly.io as pio
from plotly.offline import get_plotlyjs, get_plotlyjs_version

from flows.report.data import ReportData

KIND_NAMES = {"meeting": "meeting", "phone_call": "phone call", "message": "message"}
ASSETS = Path(__file__).with_name("assets")
# plotly.js's official "basic" bundle (scatter, bar, pie; MIT, npm plotly.js-basic-dist-min),
# a quarter of the full bundle plotly.py ships: the page is ready in a quarter of the time.
BASIC_BUNDLE = ASSETS / "plotly-basic.min.js"


def _json(value: Any) -> str:
    """JSON safe inside a <script> element (no '<', '>' or '&' to end it early)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _meeting(item: dict[str, Any]) -> str:
    kind = KIND_NAMES.get(item["kind"], item["kind"])
    place = escape(item["place"]) if item["place"] else "place not reported"
    occasion = ""
    if item["occasion"]:
        occasion = f' <span class="occasion">· {escape(item["occasion"])}</span>'
    people = "".join(f'<span class="chip">{escape(name)}</span>' for name in item["participants"])
    sources = "".join(
        f"<li>{escape(title or path)}"
        + (f' <span class="muted">— {escape(outlet)}</span>' if outlet else "")
        + (f' <span class="muted">{day}</span>' if day else "")
        + (f' <span class="path">{escape(path)}</span>' if title else "")
        + "</li>"
        for path, title, outlet, day in item["sources"]
    )
    quotes = "".join(
        f"<blockquote><p>“{escape(text)}”</p><cite>{escape(speaker)}</cite></blockquote>"
        for speaker, text in item["quotes"]
    )
    more = item["quote_count"] - len(item["quotes"])
    if more > 0:
        quotes += f'<p class="muted">… and {more} more in the quote search below.</p>'
    quotes_block = (
        f"<details><summary>{item['quote_count']} quote(s)</summary>{quotes}</details>"
        if item["quotes"]
        else '<p class="muted">No quotes linked.</p>'
    )
    return (
        f'<article class="meeting"><header><time>{item["date"] or "date unknown"}</time>'
        f' <span class="kind kind-{escape(item["kind"])}">{escape(kind)}</span>'
        f' <span class="place">{place}</span>{occasion}</header>'
        f'<div class="chips">{people}</div>'
        f"<details><summary>{len(item['sources'])} source(s)</summary><ul>{sources}</ul></details>"
        f"{quotes_block}</article>"
    )


def _summary(data: ReportData) -> str:
    span = (
        f"{data.first_date} – {data.last_date}" if data.first_date else "no dated engagements yet"
    )
    run = ""
    if data.last_run:
        run_id, finished, seen = data.last_run
        run = f" · last run {escape(str(run_id))[:8]} finished {finished:%Y-%m-%d %H:%M} UTC"
        run += f" ({seen} files)"
    stats = "".join(
        f'<div class="stat"><b>{count:,}</b><span>{name}</span></div>'
        for name, count in data.counts.items()
    )
    return f'<div class="stats">{stats}</div><p class="muted">Engagements {span}{run}.</p>'


def plotly_js() -> str:
    """The basic bundle when it is the version plotly.py draws for, else the full one."""
    if BASIC_BUNDLE.exists():
        text = BASIC_BUNDLE.read_text(encoding="utf-8")
        if f"v{get_plotlyjs_version()}\n" in text[:200]:
            return text
    return get_plotlyjs()


def render(data: ReportData, figures: dict[str, Any], source: Path) -> str:
    """The whole page as a string."""
    template = Template((ASSETS / "report.html").read_text(encoding="utf-8"))
    figure_json = {
        name: json.loads(pio.to_json(fig, validate=False)) for name, fig in figures.items()
    }
    note = ""
    if data.quote_total > len(data.quotes):
        note = f"the newest {len(data.quotes):,} of {data.quote_total:,} quotes"
    else:
        note = f"all {data.quote_total:,} quotes"
    return template.substitute(
        title="summitry — who met whom",
        generated=f"{datetime.now():%Y-%m-%d %H:%M}",
        source=escape(source.name),
        summary=_summary(data),
        meetings="".join(_meeting(item) for item in data.latest)
        or '<p class="muted">No engagements yet.</p>',
        latest_count=len(data.latest),
        quote_note=note,
        style=(ASSETS / "report.css").read_text(encoding="utf-8"),
        script=(ASSETS / "report.js").read_text(encoding="utf-8"),
        plotlyjs=plotly_js(),
        figures=_json(figure_json),
        quotes=_json(data.quotes),
    )

"""The warehouse report: one self-contained HTML file beside the published warehouse.

Built after every publish and by `summitry report`. It needs nothing but a browser: plotly.js,
styles, data and script are inline, so it opens offline and can be mailed around.
"""

from __future__ import annotations

import os
from pathlib import Path


def report_path(published: Path) -> Path:
    """Where the report of a published warehouse goes: ``<stem>_report.html`` beside it."""
    return published.with_name(f"{published.stem}_report.html")


def build_report(published: Path, target: Path | None = None) -> Path:
    """Read the published marts and write the report (atomically); returns its path."""
    from flows.report import data, figures, page

    if not published.exists():
        raise FileNotFoundError(f"no warehouse at {published}: run `summitry run` first")
    target = target or report_path(published)
    loaded = data.load(published)
    html = page.render(loaded, figures.figures(loaded), published)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(html, encoding="utf-8")
    os.replace(partial, target)
    return target

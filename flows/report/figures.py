"""The report's charts as plotly figures (drawn by the embedded plotly.js in the page)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from flows.report.data import ReportData

PALETTE = qualitative.Safe + qualitative.Vivid
KIND_LABELS = {"meeting": "Meetings", "phone_call": "Phone calls", "message": "Messages"}
TOP_COUNTRIES = 10
TOP_TOPICS = 8
NETWORK_LABELS = 25  # names written beside the dots; every dot names itself on hover
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 50, "r": 20, "t": 40, "b": 40},
        font={"family": FONT, "size": 12},
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.15},
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(gridcolor="#eceff3", zeroline=False)
    return fig


def _months(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from first to last: a month without engagements is a gap, not skipped."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _periods(present: set[str]) -> list[str]:
    """Contiguous months ('YYYY-MM') or years ('YYYY') covering `present`."""
    if not present:
        return []
    first, last = min(present), max(present)
    if len(first) == 4:
        return [str(year) for year in range(int(first), int(last) + 1)]
    return _months(first, last)


def timeline(data: ReportData) -> go.Figure:
    """Engagements per month, stacked by kind or by the country they took place in; a
    button switches between the two views."""
    months = _periods({month for month, *_ in data.timeline})
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    by_country: dict[str, Counter[str]] = defaultdict(Counter)
    for month, kind, country, count in data.timeline:
        by_kind[kind][month] += count
        by_country[country or ""][month] += count
    totals = Counter({country: sum(c.values()) for country, c in by_country.items() if country})
    top = [country for country, _ in totals.most_common(TOP_COUNTRIES)]
    series_country: dict[str, Counter[str]] = {country: by_country[country] for country in top}
    other: Counter[str] = Counter()
    for country, counter in by_country.items():
        if country and country not in top:
            other.update(counter)
    if other:
        series_country["other countries"] = other
    if by_country.get(""):
        series_country["no venue (calls, messages, unknown)"] = by_country[""]

    fig = go.Figure()
    kinds = [kind for kind in KIND_LABELS if kind in by_kind] + sorted(
        kind for kind in by_kind if kind not in KIND_LABELS
    )
    for index, kind in enumerate(kinds):
        fig.add_bar(
            x=months,
            y=[by_kind[kind][month] for month in months],
            name=KIND_LABELS.get(kind, kind),
            marker_color=PALETTE[index % len(PALETTE)],
            hovertemplate="%{x}: %{y} " + KIND_LABELS.get(kind, kind).lower() + "<extra></extra>",
        )
    for index, (country, counter) in enumerate(series_country.items()):
        grey = country.startswith(("other", "no venue"))
        fig.add_bar(
            x=months,
            y=[counter[month] for month in months],
            name=country,
            visible=False,
            marker_color="#b8bec7" if grey else PALETTE[index % len(PALETTE)],
            hovertemplate="%{x}: %{y} in " + country + "<extra></extra>",
        )
    n_kind, n_country = len(kinds), len(series_country)
    fig.update_layout(
        barmode="stack",
        bargap=0.15,
        xaxis={"type": "category", "title": None, "nticks": 24},
        yaxis={"title": "engagements"},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "x": 0,
                "y": 1.18,
                "xanchor": "left",
                "showactive": True,
                "buttons": [
                    {
                        "label": "by kind",
                        "method": "restyle",
                        "args": [{"visible": [True] * n_kind + [False] * n_country}],
                    },
                    {
                        "label": "by country of venue",
                        "method": "restyle",
                        "args": [{"visible": [False] * n_kind + [True] * n_country}],
                    },
                ],
            }
        ],
    )
    return _layout(fig, 380)


def topics(data: ReportData) -> go.Figure:
    """Engagements discussing each topic per period; the most frequent topics shown,
    the others one legend click away."""
    periods = _periods({period for period, *_ in data.topics})
    series: dict[str, Counter[str]] = defaultdict(Counter)
    for period, label, count in data.topics:
        series[label][period] += count
    ranked = sorted(series, key=lambda label: (-sum(series[label].values()), label))
    fig = go.Figure()
    for index, label in enumerate(ranked):
        fig.add_scatter(
            x=periods,
            y=[series[label][period] for period in periods],
            name=label,
            mode="lines+markers",
            line={"width": 2},
            marker={"size": 5},
            marker_color=PALETTE[index % len(PALETTE)],
            visible=True if index < TOP_TOPICS else "legendonly",
            hovertemplate="%{x}: %{y} engagements on " + label + "<extra></extra>",
        )
    fig.update_layout(
        xaxis={"type": "category", "title": None},
        yaxis={"title": f"engagements per {data.topic_period}"},
    )
    return _layout(fig, 380).update_layout(legend={"orientation": "v", "x": 1.02, "y": 1})


def layout_network(
    names: list[str], edges: list[tuple[str, str, int]], iterations: int = 300
) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold force layout, deterministic (nodes start on a circle)."""
    count = len(names)
    if count == 0:
        return {}
    index = {name: i for i, name in enumerate(names)}
    angles = np.linspace(0, 2 * math.pi, count, endpoint=False)
    pos = np.column_stack([np.cos(angles), np.sin(angles)])
    weight = np.zeros((count, count))
    for a, b, w in edges:
        weight[index[a], index[b]] = weight[index[b], index[a]] = math.log1p(w)
    k = math.sqrt(4.0 / count)
    temperature = 0.2
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.maximum(np.linalg.norm(delta, axis=2), 1e-3)
        force = (k * k / distance**2) - weight * distance / k
        np.fill_diagonal(force, 0.0)
        move = (delta * force[:, :, None]).sum(axis=1)
        move -= pos * 0.05  # a little gravity keeps unconnected people on the canvas
        length = np.maximum(np.linalg.norm(move, axis=1), 1e-9)
        pos += move / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature *= 0.985
    # Fill the canvas: each axis spans -1..1 (the chart is wider than tall anyway).
    pos -= pos.mean(axis=0)
    pos /= np.maximum(np.abs(pos).max(axis=0), 1e-9)
    return {name: (float(pos[i, 0]), float(pos[i, 1])) for i, name in enumerate(names)}


def network(data: ReportData) -> go.Figure:
    """Who met whom: people as dots (size: engagements), lines between people who took part
    in the same engagement (width: how often)."""
    names = [person["name"] for person in data.people]
    pos = layout_network(names, data.edges)
    fig = go.Figure()
    heaviest = max((w for *_, w in data.edges), default=1)
    buckets: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for a, b, w in data.edges:
        buckets[min(3, int(4 * math.log1p(w) / math.log1p(heaviest)))].append((a, b, w))
    for bucket, edges in sorted(buckets.items()):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for a, b, _ in edges:
            xs += [pos[a][0], pos[b][0], None]
            ys += [pos[a][1], pos[b][1], None]
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"width": 0.6 + 1.4 * bucket, "color": f"rgba(90,100,120,{0.18 + 0.15 * bucket})"},
            hoverinfo="skip",
            showlegend=False,
        )
    partners: dict[str, Counter[str]] = defaultdict(Counter)
    for a, b, w in data.edges:
        partners[a][b] += w
        partners[b][a] += w
    countries = sorted({person["country"] or "unknown" for person in data.people})
    colour = {country: PALETTE[i % len(PALETTE)] for i, country in enumerate(countries)}
    biggest = max((person["meetings"] for person in data.people), default=1)
    labelled = {person["name"] for person in data.people[:NETWORK_LABELS]}
    for country in countries:
        group = [p for p in data.people if (p["country"] or "unknown") == country]
        fig.add_scatter(
            x=[pos[p["name"]][0] for p in group],
            y=[pos[p["name"]][1] for p in group],
            mode="markers+text",
            name=country,
            text=[p["name"] if p["name"] in labelled else "" for p in group],
            hovertext=[p["name"] for p in group],
            textposition="top center",
            textfont={"size": 10, "color": "#333"},
            marker={
                "size": [8 + 22 * math.sqrt(p["meetings"] / biggest) for p in group],
                "color": colour[country],
                "line": {"width": 1, "color": "white"},
            },
            customdata=[
                [
                    p["meetings"],
                    ", ".join(f"{n} ({w})" for n, w in partners[p["name"]].most_common(5)),
                ]
                for p in group
            ],
            hovertemplate="<b>%{hovertext}</b> (" + country + ")<br>%{customdata[0]} engagements"
            "<br>most often with: %{customdata[1]}<extra></extra>",
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, 620).update_layout(legend={"orientation": "v", "x": 1.0, "y": 1})


def figures(data: ReportData) -> dict[str, Any]:
    """Element id -> figure."""
    return {"timeline": timeline(data), "network": network(data), "topics": topics(data)}

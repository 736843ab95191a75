"""Charts drawn on the server as SVG by pygal: no script, nothing fetched, readable offline.

Each chart is an image with a text alternative; the page puts the same figures in a table
beside it, for people who cannot see the chart.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

# pygal writes its configuration for pygal.js into the SVG even when no script is loaded.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
CHART_WIDTH_PX = 800
CHART_HEIGHT_PX = 360
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f",
    font_family='system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif',
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=13,
    legend_font_size=15,
    title_font_size=16,
    colors=("#12403c", "#b4161b", "#1a4b8c", "#8a5a00", "#5a2d82", "#0b6b35"),
)


def _config(**options) -> dict:
    # No pygal.js: it would be fetched from elsewhere, and the charts need no tooltips.
    return {
        "js": [],
        "disable_xml_declaration": True,
        "style": STYLE,
        "width": CHART_WIDTH_PX,
        "height": CHART_HEIGHT_PX,
        "explicit_size": False,
        "show_legend": True,
        "legend_at_bottom": True,
        "print_values": False,
        **options,
    }


def _as_image(svg: str, description: str) -> Markup:
    """The chart as one image for assistive technology, named by `description`."""
    svg = _SCRIPT.sub("", svg)
    opening = svg.index("<svg") + len("<svg")
    attributes = f' role="img" aria-label="{escape(description)}" focusable="false"'
    return Markup(svg[:opening] + attributes + svg[opening:])


def score_history(
    days: Sequence[dt.date],
    scores: Sequence[int],
    moves: Sequence[tuple[dt.date, int]],
    *,
    score_label: str,
    moves_label: str,
    description: str,
    format_date,
) -> Markup:
    """The score on each of `days`, with a mark on the days a record moved it."""
    chart = pygal.DateLine(
        **_config(
            x_label_rotation=0,
            x_value_formatter=format_date,
            dots_size=2,
            stroke_style={"width": 3},
            truncate_label=-1,
            show_x_guides=False,
        )
    )
    # A label every half year: more would overlap at the widths a phone has.
    chart.x_labels = (
        [
            dt.date(year, month, 1)
            for year in range(days[0].year, days[-1].year + 1)
            for month in (1, 7)
            if days[0] <= dt.date(year, month, 1) <= days[-1]
        ]
        if days
        else []
    )
    chart.add(score_label, list(zip(days, scores, strict=True)), show_dots=False)
    if moves:
        chart.add(moves_label, list(moves), stroke=False, dots_size=5)
    return _as_image(chart.render(is_unicode=True), description)


def bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    description: str,
    horizontal: bool = False,
) -> Markup:
    chart_type = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = chart_type(
        **_config(x_label_rotation=0, show_legend=len(series) > 1, truncate_label=-1)
    )
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _as_image(chart.render(is_unicode=True), description)

"""Charts as inline SVG, drawn here: no script, no font or image from
outside, so a page that holds them stays one self-contained file.

Each function takes plain figures and labels (already in the report's
language) and returns one ``<svg>`` element. Sizes are in the SVG's own
units; the page scales it with CSS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from fivestar.numbers import fmt

INK = "#222"
MUTED = "#777"
GRID = "#ddd"
TRACK = "#eee"
RED = "#b22"
COLOURS = ("#b22", "#d98a2b", "#7a9cc6", "#bbb")
"""Award bands, from the highest (五星双优) to none."""


def number(value: Decimal | int | float) -> str:
    return fmt(Decimal(str(value)))


def text(x: float, y: float, content: str, size: float = 9, anchor: str = "start", colour: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{colour}">'
        f"{escape(content)}</text>"
    )


def svg(width: float, height: float, title: str, body: list[str], css: str) -> str:
    return (
        f'<svg class="{css}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


@dataclass(frozen=True)
class Bar:
    """One section of an organisation: its points, its maximum, and the
    points a star or award needs (None where there is none)."""

    label: str
    points: Decimal
    maximum: Decimal
    threshold: Decimal | None = None


def score_bars(bars: Sequence[Bar], title: str, earned_mark: str = "★") -> str:
    """Per organisation: each section's points as a bar against its maximum
    (the grey track), the star's threshold as a tick, a mark where earned."""
    label_width, bar_width, value_width, row = 70.0, 250.0, 60.0, 16.0
    width = label_width + bar_width + value_width
    height = row * len(bars) + 6
    scale = max((float(bar.maximum) for bar in bars), default=1.0) or 1.0
    body = []
    for index, bar in enumerate(bars):
        y = 3 + index * row
        track = bar_width * float(bar.maximum) / scale
        filled = max(0.0, bar_width * float(min(bar.points, bar.maximum)) / scale)
        earned = bar.threshold is not None and bar.points >= bar.threshold
        body.append(text(label_width - 6, y + 11, bar.label, anchor="end"))
        body.append(f'<rect x="{label_width}" y="{y + 2}" width="{track:.1f}" height="10" fill="{TRACK}"/>')
        colour = RED if earned or bar.threshold is None else COLOURS[2]
        body.append(f'<rect x="{label_width}" y="{y + 2}" width="{filled:.1f}" height="10" fill="{colour}"/>')
        if bar.threshold is not None:
            tick = label_width + bar_width * float(bar.threshold) / scale
            body.append(
                f'<line x1="{tick:.1f}" x2="{tick:.1f}" y1="{y}" y2="{y + 14}" stroke="{INK}" stroke-width="1"/>'
            )
        shown = f"{number(bar.points)} / {number(bar.maximum)}" + (f" {earned_mark}" if earned else "")
        body.append(text(label_width + track + 4, y + 11, shown, size=8.5))
    return svg(width, height, title, body, "chart chart-bars")


@dataclass(frozen=True)
class Band:
    """A group of the cohort for the distribution chart (e.g. 五星双优)."""

    label: str
    totals: Sequence[Decimal]


def distribution(bands: Sequence[Band], maximum: Decimal, step: int, title: str, axis: str, count: str) -> str:
    """For the cohort: how many organisations fall in each band of totals,
    stacked by award, with a legend."""
    columns = max(1, int(maximum) // step + (1 if int(maximum) % step else 0))
    counts = [[0] * columns for _band in bands]
    for index, band in enumerate(bands):
        for total in band.totals:
            column = min(columns - 1, max(0, int(total) // step))
            counts[index][column] += 1
    tallest = max((sum(counts[band][column] for band in range(len(bands))) for column in range(columns)), default=0)
    tallest = max(tallest, 1)
    left, top, plot_width, plot_height, bottom = 34.0, 22.0, 520.0, 150.0, 34.0
    width, height = left + plot_width + 10, top + plot_height + bottom
    column_width = plot_width / columns
    body = []
    ticks = sorted({0, tallest, *range(0, tallest + 1, max(1, tallest // 4))})
    for tick in ticks:
        y = top + plot_height - plot_height * tick / tallest
        body.append(f'<line x1="{left}" x2="{left + plot_width}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(text(left - 4, y + 3, str(tick), size=8, anchor="end", colour=MUTED))
    for column in range(columns):
        x = left + column * column_width
        stacked = 0
        for index in range(len(bands)):
            amount = counts[index][column]
            if not amount:
                continue
            y = top + plot_height - plot_height * (stacked + amount) / tallest
            bar_height = plot_height * amount / tallest
            body.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{column_width - 2:.1f}" height="{bar_height:.1f}" '
                f'fill="{COLOURS[min(index, len(COLOURS) - 1)]}"/>'
            )
            stacked += amount
        if stacked:
            y = top + plot_height - plot_height * stacked / tallest
            body.append(text(x + column_width / 2, y - 3, str(stacked), size=8, anchor="middle"))
        body.append(text(x + column_width / 2, top + plot_height + 11, f"{column * step}–", size=7.5, anchor="middle"))
    body.append(
        f'<line x1="{left}" x2="{left + plot_width}" y1="{top + plot_height}" y2="{top + plot_height}" stroke="{INK}"/>'
    )
    body.append(text(left + plot_width / 2, top + plot_height + 26, axis, size=8.5, anchor="middle", colour=MUTED))
    body.append(text(4, 12, count, size=8.5, colour=MUTED))
    x = left + 40
    for index, band in enumerate(bands):
        colour = COLOURS[min(index, len(COLOURS) - 1)]
        body.append(f'<rect x="{x:.1f}" y="4" width="10" height="10" fill="{colour}"/>')
        label = f"{band.label} {len(band.totals)}"
        body.append(text(x + 14, 13, label, size=8.5))
        x += 24 + 8.5 * len(label)
    return svg(width, height, title, body, "chart chart-distribution")


def history_line(years: Sequence[tuple[int, Decimal | None]], maximum: Decimal, title: str, movement: str) -> str:
    """With history: an organisation's total over the years as columns, the
    last one's movement against the year before written above it."""
    shown = [(year, total) for year, total in years]
    column, gap, top, plot_height, bottom = 46.0, 14.0, 18.0, 70.0, 16.0
    width = max(200.0, len(shown) * (column + gap) + gap + 150)
    height = top + plot_height + bottom
    scale = float(maximum) or 1.0
    body = [f'<line x1="0" x2="{width:.0f}" y1="{top + plot_height}" y2="{top + plot_height}" stroke="{INK}"/>']
    for index, (year, total) in enumerate(shown):
        x = gap + index * (column + gap)
        body.append(text(x + column / 2, top + plot_height + 12, str(year), size=8.5, anchor="middle"))
        if total is None:
            body.append(text(x + column / 2, top + plot_height - 4, "—", size=8.5, anchor="middle", colour=MUTED))
            continue
        bar_height = max(0.0, plot_height * float(total) / scale)
        last = index == len(shown) - 1
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot_height - bar_height:.1f}" width="{column}" '
            f'height="{bar_height:.1f}" fill="{RED if last else COLOURS[2]}"/>'
        )
        body.append(text(x + column / 2, top + plot_height - bar_height - 3, number(total), size=8.5, anchor="middle"))
    body.append(text(len(shown) * (column + gap) + gap + 6, top + 30, movement, size=10))
    return svg(width, height, title, body, "chart chart-history")

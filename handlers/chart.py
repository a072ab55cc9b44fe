"""The report's chart: pulse (dots) and match rate (bars) per round as a PNG, and its alt text.

Drawn with matplotlib's object API on the Agg backend (no display, no pyplot state, safe in
a worker thread): real axes with ticks a person reads at a glance, text measured before it
is placed so nothing overlaps or is clipped, at a size that stays legible when Slack shows
the image shrunk in a message. The alt text says what the picture shows, for screen readers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from math import nan
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# 1000 x 560 px: Slack shows an image shrunk to roughly 360 px tall in a message, so text is
# drawn large (about 20 px) to stay readable at that size.
SIZE = (10.0, 5.6)
DPI = 100
FONT = 15
BAR = "#366ec8"
DOT = "#e0801e"
INK = "#282828"
GRID = "#dcdcdc"
ALT_LIMIT = 1000  # files.getUploadURLExternal refuses longer alt text


@dataclass(frozen=True)
class Point:
    label: str  # e.g. "05/01"
    match_rate: float | None  # 0..1
    pulse: float | None  # 1..5


def render(points: Sequence[Point]) -> bytes:
    """The chart as a PNG."""
    out = io.BytesIO()
    draw(points).savefig(out, format="png", facecolor="white")
    return out.getvalue()


def draw(points: Sequence[Point]) -> Figure:
    """Two panels over the same rounds: pulse dots (1-5) above, match-rate bars (0-100%) below.

    Two panels rather than two y-axes on one: each number sits in its own space, so labels
    never collide, and nobody has to work out which scale a mark belongs to.
    """
    # Imported here: only a report needs matplotlib, so serving starts without loading it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, PercentFormatter

    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    pulse_axes, rate_axes = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1.5]}
    )
    slots = list(range(len(points)))
    pulses = [(i, min(max(p.pulse, 1.0), 5.0)) for i, p in enumerate(points) if p.pulse is not None]
    if pulses:
        # NaN where a round has no pulse, so the line breaks there instead of bridging it.
        line = [min(max(p.pulse, 1.0), 5.0) if p.pulse is not None else nan for p in points]
        pulse_axes.plot(slots, line, "-o", color=DOT, markersize=11, linewidth=2, zorder=3)
        for x, y in pulses:
            pulse_axes.annotate(
                f"{y:.1f}",
                (x, y),
                xytext=(0, 9),
                textcoords="offset points",
                ha="center",
                va="bottom",
                color=INK,
                fontsize=FONT,
            )
    pulse_axes.set_ylim(0.6, 6.2)  # headroom: a 5.0's label stays inside the panel
    pulse_axes.yaxis.set_major_locator(FixedLocator([1, 2, 3, 4, 5]))
    pulse_axes.set_title("Average pulse (1-5)", loc="left", fontsize=FONT, color=INK)

    rates = [
        100 * min(max(p.match_rate, 0.0), 1.0) if p.match_rate is not None else 0.0 for p in points
    ]
    bars = rate_axes.bar(slots, rates, width=0.6, color=BAR, zorder=2)
    rate_axes.bar_label(
        bars,
        labels=[f"{p.match_rate:.0%}" if p.match_rate is not None else "" for p in points],
        padding=3,
        color=INK,
        fontsize=FONT,
    )
    rate_axes.set_ylim(0, 118)  # headroom for a 100% bar's label
    rate_axes.yaxis.set_major_locator(FixedLocator([0, 25, 50, 75, 100]))
    rate_axes.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    rate_axes.set_title("Mentees matched", loc="left", fontsize=FONT, color=INK)
    rate_axes.set_xticks(slots, [p.label for p in points])
    rate_axes.set_xlim(-0.6, max(len(points), 1) - 0.4)
    for axes in (pulse_axes, rate_axes):
        axes.tick_params(labelsize=FONT, colors=INK)
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="y", color=GRID, zorder=0)
        axes.set_axisbelow(True)
    return figure


def alt_text(points: Sequence[Point]) -> str:
    """What the chart shows, in words: the range, the latest round, and each round."""
    if not points:
        return "No rounds to chart yet."
    rates = [(p.label, p.match_rate) for p in points if p.match_rate is not None]
    pulses = [(p.label, p.pulse) for p in points if p.pulse is not None]
    parts = [f"Chart of the last {len(points)} rounds: bars show the share of mentees matched"]
    parts[0] += ", dots the average pulse (1 to 5)."
    if rates:
        low, high = min(rates, key=lambda r: r[1]), max(rates, key=lambda r: r[1])
        parts.append(
            f"Matched from {low[1]:.0%} ({low[0]}) to {high[1]:.0%} ({high[0]});"
            f" latest {rates[-1][1]:.0%} ({rates[-1][0]})."
        )
    if pulses:
        low_p, high_p = min(pulses, key=lambda r: r[1]), max(pulses, key=lambda r: r[1])
        parts.append(f"Pulse from {low_p[1]:.1f} to {high_p[1]:.1f}; latest {pulses[-1][1]:.1f}.")
    each = "; ".join(
        f"{p.label}: "
        + ", ".join(
            ([f"{p.match_rate:.0%} matched"] if p.match_rate is not None else [])
            + ([f"pulse {p.pulse:.1f}"] if p.pulse is not None else [])
        )
        for p in points
    )
    text = " ".join(parts) + f" Each round: {each}."
    return text if len(text) <= ALT_LIMIT else " ".join(parts)[:ALT_LIMIT]

"""The report chart: a PNG that reads at Slack's preview size, true axes, words for it too."""

from __future__ import annotations

import io
from itertools import combinations

from matplotlib.image import imread
from matplotlib.text import Text

from handlers.chart import ALT_LIMIT, DPI, SIZE, Point, alt_text, draw, render

TWELVE = [
    Point(f"{day:02d}/{month:02d}", rate, pulse)
    for day, month, rate, pulse in [
        (5, 1, 0.8, 4.2),
        (2, 2, 0.55, 3.1),
        (2, 3, 1.0, 5.0),
        (30, 3, 0.35, 1.0),
        (27, 4, 0.9, None),
        (25, 5, 0.05, 3.8),
        (22, 6, None, 4.0),
        (20, 7, 0.6, 4.9),
        (17, 8, 0.95, 4.1),
        (14, 9, 1.0, 5.0),
        (12, 10, 0.5, 2.5),
        (9, 11, 0.66, 3.3),
    ]
]


def _texts(points: list[Point]) -> list[tuple[str, tuple[float, float, float, float]]]:
    figure = draw(points)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    found = []
    for text in figure.findobj(Text):
        if isinstance(text, Text) and text.get_visible() and text.get_text().strip():
            box = text.get_window_extent(renderer)
            found.append((text.get_text(), (box.x0, box.y0, box.x1, box.y1)))
    return found


def test_axes_read_as_percent_and_pulse_scale() -> None:
    figure = draw(TWELVE)
    figure.canvas.draw()
    pulse, rate = figure.axes
    assert [t.get_text() for t in rate.get_yticklabels()] == ["0%", "25%", "50%", "75%", "100%"]
    assert [t.get_text() for t in pulse.get_yticklabels()] == ["1", "2", "3", "4", "5"]
    assert [t.get_text() for t in rate.get_xticklabels()] == [p.label for p in TWELVE]


def test_no_label_overlaps_another_or_leaves_the_picture() -> None:
    width, height = SIZE[0] * DPI, SIZE[1] * DPI
    for points in (TWELVE, TWELVE[:1], TWELVE[:5]):
        texts = _texts(points)
        shown = {text for text, _ in texts}
        assert {"100%", "5.0", "05/01"} <= shown or len(points) < 3
        for text, (x0, y0, x1, y1) in texts:
            inside = x0 >= 0 and x1 <= width and y0 >= 0 and y1 <= height
            assert inside, f"{text!r} is clipped"
        for (a, (ax0, ay0, ax1, ay1)), (b, (bx0, by0, bx1, by1)) in combinations(texts, 2):
            apart = ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0
            assert apart, f"{a!r} overlaps {b!r}"


def test_text_is_large_enough_for_slacks_preview() -> None:
    # Slack shows the image about 360 px tall; the smallest text must stay near 10 px there.
    shrink = 360 / (SIZE[1] * DPI)
    heights = [y1 - y0 for text, (_, y0, _, y1) in _texts(TWELVE) if text[0].isdigit()]
    assert min(heights) * shrink >= 9


def test_render_is_a_png_of_the_stated_size() -> None:
    png = render(TWELVE)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = imread(io.BytesIO(png), format="png")
    assert image.shape[:2] == (SIZE[1] * DPI, SIZE[0] * DPI)


def test_alt_text_says_what_the_chart_shows() -> None:
    text = alt_text(TWELVE)
    assert text.startswith("Chart of the last 12 rounds")
    assert "Matched from 5% (25/05) to 100% (02/03); latest 66% (09/11)." in text
    assert "Pulse from 1.0 to 5.0; latest 3.3." in text
    assert "27/04: 90% matched;" in text
    assert "22/06: pulse 4.0;" in text
    assert len(text) <= ALT_LIMIT
    assert alt_text([]) == "No rounds to chart yet."
    many = [Point(f"round {i} of a very long program", 0.5, 3.0) for i in range(40)]
    assert len(alt_text(many)) <= ALT_LIMIT

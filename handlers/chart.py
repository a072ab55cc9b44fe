"""The report's chart: match rate (bars) and pulse value (dots) per round, as a PNG.

Written with zlib and struct rather than a plotting library: one small chart does not
justify matplotlib's weight in every install. Numbers are drawn with a 3x5 pixel font, so
the image reads on its own; the upload's comment carries the legend.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 40, 40, 30, 40
WHITE = (255, 255, 255)
GRID = (225, 225, 225)
AXIS = (90, 90, 90)
BAR = (54, 110, 200)
DOT = (235, 130, 30)
INK = (40, 40, 40)

# 3x5 glyphs, rows top to bottom, bits left to right.
GLYPHS = {
    "0": (7, 5, 5, 5, 7),
    "1": (2, 6, 2, 2, 7),
    "2": (7, 1, 7, 4, 7),
    "3": (7, 1, 7, 1, 7),
    "4": (5, 5, 7, 1, 1),
    "5": (7, 4, 7, 1, 7),
    "6": (7, 4, 7, 5, 7),
    "7": (7, 1, 1, 1, 1),
    "8": (7, 5, 7, 5, 7),
    "9": (7, 5, 7, 1, 7),
    "%": (5, 1, 2, 4, 5),
    ".": (0, 0, 0, 0, 2),
    "-": (0, 0, 7, 0, 0),
    "/": (1, 1, 2, 4, 4),
}


@dataclass(frozen=True)
class Point:
    label: str  # e.g. "05/01"
    match_rate: float | None  # 0..1
    pulse: float | None  # 1..5


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(WHITE) * width * height)

    def put(self, x: int, y: int, colour: tuple[int, int, int]) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            i = (y * self.width + x) * 3
            self.pixels[i : i + 3] = bytes(colour)

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]) -> None:
        for y in range(max(y0, 0), min(y1, self.height)):
            for x in range(max(x0, 0), min(x1, self.width)):
                self.put(x, y, colour)

    def text(self, x: int, y: int, text: str, colour: tuple[int, int, int], scale: int = 2) -> None:
        for char in text:
            for row, bits in enumerate(GLYPHS.get(char, (0, 0, 0, 0, 0))):
                for col in range(3):
                    if bits & (4 >> col):
                        self.rect(
                            x + col * scale,
                            y + row * scale,
                            x + (col + 1) * scale,
                            y + (row + 1) * scale,
                            colour,
                        )
            x += 4 * scale

    def png(self) -> bytes:
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * self.width * 3 : (y + 1) * self.width * 3])
            for y in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


def plot_height() -> int:
    return HEIGHT - TOP - BOTTOM


def bar_slot(index: int, count: int) -> tuple[int, int]:
    """The x range of round `index`'s bar."""
    slot = (WIDTH - LEFT - RIGHT) / max(count, 1)
    x0 = LEFT + int(index * slot + slot * 0.2)
    return x0, max(x0 + 1, LEFT + int((index + 1) * slot - slot * 0.2))


def render(points: Sequence[Point]) -> bytes:
    """Bars on a 0-100% scale (left); dots on a 0-5 pulse scale (right); one slot per round."""
    c = Canvas(WIDTH, HEIGHT)
    base, h = HEIGHT - BOTTOM, plot_height()
    for quarter in range(1, 5):
        y = base - h * quarter // 4
        c.rect(LEFT, y, WIDTH - RIGHT, y + 1, GRID)
        c.text(4, y - 4, f"{quarter * 25}%", AXIS, scale=1)
        c.text(WIDTH - RIGHT + 6, y - 4, f"{quarter * 5 / 4:.1f}".rstrip("0"), AXIS, scale=1)
    c.rect(LEFT, base, WIDTH - RIGHT, base + 1, AXIS)
    c.rect(LEFT, TOP, LEFT + 1, base, AXIS)
    for i, point in enumerate(points):
        x0, x1 = bar_slot(i, len(points))
        if point.match_rate is not None:
            top = base - round(h * min(max(point.match_rate, 0.0), 1.0))
            c.rect(x0, top, x1, base, BAR)
            c.text(x0, top - 12, f"{point.match_rate:.0%}", INK)
        if point.pulse is not None:
            y = base - round(h * min(max(point.pulse, 0.0), 5.0) / 5)
            mid = (x0 + x1) // 2
            c.rect(mid - 4, y - 4, mid + 5, y + 5, DOT)
            c.text(mid + 8, y - 5, f"{point.pulse:.1f}", DOT)
        c.text(x0, base + 8, point.label, INK)
    return c.png()

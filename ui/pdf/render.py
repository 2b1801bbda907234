"""PDF page → PNG with a quote's characters marked. The only module that imports pypdfium2 and draws with
Pillow.

Work is bounded for any page: the image holds at most MAX_PIXELS (a huge page is rendered at
a smaller scale; a 14,400 pt square page at scale 1.5 would take 1.9 GB of bitmap), at most
MAX_CHARS characters of the text layer are read, and boxes are looked up only for the
characters to mark.

Coordinates: pdfium gives character boxes in PDF points with the origin at the bottom left of
the page; they become pixel rectangles of the image (origin top left), merged into one
rectangle per line run.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageDraw

SCALE = 1.5  # 108 dpi: readable in the app without making large PNGs (an A4 page: 1.1 megapixels)
MAX_PIXELS = 4_000_000  # no page image is larger; scaled down to fit
MAX_CHARS = 200_000  # characters of a page's text layer read (a dense A4 page holds about 5,000)
FILL = (255, 214, 0, 110)  # translucent marker yellow
EDGE = (214, 120, 0, 255)
PAD = 1.5

Pick = Callable[[Sequence[str]], Sequence[int]]  # the page's characters → indices of those to mark


@dataclass(frozen=True)
class Box:
    """A rectangle in image pixels: left, top, right, bottom."""

    left: float
    top: float
    right: float
    bottom: float

    def __post_init__(self) -> None:
        if self.right < self.left or self.bottom < self.top:
            raise ValueError("Box must have right >= left and bottom >= top")


@dataclass(frozen=True)
class PageImage:
    png: bytes
    size: tuple[int, int]  # pixels: width, height
    scale: float  # pixels per PDF point
    chars: int  # characters of the text layer read
    marked: tuple[Box, ...]  # the marked runs


def scale_for(width: float, height: float, scale: float = SCALE, max_pixels: int = MAX_PIXELS) -> float:
    """`scale`, or less, so that a page of width × height points becomes at most `max_pixels` pixels."""
    if not (width > 0 and height > 0):
        raise ValueError(f"page has no area ({width} x {height} pt)")
    return min(scale, math.sqrt(max_pixels / (width * height)))


def merge_runs(boxes: Iterable[Box | None]) -> list[Box]:
    """Character boxes, in text order, merged into runs on one line."""
    runs: list[Box] = []
    for box in boxes:
        if box is None:
            continue
        last = runs[-1] if runs else None
        height = box.bottom - box.top
        if last and abs(last.top - box.top) < height / 2 and -height < box.left - last.right < 3 * height:
            runs[-1] = Box(min(last.left, box.left), min(last.top, box.top),
                           max(last.right, box.right), max(last.bottom, box.bottom))
        else:
            runs.append(box)
    return runs


def highlighted_png(image: Image.Image, boxes: Sequence[Box]) -> bytes:
    """The page image with the boxes marked, as PNG bytes."""
    base = image.convert("RGBA")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for box in boxes:
        draw.rectangle((box.left - PAD, box.top - PAD, box.right + PAD, box.bottom + PAD), fill=FILL,
                       outline=EDGE, width=1)
    out = io.BytesIO()
    Image.alpha_composite(base, overlay).convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


def _no_marks(chars: Sequence[str]) -> Sequence[int]:
    return ()


def render_page(path: Path, number: int, pick: Pick = _no_marks, scale: float = SCALE,
                max_pixels: int = MAX_PIXELS) -> PageImage:
    """Render 1-based page `number` of the PDF at `path`, marking the characters `pick` chooses."""
    document = pdfium.PdfDocument(path)
    try:
        if not 1 <= number <= len(document):
            raise ValueError(f"{path.name} has no page {number} (it has {len(document)})")
        page = document[number - 1]
        scale = scale_for(*page.get_size(), scale=scale, max_pixels=max_pixels)
        image = page.render(scale=scale, rotation=0).to_pil()
        textpage = page.get_textpage()
        count = min(textpage.count_chars(), MAX_CHARS)
        chars = tuple(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))
        left, _, _, top = page.get_cropbox()
        upright = page.get_rotation() == 0

        def box(i: int) -> Box | None:
            x0, y0, x1, y1 = textpage.get_charbox(i, loose=True)  # line-high boxes: a "." is as tall as an "H"
            if not upright or x1 <= x0 or y1 <= y0 or chars[i].isspace():
                return None
            return Box((x0 - left) * scale, (top - y1) * scale, (x1 - left) * scale, (top - y0) * scale)

        runs = merge_runs(box(i) for i in pick(chars) if 0 <= i < count)
        return PageImage(highlighted_png(image, runs), image.size, scale, count, tuple(runs))
    finally:
        document.close()

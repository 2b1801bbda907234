"""PDF page → image and character boxes. The only module that imports pypdfium2.

Coordinates: pdfium gives character boxes in PDF points with the origin at the
bottom left of the page; `PageRender.boxes` turns them into pixel rectangles of
the rendered image (origin top left), merged into one rectangle per line run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL.Image import Image

SCALE = 1.5  # 108 dpi: readable in the app without making large PNGs


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
class PageRender:
    image: Image
    chars: tuple[str, ...]  # the text layer, one entry per pdfium character index
    char_boxes: tuple[Box | None, ...]  # per character, in image pixels; None for generated characters

    def boxes(self, indices: list[int]) -> list[Box]:
        """The characters' boxes merged into runs on one line, in order."""
        runs: list[Box] = []
        for index in indices:
            box = self.char_boxes[index] if 0 <= index < len(self.char_boxes) else None
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


def page_count(path: Path) -> int:
    document = pdfium.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def render_page(path: Path, number: int, scale: float = SCALE) -> PageRender:
    """Render 1-based page `number` of the PDF at `path` and read its text layer."""
    document = pdfium.PdfDocument(path)
    try:
        if not 1 <= number <= len(document):
            raise ValueError(f"{path.name} has no page {number} (it has {len(document)})")
        page = document[number - 1]
        image = page.render(scale=scale, rotation=0).to_pil()
        left, _, _, top = page.get_cropbox()
        textpage = page.get_textpage()
        count = textpage.count_chars()
        chars = tuple(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))
        boxes = []
        upright = page.get_rotation() == 0
        for i in range(count):
            x0, y0, x1, y1 = textpage.get_charbox(i, loose=True)  # line-high boxes: a "." is as tall as an "H"
            if not upright or x1 <= x0 or y1 <= y0 or chars[i].isspace():
                boxes.append(None)
                continue
            boxes.append(Box((x0 - left) * scale, (top - y1) * scale, (x1 - left) * scale, (top - y0) * scale))
        return PageRender(image=image, chars=chars, char_boxes=tuple(boxes))
    finally:
        document.close()

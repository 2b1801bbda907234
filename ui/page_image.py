"""Draw highlight boxes over a rendered page. The only module that imports Pillow's drawing."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from beleidsbron.ui.pdf_render import Box

FILL = (255, 214, 0, 110)  # translucent marker yellow
EDGE = (214, 120, 0, 255)
PAD = 1.5


def highlighted_png(image: Image.Image, boxes: list[Box]) -> bytes:
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

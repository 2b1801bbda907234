"""ui/pdf_render.py and ui/page_image.py: a real (generated) PDF page, its text layer and the highlight."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from beleidsbron.ui.locate import locate
from beleidsbron.ui.page_image import highlighted_png
from beleidsbron.ui.pdf_render import Box, page_count, render_page

from fakes import make_pdf

LINES = "Eerste regel van de pagina.\nDe huisarts werkt samen met de apotheker.\nLaatste regel."


@pytest.fixture
def pdf(tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(make_pdf(["Voorblad", LINES]))
    return path


def test_render_reads_the_text_layer_and_boxes_in_pixels(pdf):
    page = render_page(pdf, 2, scale=1.0)
    assert abs(page.image.size[0] - 595) <= 1 and abs(page.image.size[1] - 842) <= 1
    assert "huisarts" in "".join(page.chars)
    assert len(page.char_boxes) == len(page.chars)
    box = page.char_boxes["".join(page.chars).index("huisarts")]
    assert box is not None and 40 < box.left < 120 and 40 < box.top < 80  # second line, near the top left


def test_the_quote_boxes_merge_into_one_run_per_line_and_are_drawn(pdf):
    page = render_page(pdf, 2)
    indices = locate(page.chars, "De huisarts werkt samen met de apotheker.")
    boxes = page.boxes(indices)
    assert len(boxes) == 1
    box = boxes[0]
    png = highlighted_png(page.image, boxes)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    original = page.image.convert("RGB")
    inside = [(x, y) for x in range(int(box.left) + 1, int(box.right)) for y in range(int(box.top) + 1, int(box.bottom))
              if original.getpixel((x, y)) == (255, 255, 255)]
    assert inside
    for x, y in inside[::50]:
        r, g, b = image.getpixel((x, y))
        assert r > 200 and g > 180 and b < 200  # marker yellow where the page was white
    assert image.getpixel((5, 5)) == (255, 255, 255)


def test_boxes_of_two_lines_make_two_runs(pdf):
    page = render_page(pdf, 2)
    text = "".join(page.chars)
    start, end = text.index("van de"), text.index("samen")
    assert len(page.boxes(list(range(start, end)))) == 2
    assert page.boxes([]) == [] and page.boxes([10_000]) == []


def test_page_out_of_range_and_count(pdf):
    assert page_count(pdf) == 2
    with pytest.raises(ValueError, match="no page 3"):
        render_page(pdf, 3)


def test_box_is_validated():
    with pytest.raises(ValueError):
        Box(10, 0, 5, 1)

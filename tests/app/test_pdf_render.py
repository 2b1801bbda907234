"""ui/pdf/render.py: a real (generated) PDF page, its text layer, the marked quote, and the pixel cap."""

from __future__ import annotations

import io
from functools import partial
from pathlib import Path

import pytest
from PIL import Image

from beleidsbron.ui.pdf.locate import locate
from beleidsbron.ui.pdf.render import MAX_PIXELS, Box, merge_runs, render_page, scale_for

from fakes import make_pdf

LINES = "Eerste regel van de pagina.\nDe huisarts werkt samen met de apotheker.\nLaatste regel."
QUOTE = "De huisarts werkt samen met de apotheker."


@pytest.fixture
def pdf(tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(make_pdf(["Voorblad", LINES]))
    return path


def test_render_reads_the_text_layer_and_marks_in_pixels(pdf):
    seen = []

    def pick(chars):
        seen.append("".join(chars))
        start = seen[0].index("huisarts")
        return range(start, start + len("huisarts"))

    page = render_page(pdf, 2, pick, scale=1.0)
    assert abs(page.size[0] - 595) <= 1 and abs(page.size[1] - 842) <= 1 and page.scale == 1.0
    assert "huisarts" in seen[0] and page.chars == len(seen[0])
    (box,) = page.marked
    assert 40 < box.left < 120 and 40 < box.top < 80  # second line, near the top left


def test_the_quote_is_one_run_per_line_and_drawn_in_marker_yellow(pdf):
    page = render_page(pdf, 2, partial(locate, quote=QUOTE))
    (box,) = page.marked
    image = Image.open(io.BytesIO(page.png)).convert("RGB")
    plain = Image.open(io.BytesIO(render_page(pdf, 2).png)).convert("RGB")
    inside = [(x, y) for x in range(int(box.left) + 1, int(box.right)) for y in range(int(box.top) + 1, int(box.bottom))
              if plain.getpixel((x, y)) == (255, 255, 255)]
    assert inside
    for x, y in inside[::50]:
        r, g, b = image.getpixel((x, y))
        assert r > 200 and g > 180 and b < 200  # marker yellow where the page was white
    assert image.getpixel((5, 5)) == (255, 255, 255)


def test_boxes_of_two_lines_make_two_runs(pdf):
    def between(first, last):
        def pick(chars):
            text = "".join(chars)
            return range(text.index(first), text.index(last))
        return pick

    assert len(render_page(pdf, 2, between("van de", "samen")).marked) == 2
    assert render_page(pdf, 2, lambda chars: [10_000, -1]).marked == ()
    assert merge_runs([None, Box(0, 0, 5, 10), Box(6, 0, 9, 10), Box(0, 20, 5, 30)]) == [
        Box(0, 0, 9, 10), Box(0, 20, 5, 30)]


def test_page_out_of_range(pdf):
    with pytest.raises(ValueError, match="no page 3"):
        render_page(pdf, 3)


def test_a_page_is_scaled_down_to_the_pixel_cap():
    assert scale_for(595, 842) == 1.5  # A4: 1.1 megapixels at the full scale
    huge = scale_for(14_400, 14_400)
    assert (14_400 * huge) ** 2 <= MAX_PIXELS * 1.0001 and huge < 0.15
    with pytest.raises(ValueError, match="no area"):
        scale_for(0, 842)


def huge_page(tmp_path: Path) -> Path:
    """A PDF of one 14,400 × 14,400 pt page (5 m square) with the quote far down on it."""
    from reportlab.pdfgen import canvas

    path = tmp_path / "huge.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(14_400, 14_400))
    pdf.setFont("Helvetica", 200)
    pdf.drawString(500, 13_000, "Een enorme pagina over passende zorg.")
    pdf.save()
    return path


def test_a_huge_page_renders_within_the_cap(tmp_path):
    path = huge_page(tmp_path)
    page = render_page(path, 1, partial(locate, quote="passende zorg"))
    assert page.size[0] * page.size[1] <= MAX_PIXELS and page.size[0] > 1000
    assert page.marked  # the quote is still marked at the smaller scale


HUGE_PAGE_SCRIPT = """
import resource, sys
from functools import partial
from pathlib import Path
from pathlib import Path
from beleidsbron.ui.pdf.locate import locate
from beleidsbron.ui.pdf.render import render_page
page = render_page(Path(sys.argv[1]), 1, partial(locate, quote="passende zorg"))
print(page.size[0], page.size[1], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
# the whole process; capped it measured 107 MB alone and 438-881 MB within the full run (the environment the
# other tests leave differs), uncapped at scale 1.5 it took 8.7 GB: 2 GB tells the two apart
MEMORY_BOUND_KB = 2_000_000


@pytest.mark.slow
def test_a_huge_page_renders_in_bounded_memory(tmp_path):
    import subprocess
    import sys

    path = huge_page(tmp_path)
    done = subprocess.run([sys.executable, "-c", HUGE_PAGE_SCRIPT, str(path)], capture_output=True, text=True,
                          timeout=600, check=True)  # generous: only a hang should stop it
    width, height, peak_kb = map(int, done.stdout.split())
    print(f"huge page: {width} x {height} px, peak RSS {peak_kb / 1024:.0f} MB")
    assert width * height <= MAX_PIXELS
    assert peak_kb < MEMORY_BOUND_KB


def test_box_is_validated():
    with pytest.raises(ValueError):
        Box(10, 0, 5, 1)

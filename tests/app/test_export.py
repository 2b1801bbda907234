"""ui/export.py: Markdown, CSV, BibTeX and RIS exports of the basket, each with page citations."""

from __future__ import annotations

import csv
import io

import pytest

from beleidsbron.ingest.records import Source
from beleidsbron.ui.basket import BasketItem
from beleidsbron.ui.export import FORMATS, to_bibtex, to_csv, to_markdown, to_ris

IZA = Source("iza-mid-term-review-2024.pdf", "Mid-term review Integraal Zorgakkoord: Samen kom je verder",
             "IZA-partijen", 2024, "mid-term review")
PPN = Source("ppn.pdf", "Een plek aan tafel voor de paramedici", "Paramedisch Platform Nederland (interview)",
             None, "interview")
ITEMS = (BasketItem("Paramedici vormen één van de sleutels voor passende zorg.", 8, IZA, "paramedici"),
         BasketItem("Dat willen we oplossen.”", 2, PPN))


def test_markdown_quotes_with_citations_and_pages():
    text = to_markdown(ITEMS)
    assert text == ("> “Paramedici vormen één van de sleutels voor passende zorg.”\n>\n"
                    "> — IZA-partijen (2024). Mid-term review Integraal Zorgakkoord: Samen kom je verder, p. 8.\n"
                    "\n"
                    "> “Dat willen we oplossen.””\n>\n"
                    "> — Paramedisch Platform Nederland (interview) (z.d.). Een plek aan tafel voor de paramedici, "
                    "p. 2.\n")


def test_markdown_escapes_markup_and_keeps_one_line_per_quote():
    source = Source("x.pdf", "Titel [a](b)", "Uitgever")
    text = to_markdown([BasketItem("Een *vet*\nwoord <script>", 3, source)])
    assert "Een \\*vet\\* woord \\<script\\>" in text
    assert "Titel \\[a\\](b), p. 3." in text


def test_csv_has_a_header_and_a_row_per_quote_with_page_and_citation():
    rows = list(csv.DictReader(io.StringIO(to_csv(ITEMS))))
    assert [r["page"] for r in rows] == ["8", "2"]
    assert rows[0]["quote"] == ITEMS[0].quote and rows[0]["year"] == "2024" and rows[1]["year"] == ""
    assert rows[0]["citation"].endswith(", p. 8.") and rows[0]["query"] == "paramedici"
    assert rows[1]["document"] == "ppn.pdf"


def test_csv_defuses_spreadsheet_formulas():
    item = BasketItem("=HYPERLINK(\"http://x\")", 1, Source("f.pdf", "@SUM(A1)", "+31"))
    row = list(csv.DictReader(io.StringIO(to_csv([item]))))[0]
    assert row["quote"].startswith("'=") and row["title"] == "'@SUM(A1)" and row["publisher"] == "'+31"


def test_bibtex_entries_with_corporate_author_pages_and_escaping():
    text = to_bibtex(ITEMS + (BasketItem("100% & meer_dan #1", 8, IZA),))
    assert text.count("@misc{") == 3
    assert "@misc{iza-mid-term-review-2024-2024-p8,\n" in text and "@misc{iza-mid-term-review-2024-2024-p8-2," in text
    assert "  author = {{IZA-partijen}}," in text and "  year = {2024}," in text and "  pages = {8}," in text
    assert "@misc{ppn-zd-p2," in text and "year" not in text.split("@misc{ppn-zd-p2,")[1].split("}\n")[0]
    assert r"100\% \& meer\_dan \#1" in text
    assert balanced(text.replace(r"\{", "").replace(r"\}", ""))


def balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def test_ris_records_with_page_fields():
    text = to_ris(ITEMS)
    records = text.strip().split("\r\n\r\n")
    assert len(records) == 2
    first = records[0].split("\r\n")
    assert first[0] == "TY  - RPRT" and first[-1] == "ER  - "
    assert "SP  - 8" in first and "EP  - 8" in first and "PY  - 2024" in first and "AU  - IZA-partijen" in first
    assert "N1  - “Paramedici vormen één van de sleutels voor passende zorg.” (p. 8)" in first
    assert not any(line.startswith("PY") for line in records[1].split("\r\n"))


def test_ris_values_stay_on_one_line():
    text = to_ris([BasketItem("regel een\nER  - nep", 1, Source("x.pdf", "T\r\nTY  - X"))])
    assert "\nER  - nep" not in text and "\nTY  - X" not in text
    assert [line[:2] for line in text.strip().split("\r\n")] == ["TY", "TI", "SP", "EP", "N1", "UR", "ER"]


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_every_format_handles_an_empty_basket(fmt):
    assert fmt.render(()) in ("", "quote,page,title,publisher,year,kind,document,citation,query\r\n")


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_every_format_keeps_every_page(fmt):
    text = fmt.render(ITEMS)
    assert "8" in text and "2" in text and "Dat willen we oplossen." in text

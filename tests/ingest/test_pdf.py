"""ingest/pdf.py: PDF bytes → a Document of cleaned, numbered pages, or a DocumentError."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from beleidsbron.ingest.errors import DocumentError
from beleidsbron.ingest.pdf import read_pdf, read_pdf_bytes
from beleidsbron.ingest.records import Source

from fakes import encrypted, make_pdf

PAGES = ["Inleiding\nDe huisartsen in de regio werken samen.", "Tweede pagina over fysiotherapie.",
         "Derde pagina over de IZA-\npartijen en het ZonMw-project."]



def reason_of(name: str, data: bytes) -> str:
    with pytest.raises(DocumentError) as caught:
        read_pdf_bytes(name, data)
    assert caught.value.file == name
    assert str(caught.value).startswith(f"{name}: ")
    return caught.value.reason


# reading -----------------------------------------------------------------------------------
def test_pages_are_read_in_order_with_one_based_numbers() -> None:
    data = make_pdf(PAGES)
    doc = read_pdf_bytes("rapport.pdf", data)
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.pages[0].text == "Inleiding\nDe huisartsen in de regio werken samen."
    assert doc.pages[1].text == "Tweede pagina over fysiotherapie."
    assert doc.pages[2].text == "Derde pagina over de IZA-partijen en het ZonMw-project."
    assert all(p.has_text_layer for p in doc.pages)
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.file == "rapport.pdf"


def test_read_pdf_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "nota.pdf"
    path.write_bytes(make_pdf(["Een pagina tekst over wijkverpleging."]))
    doc = read_pdf(path)
    assert doc.file == "nota.pdf"
    assert doc.pages[0].text == "Een pagina tekst over wijkverpleging."


def test_page_without_text_is_flagged_and_empty() -> None:
    doc = read_pdf_bytes("scan.pdf", make_pdf(["Tekst op de eerste pagina.", None, "En op de derde."]))
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.pages[1].has_text_layer is False
    assert doc.pages[1].text == ""
    assert doc.empty_pages == (2,)
    # the document text keeps the empty page, so page offsets stay right
    assert doc.text == "Tekst op de eerste pagina.\f\fEn op de derde."


def test_hyphenation_is_resolved_with_the_whole_documents_vocabulary() -> None:
    doc = read_pdf_bytes("v.pdf", make_pdf(["Elke zorg-aanbieder doet mee.", "De zorg-\naanbieder betaalt."]))
    assert doc.pages[1].text == "De zorg-aanbieder betaalt."


def test_empty_user_password_is_read_like_any_pdf() -> None:
    doc = read_pdf_bytes("open.pdf", encrypted(make_pdf(PAGES), ""))
    assert [p.text for p in doc.pages] == [p.text for p in read_pdf_bytes("x.pdf", make_pdf(PAGES)).pages]


# bad input ---------------------------------------------------------------------------------
def test_text_file_renamed_pdf() -> None:
    assert "not a PDF" in reason_of("notitie.pdf", b"Dit is gewoon tekst.\n")


def test_empty_file() -> None:
    assert reason_of("leeg.pdf", b"") == "empty file"


def test_truncated_pdf() -> None:
    data = make_pdf(PAGES)
    assert "truncated" in reason_of("half.pdf", data[: len(data) // 2])


def test_pdf_header_followed_by_garbage() -> None:
    assert "corrupt" in reason_of("rommel.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4)


def test_password_protected_pdf() -> None:
    reason = reason_of("geheim.pdf", encrypted(make_pdf(PAGES), "secret"))
    assert "encrypted" in reason and "password" in reason


def test_pdf_with_only_images() -> None:
    reason = reason_of("scan.pdf", make_pdf([None, None]))
    assert "no text layer" in reason and "OCR" in reason


def test_unreadable_path_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"^weg\.pdf: cannot read file"):
        read_pdf(tmp_path / "weg.pdf")


def test_document_error_is_one_line() -> None:
    for data in (b"", b"tekst", make_pdf(PAGES)[:500], encrypted(make_pdf(PAGES), "secret"), make_pdf([None])):
        with pytest.raises(DocumentError) as caught:
            read_pdf_bytes("f.pdf", data)
        assert "\n" not in str(caught.value)


# metadata ----------------------------------------------------------------------------------
def test_title_and_author_come_from_the_pdf() -> None:
    doc = read_pdf_bytes("x.pdf", make_pdf(PAGES, title="Zorg op de Juiste Plek", author="Zorginstituut"))
    assert doc.source.title == "Zorg op de Juiste Plek"
    assert doc.source.publisher == "Zorginstituut"
    assert doc.source.file == "x.pdf"


@pytest.mark.parametrize("title", ["", "   "])
def test_title_falls_back_to_the_file_name(title: str) -> None:
    doc = read_pdf_bytes("iza-mid_term-review.pdf", make_pdf(PAGES, title=title))
    assert doc.source.title == "iza mid term review"


def test_a_given_source_wins_over_pdf_metadata() -> None:
    source = Source(file="x.pdf", title="Uit sources.json", publisher="VWS", year=2024)
    doc = read_pdf_bytes("x.pdf", make_pdf(PAGES, title="Uit de PDF"), source)
    assert doc.source == source

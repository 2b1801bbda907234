"""ingest/chunk.py: a Document → chunks that keep their provenance (pages and offsets)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beleidsbron.ingest.chunk import Chunker, ChunkSettings
from beleidsbron.ingest.records import PAGE_BREAK, Chunk, Document, Page, Source

WORDS = ["zorg", "huisarts", "de", "het", "een", "paramedische", "regio", "IZA", "fysiotherapeut", "2024",
         "samenwerking", "wijkverpleging", "Zuid-Nederland", "afspraken", "ketenzorg", "platform", "o.a.",
         "gezondheidscentrum", "€", "ouderenzorg", "(VWS)", "arbeidsmarkttekortenproblematiek"]
SETTINGS = [ChunkSettings(50, 0), ChunkSettings(60, 10), ChunkSettings(120, 30), ChunkSettings(200, 99),
            ChunkSettings(400, 150), ChunkSettings()]


def make_doc(pages: list[str], name: str = "nota.pdf") -> Document:
    sha = hashlib.sha256(PAGE_BREAK.join(pages).encode()).hexdigest()
    return Document(Source(name, "Nota"), sha, tuple(Page(i, t) for i, t in enumerate(pages, start=1)))


def span(doc: Document, chunk: Chunk) -> tuple[int, int]:
    """The chunk's offsets in the whole document text."""
    starts = doc.page_starts
    return starts[chunk.page_start - 1] + chunk.start, starts[chunk.page_end - 1] + chunk.end


def check_provenance(doc: Document, chunks: list[Chunk], size: int) -> None:
    text, covered = doc.text, 0
    for chunk in chunks:
        assert chunk.doc == doc.file and chunk.doc_sha256 == doc.sha256
        assert len(chunk.text) <= size
        if chunk.page_start == chunk.page_end:
            assert doc.pages[chunk.page_start - 1].text[chunk.start:chunk.end] == chunk.text
        else:
            assert PAGE_BREAK in chunk.text
        begin, end = span(doc, chunk)
        assert text[begin:end] == chunk.text
        assert not text[covered:begin].strip(), f"text lost before chunk: {text[covered:begin]!r}"
        covered = max(covered, end)
    assert not text[covered:].strip(), "text lost at the end"
    assert len({c.id for c in chunks}) == len(chunks)


# settings ----------------------------------------------------------------------------------
def test_settings_refuse_a_tiny_size() -> None:
    with pytest.raises(ValueError, match="chunk size must be at least 50 characters, got 10"):
        ChunkSettings(size=10, overlap=0)


@pytest.mark.parametrize("overlap", [-1, 100, 500])
def test_settings_refuse_an_overlap_outside_half_the_size(overlap: int) -> None:
    with pytest.raises(ValueError, match=r"overlap must be between 0 and half the size \(100\), got"):
        ChunkSettings(size=200, overlap=overlap)


def test_settings_accept_the_limits() -> None:
    assert ChunkSettings(size=50, overlap=24).overlap == 24
    assert ChunkSettings(size=200, overlap=0).size == 200


# examples ----------------------------------------------------------------------------------
def test_short_document_is_one_chunk() -> None:
    doc = make_doc(["De huisarts werkt samen met de fysiotherapeut."])
    [chunk] = Chunker().split(doc)
    assert (chunk.text, chunk.page_start, chunk.page_end, chunk.start, chunk.end) == (
        doc.pages[0].text, 1, 1, 0, len(doc.pages[0].text))


def test_chunks_end_at_sentence_ends_when_they_can() -> None:
    sentences = [f"Zin {i} gaat over de paramedische zorg in de regio." for i in range(20)]
    chunks = Chunker(ChunkSettings(200, 50)).split(make_doc([" ".join(sentences)]))
    assert len(chunks) > 3
    assert all(c.text.endswith(".") for c in chunks)


def test_a_passage_may_run_on_over_a_page_break() -> None:
    doc = make_doc(["Het platform begint klein.", "Daarna groeit het in de regio."])
    [chunk] = Chunker().split(doc)
    assert (chunk.page_start, chunk.page_end) == (1, 2)
    assert chunk.text == "Het platform begint klein.\fDaarna groeit het in de regio."
    assert chunk.embed_text == "Het platform begint klein. Daarna groeit het in de regio."


def test_empty_pages_keep_page_numbers_right() -> None:
    doc = make_doc(["", "Tekst op pagina twee.", "", "", "En op pagina vijf."])
    [chunk] = Chunker(ChunkSettings(50, 0)).split(doc)
    assert (chunk.page_start, chunk.page_end, chunk.start, chunk.end) == (2, 5, 0, len("En op pagina vijf."))
    assert chunk.text == "Tekst op pagina twee.\f\f\fEn op pagina vijf."
    [first, second] = Chunker(ChunkSettings(50, 0)).split(make_doc(["", "a " * 20 + "b.", "", "Pagina vier."]))
    assert (first.page_start, first.page_end, second.page_start, second.page_end) == (2, 2, 4, 4)


def test_text_that_repeats_the_previous_chunk_points_at_its_own_page() -> None:
    # Page 2 repeats the last word of page 1. The splitter's own start_index finds the copy
    # on page 1 (inside the previous chunk), which put page 2's chunk on page 1.
    doc = make_doc(["Tabel 1 toont het aantal praktijken per regio. Bron: Nivel.", "Nivel."])
    chunks = Chunker(ChunkSettings(60, 10)).split(doc)
    check_provenance(doc, chunks, 60)
    assert [(c.page_start, c.page_end, c.start, c.end) for c in chunks] == [(1, 1, 0, 59), (2, 2, 0, 6)]


def test_running_headers_keep_their_pages() -> None:
    header = "IZA Mid-term review 2024."
    doc = make_doc([f"{header} Pagina {n} gaat over zorg." for n in range(1, 6)])
    chunks = Chunker(ChunkSettings(60, 10)).split(doc)
    check_provenance(doc, chunks, 60)
    assert sorted({c.page_start for c in chunks if c.text.startswith(header)}) == [1, 2, 3, 4, 5]


def test_a_phrase_repeated_right_after_a_chunk_is_not_skipped() -> None:
    doc = make_doc(["Zorg zorg. fysiotherapeutfysiotherapeutfysiotherapeut Zorg. Zorg."])
    chunks = Chunker(ChunkSettings(60, 10)).split(doc)
    check_provenance(doc, chunks, 60)
    assert span(doc, chunks[-1])[1] == len(doc.text)


def test_ids_are_stable_and_depend_on_content() -> None:
    pages = [" ".join(["De regio werkt samen aan paramedische zorg."] * 30), "Tweede pagina."]
    chunker = Chunker(ChunkSettings(200, 50))
    first = chunker.split(make_doc(pages))
    assert [c.id for c in first] == [c.id for c in Chunker(ChunkSettings(200, 50)).split(make_doc(pages))]
    assert all(len(c.id) == 20 and int(c.id, 16) >= 0 for c in first)
    # the same text in another version of the document (another hash) gets another id
    other = chunker.split(make_doc([pages[0], "Tweede pagina!"]))
    assert first[0].text == other[0].text
    assert not {c.id for c in first} & {c.id for c in other}


def test_document_without_text_has_no_chunks() -> None:
    assert Chunker().split(make_doc(["", " ", ""])) == []


# properties --------------------------------------------------------------------------------
WORD = st.sampled_from(WORDS)
SENTENCE = st.builds(lambda words, end: " ".join(words).capitalize() + end,
                     st.lists(WORD, min_size=1, max_size=25), st.sampled_from([".", "!", "?", ":", ";", ",", ""]))
REPEATED = st.builds(lambda s, n: " ".join([s] * n), SENTENCE, st.integers(1, 12))
LONG_WORD = st.builds(lambda w, n: w * n, WORD, st.integers(5, 30))
PIECE = st.one_of(SENTENCE, SENTENCE, REPEATED, LONG_WORD)
PAGE = st.builds(lambda pieces, sep: sep.join(pieces), st.lists(PIECE, max_size=8), st.sampled_from([" ", "\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PAGE, min_size=1, max_size=5), st.sampled_from(SETTINGS))
def test_chunks_keep_provenance_and_lose_no_text(pages: list[str], chunk_settings: ChunkSettings) -> None:
    doc = make_doc(pages)
    chunks = Chunker(chunk_settings).split(doc)
    check_provenance(doc, chunks, chunk_settings.size)
    assert [c.id for c in Chunker(chunk_settings).split(doc)] == [c.id for c in chunks]
    if doc.text.strip():
        assert chunks

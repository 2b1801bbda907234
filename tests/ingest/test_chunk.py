"""ingest/chunk.py: a Document → chunks packed from whole sentences, keeping their provenance (pages, offsets)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beleidsbron.ingest.chunk import Chunker, ChunkSettings, Split, pack
from beleidsbron.ingest.records import PAGE_BREAK, Chunk, Document, Page, Source
from beleidsbron.ingest.sentences import page_sentences

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


def check_provenance(doc: Document, split: Split, size: int, overlap: int) -> None:
    """Offsets slice the text; each chunk is exactly its sentences; overlaps are whole sentences, within
    `overlap`; no text is lost."""
    text, covered, chunks, previous = doc.text, 0, split.chunks, None
    assert split.sentences == page_sentences(doc, max_chars=size)
    for chunk, (lo, hi) in zip(chunks, split.ranges, strict=True):
        first, last = split.sentences[lo], split.sentences[hi - 1]
        assert lo < hi and (chunk.page_start, chunk.start, chunk.page_end, chunk.end) == (
            first.page, first.start, last.page, last.end)
        if previous is not None:
            assert previous[0] < lo <= previous[1] and previous[1] < hi, "runs move on, overlapping whole sentences"
        assert chunk.doc == doc.file and chunk.doc_sha256 == doc.sha256
        assert len(chunk.text) <= size
        if chunk.page_start == chunk.page_end:
            assert doc.pages[chunk.page_start - 1].text[chunk.start:chunk.end] == chunk.text
        else:
            assert PAGE_BREAK in chunk.text
        begin, end = span(doc, chunk)
        assert text[begin:end] == chunk.text
        assert covered - begin <= overlap, "chunks overlap by more than the stated overlap"
        assert not text[covered:begin].strip(), f"text lost before chunk: {text[covered:begin]!r}"
        covered, previous = max(covered, end), (lo, hi)
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
    [chunk] = Chunker().split(doc).chunks
    assert (chunk.text, chunk.page_start, chunk.page_end, chunk.start, chunk.end) == (
        doc.pages[0].text, 1, 1, 0, len(doc.pages[0].text))


def test_chunks_end_at_sentence_ends_when_they_can() -> None:
    sentences = [f"Zin {i} gaat over de paramedische zorg in de regio." for i in range(20)]
    split = Chunker(ChunkSettings(200, 50)).split(make_doc([" ".join(sentences)]))
    assert len(split.chunks) > 3
    assert all(c.text.startswith("Zin ") and c.text.endswith(".") for c in split.chunks)
    # each sentence has 49 or 50 characters: the next chunk starts with the last sentence of this one
    assert all(after[0] == before[1] - 1 for before, after in zip(split.ranges, split.ranges[1:]))


def test_a_passage_may_run_on_over_a_page_break() -> None:
    doc = make_doc(["Het platform begint klein.", "Daarna groeit het in de regio."])
    [chunk] = Chunker().split(doc).chunks
    assert (chunk.page_start, chunk.page_end) == (1, 2)
    assert chunk.text == "Het platform begint klein.\fDaarna groeit het in de regio."
    assert chunk.embed_text == "Het platform begint klein. Daarna groeit het in de regio."


def test_empty_pages_keep_page_numbers_right() -> None:
    doc = make_doc(["", "Tekst op pagina twee.", "", "", "En op pagina vijf."])
    [chunk] = Chunker(ChunkSettings(50, 0)).split(doc).chunks
    assert (chunk.page_start, chunk.page_end, chunk.start, chunk.end) == (2, 5, 0, len("En op pagina vijf."))
    assert chunk.text == "Tekst op pagina twee.\f\f\fEn op pagina vijf."
    [first, second] = Chunker(ChunkSettings(50, 0)).split(make_doc(["", "a " * 20 + "b.", "", "Pagina vier."])).chunks
    assert (first.page_start, first.page_end, second.page_start, second.page_end) == (2, 2, 4, 4)


def test_text_that_repeats_the_previous_chunk_points_at_its_own_page() -> None:
    # page 2 repeats the last word of page 1: a search for the chunk's text would find page 1
    doc = make_doc(["Tabel 1 toont het aantal praktijken per regio. Bron: Nivel.", "Nivel."])
    split = Chunker(ChunkSettings(60, 10)).split(doc)
    check_provenance(doc, split, 60, 10)
    assert [(c.page_start, c.page_end, c.start, c.end) for c in split.chunks] == [(1, 1, 0, 59), (2, 2, 0, 6)]


def test_running_headers_keep_their_pages() -> None:
    header = "IZA Mid-term review 2024."
    doc = make_doc([f"{header} Pagina {n} gaat over zorg." for n in range(1, 6)])
    split = Chunker(ChunkSettings(60, 10)).split(doc)
    check_provenance(doc, split, 60, 10)
    assert sorted({c.page_start for c in split.chunks if c.text.startswith(header)}) == [1, 2, 3, 4, 5]


def test_a_phrase_repeated_right_after_a_chunk_is_not_skipped() -> None:
    doc = make_doc(["Zorg zorg. fysiotherapeutfysiotherapeutfysiotherapeut Zorg. Zorg."])
    split = Chunker(ChunkSettings(60, 10)).split(doc)
    check_provenance(doc, split, 60, 10)
    assert span(doc, split.chunks[-1])[1] == len(doc.text)


def test_a_sentence_longer_than_a_chunk_is_cut_at_white_space_into_sentences_of_its_own() -> None:
    long = " ".join(["paramedische"] * 30) + "."  # 389 characters, no sentence end inside
    doc = make_doc([f"Kort vooraf. {long} Kort erna."])
    split = Chunker(ChunkSettings(100, 20)).split(doc)
    check_provenance(doc, split, 100, 20)
    assert all(len(s.text) <= 100 and s.text.split(" ")[0] in {"Kort", "paramedische"} for s in split.sentences)
    assert "".join(s.text.replace(" ", "") for s in split.sentences) == doc.text.replace(" ", "")


def test_pack_fills_runs_up_to_the_size_and_overlaps_by_whole_spans() -> None:
    spans = [(0, 10), (11, 20), (21, 30), (31, 40), (41, 50)]
    assert pack(spans, 30, 0) == [(0, 3), (3, 5)]
    assert pack(spans, 30, 10) == [(0, 3), (2, 5)]  # the last span of a run opens the next
    assert pack(spans, 30, 20) == [(0, 3), (1, 4), (2, 5)]
    assert pack(spans, 100, 20) == [(0, 5)] and pack([], 100, 20) == []


def test_pack_drops_an_overlap_that_leaves_no_room_for_a_new_span() -> None:
    # (12, 20) fits in the overlap, but a run from it could not take (21, 59): it would repeat the run before
    assert pack([(0, 10), (12, 20), (21, 59)], 40, 10) == [(0, 2), (2, 3)]


def test_ids_are_stable_and_depend_on_content() -> None:
    pages = [" ".join(["De regio werkt samen aan paramedische zorg."] * 30), "Tweede pagina."]
    chunker = Chunker(ChunkSettings(200, 50))
    first = chunker.split(make_doc(pages)).chunks
    assert [c.id for c in first] == [c.id for c in Chunker(ChunkSettings(200, 50)).split(make_doc(pages)).chunks]
    assert all(len(c.id) == 20 and int(c.id, 16) >= 0 for c in first)
    # the same text in another version of the document (another hash) gets another id
    other = chunker.split(make_doc([pages[0], "Tweede pagina!"])).chunks
    assert first[0].text == other[0].text
    assert not {c.id for c in first} & {c.id for c in other}


def test_document_without_text_has_no_chunks() -> None:
    assert Chunker().split(make_doc(["", " ", ""])) == Split([], [], [])


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
    split = Chunker(chunk_settings).split(doc)
    check_provenance(doc, split, chunk_settings.size, chunk_settings.overlap)
    assert Chunker(chunk_settings).split(doc) == split
    if doc.text.strip():
        assert split.chunks

"""Properties over any text, including the odd characters real PDFs extract: cleaning yields a
valid page, every offset slices the text it names, no text is lost between a page and its chunks
apart from the stated overlap, and a quote is always a substring of its page, end to end."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import DataHome
from beleidsbron.index.quotes import MAX_SENTENCES, make_quote, quote_window
from beleidsbron.index.search import Searcher
from beleidsbron.ingest.chunk import Chunker, ChunkSettings
from beleidsbron.ingest.clean import clean_page, vocabulary
from beleidsbron.ingest.records import PAGE_BREAK, Document, Page, Sentence, Source
from beleidsbron.ingest.sentences import sentence_spans

from fakes import FakeEmbedder, make_pdf
from robust_support import MODES, NO_FLAG

# Text as PDFs give it: words, numbers, punctuation, abbreviations, and every kind of odd character.
WORDS = ["zorg", "Huisarts", "de", "IZA-partijen", "o.a.", "bijv.", "1.", "2024", "€", "J.", "Jansen", "zee-",
         "egel", "wijk-", "verpleging", "(VWS)", "“citaat”", "!", "?", "…", "•", "-", ";", ":", ",", "."]
ODD = st.sampled_from(list("\n\n\n\t\r\f\v\u00a0\u2003\u2028\u2029\u00ad\ufffd\ue000\U000f0000\x00\x07\x1b"
                           "ﬁﬂ\u0301\u200b\u200e\u202e\ud800\udcff🏥ё中ا"))
TOKEN = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), ODD, st.text(max_size=4))
RAW_PAGE = st.lists(TOKEN, max_size=120).map(lambda tokens: " ".join(tokens))
SETTINGS = st.sampled_from([ChunkSettings(50, 0), ChunkSettings(80, 20), ChunkSettings(200, 60), ChunkSettings()])


def document(raw_pages: list[str]) -> Document:
    """What ingest/pdf.py makes of the pages' extracted text."""
    vocab = vocabulary(raw_pages)
    pages = tuple(Page(number, clean_page(raw, vocab)) for number, raw in enumerate(raw_pages, start=1))
    return Document(Source("nota.pdf", "Nota"), hashlib.sha256(repr(raw_pages).encode()).hexdigest(), pages)


# cleaning ----------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_cleans_to_a_valid_page(raw: str) -> None:
    cleaned = clean_page(raw, vocabulary([raw]))
    Page(1, cleaned)  # no form feed, so the page separator stays unambiguous
    assert cleaned == cleaned.strip()
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in cleaned), "a lone surrogate cannot be stored or embedded"
    assert not any(0xE000 <= ord(ch) <= 0xF8FF or ch in "\x00\ufffd\u00ad" for ch in cleaned)
    cleaned.encode("utf-8")  # storable in SQLite and JSON


# sentences ---------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(RAW_PAGE)
def test_sentence_spans_slice_the_text_and_cover_every_visible_character(raw: str) -> None:
    text = clean_page(raw)
    spans = sentence_spans(text)
    covered = np.zeros(len(text), dtype=bool)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip() != ""
        covered[start:end] = True
        previous_end = end
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(text)), "a character outside every sentence"


# chunks ------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(RAW_PAGE, min_size=1, max_size=4), SETTINGS)
def test_chunks_slice_their_pages_and_lose_nothing_but_the_stated_overlap(raw_pages: list[str],
                                                                        chunk_settings: ChunkSettings) -> None:
    doc = document(raw_pages)
    chunks = Chunker(chunk_settings).split(doc).chunks
    text, starts = doc.text, doc.page_starts
    covered = 0
    for chunk in chunks:
        begin = starts[chunk.page_start - 1] + chunk.start
        end = starts[chunk.page_end - 1] + chunk.end
        assert text[begin:end] == chunk.text and len(chunk.text) <= chunk_settings.size
        if chunk.page_start == chunk.page_end:
            assert doc.pages[chunk.page_start - 1].text[chunk.start:chunk.end] == chunk.text
        else:
            assert chunk.text.count(PAGE_BREAK) >= chunk.page_end - chunk.page_start
        assert covered - begin <= chunk_settings.overlap, "chunks overlap by more than the stated overlap"
        assert not text[covered:begin].strip(), f"text lost between chunks: {text[covered:begin]!r}"
        covered = max(covered, end)
    assert not text[covered:].strip(), "text lost after the last chunk"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(RAW_PAGE, min_size=1, max_size=3), SETTINGS)
def test_every_chunk_has_sentences_and_each_sentence_slices_its_page(raw_pages: list[str],
                                                                    chunk_settings: ChunkSettings) -> None:
    doc = document(raw_pages)
    split = Chunker(chunk_settings).split(doc)
    for sentence in split.sentences:
        assert doc.pages[sentence.page - 1].text[sentence.start:sentence.end] == sentence.text
    for _chunk, (lo, hi) in zip(split.chunks, split.ranges, strict=True):
        assert lo < hi, "a passage without sentences cannot be quoted"


# quotes ------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(RAW_PAGE, st.data())
def test_a_quote_is_a_substring_of_its_page(raw: str, data: st.DataObject) -> None:
    page_text = clean_page(raw)
    spans = sentence_spans(page_text)
    assume(spans)
    lo = data.draw(st.integers(0, len(spans) - 1))
    hi = data.draw(st.integers(lo + 1, len(spans)))
    sentences = [Sentence("nota.pdf", 1, a, b, page_text[a:b]) for a, b in spans[lo:hi]]
    scores = np.array(data.draw(st.lists(st.floats(-1, 1), min_size=len(sentences), max_size=len(sentences))))
    first, last = quote_window(sentences, scores)
    assert 0 <= first <= int(np.argmax(scores)) < last <= len(sentences) and last - first <= MAX_SENTENCES
    quote = make_quote(page_text, sentences[first:last])
    assert page_text[quote.start:quote.end] == quote.text
    assert sentences[int(np.argmax(scores))].text in quote.text


# end to end: PDFs → index → hits ----------------------------------------------------------
PDF_WORDS = ["zorg", "huisarts", "wijk", "ouderen", "thuiszorg", "platform", "akkoord", "de", "het", "een", "in",
             "van", "o.a.", "Limburg", "IZA", "2024", "mondzorg", "apotheker", "regio", "passende"]
PDF_SENTENCE = st.lists(st.sampled_from(PDF_WORDS), min_size=1, max_size=14).map(
    lambda words: " ".join(words).capitalize() + ".")
PDF_PAGE = st.lists(PDF_SENTENCE, min_size=0, max_size=6).map("\n".join)
PDF_DOC = st.lists(PDF_PAGE, min_size=1, max_size=3).filter(lambda pages: any(p.strip() for p in pages))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(st.lists(PDF_DOC, min_size=1, max_size=3),
       st.lists(st.lists(st.sampled_from(PDF_WORDS), min_size=1, max_size=6).map(" ".join), min_size=1, max_size=3))
def test_every_hit_quotes_its_page_verbatim(tmp_path: Path, corpus: list[list[str]], queries: list[str]) -> None:
    run = tmp_path / hashlib.sha256(repr((corpus, queries)).encode()).hexdigest()[:12]
    folder = run / "docs"
    folder.mkdir(parents=True)
    for number, pages in enumerate(corpus):
        (folder / f"doc-{number}.pdf").write_bytes(make_pdf([f"Document {number}.\n{page}" for page in pages]))
    home = DataHome(run / "home")
    report = Ingestor(home, FakeEmbedder(), ChunkSettings(120, 30)).run([folder])
    assert report.failures == []
    searcher = Searcher.open(home, FakeEmbedder(), NO_FLAG)
    for query in queries:
        for mode in MODES:
            for hit in searcher.search(query, k=5, mode=mode).hits:
                page = searcher.store.page_text(hit.doc, hit.quote.page)
                assert page[hit.quote.start:hit.quote.end] == hit.quote.text
                assert hit.chunk.page_start <= hit.quote.page <= hit.chunk.page_end
                if hit.chunk.page_start == hit.chunk.page_end:
                    assert searcher.store.page_text(hit.doc, hit.chunk.page_start)[
                        hit.chunk.start:hit.chunk.end] == hit.chunk.text

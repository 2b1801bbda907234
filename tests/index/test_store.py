"""index/store.py: documents, pages, chunks and sentences in one SQLite file."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from beleidsbron.index.store import STORE_FILE, ChunkStore
from beleidsbron.ingest.chunk import Chunker, ChunkSettings
from beleidsbron.ingest.records import Document, Page, Source
from beleidsbron.ingest.sentences import page_sentences


def make_doc(file: str, pages: list[str], **source) -> Document:
    sha = hashlib.sha256((file + "".join(pages)).encode()).hexdigest()
    numbered = tuple(Page(i, text, has_text_layer=bool(text)) for i, text in enumerate(pages, start=1))
    return Document(Source(file, source.pop("title", file), **source), sha, numbered)


DOCS = [
    make_doc("a.pdf", [" ".join(f"Zin {i} over de huisarts in de regio." for i in range(12)), "",
                       "Laatste pagina. Met twee zinnen."], title="Nota A", publisher="VWS", year=2024, kind="nota"),
    make_doc("b.pdf", ["Paramedische zorg in Zuid-Nederland.\nDe fysiotherapeut werkt mee."]),
]


def fill(directory: Path, docs: list[Document] = DOCS) -> dict[str, list]:
    store = ChunkStore.create(directory)
    chunks = {}
    for doc in docs:
        split = Chunker(ChunkSettings(120, 30)).split(doc)
        store.add(doc, split.chunks, split.sentences, split.ranges)
        chunks[doc.file] = split.chunks
    store.close()
    return chunks


@pytest.fixture
def stored(tmp_path: Path) -> tuple[ChunkStore, dict[str, list]]:
    chunks = fill(tmp_path)
    store = ChunkStore.open(tmp_path)
    yield store, chunks
    store.close()


def test_documents_round_trip(stored) -> None:
    store, _ = stored
    for doc in DOCS:
        back = store.document(doc.file)
        assert back == doc
        assert back.text == doc.text and back.empty_pages == doc.empty_pages
    assert store.sources() == {d.file: d.source for d in DOCS}


def test_chunks_round_trip_in_row_order(stored) -> None:
    store, chunks = stored
    everything = chunks["a.pdf"] + chunks["b.pdf"]
    assert store.count() == len(everything) > 2
    assert [c for _, c in store.iter_chunks()] == everything
    assert [row for row, _ in store.iter_chunks()] == list(range(len(everything)))
    assert [c for _, c in store.iter_chunks("b.pdf")] == chunks["b.pdf"]
    assert [r for r, _ in store.iter_chunks("b.pdf")] == list(range(len(chunks["a.pdf"]), len(everything)))
    assert store.chunk_docs() == [c.doc for c in everything]


def test_chunks_by_row_come_in_the_order_asked(stored) -> None:
    store, chunks = stored
    everything = chunks["a.pdf"] + chunks["b.pdf"]
    rows = [len(everything) - 1, 0, 2]
    assert store.chunks(rows) == [everything[r] for r in rows]
    assert store.chunks([]) == []


def test_page_text_and_chunk_offsets_agree(stored) -> None:
    store, _ = stored
    for _, chunk in store.iter_chunks():
        if chunk.page_start == chunk.page_end:
            assert store.page_text(chunk.doc, chunk.page_start)[chunk.start:chunk.end] == chunk.text
    assert store.page_text("a.pdf", 2) == ""
    with pytest.raises(KeyError):
        store.page_text("a.pdf", 9)


def test_sentences_round_trip_with_each_chunks_range(stored) -> None:
    store, chunks = stored
    ranges = store.sentence_ranges()
    assert ranges.shape == (store.count(), 2)
    assert store.sentence_count() == sum(len(page_sentences(d)) for d in DOCS)
    for (_row, chunk), (lo, hi) in zip(store.iter_chunks(), ranges.tolist()):
        sentences = store.sentences(lo, hi)
        assert sentences and all(s.doc == chunk.doc for s in sentences)
        for s in sentences:
            assert store.page_text(s.doc, s.page)[s.start:s.end] == s.text
    # the second document's sentence rows continue after the first's
    b_rows = [row for row, _ in store.iter_sentences("b.pdf")]
    assert b_rows[0] == len(page_sentences(DOCS[0]))
    assert [s for _, s in store.iter_sentences("b.pdf")] == page_sentences(DOCS[1])


def test_a_documents_chunk_ranges_count_from_its_own_first_sentence(tmp_path: Path) -> None:
    store = ChunkStore.create(tmp_path)
    splits = [Chunker(ChunkSettings(120, 30)).split(doc) for doc in DOCS]
    for doc, split in zip(DOCS, splits):
        store.add(doc, split.chunks, split.sentences, split.ranges)
    assert [store.chunk_ranges(doc.file) for doc in DOCS] == [split.ranges for split in splits]
    assert store.chunk_ranges("missing.pdf") == []


def test_unknown_document(stored) -> None:
    store, _ = stored
    with pytest.raises(KeyError):
        store.document("weg.pdf")


def test_the_store_opens_read_only(stored) -> None:
    store, _ = stored
    with pytest.raises(sqlite3.OperationalError):
        store._conn.execute("DELETE FROM chunks")


def test_open_without_a_store_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ChunkStore.open(tmp_path)


def test_open_refuses_another_schema_version(tmp_path: Path) -> None:
    fill(tmp_path)
    with sqlite3.connect(tmp_path / STORE_FILE) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(ValueError, match="store schema 99, expected"):
        ChunkStore.open(tmp_path)


def test_a_document_is_stored_once(tmp_path: Path) -> None:
    fill(tmp_path)
    store = ChunkStore.create(tmp_path)  # an existing store: no migration runs twice
    with pytest.raises(sqlite3.IntegrityError):
        store.add(DOCS[1], [], [], [])
    store.close()

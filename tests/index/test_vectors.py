"""index/vectors.py (the FAISS wrapper: exact or HNSW by size), and index/search.py's Searcher on top of it.

The Searcher tests belong in tests/index/test_search.py; they live here until that file exists.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from beleidsbron.index import vectors as vectors_module
from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import Manifest, UnusableIndexError
from beleidsbron.index.search import MAX_QUERY_CHARS, Filters, Searcher
from beleidsbron.index.vectors import (
    EXACT,
    EXACT_MAX,
    FAISS_FILE,
    HNSW,
    KINDS,
    VECTORS_NPY,
    NpyRows,
    VectorIndex,
    choose_kind,
    kind_of,
)


def unit_rows(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


# VectorIndex -------------------------------------------------------------------------------
def test_search_returns_best_first() -> None:
    vectors = unit_rows(20)
    index = VectorIndex.build(vectors)
    assert (len(index), index.dimension, index.kind) == (20, 8, EXACT)
    scores, rows = index.search(vectors[7], k=5)
    assert scores.shape == rows.shape == (1, 5)
    assert rows[0, 0] == 7 and scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    assert list(scores[0]) == sorted(scores[0], reverse=True)
    expected = np.argsort(-(vectors @ vectors[7]), kind="stable")[:5]
    assert set(rows[0]) == set(expected)


def test_search_many_queries_and_k_beyond_the_index() -> None:
    vectors = unit_rows(3)
    scores, rows = VectorIndex.build(vectors).search(vectors[[2, 0]], k=10)
    assert rows.shape == (2, 3)
    assert rows[0, 0] == 2 and rows[1, 0] == 0
    assert sorted(rows[0]) == [0, 1, 2]


def test_empty_index_finds_nothing() -> None:
    scores, rows = VectorIndex.build(np.zeros((0, 8), np.float32)).search(unit_rows(1)[0], k=5)
    assert scores.shape == rows.shape == (1, 0)


def test_build_refuses_a_flat_array() -> None:
    with pytest.raises(ValueError, match="2-d array"):
        VectorIndex.build(np.ones(8, np.float32))


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    vectors = unit_rows(12)
    original = VectorIndex.build(vectors)
    original.save(tmp_path)
    loaded = VectorIndex.load(tmp_path)
    assert np.array_equal(np.asarray(loaded.vectors), vectors)
    assert (len(loaded), loaded.dimension) == (12, 8)
    for query in vectors[:3]:
        assert np.array_equal(loaded.search(query, 4)[1], original.search(query, 4)[1])
    assert np.load(tmp_path / VECTORS_NPY, allow_pickle=False).dtype == np.float32


def test_load_refuses_files_that_disagree(tmp_path: Path) -> None:
    VectorIndex.build(unit_rows(12)).save(tmp_path)
    np.save(tmp_path / VECTORS_NPY, unit_rows(5), allow_pickle=False)
    with pytest.raises(ValueError, match=f"{FAISS_FILE} holds 12 vectors, {VECTORS_NPY} holds 5"):
        VectorIndex.load(tmp_path)


def test_load_without_files(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        VectorIndex.load(tmp_path)


# Searcher over a tiny ingested corpus ------------------------------------------------------
@pytest.fixture
def searcher(tiny_corpus: Path, data_home: DataHome, fake_embedder) -> Searcher:
    assert Ingestor(data_home, fake_embedder).run([tiny_corpus]).ok
    return Searcher.open(data_home, fake_embedder)


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid", "rerank"])
@pytest.mark.parametrize(("query", "doc", "page"), [
    ("thuiszorg voor ouderen in Limburg", "huisartsen.pdf", 2),
    ("voortgang van het akkoord mid-term review", "iza.pdf", 3),
    ("paramedisch platform fysiotherapeuten", "fysio.pdf", 1),
])
def test_finds_the_page_that_shares_the_words(searcher: Searcher, mode: str, query: str, doc: str,
                                              page: int) -> None:
    result = searcher.search(query, k=3, mode=mode)
    best = result.hits[0]
    assert (best.doc, best.page) == (doc, page)
    assert best.quote.text in searcher.store.page_text(doc, page)
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)


def test_k_is_respected(searcher: Searcher) -> None:
    assert len(searcher.search("zorg in de wijk", k=1, mode="semantic").hits) == 1
    assert len(searcher.search("zorg in de wijk", k=50, mode="semantic").hits) <= searcher.store.count()
    with pytest.raises(ValueError, match="k must be at least 1"):
        searcher.search("zorg", k=0)


def test_filter_by_document(searcher: Searcher) -> None:
    only = Filters(docs=frozenset({"fysio.pdf"}))
    result = searcher.search("thuiszorg voor ouderen", k=5, mode="semantic", filters=only)
    assert result.hits and {h.doc for h in result.hits} == {"fysio.pdf"}


@pytest.mark.parametrize("query", ["", "   ", "\n\t", "?!"])
def test_empty_query_finds_nothing_and_does_not_raise(searcher: Searcher, fake_embedder, query: str) -> None:
    before = len(fake_embedder.calls)
    result = searcher.search(query)
    assert result.hits == () and result.query == query
    assert len(fake_embedder.calls) == before  # nothing embedded


def test_a_very_long_query_is_shortened_with_a_note(searcher: Searcher, fake_embedder) -> None:
    query = ("thuiszorg voor ouderen " * 500)[:10_000]
    result = searcher.search(query, k=2, mode="semantic")
    assert result.note == f"query shortened to {MAX_QUERY_CHARS} characters"
    assert result.hits and result.hits[0].doc == "huisartsen.pdf"
    assert all(len(texts[0]) <= MAX_QUERY_CHARS for kind, texts in fake_embedder.calls if kind == "query")


def test_unknown_mode_is_refused(searcher: Searcher) -> None:
    with pytest.raises(ValueError, match="mode must be one of keyword, semantic, hybrid, rerank"):
        searcher.search("zorg", mode="fuzzy")


def test_open_without_an_index(data_home: DataHome, fake_embedder) -> None:
    with pytest.raises(UnusableIndexError, match=r"no index in .*; build it with: beleidsbron ingest$"):
        Searcher.open(data_home, fake_embedder)


def test_open_refuses_an_index_of_another_model(searcher: Searcher, data_home: DataHome, fake_embedder) -> None:
    fake_embedder.model_id = "ander-model"
    with pytest.raises(UnusableIndexError, match="built with model 'fake-embedder', not 'ander-model'"):
        Searcher.open(data_home, fake_embedder)


def test_open_refuses_a_damaged_index(searcher: Searcher, data_home: DataHome, fake_embedder) -> None:
    (data_home.current() / FAISS_FILE).unlink()
    with pytest.raises(UnusableIndexError, match="damaged index.*beleidsbron ingest --rebuild"):
        Searcher.open(data_home, fake_embedder)


# Index kind by size: exact below the threshold, HNSW above -----------------------------------


def clustered_rows(n: int, dim: int = 32, clusters: int = 20, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    rows = centres[rng.integers(0, clusters, n)] + 0.5 * rng.normal(size=(n, dim))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_choose_kind_by_size() -> None:
    assert choose_kind(0) == choose_kind(EXACT_MAX) == EXACT
    assert choose_kind(EXACT_MAX + 1) == HNSW == "hnsw32-sq8-ip"
    assert choose_kind(11, exact_max=10) == HNSW and choose_kind(10, exact_max=10) == EXACT
    with pytest.raises(ValueError, match="at least 0"):
        choose_kind(-1)


def test_build_chooses_the_kind_by_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors_module, "EXACT_MAX", 30)
    assert VectorIndex.build(unit_rows(30)).kind == EXACT
    assert VectorIndex.build(unit_rows(31)).kind == HNSW


def test_build_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="vector index kind must be one of flat-ip, hnsw32-sq8-ip, got 'ivf'"):
        VectorIndex.build(unit_rows(5), kind="ivf")


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_saves_and_loads(tmp_path: Path, kind: str) -> None:
    vectors = clustered_rows(300)
    original = VectorIndex.build(vectors, kind)
    original.save(tmp_path)
    for loaded in (VectorIndex.load(tmp_path, kind), VectorIndex.load(tmp_path)):  # named, or found from the file
        assert (loaded.kind, len(loaded), loaded.dimension) == (kind, 300, 32)
        assert np.array_equal(np.asarray(loaded.vectors), vectors)
        for query in vectors[:5]:
            assert np.array_equal(loaded.search(query, 10)[1], original.search(query, 10)[1])


def test_load_refuses_a_file_of_another_kind(tmp_path: Path) -> None:
    VectorIndex.build(unit_rows(40), HNSW).save(tmp_path)
    with pytest.raises(ValueError, match=f"{FAISS_FILE} holds a {HNSW} index, the manifest says {EXACT}"):
        VectorIndex.load(tmp_path, EXACT)
    with pytest.raises(ValueError, match="must be one of"):
        VectorIndex.load(tmp_path, "hnsw16-ip")


def test_hnsw_finds_nearly_what_the_exact_scan_finds_with_exact_scores() -> None:
    vectors, queries = clustered_rows(3000), clustered_rows(50, seed=1)
    _, exact = VectorIndex.build(vectors, EXACT).search(queries, 10)
    scores, approx = VectorIndex.build(vectors, HNSW).search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, approx)])
    assert recall >= 0.9
    assert np.allclose(scores, np.einsum("qd,qkd->qk", queries, vectors[approx]), atol=1e-5)  # refined: exact
    assert (np.diff(scores, axis=1) <= 0).all()
    assert kind_of(VectorIndex.build(vectors[:10], HNSW)._index) == HNSW


def test_an_empty_hnsw_index_finds_nothing() -> None:
    index = VectorIndex.build(np.zeros((0, 8), np.float32), HNSW)
    assert len(index) == 0 and index.search(unit_rows(1)[0], 3)[1].shape == (1, 0)


def test_hnsw_with_fewer_rows_than_k() -> None:
    vectors = unit_rows(6)
    scores, rows = VectorIndex.build(vectors, HNSW).search(vectors[2], 10)
    assert rows.shape == (1, 6) and rows[0, 0] == 2 and sorted(rows[0]) == list(range(6))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("exact_max", [EXACT_MAX, 5])  # allowed rows scored exactly, or a FAISS filter
def test_search_among_allowed_rows(monkeypatch: pytest.MonkeyPatch, kind: str, exact_max: int) -> None:
    monkeypatch.setattr(vectors_module, "EXACT_MAX", exact_max)
    vectors = clustered_rows(400)
    index = VectorIndex.build(vectors, kind)
    allowed = np.zeros(400, bool)
    allowed[::9] = True
    scores, rows = index.search(vectors[[3, 9]], 5, allowed=allowed)
    assert rows.shape == (2, 5) and allowed[rows].all()
    assert rows[1, 0] == 9 and scores[1, 0] == pytest.approx(1.0, abs=1e-5)
    expected = np.flatnonzero(allowed)[np.argsort(-(vectors[allowed] @ vectors[3]))[:5]]
    assert list(rows[0]) == list(expected)
    assert list(scores[0]) == sorted(scores[0], reverse=True)


def test_search_among_few_allowed_rows_pads_with_minus_one() -> None:
    index = VectorIndex.build(unit_rows(20))
    allowed = np.zeros(20, bool)
    allowed[[4, 11]] = True
    _, rows = index.search(unit_rows(1, seed=3), 5, allowed=allowed)
    assert sorted(rows[0][:2]) == [4, 11] and list(rows[0][2:]) == [-1, -1, -1]
    _, none = index.search(unit_rows(1), 3, allowed=np.zeros(20, bool))
    assert list(none[0]) == [-1, -1, -1]
    with pytest.raises(ValueError, match="mask of 20 rows"):
        index.search(unit_rows(1), 3, allowed=np.ones(7, bool))


def test_an_ingested_hnsw_index_is_recorded_and_searched(tiny_corpus: Path, data_home: DataHome, fake_embedder,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors_module, "EXACT_MAX", 2)
    assert Ingestor(data_home, fake_embedder).run([tiny_corpus]).ok
    assert Manifest.read(data_home.current()).vector_index == HNSW
    searcher = Searcher.open(data_home, fake_embedder)
    assert searcher.vectors.kind == HNSW
    best = searcher.search("paramedisch platform fysiotherapeuten", k=3, mode="semantic").hits[0]
    assert (best.doc, best.page) == ("fysio.pdf", 1)
    # re-ingestion reads the HNSW file back and embeds nothing again
    before = fake_embedder.passages_embedded
    assert Ingestor(data_home, fake_embedder).run([tiny_corpus], rebuild=False).embedded == 0
    assert fake_embedder.passages_embedded == before


# NpyRows: rows of a .npy read on demand ---------------------------------------------------------
@pytest.fixture
def npy(tmp_path: Path) -> tuple[Path, np.ndarray]:
    array = unit_rows(30, dim=6)
    np.save(tmp_path / "rows.npy", array, allow_pickle=False)
    return tmp_path / "rows.npy", array


def test_npy_rows_reads_what_np_load_reads(npy: tuple[Path, np.ndarray]) -> None:
    path, array = npy
    rows = NpyRows(path)
    assert (len(rows), rows.shape, rows.ndim, rows.dtype) == (30, (30, 6), 2, np.float32)
    assert np.array_equal(rows[4], array[4]) and np.array_equal(rows[-1], array[-1])
    assert np.array_equal(rows[3:9], array[3:9]) and rows[np.int64(5):np.int64(5)].shape == (0, 6)
    assert np.array_equal(rows[28:100], array[28:])
    assert np.array_equal(rows[np.array([7, 2, 7, 29])], array[[7, 2, 7, 29]])
    assert np.array_equal(rows[[]], np.zeros((0, 6), np.float32))
    assert np.array_equal(np.asarray(rows), array) and np.asarray(rows, dtype=np.float64).dtype == np.float64


def test_npy_rows_refuses_what_it_cannot_read(npy: tuple[Path, np.ndarray], tmp_path: Path) -> None:
    path, _ = npy
    rows = NpyRows(path)
    for key in (30, -31, [0, 30], np.array([-1])):
        with pytest.raises(IndexError):
            rows[key]
    with pytest.raises(IndexError, match="step 1"):
        rows[::2]
    np.save(tmp_path / "ints.npy", np.ones((3, 2), np.int64), allow_pickle=False)
    with pytest.raises(ValueError, match="not a 2-d float32 or int8 array"):
        NpyRows(tmp_path / "ints.npy")
    (tmp_path / "junk.npy").write_bytes(b"not numpy at all")
    with pytest.raises(ValueError):
        NpyRows(tmp_path / "junk.npy")
    data = path.read_bytes()
    (tmp_path / "cut.npy").write_bytes(data[: len(data) - 50])
    with pytest.raises(ValueError, match=f"{len(data) - 50} bytes, its header promises {len(data)}"):
        NpyRows(tmp_path / "cut.npy")
    os.truncate(path, len(data) - 50)  # a file cut short after it was opened
    assert rows[0].shape == (6,)
    with pytest.raises(ValueError, match="truncated"):
        rows[29]


def test_a_loaded_index_reads_vectors_on_demand(tmp_path: Path) -> None:
    vectors = clustered_rows(200)
    VectorIndex.build(vectors, HNSW).save(tmp_path)
    loaded = VectorIndex.load(tmp_path)
    assert isinstance(loaded.vectors, NpyRows)
    scores, rows = loaded.search(vectors[11], 5)
    assert rows[0, 0] == 11 and np.allclose(scores[0], vectors[rows[0]] @ vectors[11], atol=1e-5)
    again = tmp_path / "again"
    again.mkdir()
    loaded.save(again)  # writes back what it reads
    assert np.array_equal(np.load(again / VECTORS_NPY), vectors)

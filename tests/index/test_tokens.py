"""Token vectors and MaxSim: scores against a plain reference, files on disk, and what a broken set refuses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import beleidsbron.index.tokens as tokens_module
from beleidsbron.index.tokens import FILES, SCALE, TOKENS, TokenIndex, quantize
from beleidsbron.index.vectors import NpyRows
from beleidsbron.ingest.records import TokenVectors


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def tokens(ids: list[int], rng: np.random.Generator, dim: int = 16) -> TokenVectors:
    return TokenVectors(ids=np.array(ids, dtype=np.int32), vectors=unit(rng.standard_normal((len(ids), dim))))


@pytest.fixture
def passages() -> list[TokenVectors]:
    rng = np.random.default_rng(7)
    return [tokens([1, 2, 3], rng), tokens([2, 4], rng), tokens([], rng), tokens([5, 5, 1, 6], rng)]


def reference_maxsim(query: TokenVectors, passage: TokenVectors, df: dict[int, int], n: int) -> float:
    """Written out from the definition, over the int8-rounded passage vectors."""
    if not len(passage):
        return 0.0
    rounded = np.rint(passage.vectors * SCALE) / SCALE
    weights = [np.log((n + 1) / (df.get(t, 0) + 0.5)) for t in query.ids.tolist()]
    best = [max(float(q @ p) for p in rounded) for q in query.vectors]
    return sum(w * b for w, b in zip(weights, best)) / sum(weights)


def test_maxsim_matches_the_definition(passages: list[TokenVectors]) -> None:
    index = TokenIndex.build(passages)
    query = tokens([2, 9], np.random.default_rng(1))
    df = {1: 2, 2: 2, 3: 1, 4: 1, 5: 1, 6: 1}
    expected = [reference_maxsim(query, p, df, len(passages)) for p in passages]
    assert index.maxsim(query, np.array([0, 1, 2, 3])) == pytest.approx(expected, abs=1e-6)
    assert index.maxsim(query, np.array([3, 0])) == pytest.approx([expected[3], expected[0]], abs=1e-6)


@pytest.mark.parametrize("block_rows", [1, 2, 3, 5, 9, 100])
def test_maxsim_is_the_same_whatever_the_block_of_token_rows(passages: list[TokenVectors], block_rows: int) -> None:
    # blocks smaller than a passage, ending inside the empty one, holding all: each passage is scored whole
    index = TokenIndex.build(passages)
    query = tokens([2, 9, 5], np.random.default_rng(5))
    rows = np.array([3, 2, 0, 1, 3])
    df = {1: 2, 2: 2, 3: 1, 4: 1, 5: 1, 6: 1}
    expected = [reference_maxsim(query, passages[r], df, len(passages)) for r in rows.tolist()]
    assert index.maxsim(query, rows, block_rows=block_rows) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("first, last", [(0, 4), (1, 3), (2, 3), (2, 4), (3, 3)])
def test_maxsim_span_scores_neighbouring_rows_as_maxsim_does(passages: list[TokenVectors], first: int,
                                                             last: int) -> None:
    index = TokenIndex.build(passages)  # row 2 has no tokens: its score is 0 inside a span too
    query = tokens([2, 5, 9], np.random.default_rng(4))
    expected = index.maxsim(query, np.arange(first, last))
    assert index.maxsim_span(query, first, last) == pytest.approx(expected, abs=1e-9)


def test_maxsim_span_of_an_empty_query_scores_nothing(passages: list[TokenVectors]) -> None:
    empty = TokenVectors(ids=np.zeros(0, np.int32), vectors=np.zeros((0, 16), np.float32))
    assert TokenIndex.build(passages).maxsim_span(empty, 0, 4).tolist() == [0.0] * 4


def test_a_passage_holding_the_query_tokens_scores_one() -> None:
    rng = np.random.default_rng(3)
    passage = tokens([10, 11, 12], rng)
    other = tokens([13, 14], rng)
    index = TokenIndex.build([other, passage])
    query = TokenVectors(ids=passage.ids[:2], vectors=passage.vectors[:2])
    scores = index.maxsim(query, np.array([0, 1]))
    assert scores[1] == pytest.approx(1.0, abs=0.01) and scores[0] < scores[1]


def test_matched_share_weighs_the_query_tokens_that_find_a_close_token() -> None:
    rng = np.random.default_rng(8)
    passage, other = tokens([10, 11, 12], rng), tokens([13, 14], rng)
    index = TokenIndex.build([passage, other])
    far = unit(rng.standard_normal((1, 16)))
    while np.abs(np.vstack([passage.vectors, other.vectors]) @ far[0]).max() >= 0.6:  # match nothing
        far = unit(rng.standard_normal((1, 16)))
    query = TokenVectors(ids=np.array([10, 13, 99], np.int32),  # in the passage, in the other, in neither
                         vectors=np.vstack([passage.vectors[:1], other.vectors[:1], far]))
    weights = index.weights(query)
    assert index.matched_share(query, 0, at=0.6) == pytest.approx(weights[0] / weights.sum())
    assert index.matched_share(query, 1, at=0.6) == pytest.approx(weights[1] / weights.sum())
    assert index.matched_share(query, 0, at=-1.0) == pytest.approx(1.0)  # every cosine reaches -1


def test_matched_share_of_an_empty_query_or_passage_is_zero(passages: list[TokenVectors]) -> None:
    index = TokenIndex.build(passages)
    empty = TokenVectors(ids=np.zeros(0, np.int32), vectors=np.zeros((0, 16), np.float32))
    assert index.matched_share(empty, 0, at=0.6) == 0.0
    assert index.matched_share(tokens([1], np.random.default_rng(0)), 2, at=-1.0) == 0.0  # row 2 has no tokens


def test_rare_query_tokens_weigh_more(passages: list[TokenVectors]) -> None:
    index = TokenIndex.build(passages)
    weights = index.weights(TokenVectors(ids=np.array([2, 3, 99], np.int32), vectors=np.zeros((3, 16), np.float32)))
    assert weights[0] < weights[1] < weights[2]  # in two passages, in one, in none


def test_empty_query_or_rows_score_nothing(passages: list[TokenVectors]) -> None:
    index = TokenIndex.build(passages)
    empty = TokenVectors(ids=np.zeros(0, np.int32), vectors=np.zeros((0, 16), np.float32))
    assert index.maxsim(empty, np.array([0, 1])).tolist() == [0.0, 0.0]
    assert index.maxsim(tokens([1], np.random.default_rng(0)), np.zeros(0, np.int64)).shape == (0,)


def test_document_frequency_counts_passages_not_occurrences(passages: list[TokenVectors]) -> None:
    df = TokenIndex.build(passages).df
    assert df[5] == 1 and df[1] == 2 and df[2] == 2 and df[0] == 0


def test_save_and_load_keep_scores_and_passages(tmp_path: Path, passages: list[TokenVectors]) -> None:
    built = TokenIndex.build(passages)
    built.save(tmp_path)
    assert all((tmp_path / name).is_file() for name in FILES)
    loaded = TokenIndex.load(tmp_path)
    query = tokens([1, 4], np.random.default_rng(5))
    rows = np.arange(len(passages))
    assert np.array_equal(loaded.maxsim(query, rows), built.maxsim(query, rows))
    again = loaded.passage(3)
    assert again.ids.tolist() == [5, 5, 1, 6] and again.vectors.dtype == np.int8
    assert np.abs(again.vectors / SCALE - passages[3].vectors).max() <= 0.5 / SCALE + 1e-6
    assert np.array_equal(TokenIndex.build([again]).tokens, TokenIndex.build([passages[3]]).tokens)  # reuse is exact


def test_a_large_token_file_is_read_row_by_row(tmp_path: Path, passages: list[TokenVectors],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    TokenIndex.build(passages).save(tmp_path)
    monkeypatch.setattr(tokens_module, "IN_MEMORY_BYTES", 0)
    loaded = TokenIndex.load(tmp_path)
    assert isinstance(loaded.tokens, NpyRows)
    query = tokens([2], np.random.default_rng(2))
    assert loaded.maxsim(query, np.array([1, 3])) == pytest.approx(
        TokenIndex.build(passages).maxsim(query, np.array([1, 3])), abs=1e-6)


def test_quantize_rounds_unit_vectors_into_int8() -> None:
    q = quantize(np.array([[1.0, -1.0, 0.5, 0.0]], np.float32))
    assert q.dtype == np.int8 and q.tolist() == [[127, -127, 64, 0]]


@pytest.mark.parametrize("missing", FILES)
def test_load_refuses_a_missing_file(tmp_path: Path, passages: list[TokenVectors], missing: str) -> None:
    TokenIndex.build(passages).save(tmp_path)
    (tmp_path / missing).unlink()
    with pytest.raises(FileNotFoundError):
        TokenIndex.load(tmp_path)


def test_load_refuses_offsets_that_do_not_fit_the_rows(tmp_path: Path, passages: list[TokenVectors]) -> None:
    TokenIndex.build(passages).save(tmp_path)
    np.save(tmp_path / TOKENS, np.zeros((3, 16), np.int8), allow_pickle=False)
    with pytest.raises(ValueError, match="token"):
        TokenIndex.load(tmp_path)


def test_load_refuses_float_token_rows(tmp_path: Path, passages: list[TokenVectors]) -> None:
    index = TokenIndex.build(passages)
    index.save(tmp_path)
    np.save(tmp_path / TOKENS, np.zeros(np.asarray(index.tokens).shape, np.float32), allow_pickle=False)
    with pytest.raises(ValueError, match="int8"):
        TokenIndex.load(tmp_path)


def test_token_vectors_need_one_id_per_row() -> None:
    with pytest.raises(ValueError, match="one id per vector row"):
        TokenVectors(ids=np.array([1, 2], np.int32), vectors=np.zeros((3, 4), np.float32))


@pytest.mark.parametrize("name", ["token_offsets.npy", "token_df.npy", "token_ids.npy"])
def test_load_refuses_index_arrays_that_are_not_1d_integers(tmp_path: Path, passages: list[TokenVectors],
                                                            name: str) -> None:
    TokenIndex.build(passages).save(tmp_path)
    np.save(tmp_path / name, np.zeros((2, 2), np.float32), allow_pickle=False)
    with pytest.raises(ValueError, match="1-d integer"):
        TokenIndex.load(tmp_path)

"""index/ranking.py: pure functions over score arrays, tested on plain arrays."""

from __future__ import annotations

import numpy as np
import pytest

from beleidsbron.index.fusion import zscore
from beleidsbron.index.ranking import (
    Channels,
    RerankSignals,
    Tuning,
    best_first,
    best_of_each,
    first_stage,
    hybrid,
    pool,
    rerank,
    shortlist,
    spread,
    top_positive,
)


def test_top_positive_keeps_the_k_best_positive_rows() -> None:
    scores = np.array([0.0, 3.0, -1.0, 5.0, 1.0, 0.0])
    assert sorted(top_positive(scores, 2).tolist()) == [1, 3]
    assert sorted(top_positive(scores, 10).tolist()) == [1, 3, 4]  # zero and negative scores match nothing
    assert top_positive(np.zeros(0), 5).tolist() == []


def test_top_positive_agrees_with_a_full_sort_on_a_large_array() -> None:
    scores = np.random.default_rng(7).normal(size=10_000)
    expected = np.argsort(-scores)[:100]
    assert sorted(top_positive(scores, 100).tolist()) == sorted(expected[scores[expected] > 0].tolist())


def test_pool_takes_each_row_once_in_ascending_order() -> None:
    assert pool([np.array([5, 1]), np.array([1, 3])]).tolist() == [1, 3, 5]
    assert pool([]).tolist() == [] and pool([]).dtype == np.int64


def test_hybrid_drops_bm25_for_a_query_the_corpus_does_not_know() -> None:
    dense, lexical = np.array([0.2, 0.9, 0.5]), np.array([10.0, 0.0, 4.0])
    assert hybrid(dense, lexical, 0.0, 0.3).tolist() == pytest.approx([0.0, 1.0, 3 / 7])  # cosine alone
    known = hybrid(dense, lexical, 1.0, 0.3)  # min-max, 0.7 cosine + 0.3 BM25
    assert known.tolist() == pytest.approx([0.3, 0.7, 0.7 * 3 / 7 + 0.3 * 0.4])


@pytest.mark.parametrize("mode, expected", [("keyword", [3.0, 1.0]), ("semantic", [0.1, 0.8])])
def test_first_stage_of_a_single_channel_mode_is_that_channel(mode: str, expected: list[float]) -> None:
    channels = Channels(np.array([4, 9]), dense=np.array([0.1, 0.8]) if mode != "keyword" else None,
                        lexical=np.array([3.0, 1.0]) if mode != "semantic" else None)
    assert first_stage(channels, mode, 1.0, 0.3).tolist() == expected


def test_first_stage_in_hybrid_mode_combines_both_channels() -> None:
    channels = Channels(np.array([0, 1, 2]), dense=np.array([0.2, 0.9, 0.5]), lexical=np.array([10.0, 0.0, 4.0]))
    assert first_stage(channels, "hybrid", 0.5, 0.3).tolist() == hybrid(channels.dense, channels.lexical, 0.5,
                                                                         0.3).tolist()


def test_first_stage_of_no_candidates_is_empty_and_a_missing_channel_is_refused() -> None:
    assert first_stage(Channels(np.zeros(0, np.int64), dense=np.zeros(0)), "semantic", 0.0, 0.3).size == 0
    with pytest.raises(ValueError, match="needs the lexical channel"):
        first_stage(Channels(np.array([1]), dense=np.array([0.5])), "hybrid", 1.0, 0.3)


def test_channels_need_one_score_per_row() -> None:
    with pytest.raises(ValueError, match="one score per row"):
        Channels(np.array([1, 2]), lexical=np.array([1.0]))


def test_best_first_is_descending_and_stable() -> None:
    assert best_first(np.array([1.0, 3.0, 1.0, 2.0])).tolist() == [1, 3, 0, 2]


def test_best_of_each_takes_the_maximum_and_zero_for_an_empty_span() -> None:
    assert best_of_each([np.array([0.1, 0.7]), np.zeros(0), np.array([-0.2])]).tolist() == [0.7, 0.0, -0.2]


def test_rerank_sums_the_weighted_z_scores_of_the_signals() -> None:
    rng = np.random.default_rng(3)
    dense, sentence, lexical, tokens, sentence_tokens = (rng.normal(size=6) for _ in range(5))
    tuning = Tuning()
    got = rerank(RerankSignals(dense, sentence, lexical, tokens, sentence_tokens), 1.0, tuning)
    expected = (tuning.dense * zscore(dense) + tuning.sentence * zscore(sentence)
                + tuning.rerank_lexical * zscore(lexical) + tuning.tokens * zscore(tokens)
                + tuning.sentence_tokens * zscore(sentence_tokens))
    assert got.tolist() == pytest.approx(expected.tolist())


def test_rerank_leaves_out_missing_token_signals_and_bm25_of_an_unknown_query() -> None:
    dense, sentence, lexical = np.array([0.1, 0.5, 0.3]), np.array([0.4, 0.2, 0.9]), np.array([9.0, 0.0, 1.0])
    got = rerank(RerankSignals(dense, sentence, lexical), 0.0, Tuning())
    assert got.tolist() == pytest.approx((0.5 * zscore(dense) + 0.5 * zscore(sentence)).tolist())


def test_shortlist_takes_the_best_positions_best_first() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.7])
    assert shortlist(scores, 2).tolist() == [1, 3]
    assert shortlist(scores, 10).tolist() == [1, 3, 2, 0] and shortlist(scores, 0).tolist() == []


def test_spread_gives_the_others_the_lowest_value_computed() -> None:
    assert spread(np.array([0.8, 0.3]), np.array([3, 0]), 5).tolist() == [0.3, 0.3, 0.3, 0.8, 0.3]
    assert spread(np.zeros(0), np.zeros(0, dtype=int), 2).tolist() == [0.0, 0.0]

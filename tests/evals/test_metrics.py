"""Metrics against hand-computed values (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleidsbron.evals.metrics import (
    Gold,
    ItemScore,
    Passage,
    QueryItem,
    aggregate,
    doc_coverage,
    first_hit_rank,
    flagged_answerable_rate,
    flagged_unanswerable_rate,
    hit_at_k,
    hit_flags,
    is_hit,
    longest_common_run,
    matched_quotes,
    ndcg,
    page_accurate,
    percentile,
    reciprocal_rank,
    score_item,
)

A, B, C = "a.pdf", "b.pdf", "c.pdf"
QUOTE_A = "Het rapport van de Raad voor Volksgezondheid & Samen- leving, De basis op orde, is daarbij helpend"
QUOTE_B = "Robuust maakt deel uit van het ROS-netwerk."
GOLDS = (Gold(A, QUOTE_A, 3), Gold(B, QUOTE_B, 7))
FILLER = "Dit is een ander stuk tekst zonder verband. "


def p(doc: str, text: str, page: int = 1, score: float = 0.5) -> Passage:
    return Passage(doc, text, page, score)


def miss(doc: str = A) -> Passage:
    return p(doc, FILLER * 3)


# -- the hit rule ---------------------------------------------------------------------------------------------


def test_hit_by_containment_after_normalisation():
    # "Samen- leving" → "samenleving", "&" and commas dropped, case folded: containment after normalising.
    text = FILLER + "HET RAPPORT van de Raad voor Volksgezondheid & Samenleving, De Basis op Orde, " \
        "is daarbij helpend. " + FILLER
    assert is_hit(text, A, GOLDS)
    assert matched_quotes(text, A, GOLDS) == (0,)


def test_run_of_60_percent_hits_and_59_percent_misses():
    quote = "abcdefghij" * 10  # normalised length 100
    golds = [Gold(A, quote, 1)]
    # 60 shared characters: 60 * 5 = 300 >= 100 * 3 = 300 → hit. "0000" is not in the quote.
    assert longest_common_run(quote, quote[:60] + "0000") == 60
    assert is_hit(quote[:60] + " 0000", A, golds)
    # 59 shared characters: 59 * 5 = 295 < 300 → no hit.
    assert longest_common_run(quote, quote[:59] + "0000") == 59
    assert not is_hit(quote[:59] + " 0000", A, golds)


def test_run_in_the_middle_of_both_texts():
    # quote "Robuust maakt deel uit van het ROS-netwerk." → "robuustmaaktdeeluitvanhetrosnetwerk" (35 chars);
    # the passage keeps "maakt deel uit van het ROS-netwerk" → 28 chars: 28 * 5 = 140 >= 35 * 3 = 105 → hit.
    text = "Zo maakt deel uit van het ROS-netwerk, en meer."
    assert is_hit(text, B, GOLDS)
    # only "van het ROS-netwerk" → "vanhetrosnetwerk", 16 chars: 80 < 105 → no hit.
    assert not is_hit("Iets anders van het ROS-netwerk.", B, GOLDS)


def test_wrong_document_is_no_hit():
    assert not is_hit(QUOTE_A, C, GOLDS)  # c.pdf is not in relevant
    assert matched_quotes(QUOTE_A, C, GOLDS) == ()


def test_several_quotes_any_one_counts():
    assert matched_quotes(FILLER + QUOTE_B, B, GOLDS) == (1,)
    # the passage holds both quotes: both indices match
    assert matched_quotes(QUOTE_A + " " + QUOTE_B, A, GOLDS) == (0, 1)


def test_empty_texts_never_hit():
    assert not is_hit("", A, GOLDS)
    assert not is_hit("– … –", A, GOLDS)  # nothing left after normalising
    assert longest_common_run("", "abc") == 0


def _lcs_reference(a: str, b: str) -> int:
    best = 0
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


@given(st.text(alphabet="abc", max_size=40), st.text(alphabet="abc", max_size=80))
def test_longest_common_run_matches_dynamic_programming(a, b):
    assert longest_common_run(a, b) == _lcs_reference(a, b)


# -- ranks ----------------------------------------------------------------------------------------------------


def test_no_hits():
    assert first_hit_rank(()) is None
    assert first_hit_rank(hit_flags([miss(), miss(B)], GOLDS)) is None
    assert not hit_at_k(None, 10)
    assert reciprocal_rank(None) == 0.0
    assert ndcg([], GOLDS) == 0.0


def test_ties_keep_the_given_order():
    # both score 0.5; the hit is listed second, so it is rank 2, not 1
    ranked = [p(A, FILLER, score=0.5), p(A, QUOTE_A, score=0.5)]
    rank = first_hit_rank(hit_flags(ranked, GOLDS))
    assert rank == 2
    assert (hit_at_k(rank, 1), hit_at_k(rank, 3)) == (False, True)


def test_reciprocal_rank_and_cutoff():
    assert reciprocal_rank(1) == 1.0
    assert reciprocal_rank(4) == 0.25
    assert reciprocal_rank(10) == 0.1
    assert reciprocal_rank(11) == 0.0  # beyond @10


def test_mrr_over_items():
    # ranks 1, 2, none, 4 → (1 + 1/2 + 0 + 1/4) / 4 = 1.75 / 4 = 0.4375
    scores = [_score(rank=r) for r in (1, 2, None, 4)]
    assert aggregate(scores).mrr == pytest.approx(0.4375)


# -- nDCG@10 --------------------------------------------------------------------------------------------------


def test_ndcg_single_quote_at_rank_3():
    # DCG = 1/log2(3+1) = 0.5; ideal (1 quote) = 1/log2(2) = 1 → 0.5
    assert ndcg([miss(), miss(), p(A, QUOTE_A)], GOLDS[:1]) == pytest.approx(0.5)


def test_ndcg_two_quotes_with_a_repeat():
    # A at 1 (gain 1), A again at 2 (already found: 0), B at 3 (gain 1/log2 4 = 0.5) → DCG 1.5
    # ideal for 2 quotes: 1 + 1/log2(3) = 1.630930 → 1.5 / 1.630930 = 0.919721
    ranked = [p(A, QUOTE_A), p(A, QUOTE_A), p(B, QUOTE_B)]
    assert ndcg(ranked, GOLDS) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert ndcg(ranked, GOLDS) == pytest.approx(0.919721, abs=1e-6)


def test_ndcg_perfect_and_one_passage_holding_two_quotes():
    assert ndcg([p(A, QUOTE_A), p(B, QUOTE_B)], GOLDS) == pytest.approx(1.0)
    # one passage covers both quotes: one found result, DCG 1; ideal 1.630930 → 0.613147
    assert ndcg([p(A, QUOTE_A + " " + QUOTE_B)], GOLDS) == pytest.approx(0.613147, abs=1e-6)


def test_ndcg_duplicate_gold_quotes_count_once():
    golds = [Gold(A, QUOTE_A, 3), Gold(A, QUOTE_A.upper() + "  ", 3)]  # same after normalising
    assert ndcg([p(A, QUOTE_A)], golds) == pytest.approx(1.0)


def test_ndcg_ignores_hits_after_10():
    assert ndcg([miss()] * 10 + [p(A, QUOTE_A)], GOLDS[:1]) == 0.0


# -- page, coverage, the low-confidence flag, latency ----------------------------------------------------


@pytest.mark.parametrize("page, ok", [(2, True), (3, True), (4, True), (1, False), (5, False)])
def test_page_accuracy_within_one(page, ok):
    assert page_accurate(p(A, QUOTE_A, page=page), GOLDS) is ok  # gold page 3


def test_page_accuracy_uses_the_quote_that_matched():
    # the passage matches quote B (gold page 7), so page 3 (quote A's page) is not accurate
    assert not page_accurate(p(B, QUOTE_B, page=3), GOLDS)


def test_doc_coverage():
    golds = [Gold(A, QUOTE_A, 1), Gold(B, QUOTE_B, 1), Gold(C, "Derde document citaat hier", 1)]
    ranked = [p(A, QUOTE_A), miss(B), p(C, "Derde document citaat hier")] + [miss()] * 7 + [p(B, QUOTE_B)]
    # A and C have a hit in the top 10; B's hit is at rank 11 → 2 / 3
    assert doc_coverage(ranked, golds) == pytest.approx(2 / 3)
    assert doc_coverage(ranked + [p(B, QUOTE_B)], golds, cutoff=20) == 1.0


def _score(rank=None, answerable=True, flagged=False, seconds=0.0, coverage=None, page_ok=None,
           quote_rank=None) -> ItemScore:
    return ItemScore(id="x", kind="question", lang="nl", docs=(A,), answerable=answerable, rank=rank,
                     quote_rank=quote_rank, ndcg=None if not answerable else 0.0, page_ok=page_ok,
                     coverage=coverage, flagged=flagged, seconds=seconds)


def test_flag_rates():
    scores = [_score(answerable=False, flagged=True), _score(answerable=False),
              _score(flagged=True, rank=1), _score(rank=1), _score(rank=2), _score()]
    assert flagged_unanswerable_rate(scores) == 0.5  # 1 of 2 unanswerable
    assert flagged_answerable_rate(scores) == 0.25  # 1 of 4 answerable
    assert flagged_unanswerable_rate(scores[2:]) is None  # no unanswerable items


def test_percentiles():
    values = [0.4, 0.1, 0.3, 0.2]
    # sorted 0.1 0.2 0.3 0.4; p50 at position 1.5 → 0.25; p95 at 0.95 * 3 = 2.85 → 0.3 + 0.85 * 0.1 = 0.385
    assert percentile(values, 50) == pytest.approx(0.25)
    assert percentile(values, 95) == pytest.approx(0.385)
    assert percentile([0.7], 95) == 0.7
    assert percentile([], 50) is None
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile(values, 101)


# -- one item, and a group ------------------------------------------------------------------------------------


def test_score_item_and_aggregate():
    item = QueryItem("i1", "nl", "q", "multi", True, GOLDS)
    ranked = [miss(), p(A, QUOTE_A, page=5, score=0.9), p(B, QUOTE_B, page=7)]
    quotes = [miss(), p(A, "helpend", page=5), p(B, QUOTE_B, page=7)]  # the quote shown for rank 2 is too short
    score = score_item(item, ranked, quotes, flagged=False, seconds=0.2)
    assert (score.rank, score.quote_rank) == (2, 3)
    assert score.page_ok is False  # first hit on p. 5, gold p. 3: |5 - 3| = 2 > 1
    assert score.coverage == 1.0  # A and B both hit
    # DCG = 1/log2(3) + 1/log2(4) = 0.630930 + 0.5; ideal 1 + 0.630930 → 1.130930 / 1.630930 = 0.693426
    assert score.ndcg == pytest.approx(0.693426, abs=1e-6)
    assert [j.hit for j in score.judged] == [False, True, True]
    unanswerable = score_item(QueryItem("i2", "nl", "q", "unanswerable", False), [], [], False, 0.4)
    assert unanswerable.flagged and unanswerable.ndcg is None and unanswerable.rank is None

    agg = aggregate([score, unanswerable])
    assert (agg.items, agg.answerable, agg.unanswerable, agg.multi, agg.found) == (2, 1, 1, 1, 1)
    assert (agg.hit1, agg.hit3, agg.hit10, agg.mrr) == (0.0, 1.0, 1.0, 0.5)
    assert (agg.quote_hit1, agg.quote_hit10, agg.page_accuracy, agg.coverage) == (0.0, 1.0, 0.0, 1.0)
    assert (agg.flagged_unanswerable, agg.flagged_answerable) == (1.0, 0.0)
    assert agg.latency_p50 == pytest.approx(0.3)  # median of 0.2 and 0.4
    assert agg.hit_at(3) == 1.0


def test_aggregate_of_nothing_measures_nothing():
    agg = aggregate([])
    assert agg.items == 0 and agg.hit10 is None and agg.mrr is None and agg.latency_p95 is None
    with pytest.raises(ValueError, match="1, 3, 5, 10"):
        agg.hit_at(2)

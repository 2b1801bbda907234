import math

import pytest

from beleidsbron.index.confidence import FLAG_BELOW, Signals, low_confidence, score


def test_the_score_is_the_share_plus_an_allowance_that_grows_with_the_length() -> None:
    assert score(Signals(0.5, 1), length_weight=0.3) == pytest.approx(0.5)
    assert score(Signals(0.5, 20), length_weight=0.3) == pytest.approx(0.5 + 0.3 * math.log(20))
    assert score(Signals(0.5, 20), length_weight=0.0) == pytest.approx(0.5)


def test_with_a_length_weight_a_long_query_needs_a_smaller_share_than_a_short_one() -> None:
    weight, threshold = 0.3, 1.3
    share = threshold - weight * math.log(15)  # just enough at 15 tokens
    assert not low_confidence(Signals(share + 0.01, 15), threshold, weight)
    assert low_confidence(Signals(share + 0.01, 5), threshold, weight)
    assert not low_confidence(Signals(share + 0.01, 40), threshold, weight)


def test_the_shipped_rule_is_the_share_against_the_threshold() -> None:
    assert low_confidence(Signals(FLAG_BELOW - 0.01, 30)) != low_confidence(Signals(FLAG_BELOW + 0.01, 30))


def test_the_threshold_decides_and_zero_never_flags() -> None:
    signals = Signals(0.3, 10)
    assert low_confidence(signals, flag_below=score(signals) + 0.01)
    assert not low_confidence(signals, flag_below=score(signals) - 0.01)
    assert not low_confidence(Signals(0.0, 0), flag_below=0.0)


def test_a_query_without_tokens_counts_as_one_token() -> None:
    assert score(Signals(0.2, 0), length_weight=0.3) == pytest.approx(0.2)


@pytest.mark.parametrize(("share", "tokens"), [(-0.1, 3), (1.5, 3), (0.5, -1)])
def test_impossible_signals_are_refused(share: float, tokens: int) -> None:
    with pytest.raises(ValueError):
        Signals(share, tokens)

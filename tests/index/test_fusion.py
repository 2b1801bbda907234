"""Fusion functions: pure, so tested on plain arrays."""

from __future__ import annotations

import numpy as np
import pytest

from beleidsbron.index.fusion import convex, lexical_weight, minmax, zscore, zsum


def test_minmax_spans_zero_to_one_and_flattens_ties() -> None:
    assert minmax(np.array([2.0, 4.0, 3.0])).tolist() == [0.0, 1.0, 0.5]
    assert minmax(np.array([5.0, 5.0])).tolist() == [0.0, 0.0]
    assert minmax(np.array([])).size == 0


def test_zscore_centres_and_scales() -> None:
    z = zscore(np.array([1.0, 2.0, 3.0, 10.0]))
    assert z.mean() == pytest.approx(0.0) and z.std() == pytest.approx(1.0)
    assert zscore(np.array([3.0, 3.0])).tolist() == [0.0, 0.0]
    assert zscore(np.array([])).size == 0


def test_one_outlier_squashes_minmax_but_not_zscore() -> None:
    scores = np.array([0.0, 1.0, 2.0, 100.0])
    gap_minmax = minmax(scores)[2] - minmax(scores)[1]
    gap_z = zscore(scores)[2] - zscore(scores)[1]
    assert gap_z > 2 * gap_minmax


def test_zsum_weighs_each_signal() -> None:
    a, b = np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])
    assert int(np.argmax(zsum([a, b], [2.0, 1.0]))) == 0
    assert int(np.argmax(zsum([a, b], [1.0, 2.0]))) == 2
    assert zsum([a, b], [0.0, 0.0]).tolist() == [0.0, 0.0, 0.0]


def test_zsum_ignores_the_scale_of_a_signal() -> None:
    a, b = np.array([0.1, 0.3, 0.2]), np.array([30.0, 10.0, 20.0])
    assert np.allclose(zsum([a, b], [1.0, 1.0]), zsum([a * 1000, b / 1000], [1.0, 1.0]))


def test_zsum_checks_its_weights() -> None:
    with pytest.raises(ValueError, match="one weight per score vector"):
        zsum([np.zeros(2)], [1.0, 1.0])
    with pytest.raises(ValueError, match="at least 0"):
        zsum([np.zeros(2)], [-1.0])
    assert zsum([], []).size == 0


def test_convex_combines_normalised_scores() -> None:
    fused = convex([np.array([0.0, 10.0]), np.array([1.0, 0.0])], [3.0, 1.0])
    assert fused.tolist() == pytest.approx([0.25, 0.75])
    with pytest.raises(ValueError, match="positive sum"):
        convex([np.zeros(2)], [0.0])


def test_lexical_weight_falls_with_coverage() -> None:
    assert lexical_weight(1.0, 0.3) == pytest.approx(0.3)
    assert lexical_weight(0.5, 0.3) == pytest.approx(0.075)
    assert lexical_weight(0.0, 0.3) == 0.0
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        lexical_weight(1.5, 0.3)

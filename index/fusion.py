"""Pure functions that combine rankings. No I/O, no models: easy to test on their own."""

from __future__ import annotations

import numpy as np


def minmax(scores: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; all-equal scores become zeros (they rank nothing)."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return scores
    low, high = float(scores.min()), float(scores.max())
    return (scores - low) / (high - low) if high > low else np.zeros_like(scores)


def convex(scores: list[np.ndarray], weights: list[float]) -> np.ndarray:
    """Weighted sum of min-max normalised score vectors over the same passages."""
    if len(scores) != len(weights):
        raise ValueError("convex needs one weight per score vector")
    total = sum(weights)
    if total <= 0:
        raise ValueError("convex needs weights with a positive sum")
    return sum(w / total * minmax(s) for s, w in zip(scores, weights))


def zscore(scores: np.ndarray) -> np.ndarray:
    """Centre on the mean and scale by the standard deviation; all-equal scores become zeros.
    Unlike min-max, one outlier does not squash the rest of the list."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return scores
    spread = float(scores.std())
    return (scores - scores.mean()) / spread if spread > 0 else np.zeros_like(scores)


def zsum(scores: list[np.ndarray], weights: list[float]) -> np.ndarray:
    """Weighted sum of z-scored score vectors over the same passages."""
    if len(scores) != len(weights):
        raise ValueError("zsum needs one weight per score vector")
    if any(w < 0 for w in weights):
        raise ValueError("zsum needs weights of at least 0")
    return sum((w * zscore(s) for s, w in zip(scores, weights)), np.zeros(len(scores[0]) if scores else 0))


def lexical_weight(coverage: float, base: float) -> float:
    """How much lexical evidence counts for a query: `base` for a query whose words the corpus
    knows, falling to zero for one in another language (coverage = share of known words)."""
    if not 0.0 <= coverage <= 1.0:
        raise ValueError(f"coverage must be in [0, 1], got {coverage}")
    return base * coverage**2

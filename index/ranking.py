"""Ranking as pure functions over score arrays: the candidates of a channel, the first stage that combines
the channels, and the second stage (rerank) that sums its signals. No I/O, no models (index/search.py
computes the scores and calls these)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from beleidsbron.index.fusion import convex, lexical_weight, zsum


@dataclass(frozen=True)
class Tuning:
    """Weights of the ranking, set on the evaluation sets (evals/README.md)."""

    candidates: int = 100  # per channel, before fusion
    lexical: float = 0.3  # lexical weight in hybrid for a query whose words the corpus knows
    rerank_depth: int = 100  # best first-stage candidates that the second stage scores again
    cross_encoder_depth: int = 30  # the same for a configured cross-encoder, which is slower
    # second stage: weights of the z-scored signals (passage vector, best sentence by cosine, BM25 ×
    # coverage², token MaxSim of the passage, of its best sentence); without token vectors in the
    # index the last two are left out
    dense: float = 0.5
    sentence: float = 0.5
    rerank_lexical: float = 0.3
    tokens: float = 1.0
    sentence_tokens: float = 0.5
    # the best sentence's token MaxSim, the costliest signal, is computed for this many candidates only:
    # the best on the other four (a cascade; 20 instead of 100 took 5–11 ms off a query, evals/README.md)
    sentence_depth: int = 20
    # Confidence score (index/confidence.py) under which a result is flagged low-confidence; None:
    # DEFAULT_FLAG_BELOW with the default model, off with any other (calibrated for one model); 0: off.
    flag_below: float | None = None


@dataclass(frozen=True)
class Channels:
    """Candidate rows pooled from the channels a mode uses, with each channel's raw score of every row
    (None for a channel the mode does not use)."""

    rows: np.ndarray
    dense: np.ndarray | None = None  # cosine of query and passage vectors
    lexical: np.ndarray | None = None  # BM25

    def __post_init__(self) -> None:
        for name, scores in (("dense", self.dense), ("lexical", self.lexical)):
            if scores is not None and len(scores) != len(self.rows):
                raise ValueError(f"Channels.{name} needs one score per row: {len(scores)} for {len(self.rows)}")


@dataclass(frozen=True)
class RerankSignals:
    """The second stage's signals over the same candidates; the token MaxSims are None without token vectors."""

    dense: np.ndarray  # passage vector
    sentence: np.ndarray  # the passage's best sentence by cosine
    lexical: np.ndarray  # BM25
    tokens: np.ndarray | None = None  # token MaxSim of the passage
    sentence_tokens: np.ndarray | None = None  # token MaxSim of its best sentence


def top_positive(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k best positive scores, in no order (the caller pools them with np.unique): a partition,
    not a full sort, which took 100 ms per query at 1M passages (beleidsbron bench --scale)."""
    rows = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
    return rows[scores[rows] > 0]


def pool(candidates: Sequence[np.ndarray]) -> np.ndarray:
    """The channels' candidate rows, each once, ascending."""
    return np.unique(np.concatenate(candidates)) if candidates else np.zeros(0, dtype=np.int64)


def hybrid(dense: np.ndarray, lexical: np.ndarray, coverage: float, lexical_base: float) -> np.ndarray:
    """Min-max normalised cosine and BM25, combined; BM25 counts by the share of query words the corpus
    knows (`coverage`), so an English question is not pulled down by chance Dutch word matches."""
    weight = lexical_weight(coverage, lexical_base)
    return convex([dense, lexical], [1.0 - weight, weight])


def first_stage(channels: Channels, mode: str, coverage: float, lexical_base: float) -> np.ndarray:
    """The first-stage score of each candidate (higher is better): BM25 in keyword mode, cosine in
    semantic mode, both combined in hybrid (and rerank's first stage)."""
    if not len(channels.rows) or mode == "keyword":
        return channels.lexical if channels.lexical is not None else np.zeros(len(channels.rows))
    if channels.dense is None:
        raise ValueError(f"mode {mode!r} needs the dense channel")
    if mode == "semantic":
        return channels.dense
    if channels.lexical is None:
        raise ValueError(f"mode {mode!r} needs the lexical channel")
    return hybrid(channels.dense, channels.lexical, coverage, lexical_base)


def best_first(scores: np.ndarray) -> np.ndarray:
    """Positions of the scores, best first; ties keep their order."""
    return np.argsort(-scores, kind="stable")


def best_of_each(spans: Sequence[np.ndarray]) -> np.ndarray:
    """The best score of each span (a passage's sentences); 0 for an empty one."""
    return np.array([scores.max() if len(scores) else 0.0 for scores in spans])


def shortlist(scores: np.ndarray, depth: int) -> np.ndarray:
    """Positions of the `depth` best scores, best first: the candidates a costlier signal is computed for."""
    return best_first(scores)[:max(depth, 0)]


def spread(values: np.ndarray, positions: np.ndarray, n: int) -> np.ndarray:
    """A signal computed at some positions only, as one value for each of n candidates: the others get the
    lowest value computed, so a signal they were not given lifts none of them."""
    out = np.full(n, float(values.min()) if len(values) else 0.0)
    out[positions] = values
    return out


def rerank(signals: RerankSignals, coverage: float, tuning: Tuning) -> np.ndarray:
    """The second stage: the signals z-scored and summed with their weights; BM25's weight falls with the
    query's coverage as in hybrid, and a token signal that is None is left out."""
    scores = [signals.dense, signals.sentence, signals.lexical]
    weights = [tuning.dense, tuning.sentence, lexical_weight(coverage, tuning.rerank_lexical)]
    if signals.tokens is not None:
        scores.append(signals.tokens)
        weights.append(tuning.tokens)
    if signals.sentence_tokens is not None:
        scores.append(signals.sentence_tokens)
        weights.append(tuning.sentence_tokens)
    return zsum(scores, weights)

"""Synthetic corpora for the scale benchmark, made from a real index by recombination.

Text. A passage is RUNS runs of 2–4 consecutive real sentences taken from random
places (neighbouring sentences stay on one topic, as in a real passage; the mean
real passage is about 9 sentences, 830 characters, and so is a synthetic one).
Then about `compound_rate` of its words are replaced by a new Dutch-style
compound of two real words, each drawn by corpus frequency ("wijk" + "apotheker"
→ "wijkapotheker"), so the vocabulary keeps growing with the corpus as a real
one does, and the compound splitter of the analyzer has real work to do.

Vectors. A passage's vector is the normalised mean of its sentences' stored
vectors (the real model's, from the index) plus a little noise: the structure
of real embeddings (anisotropic, topical) without running a model. A query
vector is one or two consecutive real sentences' mean plus noise.

Everything is deterministic in the seed. Pure functions except `load_pool`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RUNS = 3  # runs of consecutive sentences per passage
RUN_LENGTHS = (2, 4)  # inclusive range of a run's length
NOISE = 0.1  # norm of the noise added to a unit mean vector
COMPOUND_RATE = 0.03  # share of a passage's words replaced by a new compound
MIN_PART = 4  # shortest word used as a compound part
BLOCK = 20_000  # passages per block when computing vectors
_WORD = re.compile(r"^[^\W\d_]+$")


@dataclass(frozen=True)
class SentencePool:
    """Real sentences in reading order, and their vectors (row i belongs to texts[i])."""

    texts: tuple[str, ...]
    vectors: np.ndarray

    def __post_init__(self) -> None:
        if self.vectors.ndim != 2 or len(self.vectors) != len(self.texts):
            raise ValueError(f"vectors must be a ({len(self.texts)}, dim) array, got shape {self.vectors.shape}")
        if len(self.texts) <= RUN_LENGTHS[1]:
            raise ValueError(f"a sentence pool needs more than {RUN_LENGTHS[1]} sentences, got {len(self.texts)}")

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])


@dataclass(frozen=True)
class Plan:
    """Which real sentences make each passage: run r of passage i is
    sentences starts[i, r] .. starts[i, r] + lengths[i, r] - 1."""

    starts: np.ndarray  # (passages, RUNS) int64
    lengths: np.ndarray  # (passages, RUNS) int64

    def __len__(self) -> int:
        return len(self.starts)

    def sentences(self, i: int) -> list[int]:
        return [int(s) + o for s, n in zip(self.starts[i], self.lengths[i]) for o in range(int(n))]


def load_pool(directory: Path) -> SentencePool:
    """The sentences and sentence vectors of an index directory (an `index/gen-…` folder)."""
    from beleidsbron.index.store import ChunkStore
    from beleidsbron.index.writer import SENTENCE_VECTORS

    store = ChunkStore.open(directory)
    try:
        rows = [(row, s.text) for doc in store.sources() for row, s in store.iter_sentences(doc)]
    finally:
        store.close()
    rows.sort()
    vectors = np.load(directory / SENTENCE_VECTORS, allow_pickle=False)
    return SentencePool(tuple(text for _, text in rows), np.ascontiguousarray(vectors[[r for r, _ in rows]]))


def plan_passages(pool_size: int, count: int, seed: int = 0) -> Plan:
    """`count` passages over a pool of `pool_size` sentences."""
    if count < 0:
        raise ValueError(f"count must be at least 0, got {count}")
    low, high = RUN_LENGTHS
    if pool_size <= high:
        raise ValueError(f"pool_size must be more than {high}, got {pool_size}")
    rng = np.random.default_rng([seed, 1])
    lengths = rng.integers(low, high + 1, size=(count, RUNS))
    starts = rng.integers(0, pool_size - lengths + 1)
    return Plan(starts.astype(np.int64), lengths.astype(np.int64))


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def _noisy(means: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    jitter = _unit(rng.standard_normal(means.shape, dtype=np.float32)) * noise
    return _unit(_unit(means) + jitter)


def passage_vectors(pool: SentencePool, plan: Plan, noise: float = NOISE, seed: int = 0) -> np.ndarray:
    """(len(plan), dim) unit vectors: each passage's mean sentence vector plus noise."""
    rng = np.random.default_rng([seed, 2])
    out = np.empty((len(plan), pool.dimension), np.float32)
    for begin in range(0, len(plan), BLOCK):
        starts, lengths = plan.starts[begin:begin + BLOCK], plan.lengths[begin:begin + BLOCK]
        acc = np.zeros((len(starts), pool.dimension), np.float32)
        for offset in range(RUN_LENGTHS[1]):
            present = (lengths > offset)  # (block, RUNS)
            for run in range(RUNS):
                rows = np.minimum(starts[:, run] + offset, len(pool.texts) - 1)
                acc += pool.vectors[rows] * present[:, run, None]
        out[begin:begin + len(starts)] = _noisy(acc, noise, rng)
    return out


def query_vectors(pool: SentencePool, count: int, noise: float = NOISE, seed: int = 0) -> np.ndarray:
    """(count, dim) unit vectors: the mean of one or two consecutive real sentences, plus noise."""
    rng = np.random.default_rng([seed, 3])
    first = rng.integers(0, len(pool.texts) - 1, size=count)
    pair = rng.random(count) < 0.5
    means = pool.vectors[first] + pool.vectors[first + 1] * pair[:, None]
    return _noisy(means, noise, rng)


class Compounder:
    """Makes new compounds of two real words, each part drawn by its corpus frequency."""

    def __init__(self, texts: tuple[str, ...] | list[str]) -> None:
        counts = Counter(w.lower() for t in texts for w in t.split() if len(w) >= MIN_PART and _WORD.match(w))
        if not counts:
            raise ValueError(f"the sentence pool has no word of at least {MIN_PART} letters to compound")
        self.parts = list(counts)
        weights = np.array([counts[w] for w in self.parts], dtype=np.float64)
        self.weights = weights / weights.sum()

    def compounds(self, count: int, rng: np.random.Generator) -> list[str]:
        heads = rng.choice(len(self.parts), size=count, p=self.weights)
        tails = rng.choice(len(self.parts), size=count, p=self.weights)
        return [self.parts[h] + self.parts[t] for h, t in zip(heads.tolist(), tails.tolist())]


def passage_texts(pool: SentencePool, plan: Plan, compound_rate: float = COMPOUND_RATE,
                  seed: int = 0) -> Iterator[str]:
    """The passages' texts, one by one, in plan order."""
    if not 0.0 <= compound_rate <= 1.0:
        raise ValueError(f"compound_rate must be between 0 and 1, got {compound_rate}")
    rng = np.random.default_rng([seed, 4])
    compounder = Compounder(pool.texts) if compound_rate > 0 else None
    for begin in range(0, len(plan), BLOCK):
        block = range(begin, min(begin + BLOCK, len(plan)))
        words = [" ".join(pool.texts[s] for s in plan.sentences(i)).split() for i in block]
        changes = rng.binomial([len(w) for w in words], compound_rate) if compounder else np.zeros(len(words), int)
        fresh = iter(compounder.compounds(int(changes.sum()), rng)) if compounder else iter(())
        for passage, n in zip(words, changes.tolist()):
            for position in rng.choice(len(passage), size=n, replace=False).tolist() if n else ():
                passage[position] = next(fresh)
            yield " ".join(passage)


def vocabulary_size(texts: list[str]) -> int:
    """Distinct lower-cased words: how the vocabulary grows with the corpus."""
    return len({w.lower() for t in texts for w in t.split()})

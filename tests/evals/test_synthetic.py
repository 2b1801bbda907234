"""evals/synthetic.py: synthetic corpora recombined from a real index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from beleidsbron.evals.synthetic import (
    RUN_LENGTHS,
    RUNS,
    Compounder,
    Plan,
    SentencePool,
    load_pool,
    passage_texts,
    passage_vectors,
    plan_passages,
    query_vectors,
    vocabulary_size,
)
from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import DataHome

WORDS = ("wijk", "verpleging", "huisarts", "apotheker", "zorg", "akkoord", "platform", "regio", "ouderen",
         "thuiszorg", "fysiotherapie", "netwerk", "gemeente", "verzekeraar", "budget", "beleid", "review", "talent",
         "arbeidsmarkt", "opleiding", "preventie", "welzijn", "ziekenhuis", "patiënt")
SENTENCES = tuple(f"Zin {i} over {WORDS[i % 24]} en {WORDS[(5 * i + 3) % 24]} in de {WORDS[(7 * i + 1) % 24]}."
                  for i in range(40))


def make_pool(dim: int = 16, seed: int = 0) -> SentencePool:
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(4, dim))
    rows = topics[np.arange(len(SENTENCES)) // 10] + 0.3 * rng.normal(size=(len(SENTENCES), dim))
    return SentencePool(SENTENCES, (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32))


def test_pool_is_validated() -> None:
    with pytest.raises(ValueError, match=r"vectors must be a \(3, dim\) array"):
        SentencePool(("a", "b", "c"), np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="needs more than 4 sentences"):
        SentencePool(("a", "b"), np.zeros((2, 4), np.float32))


def test_plan_is_deterministic_and_stays_inside_the_pool() -> None:
    plan = plan_passages(40, 500, seed=3)
    assert len(plan) == 500 and plan.starts.shape == plan.lengths.shape == (500, RUNS)
    low, high = RUN_LENGTHS
    assert plan.lengths.min() >= low and plan.lengths.max() <= high
    assert plan.starts.min() >= 0 and (plan.starts + plan.lengths).max() <= 40
    again = plan_passages(40, 500, seed=3)
    assert np.array_equal(plan.starts, again.starts) and np.array_equal(plan.lengths, again.lengths)
    assert not np.array_equal(plan.starts, plan_passages(40, 500, seed=4).starts)
    assert len(plan_passages(40, 0)) == 0
    with pytest.raises(ValueError, match="pool_size must be more than 4"):
        plan_passages(4, 10)


def test_plan_sentences_are_runs_of_consecutive_sentences() -> None:
    plan = Plan(np.array([[5, 20, 0]]), np.array([[2, 3, 1]]))
    assert plan.sentences(0) == [5, 6, 20, 21, 22, 0]


def test_passage_vectors_are_unit_and_near_their_sentences_mean() -> None:
    pool = make_pool()
    plan = plan_passages(len(pool.texts), 300, seed=1)
    vectors = passage_vectors(pool, plan, seed=1)
    assert vectors.shape == (300, 16) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    for i in (0, 17, 299):
        mean = pool.vectors[plan.sentences(i)].mean(axis=0)
        assert vectors[i] @ (mean / np.linalg.norm(mean)) > 0.99  # noise of norm 0.1
    assert np.array_equal(vectors, passage_vectors(pool, plan, seed=1))
    exact = passage_vectors(pool, plan, noise=0.0)
    mean = pool.vectors[plan.sentences(5)].mean(axis=0)
    assert np.allclose(exact[5], mean / np.linalg.norm(mean), atol=1e-5)


def test_query_vectors_are_unit_and_deterministic() -> None:
    pool = make_pool()
    queries = query_vectors(pool, 50, seed=2)
    assert queries.shape == (50, 16)
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(queries, query_vectors(pool, 50, seed=2))
    best = (queries @ pool.vectors.T).max(axis=1)
    assert best.min() > 0.6  # each lies close to a real sentence


def test_texts_without_compounds_are_the_planned_sentences() -> None:
    pool = make_pool()
    plan = plan_passages(len(pool.texts), 20, seed=5)
    texts = list(passage_texts(pool, plan, compound_rate=0.0))
    assert texts[7] == " ".join(pool.texts[s] for s in plan.sentences(7))


def test_compounds_join_two_real_words_and_grow_the_vocabulary() -> None:
    pool = make_pool()
    base = {w.lower() for t in pool.texts for w in t.split()}
    texts = list(passage_texts(pool, plan_passages(len(pool.texts), 400, seed=1), compound_rate=0.2, seed=1))
    assert texts == list(passage_texts(pool, plan_passages(len(pool.texts), 400, seed=1), compound_rate=0.2, seed=1))
    new = {w.lower() for t in texts for w in t.split()} - base
    parts = Compounder(pool.texts).parts
    assert new and all(any(w.startswith(p) and w[len(p):] in parts for p in parts) for w in list(new)[:50])
    small, large = vocabulary_size(texts[:40]), vocabulary_size(texts)
    assert small < large and large > len(base)
    with pytest.raises(ValueError, match="compound_rate must be between 0 and 1"):
        list(passage_texts(pool, plan_passages(len(pool.texts), 1), compound_rate=1.5))


def test_load_pool_reads_sentences_and_their_vectors(tiny_corpus: Path, data_home: DataHome, fake_embedder) -> None:
    assert Ingestor(data_home, fake_embedder).run([tiny_corpus]).ok
    pool = load_pool(data_home.current())
    assert len(pool.texts) >= 5 and pool.dimension == fake_embedder.dimension
    assert "Fysiotherapeuten vormen een paramedisch platform." in pool.texts
    for text, vector in zip(pool.texts, pool.vectors):
        assert np.allclose(vector, fake_embedder.embed_passages([text])[0], atol=1e-6)

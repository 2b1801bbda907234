"""ingest/embed.py with the real default model: pooled vectors, and token vectors from the same pass."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def embedder(real_index):
    return real_index[1]


def pieces(embedder, ids: np.ndarray) -> list[str]:
    return [embedder.warm_up().tokenizer.pieces[i] for i in ids.tolist()]


def test_pooled_vectors_equal_the_plain_call(embedder) -> None:
    texts = ["Wat zegt het IZA over paramedici?", "huisartsen"]
    vectors, _ = embedder.embed_queries_with_tokens(texts)
    assert np.allclose(vectors, embedder.embed_queries(texts), atol=1e-5)
    passages, _ = embedder.embed_passages_with_tokens(texts)
    assert np.allclose(passages, embedder.embed_passages(texts), atol=1e-5)


def test_token_vectors_leave_out_prompt_specials_and_punctuation(embedder) -> None:
    _, (query,) = embedder.embed_queries_with_tokens(["Wat zegt het IZA over paramedici?"])
    # the lone "▁" before "IZA" is a word boundary, not a word: left out too
    assert pieces(embedder, query.ids) == ["▁Wat", "▁zegt", "▁het", "IZA", "▁over", "▁para", "medic", "i"]
    _, (passage,) = embedder.embed_passages_with_tokens(["De huisarts (HA) werkt samen."])
    assert pieces(embedder, passage.ids)[0] == "▁De"  # "passage: " is gone
    assert not {"(", ")", ".", "<s>", "</s>"} & set(pieces(embedder, passage.ids))
    assert np.allclose(np.linalg.norm(passage.vectors, axis=1), 1.0, atol=1e-5)


def test_the_same_word_in_context_matches_its_paraphrase_better_than_an_unrelated_one(embedder) -> None:
    from beleidsbron.index.tokens import TokenIndex

    _, passages = embedder.embed_passages_with_tokens([
        "Paramedici zoals fysiotherapeuten en logopedisten werken samen in een regionaal platform.",
        "De gemeente betaalt de huur van het gebouw."])
    _, (query,) = embedder.embed_queries_with_tokens(["Werken therapeuten samen in de regio?"])
    scores = TokenIndex.build(passages).maxsim(query, np.array([0, 1]))
    assert scores[0] > scores[1]


def test_no_texts_no_vectors(embedder) -> None:
    vectors, tokens = embedder.embed_passages_with_tokens([])
    assert vectors.shape == (0, embedder.dimension) and tokens == []

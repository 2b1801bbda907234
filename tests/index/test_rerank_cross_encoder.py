"""The cross-encoder plumbing, with a tiny CrossEncoder built inside the test (no weights ship)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from beleidsbron.index.build import Ingestor
from beleidsbron.index.search import Searcher
from beleidsbron.ingest.embed import CrossEncoderScorer


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-ce")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *"abcdefghijklmnopqrstuvwxyz",
             *[f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz"]]
    (folder / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"))
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, num_labels=1, max_position_embeddings=512)
    import torch

    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_scores_one_number_per_passage(tiny_cross_encoder: Path) -> None:
    scorer = CrossEncoderScorer(str(tiny_cross_encoder))
    scores = scorer.score("zorg", ["de zorg in de wijk", "paramedici", "huisartsen"])
    assert scores.shape == (3,) and np.isfinite(scores).all()
    assert scorer.score("zorg", []).shape == (0,)


def test_rerank_mode_orders_by_the_cross_encoder(tiny_cross_encoder: Path, fake_embedder, tiny_corpus,
                                                 data_home) -> None:
    Ingestor(data_home, fake_embedder).run([tiny_corpus])
    scorer = CrossEncoderScorer(str(tiny_cross_encoder))
    searcher = Searcher.open(data_home, fake_embedder, reranker=scorer)
    result = searcher.search("zorg", k=5, mode="rerank")
    assert result.hits
    own = scorer.score("zorg", [h.chunk.embed_text for h in result.hits])
    assert np.allclose([h.score for h in result.hits], own, atol=1e-4)  # the hit scores are its scores
    assert list(own) == sorted(own, reverse=True)


def test_empty_model_name_is_refused() -> None:
    with pytest.raises(ValueError, match="model name"):
        CrossEncoderScorer("")

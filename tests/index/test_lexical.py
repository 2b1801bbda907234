"""index/lexical.py: BM25 over analyzer terms (bm25s), saved as plain files."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from beleidsbron.index.lexical import LEXICAL_DIR, VOCAB_FILE, LexicalIndex

K1, B = 1.2, 0.75  # what LexicalIndex.build uses

# A toy corpus whose analyzer terms are written out by hand below (no compound splits happen:
# no word is made of two other words of the corpus), so the reference needs no analyzer.
TOY = [
    "De huisarts werkt samen met de apotheker.",
    "De apotheker en de apotheker.",
    "Thuiszorg voor ouderen in Limburg.",
    "Huisartsen in Limburg en huisartsen in Brabant.",
]
TOY_TERMS = [
    ["huisarts", "werk", "saam", "apotheker"],
    ["apotheker", "apotheker"],
    ["thuiszorg", "ouder", "limburg"],
    ["huisarts", "limburg", "huisarts", "brabant"],
]


def reference_bm25(corpus: list[list[str]], query: list[str], k1: float = K1, b: float = B) -> list[float]:
    """Lucene-style BM25, written out plainly: idf = ln(1 + (N - df + .5) / (df + .5)),
    tf part = tf / (tf + k1 * (1 - b + b * dl / avgdl))."""
    n = len(corpus)
    avgdl = sum(map(len, corpus)) / n
    df = Counter(term for doc in corpus for term in set(doc))
    scores = []
    for doc in corpus:
        tf = Counter(doc)
        score = 0.0
        for term in query:
            if not tf[term]:
                continue
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            score += idf * tf[term] / (tf[term] + k1 * (1 - b + b * len(doc) / avgdl))
        scores.append(score)
    return scores


@pytest.fixture(scope="module")
def toy() -> LexicalIndex:
    return LexicalIndex.build(TOY)


def test_toy_corpus_analyzes_to_the_hand_written_terms(toy: LexicalIndex) -> None:
    assert [toy.analyzer.terms(text) for text in TOY] == TOY_TERMS


@pytest.mark.parametrize("query, terms", [
    ("apotheker", ["apotheker"]),
    ("huisartsen in Limburg", ["huisarts", "limburg"]),
    ("Thuiszorg voor de ouderen", ["thuiszorg", "ouder"]),
    ("apotheker Brabant werkt", ["apotheker", "brabant", "werk"]),
])
def test_scores_match_a_reference_bm25(toy: LexicalIndex, query: str, terms: list[str]) -> None:
    assert toy.scores(query) == pytest.approx(reference_bm25(TOY_TERMS, terms), rel=1e-5)


def test_empty_passage_keeps_its_place_and_scores_zero() -> None:
    texts = ["De huisarts in de wijk.", "", "De apotheker.", "de het een"]
    index = LexicalIndex.build(texts)
    scores = index.scores("huisarts apotheker")
    assert index.size == 4 and scores.shape == (4,)
    assert scores[1] == 0 and scores[3] == 0
    # an empty passage counts as one placeholder term in the average length
    corpus = [["huisarts", "wijk"], ["\u2205"], ["apotheker"], ["\u2205"]]
    assert scores == pytest.approx(reference_bm25(corpus, ["huisarts", "apotheker"]), rel=1e-5)


def test_repeated_term_and_shorter_passage_rank_higher(toy: LexicalIndex) -> None:
    scores = toy.scores("apotheker")
    assert scores[1] > scores[0] > 0  # twice in two words beats once in four
    assert scores[2] == scores[3] == 0


def test_plural_query_finds_singular_passage(toy: LexicalIndex) -> None:
    assert np.array_equal(toy.scores("apothekers"), toy.scores("apotheker"))


@pytest.mark.parametrize("query", ["", "   ", "?!", "de het een", "pharmacist", "xyzzy 12345"])
def test_query_without_corpus_terms_scores_zero_everywhere(toy: LexicalIndex, query: str) -> None:
    scores = toy.scores(query)
    assert scores.dtype == np.float32 and scores.shape == (len(TOY),)
    assert not scores.any()


def test_unknown_words_do_not_change_the_scores_of_known_ones(toy: LexicalIndex) -> None:
    assert np.array_equal(toy.scores("apotheker pharmacist onbekend"), toy.scores("apotheker"))


def test_compound_query_finds_passages_with_its_parts() -> None:
    index = LexicalIndex.build(["De zorg in de regio.", "De verplaatsing van patiënten.", "Het weer."])
    scores = index.scores("zorgverplaatsing")
    assert scores[0] > 0 and scores[1] > 0 and scores[2] == 0


def test_very_long_passage_is_indexed_and_scored() -> None:
    index = LexicalIndex.build(["De huisarts in de wijk. " * 5_000, "De apotheker."])
    scores = index.scores("huisarts")
    assert scores[0] > 0 and scores[1] == 0


# coverage ----------------------------------------------------------------------------------


@pytest.mark.parametrize("query, share", [
    ("apotheker huisarts", 1.0),
    ("apothekers in Limburg", 1.0),  # stems and stopwords
    ("apotheker pharmacist", 0.5),
    ("the pharmacist in the city", 0.0),  # a foreign-language query
    ("De huisarts en 2024", 1.0),  # numbers are not content words
])
def test_coverage_is_the_share_of_content_words_in_the_corpus(toy: LexicalIndex, query: str, share: float) -> None:
    assert toy.coverage(query) == pytest.approx(share)


@pytest.mark.parametrize("query", ["", "?!", "de het een", "2024"])
def test_coverage_of_query_without_content_words_is_zero(toy: LexicalIndex, query: str) -> None:
    assert toy.coverage(query) == 0.0


def test_coverage_counts_short_corpus_words() -> None:
    # three letters: too short for the compound splitter's vocabulary, found through the BM25 terms
    index = LexicalIndex.build(["De GGZ in Limburg."])
    assert "ggz" not in index.analyzer.splitter.vocab
    assert index.coverage("ggz") == 1.0


# save and load -----------------------------------------------------------------------------


def test_save_and_load_keeps_scores_coverage_and_compounds(tmp_path: Path) -> None:
    texts = [*TOY, "Zorg en verplaatsing.", "De zorgverplaatsing naar huis."]
    built = LexicalIndex.build(texts)
    built.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, len(texts))
    assert loaded.size == len(texts)
    for query in ["huisarts", "apothekers Limburg", "zorgverplaatsing", "onbekend"]:
        assert np.array_equal(loaded.scores(query), built.scores(query))
        assert loaded.coverage(query) == built.coverage(query)
    assert loaded.analyzer.splitter.split("zorgverplaatsing") == ["zorg", "verplaatsing"]


def test_saved_index_is_plain_npy_and_json_files(tmp_path: Path) -> None:
    LexicalIndex.build(TOY).save(tmp_path)
    folder = tmp_path / LEXICAL_DIR
    arrays = sorted(folder.glob("*.npy"))
    assert arrays, "no .npy arrays written"
    for path in arrays:
        assert np.load(path, allow_pickle=False).dtype != object  # np.load raises if it needed pickle
    vocab = json.loads((folder / VOCAB_FILE).read_text(encoding="utf-8"))
    assert vocab["apotheker"] == 3 and vocab["limburg"] == 2
    assert all(len(word) >= 4 for word in vocab)


def test_load_refuses_an_index_of_another_size(tmp_path: Path) -> None:
    LexicalIndex.build(TOY).save(tmp_path)
    with pytest.raises(ValueError, match="holds 4 passages, expected 5"):
        LexicalIndex.load(tmp_path, 5)


def test_load_of_missing_index_raises_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unreadable BM25 index"):
        LexicalIndex.load(tmp_path, 3)


@pytest.mark.parametrize("damage", ["vocabulary", "empty-array", "params"])
def test_load_of_damaged_index_raises_value_error(tmp_path: Path, damage: str) -> None:
    LexicalIndex.build(TOY).save(tmp_path)
    folder = tmp_path / LEXICAL_DIR
    if damage == "vocabulary":
        (folder / VOCAB_FILE).write_text("{not json", encoding="utf-8")
    elif damage == "empty-array":
        next(folder.glob("*.npy")).write_bytes(b"")
    else:
        next(folder.glob("params*.json")).unlink()
    with pytest.raises(ValueError, match="unreadable BM25 index"):
        LexicalIndex.load(tmp_path, len(TOY))


def test_empty_index_saves_only_its_vocabulary_and_loads(tmp_path: Path) -> None:
    LexicalIndex.build([]).save(tmp_path)
    assert [p.name for p in (tmp_path / LEXICAL_DIR).iterdir()] == [VOCAB_FILE]
    assert LexicalIndex.load(tmp_path, 0).size == 0
    with pytest.raises(ValueError):
        LexicalIndex.load(tmp_path, 2)


@pytest.mark.parametrize("how", ["built", "loaded"])
def test_empty_index_scores_nothing(tmp_path: Path, how: str) -> None:
    index = LexicalIndex.build([])
    if how == "loaded":
        index.save(tmp_path)
        index = LexicalIndex.load(tmp_path, 0)
    scores = index.scores("huisarts")
    assert scores.shape == (0,) and scores.dtype == np.float32
    assert index.coverage("huisarts") == 0.0

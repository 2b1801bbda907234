"""index/records.py: the records search hands out (Quote, Hit, SearchResult) and their checks."""

from __future__ import annotations

import dataclasses

import pytest

from beleidsbron.index.records import MODES, Hit, Quote, SearchResult
from beleidsbron.ingest.records import PAGE_BREAK, Chunk, Source

IZA = Source(file="iza.pdf", title="Mid-term review Integraal Zorgakkoord: Samen kom je verder",
             publisher="IZA-partijen", year=2024, kind="rapport")
PAGE_ONE = "Het Integraal Zorgakkoord maakt afspraken over passende zorg."
PAGE_TWO = "De mid-term review meet de voortgang van het akkoord."


def quote(text: str = "passende zorg", page: int = 1, start: int = 47) -> Quote:
    return Quote(text=text, page=page, start=start, end=start + len(text))


def one_page_chunk() -> Chunk:
    return Chunk(id="c1", doc="iza.pdf", text=PAGE_ONE, page_start=1, page_end=1, start=0, end=len(PAGE_ONE))


# Quote ------------------------------------------------------------------------------------
def test_a_quote_holds_its_text_page_and_offsets() -> None:
    q = Quote(text="passende zorg", page=12, start=47, end=60)
    assert (q.text, q.page, q.start, q.end) == ("passende zorg", 12, 47, 60)
    assert PAGE_ONE[q.start:q.end] == q.text


@pytest.mark.parametrize("start, end", [(47, 59), (47, 61), (60, 47), (0, 0)])
def test_offsets_that_do_not_span_the_text_are_refused(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="offsets must span exactly its text"):
        Quote(text="passende zorg", page=1, start=start, end=end)


def test_a_quote_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        quote().text = "andere zorg"  # type: ignore[misc]


def test_quotes_are_equal_by_value() -> None:
    # search shows a quote once per document by comparing quotes: equality must be by value
    assert quote() == quote() and hash(quote()) == hash(quote())
    assert quote(page=1) != quote(page=2)
    assert quote(start=47) != quote(start=0)


@pytest.mark.parametrize("page, start", [(1, -13), (0, 47)], ids=["negative offset", "page 0"])
def test_a_quote_outside_any_page_is_refused(page: int, start: int) -> None:
    with pytest.raises(ValueError):
        quote(page=page, start=start)


# Hit --------------------------------------------------------------------------------------
def test_a_hit_names_its_document_from_the_chunk() -> None:
    hit = Hit(chunk=one_page_chunk(), source=IZA, score=0.83, quote=quote())
    assert hit.doc == "iza.pdf" and hit.score == 0.83


def test_a_hit_names_the_passages_it_covers_the_ranked_one_first() -> None:
    hit = Hit(chunk=one_page_chunk(), source=IZA, score=0.83, quote=quote())
    assert hit.passages == ("c1",)
    merged = dataclasses.replace(hit, passages=("c1", "c6"))
    assert merged.passages == ("c1", "c6") and merged.chunk.id == "c1"


@pytest.mark.parametrize("passages", [("c6", "c1"), ("c1", "c1"), ("c6",)])
def test_a_hit_refuses_passages_that_do_not_start_with_its_own_or_repeat_one(passages: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match=r"Hit.passages must start with its chunk's id \(c1\)"):
        Hit(chunk=one_page_chunk(), source=IZA, score=0.83, quote=quote(), passages=passages)


def test_a_hit_on_a_passage_across_a_page_break_is_on_the_page_of_its_quote() -> None:
    text = PAGE_ONE + PAGE_BREAK + PAGE_TWO
    chunk = Chunk(id="c2", doc="iza.pdf", text=text, page_start=1, page_end=2, start=0, end=len(PAGE_TWO))
    hit = Hit(chunk=chunk, source=IZA, score=1.0, quote=quote("De mid-term review", page=2, start=0))
    assert hit.page == 2  # not chunk.page_start
    assert hit.citation.endswith(", p. 2.")


def test_a_hit_cites_publisher_year_title_and_page() -> None:
    hit = Hit(chunk=one_page_chunk(), source=IZA, score=1.0, quote=quote(page=12))
    assert hit.citation == "IZA-partijen (2024). Mid-term review Integraal Zorgakkoord: Samen kom je verder, p. 12."


def test_a_hit_without_year_or_publisher_cites_the_title_zonder_datum() -> None:
    source = Source(file="notitie.pdf", title="Notitie wijkverpleging")
    hit = Hit(chunk=one_page_chunk(), source=source, score=1.0, quote=quote(page=3))
    assert hit.citation == "Notitie wijkverpleging (z.d.), p. 3."


def test_a_hit_is_frozen() -> None:
    hit = Hit(chunk=one_page_chunk(), source=IZA, score=1.0, quote=quote())
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.score = 2.0  # type: ignore[misc]


# SearchResult -----------------------------------------------------------------------------
def test_the_four_modes() -> None:
    assert MODES == ("keyword", "semantic", "hybrid", "rerank")


@pytest.mark.parametrize("mode", MODES)
def test_a_result_in_any_mode_is_accepted(mode: str) -> None:
    result = SearchResult(query="passende zorg", mode=mode, hits=())
    assert result.mode == mode and result.hits == ()


def test_a_result_is_neither_flagged_nor_carries_a_note_by_default() -> None:
    result = SearchResult(query="passende zorg", mode="hybrid", hits=())
    assert result.low_confidence is False and result.note == ""


def test_a_result_keeps_its_hits_in_order() -> None:
    hits = (Hit(one_page_chunk(), IZA, 2.0, quote()), Hit(one_page_chunk(), IZA, 1.0, quote(page=2)))
    result = SearchResult(query="passende zorg", mode="rerank", hits=hits, note="query shortened to 1000 characters")
    assert result.hits == hits and [h.page for h in result.hits] == [1, 2]
    assert result.note == "query shortened to 1000 characters"


@pytest.mark.parametrize("mode", ["fuzzy", "", "Hybrid", "bm25"])
def test_an_unknown_mode_is_refused_naming_the_allowed_ones(mode: str) -> None:
    with pytest.raises(ValueError, match="mode must be one of keyword, semantic, hybrid, rerank"):
        SearchResult(query="passende zorg", mode=mode, hits=())


def test_a_result_is_frozen() -> None:
    result = SearchResult(query="passende zorg", mode="keyword", hits=())
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.low_confidence = True  # type: ignore[misc]

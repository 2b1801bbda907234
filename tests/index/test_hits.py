"""index/hits.py: ranked passages → hits, over a small chunk store whose passages are laid out by hand."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from beleidsbron.index.hits import HitMaker
from beleidsbron.index.manifest import UnusableIndexError
from beleidsbron.index.store import ChunkStore
from beleidsbron.ingest.records import Chunk, Document, Page, Source
from beleidsbron.ingest.sentences import page_sentences

PAGES = ["Eerst de wijk. Dan de zorg thuis. Dan de huisarts.", "Tot slot de gemeente. Een laatste zin."]
DOC = Document(Source("a.pdf", "Nota A"), hashlib.sha256(b"a").hexdigest(),
               tuple(Page(i, text) for i, text in enumerate(PAGES, start=1)))
SENTENCES = page_sentences(DOC)  # 0-2 on page 1, 3-4 on page 2


def passage(first: int, last: int) -> tuple[Chunk, tuple[int, int]]:
    """The passage over sentences [first, last) and its sentence range."""
    a, b = SENTENCES[first], SENTENCES[last - 1]
    starts = dict(zip((p.number for p in DOC.pages), DOC.page_starts))
    text = DOC.text[starts[a.page] + a.start:starts[b.page] + b.end]
    chunk = Chunk(id=f"p{first}{last}", doc=DOC.file, text=text, page_start=a.page, page_end=b.page, start=a.start,
                  end=b.end)
    return chunk, (first, last)


# rows: 0 = sentences 0-1; 1 = 1-2 (overlaps row 0); 2 = sentence 2 (follows row 0 after a space);
# 3 = 3-4, page 2 (only the page break lies between it and rows 1, 2); 4 = sentence 4
PASSAGES = [passage(0, 2), passage(1, 3), passage(2, 3), passage(3, 5), passage(4, 5)]


@pytest.fixture
def maker(tmp_path: Path) -> HitMaker:
    store = ChunkStore.create(tmp_path)
    store.add(DOC, [c for c, _ in PASSAGES], SENTENCES, [r for _, r in PASSAGES])
    store.close()
    store = ChunkStore.open(tmp_path)
    return HitMaker(store, store.sources(), store.sentence_ranges())


def first_sentence_best(row: int, maker: HitMaker) -> np.ndarray:
    lo, hi = maker.ranges[row]
    return np.arange(hi - lo, 0, -1, dtype=np.float64)


def hits_for(maker: HitMaker, rows: list[int], k: int = 10):
    return maker.hits(np.array(rows), np.linspace(1.0, 0.5, len(rows)), k, lambda r: first_sentence_best(r, maker))


def test_a_hit_quotes_its_best_sentence_verbatim_with_page_and_offsets(maker: HitMaker) -> None:
    [hit] = hits_for(maker, [3])
    assert hit.passages == ("p35",) and hit.page == 2 and hit.source.title == "Nota A"
    assert PAGES[1][hit.quote.start:hit.quote.end] == hit.quote.text
    assert hit.quote.text.startswith("Tot slot de gemeente.")


def test_a_passage_overlapping_one_better_hit_is_merged_into_it(maker: HitMaker) -> None:
    [hit] = hits_for(maker, [0, 1])
    assert hit.passages == ("p02", "p13")  # the one that ranked it first
    assert hit.chunk.text == PAGES[0] and (hit.chunk.start, hit.chunk.end) == (0, len(PAGES[0]))
    assert hit.quote.text.startswith("Eerst de wijk.")  # the quote of the passage that ranked it


def test_a_passage_across_the_page_break_from_a_hit_is_merged_with_the_break_in_its_text(maker: HitMaker) -> None:
    [hit] = hits_for(maker, [2, 3])
    assert hit.passages == ("p23", "p35")
    assert hit.chunk.text == "Dan de huisarts.\fTot slot de gemeente. Een laatste zin."
    assert (hit.chunk.page_start, hit.chunk.page_end) == (1, 2)


def test_a_hit_merges_at_most_one_neighbour_and_a_passage_touching_two_hits_joins_neither(maker: HitMaker) -> None:
    assert [h.passages for h in hits_for(maker, [0, 1, 2])] == [("p02", "p13")]  # row 2 stays out
    # rows 1 and 2 touch both hits (row 1 across the page break): neither joins
    assert [h.passages for h in hits_for(maker, [0, 3, 1, 2])] == [("p02",), ("p35",)]


def test_at_most_k_hits_and_a_folded_passage_does_not_count(maker: HitMaker) -> None:
    hits = hits_for(maker, [0, 1, 3], k=2)
    assert [h.passages[0] for h in hits] == ["p02", "p35"]
    assert [h.passages[0] for h in hits_for(maker, [0, 3, 4], k=1)] == ["p02"]


def test_touches_tells_overlap_and_white_space_apart_from_text_between(maker: HitMaker) -> None:
    chunks = [c for c, _ in PASSAGES]
    assert maker.touches(chunks[0], chunks[1]) and maker.touches(chunks[0], chunks[2])
    assert maker.touches(chunks[2], chunks[3])  # only the page break lies between
    assert not maker.touches(chunks[0], chunks[3])  # "Dan de huisarts." lies between


def test_a_passage_without_sentences_is_damage(tmp_path: Path) -> None:
    store = ChunkStore.create(tmp_path)
    store.add(DOC, [PASSAGES[0][0]], SENTENCES, [(0, 0)])
    store.close()
    store = ChunkStore.open(tmp_path)
    maker = HitMaker(store, store.sources(), store.sentence_ranges())
    with pytest.raises(UnusableIndexError, match="passage p02 has no sentences; rebuild"):
        maker.hits(np.array([0]), np.array([1.0]), 5, lambda r: np.zeros(0))

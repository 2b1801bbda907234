"""index/search.py: the Searcher over a tiny index built from generated PDFs with the fake embedder.

Behaviour through the public API only (Searcher.open(...).search(...), Filters, Tuning and the
SearchResult it returns), so that the ranking inside may change without these tests changing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import UnusableIndexError
from beleidsbron.index.records import MODES, SearchResult
from beleidsbron.index.search import MAX_QUERY_CHARS, Filters, Searcher, Tuning
from beleidsbron.index.tokens import FILES as TOKEN_FILES
from beleidsbron.ingest.chunk import ChunkSettings
from beleidsbron.ingest.embed import DEFAULT_MODEL
from beleidsbron.ingest.records import Chunk, Source

from fakes import FakeEmbedder, make_pdf

# file → (pages, title, publisher, year, kind); small passages (100 characters, 40 overlap) so
# that a page holds several of them
CORPUS = {
    "wijkverpleging.pdf": (["De wijkverpleegkundige indiceert zelf de zorg voor ouderen thuis.",
                            "Wijkverpleging voorkomt een opname in het ziekenhuis."],
                           "Wijkverpleging in de thuissituatie", "Zorginstituut Nederland", 2022, "advies"),
    "mantelzorg.pdf": (["Mantelzorgers hebben recht op respijtzorg wanneer de zorg te zwaar wordt.",
                        "De gemeente organiseert respijtzorg via de Wmo."],
                       "Mantelzorg en respijtzorg", "Movisie", 2023, "handreiking"),
    # four sentences: two passages that share the third on page 1
    "ggz.pdf": (["De wachttijden in de ggz lopen op. Vooral jongeren wachten lang. Het gaat om depressie en angst. "
                 "Dat geldt in de Randstad."],
                "Wachttijden in de ggz", "Trimbos-instituut", 2024, "rapport"),
    # three sentences: two passages side by side on page 1, one space apart
    "valpreventie.pdf": (["Valpreventie begint met een huisbezoek. Valpreventie vraagt om een goede trapleuning. "
                          "Valpreventie is een taak van de gemeente."],
                         "Valpreventie bij ouderen", "VeiligheidNL", 2023, "handreiking"),
    # a passage across the page break and one on page 2 both hold "Dagbesteding ontlast…"
    "dagbesteding.pdf": (["Inleiding van het rapport.",
                          "Dagbesteding ontlast de mantelzorgers. De provincie betaalt mee aan het vervoer naar de "
                          "opvang."],
                         "Dagbesteding", "Vilans", 2021, "rapport"),
    # the same, but the page-2 passage's quote grows by a short sentence
    "logeerzorg.pdf": (["Voorwoord van de redactie bij deze handreiking over logeren.",
                        "Logeerzorg geeft ouders rust. Dat is hoopvol."],
                       "Logeerzorg", "Vilans", 2021, "rapport"),
    # five sentences on one page: several passages in a row
    "kraamzorg.pdf": (["Kraamzorg helpt de moeder thuis. Kraamzorg let op de baby en de voeding. Kraamzorg geeft "
                       "uitleg over de verzorging. Kraamzorg duurt meestal acht dagen. Kraamzorg is verzekerd."],
                      "Kraamzorg", "Patientenfederatie", 2020, "brochure"),
}
SETTINGS = ChunkSettings(100, 40)
NO_FLAG = Tuning(flag_below=0.0)
EXACT = "De wijkverpleegkundige indiceert zelf de zorg voor ouderen thuis."


def build(root: Path, embedder: FakeEmbedder) -> DataHome:
    folder = root / "docs"
    folder.mkdir(parents=True)
    entries = []
    for name, (pages, title, publisher, year, kind) in CORPUS.items():
        (folder / name).write_bytes(make_pdf(pages, title=title))
        entries.append({"file": name, "title": title, "publisher": publisher, "year": year, "kind": kind})
    (folder / "sources.json").write_text(json.dumps(entries), encoding="utf-8")
    home = DataHome(root / "home")
    report = Ingestor(home, embedder, SETTINGS).run([folder])
    assert report.ok and report.documents == len(CORPUS), report.failures
    return home


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> DataHome:
    """The corpus indexed once for the module; the tests only read it."""
    return build(tmp_path_factory.mktemp("search"), FakeEmbedder())


@pytest.fixture(scope="module")
def searcher(home: DataHome) -> Searcher:
    return Searcher.open(home, FakeEmbedder(), NO_FLAG)


def docs(result: SearchResult) -> list[str]:
    return [h.doc for h in result.hits]


def check_quotes(searcher: Searcher, result: SearchResult) -> None:
    for hit in result.hits:
        page = searcher.store.page_text(hit.doc, hit.page)
        assert page[hit.quote.start:hit.quote.end] == hit.quote.text and hit.quote.text.strip()
        chunk = hit.chunk  # the passage shown around the quote holds all of it
        assert (chunk.page_start, chunk.start) <= (hit.page, hit.quote.start)
        assert (hit.page, hit.quote.end) <= (chunk.page_end, chunk.end)


# ranking ----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("query, doc", [("valpreventie", "valpreventie.pdf"), ("wachttijden", "ggz.pdf"),
                                        ("respijtzorg", "mantelzorg.pdf"), ("ziekenhuis", "wijkverpleging.pdf")])
def test_a_keyword_query_ranks_the_passage_with_the_word_first(searcher: Searcher, mode: str, query: str,
                                                               doc: str) -> None:
    result = searcher.search(query, k=5, mode=mode)
    assert result.mode == mode and result.query == query and not result.low_confidence
    assert result.hits[0].doc == doc
    assert query in result.hits[0].quote.text.lower()


@pytest.mark.parametrize("mode", MODES)
def test_hits_come_best_first_with_at_most_k(searcher: Searcher, mode: str) -> None:
    for k in (1, 3, 50):
        result = searcher.search("zorg voor ouderen in de gemeente", k=k, mode=mode)
        scores = [h.score for h in result.hits]
        assert 0 < len(scores) <= k and scores == sorted(scores, reverse=True)


def test_keyword_mode_finds_nothing_for_a_word_the_corpus_lacks(searcher: Searcher) -> None:
    result = searcher.search("zwembad", mode="keyword")
    assert result.hits == () and not result.low_confidence and result.note == ""


def test_the_same_query_gives_the_same_answer(searcher: Searcher) -> None:
    first = searcher.search("respijtzorg voor mantelzorgers", k=5)
    again = searcher.search("respijtzorg voor mantelzorgers", k=5)
    assert [(h.doc, h.quote, h.score) for h in first.hits] == [(h.doc, h.quote, h.score) for h in again.hits]


def test_white_space_in_the_query_does_not_matter(searcher: Searcher) -> None:
    plain = searcher.search("respijtzorg mantelzorgers", k=3, mode="hybrid")
    spaced = searcher.search("  respijtzorg\t\n mantelzorgers  ", k=3, mode="hybrid")
    assert [h.quote for h in plain.hits] == [h.quote for h in spaced.hits]
    assert spaced.query == "  respijtzorg\t\n mantelzorgers  "  # the answer names what was asked


# quotes and provenance --------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_every_quote_is_the_exact_text_of_its_page(searcher: Searcher, mode: str) -> None:
    for query in ("valpreventie", "zorg voor ouderen", "dagbesteding ontlast", "logeerzorg", "ggz in de Randstad"):
        result = searcher.search(query, k=20, mode=mode)
        assert result.hits
        check_quotes(searcher, result)


def test_a_hit_cites_the_metadata_from_sources_json(searcher: Searcher) -> None:
    hit = searcher.search("respijtzorg", k=1, mode="keyword").hits[0]
    assert hit.source == Source("mantelzorg.pdf", "Mantelzorg en respijtzorg", "Movisie", 2023, "handreiking")
    assert hit.citation == f"Movisie (2023). Mantelzorg en respijtzorg, p. {hit.page}."


def test_a_quote_on_the_second_page_is_cited_with_that_page(searcher: Searcher) -> None:
    hit = searcher.search("ziekenhuis opname", k=1, mode="keyword").hits[0]
    assert hit.page == 2 and hit.quote.text == "Wijkverpleging voorkomt een opname in het ziekenhuis."
    assert hit.citation.endswith(", p. 2.")


# merging and dedup ------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_overlapping_passages_of_one_page_come_back_as_one_hit_covering_both(searcher: Searcher,
                                                                             mode: str) -> None:
    passages = [c for _, c in searcher.store.iter_chunks("ggz.pdf")]
    assert len(passages) == 2 and passages[1].start < passages[0].end  # the corpus is as intended
    hits = [h for h in searcher.search("wachttijden in de Randstad", k=10, mode=mode).hits if h.doc == "ggz.pdf"]
    assert len(hits) == 1
    chunk, page = hits[0].chunk, searcher.store.page_text("ggz.pdf", 1)
    assert (chunk.start, chunk.end) == (passages[0].start, passages[1].end) == (0, len(page))
    assert chunk.text == page
    # the quote is from the sentences of the passage that ranked the hit, which comes first
    ranked, other = (next(p for p in passages if p.id == i) for i in hits[0].passages)
    assert {ranked, other} == set(passages)
    assert hits[0].quote.start < ranked.end and ranked.start < hits[0].quote.end


@pytest.mark.parametrize("mode", MODES)
def test_hits_cover_one_or_two_passages_and_never_overlap(searcher: Searcher, mode: str) -> None:
    passages = [c for _, c in searcher.store.iter_chunks("kraamzorg.pdf")]
    assert len(passages) >= 3  # the corpus is as intended
    hits = [h for h in searcher.search("kraamzorg", k=10, mode=mode).hits if h.doc == "kraamzorg.pdf"]
    assert hits
    for hit in hits:
        inside = [p for p in passages if hit.chunk.start <= p.start and p.end <= hit.chunk.end]
        assert 1 <= len(inside) <= 2, [(p.start, p.end) for p in inside]
        assert hit.chunk.text == searcher.store.page_text("kraamzorg.pdf", 1)[hit.chunk.start:hit.chunk.end]
        assert hit.chunk.text[hit.quote.start - hit.chunk.start:][:len(hit.quote.text)] == hit.quote.text
    covered = sorted((h.chunk.start, h.chunk.end) for h in hits)
    assert all(a[1] < b[0] for a, b in zip(covered, covered[1:]))  # hits never overlap


def _touch(searcher: Searcher, a: Chunk, b: Chunk) -> bool:
    """Same document, and the spans overlap or only white space lies between (pages joined)."""
    if a.doc != b.doc:
        return False
    pages = [searcher.store.page_text(a.doc, n) for n in range(1, max(a.page_end, b.page_end) + 1)]
    at = [sum(len(t) + 1 for t in pages[:n - 1]) for n in range(1, len(pages) + 1)]
    first, second = sorted((at[c.page_start - 1] + c.start, at[c.page_end - 1] + c.end) for c in (a, b))
    return second[0] <= first[1] or not " ".join(pages)[first[1]:second[0]].strip()


def test_a_merged_neighbour_touches_no_other_hit(searcher: Searcher) -> None:
    """Merging comes after the hits are chosen: a neighbour that also touches another hit joins none,
    so merging never hides a passage that was shown as a hit of its own."""
    by_id = {c.id: c for _, c in searcher.store.iter_chunks()}
    side_by_side, overlapping = (tuple(c for _, c in searcher.store.iter_chunks(doc)) for doc in ("valpreventie.pdf",
                                                                                                   "ggz.pdf"))
    assert _touch(searcher, *side_by_side) and _touch(searcher, *overlapping)  # the helper sees both kinds
    assert not _touch(searcher, side_by_side[0], overlapping[0])
    merged = 0
    for mode in MODES:
        for query in ("kraamzorg", "kraamzorg baby verzorging", "valpreventie", "wachttijden ggz", "dagbesteding"):
            hits = searcher.search(query, k=10, mode=mode).hits
            for hit in hits:
                ranked, *rest = (by_id[i] for i in hit.passages)
                assert ranked.doc == hit.doc and len(rest) <= 1
                for other in hits:
                    if other is not hit:
                        assert not any(_touch(searcher, other.chunk, c) for c in (ranked, *rest))
                merged += len(rest)
    assert merged  # the corpus has neighbours to merge


@pytest.mark.parametrize("mode", MODES)
def test_hits_on_passages_of_the_same_page_never_overlap(searcher: Searcher, mode: str) -> None:
    seen = 0
    for query in ("valpreventie", "wachttijden ggz jongeren Randstad", "zorg", "mantelzorgers respijtzorg"):
        hits = [h for h in searcher.search(query, k=20, mode=mode).hits if h.chunk.page_start == h.chunk.page_end]
        seen += len(hits)
        for i, a in enumerate(hits):
            for b in hits[i + 1:]:
                if (a.doc, a.chunk.page_start) == (b.doc, b.chunk.page_start):
                    assert a.chunk.end < b.chunk.start or b.chunk.end < a.chunk.start, query
                    assert a.quote.end <= b.quote.start or b.quote.end <= a.quote.start, query
                    between = searcher.store.page_text(a.doc, a.chunk.page_start)[
                        min(a.chunk.end, b.chunk.end):max(a.chunk.start, b.chunk.start)]
                    assert between.strip(), f"{query}: side-by-side passages were not merged"
    assert seen >= 4  # every query finds something


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_side_by_side_passages_of_one_page_come_back_as_one_hit(searcher: Searcher, mode: str) -> None:
    passages = [c for _, c in searcher.store.iter_chunks("valpreventie.pdf")]
    assert len(passages) == 2 and passages[0].end + 1 == passages[1].start  # one space apart
    hits = [h for h in searcher.search("valpreventie", k=10, mode=mode).hits if h.doc == "valpreventie.pdf"]
    assert len(hits) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_sentence_quoted_by_two_passages_across_a_page_break_is_shown_once(searcher: Searcher,
                                                                            mode: str) -> None:
    sentence = "Dagbesteding ontlast de mantelzorgers."
    holders = [c for _, c in searcher.store.iter_chunks("dagbesteding.pdf") if sentence in c.text]
    assert [(c.page_start, c.page_end) for c in holders] == [(1, 2), (2, 2)]  # the corpus is as intended
    result = searcher.search("dagbesteding ontlast", k=10, mode=mode)
    quotes = [h.quote for h in result.hits if h.doc == "dagbesteding.pdf"]
    assert [q.text for q in quotes].count(sentence) == 1
    assert len(quotes) == len(set(quotes))


@pytest.mark.parametrize("mode", ["keyword", "rerank"])
def test_a_sentence_shared_by_a_page_break_passage_is_not_quoted_twice(searcher: Searcher, mode: str) -> None:
    holders = [c for _, c in searcher.store.iter_chunks("logeerzorg.pdf") if "Logeerzorg geeft" in c.text]
    assert [(c.page_start, c.page_end) for c in holders] == [(1, 2), (2, 2)]  # the corpus is as intended
    quotes = [h.quote for h in searcher.search("logeerzorg rust", k=10, mode=mode).hits if h.doc == "logeerzorg.pdf"]
    assert sum("Logeerzorg geeft ouders rust." in q.text for q in quotes) == 1


# filters ----------------------------------------------------------------------------------
FILTERS = {
    "document": (Filters(docs=frozenset({"mantelzorg.pdf"})), {"mantelzorg.pdf"}),
    "publisher": (Filters(publishers=frozenset({"Vilans"})), {"dagbesteding.pdf", "logeerzorg.pdf"}),
    "year": (Filters(years=frozenset({2023})), {"mantelzorg.pdf", "valpreventie.pdf"}),
    "kind": (Filters(kinds=frozenset({"advies", "rapport"})),
             {"wijkverpleging.pdf", "ggz.pdf", "dagbesteding.pdf", "logeerzorg.pdf"}),
    "year and kind": (Filters(years=frozenset({2023}), kinds=frozenset({"handreiking"})),
                      {"mantelzorg.pdf", "valpreventie.pdf"}),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(FILTERS))
def test_a_filter_keeps_only_the_documents_it_admits(searcher: Searcher, mode: str, name: str) -> None:
    filters, admitted = FILTERS[name]
    result = searcher.search("zorg voor mantelzorgers en ouderen in de gemeente", k=20, mode=mode, filters=filters)
    assert result.hits and set(docs(result)) <= admitted
    if mode != "keyword":  # the dense channel reaches every admitted passage
        assert set(docs(result)) == admitted


@pytest.mark.parametrize("mode", MODES)
def test_a_filter_excludes_the_document_that_would_rank_first(searcher: Searcher, mode: str) -> None:
    unfiltered = searcher.search("valpreventie", k=3, mode=mode)
    assert unfiltered.hits[0].doc == "valpreventie.pdf"
    filtered = searcher.search("valpreventie", k=3, mode=mode, filters=Filters(docs=frozenset({"ggz.pdf"})))
    assert "valpreventie.pdf" not in docs(filtered) and set(docs(filtered)) <= {"ggz.pdf"}


@pytest.mark.parametrize("mode", MODES)
def test_a_filter_that_admits_nothing_gives_no_hits(searcher: Searcher, mode: str) -> None:
    for filters in (Filters(years=frozenset({2023}), kinds=frozenset({"advies"})),
                    Filters(docs=frozenset({"bestaat-niet.pdf"})), Filters(publishers=frozenset({"movisie"}))):
        result = searcher.search("zorg", mode=mode, filters=filters)
        assert result.hits == () and not result.low_confidence


def test_filters_admit_a_source_only_when_every_set_field_matches() -> None:
    source = Source("mantelzorg.pdf", "Mantelzorg en respijtzorg", "Movisie", 2023, "handreiking")
    assert Filters().admits(source)
    assert Filters(docs=frozenset({"mantelzorg.pdf", "ggz.pdf"})).admits(source)
    assert Filters(publishers=frozenset({"Movisie"}), years=frozenset({2023})).admits(source)
    assert not Filters(publishers=frozenset({"Movisie"}), years=frozenset({2022})).admits(source)
    assert not Filters(kinds=frozenset({"rapport"})).admits(source)
    assert not Filters(years=frozenset({2023})).admits(Source("notitie.pdf", "Notitie"))  # no year: not 2023


# queries with nothing to search, long queries, k and mode ---------------------------------
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("query", ["", "   \t\n", "?!…", "— – · ...", "🏥💊"])
def test_a_query_without_letters_or_digits_searches_nothing(home: DataHome, mode: str, query: str) -> None:
    embedder = FakeEmbedder()
    result = Searcher.open(home, embedder, NO_FLAG).search(query, mode=mode)
    assert result.hits == () and not result.low_confidence and result.note == "nothing to search for"
    assert result.query == query and embedder.calls == []


@pytest.mark.parametrize("mode", MODES)
def test_a_long_query_is_cut_and_the_result_says_so(home: DataHome, mode: str) -> None:
    embedder = FakeEmbedder()
    query = "respijtzorg voor mantelzorgers " * 50  # 1,500 characters
    result = Searcher.open(home, embedder, NO_FLAG).search(query, k=3, mode=mode)
    assert result.note == f"query shortened to {MAX_QUERY_CHARS} characters"
    assert result.query == query and result.hits[0].doc == "mantelzorg.pdf"
    assert all(len(text) <= MAX_QUERY_CHARS for _, texts in embedder.calls for text in texts)


def test_a_query_of_exactly_the_maximum_is_not_cut(searcher: Searcher) -> None:
    query = ("respijtzorg " * 100)[:MAX_QUERY_CHARS]
    assert len(query) == MAX_QUERY_CHARS
    assert searcher.search(query, mode="keyword").note == ""
    assert searcher.search(query + "x", mode="keyword").note == f"query shortened to {MAX_QUERY_CHARS} characters"


def test_white_space_is_collapsed_before_the_length_is_measured(searcher: Searcher) -> None:
    query = "respijtzorg" + " " * 1_500 + "mantelzorgers"
    result = searcher.search(query, k=1, mode="keyword")
    assert result.note == "" and result.hits[0].doc == "mantelzorg.pdf"


def test_a_long_query_without_words_says_it_was_cut(searcher: Searcher) -> None:
    result = searcher.search("?" * 1_500)
    assert result.hits == () and result.note == f"query shortened to {MAX_QUERY_CHARS} characters"


@pytest.mark.parametrize("k", [0, -1])
def test_k_below_one_is_refused(searcher: Searcher, k: int) -> None:
    with pytest.raises(ValueError, match=f"k must be at least 1, got {k}"):
        searcher.search("respijtzorg", k=k)


def test_k_of_one_gives_one_hit(searcher: Searcher) -> None:
    assert len(searcher.search("zorg", k=1, mode="hybrid").hits) == 1


@pytest.mark.parametrize("mode", ["fuzzy", "bm25", "Hybrid", ""])
def test_an_unknown_mode_is_refused_naming_the_allowed_ones(searcher: Searcher, mode: str) -> None:
    with pytest.raises(ValueError, match="mode must be one of keyword, semantic, hybrid, rerank"):
        searcher.search("respijtzorg", mode=mode)


# the low-confidence flag -------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_the_default_tuning_never_flags_with_another_model_than_the_default(home: DataHome, mode: str) -> None:
    searcher = Searcher.open(home, FakeEmbedder(), Tuning())
    result = searcher.search("ouderen ziekenhuis gemeente", k=3, mode=mode)
    assert result.hits and not result.low_confidence


@pytest.mark.parametrize("mode", MODES)
def test_a_doubtful_result_keeps_its_hits_in_every_mode(home: DataHome, mode: str) -> None:
    searcher = Searcher.open(home, FakeEmbedder(), Tuning(flag_below=2.0))  # a threshold nothing reaches
    result = searcher.search(EXACT, k=3, mode=mode)
    assert result.low_confidence and result.query == EXACT
    assert result.hits[0].doc == "wijkverpleging.pdf" and result.hits[0].quote.text == EXACT
    assert result.hits == searcher.search(EXACT, k=3, mode=mode).hits  # the flag changes no ranking


def test_a_threshold_of_zero_never_flags(searcher: Searcher) -> None:
    for query in (EXACT, "ouderen ziekenhuis gemeente", "de zorg"):
        result = searcher.search(query, k=3)
        assert result.hits and not result.low_confidence


def test_the_share_of_the_query_matched_in_the_top_hit_decides_against_the_threshold(home: DataHome) -> None:
    searcher = Searcher.open(home, FakeEmbedder(), Tuning(flag_below=0.9))
    exact = searcher.search(EXACT, k=3)  # every query token is in the top passage: all of it matched
    assert not exact.low_confidence and exact.hits[0].quote.text == EXACT
    # one known word among words no passage has: the top passage matches a small part of the query
    weak = searcher.search("ouderen kosten tarief", k=3)
    assert weak.low_confidence and weak.hits


def test_an_index_without_token_vectors_never_flags(home_without_tokens: DataHome) -> None:
    searcher = Searcher.open(home_without_tokens, FakeEmbedder(), Tuning(flag_below=2.0))
    result = searcher.search(EXACT, k=3)
    assert result.hits and not result.low_confidence


class DefaultModelFake(FakeEmbedder):
    """The fake, under the default model's name: the default threshold applies to it."""

    model_id = DEFAULT_MODEL


@pytest.fixture(scope="module")
def default_model_home(tmp_path_factory: pytest.TempPathFactory) -> DataHome:
    return build(tmp_path_factory.mktemp("default-model"), DefaultModelFake())


def test_the_default_tuning_flags_with_the_default_model(default_model_home: DataHome) -> None:
    searcher = Searcher.open(default_model_home, DefaultModelFake(), Tuning())
    exact = searcher.search(EXACT, k=3)
    assert exact.hits[0].quote.text == EXACT and not exact.low_confidence
    weak = searcher.search("ouderen kosten tarief", k=3)
    assert weak.low_confidence and weak.hits


# rerank: without token vectors, with a configured cross-encoder ---------------------------
def copy_without_token_files(home: DataHome, root: Path) -> DataHome:
    copy = DataHome(root / "home")
    shutil.copytree(home.root, copy.root, symlinks=True)
    for name in TOKEN_FILES:
        path = copy.current() / name
        assert path.is_file()  # the fake embedder's index has them
        path.unlink()
    return copy


@pytest.fixture(scope="module")
def home_without_tokens(home: DataHome, tmp_path_factory: pytest.TempPathFactory) -> DataHome:
    """A copy of the index as one written before token vectors were kept: no token files, and
    a manifest that does not mention them."""
    copy = copy_without_token_files(home, tmp_path_factory.mktemp("no-tokens"))
    manifest = copy.current() / "manifest.json"
    raw = json.loads(manifest.read_text(encoding="utf-8"))
    raw.pop("token_vectors", None)
    manifest.write_text(json.dumps(raw), encoding="utf-8")
    return copy


@pytest.mark.parametrize("query, doc", [("valpreventie", "valpreventie.pdf"), ("wachttijden ggz", "ggz.pdf"),
                                        ("respijtzorg", "mantelzorg.pdf")])
def test_rerank_answers_from_an_index_without_token_vectors(home_without_tokens: DataHome, query: str,
                                                            doc: str) -> None:
    searcher = Searcher.open(home_without_tokens, FakeEmbedder(), NO_FLAG)
    result = searcher.search(query, k=5, mode="rerank")
    assert result.hits[0].doc == doc
    check_quotes(searcher, result)


def test_an_index_whose_token_files_are_missing_is_refused_as_damaged(home: DataHome, tmp_path: Path) -> None:
    copy = copy_without_token_files(home, tmp_path)  # the manifest still says the index has them
    with pytest.raises(UnusableIndexError, match="damaged index .*tokens.npy.*beleidsbron ingest --rebuild"):
        Searcher.open(copy, FakeEmbedder())


class ShortestFirst:
    """A stand-in cross-encoder: the shorter the passage, the better; records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def score(self, query: str, passages: list[str]) -> np.ndarray:
        self.asked.append(list(passages))
        return -np.array([len(p) for p in passages], dtype=float)


def test_a_configured_cross_encoder_decides_the_rerank_order(home: DataHome) -> None:
    reranker = ShortestFirst()
    searcher = Searcher.open(home, FakeEmbedder(), Tuning(flag_below=0.0, cross_encoder_depth=4), reranker)
    result = searcher.search("zorg voor ouderen en mantelzorgers", k=10, mode="rerank")
    (asked,) = reranker.asked
    assert len(asked) == 4  # only the best first-stage candidates are scored again
    scores = [h.score for h in result.hits]
    assert result.hits and set(scores) <= {-float(len(p)) for p in asked}  # the hit scores are its scores
    assert scores == sorted(scores, reverse=True) and scores[0] == -min(len(p) for p in asked)


def test_the_rerank_can_rank_by_each_passages_best_sentence_by_token_maxsim(home: DataHome) -> None:
    only = Tuning(flag_below=0.0, dense=0.0, sentence=0.0, rerank_lexical=0.0, tokens=0.0, sentence_tokens=1.0)
    searcher = Searcher.open(home, FakeEmbedder(), only)
    query = "ouderen thuis respijtzorg gemeente"
    result = searcher.search(query, k=10)
    rows = {chunk.id: row for row, chunk in searcher.store.iter_chunks()}
    _, (tokens,) = FakeEmbedder().embed_queries_with_tokens([query])
    best = []
    for hit in result.hits:  # worked out apart from the search: the best of the passage's sentences
        lo, hi = searcher.ranges[rows[hit.passages[0]]]
        best.append(float(searcher.sentence_tokens.maxsim(tokens, np.arange(lo, hi)).max()))
    assert len(result.hits) >= 3 and len(set(best)) > 1
    assert best == sorted(best, reverse=True)


def test_the_best_sentences_maxsim_is_computed_for_the_shortlist_only(home: DataHome, monkeypatch) -> None:
    searcher = Searcher.open(home, FakeEmbedder(), Tuning(flag_below=0.0, sentence_depth=2))
    asked = []
    spans = searcher.sentence_tokens.maxsim_spans
    monkeypatch.setattr(searcher.sentence_tokens, "maxsim_spans", lambda q, s: asked.append(len(s)) or spans(q, s))
    result = searcher.search("zorg voor ouderen en mantelzorgers", k=10, mode="rerank")
    assert len(result.hits) > 2 and asked[0] == 2  # later calls: the quotes of hits off the shortlist


def test_other_modes_do_not_call_the_cross_encoder(home: DataHome) -> None:
    reranker = ShortestFirst()
    searcher = Searcher.open(home, FakeEmbedder(), NO_FLAG, reranker)
    for mode in ("keyword", "semantic", "hybrid"):
        assert searcher.search("respijtzorg", mode=mode).hits
    assert reranker.asked == []


# opening an index -------------------------------------------------------------------------
class OtherModel(FakeEmbedder):
    model_id = "andere-embedder"


class OtherWeights(FakeEmbedder):
    fingerprint = "andere-gewichten"


class OtherDimension(FakeEmbedder):
    dimension = 32


@pytest.mark.parametrize("embedder, message", [
    (OtherModel(), "built with model 'fake-embedder', not 'andere-embedder'"),
    (OtherWeights(), "other weights of model 'fake-embedder'"),
    (OtherDimension(), "index vectors have 64 dimensions, the model 32"),
], ids=["model", "weights", "dimension"])
def test_an_index_built_with_another_model_is_refused(home: DataHome, embedder: FakeEmbedder, message: str) -> None:
    with pytest.raises(UnusableIndexError, match=message) as refused:
        Searcher.open(home, embedder)
    assert "beleidsbron ingest --rebuild" in str(refused.value)


def test_opening_a_home_without_an_index_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnusableIndexError, match="no index in .*; build it with: beleidsbron ingest"):
        Searcher.open(DataHome(tmp_path / "leeg"), FakeEmbedder())


def test_an_everyday_word_finds_the_policy_term_in_keyword_mode(home: DataHome) -> None:
    # "bejaarden" occurs in no document; lay_terms.tsv gives "ouderen" for it (index/lay_terms.py)
    searcher = Searcher.open(home, FakeEmbedder(), NO_FLAG)
    result = searcher.search("bejaarden", k=3, mode="keyword")
    assert result.hits and "ouderen" in result.hits[0].quote.text

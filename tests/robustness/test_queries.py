"""Hostile and odd queries, in every mode: none crashes the engine, each gets a sensible answer
(hits with verbatim quotes, maybe flagged low-confidence, or a note), and a long query is capped at a stated length."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from beleidsbron import api, cli
from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import DataHome
from beleidsbron.index.records import SearchResult
from beleidsbron.index.search import MAX_QUERY_CHARS, Searcher, Tuning
from beleidsbron.ingest.embed import SentenceTransformerEmbedder

from fakes import TINY_CORPUS, FakeEmbedder, make_pdf
from robust_support import MODES, NO_FLAG

SQL = "'; DROP TABLE chunks; --"
HTML = "<script>alert('x')</script><b>zorg</b>"
NOTHING = {"empty": "", "whitespace": " \t\n\u00a0\u2003 ", "emoji only": "🏥💊👩‍⚕️", "punctuation": "?!…%_%",
           "control characters": "\x00\x07\x1b\x7f\u200b"}
QUERIES = {
    **NOTHING,
    "10,000 characters": ("thuiszorg voor ouderen " * 500)[:10_000],
    "one 10,000-character word": "zorg" * 2_500,
    "stopwords only": "de het een en van the of is",
    "emoji and words": "zorg 🏥 voor ouderen 👵🏽",
    "mixed scripts": "zorg 医疗 здоровье صحة Gesundheit",
    "right-to-left and zero-width": "\u202ezorg\u200b voor\u200d ouderen",
    "combining marks": "zorg\u0301\u0301\u0301 e\u0308",
    "SQL": SQL,
    "SQL or": '" OR 1=1 --',
    "HTML": HTML,
    "FTS syntax": 'zorg* AND NOT "x" NEAR(a b)',
    "regex": "(.*)+[a-z]{1000}\\",
    "digits": "2024 2025 0",
    "NUL inside": "thuiszorg\x00ouderen",
}
LITERAL = ["De export bevat de regel '; DROP TABLE chunks; -- als voorbeeld van een fout.",
           "Een webpagina met <script>alert('x')</script> in de tekst over zorg."]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> DataHome:
    """The tiny corpus and a page of SQL and HTML, indexed once for the module (searches only read it)."""
    folder = tmp_path_factory.mktemp("corpus")
    for name, (pages, title) in TINY_CORPUS.items():
        (folder / name).write_bytes(make_pdf(pages, title=title))
    (folder / "technisch.pdf").write_bytes(make_pdf(LITERAL))
    home = DataHome(tmp_path_factory.mktemp("home"))
    assert Ingestor(home, FakeEmbedder()).run([folder]).ok
    return home


@pytest.fixture(scope="module")
def searchers(home: DataHome) -> dict[str, Searcher]:
    return {"default": Searcher.open(home, FakeEmbedder(), Tuning()),
            "no-flag": Searcher.open(home, FakeEmbedder(), NO_FLAG)}


def check(searcher: Searcher, result: SearchResult, query: str, mode: str, k: int) -> None:
    """What every answer must be: well-formed, with verbatim quotes, best first."""
    assert result.query == query and result.mode == mode and len(result.hits) <= k
    assert not (result.low_confidence and not result.hits)  # a flag always comes with the hits it doubts
    for hit in result.hits:
        page = searcher.store.page_text(hit.doc, hit.page)
        assert page[hit.quote.start:hit.quote.end] == hit.quote.text and hit.quote.text.strip()
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("tuning", ["default", "no-flag"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(QUERIES))
def test_no_query_crashes_any_mode(searchers: dict[str, Searcher], name: str, mode: str, tuning: str) -> None:
    searcher = searchers[tuning]
    query = QUERIES[name]
    result = searcher.search(query, k=5, mode=mode)
    check(searcher, result, query, mode, 5)
    if name in NOTHING:
        assert result.hits == () and result.note == "nothing to search for"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(NOTHING))
def test_a_query_with_nothing_to_search_embeds_nothing(home: DataHome, name: str, mode: str) -> None:
    embedder = FakeEmbedder()
    result = Searcher.open(home, embedder, NO_FLAG).search(NOTHING[name], mode=mode)
    assert result.hits == () and not result.low_confidence and embedder.calls == []


@pytest.mark.parametrize("mode", MODES)
def test_a_long_query_is_capped_and_the_cap_stated(home: DataHome, mode: str) -> None:
    embedder = FakeEmbedder()
    searcher = Searcher.open(home, embedder, NO_FLAG)
    result = searcher.search(QUERIES["10,000 characters"], k=3, mode=mode)
    assert result.note == f"query shortened to {MAX_QUERY_CHARS} characters"
    assert result.query == QUERIES["10,000 characters"]  # the answer names what was asked
    assert result.hits and result.hits[0].doc == "huisartsen.pdf"
    assert all(len(text) <= MAX_QUERY_CHARS for kind, texts in embedder.calls if kind == "query" for text in texts)
    assert searcher.search("thuiszorg " * 99, k=1, mode=mode).note == ""  # 990 characters: not capped


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_sql_and_html_are_searched_as_text_and_harm_nothing(home: DataHome, mode: str) -> None:
    searcher = Searcher.open(home, FakeEmbedder(), NO_FLAG)
    chunks = searcher.store.count()
    for query, sentence in [(SQL, LITERAL[0]), (HTML, LITERAL[1])]:
        result = searcher.search(query, k=1, mode=mode)
        assert result.hits[0].doc == "technisch.pdf"
        assert result.hits[0].quote.text == sentence
    reopened = Searcher.open(home, FakeEmbedder(), NO_FLAG)
    assert reopened.store.count() == chunks and sorted(reopened.sources) == sorted(searcher.sources)


def test_queries_with_words_still_find_by_the_words(home: DataHome) -> None:
    searcher = Searcher.open(home, FakeEmbedder(), NO_FLAG)
    for name in ("emoji and words", "mixed scripts", "right-to-left and zero-width", "NUL inside"):
        hits = searcher.search(QUERIES[name], k=3, mode="keyword").hits
        assert hits, name


# through the CLI ---------------------------------------------------------------------------
@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, home: DataHome):
    monkeypatch.setattr(api, "make_embedder", lambda home=None, model=None: FakeEmbedder())
    return lambda *args: CliRunner().invoke(cli.main, ["--home", str(home.root), *args])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(QUERIES))
def test_cli_answers_every_query(home: DataHome, run, name: str, mode: str) -> None:
    plain = run("search", QUERIES[name], "--mode", mode)
    assert plain.exit_code == 0 and plain.exception is None, plain.output
    as_json = run("search", QUERIES[name], "--mode", mode, "--json")
    assert as_json.exit_code == 0, as_json.output
    payload = json.loads(as_json.stdout)
    assert payload["mode"] == mode and payload["query"] == QUERIES[name]
    if name in NOTHING:
        assert plain.stdout == "(nothing to search for)\nNo passage found.\n"
    if name == "10,000 characters":
        assert plain.stdout.startswith(f"(query shortened to {MAX_QUERY_CHARS} characters)\n")
        assert payload["note"] == f"query shortened to {MAX_QUERY_CHARS} characters"


def test_cli_batch_of_hostile_queries(home: DataHome, run, tmp_path: Path) -> None:
    batch = tmp_path / "vragen.jsonl"
    batch.write_text("".join(json.dumps({"id": name, "query": q}) + "\n" for name, q in QUERIES.items()),
                     encoding="utf-8")
    result = run("search", "--batch", str(batch), "--mode", "hybrid")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == list(QUERIES)


def test_cli_batch_with_a_line_that_is_not_utf8(home: DataHome, run, tmp_path: Path) -> None:
    batch = tmp_path / "vragen.jsonl"
    batch.write_bytes(b'{"id": "a", "query": "zorg \xff\xfe"}\n{"id": "b", "query": "thuiszorg voor ouderen"}\n')
    result = run("search", "--batch", str(batch))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["b"]
    assert result.stderr.startswith(f"failed: {batch} line 1: ")


# with a real tokenizer (a tiny random sentence-transformers model) -------------------------
@pytest.fixture
def real_searcher(data_home: DataHome, tiny_corpus: Path, tiny_model: Path) -> Searcher:
    embedder = SentenceTransformerEmbedder(str(tiny_model))
    assert Ingestor(data_home, embedder).run([tiny_corpus]).ok
    return Searcher.open(data_home, embedder, NO_FLAG)


def test_no_query_crashes_a_real_tokenizer(real_searcher: Searcher) -> None:
    for _name, query in QUERIES.items():
        for mode in MODES:
            check(real_searcher, real_searcher.search(query, k=3, mode=mode), query, mode, 3)


@pytest.mark.parametrize("mode", MODES)
def test_a_lone_surrogate_does_not_crash_a_real_tokenizer(real_searcher: Searcher, mode: str) -> None:
    result = real_searcher.search("thuiszorg \udcff ouderen", k=3, mode=mode)
    check(real_searcher, result, "thuiszorg \udcff ouderen", mode, 3)

"""The PostgreSQL backend, on a real server: publish, swap, and searches that match the embedded index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_distributed_ingest import _corpus

from beleidsbron.index.backends.engine_search import EngineSearcher
from beleidsbron.index.backends.postgres import PgEngine, PgGeneration
from beleidsbron.index.backends.publish import publish
from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import UnusableIndexError
from beleidsbron.index.records import MODES
from beleidsbron.index.search import Filters, Searcher

from fakes import FakeEmbedder, make_pdf

pytestmark = pytest.mark.distributed

QUERIES = ("wachttijden in de ggz", "wie indiceert de Wet langdurige zorg", "jeugdhulp gemeenten Jeugdwet",
           "zorgkantoor inkoop", "integraal zorgakkoord", "What do municipalities do for youth care?")


def _ingested(tmp_path: Path) -> tuple[DataHome, Path]:
    corpus = _corpus(tmp_path / "docs")
    home = DataHome(tmp_path / "home")
    assert Ingestor(home, FakeEmbedder()).run([corpus]).ok
    return home, corpus


def _same(embedded, engine, query: str, mode: str, filters: Filters = Filters()) -> None:
    a = embedded.search(query, k=5, mode=mode, filters=filters)
    b = engine.search(query, k=5, mode=mode, filters=filters)
    assert [(h.chunk.id, h.quote, h.citation) for h in a.hits] == [(h.chunk.id, h.quote, h.citation) for h in b.hits]
    np.testing.assert_allclose([h.score for h in a.hits], [h.score for h in b.hits], rtol=1e-4, atol=1e-5)
    assert a.low_confidence == b.low_confidence


@pytest.mark.parametrize("exact_max", [10_000, 5])  # an exact scan, and the engine's HNSW index
def test_the_engine_ranks_as_the_embedded_index(tmp_path: Path, engine: PgEngine, exact_max: int) -> None:
    home, _ = _ingested(tmp_path)
    published = publish(engine, home.current(), exact_max=exact_max)
    assert published.name == home.current().name and published.passages > 10
    embedded = Searcher.open(home, FakeEmbedder())
    served = EngineSearcher.open_engine(home, engine, FakeEmbedder())
    for query in QUERIES:
        for mode in MODES:
            _same(embedded, served, query, mode)
    only = Filters(docs=frozenset({"wlz.pdf", "ggz.pdf"}))
    _same(embedded, served, "zorg", "rerank", only)
    assert {h.doc for h in served.search("zorg", mode="hybrid", filters=only).hits} <= only.docs


def test_publishing_swaps_the_served_generation_and_keeps_the_one_before(tmp_path: Path, engine: PgEngine) -> None:
    home, corpus = _ingested(tmp_path)
    first = publish(engine, home.current())
    reader = PgGeneration(engine, engine.current())
    (corpus / "ggz.pdf").write_bytes(make_pdf(["De ggz kort wachttijden met een regionale wachtlijstbemiddeling."],
                                              title="GGZ"))
    Ingestor(home, FakeEmbedder()).run([corpus])
    second = publish(engine, home.current())
    assert engine.current() == second != first
    assert len(reader.dense(np.ones(FakeEmbedder.dimension, np.float32), 3)[0]) == 3  # the reader of the first
    Ingestor(home, FakeEmbedder()).run([corpus], rebuild=True)
    third = publish(engine, home.current())
    assert engine.generations() == [second.name, third.name]  # the oldest is dropped
    served = EngineSearcher.open_engine(home, engine, FakeEmbedder())
    assert served.directory.name == third.name
    assert "wachtlijstbemiddeling" in served.search("wachtlijstbemiddeling ggz", mode="keyword").hits[0].chunk.text


def test_an_engine_without_a_generation_or_with_a_foreign_one_is_refused(tmp_path: Path, engine: PgEngine) -> None:
    home, _ = _ingested(tmp_path)
    with pytest.raises(UnusableIndexError, match="serves no index yet"):
        EngineSearcher.open_engine(home, engine, FakeEmbedder())
    publish(engine, home.current())
    other = DataHome(tmp_path / "other")
    with pytest.raises(UnusableIndexError, match="does not hold"):
        EngineSearcher.open_engine(other, engine, FakeEmbedder())


def test_the_front_door_cli_and_library_work_on_the_postgres_backend(tmp_path: Path, database_uri: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """BELEIDSBRON_BACKEND=postgres: ingest publishes, api.open and `beleidsbron search` serve from the engine."""
    from click.testing import CliRunner

    from beleidsbron import api, cli

    monkeypatch.setattr(api, "make_embedder", lambda home=None, model=None: FakeEmbedder())
    monkeypatch.setenv("BELEIDSBRON_BACKEND", "postgres")
    monkeypatch.setenv("BELEIDSBRON_ENGINE_URI", database_uri)
    corpus = _corpus(tmp_path / "docs")
    home = tmp_path / "home"
    assert api.build_index([corpus], home=home).ok
    searcher = api.open(home)
    assert isinstance(searcher, EngineSearcher)
    assert searcher.directory == DataHome(home).current()
    hits = searcher.search("wachttijden in de ggz", k=3).hits
    assert hits and hits[0].doc == "ggz.pdf"
    result = CliRunner().invoke(cli.main, ["--home", str(home), "search", "--json", "wachttijden in de ggz"])
    assert result.exit_code == 0, result.output
    assert '"doc": "ggz.pdf"' in result.stdout
    monkeypatch.setenv("BELEIDSBRON_BACKEND", "elsewhere")
    result = CliRunner().invoke(cli.main, ["--home", str(home), "search", "ggz"])
    assert result.exit_code != 0 and "BELEIDSBRON_BACKEND must be one of embedded, postgres" in result.output

"""app.py, start-up (AppTest, fakes): the index is built when there is none; busy and broken indexes."""

from __future__ import annotations

import pytest

from beleidsbron.index.build import IngestReport
from beleidsbron.index.home import BusyError
from beleidsbron.index.manifest import UnusableIndexError
from beleidsbron.ui import ingestion

from app_fakes import FakeIngestor, fake_searcher, markdown_text, start_app


def make_index(ingestor: FakeIngestor) -> None:
    """What a real ingestion leaves behind: a current generation."""
    generation = ingestor.home.index_root / "gen-1"
    generation.mkdir(parents=True, exist_ok=True)
    link = ingestor.home.index_root / "current"
    if not link.is_symlink():
        link.symlink_to("gen-1")


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


def app_without_index(monkeypatch, data_home, corpus, ingestor):
    from beleidsbron.ui import context

    searcher = fake_searcher()
    at = start_app(monkeypatch, None, corpus=corpus, ingestor=ingestor)
    monkeypatch.setattr(context, "searcher_factory", lambda ctx: searcher if ctx.data.current() else None)
    return at


def test_builds_the_index_from_the_corpus_when_there_is_none(monkeypatch, data_home, corpus):
    ingestor = FakeIngestor(data_home, None, report=IngestReport(added=["a.pdf"]), on_run=make_index)
    at = app_without_index(monkeypatch, data_home, corpus, ingestor)
    at.run()
    assert not at.exception, at.exception
    assert ingestor.runs == [{"paths": [corpus], "keep_others": True, "remove": [], "rebuild": False}]
    assert at.text_input(key="query").label == "Uw vraag"  # the rerun opened the new index


def test_uploads_are_indexed_too_when_the_index_is_rebuilt(monkeypatch, data_home, corpus):
    (data_home.root / "uploads").mkdir(parents=True)
    ingestor = FakeIngestor(data_home, None, on_run=make_index)
    at = app_without_index(monkeypatch, data_home, corpus, ingestor)
    at.run()
    assert ingestor.runs[0]["paths"] == [corpus, data_home.root / "uploads"]


def test_waits_while_another_process_builds_the_index(monkeypatch, data_home, corpus):
    monkeypatch.setattr(ingestion, "BUSY_RETRY_SECONDS", 0.0)
    ingestor = FakeIngestor(data_home, None, error=BusyError("busy"),
                            on_run=lambda i: len(i.runs) > 1 and make_index(i))
    at = app_without_index(monkeypatch, data_home, corpus, ingestor)
    at.run()
    assert not at.exception, at.exception
    assert len(ingestor.runs) == 2  # refused once, then built
    assert at.text_input(key="query")


def test_says_so_when_nothing_could_be_indexed(monkeypatch, data_home, corpus):
    from beleidsbron.ingest.errors import DocumentError

    failure = DocumentError("scan.pdf", "no text layer on any page (a scan? OCR needed)")
    ingestor = FakeIngestor(data_home, None, report=IngestReport(failures=[failure]))
    at = app_without_index(monkeypatch, data_home, corpus, ingestor)
    at.run()
    text = markdown_text(at).replace("\\", "")
    assert "scan.pdf is niet toegevoegd: no text layer on any page" in text
    assert "Er kon geen enkel document geïndexeerd worden" in text


def test_says_so_when_there_is_no_corpus(monkeypatch, data_home, tmp_path):
    ingestor = FakeIngestor(data_home, None)
    at = app_without_index(monkeypatch, data_home, tmp_path / "nowhere", ingestor)
    at.run()
    assert any("Geen documenten gevonden" in e.value for e in at.error)
    assert not ingestor.runs


def test_a_broken_index_is_explained_and_can_be_rebuilt(monkeypatch, data_home, corpus):
    from beleidsbron.ui import context

    searcher = fake_searcher()

    def broken_until_rebuilt(ctx):
        if not ingestor.runs:
            raise UnusableIndexError("the index was built with model 'x', not 'y'")
        return searcher

    ingestor = FakeIngestor(data_home, None, on_run=make_index)
    at = start_app(monkeypatch, None, corpus=corpus, ingestor=ingestor)
    monkeypatch.setattr(context, "searcher_factory", broken_until_rebuilt)
    at.run()
    assert any("De index kan niet gebruikt worden" in e.value for e in at.error)
    at.button(key="rebuild").click().run()
    assert ingestor.runs[-1]["rebuild"] is True
    assert at.text_input(key="query")


def test_evaluation_and_basket_pages_open_without_an_index(monkeypatch, data_home, corpus, tmp_path):
    ingestor = FakeIngestor(data_home, None)
    at = start_app(monkeypatch, None, corpus=corpus, ingestor=ingestor, reports=tmp_path)
    at.session_state["page"] = "evaluation"
    at.run()
    assert not ingestor.runs and not at.exception

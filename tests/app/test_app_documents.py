"""app.py, documents page (AppTest, fake searcher and ingestor): list, upload, duplicates, failures, remove."""

from __future__ import annotations

import pytest

from beleidsbron.index.build import IngestReport
from beleidsbron.index.home import BusyError
from beleidsbron.ingest.errors import DocumentError

from app_fakes import FakeIngestor, fake_searcher, markdown_text, start_app

PDF = b"%PDF-1.4\n% a stand-in: the fake ingestor does not parse it\n"


@pytest.fixture
def ingestor(data_home):
    return FakeIngestor(data_home, progress=None)


@pytest.fixture
def at(monkeypatch, ingestor, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ppn.pdf").write_bytes(PDF)
    app = start_app(monkeypatch, fake_searcher(), corpus=corpus, ingestor=ingestor)
    app.run()
    app.radio(key="page").set_value("documents").run()
    assert not app.exception, app.exception
    return app


def plain(at) -> str:
    return markdown_text(at).replace("\\", "")


def upload(at, *files: tuple[str, bytes]) -> None:
    at.get("file_uploader")[0].set_value([(name, data, "application/pdf") for name, data in files])
    at.run()
    at.button(key="upload-go").click().run()
    assert not at.exception, at.exception


def test_lists_every_document_with_pages_chunks_and_empty_pages(at):
    table = at.dataframe[0].value
    assert list(table["Bestand"]) == ["iza.pdf", "ppn.pdf", "robuust.pdf"]
    iza = table[table["Bestand"] == "iza.pdf"].iloc[0]
    assert (iza["Pagina's"], iza["Pagina's zonder tekstlaag"], iza["Jaar"]) == (3, "2", 2024)
    assert iza["Uitgever"] == "IZA-partijen" and iza["Soort"] == "mid-term review"
    assert list(table["Bron"]) == ["bestand ontbreekt", "corpus", "bestand ontbreekt"]
    assert "3 documenten, 6 pagina's (1 zonder tekstlaag)" in plain(at)


def test_upload_reports_each_file_and_keeps_only_what_was_indexed(at, ingestor, data_home):
    ingestor.report = IngestReport(
        added=["nieuw rapport.pdf"], duplicates=["kopie.pdf = iza.pdf"],
        failures=[DocumentError("kapot.pdf", "not a PDF (no %PDF- header)")],
        empty_pages={"nieuw rapport.pdf": (2,)})
    upload(at, ("../../etc/nieuw rapport.pdf", PDF), ("kopie.pdf", PDF + b"x"), ("kapot.pdf", b"junk"))

    run = ingestor.runs[-1]
    assert run["keep_others"] and not run["remove"]
    assert sorted(p.name for p in run["paths"]) == ["kapot.pdf", "kopie.pdf", "nieuw rapport.pdf"]
    uploads = data_home.root / "uploads"
    assert all(p.parent.parent == uploads and p.parent.name.startswith(".staging-") for p in run["paths"])
    assert sorted(p.name for p in uploads.iterdir()) == ["nieuw rapport.pdf"]  # no staging folder left
    assert (uploads / "nieuw rapport.pdf").read_bytes() == PDF

    text = plain(at)
    assert "Toegevoegd: nieuw rapport.pdf" in text
    assert "kopie.pdf is niet toegevoegd: de inhoud is gelijk aan iza.pdf" in text
    assert "kapot.pdf is niet toegevoegd: not a PDF (no %PDF- header)" in text
    assert "nieuw rapport.pdf: pagina 2 zonder tekstlaag" in text
    assert "../../etc/nieuw rapport.pdf is opgeslagen als nieuw rapport.pdf" in text
    assert any(e.value.startswith("kapot") for e in at.error)
    assert not at.get("file_uploader")[0].value  # the uploader is emptied


def test_upload_while_another_ingestion_runs_is_refused_politely(at, ingestor, data_home):
    ingestor.error = BusyError("ingest.lock: another ingestion is running")
    upload(at, ("nieuw.pdf", PDF))
    assert any("Er loopt al een indexering" in w.value for w in at.warning)
    assert not list((data_home.root / "uploads").iterdir())


def test_upload_that_the_library_refuses_leaves_the_index_alone(at, ingestor, data_home):
    from beleidsbron.index.manifest import IndexError_

    ingestor.error = IndexError_("chunk store damaged")
    upload(at, ("nieuw.pdf", PDF))
    assert any("de index is niet veranderd" in e.value for e in at.error)
    assert not list((data_home.root / "uploads").iterdir())


def test_a_markdown_file_name_is_escaped(at, ingestor):
    ingestor.report = IngestReport(failures=[DocumentError("__vet__ [x](y).pdf", "empty file")])
    upload(at, ("**vet** [x](y).pdf", b""))
    assert sorted(ingestor.seen) == ["__vet__ [x](y).pdf"]
    assert any("\\_\\_vet\\_\\_ \\[x\\]\\(y\\)\\.pdf" in e.value for e in at.error)


def test_remove_needs_confirmation_and_deletes_only_an_uploaded_copy(at, ingestor, data_home, tmp_path):
    uploads = data_home.root / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "robuust.pdf").write_bytes(PDF)
    at.selectbox(key="doc_pick").set_value("robuust.pdf").run()
    assert at.button(key="doc-remove").disabled
    at.checkbox(key="doc_remove_confirm").check().run()
    ingestor.report = IngestReport(removed=["robuust.pdf"])
    at.button(key="doc-remove").click().run()
    assert not at.exception, at.exception
    assert ingestor.runs[-1] == {"paths": [], "keep_others": True, "remove": ["robuust.pdf"], "rebuild": False}
    assert not (uploads / "robuust.pdf").exists()
    assert "Verwijderd uit de index: robuust.pdf" in plain(at)
    assert at.checkbox(key="doc_remove_confirm").value is False


def test_removing_a_corpus_document_keeps_its_file(at, ingestor, tmp_path):
    at.selectbox(key="doc_pick").set_value("ppn.pdf").run()
    at.checkbox(key="doc_remove_confirm").check().run()
    ingestor.report = IngestReport(removed=["ppn.pdf"])
    at.button(key="doc-remove").click().run()
    assert (tmp_path / "corpus" / "ppn.pdf").exists()


def test_download_of_a_document_whose_file_is_there(at):
    at.selectbox(key="doc_pick").set_value("ppn.pdf").run()
    assert [b.key for b in at.get("download_button")] == ["doc-download"]
    at.selectbox(key="doc_pick").set_value("iza.pdf").run()
    assert not at.get("download_button")


def test_a_running_job_shows_progress_and_blocks_new_uploads(at, data_home, monkeypatch):
    import threading

    from beleidsbron.ui import ingest_ui, jobs

    release = threading.Event()

    def work(job):
        job.embedded("chunks", 3, 10)
        release.wait(10)
        return IngestReport()

    monkeypatch.setattr(ingest_ui, "rerun_soon", lambda job: None)  # draw once instead of polling
    job = jobs.submit(str(data_home.root.resolve()), "upload", work)
    try:
        while job.snapshot.stage != "chunks":
            pass
        at.get("file_uploader")[0].set_value([("a.pdf", PDF, "application/pdf")])
        at.run()
        progress = at.get("progress")
        assert progress and "Passages: 3 van 10 ingebed" in progress[0].proto.text
        assert at.button(key="upload-go").disabled and at.button(key="doc-remove").disabled
    finally:
        release.set()
        job.wait(5)

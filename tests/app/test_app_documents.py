"""app.py, documents page (AppTest, fake searcher and ingestor): list with origins, upload, duplicates,
failures, names that clash with shipped documents, remove uploads only, cancel, the upload switch."""

from __future__ import annotations

import pytest

from beleidsbron.index.build import Duplicate, IngestReport
from beleidsbron.index.home import BusyError
from beleidsbron.ingest.errors import DocumentError
from beleidsbron.ui.files import read_upload_log

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
    assert list(table["Herkomst"]) == ["bestand ontbreekt", "meegeleverd document", "bestand ontbreekt"]
    assert "3 documenten, 6 pagina's (1 zonder tekstlaag)" in plain(at)


def test_no_server_path_is_shown(at, data_home, tmp_path):
    shown = markdown_text(at) + "\n".join(str(v) for v in at.dataframe[0].value.to_numpy().ravel())
    assert str(data_home.root) not in shown.replace("\\", "") and str(tmp_path) not in shown.replace("\\", "")


def test_upload_reports_each_file_and_keeps_only_what_was_indexed(at, ingestor, data_home):
    ingestor.report = IngestReport(
        added=["nieuw rapport.pdf"], duplicates=[Duplicate("kopie.pdf", "iza.pdf")],
        failures=[DocumentError("kapot.pdf", "not a PDF (no %PDF- header)")],
        empty_pages={"nieuw rapport.pdf": (2,)})
    upload(at, ("../../etc/nieuw rapport.pdf", PDF), ("kopie.pdf", PDF + b"x"), ("kapot.pdf", b"junk"))

    run = ingestor.runs[-1]
    assert run["keep_others"] and not run["remove"]
    assert sorted(p.name for p in run["paths"]) == ["kapot.pdf", "kopie.pdf", "nieuw rapport.pdf"]
    uploads = data_home.root / "uploads"
    assert all(p.parent.parent == uploads and p.parent.name.startswith(".staging-") for p in run["paths"])
    assert sorted(p.name for p in uploads.iterdir()) == [".uploads.json", "nieuw rapport.pdf"]  # no staging left
    assert (uploads / "nieuw rapport.pdf").read_bytes() == PDF
    assert read_upload_log(data_home)["nieuw rapport.pdf"]["name"] == "../../etc/nieuw rapport.pdf"

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
    from beleidsbron.index.manifest import UnusableIndexError

    ingestor.error = UnusableIndexError("chunk store damaged")
    upload(at, ("nieuw.pdf", PDF))
    assert any("de index is niet veranderd" in e.value for e in at.error)
    assert not list((data_home.root / "uploads").iterdir())


def test_a_markdown_file_name_is_escaped(at, ingestor):
    ingestor.report = IngestReport(failures=[DocumentError("__vet__ [x](y).pdf", "empty file")])
    upload(at, ("**vet** [x](y).pdf", b""))
    assert sorted(ingestor.seen) == ["__vet__ [x](y).pdf"]
    assert any("\\_\\_vet\\_\\_ \\[x\\]\\(y\\)\\.pdf" in e.value for e in at.error)


def test_an_upload_named_like_a_shipped_document_gets_a_new_name(at, ingestor, data_home, tmp_path):
    ingestor.report = IngestReport(added=["ppn (2).pdf"])
    upload(at, ("ppn.pdf", b"%PDF-1.4 forged"), ("IZA.PDF", b"%PDF-1.4 forged too"))
    assert sorted(p.name for p in ingestor.runs[-1]["paths"]) == ["IZA (2).pdf", "ppn (2).pdf"]
    assert (tmp_path / "corpus" / "ppn.pdf").read_bytes() == PDF  # the shipped file is untouched
    text = plain(at)
    assert "Er is al een document met de naam ppn.pdf; de upload is opgeslagen als ppn (2).pdf" in text
    assert "Er is al een document met de naam IZA.PDF; de upload is opgeslagen als IZA (2).pdf" in text
    assert (data_home.root / "uploads" / "ppn (2).pdf").read_bytes() == b"%PDF-1.4 forged"


def test_a_nul_byte_in_an_upload_name_is_dropped_cleanly(at, ingestor, data_home):
    ingestor.report = IngestReport(added=["nulbyte.pdf"])
    upload(at, ("nul\x00byte.pdf", PDF))
    assert [p.name for p in ingestor.runs[-1]["paths"]] == ["nulbyte.pdf"]
    assert "is opgeslagen als nulbyte.pdf" in plain(at)


def test_only_uploads_can_be_removed_and_the_picker_names_them(at, data_home, monkeypatch):
    assert "ppn.pdf" not in at.selectbox(key="doc_remove_pick").options if at.get("selectbox") and any(
        s.key == "doc_remove_pick" for s in at.selectbox) else True
    assert any("Meegeleverde documenten kunnen hier niet verwijderd worden" in c.value for c in at.caption)
    uploads = data_home.root / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "robuust.pdf").write_bytes(PDF)
    at.run()
    picker = at.selectbox(key="doc_remove_pick")
    assert picker.options == ["Paramedische platforms in Zuid-Nederland (robuust.pdf)"]
    assert "Een plek aan tafel voor de paramedici (ppn.pdf)" in at.selectbox(key="doc_pick").options


def test_remove_needs_confirmation_and_deletes_only_an_uploaded_copy(at, ingestor, data_home, tmp_path):
    uploads = data_home.root / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "robuust.pdf").write_bytes(PDF)
    at.run()
    at.selectbox(key="doc_remove_pick").set_value("robuust.pdf").run()
    assert at.button(key="doc-remove").disabled
    at.checkbox(key="doc_remove_confirm").check().run()
    ingestor.report = IngestReport(removed=["robuust.pdf"])
    at.button(key="doc-remove").click().run()
    assert not at.exception, at.exception
    assert ingestor.runs[-1] == {"paths": [], "keep_others": True, "remove": ["robuust.pdf"], "rebuild": False}
    assert not (uploads / "robuust.pdf").exists()
    assert "Verwijderd uit de index: robuust.pdf" in plain(at)
    assert not [c for c in at.checkbox if c.key == "doc_remove_confirm"]  # no upload is left to remove


def test_download_of_a_document_whose_file_is_there(at):
    at.selectbox(key="doc_pick").set_value("ppn.pdf").run()
    assert [b.key for b in at.get("download_button")] == ["doc-download"]
    at.selectbox(key="doc_pick").set_value("iza.pdf").run()
    assert not at.get("download_button")


def test_a_running_job_shows_progress_and_blocks_new_uploads(at, data_home, monkeypatch):
    import threading

    from beleidsbron.ui import ingestion, jobs

    release = threading.Event()

    def work(job):
        job.embedded("chunks", 3, 10)
        release.wait(10)
        return IngestReport()

    monkeypatch.setattr(ingestion, "rerun_soon", lambda job: None)  # draw once instead of polling
    job = jobs.submit(str(data_home.root.resolve()), "upload", work)
    try:
        while job.snapshot.stage != "chunks":
            pass
        at.get("file_uploader")[0].set_value([("a.pdf", PDF, "application/pdf")])
        at.run()
        progress = at.get("progress")
        assert progress and "Passages: 3 van 10 ingebed" in progress[0].proto.text
        assert at.button(key="upload-go").disabled
    finally:
        release.set()
        job.wait(5)


def test_a_running_ingestion_can_be_cancelled(at, data_home, monkeypatch):
    import threading

    from beleidsbron.ui import ingestion, jobs

    step = threading.Event()

    def work(job):
        for _ in range(100):  # what the ingestor does: report progress after each batch
            job.embedded("chunks", 1, 100)
            step.wait(0.05)
        return IngestReport(added=["never.pdf"])

    monkeypatch.setattr(ingestion, "rerun_soon", lambda job: None)
    job = jobs.submit(str(data_home.root.resolve()), "upload", work)
    at.session_state["my_job"] = (job.id, {}, set(), [])
    at.run()
    at.button(key=f"cancel-{job.id}").click().run()
    shown = [i.value for i in at.info]  # the job may stop before this run draws the page, or after
    assert job.wait(5) and job.cancelled and job.report is None
    at.run()
    shown += [i.value for i in at.info]
    assert any("De indexering is afgebroken; de index is niet veranderd" in text for text in shown)


def test_uploads_switched_off(monkeypatch, tmp_path):
    monkeypatch.setenv("BELEIDSBRON_UPLOADS", "off")
    app = start_app(monkeypatch, fake_searcher(), corpus=tmp_path)
    app.session_state["page"] = "documents"
    app.run()
    assert not app.exception, app.exception
    assert not app.get("file_uploader") and not [b for b in app.button if b.key == "doc-remove"]
    assert any("Uploaden en verwijderen staat uit op deze server" in i.value for i in app.info)


def test_uploads_are_off_by_default_when_serving_the_network(monkeypatch, tmp_path):
    from streamlit import config

    monkeypatch.setattr(config, "get_option", lambda key: "0.0.0.0" if key == "server.address" else None)
    from beleidsbron.ui.pages import documents

    monkeypatch.setattr(documents.st, "get_option", lambda key: "0.0.0.0")
    app = start_app(monkeypatch, fake_searcher(), corpus=tmp_path)
    app.session_state["page"] = "documents"
    app.run()
    assert not app.get("file_uploader")


def test_uploads_behind_a_shared_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("BELEIDSBRON_UPLOAD_SECRET", "zorg-2026")
    app = start_app(monkeypatch, fake_searcher(), corpus=tmp_path)
    app.session_state["page"] = "documents"
    app.run()
    assert not app.get("file_uploader")
    app.text_input(key="upload_secret_given").input("fout")
    app.button[-1].click().run()
    assert any("Dat wachtwoord klopt niet" in e.value for e in app.error) and not app.get("file_uploader")
    app.text_input(key="upload_secret_given").input("zorg-2026")
    app.button[-1].click().run()
    assert app.get("file_uploader") and not app.exception


def test_a_bad_switch_value_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("BELEIDSBRON_UPLOADS", "yes")
    app = start_app(monkeypatch, fake_searcher(), corpus=tmp_path)
    app.run()
    assert not app.exception
    assert any("BELEIDSBRON_UPLOADS must be one of on, off, got 'yes'" in e.value.replace("\\", "") for e in app.error)

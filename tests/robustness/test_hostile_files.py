"""Issue 17: hostile files are bounded work. A compressed page of megabytes is cut at the cap or stopped
by the time limit, a content stream above its cap is refused unread, identical texts are embedded once,
and the rest of the batch is indexed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from beleidsbron.index.build import MAX_DOC_PASSAGES, Ingestor, IngestReport
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import Manifest
from beleidsbron.ingest.chunk import ChunkSettings
from beleidsbron.ingest.pdf import ReadLimits
from beleidsbron.ingest.pdf_worker import PdfWorker

from fakes import FakeEmbedder, make_pdf
from robust_support import repeated_text_bomb

pytestmark = pytest.mark.slow  # a worker process reading megabytes of content stream: seconds each


def ingest(home: DataHome, embedder: FakeEmbedder, folder: Path, limits: ReadLimits = ReadLimits(),
           **settings) -> IngestReport:
    return Ingestor(home, embedder, ChunkSettings(**settings) if settings else ChunkSettings(),
                    limits=limits).run([folder])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "map"
    path.mkdir()
    (path / "bom.pdf").write_bytes(repeated_text_bomb())
    (path / "goed.pdf").write_bytes(make_pdf(["De wijkverpleging werkt samen met de huisarts."]))
    return path


def test_the_compressed_bomb_is_cut_at_the_cap_per_page_and_each_distinct_text_embedded_once(
        data_home, fake_embedder, folder) -> None:
    assert (folder / "bom.pdf").stat().st_size < 12_000  # 11 KB on disk, 3 MB of text inside
    report = ingest(data_home, fake_embedder, folder)
    assert report.ok and sorted(report.added) == ["bom.pdf", "goed.pdf"]
    assert report.warnings == ["bom.pdf: p. 1: text cut at 100,000 characters (the cap per page); "
                               "the rest of the page is not read"]
    manifest = Manifest.read(data_home.current())
    # one sentence repeated: ~100 passages and ~1,200 sentences of a handful of distinct texts
    assert manifest.sentences > 1000 and report.embedded < 10
    assert fake_embedder.passages_embedded == report.embedded
    texts = [t for kind, batch in fake_embedder.calls if kind == "passage" for t in batch]
    assert len(texts) == len(set(texts))


def test_the_compressed_bomb_is_stopped_by_the_time_limit_and_the_rest_goes_on(data_home, fake_embedder,
                                                                               folder) -> None:
    # parsing its 3 MB content stream takes seconds, far above a limit of 0.2 s a page
    started = time.monotonic()
    report = ingest(data_home, fake_embedder, folder, ReadLimits(page_seconds=0.2))
    assert time.monotonic() - started < 120  # a guard against a hang, not a speed check
    assert [f.file for f in report.failures] == ["bom.pdf"]
    assert "(the time limit is 0.2 s per page); not indexed" in str(report.failures[0])
    assert report.added == ["goed.pdf"]
    assert {d.file for d in Manifest.read(data_home.current()).documents} == {"goed.pdf"}


def test_a_content_stream_above_its_cap_is_refused_unread(data_home, fake_embedder, folder) -> None:
    report = ingest(data_home, fake_embedder, folder, ReadLimits(page_stream_bytes=2**20))
    assert [str(f) for f in report.failures] == [
        "bom.pdf: p. 1: a content stream of 3 MB, above the cap of 1 MB per page; not read"]
    assert report.added == ["goed.pdf"]


def test_the_document_cap_cuts_the_text_and_names_the_pages_not_read(data_home, fake_embedder, tmp_path) -> None:
    path = tmp_path / "lang"
    path.mkdir()
    (path / "lang.pdf").write_bytes(make_pdf([f"Pagina {n} over de zorg in de wijk en de regio." for n in range(6)]))
    report = ingest(data_home, fake_embedder, path, ReadLimits(document_chars=100))
    assert report.ok and report.pages == 3
    assert report.warnings == ["lang.pdf: text cut at 100 characters (the cap per document) on p. 3; "
                               "pages 4–6 not read"]


def test_the_passage_cap_per_document_keeps_the_first_passages_and_their_sentences(
        data_home, fake_embedder, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("beleidsbron.index.build.MAX_DOC_PASSAGES", 3)
    path = tmp_path / "veel"
    path.mkdir()
    (path / "veel.pdf").write_bytes(make_pdf([f"Zin {n} over passende zorg in de wijk." for n in range(8)]))
    report = ingest(data_home, fake_embedder, path, size=50, overlap=0)
    assert report.ok and report.chunks == 3
    assert report.warnings[0].startswith("veel.pdf: cut at 3 passages (the cap per document); the text after p. ")
    assert MAX_DOC_PASSAGES == 5_000  # the real cap is untouched outside this test


def test_a_worker_that_dies_is_reported_and_replaced(tmp_path: Path) -> None:
    worker = PdfWorker()
    try:
        worker._start().kill()  # as the out-of-memory killer would
        worker._process.wait()
        good = make_pdf(["Een gewone pagina."])
        assert [p.strip() for p in worker.extract("goed.pdf", good).pages] == ["Een gewone pagina."]
    finally:
        worker.close()

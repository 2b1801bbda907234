"""Ingestion on a real two-worker Dask cluster gives the generation a single-machine ingest gives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from robustness.robust_support import repeated_text_bomb
from workers_support import always_dies, dies_once

from beleidsbron.index.build import Ingestor
from beleidsbron.index.distributed import DistributedIngestor
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import Manifest
from beleidsbron.index.search import Searcher
from beleidsbron.index.store import ChunkStore
from beleidsbron.index.vectors import VECTORS_NPY
from beleidsbron.index.writer import SENTENCE_VECTORS
from beleidsbron.ingest.pdf import ReadLimits

from fakes import TINY_CORPUS, FakeEmbedder, make_pdf

pytestmark = pytest.mark.distributed

MORE = {  # beside the tiny corpus, so that both workers get documents to read
    "wlz.pdf": (["De Wet langdurige zorg regelt zorg voor mensen die blijvend toezicht nodig hebben.",
                 "Het CIZ indiceert; het zorgkantoor koopt de zorg in."], "Wlz"),
    "jeugd.pdf": (["Gemeenten zijn verantwoordelijk voor jeugdhulp sinds de Jeugdwet van 2015."], "Jeugd"),
    "ggz.pdf": (["Wachttijden in de ggz blijven lang; regionale samenwerking moet ze verkorten."], "GGZ"),
}


SUBJECTS = ("De gemeente", "Het zorgkantoor", "De zorgverzekeraar", "Het ministerie van VWS", "De regio",
            "Het Zorginstituut", "De NZa", "Het wijkteam")
ACTIONS = ("koopt wijkverpleging in", "verkort de wachttijden in de ggz", "versterkt de eerstelijnszorg",
           "financiert de mantelzorgondersteuning", "zet in op digitale zorg", "bewaakt de toegankelijkheid",
           "maakt afspraken over paramedische zorg", "stimuleert samenwerking tussen huisartsen en ziekenhuizen")
REASONS = ("omdat de vraag groeit", "volgens het Integraal Zorgakkoord", "om personeelstekorten op te vangen",
           "voor ouderen die thuis wonen", "zodat zorg betaalbaar blijft", "binnen de Wet langdurige zorg")


def _policy_pages(pages: int, seed: int) -> list[str]:
    """Pages of varied policy sentences, so that a document splits into several passages."""
    lines = []
    for i in range(pages * 12):
        k = seed * 7 + i
        lines.append(f"{SUBJECTS[k % 8]} {ACTIONS[(k * 3) % 8]} {REASONS[(k * 5) % 6]} (punt {i + 1}).")
    return ["\n".join(lines[p * 12:(p + 1) * 12]) for p in range(pages)]


def _corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (pages, title) in {**TINY_CORPUS, **MORE}.items():
        (folder / name).write_bytes(make_pdf(pages, title=title))
    for seed in range(3):  # longer documents: about 30 passages in all
        (folder / f"beleid-{seed}.pdf").write_bytes(make_pdf(_policy_pages(8, seed), title=f"Beleid {seed}"))
    return folder


def _generation(home: DataHome) -> tuple[list, list, np.ndarray, np.ndarray, Manifest]:
    current = home.current()
    assert current is not None
    store = ChunkStore.open(current)
    chunks = [c for _, c in store.iter_chunks()]
    sentences = [s for doc in sorted(store.sources()) for _, s in store.iter_sentences(doc)]
    store.close()
    return (chunks, sentences, np.load(current / VECTORS_NPY), np.load(current / SENTENCE_VECTORS),
            Manifest.read(current))


def _single_and_distributed(tmp_path: Path, cluster, corpus: Path) -> tuple[DataHome, DataHome]:
    single, spread = DataHome(tmp_path / "single"), DataHome(tmp_path / "spread")
    assert Ingestor(single, FakeEmbedder()).run([corpus]).ok
    driver = FakeEmbedder()
    report = DistributedIngestor(spread, driver, cluster, FakeEmbedder).run([corpus])
    assert report.ok, report.failures
    assert not [c for c in driver.calls if c[0] == "passage"], "the embedding ran here, not on the workers"
    return single, spread


def test_two_workers_give_the_single_machine_generation(tmp_path: Path, cluster) -> None:
    assert len(cluster.scheduler_info()["workers"]) >= 2
    corpus = _corpus(tmp_path / "docs")
    single, spread = _single_and_distributed(tmp_path, cluster, corpus)
    a, b = _generation(single), _generation(spread)
    assert a[0] == b[0] and len(a[0]) >= 20  # the same passages, in the same rows
    assert a[1] == b[1]  # the same sentences
    np.testing.assert_allclose(a[2], b[2], atol=1e-6)
    np.testing.assert_allclose(a[3], b[3], atol=1e-6)
    undated = [[dataclasses.replace(d, added_at="") for d in m.documents] for m in (a[4], b[4])]  # run times
    assert undated[0] == undated[1] and a[4].chunks == b[4].chunks
    one, two = Searcher.open(single, FakeEmbedder()), Searcher.open(spread, FakeEmbedder())
    for query in ("wachttijden ggz", "wie indiceert de Wet langdurige zorg", "jeugdhulp gemeenten"):
        hits_one, hits_two = one.search(query).hits, two.search(query).hits
        assert [(h.chunk.id, h.quote) for h in hits_one] == [(h.chunk.id, h.quote) for h in hits_two]
        assert hits_one


def test_unchanged_documents_cost_nothing(tmp_path: Path, cluster) -> None:
    corpus = _corpus(tmp_path / "docs")
    single, spread = _single_and_distributed(tmp_path, cluster, corpus)
    (corpus / "ggz.pdf").write_bytes(make_pdf(["Wachttijden in de ggz zijn in 2024 iets korter geworden."],
                                              title="GGZ"))
    expected = Ingestor(single, FakeEmbedder()).run([corpus])
    parsed = []
    ingestor = DistributedIngestor(spread, FakeEmbedder(), cluster, FakeEmbedder)
    report = ingestor.run([corpus])
    parsed = sorted(ingestor.parsed)
    assert parsed == ["ggz.pdf"]  # only the changed file went to a worker
    assert report.updated == ["ggz.pdf"] and sorted(report.unchanged) == sorted(expected.unchanged)
    assert report.embedded == expected.embedded > 0  # only its new texts were embedded
    again = DistributedIngestor(spread, FakeEmbedder(), cluster, FakeEmbedder)
    assert again.run([corpus]).embedded == 0 and not again.parsed
    np.testing.assert_allclose(_generation(single)[2], _generation(spread)[2], atol=1e-6)


def test_a_worker_that_dies_loses_no_document(tmp_path: Path, doomed_cluster) -> None:
    corpus = _corpus(tmp_path / "docs")
    marks = tmp_path / "marks"
    marks.mkdir()
    home = DataHome(tmp_path / "spread")
    report = DistributedIngestor(home, FakeEmbedder(), doomed_cluster, FakeEmbedder,
                                 parse=dies_once(str(marks), "wlz.pdf")).run([corpus])
    assert (marks / "wlz.pdf.died").exists()  # its first worker did die
    assert report.ok and "wlz.pdf" in report.added
    assert report.documents == len(TINY_CORPUS) + len(MORE) + 3


def test_a_document_that_kills_every_worker_is_reported(tmp_path: Path, doomed_cluster) -> None:
    corpus = _corpus(tmp_path / "docs")
    home = DataHome(tmp_path / "spread")
    report = DistributedIngestor(home, FakeEmbedder(), doomed_cluster, FakeEmbedder,
                                 parse=always_dies("jeugd.pdf")).run([corpus])
    assert [f.file for f in report.failures] == ["jeugd.pdf"]
    assert "died each time it was tried" in report.failures[0].reason
    assert report.documents == len(TINY_CORPUS) + len(MORE) + 3 - 1  # the others are indexed


def test_a_worker_reads_within_the_limits_a_single_machine_reads_within(tmp_path: Path, cluster) -> None:
    # 3 MB of text behind 11 KB: cut at the cap per page, or stopped by the time limit, as issue 17's
    # single-machine tests check (tests/robustness/test_hostile_files.py); the rest goes on
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "bom.pdf").write_bytes(repeated_text_bomb())
    (corpus / "goed.pdf").write_bytes(make_pdf(["De wijkverpleging werkt samen met de huisarts."]))
    cut = DistributedIngestor(DataHome(tmp_path / "cut"), FakeEmbedder(), cluster, FakeEmbedder).run([corpus])
    assert cut.ok and sorted(cut.added) == ["bom.pdf", "goed.pdf"]
    assert cut.warnings == ["bom.pdf: p. 1: text cut at 100,000 characters (the cap per page); "
                            "the rest of the page is not read"]
    ingestor = DistributedIngestor(DataHome(tmp_path / "timed"), FakeEmbedder(), cluster, FakeEmbedder,
                                   limits=ReadLimits(page_seconds=0.2))
    timed = ingestor.run([corpus])
    assert sorted(ingestor.parsed) == ["bom.pdf", "goed.pdf"]  # both were read on the workers
    assert [f.file for f in timed.failures] == ["bom.pdf"]
    assert "(the time limit is 0.2 s per page); not indexed" in str(timed.failures[0])
    assert timed.added == ["goed.pdf"]

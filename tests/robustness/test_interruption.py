"""kill -9 an ingestion anywhere: the previous index loads and answers exactly as before, nothing
is left stuck (lock, half-written generations), and the next ingestion completes cleanly.

The ingestion runs in a real subprocess (tests/robustness/ingest_worker.py) that prints a marker
at each stage and sleeps there; the test sends SIGKILL at that point.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import Manifest
from beleidsbron.index.search import Searcher
from beleidsbron.ingest.embed import SentenceTransformerEmbedder

from fakes import FakeEmbedder, make_pdf
from robust_support import NO_FLAG, Worker, answers, open_searcher

pytestmark = pytest.mark.slow  # subprocesses, kills and real waits: the full tier (make test) only

QUERIES = ["thuiszorg voor ouderen in Limburg", "paramedisch platform", "voortgang van het akkoord",
           "ergotherapie in de wijk"]
NEW = {"ergo.pdf": ["Ergotherapie in de wijk helpt ouderen thuis te blijven wonen."],
       "mondzorg.pdf": ["Mondzorg voor ouderen in het verpleeghuis schiet tekort."]}


@pytest.fixture
def indexed(data_home: DataHome, tiny_corpus: Path) -> dict:
    """The tiny corpus indexed, and what it answers to QUERIES in every mode."""
    assert Ingestor(data_home, FakeEmbedder()).run([tiny_corpus]).ok
    return answers(open_searcher(data_home), QUERIES)


@pytest.fixture
def grown(tiny_corpus: Path) -> Path:
    """The corpus folder with two documents added (what the killed ingestion was indexing)."""
    for name, pages in NEW.items():
        (tiny_corpus / name).write_bytes(make_pdf(pages))
    return tiny_corpus


def leftovers(home: DataHome) -> list[str]:
    return sorted(p.name for p in home.index_root.iterdir() if p.name.startswith(("tmp-", ".current-")))


def assert_recovers(home: DataHome, folder: Path, documents: int) -> None:
    """The next ingestion is not blocked, completes, and leaves one clean index behind."""
    report = Ingestor(home, FakeEmbedder()).run([folder])
    assert report.ok and report.documents == documents
    assert leftovers(home) == []
    searcher = open_searcher(home)
    assert searcher.search("ergotherapie in de wijk", k=1, mode="keyword").hits[0].doc == "ergo.pdf"
    gens = [p for p in home.index_root.iterdir() if p.name.startswith("gen-")]
    assert home.current() in gens and len(gens) <= 2


@pytest.mark.parametrize("stage", ["embedding", "store", "vectors", "swap"])
def test_killed_before_the_swap_leaves_the_previous_index_answering_as_before(
        data_home: DataHome, indexed: dict, grown: Path, stage: str) -> None:
    before = data_home.current()
    worker = Worker.start(data_home, grown, stage)
    worker.wait_for(stage)
    worker.kill()
    assert data_home.current() == before
    assert Manifest.read(before).chunks == open_searcher(data_home).store.count()
    assert answers(open_searcher(data_home), QUERIES) == indexed
    assert_recovers(data_home, grown, documents=5)


def test_killed_right_after_the_swap_leaves_the_new_index_complete(data_home: DataHome, indexed: dict,
                                                                   grown: Path) -> None:
    before = data_home.current()
    worker = Worker.start(data_home, grown, "prune")
    worker.wait_for("prune")
    worker.kill()
    assert data_home.current() != before
    assert {d.file for d in Manifest.read(data_home.current()).documents} == \
           {"huisartsen.pdf", "fysio.pdf", "iza.pdf", *NEW}
    assert open_searcher(data_home).search("ergotherapie in de wijk", k=1, mode="keyword").hits[0].doc == "ergo.pdf"
    assert_recovers(data_home, grown, documents=5)


def test_a_generation_orphaned_by_a_kill_in_the_swap_is_pruned_not_the_one_readers_are_on(
        data_home: DataHome, indexed: dict, grown: Path) -> None:
    before = data_home.current()
    worker = Worker.start(data_home, grown, "swap")
    worker.wait_for("swap")
    worker.kill()
    [orphan] = [p for p in data_home.index_root.glob("gen-*") if p != before]  # renamed, never made current
    assert Ingestor(data_home, FakeEmbedder()).run([grown]).ok
    assert not orphan.exists()
    assert before.is_dir()  # the generation that was current stays for searchers still on it


def test_killed_at_every_stage_in_turn_then_completed(data_home: DataHome, indexed: dict, grown: Path) -> None:
    # One index, many interrupted attempts: the same answers after each, one clean index at the end.
    for stage in ["embedding", "vectors", "store", "swap", "embedding"]:
        worker = Worker.start(data_home, grown, stage)
        worker.wait_for(stage)
        worker.kill()
        assert answers(open_searcher(data_home), QUERIES) == indexed, stage
    worker = Worker.start(data_home, grown, "none")
    assert "DONE 5" in worker.finish()
    assert leftovers(data_home) == []
    assert Ingestor(data_home, FakeEmbedder()).run([grown]).unchanged == sorted(
        ["huisartsen.pdf", "fysio.pdf", "iza.pdf", *NEW])


def test_the_lock_of_a_killed_ingestion_is_not_left_stuck(data_home: DataHome, indexed: dict, grown: Path) -> None:
    worker = Worker.start(data_home, grown, "embedding")
    worker.wait_for("embedding")
    assert (data_home.root / "ingest.lock").exists()
    worker.kill()
    assert (data_home.root / "ingest.lock").exists()  # the file stays; the kernel dropped the flock
    assert_recovers(data_home, grown, documents=5)


def test_killed_during_embedding_with_a_real_model(data_home: DataHome, grown: Path, tiny_model: Path,
                                                   tmp_path: Path) -> None:
    # The same with a (tiny, random) sentence-transformers model: torch is mid-work when killed.
    embedder = SentenceTransformerEmbedder(str(tiny_model))
    first = tmp_path / "eerst"
    first.mkdir()
    for name in ("huisartsen.pdf", "fysio.pdf"):
        shutil.copy(grown / name, first / name)
    assert Ingestor(data_home, embedder).run([first]).ok
    before = data_home.current()
    expected = answers(Searcher.open(data_home, embedder, NO_FLAG), QUERIES)
    worker = Worker.start(data_home, grown, "embedding", "--model", str(tiny_model))
    worker.wait_for("embedding", timeout=120)
    worker.kill()
    assert data_home.current() == before
    assert answers(Searcher.open(data_home, embedder, NO_FLAG), QUERIES) == expected
    report = Ingestor(data_home, embedder).run([grown])
    assert report.ok and report.documents == 5 and report.unchanged == ["fysio.pdf", "huisartsen.pdf"]
    assert not any(p.name.startswith("tmp-") for p in data_home.index_root.iterdir())
    assert os.path.islink(data_home.index_root / "current")

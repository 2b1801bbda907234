"""Searching while someone ingests: every search sees the old index or the new one, never a mix
and never an error. Two ingestions at once: the second is refused with one clear line, and the
lock of a killed ingestion does not stay stuck."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from beleidsbron import api, cli
from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import BusyError, DataHome

from fakes import TINY_CORPUS, FakeEmbedder, make_pdf
from robust_support import Worker, answers, open_searcher

pytestmark = pytest.mark.slow  # subprocesses, kills and real waits: the full tier (make test) only

QUERIES = ["thuiszorg voor ouderen in Limburg", "paramedisch platform", "mondzorg in het verpleeghuis"]
EXTRA = {"mondzorg.pdf": ["Mondzorg voor ouderen in het verpleeghuis schiet tekort."],
         "huisartsen.pdf": ["De huisarts en de mondhygiënist werken samen in de wijk.",
                            "Thuiszorg voor ouderen in Limburg en Brabant."]}  # a changed version


def corpus(folder: Path, extra: bool) -> Path:
    folder.mkdir(parents=True)
    for name, (pages, title) in TINY_CORPUS.items():
        (folder / name).write_bytes(make_pdf(pages, title=title))
    if extra:
        for name, pages in EXTRA.items():
            (folder / name).write_bytes(make_pdf(pages, title=name))
    return folder


def reference(tmp_path: Path, folder: Path) -> dict:
    """What an index of `folder` answers, built in a home of its own."""
    home = DataHome(tmp_path / f"ref-{folder.name}")
    assert Ingestor(home, FakeEmbedder()).run([folder]).ok
    return answers(open_searcher(home), QUERIES)


@pytest.fixture
def two_corpora(tmp_path: Path) -> tuple[Path, Path, dict, dict]:
    old, new = corpus(tmp_path / "oud", False), corpus(tmp_path / "nieuw", True)
    return old, new, reference(tmp_path, old), reference(tmp_path, new)


def test_a_searcher_on_the_old_generation_keeps_answering_after_it_is_pruned(data_home, two_corpora) -> None:
    old, new, old_answers, new_answers = two_corpora
    assert old_answers != new_answers
    Ingestor(data_home, FakeEmbedder()).run([old])
    searcher = open_searcher(data_home)
    generation = searcher.directory
    for folder in (new, old, new):  # three commits: the first generation is deleted from disk
        Ingestor(data_home, FakeEmbedder()).run([folder])
    assert not generation.exists()
    assert answers(searcher, QUERIES) == old_answers
    assert answers(open_searcher(data_home), QUERIES) == new_answers


def test_searches_in_a_thread_while_ingestions_commit_see_old_or_new(data_home, two_corpora) -> None:
    old, new, old_answers, new_answers = two_corpora
    Ingestor(data_home, FakeEmbedder()).run([old])
    pinned = open_searcher(data_home)
    errors: list[BaseException] = []
    done = threading.Event()

    def writer() -> None:
        try:
            for folder in (new, old, new, old, new):
                assert Ingestor(data_home, FakeEmbedder()).run([folder]).ok
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    seen = {"old": 0, "new": 0}
    try:
        while not done.is_set():
            got = answers(open_searcher(data_home), QUERIES)
            assert got in (old_answers, new_answers), "a search saw a mix of two index generations"
            seen["old" if got == old_answers else "new"] += 1
            assert answers(pinned, QUERIES) == old_answers  # opened before: keeps its generation
    finally:
        thread.join()
    assert not errors, errors
    assert answers(open_searcher(data_home), QUERIES) == new_answers
    assert sum(seen.values()) > 0


def test_searches_while_another_process_ingests_see_old_or_new(data_home, two_corpora) -> None:
    old, new, old_answers, new_answers = two_corpora
    Ingestor(data_home, FakeEmbedder()).run([old])
    worker = Worker.start(data_home, new, "none")
    searches = 0
    while worker.process.poll() is None or searches == 0:
        assert answers(open_searcher(data_home), QUERIES) in (old_answers, new_answers)
        searches += 1
    worker.finish()
    assert answers(open_searcher(data_home), QUERIES) == new_answers


def test_a_second_ingestion_is_refused_while_one_runs_and_proceeds_once_the_first_is_killed(
        data_home, two_corpora, monkeypatch) -> None:
    old, new, old_answers, new_answers = two_corpora
    Ingestor(data_home, FakeEmbedder()).run([old])
    worker = Worker.start(data_home, new, "embedding")
    worker.wait_for("embedding")
    try:
        with pytest.raises(BusyError) as caught:
            Ingestor(DataHome(data_home.root), FakeEmbedder()).run([new])
        message = str(caught.value)
        assert message == (f"{data_home.root / 'ingest.lock'}: another ingestion is running; "
                           "try again when it has finished")
        monkeypatch.setattr(api, "make_embedder", lambda home=None, model=None: FakeEmbedder())
        result = CliRunner().invoke(cli.main, ["ingest", str(new)])
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [f"error: {message}"]
        assert answers(open_searcher(data_home), QUERIES) == old_answers  # searching is never locked out
    finally:
        worker.kill()  # kill -9: no chance to release anything
    assert Ingestor(DataHome(data_home.root), FakeEmbedder()).run([new]).ok
    assert answers(open_searcher(data_home), QUERIES) == new_answers

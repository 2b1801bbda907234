"""A damaged or mismatched index is refused with one line that says how to rebuild, never
searched half-way or with a traceback; and the next ingestion repairs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from beleidsbron import api, cli
from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import REBUILD_HINT, UnusableIndexError
from beleidsbron.index.search import Searcher

from fakes import TINY_CORPUS, FakeEmbedder, make_pdf
from robust_support import NO_FLAG, answers, open_searcher

QUERIES = ["thuiszorg voor ouderen in Limburg", "paramedisch platform", "voortgang van het akkoord"]
FILES = ["manifest.json", "chunks.sqlite", "vectors.npy", "vectors.faiss", "sentences.npy", "acronyms.json",
         "bm25/vocabulary.json", "bm25/params.index.json", "bm25/vocab.index.json", "bm25/data.csc.index.npy",
         "bm25/indices.csc.index.npy", "bm25/indptr.csc.index.npy",
         "tokens.npy", "token_ids.npy", "token_offsets.npy", "token_df.npy",
         "sentence_tokens/tokens.npy", "sentence_tokens/token_offsets.npy"]


def damage(path: Path, how: str) -> None:
    if how == "missing":
        path.unlink()
    elif how == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(b"")


CASES = [pytest.param(f, how, id=f"{how}-{f}") for f in FILES for how in ("missing", "truncated", "empty")]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    embedder = FakeEmbedder()
    monkeypatch.setattr(api, "make_embedder", lambda home=None, model=None: embedder)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli.main, list(args))

    return invoke


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """The tiny corpus, its index and the answers to QUERIES, made once for the module; each test
    damages a copy (an ingestion per test was a third of the fast tier's time)."""
    root = tmp_path_factory.mktemp("built")
    corpus = root / "docs"
    corpus.mkdir()
    for name, (pages, title) in TINY_CORPUS.items():
        (corpus / name).write_bytes(make_pdf(pages, title=title))
    home = DataHome(root / "home")
    assert Ingestor(home, FakeEmbedder()).run([corpus]).ok
    return corpus, home.root, answers(open_searcher(home), QUERIES)


@pytest.fixture
def tiny_corpus(built: tuple[Path, Path, dict]) -> Path:
    return built[0]  # read only: a test that changes the corpus copies it (see `bigger`)


@pytest.fixture
def indexed(data_home: DataHome, built: tuple[Path, Path, dict]) -> dict:
    shutil.copytree(built[1], data_home.root, symlinks=True, dirs_exist_ok=True)
    return built[2]


def assert_refused(home: DataHome, embedder: FakeEmbedder | None = None, *, says: str = REBUILD_HINT) -> str:
    with pytest.raises(UnusableIndexError) as caught:
        Searcher.open(home, embedder or FakeEmbedder(), NO_FLAG)
    message = str(caught.value)
    assert "\n" not in message and says in message, message
    return message


def assert_cli_refuses(run, message: str) -> None:
    result = run("search", "thuiszorg", "--json")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.stdout == "" and result.stderr == f"error: {message}\n"


# missing, truncated or empty files ---------------------------------------------------------
@pytest.mark.parametrize(("file", "how"), CASES)
def test_a_damaged_file_is_refused_with_a_rebuild_hint(data_home, indexed, run, file: str, how: str) -> None:
    damage(data_home.current() / file, how)
    message = assert_refused(data_home)
    assert str(data_home.current()) in message
    assert_cli_refuses(run, message)


@pytest.mark.parametrize(("file", "how"), [(f, how) for f in FILES for how in ("missing", "truncated", "empty")])
def test_the_next_ingestion_repairs_a_damaged_file(data_home, indexed, tiny_corpus, file: str, how: str) -> None:
    damage(data_home.current() / file, how)
    report = Ingestor(data_home, FakeEmbedder()).run([tiny_corpus])
    assert report.ok and report.documents == 3
    assert answers(open_searcher(data_home), QUERIES) == indexed
    if file.startswith("bm25/") or file == "acronyms.json":
        assert report.embedded == 0  # the store and vectors were sound: reused, only the rest rewritten


def test_ingest_rebuild_repairs_through_the_cli(data_home, indexed, run, tiny_corpus) -> None:
    damage(data_home.current() / "chunks.sqlite", "truncated")
    assert run("search", "thuiszorg").exit_code == 1
    result = run("ingest", "--rebuild", str(tiny_corpus))
    assert result.exit_code == 0, result.output
    assert answers(open_searcher(data_home), QUERIES) == indexed


# another model -----------------------------------------------------------------------------
def test_another_model_is_refused(data_home, indexed, run, monkeypatch) -> None:
    other = FakeEmbedder()
    other.model_id = "ander-model"
    message = assert_refused(data_home, other, says="built with model 'fake-embedder', not 'ander-model'")
    assert REBUILD_HINT in message and "--model fake-embedder" in message
    monkeypatch.setattr(api, "make_embedder", lambda home=None, model=None: other)
    assert_cli_refuses(run, message)


class OtherWeights(FakeEmbedder):
    """Same model name, other weights (a retrained folder, a new release): other vectors."""

    fingerprint = "andere-gewichten"


class OtherWeightsAndSize(OtherWeights):
    dimension = 32


@pytest.mark.parametrize("embedder", [OtherWeights, OtherWeightsAndSize])
def test_other_weights_under_the_same_model_name_are_refused(data_home, indexed, embedder) -> None:
    assert_refused(data_home, embedder(), says="other weights of model 'fake-embedder'")


def test_ingestion_with_other_weights_embeds_everything_again(data_home, indexed, tiny_corpus) -> None:
    report = Ingestor(data_home, OtherWeightsAndSize()).run([tiny_corpus])
    assert report.ok and report.embedded > 0 and report.unchanged == []


# another format ----------------------------------------------------------------------------
@pytest.mark.parametrize("version", [0, 1, 3, None, "2"])
def test_another_format_version_is_refused(data_home, indexed, run, version) -> None:
    path = data_home.current() / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["format_version"] = version
    path.write_text(json.dumps(manifest), encoding="utf-8")
    message = assert_refused(data_home, says=f"index format {version}, this version reads format 2")
    assert message.endswith(REBUILD_HINT)
    assert_cli_refuses(run, message)


# parts that disagree -----------------------------------------------------------------------
@pytest.fixture
def bigger(tmp_path: Path, tiny_corpus: Path) -> Path:
    """A generation of the same corpus plus one document: its files hold more rows."""
    folder = tmp_path / "groter"
    shutil.copytree(tiny_corpus, folder)
    (folder / "extra.pdf").write_bytes(make_pdf(["Een extra document over mondzorg.", "En een tweede pagina."]))
    home = DataHome(tmp_path / "andere-home")
    assert Ingestor(home, FakeEmbedder()).run([folder]).ok
    return home.current()


@pytest.mark.parametrize("files", [["vectors.npy", "vectors.faiss"], ["sentences.npy"], ["chunks.sqlite"], ["bm25"]])
def test_files_from_another_index_are_refused(data_home, indexed, run, bigger, tiny_corpus, files) -> None:
    for name in files:
        target = data_home.current() / name
        if target.is_dir():
            shutil.rmtree(target)
            shutil.copytree(bigger / name, target)
        else:
            shutil.copy(bigger / name, target)
    message = assert_refused(data_home)
    assert_cli_refuses(run, message)
    assert Ingestor(data_home, FakeEmbedder()).run([tiny_corpus]).ok
    assert answers(open_searcher(data_home), QUERIES) == indexed


def test_a_manifest_that_miscounts_the_passages_is_refused(data_home, indexed, run, tiny_corpus) -> None:
    path = data_home.current() / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["chunks"] += 1
    path.write_text(json.dumps(manifest), encoding="utf-8")
    message = assert_refused(data_home)  # by the BM25 index or by the count check, whichever looks first
    assert_cli_refuses(run, message)
    assert Ingestor(data_home, FakeEmbedder()).run([tiny_corpus]).ok
    assert answers(open_searcher(data_home), QUERIES) == indexed


def test_a_current_link_to_nowhere_reads_as_no_index(data_home, indexed, run) -> None:
    shutil.rmtree(data_home.current())
    assert_refused(data_home, says="no index in")
    result = run("search", "thuiszorg")
    assert result.exit_code == 1 and result.stderr.startswith("error: no index in ")

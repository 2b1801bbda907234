"""Shared fixtures: a fake embedder, tiny generated PDFs, a data directory per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from beleidsbron.index.home import DataHome

from fakes import TINY_CORPUS, FakeEmbedder, make_pdf


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataHome:
    """Every test gets its own empty data directory."""
    root = tmp_path / "home"
    monkeypatch.setenv("BELEIDSBRON_HOME", str(root))
    return DataHome(root)


@pytest.fixture
def pdf_factory(tmp_path: Path):
    def write(name: str, pages: list[str | None], **meta) -> Path:
        folder = tmp_path / "docs"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_bytes(make_pdf(pages, **meta))
        return path

    return write


@pytest.fixture
def tiny_corpus(pdf_factory) -> Path:
    """A folder of three small PDFs on distinct topics (iza.pdf has an image-only page 2)."""
    paths = [pdf_factory(name, pages, title=title) for name, (pages, title) in TINY_CORPUS.items()]
    return paths[0].parent


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory):
    """The bundled corpus ingested once per test session with the real default model.

    Returns (DataHome, embedder). Slow (~1 min): only integration and e2e tests use it.
    """
    from beleidsbron.index.build import Ingestor
    from beleidsbron.ingest.embed import E5Embedder

    root = Path(__file__).resolve().parent.parent
    home = DataHome(tmp_path_factory.mktemp("real-home"))
    embedder = E5Embedder()  # what api.make_embedder gives for the default model
    report = Ingestor(home, embedder).run([root / "corpus"])
    assert report.ok and report.documents == 5, report.failures
    return home, embedder

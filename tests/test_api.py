"""The front door (beleidsbron.open, beleidsbron.build_index) as a library user calls it, with the fake model."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import beleidsbron
from beleidsbron.ingest.errors import BeleidsbronError

from fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_library_example_runs(tiny_corpus: Path, data_home, fake_embedder: FakeEmbedder) -> None:
    report = beleidsbron.build_index([tiny_corpus], embedder=fake_embedder)  # home from $BELEIDSBRON_HOME
    assert report.ok and report.documents == 3
    searcher = beleidsbron.open(embedder=fake_embedder)
    result = searcher.search("Wat doet de apotheker in de wijk?", k=2)
    top = result.hits[0]
    assert top.doc == "huisartsen.pdf" and top.page == 1
    assert "apotheker" in top.quote.text
    assert top.citation.endswith("p. 1.")
    assert data_home.current() is not None


def test_an_explicit_home_wins_over_the_environment(tiny_corpus: Path, tmp_path: Path, data_home,
                                                    fake_embedder: FakeEmbedder) -> None:
    elsewhere = tmp_path / "elsewhere"
    assert beleidsbron.build_index([tiny_corpus], home=elsewhere, embedder=fake_embedder).ok
    assert data_home.current() is None
    assert beleidsbron.open(home=elsewhere, embedder=fake_embedder).search("platform", k=1).hits


def test_opening_without_an_index_names_the_folder_and_the_cure(tmp_path: Path, fake_embedder) -> None:
    with pytest.raises(BeleidsbronError, match="no index in .*empty.*beleidsbron ingest"):
        beleidsbron.open(home=tmp_path / "empty", embedder=fake_embedder)


def test_importing_a_stage_does_not_load_the_front_door() -> None:
    import subprocess
    import sys

    code = "import beleidsbron.ingest.pdf, sys; print('beleidsbron.api' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.slow
def test_the_wheel_holds_one_package_with_its_data(tmp_path: Path) -> None:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("beleidsbron-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"beleidsbron"}
    for expected in ("beleidsbron/__init__.py", "beleidsbron/cli.py", "beleidsbron/app.py",
                     "beleidsbron/index/glossary.tsv", "beleidsbron/index/lay_terms.tsv",
                     "beleidsbron/evals/queries-dev.jsonl",
                     "beleidsbron/ingest/pdf.py", "beleidsbron/ui/pages/search.py", "beleidsbron/ui/icon.png"):
        assert expected in names
    assert not [n for n in names if n.startswith("beleidsbron/tests/") or n.endswith(".pdf")]

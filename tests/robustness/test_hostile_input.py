"""Issue 17: special files are refused by name, every skipped folder entry is named, each --batch line
fails alone, control characters never reach the terminal or an export, and uploads stay indexed after
a plain `beleidsbron ingest`."""

from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from beleidsbron import api, cli
from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import Manifest
from beleidsbron.ingest.records import Source
from beleidsbron.ui.basket import BasketItem
from beleidsbron.ui.export import FORMATS

from fakes import TINY_CORPUS, FakeEmbedder, make_pdf

HANG_GUARD = 60  # seconds: a refused FIFO returns at once; without the fix the read never returns
ESCAPES = ("\x1b", "\x07", "\x9b")  # ESC, BEL, CSI (C1)


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch, fake_embedder: FakeEmbedder) -> FakeEmbedder:
    monkeypatch.setattr(api, "make_embedder", lambda home=None, model=None: fake_embedder)
    return fake_embedder


def run(*args: str, input: str | bytes | None = None) -> Result:
    """The CLI in a thread, so that a hang fails the test instead of stopping the run."""
    outcome: list[Result] = []
    thread = threading.Thread(target=lambda: outcome.append(CliRunner().invoke(cli.main, list(args), input=input)),
                              daemon=True)
    thread.start()
    thread.join(HANG_GUARD)
    assert outcome, f"beleidsbron {' '.join(args)} did not return within {HANG_GUARD} s"
    return outcome[0]


def lines(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


# special files -----------------------------------------------------------------------------
def test_a_fifo_and_a_device_named_on_the_command_line_are_refused_by_name(tmp_path: Path, data_home) -> None:
    fifo = tmp_path / "pijp.pdf"
    os.mkfifo(fifo)
    good = tmp_path / "goed.pdf"
    good.write_bytes(make_pdf(["De huisarts werkt samen met de apotheker."]))
    result = run("ingest", str(fifo), "/dev/zero", str(good))
    assert result.exit_code == 1
    assert lines(result.stderr, "failed:") == [
        "failed: pijp.pdf: a FIFO (named pipe), not a PDF file; not read",
        "failed: zero: a character device, not a PDF file; not read"]
    assert {d.file for d in Manifest.read(data_home.current()).documents} == {"goed.pdf"}


def test_every_entry_of_a_folder_that_is_not_read_is_named(tmp_path: Path, data_home, fake_embedder) -> None:
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "goed.pdf").write_bytes(make_pdf(["Wijkverpleging in de regio."]))
    os.mkfifo(folder / "pijp.pdf")
    (folder / "map.pdf").mkdir()
    (folder / "lus.pdf").symlink_to(folder / "lus.pdf")
    (folder / "weg.pdf").symlink_to(folder / "bestaat-niet.pdf")
    (folder / "notities.txt").write_text("geen pdf")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sok.pdf"))
        report = Ingestor(data_home, fake_embedder).run([folder])
    assert sorted(str(f) for f in report.failures) == [
        "lus.pdf: a symbolic link loop, not a PDF file; not read",
        "map.pdf: a folder, not a PDF file; not read",
        "pijp.pdf: a FIFO (named pipe), not a PDF file; not read",
        "sok.pdf: a socket, not a PDF file; not read",
        "weg.pdf: a broken symbolic link, not a PDF file; not read"]
    assert report.skipped == [f"{folder / 'notities.txt'}: a file without the .pdf suffix; not read"]
    assert report.added == ["goed.pdf"]


# --batch -----------------------------------------------------------------------------------
@pytest.fixture
def ingested(tiny_corpus: Path) -> Path:
    assert run("ingest", str(tiny_corpus)).exit_code == 0
    return tiny_corpus


def test_a_batch_line_of_nested_brackets_fails_alone_and_the_valid_lines_keep_their_output(ingested) -> None:
    batch = "\n".join([json.dumps({"id": "a", "query": "huisarts"}), "[" * 1000, '{"a":' * 5000,
                       json.dumps({"id": "b", "query": "platform"})]) + "\n"
    result = run("search", "--batch", "-", "-k", "1", input=batch)
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a", "b"]
    assert lines(result.stderr, "failed:") == ["failed: - line 2: not JSON (nested too deeply)",
                                               "failed: - line 3: not JSON (nested too deeply)"]


def test_a_batch_file_that_is_a_device_is_refused(ingested) -> None:
    result = run("search", "--batch", "/dev/zero")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: /dev/zero: not a file or a pipe; give a JSONL file"


# control characters ------------------------------------------------------------------------
HOSTILE_TITLE = "\x1b[31mRood\x1b]0;venstertitel\x07 zorg"
HOSTILE_AUTHOR = "\x1b[2J"


def test_escape_codes_in_pdf_metadata_never_reach_the_terminal(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "rood.pdf").write_bytes(make_pdf(["De huisarts werkt samen met de apotheker in de wijk."],
                                               title=HOSTILE_TITLE, author=HOSTILE_AUTHOR))
    # a sources.json field is not cleaned at ingestion: the output must neutralise it
    (folder / "sources.json").write_text(json.dumps([{"file": "bron.pdf", "title": "Bron\x9b2J\x1b[5m",
                                                      "publisher": "Uitgever\x07"}]))
    (folder / "bron.pdf").write_bytes(make_pdf(["Wijkverpleging voor ouderen in de regio."]))
    (folder / "naam\x1b[2J.pdf").write_bytes(b"geen pdf")
    outputs = [run("ingest", str(folder)), run("info"), run("search", "huisarts apotheker wijkverpleging"),
               run("search", "--group", "huisarts wijkverpleging"), run("search", "--json", "huisarts ouderen"),
               run("search", "--batch", "-", input=json.dumps({"query": "wijkverpleging huisarts"}) + "\n")]
    for result in outputs:
        for text in (result.stdout, result.stderr):
            assert not any(ch in text for ch in ESCAPES), text
    info = outputs[1].stdout
    assert "rood.pdf: 1 pages, 1 chunks; corpus — [31mRood]0;venstertitel zorg" in info
    assert "bron.pdf: 1 pages, 1 chunks; corpus — Bron\\x9b2J\\x1b[5m" in info
    assert "failed: naam\\x1b[2J.pdf: not a PDF (no %PDF- header)" in outputs[0].stderr
    hits = json.loads(outputs[4].stdout)["hits"]
    assert {h["title"] for h in hits} == {"[31mRood]0;venstertitel zorg", "Bron\x9b2J\x1b[5m"}  # JSON escapes


def test_exports_never_carry_control_characters() -> None:
    source = Source(file="rood.pdf", title=HOSTILE_TITLE, publisher=HOSTILE_AUTHOR + "\x9b", kind="\x1bkind")
    item = BasketItem(quote="Een citaat\x1b[2J met\x07 bel", page=3, source=source, query="zorg\x1b")
    for export in FORMATS:
        text = export.render([item])
        assert not any(ch in text for ch in ESCAPES), export.name


# uploads -----------------------------------------------------------------------------------
def test_uploads_stay_indexed_after_a_plain_ingest_and_info_names_their_origin(
        tiny_corpus: Path, data_home: DataHome, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BELEIDSBRON_CORPUS", str(tiny_corpus))
    data_home.uploads.mkdir(parents=True)
    (data_home.uploads / "eigen.pdf").write_bytes(make_pdf(["Een eigen notitie over ergotherapie."]))
    first = run("ingest")
    assert first.exit_code == 0, first.output
    again = run("ingest")
    assert again.exit_code == 0 and "removed 0" in again.stdout
    manifest = Manifest.read(data_home.current())
    origins = {d.file: d.origin for d in manifest.documents}
    assert origins == {**dict.fromkeys(TINY_CORPUS, "corpus"), "eigen.pdf": "upload"}
    info = run("info").stdout
    assert lines(info, "eigen.pdf: 1 pages, 1 chunks; upload, added 20")
    assert lines(info, "fysio.pdf: 2 pages, 1 chunks; corpus — ")
    assert run("search", "--json", "ergotherapie").stdout.count("eigen.pdf") >= 1
    # an explicit folder keeps them too; deleting the file is what drops an upload
    assert "removed 0" in run("ingest", str(tiny_corpus)).stdout
    (data_home.uploads / "eigen.pdf").unlink()
    assert "removed 1" in run("ingest").stdout


def test_an_upload_never_replaces_a_corpus_document_of_its_name(tiny_corpus: Path, data_home: DataHome,
                                                                fake_embedder: FakeEmbedder) -> None:
    Ingestor(data_home, fake_embedder).run([tiny_corpus])
    data_home.uploads.mkdir(parents=True)
    forged = data_home.uploads / "fysio.pdf"
    forged.write_bytes(make_pdf(["Vervalste tekst onder een echte titel."]))
    for keep_others in (False, True):  # a full ingest, and the app's upload job
        report = Ingestor(data_home, fake_embedder).run([tiny_corpus] if not keep_others else [forged],
                                                        keep_others=keep_others)
        assert [f.file for f in report.failures] == ["fysio.pdf"]
        assert "an upload cannot replace the corpus document of that name" in str(report.failures[0])
        entry = Manifest.read(data_home.current()).entry("fysio.pdf")
        assert entry is not None and entry.origin == "corpus"

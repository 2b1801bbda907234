"""cli.py: the `beleidsbron` command, run with CliRunner over a fake embedder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from beleidsbron import api, cli

from fakes import FakeEmbedder

SUMMARY = re.compile(r"^(\d+) documents, (\d+) pages, (\d+) chunks \((\d+) embedded\) in [\d.]+ s; "
                     r"added (\d+), updated (\d+), unchanged (\d+), removed (\d+), failed (\d+)$")


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch, fake_embedder: FakeEmbedder) -> FakeEmbedder:
    monkeypatch.setattr(api, "make_embedder", lambda home=None, model=None: fake_embedder)
    return fake_embedder


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli.main, list(args), input=input)


def summary(result: Result) -> tuple[int, ...]:
    match = SUMMARY.match(result.stdout.strip().splitlines()[-1])
    assert match, result.stdout
    return tuple(int(n) for n in match.groups())


def failed_lines(result: Result) -> list[str]:
    """The report lines on stderr (the rest of stderr is progress bars)."""
    return [line for line in result.stderr.splitlines() if line.startswith("failed:")]


@pytest.fixture
def ingested(tiny_corpus: Path) -> Path:
    result = run("ingest", str(tiny_corpus))
    assert result.exit_code == 0, result.output
    return tiny_corpus


# ingest ------------------------------------------------------------------------------------
def test_ingest_prints_a_summary(tiny_corpus: Path) -> None:
    result = run("ingest", str(tiny_corpus))
    assert result.exit_code == 0, result.output
    documents, pages, chunks, embedded, added, updated, unchanged, removed, failed = summary(result)
    assert (documents, pages, added, failed) == (3, 7, 3, 0)
    assert chunks > 0 and embedded > 0
    assert "iza.pdf: p. 2: no text layer" in result.stdout
    again = run("ingest", str(tiny_corpus))
    assert again.exit_code == 0 and summary(again)[3:7] == (0, 0, 0, 3)


def test_ingest_reports_a_bad_file_on_one_line_and_exits_1(tiny_corpus: Path) -> None:
    (tiny_corpus / "kapot.pdf").write_text("Dit is geen PDF.", encoding="utf-8")
    result = run("ingest", str(tiny_corpus))
    assert result.exit_code == 1
    assert failed_lines(result) == ["failed: kapot.pdf: not a PDF (no %PDF- header)"]
    assert summary(result)[0] == 3 and summary(result)[-1] == 1


def test_ingest_a_missing_folder(tiny_corpus: Path, tmp_path: Path) -> None:
    result = run("ingest", str(tiny_corpus), str(tmp_path / "weg"))
    assert result.exit_code == 1
    assert failed_lines(result) == [f"failed: {tmp_path / 'weg'}: no such file or folder"]
    assert summary(result)[0] == 3


def test_ingest_with_add_keeps_other_documents(ingested: Path) -> None:
    result = run("ingest", "--add", str(ingested / "fysio.pdf"))
    assert result.exit_code == 0 and summary(result)[0] == 3
    result = run("ingest", str(ingested / "fysio.pdf"))
    assert result.exit_code == 0 and summary(result)[0] == 1 and summary(result)[7] == 2


def test_ingest_while_another_runs(tiny_corpus: Path, data_home) -> None:
    with data_home.ingest_lock():
        result = run("ingest", str(tiny_corpus))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "another ingestion is running" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# search ------------------------------------------------------------------------------------
def test_search_json(ingested: Path) -> None:
    result = run("search", "thuiszorg voor ouderen", "--json", "-k", "2")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["query"] == "thuiszorg voor ouderen"
    assert 1 <= len(payload["hits"]) <= 2
    best = payload["hits"][0]
    assert {"doc", "page", "score", "text", "quote"} <= set(best)
    assert (best["doc"], best["page"]) == ("huisartsen.pdf", 2)
    assert isinstance(best["score"], float) and best["quote"] in best["text"]


def test_search_plain_text(ingested: Path) -> None:
    result = run("search", "paramedisch platform")
    assert result.exit_code == 0
    assert result.stdout.startswith("1. Paramedische platforms — p. 1")


def test_search_filtered_by_document(ingested: Path) -> None:
    result = run("search", "thuiszorg voor ouderen", "--json", "--doc", "iza.pdf", "--mode", "semantic")
    assert {hit["doc"] for hit in json.loads(result.stdout)["hits"]} == {"iza.pdf"}


def test_search_batch_prints_one_json_line_per_query(ingested: Path, tmp_path: Path) -> None:
    batch = tmp_path / "vragen.jsonl"
    batch.write_text('{"id": "q1", "query": "thuiszorg voor ouderen"}\n\n'
                     '{"id": "q2", "query": "voortgang van het akkoord"}\n', encoding="utf-8")
    result = run("search", "--batch", str(batch), "-k", "1")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2"]
    assert [line["hits"][0]["doc"] for line in lines] == ["huisartsen.pdf", "iza.pdf"]


def test_search_batch_from_stdin_skips_bad_lines(ingested: Path) -> None:
    result = run("search", "--batch", "-", input='{"query": "paramedisch platform"}\nkapot\n')
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["1"]
    assert result.stderr.splitlines() == ["failed: - line 2: not JSON"]


def test_search_needs_a_query_or_a_batch(ingested: Path) -> None:
    for args in (["search"], ["search", "zorg", "--batch", "-"]):
        result = run(*args)
        assert result.exit_code == 1
        assert result.stderr == "error: give a QUERY or --batch FILE, not both or neither\n"


# info and errors ---------------------------------------------------------------------------
def test_info_lists_documents(ingested: Path) -> None:
    result = run("info")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("fysio.pdf: 2 pages, ") and lines[0].endswith(" — Paramedische platforms")
    assert lines[2].startswith("iza.pdf: 3 pages, ") and "no text layer on p. 2" in lines[2]
    assert lines[-1].startswith("3 documents, 7 pages (1 without text layer), ")
    assert "model fake-embedder (64-d)" in lines[-1]


@pytest.mark.parametrize("args", [["info"], ["search", "zorg"], ["search", "zorg", "--json"]])
def test_no_index_is_a_one_line_error(args: list[str], data_home) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: no index in {data_home.root}; build it with: beleidsbron ingest\n"


def test_home_option_overrides_the_environment(tiny_corpus: Path, tmp_path: Path) -> None:
    other = tmp_path / "andere-home"
    assert run("--home", str(other), "ingest", str(tiny_corpus)).exit_code == 0
    assert (other / "index" / "current").is_symlink()
    assert run("info").exit_code == 1  # the default home is still empty
    assert run("--home", str(other), "info").exit_code == 0


def test_ingest_of_only_bad_files_reports_them(tmp_path: Path) -> None:
    folder = tmp_path / "slecht"
    folder.mkdir()
    (folder / "kapot.pdf").write_bytes(b"")
    result = run("ingest", str(folder))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # not a crash
    assert failed_lines(result) == ["failed: kapot.pdf: empty file"]

"""ingest/sources.py: corpus/sources.json → Source records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from beleidsbron.ingest.records import Source
from beleidsbron.ingest.sources import SourcesError, load_sources


def write(tmp_path: Path, entries: object) -> Path:
    path = tmp_path / "sources.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return path


def test_reads_every_entry(tmp_path: Path) -> None:
    path = write(tmp_path, [
        {"file": "iza.pdf", "title": "IZA mid-term review", "publisher": "VWS", "year": 2024,
         "kind": "evaluatie", "pages": 40},
        {"file": "ppn.pdf", "title": "Een plek aan tafel", "publisher": "PPN", "year": None, "kind": "interview"},
    ])
    assert load_sources(path) == {
        "iza.pdf": Source("iza.pdf", "IZA mid-term review", "VWS", 2024, "evaluatie"),
        "ppn.pdf": Source("ppn.pdf", "Een plek aan tafel", "PPN", None, "interview"),
    }


def test_missing_fields_get_defaults(tmp_path: Path) -> None:
    assert load_sources(write(tmp_path, [{"file": "zorg-op-de-juiste-plek.pdf"}])) == {
        "zorg-op-de-juiste-plek.pdf": Source("zorg-op-de-juiste-plek.pdf", "zorg-op-de-juiste-plek")}


def test_missing_file_gives_no_sources(tmp_path: Path) -> None:
    assert load_sources(tmp_path / "sources.json") == {}


def test_the_real_corpus_manifest_loads() -> None:
    corpus = Path(__file__).resolve().parents[2] / "corpus" / "sources.json"
    if not corpus.is_file():
        pytest.skip("no corpus/sources.json")
    sources = load_sources(corpus)
    assert sources and all(name.endswith(".pdf") and s.title for name, s in sources.items())


@pytest.mark.parametrize(("entry", "field"), [
    ({"file": "a.pdf", "year": "2024"}, "year"),
    ({"file": "a.pdf", "year": 2024.5}, "year"),
    ({"file": "a.pdf", "title": 12}, "title"),
    ({"file": "a.pdf", "publisher": ["VWS"]}, "publisher"),
    ({"file": "a.pdf", "kind": {"x": 1}}, "kind"),
    ({"file": ""}, "file"),
    ({"title": "zonder bestand"}, "file"),
])
def test_a_bad_field_is_named_with_the_file(tmp_path: Path, entry: dict, field: str) -> None:
    path = write(tmp_path, [{"file": "goed.pdf"}, entry])
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert str(path) in message
    assert "entry 2" in message
    assert f"field '{field}'" in message
    if entry.get("file"):
        assert "(a.pdf)" in message


def test_an_impossible_year_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match=r"entry 1 \(a\.pdf\): Source\.year must be a four-digit year"):
        load_sources(write(tmp_path, [{"file": "a.pdf", "year": 24}]))


@pytest.mark.parametrize(("content", "reason"), [
    ("[{\"file\": \"a.pdf\",}]", "not readable JSON"),
    ("{\"file\": \"a.pdf\"}", "must hold a JSON list"),
    ("[\"a.pdf\"]", "each entry must be an object"),
])
def test_malformed_file_is_refused(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "sources.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourcesError, match=reason) as caught:
        load_sources(path)
    assert str(path) in str(caught.value)


def test_sources_error_is_a_library_error() -> None:
    from beleidsbron.ingest.errors import BeleidsbronError

    assert issubclass(SourcesError, BeleidsbronError)

"""index/manifest.py: what an index holds and how it was built; refusing what cannot be read."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from beleidsbron.index.manifest import (
    FORMAT_VERSION,
    MANIFEST,
    DocumentEntry,
    Manifest,
    UnusableIndexError,
    package_version,
)

HINT = "beleidsbron ingest --rebuild"
FIELDS = dict(model_id="fake-embedder", dimension=64, model_fingerprint="abc123", chunk_size=900,
              chunk_overlap=150, vector_index="flat-ip", chunks=7, sentences=19, built_at="2024-05-01T10:00:00Z")


def manifest(**changes) -> Manifest:
    docs = [DocumentEntry(file="iza.pdf", sha256="a" * 64, title="IZA – mid-term review", pages=3,
                          empty_pages=[2], chunks=5),
            DocumentEntry(file="ppn.pdf", sha256="b" * 64, title="Een plek aan tafel", pages=1,
                          empty_pages=[], chunks=2)]
    return Manifest(documents=docs, **(FIELDS | changes))


def write_raw(directory: Path, raw: object) -> None:
    (directory / MANIFEST).write_text(json.dumps(raw), encoding="utf-8")


def refusal(directory: Path) -> str:
    with pytest.raises(UnusableIndexError) as caught:
        Manifest.read(directory)
    message = str(caught.value)
    assert HINT in message
    assert str(directory / MANIFEST) in message
    assert "\n" not in message
    return message


def test_round_trip(tmp_path: Path) -> None:
    original = manifest()
    original.write(tmp_path)
    assert Manifest.read(tmp_path) == original


def test_is_stamped_with_format_and_package_version(tmp_path: Path) -> None:
    manifest().write(tmp_path)
    raw = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert raw["format_version"] == FORMAT_VERSION
    assert raw["package_version"] == package_version() != ""
    assert raw["model_id"] == "fake-embedder" and raw["dimension"] == 64
    assert raw["documents"][0]["empty_pages"] == [2]
    assert "IZA – mid-term review" in (tmp_path / MANIFEST).read_text(encoding="utf-8")  # readable, not escaped


@pytest.mark.parametrize("version", [FORMAT_VERSION + 1, 0, None, "1"])
def test_refuses_another_format_version(tmp_path: Path, version: object) -> None:
    raw = json.loads(manifest().to_json()) | {"format_version": version}
    write_raw(tmp_path, raw)
    message = refusal(tmp_path)
    assert f"index format {version}" in message
    assert f"reads format {FORMAT_VERSION}" in message


def test_refuses_a_manifest_without_version(tmp_path: Path) -> None:
    raw = json.loads(manifest().to_json())
    del raw["format_version"]
    write_raw(tmp_path, raw)
    assert "index format None" in refusal(tmp_path)


@pytest.mark.parametrize("content", ["{\"model_id\": ", "", "\xff\xfe not utf-8"])
def test_refuses_malformed_json(tmp_path: Path, content: str) -> None:
    (tmp_path / MANIFEST).write_bytes(content.encode("latin-1"))
    assert "unreadable" in refusal(tmp_path)


def test_refuses_json_that_is_no_object(tmp_path: Path) -> None:
    write_raw(tmp_path, [1, 2, 3])
    refusal(tmp_path)


@pytest.mark.parametrize("change", [
    lambda raw: raw.pop("documents"),
    lambda raw: raw.pop("model_id"),
    lambda raw: raw.update(unknown_field=1),
    lambda raw: raw["documents"][0].pop("sha256"),
    lambda raw: raw.update(documents=None),
])
def test_refuses_a_manifest_with_missing_or_unknown_fields(tmp_path: Path, change) -> None:
    raw = json.loads(manifest().to_json())
    change(raw)
    write_raw(tmp_path, raw)
    assert "malformed manifest" in refusal(tmp_path)


def test_missing_manifest(tmp_path: Path) -> None:
    assert "missing" in refusal(tmp_path)


def test_check_model_accepts_the_same_model() -> None:
    manifest().check_model("fake-embedder", "abc123")
    manifest().check_model("fake-embedder")  # fingerprint unknown: the name is enough


def test_check_model_refuses_another_model() -> None:
    with pytest.raises(UnusableIndexError) as caught:
        manifest().check_model("intfloat/multilingual-e5-small", "abc123")
    message = str(caught.value)
    assert "built with model 'fake-embedder', not 'intfloat/multilingual-e5-small'" in message
    assert HINT in message and "--model fake-embedder" in message


def test_check_model_refuses_other_weights_under_the_same_name() -> None:
    with pytest.raises(UnusableIndexError) as caught:
        replace(manifest(), model_fingerprint="0123456789abcdef").check_model("fake-embedder", "fedcba9876543210")
    message = str(caught.value)
    assert "other weights" in message and "0123456789ab" in message and "fedcba987654" in message
    assert "not 'fake-embedder'" not in message  # not "built with model X, not X"
    assert HINT in message

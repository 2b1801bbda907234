"""ui/files.py: safe upload names, names that clash, finding a document's PDF, staging uploads, origins."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleidsbron.index.manifest import CORPUS, UPLOAD, DocumentEntry, Manifest
from beleidsbron.ui.files import (
    DocumentFiles,
    Origin,
    Staging,
    origin,
    read_upload_log,
    remove_upload,
    sanitize_filename,
    taken_names,
    uploads_dir,
)


@pytest.mark.parametrize("name, safe", [
    ("rapport.pdf", "rapport.pdf"),
    ("Zorg op de Juiste Plek – één visie.pdf", "Zorg op de Juiste Plek – één visie.pdf"),
    ("../../etc/passwd", "passwd.pdf"),
    ("..\\..\\windows\\evil.PDF", "evil.pdf"),
    ("/abs/path/doc.pdf", "doc.pdf"),
    ("..", "upload.pdf"),
    ("...pdf", "upload.pdf"),
    (".hidden.pdf", "hidden.pdf"),
    ("a..b.pdf", "a.b.pdf"),
    ("nul\x00byte\x1f\u202etxt.pdf", "nulbyte txt.pdf"),
    ("regel\neen.pdf", "regel een.pdf"),
    ('wat<is>dit:"|?*.pdf', "wat_is_dit_____.pdf"),
    ("", "upload.pdf"),
    ("e\u0301e\u0301n.pdf", "één.pdf"),  # NFC
])
def test_sanitize_filename(name, safe):
    assert sanitize_filename(name) == safe


@given(st.text(max_size=300))
def test_a_sanitized_name_stays_in_its_folder(name):
    safe = sanitize_filename(name)
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert safe.endswith(".pdf") and not safe.startswith(".") and safe not in (".pdf",)
    assert len(safe) <= 154
    assert sanitize_filename(safe) == safe


def test_staging_writes_inside_the_upload_folder_and_keeps_only_what_is_asked(data_home):
    staging = Staging.create(data_home)
    paths = [staging.add("../../x.pdf", b"one"), staging.add("x.pdf", b"two"), staging.add("y.pdf", b"three")]
    assert [p.name for p in paths] == ["x.pdf", "x (2).pdf", "y.pdf"]
    assert all(p.parent == staging.folder.resolve() for p in paths)
    assert staging.renamed == {"x.pdf": "../../x.pdf", "x (2).pdf": "x.pdf"}
    staging.keep(["x (2).pdf"])
    staging.discard()
    assert sorted(p.name for p in uploads_dir(data_home).iterdir()) == [".uploads.json", "x (2).pdf"]
    assert read_upload_log(data_home)["x (2).pdf"]["name"] == "x.pdf"


def test_an_upload_never_takes_a_name_in_use_nor_one_without_pdf(data_home):
    staging = Staging.create(data_home, taken=["ppn.pdf", "IZA.pdf"])
    paths = [staging.add("ppn.pdf", b"a"), staging.add("iza.PDF", b"b"), staging.add("notes.txt", b"c"),
             staging.add("nul\x00.pdf", b"d")]
    assert [p.name if p else None for p in paths] == ["ppn (2).pdf", "iza (2).pdf", None, "nul.pdf"]
    assert staging.clashed == {"ppn (2).pdf", "iza (2).pdf"} and staging.refused == ["notes.txt"]
    staging.discard()


def manifest_of(*files: str) -> Manifest:
    return Manifest(model_id="fake", dimension=8, model_fingerprint="fake", chunk_size=800, chunk_overlap=100,
                    vector_index="flat", chunks=1, sentences=0, built_at="2024-11-01T12:00:00Z",
                    documents=[DocumentEntry(f, hashlib.sha256(f.encode()).hexdigest(), f, 1, [], 1) for f in files])


def test_taken_names_and_origins(data_home, tmp_path):
    corpus, uploads = tmp_path / "corpus", uploads_dir(data_home)
    corpus.mkdir()
    (corpus / "shipped.pdf").write_bytes(b"shipped.pdf")
    (corpus / "not-indexed.pdf").write_bytes(b"x")
    staging = Staging.create(data_home)
    staging.add("../mine.pdf", b"mine.pdf")
    staging.keep(["mine.pdf"])
    staging.discard()
    files = DocumentFiles((corpus, uploads))
    manifest = manifest_of("shipped.pdf", "mine.pdf", "gone.pdf")
    assert taken_names(manifest, files) == {"shipped.pdf", "not-indexed.pdf", "mine.pdf", "gone.pdf"}
    assert origin(manifest, files, data_home, "shipped.pdf") == Origin("corpus")
    assert origin(manifest, files, data_home, "gone.pdf") == Origin("missing")
    mine = origin(manifest, files, data_home, "mine.pdf")
    assert mine.kind == "upload" and mine.uploaded_as == "../mine.pdf" and mine.added_at.endswith("UTC")
    assert remove_upload(data_home, "mine.pdf") and "mine.pdf" not in read_upload_log(data_home)


def test_origins_come_from_the_manifest_where_it_records_them(data_home, tmp_path):
    corpus, uploads = tmp_path / "corpus", uploads_dir(data_home)
    corpus.mkdir()
    (corpus / "shipped.pdf").write_bytes(b"shipped.pdf")
    staging = Staging.create(data_home)
    staging.add("../logged.pdf", b"logged.pdf")
    staging.keep(["logged.pdf"])
    staging.discard()
    (uploads / "unlogged.pdf").write_bytes(b"unlogged.pdf")  # an upload whose log entry is lost
    recorded = {"shipped.pdf": CORPUS, "logged.pdf": UPLOAD, "unlogged.pdf": UPLOAD, "gone.pdf": UPLOAD}
    manifest = manifest_of(*recorded)
    manifest = replace(manifest, documents=[replace(d, origin=recorded[d.file], added_at="2026-12-03T07:17:55Z")
                                            for d in manifest.documents])
    files, at = DocumentFiles((corpus, uploads)), "2026-12-03 07:17 UTC"  # the manifest's time, as shown
    assert origin(manifest, files, data_home, "shipped.pdf") == Origin("corpus")
    assert origin(manifest, files, data_home, "logged.pdf") == Origin("upload", at, "../logged.pdf")
    assert origin(manifest, files, data_home, "unlogged.pdf") == Origin("upload", at, "unlogged.pdf")
    assert origin(manifest, files, data_home, "gone.pdf") == Origin("missing")


def test_keep_replaces_an_older_upload(data_home):
    uploads_dir(data_home).mkdir(parents=True)
    (uploads_dir(data_home) / "a.pdf").write_bytes(b"old")
    staging = Staging.create(data_home)
    staging.add("a.pdf", b"new")
    staging.keep(["a.pdf"])
    staging.discard()
    assert (uploads_dir(data_home) / "a.pdf").read_bytes() == b"new"


def test_find_prefers_the_file_with_the_indexed_content(tmp_path):
    corpus, uploads = tmp_path / "corpus", tmp_path / "uploads"
    corpus.mkdir()
    uploads.mkdir()
    (corpus / "a.pdf").write_bytes(b"corpus version")
    (uploads / "a.pdf").write_bytes(b"uploaded version")
    files = DocumentFiles((corpus, uploads))
    assert files.find("a.pdf") == corpus / "a.pdf"
    assert files.find("a.pdf", hashlib.sha256(b"uploaded version").hexdigest()) == uploads / "a.pdf"
    assert files.find("a.pdf", "0" * 64) == corpus / "a.pdf"  # no match: the first one found
    assert files.find("b.pdf") is None
    assert files.find("../corpus/a.pdf") is None and files.find("") is None


def test_remove_upload_never_touches_other_folders(data_home, tmp_path):
    (tmp_path / "outside.pdf").write_bytes(b"x")
    uploads_dir(data_home).mkdir(parents=True)
    (uploads_dir(data_home) / "a.pdf").write_bytes(b"x")
    assert remove_upload(data_home, "a.pdf") and not (uploads_dir(data_home) / "a.pdf").exists()
    assert not remove_upload(data_home, "a.pdf")
    assert not remove_upload(data_home, "../../outside.pdf") and (tmp_path / "outside.pdf").exists()

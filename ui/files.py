"""Where a document's PDF lives, and how an uploaded file gets a safe name. No Streamlit.

PDFs are found in the corpus folder or in the upload folder under the data
directory (<home>/uploads). An upload is first written to a staging folder inside
the upload folder, ingested from there, and moved into place only when the index
took it, so a failed or duplicate upload leaves no file behind. An upload never takes
the name of a document that is indexed or of a file in either folder: it gets a free
name ("x (2).pdf"), so it can neither replace nor, when removed, take away a shipped
document. Each upload's time and name as uploaded are logged in <uploads>/.uploads.json:
the index manifest records a document's origin and time, not the name it was uploaded as.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import TIME_FORMAT, UPLOAD, Manifest

UPLOADS = "uploads"
UPLOAD_LOG = ".uploads.json"  # file → {"name": as uploaded, "at": when}; a dot file, so never ingested
MAX_NAME = 150  # characters, before the .pdf suffix
FALLBACK = "upload"
SHOWN_TIME = "%Y-%m-%d %H:%M UTC"  # how the upload log writes a time, and a card shows one
_UNSAFE = re.compile(r'[<>:"|?*]')  # not allowed in names on common file systems


def sanitize_filename(name: str) -> str:
    """A bare, safe .pdf file name from an uploaded one.

    Directories (either slash) are stripped, and with them every `..`; control and
    format characters are dropped and characters that are unsafe in file names become
    `_`. Accents and spaces stay. The name never starts with a dot and always ends in .pdf.
    """
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if ch.isspace() else ch for ch in name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name)
    name = " ".join(name.split())
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem.strip(" .")
    stem = re.sub(r"\.{2,}", ".", stem)[:MAX_NAME].strip(" .")
    return f"{stem or FALLBACK}.pdf"


def is_pdf_name(name: str) -> bool:
    """Whether an uploaded file's name, control characters left out, ends in .pdf (any case)."""
    kept = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return kept.strip().lower().endswith(".pdf")


def uploads_dir(home: DataHome) -> Path:
    return home.root / UPLOADS


@lru_cache(maxsize=64)
def _sha256(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256(str(path), stat.st_mtime_ns, stat.st_size)


@dataclass(frozen=True)
class DocumentFiles:
    """Finds the PDF of an indexed document in a list of folders."""

    folders: tuple[Path, ...]

    def find(self, file: str, sha256: str = "") -> Path | None:
        """The PDF named `file` (a bare name); with `sha256`, preferably the one with that content."""
        if not file or Path(file).name != file or file in (".", ".."):
            return None
        found = [folder / file for folder in self.folders if (folder / file).is_file()]
        if sha256:
            for path in found:
                if file_sha256(path) == sha256:
                    return path
        return found[0] if found else None


def taken_names(manifest: Manifest, files: DocumentFiles) -> set[str]:
    """Names an upload may not take: every indexed document, every PDF in the corpus and upload folders."""
    names = {d.file for d in manifest.documents}
    for folder in files.folders:
        if folder.is_dir():
            names |= {p.name for p in folder.iterdir() if p.suffix.lower() == ".pdf"}
    return names


@dataclass
class Staging:
    """Uploaded files written to a fresh folder, waiting to be ingested."""

    home: DataHome
    folder: Path
    taken: set[str] = field(default_factory=set)  # names in use: an upload gets another one
    paths: list[Path] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # safe name → name as uploaded
    clashed: set[str] = field(default_factory=set)  # safe names given because the name was in use
    refused: list[str] = field(default_factory=list)  # names as uploaded that do not end in .pdf

    @classmethod
    def create(cls, home: DataHome, taken: Iterable[str] = ()) -> Staging:
        target = uploads_dir(home)
        target.mkdir(parents=True, exist_ok=True)
        return cls(home, Path(tempfile.mkdtemp(prefix=".staging-", dir=target)), {n.casefold() for n in taken})

    def add(self, name: str, data: bytes) -> Path | None:
        """Write an upload under a safe, free name; None (and `refused`) if its name does not end in .pdf."""
        if not is_pdf_name(name):
            self.refused.append(name)
            return None
        wanted = safe = sanitize_filename(name)
        stem, number = safe[:-4], 2
        # casefolded: on a case-insensitive file system "PPN.pdf" would overwrite "ppn.pdf"
        while safe.casefold() in self.taken or (self.folder / safe).exists():
            safe, number = f"{stem} ({number}).pdf", number + 1
        path = (self.folder / safe).resolve()
        if path.parent != self.folder.resolve():
            raise ValueError(f"unsafe upload name: {name!r}")
        path.write_bytes(data)
        self.paths.append(path)
        if safe != name:
            self.renamed[safe] = name
        if safe != wanted:
            self.clashed.add(safe)
        return path

    def keep(self, names: list[str]) -> None:
        """Move the named files (now indexed) into the upload folder, and log when and as what they came."""
        log = read_upload_log(self.home)
        now = datetime.now(UTC).strftime(SHOWN_TIME)
        for name in names:
            source = self.folder / name
            if source.is_file():
                os.replace(source, uploads_dir(self.home) / name)
                log[name] = {"name": self.renamed.get(name, name), "at": now}
        _write_upload_log(self.home, log)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def read_upload_log(home: DataHome) -> dict[str, dict[str, str]]:
    """The upload log; {} when there is none or it is unreadable (the cards then say less)."""
    try:
        data = json.loads((uploads_dir(home) / UPLOAD_LOG).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): {"name": str(v.get("name", k)), "at": str(v.get("at", ""))}
            for k, v in data.items() if isinstance(v, dict)}


def _write_upload_log(home: DataHome, log: dict[str, dict[str, str]]) -> None:
    path = uploads_dir(home) / UPLOAD_LOG
    temporary = path.with_name(f"{UPLOAD_LOG}.tmp")
    temporary.write_text(json.dumps(log, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


def remove_upload(home: DataHome, file: str) -> bool:
    """Delete an uploaded PDF (never a corpus file) and its log entry. True if one was deleted."""
    if Path(file).name != file:
        return False
    path = uploads_dir(home) / file
    log = read_upload_log(home)
    if log.pop(file, None) is not None:
        _write_upload_log(home, log)
    if path.is_file():
        path.unlink()
        return True
    return False


@dataclass(frozen=True)
class Origin:
    """Where an indexed document came from."""

    kind: str  # corpus (shipped with the app, or given to `beleidsbron ingest`) | upload | missing
    added_at: str = ""  # uploads: when
    uploaded_as: str = ""  # uploads: the file name as uploaded


def origin(manifest: Manifest, files: DocumentFiles, home: DataHome, file: str) -> Origin:
    """Where indexed document `file` came from, as its manifest entry records it; "missing" when its PDF
    (with the indexed content, if there) is in none of the folders.

    An entry without `added_at` comes from a manifest written before origins were recorded (both
    fields came in together), where `origin` reads as corpus whatever it was: then the folder the PDF
    lies in decides."""
    entry = manifest.entry(file)
    path = files.find(file, entry.sha256 if entry else "")
    if path is None:
        return Origin("missing")
    if entry is not None and entry.added_at:
        uploaded, added_at = entry.origin == UPLOAD, _shown_time(entry.added_at)
    else:
        uploaded, added_at = path.parent == uploads_dir(home), ""
    if not uploaded:
        return Origin("corpus")
    logged = read_upload_log(home).get(file, {})
    return Origin("upload", added_at or logged.get("at", ""), logged.get("name", file))


def _shown_time(stamp: str) -> str:
    """A manifest time ("2026-12-03T07:17:55Z") as the upload log has it ("2026-12-03 07:17 UTC")."""
    try:
        return datetime.strptime(stamp, TIME_FORMAT).strftime(SHOWN_TIME)
    except ValueError:
        return stamp

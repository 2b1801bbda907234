"""Where a document's PDF lives, and how an uploaded file gets a safe name. No Streamlit.

PDFs are found in the corpus folder or in the upload folder under the data
directory (<home>/uploads). An upload is first written to a staging folder inside
the upload folder, ingested from there, and moved into place only when the index
took it, so a failed or duplicate upload leaves no file behind and never replaces
a PDF that is indexed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from beleidsbron.index.home import DataHome

UPLOADS = "uploads"
MAX_NAME = 150  # characters, before the .pdf suffix
FALLBACK = "upload"
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


@dataclass
class Staging:
    """Uploaded files written to a fresh folder, waiting to be ingested."""

    home: DataHome
    folder: Path
    paths: list[Path] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # safe name → name as uploaded

    @classmethod
    def create(cls, home: DataHome) -> Staging:
        target = uploads_dir(home)
        target.mkdir(parents=True, exist_ok=True)
        return cls(home, Path(tempfile.mkdtemp(prefix=".staging-", dir=target)))

    def add(self, name: str, data: bytes) -> Path:
        safe = sanitize_filename(name)
        stem, number = safe[:-4], 2
        while (self.folder / safe).exists():  # two uploads with the same safe name
            safe, number = f"{stem} ({number}).pdf", number + 1
        path = (self.folder / safe).resolve()
        if path.parent != self.folder.resolve():
            raise ValueError(f"unsafe upload name: {name!r}")
        path.write_bytes(data)
        self.paths.append(path)
        if safe != name:
            self.renamed[safe] = name
        return path

    def keep(self, names: list[str]) -> None:
        """Move the named files (now indexed) into the upload folder, replacing older versions."""
        for name in names:
            source = self.folder / name
            if source.is_file():
                os.replace(source, uploads_dir(self.home) / name)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def remove_upload(home: DataHome, file: str) -> bool:
    """Delete an uploaded PDF (never a corpus file). True if one was deleted."""
    if Path(file).name != file:
        return False
    path = uploads_dir(home) / file
    if path.is_file():
        path.unlink()
        return True
    return False

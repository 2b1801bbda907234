"""corpus/sources.json → Source records (its metadata wins over a PDF's own), and the files to read."""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from beleidsbron.ingest.errors import BeleidsbronError, DocumentError
from beleidsbron.ingest.records import Source

MANIFEST_NAME = "sources.json"


class SourcesError(BeleidsbronError):
    pass


def _source(entry: object, where: str) -> Source:
    if not isinstance(entry, dict):
        raise SourcesError(f"{where}: each entry must be an object")
    file = entry.get("file")
    if not isinstance(file, str) or not file:
        raise SourcesError(f"{where}: field 'file' must be a non-empty string")
    year = entry.get("year")
    if year is not None and not isinstance(year, int):
        raise SourcesError(f"{where} ({file}): field 'year' must be an integer or null")
    texts = {key: entry.get(key) or "" for key in ("title", "publisher", "kind")}
    for key, value in texts.items():
        if not isinstance(value, str):
            raise SourcesError(f"{where} ({file}): field '{key}' must be a string")
    try:
        return Source(file=file, title=texts["title"] or Path(file).stem, publisher=texts["publisher"],
                      year=year, kind=texts["kind"])
    except ValueError as exc:
        raise SourcesError(f"{where} ({file}): {exc}") from exc


def load_sources(path: Path) -> dict[str, Source]:
    """File name → Source, from a sources.json; empty when there is no such file."""
    if not path.is_file():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourcesError(f"{path}: not readable JSON ({exc})") from exc
    if not isinstance(entries, list):
        raise SourcesError(f"{path}: must hold a JSON list of entries")
    sources = [_source(entry, f"{path} entry {i + 1}") for i, entry in enumerate(entries)]
    return {s.file: s for s in sources}


# finding and reading the files -------------------------------------------------------------
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


@dataclass
class Found:
    """The PDF files to read, and every entry that will not be read, each with its reason."""

    files: list[Path] = field(default_factory=list)
    refused: list[DocumentError] = field(default_factory=list)  # named as PDFs but not readable as files
    skipped: list[str] = field(default_factory=list)  # folder entries that are not PDFs: "path: reason"


def _not_regular(path: Path) -> str | None:
    """Why `path` is not a regular file, from its status alone (nothing is opened), or None."""
    try:
        mode = path.stat().st_mode  # follows links; a FIFO's status is read without opening it
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop"
        if exc.errno == errno.ENOENT and path.is_symlink():
            return "a broken symbolic link"
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def find_pdfs(paths: Iterable[Path]) -> Found:
    """PDF files named, or found (not recursively) in the folders named, in a stable order. Special files
    (FIFOs, devices, sockets, link loops) are refused by name and never opened; in a folder, every entry
    that is not read is named, but for sources.json and hidden entries (uploads' staging folders)."""
    found = Found()
    for path in paths:
        if path.is_dir():
            for entry in sorted(path.iterdir()):
                if entry.name == MANIFEST_NAME or entry.name.startswith("."):
                    continue
                why = _not_regular(entry)
                if entry.suffix.lower() != ".pdf":
                    found.skipped.append(f"{entry}: {why or 'a file'} without the .pdf suffix; not read")
                elif why:
                    found.refused.append(DocumentError(entry.name, f"{why}, not a PDF file; not read"))
                else:
                    found.files.append(entry)
            continue
        why = _not_regular(path)
        if why:
            found.refused.append(DocumentError(path.name, f"{why}, not a PDF file; not read"))
        else:
            found.files.append(path)
    return found


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; DocumentError otherwise. Opened without
    blocking and checked again once open, so a file swapped for a FIFO in between cannot hang the read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise DocumentError(path.name, f"cannot read file ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(path.name, "not a regular file; not read")
        if info.st_size > max_bytes:
            raise DocumentError(path.name, f"{info.st_size / 2**20:,.0f} MB, above the cap of "
                                           f"{max_bytes / 2**20:,.0f} MB per file; not read")
        try:
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise DocumentError(path.name, f"cannot read file ({exc.strerror})") from exc
    if len(data) > max_bytes:  # it grew while being read
        raise DocumentError(path.name, f"above the cap of {max_bytes / 2**20:,.0f} MB per file; not read")
    return data

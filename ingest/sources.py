"""corpus/sources.json → Source records. Its metadata wins over a PDF's own."""

from __future__ import annotations

import json
from pathlib import Path

from beleidsbron.ingest.errors import BeleidsbronError
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

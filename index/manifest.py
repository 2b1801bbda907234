"""manifest.json: what an index on disk holds and how it was built.

The loader refuses an index built with another format version or model, with a
message that says how to rebuild.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from beleidsbron.ingest.errors import BeleidsbronError

FORMAT_VERSION = 2  # 2: passages packed from whole sentences (1: cut by a character splitter)
MANIFEST = "manifest.json"
REBUILD_HINT = "rebuild it with: beleidsbron ingest --rebuild"
CORPUS, UPLOAD = "corpus", "upload"  # a document's origin: a folder given to ingest, or <data dir>/uploads
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # built_at and added_at, in UTC


class UnusableIndexError(BeleidsbronError):
    """The index on disk cannot be used as it is."""


def package_version() -> str:
    try:
        return metadata.version("beleidsbron")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class DocumentEntry:
    file: str
    sha256: str
    title: str
    pages: int
    empty_pages: list[int]
    chunks: int
    origin: str = CORPUS  # CORPUS or UPLOAD: where the file was read from (absent in older manifests)
    added_at: str = ""  # UTC time this file with this content entered the index ("" in older manifests)


@dataclass(frozen=True)
class Manifest:
    model_id: str
    dimension: int
    model_fingerprint: str
    chunk_size: int
    chunk_overlap: int
    vector_index: str
    documents: list[DocumentEntry]
    chunks: int
    sentences: int
    token_vectors: bool = False  # the chunks' token vectors are stored (index/tokens.py); absent in older indexes
    format_version: int = FORMAT_VERSION
    package_version: str = field(default_factory=package_version)
    built_at: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    def write(self, directory: Path) -> None:
        (directory / MANIFEST).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise UnusableIndexError(f"{path}: missing; {REBUILD_HINT}") from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UnusableIndexError(f"{path}: unreadable ({exc.__class__.__name__}); {REBUILD_HINT}") from exc
        version = raw.get("format_version") if isinstance(raw, dict) else None
        if version != FORMAT_VERSION:
            raise UnusableIndexError(f"{path}: index format {version}, this version reads format {FORMAT_VERSION}; "
                              f"{REBUILD_HINT}")
        try:
            docs = [DocumentEntry(**d) for d in raw.pop("documents")]
            return cls(documents=docs, **raw)
        except (TypeError, KeyError) as exc:
            raise UnusableIndexError(f"{path}: malformed manifest ({exc}); {REBUILD_HINT}") from exc

    def entry(self, file: str) -> DocumentEntry | None:
        return next((d for d in self.documents if d.file == file), None)

    def check_model(self, model_id: str, fingerprint: str | None = None) -> None:
        if model_id != self.model_id:
            raise UnusableIndexError(f"the index was built with model {self.model_id!r}, not {model_id!r}; "
                              f"{REBUILD_HINT} (or choose --model {self.model_id})")
        if fingerprint is not None and fingerprint != self.model_fingerprint:
            raise UnusableIndexError(f"the index was built with other weights of model {model_id!r} (fingerprint "
                              f"{self.model_fingerprint[:12]}, now {fingerprint[:12]}); {REBUILD_HINT}")

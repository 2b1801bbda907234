"""Settings: every environment variable beleidsbron reads is read here, and only here.

    BELEIDSBRON_HOME      data directory: models, index generations, uploads (default ./.beleidsbron)
    BELEIDSBRON_CORPUS    the folder `beleidsbron ingest` and the app index by default (default ./corpus)
    BELEIDSBRON_MODEL     sentence-transformers model name or folder (default multilingual-e5-small)
    BELEIDSBRON_RERANKER  a CrossEncoder for the second stage (default: the built-in token rerank)
    BELEIDSBRON_REPORTS   where `beleidsbron eval` writes and the app reads reports (default ./evals/reports)
    BELEIDSBRON_UPLOADS   on | off: whether the app lets people upload PDFs and remove uploads (default: on
                          while the app listens on 127.0.0.1 only, off when it serves the network)
    BELEIDSBRON_UPLOAD_SECRET  a shared secret the app asks for before it uploads or removes anything
    BELEIDSBRON_BACKEND   where the first stage of a search runs: embedded (FAISS + BM25 files, the default)
                          or postgres (PostgreSQL + pgvector; docs/scale-out.md)
    BELEIDSBRON_ENGINE_URI  the postgres backend's server (default: one started under <home>/postgres)

An argument given in code or on the command line wins over the environment, which wins over the default.
Paths are relative to the working directory, never to the source checkout, so an installed wheel works
from any folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from beleidsbron.ingest.errors import BeleidsbronError

ENV_HOME = "BELEIDSBRON_HOME"
ENV_CORPUS = "BELEIDSBRON_CORPUS"
ENV_MODEL = "BELEIDSBRON_MODEL"
ENV_RERANKER = "BELEIDSBRON_RERANKER"
ENV_REPORTS = "BELEIDSBRON_REPORTS"
ENV_UPLOADS = "BELEIDSBRON_UPLOADS"
ENV_UPLOAD_SECRET = "BELEIDSBRON_UPLOAD_SECRET"
UPLOAD_SWITCH = ("on", "off")
ENV_BACKEND = "BELEIDSBRON_BACKEND"
ENV_ENGINE_URI = "BELEIDSBRON_ENGINE_URI"
BACKENDS = ("embedded", "postgres")

DEFAULT_HOME = Path(".beleidsbron")
DEFAULT_CORPUS = Path("corpus")
DEFAULT_REPORTS = Path("evals") / "reports"


def _env(name: str) -> str | None:
    return os.environ.get(name) or None  # an empty variable counts as unset


def _path(name: str, default: Path) -> Path:
    value = _env(name)
    return Path(value) if value else default


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=lambda: _path(ENV_HOME, DEFAULT_HOME))
    corpus: Path = field(default_factory=lambda: _path(ENV_CORPUS, DEFAULT_CORPUS))
    model: str | None = field(default_factory=lambda: _env(ENV_MODEL))  # None: the embedder's default
    reranker: str | None = field(default_factory=lambda: _env(ENV_RERANKER))
    reports: Path = field(default_factory=lambda: _path(ENV_REPORTS, DEFAULT_REPORTS))
    uploads: str | None = field(default_factory=lambda: _env(ENV_UPLOADS))  # None: decided by the address
    upload_secret: str | None = field(default_factory=lambda: _env(ENV_UPLOAD_SECRET), repr=False)
    backend: str = field(default_factory=lambda: _env(ENV_BACKEND) or BACKENDS[0])
    engine_uri: str | None = field(default_factory=lambda: _env(ENV_ENGINE_URI))

    def __post_init__(self) -> None:
        if self.uploads is not None and self.uploads not in UPLOAD_SWITCH:
            raise ValueError(f"{ENV_UPLOADS} must be one of {', '.join(UPLOAD_SWITCH)}, got {self.uploads!r}")
        if self.backend not in BACKENDS:
            raise BeleidsbronError(f"{ENV_BACKEND} must be one of {', '.join(BACKENDS)}, got {self.backend!r}")

    @classmethod
    def load(cls, **given: object) -> Settings:
        """Settings from the environment, with the values given here (those not None) taking precedence."""
        chosen = {name: value for name, value in given.items() if value is not None}
        for name in ("home", "corpus", "reports"):
            if name in chosen:
                chosen[name] = Path(chosen[name])  # type: ignore[arg-type]
        return cls(**chosen)  # type: ignore[arg-type]

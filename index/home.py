"""The data directory: models, index generations and the ingestion lock.

    <home>/ (settings.py: $BELEIDSBRON_HOME, default ./.beleidsbron)
      models/                converted embedding models
      index/current  ->  gen-…   the index searches use (a symlink, swapped atomically)
      index/gen-…/           one complete index: manifest.json, chunks.sqlite, vectors.*
      uploads/               PDFs uploaded in the app; every ingestion indexes them too
      ingest.lock            held (flock) while an ingestion runs; a crash releases it

A new index is written to a fresh generation directory and only then swapped in
with one rename, so a reader sees the old index or the new one, never a mix,
and an interrupted ingestion leaves the previous index as it was.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from beleidsbron.ingest.errors import BeleidsbronError

KEEP_GENERATIONS = 2  # the current one and the one before, for readers still on it


class BusyError(BeleidsbronError):
    pass


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DataHome:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def uploads(self) -> Path:
        return self.root / "uploads"

    @property
    def index_root(self) -> Path:
        return self.root / "index"

    def current(self) -> Path | None:
        """The directory of the index in use, resolved once, or None."""
        link = self.index_root / "current"
        try:
            target = os.readlink(link)
        except OSError:
            return None
        path = self.index_root / target
        return path if path.is_dir() else None

    def new_generation(self) -> Path:
        self.index_root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"tmp-{time.strftime('%Y%m%dT%H%M%S')}-", dir=self.index_root))

    def commit(self, generation: Path) -> Path:
        """Make a fully written generation the current index, atomically."""
        previous = self.current()
        for file in generation.rglob("*"):
            if file.is_file():
                with file.open("rb") as fh:
                    os.fsync(fh.fileno())
        # named by commit time, to the nanosecond, so that pruning by name removes the oldest
        # even when several generations are committed within one second
        now = time.time_ns()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(now // 10**9)) + f".{now % 10**9:09d}"
        final = generation.with_name(f"gen-{stamp}-{generation.name.rsplit('-', 1)[-1]}")
        generation.rename(final)
        link_tmp = self.index_root / f".current-{os.getpid()}"
        link_tmp.unlink(missing_ok=True)
        link_tmp.symlink_to(final.name)
        os.replace(link_tmp, self.index_root / "current")
        _fsync_dir(self.index_root)
        self._prune(final, previous)
        return final

    def _prune(self, keep: Path, previous: Path | None) -> None:
        """Remove old generations, keeping `keep` and `previous` (the one readers may still be on).

        Also removes what a killed ingestion leaves: half-written tmp-* directories, a gen-* that was
        renamed but never made current (it is not kept in place of `previous`), a stray .current-* link.
        """
        gens = sorted(p for p in self.index_root.glob("gen-*") if p.is_dir())
        kept = {keep} | ({previous} if previous is not None else set())
        others = [g for g in gens if g not in kept]
        old = others[: max(0, len(others) - max(0, KEEP_GENERATIONS - len(kept)))]
        for path in old + [p for p in self.index_root.glob("tmp-*") if p.is_dir()]:
            shutil.rmtree(path, ignore_errors=True)
        for link in self.index_root.glob(".current-*"):
            link.unlink(missing_ok=True)

    @contextmanager
    def ingest_lock(self) -> Iterator[None]:
        """Hold the ingestion lock; refuse at once if another ingestion holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / "ingest.lock"
        with path.open("a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise BusyError(f"{path}: another ingestion is running; try again when it has finished") from exc
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

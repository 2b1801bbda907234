"""Real engines for the `distributed` tests: a two-worker Dask cluster and a PostgreSQL + pgvector
server, both started from their registry packages on this machine (127.0.0.1 only / a Unix socket,
no TCP port) once per test session, and stopped again at its end, also when a test fails."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dask
import psycopg
import pytest

from beleidsbron.index.backends.pgserver import LocalServer
from beleidsbron.index.backends.postgres import PgEngine
from beleidsbron.index.distributed import local_cluster

WORKERS = 2
# a task whose worker dies is tried again once; a second death reports it (Dask's default is 3,
# which makes the test of a document that always kills its worker restart workers four times)
ALLOWED_FAILURES = 1
# generous: on a loaded 2-core machine worker processes took over the default 30 s to start and connect
SLOW_START = {"distributed.comm.timeouts.connect": "180s"}
START_TIMEOUT = 300
# Dask starts workers with multiprocessing's spawn, which re-imports the parent's __main__ in each worker.
# Streamlit's AppTest (tests/app, run earlier in the same session) leaves its script module there, so the
# workers would run app.py and die ("Nanny failed to start"). Collection imports this file before any test
# runs, while __main__ is still pytest's.
PYTEST_MAIN = sys.modules["__main__"]


@contextmanager
def original_main() -> Iterator[None]:
    """pytest's own __main__ for as long as workers may be (re)started."""
    current = sys.modules["__main__"]
    sys.modules["__main__"] = PYTEST_MAIN
    try:
        yield
    finally:
        sys.modules["__main__"] = current


@pytest.fixture(scope="session")
def cluster() -> Iterator[object]:
    with original_main(), dask.config.set(SLOW_START), local_cluster(workers=WORKERS) as client:
        client.wait_for_workers(WORKERS, timeout=START_TIMEOUT)
        yield client


@pytest.fixture
def doomed_cluster() -> Iterator[object]:
    """A cluster of its own for a test that kills workers, so the session's stays whole (~3 s to start)."""
    with original_main(), dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES, **SLOW_START}):
        with local_cluster(workers=WORKERS) as client:
            client.wait_for_workers(WORKERS, timeout=START_TIMEOUT)
            yield client


@pytest.fixture(scope="session")
def engine_uri() -> Iterator[str]:
    # Not under pytest's tmp_path: run as root, the server runs as the user `pgserver`, and every
    # pytest session resets /tmp/pytest-of-root to mode 0700 (another session's too), locking it out.
    folder = Path(tempfile.mkdtemp(prefix="beleidsbron-postgres-"))
    folder.chmod(0o755)
    server = LocalServer(folder / "data")
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def database_uri(engine_uri: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of its own for one test, on the session's server."""
    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    with psycopg.connect(engine_uri, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield re.sub(r"/postgres\?", f"/{name}?", engine_uri, count=1)
    finally:
        with psycopg.connect(engine_uri, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def engine(database_uri: str) -> Iterator[PgEngine]:
    engine = PgEngine(database_uri)
    try:
        yield engine
    finally:
        engine.close()

"""Real engines for the `distributed` tests: a two-worker Dask cluster, started from its registry
package on this machine (127.0.0.1 only) once per test session, and stopped again at its end, also
when a test fails."""

from __future__ import annotations

from collections.abc import Iterator

import dask
import pytest

from beleidsbron.index.distributed import local_cluster

WORKERS = 2
# a task whose worker dies is tried again once; a second death reports it (Dask's default is 3,
# which makes the test of a document that always kills its worker restart workers four times)
ALLOWED_FAILURES = 1


@pytest.fixture(scope="session")
def cluster() -> Iterator[object]:
    with local_cluster(workers=WORKERS) as client:
        client.wait_for_workers(WORKERS, timeout=60)
        yield client


@pytest.fixture
def doomed_cluster() -> Iterator[object]:
    """A cluster of its own for a test that kills workers, so the session's stays whole (~3 s to start)."""
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        with local_cluster(workers=WORKERS) as client:
            client.wait_for_workers(WORKERS, timeout=60)
            yield client

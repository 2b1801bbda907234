"""ui/jobs.py: ingestion in a background thread, one job at a time per data directory."""

from __future__ import annotations

import threading
import time

import pytest

from beleidsbron.index.build import IngestReport
from beleidsbron.index.home import BusyError
from beleidsbron.index.manifest import UnusableIndexError
from beleidsbron.ui import jobs


@pytest.fixture
def root(tmp_path):
    yield str(tmp_path)
    job = jobs.latest(str(tmp_path))
    if job is not None:
        job.wait(5)
    jobs.forget(str(tmp_path))


def test_a_job_runs_in_the_background_and_keeps_its_report(root):
    release = threading.Event()
    report = IngestReport(added=["a.pdf"])

    def work(job):
        job.pages(3)
        job.embedded("chunks", 2, 4)
        release.wait(5)
        job.embedded("chunks", 2, 4)
        job.embedded("sentences", 5, 10)
        return report

    job = jobs.submit(root, "build", work)
    assert job is not None and jobs.running(root) is job
    assert jobs.submit(root, "upload", work) is None  # one at a time
    while job.snapshot.stage != "chunks":
        pass
    snap = job.snapshot
    assert (snap.stage, snap.done, snap.total) == ("chunks", 2, 4) and 0.1 < snap.fraction < 0.4
    release.set()
    assert job.wait(5) and job.finished
    assert job.report is report and not job.busy and not job.error
    assert job.snapshot.fraction == 1.0
    assert jobs.running(root) is None and jobs.latest(root) is job


def test_progress_counts_restart_per_stage():
    job = jobs.IngestJob("build", lambda j: IngestReport())
    job.pages(2)
    job.pages(3)
    assert job.snapshot.done == 5
    job.embedded("sentences", 10, 20)
    assert (job.snapshot.done, job.snapshot.fraction) == (10, 0.4 + 0.6 * 0.5)


@pytest.mark.parametrize("error, busy, message", [
    (BusyError("locked"), True, ""),
    (UnusableIndexError("damaged"), False, "damaged"),
    (RuntimeError("boom"), False, "RuntimeError: boom"),
])
def test_failures_are_recorded_not_raised(root, error, busy, message):
    def work(job):
        raise error

    job = jobs.submit(root, "upload", work)
    assert job.wait(5)
    assert (job.busy, job.error, job.report) == (busy, message, None)
    assert jobs.submit(root, "upload", lambda j: IngestReport()) is not None  # a finished job does not block


def test_forget_only_drops_a_finished_job(root):
    release = threading.Event()
    job = jobs.submit(root, "build", lambda j: release.wait(5) and IngestReport())
    jobs.forget(root)
    assert jobs.latest(root) is job
    release.set()
    job.wait(5)
    jobs.forget(root)
    assert jobs.latest(root) is None


def test_a_cancelled_job_stops_at_its_next_progress_report_even_inside_a_guarded_loop(root):
    started, reported = threading.Event(), []

    def work(job):
        for n in range(1000):  # like the ingestor: one bad item is caught and the rest goes on
            try:
                job.embedded("chunks", 1, 1000)
                reported.append(n)
                started.set()
                time.sleep(0.01)
            except Exception:
                continue
        return IngestReport(added=["never.pdf"])

    job = jobs.submit(root, "upload", work)
    assert started.wait(5) and not job.cancelling
    job.cancel()
    assert job.wait(5)
    assert job.cancelled and job.report is None and not job.error and len(reported) < 1000
    assert not job.cancelling
    assert jobs.submit(root, "upload", lambda j: IngestReport()) is not None

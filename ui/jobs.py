"""Ingestion jobs that run in a background thread, one at a time per data directory. No Streamlit.

A Streamlit script run is stopped whenever its session reruns or its browser tab
closes; an ingestion inside it would be abandoned halfway (harmless for the index,
which is swapped atomically, but the work is lost). So the app hands ingestion to an
IngestJob: the job runs in its own thread, records its progress, and keeps its
report; every session that looks shows the progress, and the session that started the
job shows the report when it is done. Any session may cancel a running job: it stops at
its next progress report (after a document is read, or a batch of 32 texts embedded) and
leaves the index as it was.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from beleidsbron.index.build import IngestReport
from beleidsbron.index.home import BusyError
from beleidsbron.ingest.errors import BeleidsbronError

log = logging.getLogger("beleidsbron.app")

# share of the bar for each stage: reading pages, embedding passages, embedding sentences
STAGES = {"pages": (0.0, 0.1), "chunks": (0.1, 0.3), "sentences": (0.4, 0.6)}
_ids = itertools.count(1)


class Cancelled(BaseException):
    """Raised inside a job's thread, from its progress report, once the job is cancelled.

    A BaseException, like KeyboardInterrupt: the ingestor's `except Exception` around one bad
    document must not take a cancel for that document's failure and go on.
    """


@dataclass(frozen=True)
class Snapshot:
    """A job's progress at one moment."""

    stage: str  # start | pages | chunks | sentences | done
    done: int
    total: int
    fraction: float


@dataclass
class IngestJob:
    """Runs `work(progress)` in a thread; is itself the index.build.Progress it gets."""

    kind: str  # build | upload | remove
    work: Callable[[IngestJob], IngestReport]
    id: int = field(default_factory=lambda: next(_ids))
    report: IngestReport | None = None
    busy: bool = False
    error: str = ""
    cancelled: bool = False
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _finished: threading.Event = field(default_factory=threading.Event, repr=False)
    _snapshot: Snapshot = Snapshot("start", 0, 0, 0.0)

    # Progress: the ingestor reports here, so this is where a cancelled job stops ------------
    def pages(self, n: int) -> None:
        self._stop_if_cancelled()
        with self._lock:
            done = (self._snapshot.done if self._snapshot.stage == "pages" else 0) + n
            self._snapshot = Snapshot("pages", done, 0, 0.05)

    def embedded(self, kind: str, n: int, total: int) -> None:
        self._stop_if_cancelled()
        with self._lock:
            done = (self._snapshot.done if self._snapshot.stage == kind else 0) + n
            base, span = STAGES.get(kind, (0.4, 0.6))
            self._snapshot = Snapshot(kind, done, total, min(base + span * done / max(total, 1), 1.0))

    def _stop_if_cancelled(self) -> None:
        if self._cancel.is_set():
            raise Cancelled(f"{self.kind} job {self.id} cancelled")

    def cancel(self) -> None:
        """Ask the job to stop at its next progress report; the index stays as it was."""
        self._cancel.set()

    @property
    def cancelling(self) -> bool:
        return self._cancel.is_set() and not self.finished

    # state -------------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snapshot

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._finished.wait(timeout)

    def run(self) -> None:
        """The job's body (the thread's target); never raises."""
        try:
            self.report = self.work(self)
            log.info("%s job %d: %d documents in %.1f s; added %s, updated %s, removed %s, duplicates %s, "
                     "failed %d", self.kind, self.id, self.report.documents, self.report.seconds, self.report.added,
                     self.report.updated, self.report.removed, self.report.duplicates, len(self.report.failures))
        except Cancelled:
            self.cancelled = True
            log.info("%s job %d cancelled", self.kind, self.id)
        except BusyError:
            self.busy = True
        except BeleidsbronError as exc:
            self.error = str(exc)
            log.warning("%s job %d failed: %s", self.kind, self.id, exc)
        except Exception as exc:  # a bug or a broken model: report it, never kill the server
            self.error = f"{exc.__class__.__name__}: {exc}"
            log.exception("%s job %d crashed", self.kind, self.id)
        finally:
            with self._lock:
                self._snapshot = Snapshot("done", 0, 0, 1.0)
            self._finished.set()


_jobs: dict[str, IngestJob] = {}  # data directory → its latest job
_registry_lock = threading.Lock()


def latest(root: str) -> IngestJob | None:
    with _registry_lock:
        return _jobs.get(root)


def running(root: str) -> IngestJob | None:
    job = latest(root)
    return job if job is not None and not job.finished else None


def submit(root: str, kind: str, work: Callable[[IngestJob], IngestReport]) -> IngestJob | None:
    """Start a job for the data directory; None if one is running there already."""
    with _registry_lock:
        current = _jobs.get(root)
        if current is not None and not current.finished:
            return None
        job = IngestJob(kind, work)
        _jobs[root] = job
    threading.Thread(target=job.run, name=f"beleidsbron-{kind}-{job.id}", daemon=True).start()
    return job


def forget(root: str) -> None:
    """Drop the record of a finished job (tests, and a retry after a failed build)."""
    with _registry_lock:
        job = _jobs.get(root)
        if job is not None and job.finished:
            del _jobs[root]

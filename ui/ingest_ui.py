"""Ingestion from the app: start a background job, show its progress bar, report per file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import streamlit as st

from beleidsbron.index.build import IngestReport
from beleidsbron.index.home import DataHome
from beleidsbron.ui import engine, jobs
from beleidsbron.ui.escape import md
from beleidsbron.ui.i18n import tr
from beleidsbron.ui.jobs import IngestJob

POLL_SECONDS = 0.5  # how often a page showing a running job redraws its progress


def root(data: DataHome) -> str:
    return str(data.root.resolve())


def submit(data: DataHome, kind: str, paths: list[Path], remove: Iterable[str] = (), rebuild: bool = False,
           after: Callable[[IngestReport], None] | None = None,
           cleanup: Callable[[], None] | None = None) -> IngestJob | None:
    """Start ingesting `paths` (keeping other documents) in the background; None if a job is running.

    `after` gets the report when the index has been written; `cleanup` runs in any case.
    """
    make = engine.ingestor_maker(data)
    removed = list(remove)

    def work(job: IngestJob) -> IngestReport:
        try:
            report = make(job).run(paths, keep_others=True, remove=removed, rebuild=rebuild)
            if after is not None:
                after(report)
            return report
        finally:
            if cleanup is not None:
                cleanup()

    job = jobs.submit(root(data), kind, work)
    if job is None and cleanup is not None:
        cleanup()
    return job


def show_progress(job: IngestJob, lang: str) -> None:
    snap = job.snapshot
    st.progress(snap.fraction, text=tr(lang, f"ingest.{snap.stage}", n=snap.done, total=snap.total))


def rerun_soon(job: IngestJob) -> None:
    """Wait a moment (less if the job finishes), then rerun the page to redraw the progress."""
    job.wait(POLL_SECONDS)
    st.rerun()


def poll(job: IngestJob, lang: str) -> None:
    show_progress(job, lang)
    rerun_soon(job)


def show_outcome(job: IngestJob, lang: str, renamed: dict[str, str] | None = None) -> None:
    if job.busy:
        st.warning(tr(lang, "ingest.busy"))
    elif job.error:
        st.error(tr(lang, "ingest.error", error=md(job.error)))
    elif job.report is not None:
        show_report(job.report, lang, renamed)


def show_report(report: IngestReport, lang: str, renamed: dict[str, str] | None = None) -> None:
    """One message per outcome; every failed file with its reason."""
    for safe, original in (renamed or {}).items():
        st.caption(tr(lang, "upload.renamed", original=md(original), safe=md(safe)))
    if report.added:
        st.success(tr(lang, "ingest.added", files=md(", ".join(report.added))))
    if report.updated:
        st.success(tr(lang, "ingest.updated", files=md(", ".join(report.updated))))
    if report.removed:
        st.success(tr(lang, "ingest.removed", files=md(", ".join(report.removed))))
    for pair in report.duplicates:
        new, _, old = pair.partition(" = ")
        st.warning(tr(lang, "ingest.duplicate", new=md(new), old=md(old)))
    for failure in report.failures:
        st.error(tr(lang, "ingest.failed", file=md(failure.file), reason=md(failure.reason)))
    for file, pages in report.empty_pages.items():
        if file in report.added or file in report.updated:
            st.warning(tr(lang, "ingest.empty", file=md(file), pages=", ".join(map(str, pages))))
    if not (report.added or report.updated or report.removed or report.duplicates or report.failures):
        st.info(tr(lang, "ingest.nothing"))

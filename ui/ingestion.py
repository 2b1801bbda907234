"""Ingestion from the app: start a background job (ui.jobs), show its progress with a cancel button,
report per file; and at start-up, open the searcher, building the index first if there is none.

A build runs as a job too, so it finishes even if the tab that started it closes; every
session shows its progress until the index is there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import streamlit as st

from beleidsbron.index.build import IngestReport
from beleidsbron.ingest.errors import BeleidsbronError
from beleidsbron.ui import context, jobs
from beleidsbron.ui.context import Context, SearcherLike
from beleidsbron.ui.files import uploads_dir
from beleidsbron.ui.jobs import IngestJob
from beleidsbron.ui.markup import md, no_paths

POLL_SECONDS = 0.5  # how often a page showing a running job redraws its progress
BUSY_RETRY_SECONDS = 2.0


def submit(ctx: Context, kind: str, paths: list[Path], remove: Iterable[str] = (), rebuild: bool = False,
           after: Callable[[IngestReport], None] | None = None,
           cleanup: Callable[[], None] | None = None) -> IngestJob | None:
    """Start ingesting `paths` (keeping other documents) in the background; None if a job is running.

    `after` gets the report when the index has been written; `cleanup` runs in any case.
    """
    make = context.ingestor_maker(ctx)
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

    job = jobs.submit(ctx.root, kind, work)
    if job is None and cleanup is not None:
        cleanup()
    return job


def show_progress(ctx: Context, job: IngestJob, cancel: bool = False) -> None:
    """The job's progress bar; with `cancel`, a button to cancel it (the index then stays as it was)."""
    snap = job.snapshot
    st.progress(snap.fraction, text=ctx.tr(f"ingest.{snap.stage}", n=snap.done, total=snap.total))
    if job.cancelling:
        st.caption(ctx.tr("ingest.cancelling"))
    elif cancel:
        st.button(ctx.tr("ingest.cancel"), key=f"cancel-{job.id}", on_click=job.cancel, icon=":material/cancel:")


def rerun_soon(job: IngestJob) -> None:
    """Wait a moment (less if the job finishes), then rerun the page to redraw the progress."""
    job.wait(POLL_SECONDS)
    st.rerun()


def poll(ctx: Context, job: IngestJob) -> None:
    show_progress(ctx, job)
    rerun_soon(job)


def show_outcome(ctx: Context, job: IngestJob, renamed: dict[str, str] | None = None) -> None:
    if job.cancelled:
        st.info(ctx.tr("ingest.cancelled"))
    elif job.busy:
        st.warning(ctx.tr("ingest.busy"))
    elif job.error:
        st.error(ctx.tr("ingest.error", error=md(no_paths(job.error))))
    elif job.report is not None:
        show_report(ctx, job.report, renamed)


def show_report(ctx: Context, report: IngestReport, renamed: dict[str, str] | None = None) -> None:
    """One message per outcome; every failed file with its reason."""
    for safe, original in (renamed or {}).items():
        st.caption(ctx.tr("upload.renamed", original=md(original), safe=md(safe)))
    if report.added:
        st.success(ctx.tr("ingest.added", files=md(", ".join(report.added))))
    if report.updated:
        st.success(ctx.tr("ingest.updated", files=md(", ".join(report.updated))))
    if report.removed:
        st.success(ctx.tr("ingest.removed", files=md(", ".join(report.removed))))
    for duplicate in report.duplicates:
        st.warning(ctx.tr("ingest.duplicate", new=md(duplicate.file), old=md(duplicate.twin)))
    for failure in report.failures:
        st.error(ctx.tr("ingest.failed", file=md(failure.file), reason=md(no_paths(failure.reason))))
    for file, pages in report.empty_pages.items():
        if file in report.added or file in report.updated:
            st.warning(ctx.tr("ingest.empty", file=md(file), pages=", ".join(map(str, pages))))
    if not (report.added or report.updated or report.removed or report.duplicates or report.failures):
        st.info(ctx.tr("ingest.nothing"))


# start-up ---------------------------------------------------------------------------------------
def _start_build(ctx: Context, rebuild: bool = False) -> None:
    paths = [p for p in (ctx.settings.corpus, uploads_dir(ctx.data)) if p.is_dir()]
    if not paths:
        st.error(ctx.tr("index.nocorpus", folder=md(ctx.settings.corpus.name or str(ctx.settings.corpus))))
        st.stop()
    job = submit(ctx, "build", paths, rebuild=rebuild)
    if job is not None:
        poll(ctx, job)


def _retry(ctx: Context) -> None:
    jobs.forget(ctx.root)


def _after_build(ctx: Context, job: IngestJob) -> None:
    """A build finished but there is still no index: say why; offer to try again."""
    if job.busy:  # another process (the command line) holds the lock: wait for it
        st.info(ctx.tr("index.busy"))
        jobs.forget(ctx.root)
        time.sleep(BUSY_RETRY_SECONDS)
        st.rerun()
    show_outcome(ctx, job)
    if not job.error and not job.cancelled:
        st.error(ctx.tr("index.empty"))
    st.button(ctx.tr("index.retry"), key="build-retry", on_click=_retry, args=(ctx,))
    st.stop()


def ensure_searcher(ctx: Context) -> SearcherLike:
    """The searcher; builds the index when there is none. Stops the run while there is none."""
    try:
        with st.spinner(ctx.tr("loading")):
            searcher = context.open_searcher(ctx)
    except BeleidsbronError as exc:
        job = jobs.running(ctx.root)
        if job is not None:
            st.info(ctx.tr("index.building"))
            poll(ctx, job)
        st.error(ctx.tr("index.broken", error=md(no_paths(str(exc)))))
        if st.button(ctx.tr("index.rebuild"), key="rebuild"):
            _start_build(ctx, rebuild=True)
        st.stop()
    if searcher is not None:
        return searcher
    st.info(ctx.tr("index.building"))
    job = jobs.latest(ctx.root)
    if job is None or job.kind != "build":
        _start_build(ctx)
    elif not job.finished:
        poll(ctx, job)
    elif ctx.data.current() is None:
        _after_build(ctx, job)
    st.rerun()

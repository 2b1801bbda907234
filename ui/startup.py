"""Start-up: open the searcher over the current index, building the index first if there is none.

The build runs as a background job (ui.jobs), so it finishes even if the tab that
started it closes; every session shows its progress until the index is there.
"""

from __future__ import annotations

import time

import streamlit as st

from beleidsbron.index.home import DataHome
from beleidsbron.ingest.errors import BeleidsbronError
from beleidsbron.ui import engine, jobs
from beleidsbron.ui.engine import SearcherLike
from beleidsbron.ui.escape import md
from beleidsbron.ui.files import uploads_dir
from beleidsbron.ui.i18n import tr
from beleidsbron.ui.ingest_ui import poll, root, show_outcome, submit

BUSY_RETRY_SECONDS = 2.0


def _sources(data: DataHome) -> list:
    return [p for p in (engine.corpus_dir(), uploads_dir(data)) if p.is_dir()]


def _start_build(data: DataHome, lang: str, rebuild: bool = False) -> None:
    paths = _sources(data)
    if not paths:
        st.error(tr(lang, "index.nocorpus", folder=md(str(engine.corpus_dir()))))
        st.stop()
    job = submit(data, "build", paths, rebuild=rebuild)
    if job is not None:
        poll(job, lang)


def _retry(data: DataHome) -> None:
    jobs.forget(root(data))


def _after_build(data: DataHome, lang: str, job: jobs.IngestJob) -> None:
    """A build finished but there is still no index: say why; offer to try again."""
    if job.busy:  # another process (the command line) holds the lock: wait for it
        st.info(tr(lang, "index.busy"))
        jobs.forget(root(data))
        time.sleep(BUSY_RETRY_SECONDS)
        st.rerun()
    show_outcome(job, lang)
    if not job.error:
        st.error(tr(lang, "index.empty"))
    st.button(tr(lang, "index.retry"), key="build-retry", on_click=_retry, args=(data,))
    st.stop()


def ensure_searcher(data: DataHome, lang: str) -> SearcherLike:
    """The searcher; builds the index when there is none. Stops the run while there is none."""
    try:
        with st.spinner(tr(lang, "loading")):
            searcher = engine.open_searcher(data)
    except BeleidsbronError as exc:
        job = jobs.running(root(data))
        if job is not None:
            st.info(tr(lang, "index.building"))
            poll(job, lang)
        st.error(tr(lang, "index.broken", error=md(str(exc))))
        if st.button(tr(lang, "index.rebuild"), key="rebuild"):
            _start_build(data, lang, rebuild=True)
        st.stop()
    if searcher is not None:
        return searcher
    st.info(tr(lang, "index.building"))
    job = jobs.latest(root(data))
    if job is None or job.kind != "build":
        _start_build(data, lang)
    elif not job.finished:
        poll(job, lang)
    elif data.current() is None:
        _after_build(data, lang, job)
    st.rerun()

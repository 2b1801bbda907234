"""The documents page: what the index holds, upload PDFs, download or remove a document.

Uploads and removals run as background jobs (ui.jobs): the page shows their progress
and, in the session that started one, its report per file when it is done.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from beleidsbron.index.build import IngestReport
from beleidsbron.index.home import DataHome
from beleidsbron.ui import ingest_ui, jobs
from beleidsbron.ui.engine import SearcherLike
from beleidsbron.ui.escape import md
from beleidsbron.ui.files import DocumentFiles, Staging, remove_upload, uploads_dir
from beleidsbron.ui.i18n import tr
from beleidsbron.ui.ingest_ui import root, show_outcome, show_progress, submit

JOB_KEY = "my_job"  # (job id, renamed uploads) of the job this session started
UPLOADER_KEY = "uploader_round"  # bumped to empty the file uploader after an upload


def document_rows(searcher: SearcherLike, files: DocumentFiles, uploads: Path, lang: str) -> list[dict]:
    rows = []
    for doc in searcher.manifest.documents:
        source = searcher.sources.get(doc.file)
        path = files.find(doc.file, doc.sha256)
        rows.append({
            tr(lang, "col.title"): source.title if source else doc.title,
            tr(lang, "col.file"): doc.file,
            tr(lang, "col.publisher"): source.publisher if source else "",
            tr(lang, "col.year"): source.year if source and source.year else None,
            tr(lang, "col.kind"): source.kind if source else "",
            tr(lang, "col.pages"): doc.pages,
            tr(lang, "col.chunks"): doc.chunks,
            tr(lang, "col.empty"): ", ".join(map(str, doc.empty_pages)),
            tr(lang, "col.where"): tr(lang, "where.none") if path is None else
            tr(lang, "where.upload") if path.parent == uploads else tr(lang, "where.corpus"),
        })
    return rows


def _started(job: jobs.IngestJob | None, lang: str, renamed: dict[str, str] | None = None) -> None:
    if job is None:
        st.session_state[JOB_KEY] = None
        st.warning(tr(lang, "ingest.busy"))
        return
    st.session_state[JOB_KEY] = (job.id, renamed or {})
    st.session_state[UPLOADER_KEY] = st.session_state.get(UPLOADER_KEY, 0) + 1
    st.rerun()


def _upload(data: DataHome, lang: str, uploads: list) -> None:
    staging = Staging.create(data)
    for upload in uploads:
        staging.add(upload.name, upload.getvalue())

    def keep(report: IngestReport) -> None:
        staging.keep(report.added + report.updated)

    _started(submit(data, "upload", staging.paths, after=keep, cleanup=staging.discard), lang, staging.renamed)


def _remove(data: DataHome, lang: str, file: str) -> None:
    def drop_upload(report: IngestReport) -> None:
        if file in report.removed:
            remove_upload(data, file)

    st.session_state.pop("doc_remove_confirm", None)
    _started(submit(data, "remove", [], remove=[file], after=drop_upload), lang)


def _job_status(data: DataHome, lang: str) -> jobs.IngestJob | None:
    """The running job, if any; the report of this session's finished job, once."""
    job = jobs.latest(root(data))
    if job is not None and not job.finished:
        show_progress(job, lang)
        return job
    mine = st.session_state.get(JOB_KEY)
    if job is not None and mine and mine[0] == job.id:
        show_outcome(job, lang, mine[1])
        st.session_state[JOB_KEY] = None
    return None


def render(searcher: SearcherLike, data: DataHome, files: DocumentFiles, lang: str) -> None:
    st.title(tr(lang, "docs.title"))
    running = _job_status(data, lang)
    manifest = searcher.manifest
    st.dataframe(document_rows(searcher, files, uploads_dir(data), lang), hide_index=True, width="stretch")
    st.caption(tr(lang, "docs.summary", docs=len(manifest.documents),
                  pages=sum(d.pages for d in manifest.documents),
                  empty=sum(len(d.empty_pages) for d in manifest.documents), chunks=manifest.chunks,
                  model=md(manifest.model_id), built=md(manifest.built_at)))

    st.subheader(tr(lang, "docs.upload"))
    uploads = st.file_uploader(tr(lang, "docs.upload.label"), type=["pdf"], accept_multiple_files=True,
                               key=f"uploader-{st.session_state.get(UPLOADER_KEY, 0)}")
    st.caption(tr(lang, "docs.upload.where", folder=md(str(uploads_dir(data)))))
    if st.button(tr(lang, "docs.upload.go"), key="upload-go", disabled=not uploads or running is not None,
                 type="primary"):
        _upload(data, lang, uploads)

    if manifest.documents:
        st.subheader(tr(lang, "docs.one"))
        titles = {d.file: (searcher.sources[d.file].title if d.file in searcher.sources else d.title)
                  for d in manifest.documents}
        file = st.selectbox(tr(lang, "docs.pick"), list(titles), format_func=lambda f: titles[f], key="doc_pick")
        entry = next(d for d in manifest.documents if d.file == file)
        path = files.find(file, entry.sha256)
        if path is not None:
            st.download_button(tr(lang, "docs.download"), data=path.read_bytes, file_name=path.name,
                               mime="application/pdf", key="doc-download", on_click="ignore",
                               icon=":material/download:")
        else:
            st.caption(tr(lang, "pdf.missing", file=md(file)))
        confirm = st.checkbox(tr(lang, "docs.remove.confirm"), key="doc_remove_confirm")
        if st.button(tr(lang, "docs.remove"), key="doc-remove", disabled=not confirm or running is not None,
                     icon=":material/delete:"):
            _remove(data, lang, file)

    if running is not None:
        ingest_ui.rerun_soon(running)

"""The documents page: what the index holds and where each document came from; download a PDF; upload
PDFs and remove uploads, where the server allows it.

The shipped corpus is read-only here: an upload never takes the name of an indexed document
(ui.files gives it a free one), and only uploads can be removed. On a shared server uploads and
removals can be switched off, or put behind a shared secret (BELEIDSBRON_UPLOADS,
BELEIDSBRON_UPLOAD_SECRET in settings.py). Uploads and removals run as background jobs (ui.jobs):
the page shows their progress, and in the session that started one, its report per file.
"""

from __future__ import annotations

import hmac

import streamlit as st

from beleidsbron.index.build import IngestReport
from beleidsbron.index.manifest import DocumentEntry
from beleidsbron.ui import ingestion, jobs
from beleidsbron.ui.context import Context
from beleidsbron.ui.files import Staging, origin, remove_upload, taken_names
from beleidsbron.ui.ingestion import show_outcome, show_progress, submit
from beleidsbron.ui.markup import md, no_paths

JOB_KEY = "my_job"  # (job id, renamed uploads, clashed names, refused names) of the job this session started
UPLOADER_KEY = "uploader_round"  # bumped to empty the file uploader after an upload
UNLOCKED_KEY = "uploads_unlocked"  # this session gave the shared secret
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def uploads_switch(ctx: Context) -> str:
    """on | off | secret. Unset, uploads are on while the server listens on this machine only."""
    if ctx.settings.uploads == "off":
        return "off"
    if ctx.settings.upload_secret:
        return "secret"
    if ctx.settings.uploads == "on":
        return "on"
    return "on" if str(st.get_option("server.address") or "") in LOOPBACK else "off"


def may_change(ctx: Context) -> bool:
    """Whether this session may upload, remove and cancel an ingestion."""
    switch = uploads_switch(ctx)
    return switch == "on" or (switch == "secret" and bool(st.session_state.get(UNLOCKED_KEY)))


def _unlock(ctx: Context) -> None:
    """Why this session cannot upload, and the shared secret's box when there is one."""
    if uploads_switch(ctx) == "off":
        st.info(ctx.tr("docs.uploads.off"))
        return
    with st.form("unlock", border=False):
        given = st.text_input(ctx.tr("docs.secret"), type="password", key="upload_secret_given")
        if st.form_submit_button(ctx.tr("docs.secret.go")):
            if hmac.compare_digest(given.encode(), str(ctx.settings.upload_secret).encode()):
                st.session_state[UNLOCKED_KEY] = True
                st.rerun()
            st.error(ctx.tr("docs.secret.wrong"))


def label(ctx: Context, entry: DocumentEntry) -> str:
    """A document as the pickers show it: its title and file name (many PDFs are titled "untitled")."""
    source = ctx.index.sources.get(entry.file)
    title = source.title if source else entry.title
    return f"{title} ({entry.file})" if title and title != entry.file else entry.file


def origin_text(ctx: Context, file: str) -> str:
    where = origin(ctx.index.manifest, ctx.files, ctx.data, file)
    if where.kind == "upload":
        return ctx.tr("origin.upload", at=where.added_at or "?", name=where.uploaded_as)
    return ctx.tr(f"origin.{where.kind}")


def document_rows(ctx: Context) -> list[dict]:
    rows = []
    for doc in ctx.index.manifest.documents:
        source = ctx.index.sources.get(doc.file)
        rows.append({
            ctx.tr("col.title"): source.title if source else doc.title,
            ctx.tr("col.file"): doc.file,
            ctx.tr("col.publisher"): source.publisher if source else "",
            ctx.tr("col.year"): source.year if source and source.year else None,
            ctx.tr("col.kind"): source.kind if source else "",
            ctx.tr("col.pages"): doc.pages,
            ctx.tr("col.chunks"): doc.chunks,
            ctx.tr("col.empty"): ", ".join(map(str, doc.empty_pages)),
            ctx.tr("col.where"): origin_text(ctx, doc.file),
        })
    return rows


def _started(ctx: Context, job: jobs.IngestJob | None, staging: Staging | None = None) -> None:
    if job is None:
        st.session_state[JOB_KEY] = None
        st.warning(ctx.tr("ingest.busy"))
        return
    renamed, clashed, refused = (staging.renamed, staging.clashed, staging.refused) if staging else ({}, set(), [])
    st.session_state[JOB_KEY] = (job.id, dict(renamed), set(clashed), list(refused))
    st.session_state[UPLOADER_KEY] = st.session_state.get(UPLOADER_KEY, 0) + 1
    st.rerun()


def _upload(ctx: Context, uploads: list) -> None:
    staging = Staging.create(ctx.data, taken_names(ctx.index.manifest, ctx.files))
    for upload in uploads:
        staging.add(upload.name, upload.getvalue())
    if not staging.paths:
        staging.discard()
        for name in staging.refused:
            st.error(ctx.tr("upload.notpdf", file=md(name)))
        return

    def keep(report: IngestReport) -> None:
        staging.keep(report.added + report.updated)

    _started(ctx, submit(ctx, "upload", staging.paths, after=keep, cleanup=staging.discard), staging)


def _remove(ctx: Context, file: str) -> None:
    def drop_upload(report: IngestReport) -> None:
        if file in report.removed:
            remove_upload(ctx.data, file)

    st.session_state.pop("doc_remove_confirm", None)
    _started(ctx, submit(ctx, "remove", [], remove=[file], after=drop_upload))


def _job_status(ctx: Context, allowed: bool) -> jobs.IngestJob | None:
    """The running job, if any; the report of this session's finished job, once."""
    job = jobs.latest(ctx.root)
    if job is not None and not job.finished:
        show_progress(ctx, job, cancel=allowed)
        return job
    mine = st.session_state.get(JOB_KEY)
    if job is not None and mine and mine[0] == job.id:
        for name in mine[3]:
            st.error(ctx.tr("upload.notpdf", file=md(name)))
        for safe in sorted(mine[2]):
            st.warning(ctx.tr("upload.clash", original=md(mine[1].get(safe, safe)), safe=md(safe)))
        show_outcome(ctx, job, {s: o for s, o in mine[1].items() if s not in mine[2]})
        st.session_state[JOB_KEY] = None
    return None


def _download(ctx: Context) -> None:
    documents = {d.file: d for d in ctx.index.manifest.documents}
    file = st.selectbox(ctx.tr("docs.pick"), list(documents), format_func=lambda f: label(ctx, documents[f]),
                        key="doc_pick")
    path = ctx.files.find(file, documents[file].sha256)
    if path is not None:
        st.download_button(ctx.tr("docs.download"), data=path.read_bytes, file_name=path.name,
                           mime="application/pdf", key="doc-download", on_click="ignore", icon=":material/download:")
    else:
        st.caption(ctx.tr("pdf.missing", file=md(file)))


def _upload_form(ctx: Context, running: jobs.IngestJob | None) -> None:
    # no `type`: Streamlit's own check of the names raises on a NUL byte before this script runs, and
    # shows a traceback instead of the page; names are checked here (ui.files) and contents by the ingestor
    uploads = st.file_uploader(ctx.tr("docs.upload.label"), accept_multiple_files=True,
                               key=f"uploader-{st.session_state.get(UPLOADER_KEY, 0)}")
    st.caption(ctx.tr("docs.upload.where"))
    if st.button(ctx.tr("docs.upload.go"), key="upload-go", disabled=not uploads or running is not None,
                 type="primary"):
        _upload(ctx, uploads)


def _remove_form(ctx: Context, running: jobs.IngestJob | None) -> None:
    uploaded = {d.file: d for d in ctx.index.manifest.documents
                if origin(ctx.index.manifest, ctx.files, ctx.data, d.file).kind == "upload"}
    if not uploaded:
        st.caption(ctx.tr("docs.remove.none"))
        return
    file = st.selectbox(ctx.tr("docs.remove.pick"), list(uploaded), format_func=lambda f: label(ctx, uploaded[f]),
                        key="doc_remove_pick")
    confirm = st.checkbox(ctx.tr("docs.remove.confirm"), key="doc_remove_confirm")
    if st.button(ctx.tr("docs.remove"), key="doc-remove", disabled=not confirm or running is not None,
                 icon=":material/delete:"):
        _remove(ctx, file)


def render(ctx: Context) -> None:
    st.title(ctx.tr("docs.title"))
    allowed = may_change(ctx)
    running = _job_status(ctx, allowed)
    manifest = ctx.index.manifest
    st.dataframe(document_rows(ctx), hide_index=True, width="stretch")
    st.caption(ctx.tr("docs.summary", docs=len(manifest.documents), pages=sum(d.pages for d in manifest.documents),
                      empty=sum(len(d.empty_pages) for d in manifest.documents), chunks=manifest.chunks,
                      model=md(no_paths(manifest.model_id)), built=md(manifest.built_at)))
    if manifest.documents:
        st.subheader(ctx.tr("docs.one"))
        _download(ctx)
    st.subheader(ctx.tr("docs.upload"))
    if allowed:
        _upload_form(ctx, running)
        st.subheader(ctx.tr("docs.remove.title"))
        _remove_form(ctx, running)
    else:
        _unlock(ctx)
    if running is not None:
        ingestion.rerun_soon(running)

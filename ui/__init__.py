"""The Streamlit app's parts; app.py is the thin entry point that builds a Context and renders a page.

- pages/: search, basket, documents, evaluation; each has `render(ctx)`.
- context: the Context every page gets, what the app needs of the searcher (SearcherLike), loading.
- cards: a result card; pdf/: the quote on its PDF page (bounded rendering).
- ingestion: background ingestion jobs in the page (progress, cancel, report) and the start-up build.
- No Streamlit in: jobs, files (uploads, origins), basket, export, markup, i18n, pdf.render, pdf.locate.
"""

"""The Streamlit app's pages and components. app.py is the thin entry point.

No Streamlit in: i18n, highlight, escape, basket, export, files, locate, results,
eval_report, jobs. Wrappers: pdf_render (pypdfium2), page_image (Pillow). The rest draws
with Streamlit: engine (cached searcher), startup, settings, search_page, cards, pdf_view,
basket_page, documents_page, ingest_ui, eval_page, style.
"""

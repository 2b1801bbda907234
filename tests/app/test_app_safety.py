"""app.py, escaping (AppTest, fake searcher): HTML, <script> and Markdown in documents and queries show as text."""

from __future__ import annotations

from beleidsbron.ingest.records import Source

from app_fakes import FakeDoc, cards, fake_searcher, html_text, markdown_text, search, start_app

EVIL_TITLE = '<img src=x onerror="alert(1)"> **Vet** [klik](javascript:alert(2))'
EVIL_TEXT = ("Zorgpartijen <script>alert('xss')</script> werken samen aan **passende** zorg. "
             "Zie [hier](javascript:alert(3)) en :red[rood] en $x^2$ en <b>vet</b>.")
EVIL = FakeDoc(Source("evil.pdf", EVIL_TITLE, "<i>Uitgever</i>", 2024, "rapport"), (EVIL_TEXT,))


def run_evil(monkeypatch, query: str, flag_below: float = 0.0):
    at = start_app(monkeypatch, fake_searcher(flag_below, docs=[EVIL]))
    at.run()
    return search(at, query)


def no_raw_markup(text: str) -> None:
    for raw in ("<script", "<img", "<b>vet</b>", "<i>Uitgever</i>", 'href="javascript'):
        assert raw not in text, f"{raw!r} rendered as markup"


def test_document_text_and_metadata_are_escaped_in_cards_and_context(monkeypatch):
    at = run_evil(monkeypatch, "zorgpartijen passende zorg")
    card = cards(at)[0]
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in card
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in card
    assert "**<mark>passende</mark>**" in card  # Markdown stays literal in st.html
    no_raw_markup(html_text(at))
    no_raw_markup(markdown_text(at))
    assert "alert" not in markdown_text(at)  # no document text goes through Markdown


def test_a_query_with_markup_is_escaped(monkeypatch):
    query = "<script>alert(1)</script> **passende** zorg"
    at = run_evil(monkeypatch, query)
    assert at.text_input(key="query").value == query
    no_raw_markup(html_text(at))
    no_raw_markup(markdown_text(at))


def test_cards_under_the_doubt_warning_are_escaped(monkeypatch):
    at = run_evil(monkeypatch, "zorgpartijen parkeervergunning kosten tarief", flag_below=0.9)
    assert at.warning and not at.exception
    no_raw_markup(html_text(at))
    no_raw_markup(markdown_text(at))


def test_basket_and_exports_of_an_evil_quote(monkeypatch):
    at = run_evil(monkeypatch, "zorgpartijen")
    next(b for b in at.button if b.key and b.key.startswith("add-")).click().run()
    at.radio(key="page").set_value("basket").run()
    assert not at.exception
    no_raw_markup(html_text(at))
    no_raw_markup(markdown_text(at))


def test_documents_page_shows_metadata_as_data(monkeypatch):
    at = run_evil(monkeypatch, "zorg")
    at.radio(key="page").set_value("documents").run()
    assert not at.exception
    no_raw_markup(markdown_text(at))
    assert EVIL_TITLE in at.dataframe[0].value.iloc[:, 0].tolist()


def test_an_unexpected_error_shows_no_traceback_nor_server_path(monkeypatch):
    searcher = fake_searcher()

    def broken(*args, **kwargs):
        raise RuntimeError("boom in /srv/beleidsbron/.venv/lib/python3.11/site-packages/x.py")

    monkeypatch.setattr(searcher, "search", broken)
    at = start_app(monkeypatch, searcher)
    at.run()
    at.text_input(key="query").set_value("passende zorg").run()
    (shown,) = at.exception  # .streamlit/config.toml: client.showErrorDetails = "none"
    assert "/srv" not in shown.message and not shown.stack_trace

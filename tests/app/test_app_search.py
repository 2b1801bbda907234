"""app.py, search page (AppTest, fake searcher): cards, examples, filters, mode, layout, the doubt warning."""

from __future__ import annotations

import pytest

from app_fakes import IZA, ROBUUST, cards, fake_searcher, html_text, search, start_app


@pytest.fixture
def searcher():
    return fake_searcher()


@pytest.fixture
def at(monkeypatch, searcher):
    app = start_app(monkeypatch, searcher)
    app.run()
    assert not app.exception, app.exception
    return app


def test_starts_in_dutch_with_query_box_and_examples(at):
    assert at.text_input(key="query").label == "Uw vraag"
    assert at.button(key="example-0").label.startswith("Welke rol spelen paramedici")
    assert at.radio(key="page").value == "search"


def test_search_shows_a_card_per_hit_with_quote_source_page_and_score(at, searcher):
    search(at, "paramedici buitenring")
    found = cards(at)
    assert found, html_text(at)
    first = found[0]
    assert "<mark>Paramedici</mark> en andere zorgverleners zitten in de <mark>buitenring</mark>" in first
    assert "Een plek aan tafel voor de paramedici" in first and "Paramedisch Platform Nederland" in first
    assert 'class="bb-page">p. 1<' in first and "score 1.000" in first
    assert "z.d." in first  # no year
    assert any("resultaten in" in c.value for c in at.caption)
    assert searcher.calls[-1][:3] == ("paramedici buitenring", 10, "rerank")


def test_copy_citation_block_holds_quote_and_citation(at):
    search(at, "buitenring")
    block = at.code[0].value
    assert block == ("“Paramedici en andere zorgverleners zitten in de buitenring van het IZA.” "
                     "(Paramedisch Platform Nederland (z.d.). Een plek aan tafel voor de paramedici, p. 1.)")


def test_context_expander_shows_the_passage_with_the_quote_marked(at):
    search(at, "vaste coördinator")
    context = next(h.value for h in at.html if 'class="bb-context"' in h.value)
    assert '<mark class="quote">Een platform groeit door vertrouwen en een <mark>vaste</mark> ' in context


def test_example_question_fills_the_box_and_searches(at, searcher):
    at.button(key="example-1").click().run()
    assert at.text_input(key="query").value.startswith("Wat zijn succesfactoren")
    assert searcher.calls and searcher.calls[-1][0].startswith("Wat zijn succesfactoren")
    assert ROBUUST.title in html_text(at)


def test_reruns_do_not_search_again(at, searcher):
    search(at, "passende zorg")
    calls = len(searcher.calls)
    at.run()
    at.toggle[0].set_value(False).run()
    assert len(searcher.calls) == calls


def test_filters_reach_the_searcher_and_the_results(at, searcher):
    at.multiselect(key="f_docs").set_value([ROBUUST.file]).run()
    search(at, "paramedische platforms passende zorg")
    filters = searcher.calls[-1][3]
    assert filters.docs == frozenset({ROBUUST.file})
    found = cards(at)
    assert found and all(ROBUUST.title in c for c in found)
    at.multiselect(key="f_docs").set_value([]).run()
    at.multiselect(key="f_years").set_value([2024]).run()
    at.multiselect(key="f_publishers").set_value(["IZA-partijen"]).run()
    at.multiselect(key="f_kinds").set_value(["mid-term review"]).run()
    filters = searcher.calls[-1][3]
    assert (filters.years, filters.publishers, filters.kinds) == (
        frozenset({2024}), frozenset({"IZA-partijen"}), frozenset({"mid-term review"}))
    assert all(IZA.title in c for c in cards(at))


def test_mode_and_number_of_results(at, searcher):
    assert at.selectbox(key="mode").value == "rerank"
    at.selectbox(key="mode").set_value("keyword").run()
    at.slider(key="k").set_value(2).run()
    search(at, "passende zorg paramedici")
    assert searcher.calls[-1][1:3] == (2, "keyword")
    assert len(cards(at)) == 2


def test_grouped_layout_puts_a_heading_per_document(at):
    at.radio(key="layout").set_value("grouped").run()
    search(at, "passende zorg paramedici IZA")
    headings = [h.value for h in at.html if "class='bb-doc'" in h.value]
    assert len(headings) == len({h for h in headings}) >= 2


def test_a_doubtful_answer_shows_its_cards_under_a_warning(monkeypatch):
    searcher = fake_searcher(flag_below=0.9)
    at = start_app(monkeypatch, searcher)
    at.run()
    search(at, "Wat kost een parkeervergunning in Zuid-Nederland voor zorgverleners?")
    assert [w.value for w in at.warning] == ["Geen passage lijkt deze vraag zeker te beantwoorden; "
                                             "dit komt het dichtst bij:"]
    shown = cards(at)
    assert len(shown) == 3 and all("bb-quote" in card for card in shown)  # each closest passage keeps its card
    calls = len(searcher.calls)
    at.radio(key="lang").set_value("en").run()
    assert any("No passage seems to answer this question for certain" in w.value for w in at.warning)
    assert len(searcher.calls) == calls  # kept, not searched again


def test_a_confident_answer_has_no_warning(at):
    search(at, "regionale paramedische platforms gemeenten")
    assert cards(at) and not at.warning


def test_nothing_found(at):
    search(at, "xyzzy")
    assert any("Niets gevonden" in i.value for i in at.info)


def test_english_switch_translates_and_keeps_the_query(at):
    search(at, "passende zorg")
    at.radio(key="lang").set_value("en").run()
    assert at.text_input(key="query").label == "Your question"
    assert at.text_input(key="query").value == "passende zorg"
    assert any("results in" in c.value for c in at.caption)
    assert "Add to basket" in [b.label for b in at.button]

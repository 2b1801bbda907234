"""app.py, quote basket (AppTest, fake searcher): collect across searches, reorder, remove, export."""

from __future__ import annotations

import pytest

from app_fakes import cards, fake_searcher, search, start_app


@pytest.fixture
def at(monkeypatch):
    app = start_app(monkeypatch, fake_searcher())
    app.run()
    return app


def add_first(at) -> None:
    add = next(b for b in at.button if b.key and b.key.startswith("add-"))
    add.click().run()
    assert not at.exception, at.exception


def basket_quotes(at) -> list[str]:
    return [item.quote for item in at.session_state["basket"]]


def test_collects_quotes_across_searches(at):
    search(at, "buitenring")
    add_first(at)
    assert at.radio(key="page").format_func("basket") == "Citatenmand (1)"
    added = next(b for b in at.button if b.key and b.key.startswith("add-"))
    assert added.disabled and added.label == "In de citatenmand"
    search(at, "vaste coördinator")
    add_first(at)
    assert basket_quotes(at) == ["Paramedici en andere zorgverleners zitten in de buitenring van het IZA.",
                                 "Een platform groeit door vertrouwen en een vaste coördinator."]


def test_basket_page_reorders_removes_and_exports(at):
    for query in ("buitenring", "vaste coördinator", "aanspreekpunt gemeenten"):
        search(at, query)
        add_first(at)
    at.radio(key="page").set_value("basket").run()
    assert not at.exception, at.exception
    shown = cards(at)
    assert len(shown) == 3 and "buitenring" in shown[0]
    assert "Paramedisch Platform Nederland (z.d.). Een plek aan tafel voor de paramedici, p. 1." in shown[0]
    first, second, third = at.session_state["basket"]
    assert at.button(key=f"up-{first.key}").disabled and at.button(key=f"down-{third.key}").disabled

    at.button(key=f"down-{first.key}").click().run()
    assert [i.key for i in at.session_state["basket"]] == [second.key, first.key, third.key]
    at.button(key=f"up-{third.key}").click().run()
    assert [i.key for i in at.session_state["basket"]] == [second.key, third.key, first.key]
    at.button(key=f"remove-{third.key}").click().run()
    assert [i.key for i in at.session_state["basket"]] == [second.key, first.key]

    copied = at.code[0].value
    assert copied.startswith("“Een platform groeit door vertrouwen en een vaste coördinator.” (Robuust (2023).")
    assert "p. 2.)" in copied and "p. 1.)" in copied
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Markdown", "CSV", "BibTeX", "RIS"]


def test_empty_basket_and_clear(at):
    at.radio(key="page").set_value("basket").run()
    assert any("leeg" in i.value for i in at.info)
    at.radio(key="page").set_value("search").run()
    search(at, "buitenring")
    add_first(at)
    at.radio(key="page").set_value("basket").run()
    at.button(key="basket-clear").click().run()
    assert at.session_state["basket"] == ()
    assert any("leeg" in i.value for i in at.info)


def test_query_survives_a_visit_to_another_page(at):
    search(at, "buitenring")
    at.radio(key="page").set_value("basket").run()
    at.radio(key="page").set_value("search").run()
    assert at.text_input(key="query").value == "buitenring"
    assert cards(at)

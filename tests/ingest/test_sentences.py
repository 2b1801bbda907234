"""ingest/sentences.py: rule-based Dutch sentence splitting, with an optional longest sentence."""

from __future__ import annotations

import hashlib

import pytest

from beleidsbron.ingest.records import Document, Page, Source
from beleidsbron.ingest.sentences import page_sentences, sentence_spans


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


# boundaries --------------------------------------------------------------------------------


def test_sentences_end_at_a_period_before_a_capital() -> None:
    assert sentences("De huisarts werkt samen. De apotheker ook.") == ["De huisarts werkt samen.", "De apotheker ook."]


def test_question_exclamation_and_ellipsis_end_sentences() -> None:
    assert sentences("Is dat zo? Ja! Echt… Nee. Wat nu?! Dat weet ik niet.") == [
        "Is dat zo?", "Ja!", "Echt…", "Nee.", "Wat nu?!", "Dat weet ik niet."]


def test_sentence_may_open_with_a_digit_or_accented_capital() -> None:
    assert sentences("In 2024 groeide de zorg. 2025 wordt anders. É is een letter.") == [
        "In 2024 groeide de zorg.", "2025 wordt anders.", "É is een letter."]


def test_closing_quote_and_bracket_stay_with_their_sentence() -> None:
    assert sentences("Hij zei: “Dit is klaar.” Daarna ging hij weg.") == [
        "Hij zei: “Dit is klaar.”", "Daarna ging hij weg."]
    assert sentences("Tot slot (zie Bijlage A). Einde.") == ["Tot slot (zie Bijlage A).", "Einde."]


def test_sentence_in_brackets_is_its_own_sentence() -> None:
    assert sentences("Dit is zo. (Tussen haakjes.) Klaar.") == ["Dit is zo.", "(Tussen haakjes.)", "Klaar."]


def test_line_break_ends_a_sentence_even_without_a_mark() -> None:
    assert sentences("Eerste regel\nTweede regel") == ["Eerste regel", "Tweede regel"]
    assert sentences("Vraag?\nAntwoord.") == ["Vraag?", "Antwoord."]


def test_blank_lines_give_no_empty_sentences() -> None:
    assert sentences("Dit is het einde.\n\n\n  \nVolgende alinea.") == ["Dit is het einde.", "Volgende alinea."]


def test_period_before_lower_case_is_not_a_boundary() -> None:
    assert sentences("zie de nota. daarna komt meer.") == ["zie de nota. daarna komt meer."]


def test_period_without_following_space_is_not_a_boundary() -> None:
    assert sentences("De zorg is duur.Dat weten we.") == ["De zorg is duur.Dat weten we."]


def test_decimal_and_thousands_separators_do_not_split() -> None:
    assert sentences("Het kost 12.5 miljoen voor 1.000 mensen. Dat is veel.") == [
        "Het kost 12.5 miljoen voor 1.000 mensen.", "Dat is veel."]


@pytest.mark.parametrize("text", [
    "Dit geldt o.a. Voor huisartsen en apothekers.",
    "Zie bijv. Hoofdstuk 3 van de nota.",
    "Dat is d.w.z. Nederland en België.",
    "Dr. Jansen en Prof. Pietersen spreken.",
    "Zie blz. 12 en nr. 4 van de nota.",
    "Wij werken i.s.m. De Zorgverzekeraar.",
    "Zie “bijv.” Hier staat het.",
    "Zie (o.a. Jansen) voor meer.",
])
def test_abbreviation_does_not_end_a_sentence(text: str) -> None:
    assert sentences(text) == [text]


def test_abbreviation_is_recognised_whatever_its_case() -> None:
    assert sentences("Zie O.A. Jansen en Bijv. Pietersen.") == ["Zie O.A. Jansen en Bijv. Pietersen."]


def test_initial_does_not_end_a_sentence() -> None:
    assert sentences("Volgens J. Jansen is dat zo. Hij heeft gelijk.") == [
        "Volgens J. Jansen is dat zo.", "Hij heeft gelijk."]


def test_list_number_does_not_end_a_sentence() -> None:
    assert sentences("1. Stop met praten. 2. Begin met doen.") == ["1. Stop met praten.", "2. Begin met doen."]


def test_longer_number_before_a_period_ends_a_sentence() -> None:
    assert sentences("De kosten stegen met 100. Dat is veel.") == ["De kosten stegen met 100.", "Dat is veel."]


def test_bullet_directly_before_a_capital_opens_a_sentence() -> None:
    assert sentences("Er zijn twee punten. •Eén punt.") == ["Er zijn twee punten.", "•Eén punt."]


def test_bullet_and_space_before_a_capital_opens_a_sentence() -> None:
    assert sentences("Er zijn twee punten. • Eén punt.") == ["Er zijn twee punten.", "• Eén punt."]


def test_article_abbreviation_does_not_end_a_sentence() -> None:
    assert sentences("Zie art. 5 van de Wmo.") == ["Zie art. 5 van de Wmo."]


# spans -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", " \u00a0 "])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert sentence_spans(text) == []


@pytest.mark.parametrize("text", ["...", "?!", "…", "-- -- --"])
def test_punctuation_only_text_is_one_sentence(text: str) -> None:
    assert sentence_spans(text) == [(0, len(text))]


def test_text_without_mark_is_one_sentence() -> None:
    assert sentences("Geen punt aan het eind") == ["Geen punt aan het eind"]


def test_spans_are_stripped_of_surrounding_white_space() -> None:
    text = "  Voorloop.   Spaties.\t "
    assert sentence_spans(text) == [(2, 11), (14, 22)]
    assert sentences(text) == ["Voorloop.", "Spaties."]


def test_very_long_text_is_split_quickly_and_completely() -> None:
    # about 1 MB; a quadratic scan would take minutes
    text = "De huisarts werkt o.a. samen met J. Jansen. " * 25_000
    spans = sentence_spans(text)
    assert len(spans) == 25_000
    assert all(text[a:b] == "De huisarts werkt o.a. samen met J. Jansen." for a, b in spans)


def test_very_long_word_is_one_sentence() -> None:
    text = "Zorg" * 100_000 + ". Einde."
    assert sentence_spans(text) == [(0, 400_001), (400_002, 400_008)]


# page_sentences ----------------------------------------------------------------------------


def make_doc(pages: list[str]) -> Document:
    sha = hashlib.sha256("".join(pages).encode()).hexdigest()
    numbered = tuple(Page(i, text, has_text_layer=bool(text)) for i, text in enumerate(pages, start=1))
    return Document(Source("nota.pdf", "Nota"), sha, numbered)


PAGE_1 = "De huisarts werkt samen. De apotheker ook. Zie o.a. de wijk."
PAGE_3 = "Derde pagina begint hier. En eindigt hier."
DOC = make_doc([PAGE_1, "", PAGE_3])


def test_page_sentences_are_in_reading_order_with_their_page() -> None:
    found = page_sentences(DOC)
    assert [(s.page, s.text) for s in found] == [
        (1, "De huisarts werkt samen."), (1, "De apotheker ook."), (1, "Zie o.a. de wijk."),
        (3, "Derde pagina begint hier."), (3, "En eindigt hier.")]
    assert all(s.doc == "nota.pdf" for s in found)


def test_page_sentences_slice_their_page_text() -> None:
    for sentence in page_sentences(DOC):
        assert DOC.pages[sentence.page - 1].text[sentence.start:sentence.end] == sentence.text


def test_document_of_empty_pages_has_no_sentences() -> None:
    assert page_sentences(make_doc(["", "", ""])) == []


# the longest sentence ----------------------------------------------------------------------


def test_a_sentence_longer_than_max_chars_is_cut_at_the_last_white_space_that_fits() -> None:
    text = "Kort. Een zin zonder einde die langer is dan toegestaan Volgende."
    spans = sentence_spans(text, max_chars=20)
    assert [text[a:b] for a, b in spans] == ["Kort.", "Een zin zonder einde", "die langer is dan",
                                             "toegestaan Volgende."]
    assert all(b - a <= 20 for a, b in spans)


def test_a_word_longer_than_max_chars_is_cut_where_the_limit_falls() -> None:
    text = "Zorg" * 10 + " eind."
    assert sentence_spans(text, max_chars=16) == [(0, 16), (16, 32), (32, 46)]


def test_a_sentence_within_max_chars_is_left_whole_and_no_limit_leaves_all_whole() -> None:
    text = "De huisarts werkt samen. De apotheker ook."
    assert sentence_spans(text, max_chars=24) == sentence_spans(text) == [(0, 24), (25, 42)]
    with pytest.raises(ValueError, match="max_chars must be at least 1, got 0"):
        sentence_spans(text, max_chars=0)


def test_page_sentences_pass_the_limit_on() -> None:
    assert [s.text for s in page_sentences(DOC, max_chars=20)][:3] == ["De huisarts werkt", "samen.",
                                                                        "De apotheker ook."]

"""index/acronyms.py and index/glossary.tsv: acronyms mined from the corpus plus a curated glossary."""

from __future__ import annotations

from pathlib import Path

import pytest

from beleidsbron.index.acronyms import GLOSSARY, Acronyms, find_definitions, load_glossary

# find_definitions --------------------------------------------------------------------------


def test_long_form_then_acronym_is_found() -> None:
    found = find_definitions(["Het Integraal Zorgakkoord (IZA) is in 2022 getekend."])
    assert found == {"IZA": {"Integraal Zorgakkoord"}}


def test_acronym_then_long_form_is_found() -> None:
    found = find_definitions(["Het programma JZOJP (Juiste Zorg Op de Juiste Plek) loopt door."])
    assert found == {"JZOJP": {"Juiste Zorg Op de Juiste Plek"}}


def test_long_form_takes_only_the_words_that_spell_the_acronym() -> None:
    found = find_definitions(["Volgens de afspraken over de Regionaal Overleg Acute Zorgketen (ROAZ) gaat het goed."])
    assert found == {"ROAZ": {"Regionaal Overleg Acute Zorgketen"}}


def test_hyphenated_long_form_and_mixed_case_acronym() -> None:
    found = find_definitions(["De mid-term review (MTR) van de Nederlandse Zorgautoriteit (NZa)."])
    assert found == {"MTR": {"mid-term review"}, "NZa": {"Nederlandse Zorgautoriteit"}}


def test_definition_broken_over_lines_is_found() -> None:
    found = find_definitions(["de Nederlandse\nZorgautoriteit\n(NZa) stelt tarieven vast"])
    assert found == {"NZa": {"Nederlandse Zorgautoriteit"}}


def test_possessive_acronym_is_found_without_its_s() -> None:
    assert find_definitions(["het Integraal Zorgakkoord (IZA's)"]) == {"IZA": {"Integraal Zorgakkoord"}}


def test_ampersand_in_long_form_is_kept() -> None:
    found = find_definitions(["de Raad voor Volksgezondheid & Samenleving (RVS) adviseert"])
    assert found == {"RVS": {"Raad voor Volksgezondheid & Samenleving"}}


def test_every_text_adds_its_own_long_forms() -> None:
    found = find_definitions(["Integraal Zorgakkoord (IZA)", "IZA (Integraal Zorg Akkoord)", "geen definitie"])
    assert found == {"IZA": {"Integraal Zorgakkoord", "Integraal Zorg Akkoord"}}


@pytest.mark.parametrize("text", [
    "Dit staat in de afspraken (IZA).",  # no word starts with the acronym's first letter
    "Zie IZA (dit is een lang verhaal over iets heel anders).",
    "Het rapport (2024) en de bijlage (zie hieronder).",  # parentheses without an acronym
    "Alleen IZA, zonder uitleg.",
    "",
    "()()((",
])
def test_text_without_a_definition_yields_nothing(text: str) -> None:
    assert find_definitions([text]) == {}


def test_no_texts_yield_nothing() -> None:
    assert find_definitions([]) == {}


def test_very_long_text_is_searched_throughout() -> None:
    filler = "Dit is een zin zonder afkortingen. " * 5_000
    found = find_definitions([filler + "Het Integraal Zorgakkoord (IZA) volgt pas hier."])
    assert found == {"IZA": {"Integraal Zorgakkoord"}}


# load_glossary -----------------------------------------------------------------------------


def test_bundled_glossary_holds_the_common_acronyms() -> None:
    table = load_glossary()
    assert table["IZA"] == {"Integraal Zorgakkoord"}
    assert table["MTR"] == {"mid-term review", "midterm review"}
    assert table["NZa"] == {"Nederlandse Zorgautoriteit"}
    assert table["O&I"] == {"Organisatie en Infrastructuur"}
    assert all(forms for forms in table.values())
    assert not any(a.startswith("#") for a in table)


def test_glossary_reads_comments_blank_lines_and_alternatives(tmp_path: Path) -> None:
    path = tmp_path / "glossary.tsv"
    path.write_text("# kop\n\nGGZ\tgeestelijke gezondheidszorg  # veelgebruikt\n"
                    "SEH\tspoedeisende hulp | spoedeisendehulp |  \n", encoding="utf-8")
    assert load_glossary(path) == {"GGZ": {"geestelijke gezondheidszorg"},
                                   "SEH": {"spoedeisende hulp", "spoedeisendehulp"}}


@pytest.mark.parametrize("line", ["GGZ geestelijke gezondheidszorg", "GGZ\t", "GGZ\t  # zonder lange vorm"])
def test_glossary_line_without_tab_or_long_form_is_refused_with_its_number(tmp_path: Path, line: str) -> None:
    path = tmp_path / "glossary.tsv"
    path.write_text(f"IZA\tIntegraal Zorgakkoord\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        load_glossary(path)


def test_glossary_line_of_only_separators_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "glossary.tsv"
    path.write_text("GGZ\t | \n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        load_glossary(path)


def test_empty_glossary_is_an_empty_table(tmp_path: Path) -> None:
    path = tmp_path / "glossary.tsv"
    path.write_text("# alleen commentaar\n", encoding="utf-8")
    assert load_glossary(path) == {}


# Acronyms.expansions -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def glossary() -> Acronyms:
    return Acronyms(load_glossary())


def test_acronym_expands_to_its_long_form(glossary: Acronyms) -> None:
    assert glossary.expansions("Wat zegt het IZA over de wijk?") == ["Integraal Zorgakkoord"]


def test_long_form_expands_to_its_acronym_whatever_the_case(glossary: Acronyms) -> None:
    assert glossary.expansions("afspraken in het integraal zorgakkoord") == ["IZA"]


def test_acronym_in_a_hyphenated_word_expands(glossary: Acronyms) -> None:
    assert glossary.expansions("Wat doen de IZA-partijen?") == ["Integraal Zorgakkoord"]


def test_acronym_with_several_long_forms_gives_them_all(glossary: Acronyms) -> None:
    assert glossary.expansions("MTR") == ["mid-term review", "midterm review"]


def test_nothing_already_in_the_query_is_added(glossary: Acronyms) -> None:
    assert glossary.expansions("Integraal Zorgakkoord (IZA)") == []


def test_each_expansion_is_given_once(glossary: Acronyms) -> None:
    assert glossary.expansions("IZA en nog eens IZA") == ["Integraal Zorgakkoord"]


def test_short_lower_case_word_is_not_read_as_an_acronym(glossary: Acronyms) -> None:
    # "hap" (a bite) and "ros" (a horse) are words; only HAP and ROS are acronyms
    assert glossary.expansions("een hap van het ros") == []
    assert glossary.expansions("de HAP") == ["huisartsenpost"]


def test_long_form_must_match_whole_words(glossary: Acronyms) -> None:
    # "huisartsenzorg" is the long form of HZ; "huisartsenzorgverzekering" is not it
    assert "HZ" in glossary.expansions("huisartsenzorg in de wijk")
    assert "HZ" not in glossary.expansions("huisartsenzorgverzekering")


@pytest.mark.parametrize("query", ["", "   ", "?!", "een vraag zonder afkortingen", "XYZ"])
def test_query_without_known_acronyms_has_no_expansions(glossary: Acronyms, query: str) -> None:
    assert glossary.expansions(query) == []


@pytest.mark.parametrize("acronym, forms", sorted(load_glossary().items()))
def test_every_glossary_long_form_expands_to_its_acronym(glossary: Acronyms, acronym: str, forms: set[str]) -> None:
    for form in forms:
        assert acronym in glossary.expansions(f"iets over {form} in de regio")


@pytest.mark.parametrize("acronym", ["IZA", "GGZ", "VWS", "ROAZ", "O&I", "COROP"])
def test_upper_case_glossary_acronym_expands_to_all_its_long_forms(glossary: Acronyms, acronym: str) -> None:
    assert set(glossary.expansions(f"de rol van {acronym}")) == set(load_glossary()[acronym])


@pytest.mark.parametrize("acronym", ["NZa", "Wmo", "Wlz", "Zvw"])
def test_mixed_case_acronym_as_spelled_in_the_glossary_expands(glossary: Acronyms, acronym: str) -> None:
    assert set(glossary.expansions(f"de rol van de {acronym}")) == set(load_glossary()[acronym])


# Acronyms.from_corpus ----------------------------------------------------------------------


def test_corpus_definitions_join_the_glossary(tmp_path: Path) -> None:
    path = tmp_path / "glossary.tsv"
    path.write_text("ROAZ\tRegionaal Overleg Acute Zorgketen\n", encoding="utf-8")
    acronyms = Acronyms.from_corpus(["Het Regionaal Overleg Acute Zorg (ROAZ) en de "
                                     "Gezond en Actief Leven Akkoord (GALA)."], glossary=path)
    assert acronyms.table == {"ROAZ": ["Regionaal Overleg Acute Zorg", "Regionaal Overleg Acute Zorgketen"],
                              "GALA": ["Gezond en Actief Leven Akkoord"]}
    assert acronyms.expansions("GALA") == ["Gezond en Actief Leven Akkoord"]
    assert acronyms.expansions("Gezond en Actief Leven Akkoord") == ["GALA"]


def test_corpus_without_definitions_gives_the_glossary() -> None:
    assert Acronyms.from_corpus([]).table == Acronyms(load_glossary(GLOSSARY)).table


def test_empty_table_expands_nothing() -> None:
    assert Acronyms({}).expansions("IZA Integraal Zorgakkoord") == []

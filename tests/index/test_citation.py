"""index/citation.py: a source and page → a citation in Dutch policy style."""

from __future__ import annotations

from beleidsbron.index.citation import citation, quoted
from beleidsbron.ingest.records import Source

MTR = Source("mtr.pdf", "Mid-term review Integraal Zorgakkoord: Samen kom je verder", publisher="IZA-partijen",
             year=2024)


def test_citation_in_dutch_policy_style() -> None:
    assert citation(MTR, 12) == (
        "IZA-partijen (2024). Mid-term review Integraal Zorgakkoord: Samen kom je verder, p. 12.")


def test_citation_without_page_leaves_the_page_out() -> None:
    assert citation(MTR) == "IZA-partijen (2024). Mid-term review Integraal Zorgakkoord: Samen kom je verder."
    assert citation(MTR, None) == citation(MTR)


def test_unknown_year_reads_zonder_datum() -> None:
    source = Source("brief.pdf", "Kamerbrief over de zorg", publisher="VWS")
    assert citation(source, 3) == "VWS (z.d.). Kamerbrief over de zorg, p. 3."


def test_without_publisher_the_title_leads_and_is_not_repeated() -> None:
    source = Source("wijk.pdf", "Huisartsenzorg in de wijk", year=2023)
    assert citation(source, 4) == "Huisartsenzorg in de wijk (2023), p. 4."


def test_publisher_equal_to_title_is_not_repeated() -> None:
    source = Source("rvs.pdf", "RVS", publisher="RVS")
    assert citation(source) == "RVS (z.d.)."


def test_closing_period_of_the_title_is_not_doubled() -> None:
    source = Source("nota.pdf", "Passende zorg.", publisher="NZa", year=2022)
    assert citation(source, 7) == "NZa (2022). Passende zorg, p. 7."


def test_surrounding_white_space_is_dropped() -> None:
    source = Source("nota.pdf", "  Passende zorg \n", publisher="  NZa ", year=2022)
    assert citation(source) == "NZa (2022). Passende zorg."


def test_blank_publisher_counts_as_none() -> None:
    source = Source("nota.pdf", "Passende zorg", publisher="   ", year=2022)
    assert citation(source) == "Passende zorg (2022)."


def test_very_long_title_is_kept_whole() -> None:
    title = "Zorg " * 500
    source = Source("lang.pdf", title, publisher="VWS", year=2020)
    assert citation(source, 1) == f"VWS (2020). {title.strip()}, p. 1."


def test_title_with_closing_period_and_no_publisher_is_not_repeated() -> None:
    source = Source("brief.pdf", "Kamerbrief over de zorg.")
    assert citation(source, 2) == "Kamerbrief over de zorg (z.d.), p. 2."


def test_quote_is_in_dutch_quotation_marks_followed_by_its_citation() -> None:
    text = "De zorg moet passend zijn."
    assert quoted(text, MTR, 12) == (
        "“De zorg moet passend zijn.” "
        "(IZA-partijen (2024). Mid-term review Integraal Zorgakkoord: Samen kom je verder, p. 12.)")

"""index/lay_terms.py and index/lay_terms.tsv: everyday words → the policy terms the documents use."""

from __future__ import annotations

from pathlib import Path

import pytest

from beleidsbron.index.lay_terms import LayTerms


def table(tmp_path: Path, text: str) -> LayTerms:
    path = tmp_path / "lay_terms.tsv"
    path.write_text(text, encoding="utf-8")
    return LayTerms.load(path)


def test_the_bundled_table_loads_and_expands_common_everyday_words() -> None:
    terms = LayTerms.load()
    assert any("ouderen" in term for term in terms.expansions("Hoe gaat het met de bejaarden?"))
    assert any("huisarts" in term for term in terms.expansions("Wanneer ga je naar de dokter?"))


def test_a_plural_matches_through_its_stem_and_a_phrase_as_a_whole(tmp_path: Path) -> None:
    terms = table(tmp_path, "# comment\nouderen\tsenior\npersoneelstekort\thanden aan het bed\n")
    assert terms.expansions("Waarom bellen senioren zo zelden?") == ["ouderen"]
    assert terms.expansions("Er zijn te weinig handen aan het bed") == ["personeelstekort"]
    assert terms.expansions("handen wassen in bed") == []


def test_each_policy_term_comes_once_whatever_the_words_that_ask_for_it(tmp_path: Path) -> None:
    terms = table(tmp_path, "huisarts\tdokter | huisdokter\n")
    assert terms.expansions("dokter of huisdokter, welke dokter?") == ["huisarts"]


@pytest.mark.parametrize("line", ["ouderen senioren", "\tsenioren", "ouderen\t  "])
def test_a_malformed_line_is_refused_with_its_number(tmp_path: Path, line: str) -> None:
    with pytest.raises(ValueError, match=r"lay_terms.tsv line 2"):
        table(tmp_path, f"# header\n{line}\n")

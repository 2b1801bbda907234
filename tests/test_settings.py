"""settings.py: the environment is read in one place; given values win; empty variables count as unset."""

from __future__ import annotations

from pathlib import Path

import pytest

from beleidsbron.settings import DEFAULT_CORPUS, DEFAULT_HOME, DEFAULT_REPORTS, Settings


def test_home_comes_from_the_environment(data_home, tmp_path: Path) -> None:
    assert Settings.load().home == tmp_path / "home" == data_home.root


def test_defaults_are_relative_to_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOME", "CORPUS", "MODEL", "RERANKER", "REPORTS"):
        monkeypatch.delenv(f"BELEIDSBRON_{name}", raising=False)
    settings = Settings.load()
    assert (settings.home, settings.corpus, settings.reports) == (DEFAULT_HOME, DEFAULT_CORPUS, DEFAULT_REPORTS)
    assert settings.model is None and settings.reranker is None
    assert not settings.home.is_absolute()


def test_given_values_win_over_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BELEIDSBRON_MODEL", "env-model")
    monkeypatch.setenv("BELEIDSBRON_RERANKER", "env-reranker")
    monkeypatch.setenv("BELEIDSBRON_CORPUS", str(tmp_path / "env-corpus"))
    settings = Settings.load(model="given-model", home=str(tmp_path / "given"), reranker=None)
    assert settings.model == "given-model"
    assert settings.home == tmp_path / "given"
    assert settings.reranker == "env-reranker"  # None means "not given"
    assert settings.corpus == tmp_path / "env-corpus"


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BELEIDSBRON_RERANKER", "")
    monkeypatch.setenv("BELEIDSBRON_CORPUS", "")
    settings = Settings.load()
    assert settings.reranker is None
    assert settings.corpus == DEFAULT_CORPUS

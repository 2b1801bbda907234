"""Acronyms and their long forms: found in the corpus itself, plus a curated glossary.

The corpus defines most of its acronyms in passing: `Integraal Zorgakkoord (IZA)`,
`JZOJP (Juiste Zorg Op de Juiste Plek)`. A definition is accepted when the
acronym's letters appear in order in the long form, starting with its first
letter. The glossary (glossary.tsv, reviewed by hand) adds the common ones a
document uses without defining.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from importlib.abc import Traversable
from importlib.resources import files

GLOSSARY = files("beleidsbron.index") / "glossary.tsv"  # package data: in the wheel too
_ACRONYM = r"[A-Z][A-Za-z&]{0,2}[A-Z][A-Za-z&]{0,4}"
_LONG_THEN_SHORT = re.compile(rf"((?:[\w’'&-]+\s+){{0,8}}[\w’'&-]+)\s*\(({_ACRONYM})(?:['’]s)?\)")
_SHORT_THEN_LONG = re.compile(rf"\b({_ACRONYM})(?:['’]s)?\s*\(([^()]{{4,90}})\)")
WORD = re.compile(r"[\w’'&-]+")


def _initials_match(acronym: str, words: list[str]) -> bool:
    """Do the acronym's letters occur in order in the words, the first being the first word's initial?"""
    letters = [c.lower() for c in acronym if c.isalpha()]
    text = " ".join(words).lower()
    if not words or not letters or text[0] != letters[0]:
        return False
    pos = 0
    for letter in letters:
        pos = text.find(letter, pos)
        if pos < 0:
            return False
        pos += 1
    return len(words) <= 2 * len(letters) + 2


def _shortest_long_form(acronym: str, words: list[str]) -> str | None:
    """The fewest trailing words that spell the acronym (`… de Integraal Zorgakkoord` → two words)."""
    for size in range(1, len(words) + 1):
        tail = words[-size:]
        if _initials_match(acronym, tail) and tail[0][0].lower() == acronym[0].lower():
            return " ".join(tail)
    return None


def find_definitions(texts: Iterable[str]) -> dict[str, set[str]]:
    """Acronym → long forms defined in the texts."""
    found: dict[str, set[str]] = defaultdict(set)
    for text in texts:
        flat = " ".join(text.split())
        for long_text, acronym in _LONG_THEN_SHORT.findall(flat):
            long_form = _shortest_long_form(acronym, WORD.findall(long_text))
            if long_form:
                found[acronym].add(long_form.strip("’'-"))
        for acronym, long_text in _SHORT_THEN_LONG.findall(flat):
            words = WORD.findall(long_text)
            if _initials_match(acronym, words):
                found[acronym].add(" ".join(words))
    return dict(found)


def load_glossary(path: Traversable = GLOSSARY) -> dict[str, set[str]]:
    """glossary.tsv: `ACRONYM<TAB>long form[ | other long form]`; # starts a comment."""
    table: dict[str, set[str]] = defaultdict(set)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        acronym, sep, forms = line.partition("\t")
        long_forms = {f.strip() for f in forms.split("|") if f.strip()}
        if not sep or not long_forms:  # 'GGZ<TAB>|' has no long form either
            raise ValueError(f"{path} line {number}: expected 'ACRONYM<TAB>long form'")
        table[acronym.strip()].update(long_forms)
    return dict(table)


class Acronyms:
    """Expands a query both ways: acronym → long forms, long form → acronym."""

    def __init__(self, table: dict[str, set[str]]) -> None:
        self.table = {a: sorted(forms) for a, forms in table.items()}
        self._long = [(re.compile(rf"\b{re.escape(f)}\b", re.IGNORECASE), a)
                      for a, forms in self.table.items() for f in forms]
        self._short = {a.lower(): a for a in self.table}

    @classmethod
    def from_corpus(cls, texts: Iterable[str], glossary: Traversable = GLOSSARY) -> Acronyms:
        table = load_glossary(glossary)
        for acronym, forms in find_definitions(texts).items():
            table.setdefault(acronym, set()).update(forms)
        return cls(table)

    def expansions(self, query: str) -> list[str]:
        """Long forms of the acronyms in the query, and acronyms of the long forms in it."""
        out: list[str] = []
        for token in re.findall(r"[\w&]+", query):
            # the exact spelling (NZa, Wmo) always counts; any other casing only in all caps or
            # beyond three letters, so a short lowercase word ('wmo', 'wet') does not expand
            if token in self.table:
                acronym: str | None = token
            elif token.isupper() or len(token) > 3:
                acronym = self._short.get(token.lower())
            else:
                acronym = None
            if acronym:
                out.extend(f for f in self.table[acronym] if f.lower() not in query.lower())
        out.extend(a for pattern, a in self._long if pattern.search(query) and a not in query)
        return list(dict.fromkeys(out))

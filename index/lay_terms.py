"""Everyday words → the policy terms the documents use, for the lexical channel.

People ask in their own words ("bejaarden", "handen aan het bed"); the documents write
"ouderen" and "personeelstekort", and BM25 finds no word in common. lay_terms.tsv,
reviewed by hand, lists everyday words and phrases beside the policy terms they stand
for. A query that holds one (matched on Dutch stems, so "senioren" finds "senior")
also searches those terms; nothing is replaced. Only BM25 reads the expansion: given
to the embedder as well, it made unanswerable questions look answered (flagged 0.19
of them instead of 0.30; evals/README.md).
"""

from __future__ import annotations

from importlib.abc import Traversable
from importlib.resources import files

from beleidsbron.index.analyzer import Analyzer, words

LAY_TERMS = files("beleidsbron.index") / "lay_terms.tsv"  # package data: in the wheel too


class LayTerms:
    def __init__(self, table: dict[tuple[str, ...], set[str]], analyzer: Analyzer) -> None:
        self.table = table  # everyday phrase as stems → policy terms
        self.longest = max((len(phrase) for phrase in table), default=0)
        self._analyzer = analyzer

    @classmethod
    def load(cls, path: Traversable = LAY_TERMS) -> LayTerms:
        """lay_terms.tsv: `policy terms<TAB>everyday word | everyday phrase | …`; # starts a comment."""
        analyzer, table = Analyzer(), {}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            formal, tab, lay = line.partition("\t")
            if not tab or not formal.strip() or not lay.strip():
                raise ValueError(f"{path.name} line {number}: expected `policy terms<TAB>everyday words`")
            for phrase in lay.split("|"):
                key = tuple(analyzer.stem(w) for w in words(phrase))
                if key:
                    table.setdefault(key, set()).add(formal.strip())
        return cls(table, analyzer)

    def expansions(self, text: str) -> list[str]:
        """The policy terms of every everyday word or phrase in the text, each once."""
        stems = [self._analyzer.stem(w) for w in words(text)]
        found: dict[str, None] = {}
        for i in range(len(stems)):
            for n in range(1, min(self.longest, len(stems) - i) + 1):
                found.update(dict.fromkeys(sorted(self.table.get(tuple(stems[i:i + n]), ()))))
        return list(found)

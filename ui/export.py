"""Basket → Markdown, CSV, BibTeX and RIS. Pure functions; each keeps the page of every quote."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from beleidsbron.ui.basket import BasketItem

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!$])")
CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting with these
BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
                  "$": r"\$", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
CSV_COLUMNS = ("quote", "page", "title", "publisher", "year", "kind", "document", "citation", "query")


def _one_line(text: str) -> str:
    """Control characters dropped, whitespace collapsed: safe inside one line of any format."""
    kept = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return " ".join(kept.split())


def to_markdown(items: Sequence[BasketItem]) -> str:
    """One block quote per item, its citation below it; Markdown in the text is escaped."""
    blocks = []
    for item in items:
        quote = MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(item.quote))
        cite = MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(item.citation))
        blocks.append(f"> “{quote}”\n>\n> — {cite}\n")
    return "\n".join(blocks)


def _csv_cell(value: object) -> str:
    text = "" if value is None else _one_line(str(value))
    return f"'{text}" if text.startswith(CSV_FORMULA) else text


def to_csv(items: Sequence[BasketItem]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        s = item.source
        writer.writerow([_csv_cell(v) for v in (item.quote, item.page, s.title, s.publisher, s.year, s.kind,
                                                   s.file, item.citation, item.query)])
    return out.getvalue()


def _bibtex_text(text: str) -> str:
    return "".join(BIBTEX_SPECIAL.get(ch, ch) for ch in _one_line(text))


def _bibtex_key(item: BasketItem, seen: dict[str, int]) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", item.source.file.rsplit(".", 1)[0]).strip("-").lower() or "doc"
    base = f"{stem}-{item.source.year or 'zd'}-p{item.page}"
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"


def to_bibtex(items: Sequence[BasketItem]) -> str:
    """One @misc entry per quote: the publisher as corporate author, the page, the quote as note."""
    entries, seen = [], {}
    for item in items:
        s = item.source
        fields = [("title", f"{{{_bibtex_text(s.title)}}}")]
        if s.publisher:
            fields.append(("author", f"{{{{{_bibtex_text(s.publisher)}}}}}"))  # braces: a corporate name
        if s.year:
            fields.append(("year", f"{{{s.year}}}"))
        fields += [("pages", f"{{{item.page}}}"), ("note", f"{{“{_bibtex_text(item.quote)}” (p. {item.page})}}")]
        if s.kind:
            fields.append(("type", f"{{{_bibtex_text(s.kind)}}}"))
        fields.append(("howpublished", f"{{{_bibtex_text(s.file)}}}"))
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        entries.append(f"@misc{{{_bibtex_key(item, seen)},\n{body}\n}}\n")
    return "\n".join(entries)


def to_ris(items: Sequence[BasketItem]) -> str:
    """One RPRT record per quote: SP/EP hold the page, N1 the quote."""
    records = []
    for item in items:
        s = item.source
        lines = [("TY", "RPRT"), ("TI", s.title)]
        if s.publisher:
            lines += [("AU", s.publisher), ("PB", s.publisher)]
        if s.year:
            lines.append(("PY", str(s.year)))
        lines += [("SP", str(item.page)), ("EP", str(item.page)), ("N1", f"“{item.quote}” (p. {item.page})")]
        if s.kind:
            lines.append(("M3", s.kind))
        lines += [("UR", s.file), ("ER", "")]
        records.append("\r\n".join(f"{tag}  - {_one_line(value)}" for tag, value in lines))
    return "\r\n\r\n".join(records) + ("\r\n" if records else "")


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    mime: str
    render: Callable[[Sequence[BasketItem]], str]


FORMATS = (
    ExportFormat("Markdown", "md", "text/markdown", to_markdown),
    ExportFormat("CSV", "csv", "text/csv", to_csv),
    ExportFormat("BibTeX", "bib", "application/x-bibtex", to_bibtex),
    ExportFormat("RIS", "ris", "application/x-research-info-systems", to_ris),
)

"""The app's texts in Dutch (default) and English. Pure: `tr(lang, key, **values)`.

Texts are Markdown where Streamlit renders them; values that come from documents,
files or queries must be escaped by the caller (ui.escape.md) before they go in.
"""

from __future__ import annotations

LANGS = ("nl", "en")
LANG_NAMES = {"nl": "Nederlands", "en": "English"}

TEXTS: dict[str, tuple[str, str]] = {
    # shell
    "nav": ("Pagina", "Page"),
    "page.search": ("Zoeken", "Search"),
    "page.basket": ("Citatenmand ({n})", "Quote basket ({n})"),
    "page.documents": ("Documenten", "Documents"),
    "page.evaluation": ("Evaluatie", "Evaluation"),
    "loading": ("Model en index laden…", "Loading model and index…"),
    "settings.bad": ("De instellingen van deze server kloppen niet: {error}",
                     "This server's settings are not right: {error}"),
    # start-up
    "index.building": ("Er is nog geen index. De documenten worden nu geïndexeerd; dat duurt ongeveer een minuut.",
                       "There is no index yet. The documents are being indexed now; this takes about a minute."),
    "index.busy": ("Er loopt al een indexering (in een ander venster of op de opdrachtregel). "
                   "De app probeert het zo opnieuw.",
                   "Another indexing run is busy (in another window or on the command line). "
                   "The app will try again shortly."),
    "index.failed": ("Indexeren mislukt: {error}", "Indexing failed: {error}"),
    "index.empty": ("Er kon geen enkel document geïndexeerd worden.", "Not a single document could be indexed."),
    "index.nocorpus": ("Geen documenten gevonden om te indexeren (map {folder}).",
                       "No documents found to index (folder {folder})."),
    "index.broken": ("De index kan niet gebruikt worden: {error}", "The index cannot be used: {error}"),
    "index.rebuild": ("Index opnieuw opbouwen", "Rebuild the index"),
    "index.retry": ("Opnieuw proberen", "Try again"),
    # sidebar
    "filters": ("Filters", "Filters"),
    "filter.doc": ("Document", "Document"),
    "filter.publisher": ("Uitgever", "Publisher"),
    "filter.year": ("Jaar", "Year"),
    "filter.kind": ("Soort document", "Kind of document"),
    "filter.all": ("Alle", "All"),
    "settings": ("Zoekinstellingen", "Search settings"),
    "mode": ("Zoekmethode", "Search mode"),
    "mode.rerank": ("Hybride + herordenen (aanbevolen)", "Hybrid + rerank (recommended)"),
    "mode.hybrid": ("Hybride", "Hybrid"),
    "mode.semantic": ("Op betekenis", "Semantic"),
    "mode.keyword": ("Op trefwoord", "Keyword"),
    "k": ("Aantal resultaten", "Number of results"),
    "layout": ("Resultaten", "Results"),
    "layout.list": ("Eén lijst", "One list"),
    "layout.grouped": ("Per document", "Per document"),
    # search
    "tagline": ("Zoek in Nederlandse zorgbeleidsdocumenten en citeer letterlijk, met paginanummer.",
                "Search Dutch care-policy documents and quote them verbatim, with page numbers."),
    "query": ("Uw vraag", "Your question"),
    "query.placeholder": ("Bijvoorbeeld: welke rol spelen paramedici in het IZA?",
                          "For example: what role do allied health professionals play in the IZA?"),
    "examples": ("Of probeer een voorbeeldvraag:", "Or try an example question:"),
    "searching": ("Zoeken…", "Searching…"),
    "results": ("{n} resultaten in {ms} ms", "{n} results in {ms} ms"),
    "nohits": ("Niets gevonden. Probeer andere woorden of minder filters.",
               "Nothing found. Try other words or fewer filters."),
    "lowconf": ("Geen passage lijkt deze vraag zeker te beantwoorden; dit komt het dichtst bij:",
                "No passage seems to answer this question for certain; these come closest:"),
    "score": ("score", "score"),
    "no_year": ("z.d.", "n.d."),
    "card.pdf": ("Toon op de PDF-pagina", "Show on the PDF page"),
    "card.context": ("Context: de hele passage", "Context: the whole passage"),
    "basket.add": ("In citatenmand", "Add to basket"),
    "basket.added": ("In de citatenmand", "In the basket"),
    # PDF page
    "pdf.caption": ("Pagina {page}, met het citaat gemarkeerd", "Page {page}, with the quote marked"),
    "pdf.notfound": ("Het citaat kon niet op de pagina-afbeelding worden aangewezen.",
                     "The quote could not be pointed out on the page image."),
    "pdf.missing": ("Het PDF-bestand {file} is niet gevonden (niet in de corpusmap of de uploadmap).",
                    "The PDF file {file} was not found (neither in the corpus folder nor the upload folder)."),
    "pdf.failed": ("Pagina {page} van {file} kan niet getoond worden.", "Page {page} of {file} cannot be shown."),
    "pdf.download": ("Download de PDF", "Download the PDF"),
    # basket
    "basket.title": ("Citatenmand", "Quote basket"),
    "basket.empty": ("De citatenmand is leeg. Voeg citaten toe vanuit de zoekresultaten.",
                     "The basket is empty. Add quotes from the search results."),
    "basket.help": ("Zet de citaten in de gewenste volgorde en exporteer ze, elk met bronvermelding en pagina.",
                    "Put the quotes in the order you want and export them, each with its citation and page."),
    "basket.up": ("Omhoog", "Move up"),
    "basket.down": ("Omlaag", "Move down"),
    "basket.remove": ("Verwijderen", "Remove"),
    "basket.copy_all": ("Alles kopiëren", "Copy all"),
    "basket.export": ("Exporteren", "Export"),
    "basket.clear": ("Citatenmand leegmaken", "Empty the basket"),
    # documents
    "docs.title": ("Documenten", "Documents"),
    "docs.summary": ("{docs} documenten, {pages} pagina's ({empty} zonder tekstlaag), {chunks} passages; "
                     "model {model}, index gebouwd {built}.",
                     "{docs} documents, {pages} pages ({empty} without a text layer), {chunks} passages; "
                     "model {model}, index built {built}."),
    "col.title": ("Titel", "Title"),
    "col.file": ("Bestand", "File"),
    "col.publisher": ("Uitgever", "Publisher"),
    "col.year": ("Jaar", "Year"),
    "col.kind": ("Soort", "Kind"),
    "col.pages": ("Pagina's", "Pages"),
    "col.chunks": ("Passages", "Passages"),
    "col.empty": ("Pagina's zonder tekstlaag", "Pages without text layer"),
    "col.where": ("Herkomst", "Origin"),
    "origin.corpus": ("meegeleverd document", "shipped document"),
    "origin.upload": ("geüpload {at} als {name}", "uploaded {at} as {name}"),
    "origin.missing": ("bestand ontbreekt", "file missing"),
    "docs.upload": ("PDF's toevoegen", "Add PDFs"),
    "docs.upload.label": ("Kies een of meer PDF-bestanden", "Choose one or more PDF files"),
    "docs.upload.where": ("Geüploade bestanden komen in de map uploads van de gegevensmap. Een upload vervangt "
                          "nooit een geïndexeerd document: heeft hij dezelfde naam, dan krijgt hij een nieuwe.",
                          "Uploaded files go to the uploads folder of the data directory. An upload never replaces "
                          "an indexed document: if it has the same name, it gets a new one."),
    "docs.uploads.off": ("Uploaden en verwijderen staat uit op deze server.",
                         "Uploading and removing is switched off on this server."),
    "docs.secret": ("Wachtwoord om te uploaden en te verwijderen", "Password to upload and remove"),
    "docs.secret.go": ("Ontgrendelen", "Unlock"),
    "docs.secret.wrong": ("Dat wachtwoord klopt niet.", "That password is not right."),
    "docs.upload.go": ("Indexeren", "Index them"),
    "docs.one": ("Eén document", "One document"),
    "docs.pick": ("Document", "Document"),
    "docs.download": ("Download de PDF", "Download the PDF"),
    "docs.remove.title": ("Een upload verwijderen", "Remove an upload"),
    "docs.remove.pick": ("Geüpload document", "Uploaded document"),
    "docs.remove.none": ("Er zijn geen geüploade documenten. Meegeleverde documenten kunnen hier niet "
                         "verwijderd worden.",
                         "There are no uploaded documents. Shipped documents cannot be removed here."),
    "docs.remove.confirm": ("Ja, haal dit document uit de index", "Yes, take this document out of the index"),
    "docs.remove": ("Verwijderen uit de index", "Remove from the index"),
    "ingest.start": ("Indexeren…", "Indexing…"),
    "ingest.pages": ("{n} pagina's gelezen", "{n} pages read"),
    "ingest.chunks": ("Passages: {n} van {total} ingebed", "Passages: {n} of {total} embedded"),
    "ingest.sentences": ("Zinnen: {n} van {total} ingebed", "Sentences: {n} of {total} embedded"),
    "ingest.done": ("Klaar", "Done"),
    "ingest.cancel": ("Indexering afbreken", "Cancel the indexing"),
    "ingest.cancelling": ("De indexering wordt afgebroken…", "The indexing is being cancelled…"),
    "ingest.cancelled": ("De indexering is afgebroken; de index is niet veranderd.",
                         "The indexing was cancelled; the index has not changed."),
    "ingest.added": ("Toegevoegd: {files}", "Added: {files}"),
    "ingest.updated": ("Bijgewerkt (nieuwe versie): {files}", "Updated (new version): {files}"),
    "ingest.removed": ("Verwijderd uit de index: {files}", "Removed from the index: {files}"),
    "ingest.duplicate": ("{new} is niet toegevoegd: de inhoud is gelijk aan {old}, dat al in de index staat.",
                         "{new} was not added: its content is the same as {old}, which is already indexed."),
    "ingest.failed": ("{file} is niet toegevoegd: {reason}", "{file} was not added: {reason}"),
    "ingest.empty": ("{file}: pagina {pages} zonder tekstlaag (scan?); die pagina's zijn niet doorzoekbaar.",
                     "{file}: page {pages} without a text layer (a scan?); those pages are not searchable."),
    "ingest.nothing": ("Er is niets veranderd.", "Nothing changed."),
    "ingest.busy": ("Er loopt al een indexering. Probeer het zo opnieuw; de index is niet veranderd.",
                    "Another indexing run is busy. Try again shortly; the index has not changed."),
    "ingest.error": ("Indexeren mislukt; de index is niet veranderd: {error}",
                     "Indexing failed; the index has not changed: {error}"),
    "upload.renamed": ("{original} is opgeslagen als {safe}.", "{original} was saved as {safe}."),
    "upload.notpdf": ("{file} is niet toegevoegd: alleen PDF-bestanden (.pdf) kunnen geïndexeerd worden.",
                      "{file} was not added: only PDF files (.pdf) can be indexed."),
    "upload.clash": ("Er is al een document met de naam {original}; de upload is opgeslagen als {safe}.",
                     "A document named {original} exists already; the upload was saved as {safe}."),
    # evaluation
    "eval.title": ("Evaluatie", "Evaluation"),
    "eval.none": ("Er is nog geen evaluatierapport. Maak er een met:",
                  "There is no evaluation report yet. Make one with:"),
    "eval.meta": ("Rapport van {created}, commit {commit}.", "Report of {created}, commit {commit}."),
    "eval.legend": ("hit@k: aandeel vragen met een goed antwoord in de eerste k resultaten; page±1: juiste pagina; "
                    "qhit: het citaat zelf klopt; flag-unans / flag-ans: vragen zonder / met antwoord "
                    "die als onzeker gemarkeerd zijn.",
                    "hit@k: share of questions with a right answer in the first k results; page±1: right page; "
                    "qhit: the quote itself is right; flag-unans / flag-ans: questions without / with an answer "
                    "marked as doubtful."),
    "eval.chart": ("Grafiek", "Chart"),
    "eval.full": ("Het volledige rapport (Markdown)", "The full report (Markdown)"),
}

EXAMPLES: dict[str, tuple[str, ...]] = {
    "nl": ("Welke rol spelen paramedici in het IZA?",
           "Wat zijn succesfactoren van regionale paramedische platforms?",
           "Wat zegt de mid-term review over passende zorg?"),
    "en": ("What role do allied health professionals play in the IZA?",
           "What makes regional paramedical platforms succeed?",
           "What does the mid-term review say about appropriate care?"),
}


def tr(lang: str, key: str, **values: object) -> str:
    """The text for `key` in `lang` (nl or en), with {values} filled in."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    text = TEXTS[key][LANGS.index(lang)]
    return text.format(**values) if values else text


def examples(lang: str) -> tuple[str, ...]:
    return EXAMPLES[lang]

"""Whatever PDFs users have: each bad one is named with its reason on one line, the rest is indexed,
and the exit status says that something failed. (Unit cases of ingest/pdf.py live in
tests/ingest/test_pdf.py; these run whole batches through the Ingestor and the CLI.)"""

from __future__ import annotations

import importlib.util
import shutil
import time
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from beleidsbron import api, cli
from beleidsbron.index.build import Duplicate, Ingestor, IngestReport
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import Manifest
from beleidsbron.index.search import Filters, Searcher
from beleidsbron.index.store import ChunkStore
from beleidsbron.ingest.chunk import ChunkSettings
from beleidsbron.ingest.errors import DocumentError
from beleidsbron.ingest.pdf import ReadLimits
from beleidsbron.ingest.sentences import sentence_spans

from fakes import FakeEmbedder, make_pdf
from robust_support import (
    NO_FLAG,
    aes256_encrypted,
    aes_encrypted,
    broken_info,
    broken_xref,
    certificate_encrypted,
    control_char_pdf,
    encrypted,
    huge_page_text,
    private_use_pdf,
    truncated,
    zero_page_pdf,
)

pytestmark = pytest.mark.slow  # subprocesses, kills and real waits: the full tier (make test) only

HAS_CRYPTOGRAPHY = importlib.util.find_spec("cryptography") is not None
ACCENTED = "Zorgakkoord – versie 2 é.pdf"

GOOD_TEXT = {
    "huisartsen.pdf": ["De huisarts werkt samen met de apotheker in de wijk.", "Thuiszorg voor ouderen in Limburg."],
    "open-versleuteld.pdf": ["Het beveiligde rapport over wijkverpleging is zonder wachtwoord te openen."],
    "xref-kapot.pdf": ["Een download met een kapotte verwijzingstabel over mondzorg."],
    "info-kapot.pdf": ["Metadata kapot maar de tekst over logopedie is goed."],
    ACCENTED: ["Het Zorgakkoord versie twee regelt de ergotherapie in de regio."],
}

# file → (bytes, what the one-line reason must say)
BAD = {
    "notitie.pdf": (lambda: b"Dit is gewoon tekst, geen PDF.\n", "not a PDF"),
    "leeg.pdf": (lambda: b"", "empty file"),
    "half.pdf": (lambda: truncated(make_pdf(["Een afgebroken download over dieetadvies."] * 3)), "truncated"),
    "geheim.pdf": (lambda: encrypted(make_pdf(["Vertrouwelijk."]), "geheim"), "password"),
    "nul-paginas.pdf": (zero_page_pdf, "no pages"),
    "scan.pdf": (lambda: make_pdf([None, None]), "no text layer on any page (a scan? OCR needed)"),
    "glyphs.pdf": (lambda: private_use_pdf(), "no readable characters"),
    "stuurcodes.pdf": (control_char_pdf, "no readable characters"),
    "certificaat.pdf": (lambda: certificate_encrypted(make_pdf(["Beveiligd."])), "encrypted with a method"),
}
if not HAS_CRYPTOGRAPHY:  # with it installed these are simply read
    BAD["aes.pdf"] = (lambda: aes_encrypted(make_pdf(["Beveiligd met AES."])), "needs the 'cryptography' package")
    BAD["aes256.pdf"] = (lambda: aes256_encrypted(make_pdf(["Beveiligd met AES."])),
                         "needs the 'cryptography' package")


def good_bytes(name: str) -> bytes:
    data = make_pdf(GOOD_TEXT[name], title=Path(name).stem)
    if name == "open-versleuteld.pdf":
        return encrypted(data, "")  # an empty user password: anyone may read it
    if name == "xref-kapot.pdf":
        return broken_xref(data)
    if name == "info-kapot.pdf":
        return broken_info(data)
    return data


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """Good and bad PDFs in one folder, as a user's download folder would be."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    for name in GOOD_TEXT:
        (folder / name).write_bytes(good_bytes(name))
    for name, (make, _) in BAD.items():
        (folder / name).write_bytes(make())
    return folder


def ingest(home: DataHome, embedder: FakeEmbedder, *paths: Path, reader=None, limits: ReadLimits = ReadLimits(),
           **options) -> IngestReport:
    return Ingestor(home, embedder, ChunkSettings(300, 50), limits=limits, reader=reader).run(list(paths), **options)


def indexed(home: DataHome) -> set[str]:
    return {d.file for d in Manifest.read(home.current()).documents}


# through the Ingestor ----------------------------------------------------------------------
def test_every_bad_file_is_reported_with_its_reason_and_the_rest_is_indexed(data_home, fake_embedder, batch) -> None:
    report = ingest(data_home, fake_embedder, batch)
    assert not report.ok
    reasons = {f.file: f.reason for f in report.failures}
    assert set(reasons) == set(BAD)
    for name, (_, expected) in BAD.items():
        assert expected in reasons[name], (name, reasons[name])
    for failure in report.failures:
        line = str(failure)
        assert line.startswith(f"{failure.file}: ") and "\n" not in line and len(line) < 300
    assert indexed(data_home) == set(GOOD_TEXT)
    assert sorted(report.added) == sorted(GOOD_TEXT)


def test_good_files_among_bad_ones_keep_their_text(data_home, fake_embedder, batch) -> None:
    ingest(data_home, fake_embedder, batch)
    store = ChunkStore.open(data_home.current())
    for name, pages in GOOD_TEXT.items():
        assert [p.text for p in store.document(name).pages] == pages, name
    assert store.sources()["info-kapot.pdf"].title == "info kapot"  # no metadata: the file name


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_bad_file_alone_is_a_clear_failure_not_a_crash(data_home, fake_embedder, tmp_path, name) -> None:
    make, expected = BAD[name]
    folder = tmp_path / "een"
    folder.mkdir()
    (folder / name).write_bytes(make())
    report = ingest(data_home, fake_embedder, folder)
    assert [(f.file, expected in f.reason) for f in report.failures] == [(name, True)]
    assert report.documents == 0 and report.chunks == 0


def test_a_bad_file_does_not_remove_a_good_version_already_indexed(data_home, fake_embedder, tmp_path) -> None:
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "nota.pdf").write_bytes(make_pdf(["De nota over zorg in de wijk."]))
    ingest(data_home, fake_embedder, folder)
    for name, (make, _) in BAD.items():  # the same file replaced by every kind of breakage in turn
        (folder / "nota.pdf").write_bytes(make())
        report = ingest(data_home, fake_embedder, folder)
        assert [f.file for f in report.failures] == ["nota.pdf"] and report.removed == [], name
        assert [p.text for p in ChunkStore.open(data_home.current()).document("nota.pdf").pages] == \
               ["De nota over zorg in de wijk."], name


def test_an_unexpected_error_on_one_file_does_not_abort_the_batch(data_home, fake_embedder, tmp_path) -> None:
    from beleidsbron.ingest.pdf import extract_pdf

    folder = tmp_path / "map"
    folder.mkdir()
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        (folder / name).write_bytes(make_pdf([f"Document {name} over zorg."]))

    def flaky(name, data, limits):  # a reader in this process, so that it can fail as a bug would
        if name == "b.pdf":
            raise RecursionError("maximum recursion depth exceeded\nwhile parsing")
        return extract_pdf(name, data, limits)

    report = ingest(data_home, fake_embedder, folder, reader=flaky)
    assert [str(f) for f in report.failures] == [
        "b.pdf: unexpected error while reading it (RecursionError: maximum recursion depth exceeded while parsing); "
        "please report"]
    assert indexed(data_home) == {"a.pdf", "c.pdf"}


@pytest.mark.skipif(not HAS_CRYPTOGRAPHY, reason="pypdf needs the cryptography package to write or read AES")
@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_aes_with_an_empty_password_is_read_and_with_a_real_one_reported(algorithm: str) -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    from beleidsbron.ingest.pdf import read_pdf_bytes

    def aes(password: str) -> bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Beveiligd met AES."]))))
        writer.encrypt(password, owner_password="eigenaar", algorithm=algorithm)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    assert read_pdf_bytes("open.pdf", aes("")).pages[0].text == "Beveiligd met AES."
    with pytest.raises(DocumentError, match="password is needed"):
        read_pdf_bytes("dicht.pdf", aes("geheim"))


# the content hash --------------------------------------------------------------------------
def test_a_copy_under_another_name_is_recognised_by_its_content(data_home, fake_embedder, batch, tmp_path) -> None:
    ingest(data_home, fake_embedder, batch)
    chunks = Manifest.read(data_home.current()).chunks
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    shutil.copy(batch / "huisartsen.pdf", elsewhere / "Kopie van huisartsen (1).pdf")
    report = ingest(data_home, fake_embedder, elsewhere, keep_others=True)
    assert report.duplicates == [Duplicate("Kopie van huisartsen (1).pdf", "huisartsen.pdf")]
    assert report.embedded == 0 and report.added == []
    assert indexed(data_home) == set(GOOD_TEXT)
    assert Manifest.read(data_home.current()).chunks == chunks
    # and when both names are in the folder, still once
    shutil.copy(batch / "huisartsen.pdf", batch / "huisartsen-kopie.pdf")
    report = ingest(data_home, fake_embedder, batch)
    assert report.duplicates == [Duplicate("huisartsen-kopie.pdf", "huisartsen.pdf")]
    assert indexed(data_home) == set(GOOD_TEXT)


# names -------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_a_name_with_spaces_dash_and_accents_is_indexed_searched_and_cited(data_home, fake_embedder, tmp_path,
                                                                          form) -> None:
    name = unicodedata.normalize(form, ACCENTED)
    folder = tmp_path / "map met spaties"
    folder.mkdir()
    (folder / name).write_bytes(make_pdf(GOOD_TEXT[ACCENTED], title="Zorgakkoord versie 2"))
    assert ingest(data_home, fake_embedder, folder).added == [name]
    searcher = Searcher.open(data_home, fake_embedder, NO_FLAG)
    result = searcher.search("ergotherapie in de regio", k=1, mode="hybrid", filters=Filters(docs=frozenset({name})))
    assert [h.doc for h in result.hits] == [name]
    assert result.hits[0].citation == "Zorgakkoord versie 2 (z.d.), p. 1."
    assert ingest(data_home, fake_embedder, folder).unchanged == [name]  # found again by the same name


# size --------------------------------------------------------------------------------------
def test_sentence_splitting_is_linear_in_the_page_length() -> None:
    # Was quadratic (a regex search from the page start for every full stop): 300 kB took ~30 s.
    text = huge_page_text(300_000)
    started = time.perf_counter()
    spans = sentence_spans(text)
    assert time.perf_counter() - started < 3
    assert len(spans) == text.count(".") and all(text[a:b].strip() == text[a:b] for a, b in spans)


def test_a_page_of_a_megabyte_is_cut_at_the_cap_per_page_named_and_the_rest_indexed(data_home, fake_embedder,
                                                                                      tmp_path) -> None:
    folder = tmp_path / "groot"
    folder.mkdir()
    text = huge_page_text(1_000_000)
    (folder / "jaarverslag.pdf").write_bytes(make_pdf([text, "Bijlage: een gewone tweede pagina."]))
    report = ingest(data_home, fake_embedder, folder)
    cap = ReadLimits().page_chars
    assert report.ok and report.pages == 2
    assert report.warnings == [f"jaarverslag.pdf: p. 1: text cut at {cap:,} characters (the cap per page); "
                               "the rest of the page is not read"]
    store = ChunkStore.open(data_home.current())
    chunks = [c for _, c in store.iter_chunks()]
    assert max(len(c.text) for c in chunks) <= 300
    page = store.page_text("jaarverslag.pdf", 1)
    assert cap - 200 <= len(page) <= cap and page.startswith("De huisarts werkt samen met de apotheker")
    assert all(page[c.start:c.end] == c.text for c in chunks if c.page_start == c.page_end == 1)
    assert store.page_text("jaarverslag.pdf", 2) == "Bijlage: een gewone tweede pagina."


# glyphs ------------------------------------------------------------------------------------
def test_a_page_mostly_of_private_use_glyphs_keeps_only_its_readable_text(data_home, fake_embedder,
                                                                         tmp_path) -> None:
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "gemengd.pdf").write_bytes(private_use_pdf(readable=b"De huisarts werkt samen met de apotheker."))
    report = ingest(data_home, fake_embedder, folder)
    assert report.ok and report.added == ["gemengd.pdf"]
    store = ChunkStore.open(data_home.current())
    assert [c.text for _, c in store.iter_chunks()] == ["De huisarts werkt samen met de apotheker."]


def test_only_unreadable_glyphs_is_told_apart_from_a_scan() -> None:
    from beleidsbron.ingest.pdf import read_pdf_bytes

    for data, reason in [(private_use_pdf(), "text layer has no readable characters"),
                         (control_char_pdf(), "text layer has no readable characters"),
                         (make_pdf([None]), "no text layer on any page")]:
        with pytest.raises(DocumentError) as caught:
            read_pdf_bytes("x.pdf", data)
        assert caught.value.reason.startswith(reason) and "OCR" in caught.value.reason


# through the CLI ---------------------------------------------------------------------------
@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, fake_embedder: FakeEmbedder):
    monkeypatch.setattr(api, "make_embedder", lambda home=None, model=None: fake_embedder)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli.main, list(args))

    return invoke


def test_cli_names_each_bad_file_once_goes_on_and_exits_1(run, batch) -> None:
    shutil.copy(batch / "huisartsen.pdf", batch / "kopie.pdf")
    result = run("ingest", str(batch))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed) == len(BAD)
    for name, (_, expected) in BAD.items():
        [line] = [line for line in failed if line.startswith(f"failed: {name}: ")]
        assert expected in line
    assert "skipped duplicate: kopie.pdf = huisartsen.pdf (same content)" in result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith(f"{len(GOOD_TEXT)} documents, ") and summary.endswith(f"failed {len(BAD)}")
    assert "Traceback" not in result.output


def test_cli_search_and_info_after_a_batch_with_bad_files(run, batch) -> None:
    run("ingest", str(batch))
    info = run("info")
    assert info.exit_code == 0
    assert any(line.startswith(f"{ACCENTED}: 1 pages") for line in info.stdout.splitlines())
    # the whole sentence as the query: the fake embedder's cosine then clears the abstention threshold
    result = run("search", GOOD_TEXT[ACCENTED][0], "--json", "--doc", ACCENTED, "--mode", "keyword")
    assert result.exit_code == 0 and f'"doc": "{ACCENTED}"' in result.stdout


def test_cli_exit_status_is_0_when_only_duplicates_are_skipped(run, batch, tmp_path) -> None:
    folder = tmp_path / "schoon"
    folder.mkdir()
    shutil.copy(batch / "huisartsen.pdf", folder / "huisartsen.pdf")
    shutil.copy(batch / "huisartsen.pdf", folder / "huisartsen 2.pdf")
    result = run("ingest", str(folder))
    assert result.exit_code == 0
    assert "skipped duplicate: huisartsen.pdf = huisartsen 2.pdf (same content)" in result.stderr

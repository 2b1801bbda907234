"""index/build.py: incremental ingestion of a folder of PDFs into a new index generation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from beleidsbron.index.build import Duplicate, Ingestor, IngestReport
from beleidsbron.index.home import BusyError, DataHome
from beleidsbron.index.manifest import Manifest
from beleidsbron.index.store import ChunkStore
from beleidsbron.ingest.chunk import ChunkSettings

from fakes import FakeEmbedder

A = ["De huisarts werkt samen met de apotheker in de wijk.", "Wijkverpleging en thuiszorg voor ouderen."]
B = ["Fysiotherapeuten vormen een paramedisch platform.", "Het platform in Zuid-Nederland groeit."]
C = ["Het Integraal Zorgakkoord maakt afspraken over passende zorg."]


@pytest.fixture
def folder(pdf_factory) -> Path:
    pdf_factory("a.pdf", A, title="Titel uit de PDF")
    pdf_factory("b.pdf", B)
    return pdf_factory("c.pdf", C).parent


def ingest(home: DataHome, embedder: FakeEmbedder, *paths: Path, **options) -> IngestReport:
    return Ingestor(home, embedder, ChunkSettings(300, 50)).run(list(paths), **options)


def indexed(home: DataHome) -> dict[str, str]:
    """File → title of every document in the current index."""
    store = ChunkStore.open(home.current())
    try:
        return {file: source.title for file, source in store.sources().items()}
    finally:
        store.close()


def embedded_since(embedder: FakeEmbedder, calls: int) -> list[str]:
    return [text for kind, texts in embedder.calls[calls:] if kind == "passage" for text in texts]


def flat(pages: list[str]) -> str:
    return " ".join(pages)


def test_first_run_embeds_everything(data_home, fake_embedder, folder) -> None:
    report = ingest(data_home, fake_embedder, folder)
    assert report.ok and report.added == ["a.pdf", "b.pdf", "c.pdf"]
    assert (report.documents, report.pages) == (3, 5)
    assert report.embedded == fake_embedder.passages_embedded > 0
    store = ChunkStore.open(data_home.current())
    assert report.chunks == store.count() == Manifest.read(data_home.current()).chunks
    assert {c.embed_text for _, c in store.iter_chunks()} <= set(embedded_since(fake_embedder, 0))


def test_second_run_on_unchanged_files_embeds_nothing(data_home, fake_embedder, folder) -> None:
    first = ingest(data_home, fake_embedder, folder)
    generation, embedded = data_home.current(), fake_embedder.passages_embedded
    again = ingest(data_home, fake_embedder, folder)
    assert again.unchanged == ["a.pdf", "b.pdf", "c.pdf"]
    assert not (again.added or again.updated or again.removed)
    assert again.embedded == 0 and fake_embedder.passages_embedded == embedded
    assert data_home.current() == generation
    assert (again.documents, again.pages, again.chunks) == (first.documents, first.pages, first.chunks)


def test_changed_pdf_re_embeds_only_its_own_text(data_home, fake_embedder, folder, pdf_factory) -> None:
    ingest(data_home, fake_embedder, folder)
    calls, generation = len(fake_embedder.calls), data_home.current()
    pdf_factory("b.pdf", [B[0], "Het platform in Noord-Brabant krimpt."])
    report = ingest(data_home, fake_embedder, folder)
    assert report.updated == ["b.pdf"] and report.unchanged == ["a.pdf", "c.pdf"]
    new = embedded_since(fake_embedder, calls)
    assert new and report.embedded == len(new)
    assert all(text in flat([B[0], "Het platform in Noord-Brabant krimpt."]) for text in new)
    assert data_home.current() != generation


def test_new_pdf_is_added(data_home, fake_embedder, folder, pdf_factory) -> None:
    ingest(data_home, fake_embedder, folder)
    calls = len(fake_embedder.calls)
    pdf_factory("d.pdf", ["Nieuwe nota over mondzorg en logopedie."])
    report = ingest(data_home, fake_embedder, folder)
    assert report.added == ["d.pdf"]
    assert all(text in "Nieuwe nota over mondzorg en logopedie." for text in embedded_since(fake_embedder, calls))
    assert set(indexed(data_home)) == {"a.pdf", "b.pdf", "c.pdf", "d.pdf"}


def test_removed_pdf_leaves_the_index(data_home, fake_embedder, folder) -> None:
    ingest(data_home, fake_embedder, folder)
    (folder / "c.pdf").unlink()
    report = ingest(data_home, fake_embedder, folder)
    assert report.removed == ["c.pdf"] and report.embedded == 0
    assert set(indexed(data_home)) == {"a.pdf", "b.pdf"}
    assert [d.file for d in Manifest.read(data_home.current()).documents] == ["a.pdf", "b.pdf"]


def test_keep_others_keeps_documents_not_named(data_home, fake_embedder, folder) -> None:
    ingest(data_home, fake_embedder, folder)
    report = ingest(data_home, fake_embedder, folder / "a.pdf", keep_others=True)
    assert report.removed == []
    assert set(indexed(data_home)) == {"a.pdf", "b.pdf", "c.pdf"}
    assert ingest(data_home, fake_embedder, folder / "a.pdf").removed == ["b.pdf", "c.pdf"]


def test_remove_drops_a_named_document(data_home, fake_embedder, folder) -> None:
    ingest(data_home, fake_embedder, folder)
    report = ingest(data_home, fake_embedder, folder, remove=["b.pdf"])
    assert report.removed == ["b.pdf"] and set(indexed(data_home)) == {"a.pdf", "c.pdf"}


def test_duplicate_under_another_name_is_indexed_once(data_home, fake_embedder, folder) -> None:
    shutil.copy(folder / "a.pdf", folder / "kopie.pdf")
    report = ingest(data_home, fake_embedder, folder)
    assert report.duplicates == [Duplicate("kopie.pdf", "a.pdf")]
    assert set(indexed(data_home)) == {"a.pdf", "b.pdf", "c.pdf"}
    assert ingest(data_home, fake_embedder, folder).duplicates == [Duplicate("kopie.pdf", "a.pdf")]


def test_renamed_pdf_stays_indexed_under_its_new_name(data_home, fake_embedder, folder) -> None:
    ingest(data_home, fake_embedder, folder)
    (folder / "a.pdf").rename(folder / "z.pdf")
    report = ingest(data_home, fake_embedder, folder)
    assert set(indexed(data_home)) == {"b.pdf", "c.pdf", "z.pdf"}
    assert report.embedded == 0  # same text: vectors are reused


def test_bad_file_is_reported_and_the_good_ones_indexed(data_home, fake_embedder, folder) -> None:
    (folder / "kapot.pdf").write_text("Dit is geen PDF.", encoding="utf-8")
    report = ingest(data_home, fake_embedder, folder)
    assert not report.ok
    assert [(f.file, f.reason) for f in report.failures] == [("kapot.pdf", "not a PDF (no %PDF- header)")]
    assert set(indexed(data_home)) == {"a.pdf", "b.pdf", "c.pdf"}


@pytest.mark.parametrize("bad_only", [False, True])
def test_a_first_run_with_nothing_readable_does_not_crash(data_home, fake_embedder, tmp_path, bad_only) -> None:
    folder = tmp_path / "leeg"
    folder.mkdir()
    if bad_only:
        (folder / "kapot.pdf").write_bytes(b"")
    report = ingest(data_home, fake_embedder, folder)
    assert [f.file for f in report.failures] == (["kapot.pdf"] if bad_only else [])


def test_indexed_file_that_becomes_corrupt_keeps_its_old_version(data_home, fake_embedder, folder) -> None:
    ingest(data_home, fake_embedder, folder)
    good = (folder / "b.pdf").read_bytes()
    (folder / "b.pdf").write_bytes(good[: len(good) // 2])
    report = ingest(data_home, fake_embedder, folder)
    assert [f.file for f in report.failures] == ["b.pdf"] and report.removed == []
    store = ChunkStore.open(data_home.current())
    assert [p.text for p in store.document("b.pdf").pages] == B


def test_corrupt_file_is_kept_when_others_change_too(data_home, fake_embedder, folder, pdf_factory) -> None:
    ingest(data_home, fake_embedder, folder)
    (folder / "b.pdf").write_bytes(b"%PDF-1.4\nkapot")
    pdf_factory("d.pdf", ["Een nieuw document."])
    report = ingest(data_home, fake_embedder, folder)
    assert report.added == ["d.pdf"] and [f.file for f in report.failures] == ["b.pdf"]
    assert set(indexed(data_home)) == {"a.pdf", "b.pdf", "c.pdf", "d.pdf"}


def test_sources_json_wins_over_pdf_metadata(data_home, fake_embedder, folder) -> None:
    (folder / "sources.json").write_text(json.dumps([{"file": "a.pdf", "title": "Titel uit sources.json",
                                                      "publisher": "VWS", "year": 2024}]), encoding="utf-8")
    ingest(data_home, fake_embedder, folder)
    titles = indexed(data_home)
    assert titles["a.pdf"] == "Titel uit sources.json"
    assert titles["b.pdf"] == "b"  # no entry, no PDF title: the file name
    assert ChunkStore.open(data_home.current()).sources()["a.pdf"].year == 2024


def test_empty_pages_are_reported(data_home, fake_embedder, pdf_factory) -> None:
    folder = pdf_factory("scan.pdf", ["Tekst op pagina een.", None, "Tekst op pagina drie.", None]).parent
    report = ingest(data_home, fake_embedder, folder)
    assert report.empty_pages == {"scan.pdf": (2, 4)}
    assert Manifest.read(data_home.current()).documents[0].empty_pages == [2, 4]


def test_rebuild_and_another_model_embed_everything_again(data_home, fake_embedder, folder) -> None:
    ingest(data_home, fake_embedder, folder)
    first = fake_embedder.passages_embedded
    assert ingest(data_home, fake_embedder, folder, rebuild=True).embedded == first
    other = FakeEmbedder()
    other.model_id = "ander-model"
    assert ingest(data_home, other, folder).embedded == first
    assert Manifest.read(data_home.current()).model_id == "ander-model"


def test_a_second_ingestion_at_the_same_time_is_refused(data_home, fake_embedder, folder) -> None:
    with data_home.ingest_lock():
        with pytest.raises(BusyError):
            ingest(DataHome(data_home.root), fake_embedder, folder)
    assert data_home.current() is None


def token_rows(home: DataHome) -> dict[str, tuple[list[int], bytes]]:
    """Chunk text → its stored token ids and int8 token rows."""
    from beleidsbron.index.tokens import TokenIndex

    directory = home.current()
    tokens, store = TokenIndex.load(directory), ChunkStore.open(directory)
    try:
        out = {}
        for row, chunk in store.iter_chunks():
            lo, hi = int(tokens.offsets[row]), int(tokens.offsets[row + 1])
            out[chunk.embed_text] = (tokens.ids[lo:hi].tolist(), tokens.tokens[lo:hi].tobytes())
        return out
    finally:
        store.close()


def test_chunks_get_token_vectors_that_a_later_run_reuses(data_home, fake_embedder, folder, pdf_factory) -> None:
    ingest(data_home, fake_embedder, folder)
    before = token_rows(data_home)
    assert before and all(ids for ids, _ in before.values())
    calls = len(fake_embedder.calls)
    pdf_factory("b.pdf", [B[0], "Het platform in Noord-Brabant krimpt."])
    ingest(data_home, fake_embedder, folder)
    after = token_rows(data_home)
    re_embedded = set(embedded_since(fake_embedder, calls))
    kept = [text for text in after if text in before and text not in re_embedded]
    assert kept and all(after[text] == before[text] for text in kept)


def test_an_index_without_token_vectors_gets_them_on_the_next_run(data_home, fake_embedder, folder) -> None:
    from beleidsbron.index.search import Searcher
    from beleidsbron.index.tokens import FILES

    ingest(data_home, fake_embedder, folder)
    manifest = data_home.current() / "manifest.json"
    raw = json.loads(manifest.read_text())
    del raw["token_vectors"]
    manifest.write_text(json.dumps(raw))
    for name in FILES:
        (data_home.current() / name).unlink()  # as an index written before token vectors existed
    assert Searcher.open(data_home, fake_embedder).search("paramedisch platform").hits  # still searchable
    report = ingest(data_home, fake_embedder, folder)
    assert report.ok and report.unchanged == ["a.pdf", "b.pdf", "c.pdf"]
    assert set(token_rows(data_home)) == {c.embed_text for _, c in
                                                       ChunkStore.open(data_home.current()).iter_chunks()}


def test_above_the_token_limit_no_token_vectors_are_kept(data_home, fake_embedder, folder,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from beleidsbron.index.search import Searcher
    from beleidsbron.index.tokens import FILES

    monkeypatch.setattr("beleidsbron.index.build.MAX_PASSAGES", 1)
    assert ingest(data_home, fake_embedder, folder).ok
    assert not any((data_home.current() / name).exists() for name in FILES)
    assert not Manifest.read(data_home.current()).token_vectors
    result = Searcher.open(data_home, fake_embedder).search("paramedisch platform", mode="rerank")
    assert result.hits and "platform" in result.hits[0].chunk.text


def test_a_text_met_several_times_in_a_run_is_embedded_once(data_home, fake_embedder, pdf_factory) -> None:
    same = "De huisarts werkt samen met de apotheker in de wijk."
    pdf_factory("een.pdf", [same, same])
    folder = pdf_factory("twee.pdf", [same, "Een andere zin over thuiszorg."]).parent
    report = ingest(data_home, fake_embedder, folder)
    texts = [t for kind, batch in fake_embedder.calls if kind == "passage" for t in batch]
    assert len(texts) == len(set(texts)) == report.embedded
    manifest = Manifest.read(data_home.current())
    assert manifest.sentences == 4 and report.embedded < manifest.chunks + manifest.sentences

"""app.py, a result's PDF page (AppTest, fake searcher, a real small PDF): image, download, missing file."""

from __future__ import annotations

from app_fakes import DOCS, PPN, ROBUUST, cards, fake_searcher, search, start_app
from fakes import make_pdf


def show_first_page(at) -> None:
    toggle = next(t for t in at.toggle if t.key and t.key.startswith("pdf-"))
    toggle.set_value(True).run()
    assert not at.exception, at.exception


def test_shows_the_page_with_the_quote_and_offers_the_pdf(monkeypatch, tmp_path):
    robuust = next(d for d in DOCS if d.source == ROBUUST)
    (tmp_path / ROBUUST.file).write_bytes(make_pdf(list(robuust.pages)))
    at = start_app(monkeypatch, fake_searcher(), corpus=tmp_path)
    at.run()
    search(at, "vaste coördinator")
    assert not at.get("image")
    show_first_page(at)
    assert len(at.get("image")) == 1
    assert not any("niet op de pagina-afbeelding" in c.value for c in at.caption)
    download = [b for b in at.get("download_button") if b.key and b.key.startswith("dl-")]
    assert [b.label for b in download] == ["Download de PDF"]


def test_a_missing_pdf_is_reported(monkeypatch, tmp_path):
    at = start_app(monkeypatch, fake_searcher(), corpus=tmp_path)
    at.run()
    search(at, "vaste coördinator")
    show_first_page(at)
    assert any("robuust.pdf is niet gevonden" in w.value.replace("\\", "") for w in at.warning)


def test_a_damaged_pdf_is_reported(monkeypatch, tmp_path):
    (tmp_path / ROBUUST.file).write_bytes(b"%PDF-1.4 this is not really a PDF")
    at = start_app(monkeypatch, fake_searcher(), corpus=tmp_path)
    at.run()
    search(at, "vaste coördinator")
    show_first_page(at)
    assert any("kan niet getoond worden" in w.value for w in at.warning)


def test_a_render_or_image_error_is_a_warning_without_a_traceback(monkeypatch, tmp_path):
    from PIL import Image

    from beleidsbron.ui.pdf import view

    def bomb(*args, **kwargs):
        raise Image.DecompressionBombError("Image size (311040000 pixels) exceeds limit, /srv/app/x.py")

    robuust = next(d for d in DOCS if d.source == ROBUUST)
    (tmp_path / ROBUUST.file).write_bytes(make_pdf(list(robuust.pages)))
    monkeypatch.setattr(view.st, "image", bomb)
    at = start_app(monkeypatch, fake_searcher(), corpus=tmp_path)
    at.run()
    search(at, "vaste coördinator")
    show_first_page(at)
    assert any("kan niet getoond worden" in w.value for w in at.warning)
    assert "/srv/app" not in "".join(w.value for w in at.warning)


def test_each_card_says_where_its_document_came_from(monkeypatch, tmp_path, data_home):
    from beleidsbron.ui.files import Staging

    robuust = next(d for d in DOCS if d.source == ROBUUST)
    (tmp_path / "ppn.pdf").write_bytes(make_pdf(["Paramedici en andere zorgverleners."]))
    staging = Staging.create(data_home)
    staging.add("Robuust rapport (concept).pdf", make_pdf(list(robuust.pages)))
    (staging.folder / "Robuust rapport (concept).pdf").rename(staging.folder / ROBUUST.file)
    staging.renamed = {ROBUUST.file: "Robuust rapport (concept).pdf"}
    staging.keep([ROBUUST.file])
    staging.discard()
    at = start_app(monkeypatch, fake_searcher(), corpus=tmp_path)
    at.run()
    search(at, "paramedici platforms")
    by_title = {t: c for c in cards(at) for t in (ROBUUST.title, PPN.title) if t in c}
    assert 'class="bb-origin corpus">meegeleverd document<' in by_title[PPN.title]
    assert 'class="bb-origin upload">geüpload 20' in by_title[ROBUUST.title]
    assert "UTC als Robuust rapport (concept).pdf<" in by_title[ROBUUST.title]

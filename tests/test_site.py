"""The site's building blocks: atomic writes, pages without code, the index page."""


import nbformat
import pytest

from kompetanse.site import pages as site


def test_atomic_write_leaves_no_partial_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "rapport.html"
    target.write_text("old")

    def boom(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(site.os, "fsync", boom)
    with pytest.raises(OSError, match="No space left"):
        site.write_atomic(target, "new content")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.html"]


def test_notebook_page_has_no_code_no_stderr_and_no_external_resources():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Tittel"),
        nbformat.v4.new_code_cell("secret_code = 1\nprint('synlig')", outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="synlig\n"),
            nbformat.v4.new_output("stream", name="stderr", text="UserWarning: noe internt\n"),
        ]),
    ])
    page = site.notebook_html(nb, title="T", home="index.html")
    assert "secret_code" not in page and "UserWarning" not in page
    assert "synlig" in page and "Tittel" in page
    assert "http://" not in page and "https://" not in page
    assert page.startswith("<!DOCTYPE html>") and 'lang="nb"' in page


def test_index_lists_every_row_links_reports_and_escapes_names():
    rows = [
        {"kommunenummer": "0301", "kommunenavn": "Oslo", "fylkesnavn": "Oslo", "status_universell": "dekket",
         "status_selektiv": "sarbar", "status_indikativ": "mangler", "niva_dekket": 1, "barn_0_17": 132245},
        {"kommunenummer": "1151", "kommunenavn": "<b>Utsira</b>", "fylkesnavn": "Rogaland",
         "status_universell": "mangler", "status_selektiv": "mangler", "status_indikativ": "mangler",
         "niva_dekket": 0, "barn_0_17": 35},
    ]
    page = site.index_page(rows, periode=2025, links={"0301": "kommuner/0301.html"},
                           extra=[("Nasjonal oversikt", "nasjonal.html")], footer="f")
    assert '<a href="kommuner/0301.html">Oslo</a>' in page
    assert "&lt;b&gt;Utsira&lt;/b&gt;" in page and "<b>Utsira</b>" not in page
    assert page.count("<tr data-search=") == 2
    assert '<span class="status sarbar">Sårbar</span>' in page
    assert "132\u00a0245" in page

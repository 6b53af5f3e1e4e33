"""The site's building blocks: atomic writes, pages without code, the index page."""

import os
import stat
from importlib import resources

import nbformat
import pytest

from kompetanse.build.plan import _FINGERPRINT_META
from kompetanse.errors import UsageError
from kompetanse.formatting import number
from kompetanse.site import files
from kompetanse.site import pages as site


def test_atomic_write_leaves_no_partial_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "rapport.html"
    target.write_text("old")

    def boom(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", boom)  # write_atomic lives in site/files.py
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


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_atomic_write_gives_the_mode_the_umask_gives(tmp_path, umask, mode):
    target = tmp_path / "rapport.html"
    target.write_text("old")
    target.chmod(0o600)  # an earlier build's page, written when pages were owner-only
    fresh = tmp_path / "ny" / "index.html"
    old = os.umask(umask)
    try:
        site.write_atomic(target, "new content")
        site.write_atomic(fresh, b"bytes")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert stat.S_IMODE(fresh.stat().st_mode) == mode
    assert target.read_text() == "new content" and fresh.read_bytes() == b"bytes"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["index.html", "ny", "rapport.html"]


def _notebook() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Tittel")])


def test_the_build_reads_back_the_fingerprint_the_page_carries():
    fingerprint = "0123456789abcdef" * 4
    page = site.notebook_html(_notebook(), title="T", home="../index.html", footer="f", fingerprint=fingerprint)
    match = _FINGERPRINT_META.search(page.encode("utf-8")[:2048])
    assert match and match.group(1).decode() == fingerprint
    assert page.count("kompetanse-fingerprint") == 1
    assert "kompetanse-fingerprint" not in site.notebook_html(_notebook(), title="T", home=None)


@pytest.mark.parametrize("fingerprint", ["abc", "0123456789ABCDEF" * 4, '"><script>x</script>' + "0" * 44, 12])
def test_a_malformed_fingerprint_is_refused(fingerprint):
    with pytest.raises(UsageError, match="The value for `fingerprint` must be a sha256 digest"):
        site.notebook_html(_notebook(), title="T", home=None, fingerprint=fingerprint)


def test_title_home_and_footer_are_text_not_markup():
    page = site.notebook_html(_notebook(), title="<i>T</i>", home='x"><b>y', footer="<b>bygget</b> & klar")
    assert "<title>&lt;i&gt;T&lt;/i&gt;</title>" in page
    assert 'href="x&#34;&gt;&lt;b&gt;y"' in page
    assert "<footer>&lt;b&gt;bygget&lt;/b&gt; &amp; klar</footer>" in page


def test_pages_carry_the_package_style_sheet_and_script_inline():
    static = resources.files("kompetanse.site").joinpath("static")
    css = static.joinpath("site.css").read_text(encoding="utf-8")
    script = static.joinpath("index.js").read_text(encoding="utf-8")
    page = site.notebook_html(_notebook(), title="T", home=None)
    index = site.index_page([], periode=2025, links={}, extra=[], footer="f")
    for html in (page, index):
        assert css in html and ".status.dekket { background:" in html
        assert "<link" not in html and "src=" not in html
    assert script in index and "<script" not in page


def test_index_formats_numbers_with_the_package_formatter():
    rows = [{"kommunenummer": "1151", "kommunenavn": "Utsira", "fylkesnavn": "Rogaland", "status_universell": "dekket",
             "status_selektiv": "dekket", "status_indikativ": "dekket", "niva_dekket": 3, "barn_0_17": 1234567}]
    page = site.index_page(rows, periode=2025, links={}, extra=[], footer="f")
    assert f'data-value="1234567">{number(1234567)}</td>' in page and number(1234567) == "1\u00a0234\u00a0567"
    assert '<td class="num" data-value="3">3 av 3</td>' in page


def test_index_escapes_names_in_attributes_too():
    hostile = '"><script>alert(1)</script>'
    rows = [{"kommunenummer": "1151", "kommunenavn": hostile, "fylkesnavn": hostile, "status_universell": hostile,
             "status_selektiv": "dekket", "status_indikativ": "dekket", "niva_dekket": 2, "barn_0_17": None}]
    page = site.index_page(rows, periode=2025, links={"1151": 'a" onclick="x'}, extra=[(hostile, "b.html")],
                           footer=hostile)
    assert page.count("<script") == 1 and "alert(1)</script>" not in page
    assert 'onclick="x' not in page and 'href="a&#34; onclick=&#34;x"' in page
    assert '<td class="num" data-value="0">0</td>' in page  # no population row: 0 children, as before

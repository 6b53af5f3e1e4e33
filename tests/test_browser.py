"""The report site in a real browser (headless Chromium): no console errors, and the index's
search and sorting work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import chromium, open_page

pytestmark = pytest.mark.skipif(chromium() is None, reason="Chromium missing: run `make browser` (make test does)")


def test_the_console_check_sees_errors(tmp_path: Path):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><script>console.error("boom"); nosuchfunction();</script>'
                    "</body></html>", encoding="utf-8")
    _, console = open_page(page)
    assert any("boom" in m for m in console)
    assert any("Uncaught ReferenceError" in m for m in console)


def test_index_opens_without_console_messages(built_site):
    dom, console = open_page(built_site.folder / "index.html")
    assert console == []
    assert dom.count("<tr data-search=") == 357
    assert 'href="kommuner/1804.html"' in dom


def test_municipal_report_opens_without_console_messages(built_site):
    dom, console = open_page(built_site.folder / "kommuner" / "1804.html")
    assert console == []
    assert "<h1>Bodø</h1>" in dom and "Kommunenummer 1804, Nordland." in dom
    # the figures, inline SVG, are in the page the browser built
    assert len(re.findall(r'<svg [^>]*role="img" aria-label="[^"]{40,}"', dom)) == 2


def test_national_and_programme_reports_open_without_console_messages(built_site):
    for page in [built_site.folder / "nasjonal.html", *sorted(built_site.folder.glob("program-*.html"))[-1:]]:
        _, console = open_page(page)
        assert console == [], page.name


def test_index_search_and_sort_work(built_site, tmp_path: Path):
    # the index with a driver script appended: type a search and sort by a column, then record
    # what the page shows in the DOM for the test to read
    source = (built_site.folder / "index.html").read_text(encoding="utf-8")
    driver = """<script>
var input = document.getElementById('sok');
input.value = 'bodo';
input.dispatchEvent(new Event('input'));
var visible = Array.prototype.filter.call(document.querySelectorAll('#kommuner tbody tr'), function (r) { return !r.hidden; });
document.body.setAttribute('data-search-hits', visible.map(function (r) { return r.cells[0].textContent; }).join(','));
document.body.setAttribute('data-count', document.getElementById('antall').textContent);
input.value = '';
input.dispatchEvent(new Event('input'));
var th = document.querySelectorAll('#kommuner thead th')[7];
th.click(); th.click();
document.body.setAttribute('data-first', document.querySelector('#kommuner tbody tr').cells[0].textContent);
</script></body>"""
    page = built_site.folder / "index-driven.html"
    page.write_text(source.replace("</body>", driver, 1), encoding="utf-8")
    try:
        dom, console = open_page(page)
    finally:
        page.unlink()
    assert console == []
    assert 'data-search-hits="1804"' in dom  # "bodo" finds Bodø: accents are ignored
    assert 'data-count="1"' in dom
    assert 'data-first="0301"' in dom  # children 0-17, largest first: Oslo

"""Text is data, never markup: hostile names and free text show literally in the report pages
and run no script in a browser; spreadsheet exports neutralise formulas; no staff id reaches a
report or an executed notebook kept beside it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import kompetanse
from kompetanse.cli import main
from kompetanse.reports import tables
from kompetanse.site import pages as site
from tests.browser import chromium, open_page

HOSTILE = [
    "<script>document.title='pwned';console.log('xss-script')</script>",
    "<img src=x onerror=\"console.log('xss-onerror')\">",
    "\"><svg onload=console.log('xss-svg')>",
    "**fet** _kursiv_ [lenke](javascript:console.log('xss-md'))",
    "$\\frac{1}{0}$ \\(x^2\\)",
    "=HYPERLINK(\"http://example.invalid\",\"klikk\")",
]


def _hostile_notebook() -> nbformat.NotebookNode:
    """A notebook whose outputs carry hostile text through every way the library shows data:
    a heading, a table, key figures and a Markdown cell."""
    frame = pd.DataFrame({"navn": HOSTILE, "antall": range(len(HOSTILE))})
    outputs = []
    for obj in (tables.heading(HOSTILE[0]), tables.table(frame, columns={"navn": "Navn", "antall": "Antall"}),
                tables.key_figures([(text, i) for i, text in enumerate(HOSTILE)])):
        data = {"text/html": obj._repr_html_(), "text/plain": repr(obj)}
        outputs.append(nbformat.v4.new_output("display_data", data=data))
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = outputs
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Fritekst: " + " ".join(HOSTILE)), cell])


def test_hostile_text_is_escaped_in_pages():
    page = site.notebook_html(_hostile_notebook(), title=HOSTILE[0], home="index.html")
    assert "<script>document.title" not in page
    assert "<img src=x" not in page and "<svg onload" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;document.title=" in page
    assert page.count("<script") == 0  # a report page has no scripts at all


def test_hostile_text_runs_no_script_in_a_browser(tmp_path: Path):
    if chromium() is None:
        pytest.skip("Chromium missing: run `make browser` (make test does)")
    path = tmp_path / "side.html"
    path.write_text(site.notebook_html(_hostile_notebook(), title="Trygg", home=None), encoding="utf-8")
    dom, console = open_page(path)
    assert console == []
    assert "<title>Trygg</title>" in dom
    # shown literally: the browser's DOM holds the text, escaped, not elements
    assert "&lt;script&gt;document.title='pwned'" in dom
    assert "<img" not in dom and "<svg" not in dom


def test_spreadsheet_exports_neutralise_formulas():
    frame = pd.DataFrame({"navn": ["=1+1", "+47 22", "-cmd", "@SUM(A1)", " =x", "vanlig", "-3,5"]})
    shown = tables.table(frame, columns={"navn": "Navn"}).to_spreadsheet()["Navn"].tolist()
    assert shown == ["'=1+1", "'+47 22", "'-cmd", "'@SUM(A1)", "' =x", "vanlig", "-3,5"]


def test_rejected_rows_export_neutralises_formulas(minimal: Path, tmp_path: Path, capsys):
    path = minimal / "tilbud.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[2] = '=HYPERLINK("http://example.invalid")'
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "avviste.csv"
    assert main(["validate", str(minimal), "--rejected", str(out), "-q"]) == 1
    capsys.readouterr()
    values = [v for row in csv.reader(out.open(encoding="utf-8")) for v in row]
    assert any(v.startswith("'=HYPERLINK") for v in values)
    assert not any(v.lstrip().startswith(("=", "+", "@")) for v in values)


def test_no_staff_id_in_any_report_or_kept_notebook(built_site):
    ids = set(kompetanse.load().ansatte_kompetanse["ansatt_id"].astype("str"))
    assert len(ids) > 1000
    token = re.compile(r"[A-Za-z0-9_-]{4,64}")
    files = [p for p in built_site.folder.rglob("*") if p.suffix in (".html", ".ipynb", ".json")]
    assert len(files) >= 10
    for path in files:
        found = ids & set(token.findall(path.read_text(encoding="utf-8")))
        assert not found, (path.name, sorted(found)[:5])

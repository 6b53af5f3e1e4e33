"""The downloads behind every page (issue 18, item 3): each table the page shows has a CSV for
Norwegian Excel and a sheet in the page's workbook with the same cells, suppressed where the
page is; formula-looking text is neutralised; the national page offers the key figures of all
municipalities; the files are in the manifest and survive an incremental build."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from kompetanse.build import batch as build
from kompetanse.reports import tables
from kompetanse.settings import SUPPRESSED_MARKER
from kompetanse.site import downloads

#: One municipality (Utsira, in both language forms) and the national, programme and outcome pages.
KOMMUNER = ["1151"]
NUMBER = re.compile(r"[−-]?\d{1,3}(?:[\xa0 ]?\d{3})*(?:,\d+)?(?:\xa0%)?")


class PageTables(HTMLParser):
    """The tables of a page in order (a table inside <details> continues the one before it: the
    «Vis alle» rows), and the links of each download paragraph with the tables before it."""

    def __init__(self):
        super().__init__()
        self.groups: list[tuple[list[dict], list[str]]] = []  # (tables since the last links, CSV hrefs)
        self.pending: list[dict] = []
        self.top: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._table: dict | None = None
        self._details = 0
        self._para: str | None = None
        self._links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "details":
            self._details += 1
        elif tag == "table":
            if self._details and self.pending:
                self._table = self.pending[-1]  # the rest of the rows of the table before
                self._table["continued"] = True
            else:
                self._table = {"head": [], "rows": [], "caption": ""}
                self.pending.append(self._table)
        elif tag == "caption":
            self._cell = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "p" and a.get("class") in ("nedlasting", "nedlastinger"):
            self._para, self._links = a["class"], []
        elif tag == "a" and self._para:
            self._links.append(a["href"])

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag == "details":
            self._details -= 1
        elif tag == "caption" and self._table is not None and self._cell is not None:
            if not self._table.get("continued"):
                self._table["caption"] = "".join(self._cell).strip()
            self._cell = None
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._table.get("continued") and not self._table.setdefault("skip_head", False):
                self._table["skip_head"] = True  # the continued table's header row repeats the first
            elif not self._table["head"]:
                self._table["head"] = self._row
            else:
                self._table["rows"].append(self._row)
            self._row = None
        elif tag == "table":
            if self._table is not None:
                self._table.pop("skip_head", None)
                self._table.pop("continued", None)
            self._table = None
        elif tag == "p" and self._para:
            if self._para == "nedlastinger":
                self.top = self._links
            else:
                self.groups.append((self.pending, [h for h in self._links if h.endswith(".csv")]))
                self.pending = []
            self._para = None


def parse(path: Path) -> PageTables:
    p = PageTables()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    text = raw[3:].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), "CRLF line ends"
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def expected_csv(cell: str) -> str:
    """A page cell as the CSV should hold it, by the documented dialect: numbers without
    thousands separators, ASCII minus, ``15,3%``; text neutralised."""
    if NUMBER.fullmatch(cell):
        return cell.replace("\xa0%", "%").replace("\xa0", "").replace(" ", "").replace("−", "-")
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> build.BuildResult:
    out = tmp_path_factory.mktemp("reports")
    result = build.build_reports(None, out=out, kommuner=KOMMUNER, progress=False)
    assert not result.failed, [(o.key, o.error) for o in result.failed]
    return result


def pages(site) -> list[Path]:
    return sorted(site.folder.joinpath(o.html) for o in site.statuses)


def test_every_table_of_every_page_is_its_csv_cell_by_cell(site):
    checked = 0
    for page in pages(site):
        parsed = parse(page)
        assert parsed.pending == [], f"{page.name}: a table without its download links"
        for shown, hrefs in parsed.groups:
            if not shown:  # a download only (the national extract): no table on the page
                assert len(hrefs) == 1
                continue
            assert len(shown) == len(hrefs), page.name
            for t, href in zip(shown, hrefs, strict=True):
                rows = read_csv(page.parent / href)
                assert rows[0] == [expected_csv(c) for c in t["head"]], (page.name, href)
                assert rows[1:] == [[expected_csv(c) for c in r] for r in t["rows"]], (page.name, href)
                checked += 1
        # the workbook is linked at the top of the page, and exists
        assert parsed.top == [page.with_suffix(".xlsx").name], page.name
        assert page.with_suffix(".xlsx").is_file()
    assert checked > 20


def _xlsx_value(cell: str):
    """A page cell as the workbook should hold it: a number as a number (a share as a fraction)."""
    if NUMBER.fullmatch(cell):
        plain = expected_csv(cell)
        value = float(plain.rstrip("%").replace(",", "."))
        return value / 100 if plain.endswith("%") else value
    return expected_csv(cell)


def test_the_workbook_has_every_table_of_the_page_as_a_sheet(site):
    page = site.folder / "kommuner" / "1151.html"
    shown = [(t, href) for group, hrefs in parse(page).groups for t, href in zip(group, hrefs, strict=False)]
    wb = openpyxl.load_workbook(page.with_suffix(".xlsx"))
    assert wb.sheetnames[0] == "Om tabellene"
    about = [r for r in wb["Om tabellene"].iter_rows(values_only=True)]
    assert any(SUPPRESSED_MARKER in str(r[1]) for r in about), "the suppression rule is stated"
    for t, href in shown:
        n = int(href.split(".")[-2])
        ws = wb[f"Tabell {n}"]
        assert ws.freeze_panes == "A2" and all(c.font.bold for c in ws[1])
        values = [list(r) for r in ws.iter_rows(values_only=True)]
        assert values[0] == [expected_csv(c) for c in t["head"]]
        for got, want in zip(values[1:], t["rows"], strict=True):
            for g, w in zip(got, want, strict=True):
                x = _xlsx_value(w)
                assert g == pytest.approx(x) if isinstance(x, float) else g == x, (href, g, w)
        # the caption the page shows is the sheet's line on the first sheet
        assert (f"Tabell {n}", t["caption"] or None) in [(r[0], r[1]) for r in about]


def test_suppressed_cells_are_suppressed_in_every_download(site):
    hidden = 0
    for page in pages(site):
        parsed = parse(page)
        wb = openpyxl.load_workbook(page.with_suffix(".xlsx")) if page.with_suffix(".xlsx").exists() else None
        for shown, hrefs in parsed.groups:
            for t, href in zip(shown, hrefs, strict=False):
                rows = read_csv(page.parent / href)[1:]
                sheet = list(wb[f"Tabell {href.split('.')[-2]}"].iter_rows(min_row=2, values_only=True))
                for i, r in enumerate(t["rows"]):
                    for j, cell in enumerate(r):
                        if cell == SUPPRESSED_MARKER:
                            hidden += 1
                            assert rows[i][j] == SUPPRESSED_MARKER and sheet[i][j] == SUPPRESSED_MARKER
    # the programme pages suppress small attendance counts: the check is not empty
    assert hidden > 0


def _bundle_output(obj) -> nbformat.NotebookNode:
    """An output as the kernel stores it, made by IPython's display machinery from ``obj``."""
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(obj)
    return nbformat.v4.new_output("display_data", data=data)


def test_cells_that_would_be_formulas_are_neutralised_in_csv_and_xlsx():
    names = ["=1+1", "+47", "-x", "@SUM(A1:A2)", " =HYPERLINK(\"x\")", "Ås"]
    frame = pd.DataFrame({"kommunenavn": names, "antall": [-3, 1234, 0, 5, 7, 12345]})
    t = tables.table(frame, columns={"kommunenavn": "Kommune", "antall": "Antall"}, caption="Test")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("t", outputs=[_bundle_output(t)])])
    files = downloads.page_downloads(nb, page="test.html", title="Test").files
    rows = read_csv_bytes(files["test.1.csv"])
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+47", "'-x", "'@SUM(A1:A2)", "' =HYPERLINK(\"x\")", "Ås"]
    # numbers stay numbers: ASCII minus, no thousands separator
    assert [r[1] for r in rows[1:]] == ["-3", "1234", "0", "5", "7", "12345"]
    wb = openpyxl.load_workbook(io.BytesIO(files["test.xlsx"]))
    ws = wb["Tabell 1"]
    assert [c.value for c in ws["A"][1:]] == [r[0] for r in rows[1:]]
    assert all(c.data_type == "s" for c in ws["A"][1:]), "no cell is a formula"
    assert [c.value for c in ws["B"][1:]] == [-3, 1234, 0, 5, 7, 12345]
    # the caption from the data is neutralised on the first sheet too
    t.caption = "=evil()"
    nb.cells[0].outputs = [_bundle_output(t)]
    about = openpyxl.load_workbook(io.BytesIO(downloads.page_downloads(nb, page="test.html", title="T")
                                               .files["test.xlsx"]))["Om tabellene"]
    assert "'=evil()" in [c.value for c in about["B"]] and all(c.data_type != "f" for c in about["B"])


def read_csv_bytes(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline=""), delimiter=";"))


def test_the_national_extract_has_every_municipality_and_level(ds, on):
    from kompetanse.analysis.coverage import coverage_by_level
    from kompetanse.analysis.extract import EXTRACT_COLUMNS, key_figures_by_municipality
    from kompetanse.data.reference import LEVELS, malform

    x = key_figures_by_municipality(ds, on=on)
    assert list(x.columns) == EXTRACT_COLUMNS
    assert len(x) == 357 * len(LEVELS) and not x.duplicated(["kommunenummer", "niva"]).any()
    assert set(x["kommunenummer"]) == set(malform()["kommunenummer"])
    forms = malform().set_index("kommunenummer")["malform"].astype("str")
    assert (x["malform"] == x["kommunenummer"].map(forms)).all()
    assert (x["kommunegruppe"] != "").all() and (x["periode"] == str(on.year)).all()
    cov = coverage_by_level(ds, on=on)
    merged = x.merge(cov, on=["kommunenummer", "niva"])
    assert (merged["aktive_sertifiserte"] == merged["kapasitet"]).all()
    assert (merged["status_x"] == merged["status_y"].astype("str")).all()


def test_the_national_page_offers_the_extract_as_a_download_not_as_rows(site):
    page = site.folder / "nasjonal.html"
    parsed = parse(page)
    only = [hrefs[0] for shown, hrefs in parsed.groups if not shown]
    assert len(only) == 1
    rows = read_csv(page.parent / only[0])
    assert len(rows) == 1 + 357 * 3
    head = rows[0]
    for column in ("kommunenummer", "fylkesnavn", "kommunegruppe", "malform", "periode", "niva", "status"):
        assert column in head
    # the page itself stays short: no table on it has a row per municipality
    assert max(len(t["rows"]) for shown, _ in parsed.groups for t in shown) < 357
    text = page.read_text(encoding="utf-8").replace("\xa0", " ")
    assert "357 kommuner" in text
    # its link says it is the whole table, not one shown above it
    n = re.search(r"\.(\d+)\.csv$", only[0]).group(1)
    assert f'>Last ned hele tabellen (tabell {n}, CSV for norsk Excel)</a>' in text


def test_the_manifest_lists_every_download_with_its_sha256(site):
    manifest = json.loads((site.folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {d["file"]: d["sha256"] for d in manifest["downloads"]}
    on_disk = {p.relative_to(site.folder).as_posix() for p in site.folder.rglob("*")
               if p.suffix in (".csv", ".xlsx")}
    assert set(listed) == on_disk and on_disk
    for name, sha in listed.items():
        assert hashlib.sha256((site.folder / name).read_bytes()).hexdigest() == sha


def test_an_incremental_build_keeps_the_downloads_and_repairs_a_changed_one(site):
    folder = site.folder
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.suffix in (".csv", ".xlsx")}
    again = build.build_reports(None, out=folder.parent, kommuner=KOMMUNER, progress=False)
    assert {o.status for o in again.statuses} == {"unchanged"}
    assert {p: p.read_bytes() for p in before} == before
    # a download changed (or lost) behind the page's back makes the page not current: rebuilt
    tampered = folder / "nasjonal.1.csv"
    tampered.write_bytes(b"\xef\xbb\xbfNiv\xc3\xa5\r\n")
    (folder / "kommuner" / "1151.xlsx").unlink()
    stale = folder / "nasjonal.99.csv"
    stale.write_bytes(b"old")
    fixed = build.build_reports(None, out=folder.parent, kommuner=KOMMUNER, progress=False)
    statuses = {o.key: o.status for o in fixed.statuses}
    assert statuses["nasjonal"] == "built" and statuses["kommune/1151"] == "built"
    assert statuses["kommune/1151.nn"] == "unchanged"
    assert tampered.read_bytes() == before[tampered]
    assert (folder / "kommuner" / "1151.xlsx").is_file()
    # a page rebuilt leaves none of its old files behind
    assert not stale.exists()


def test_remove_stale_keeps_other_pages_files(tmp_path):
    (tmp_path / "kommuner").mkdir()
    for name in ("0301.1.csv", "0301.2.csv", "0301.xlsx", "0301.nn.1.csv", "0301.nn.xlsx", "0301.html"):
        (tmp_path / "kommuner" / name).write_text("x")
    downloads.remove_stale(tmp_path, "kommuner/0301.html", keep={"kommuner/0301.1.csv", "kommuner/0301.xlsx"})
    assert sorted(p.name for p in (tmp_path / "kommuner").iterdir()) == [
        "0301.1.csv", "0301.html", "0301.nn.1.csv", "0301.nn.xlsx", "0301.xlsx"]


_NAMES = ("0301.1.csv", "0301.2.csv", "0301.12.csv", "0301.xlsx", "0301.nn.1.csv", "0301.nn.xlsx", "0301.html",
          "0301.nn.html", "0301.pdf", ".0301.1.csv.ab12cd34.tmp", "0301.x.csv", "03011.csv", "1101.1.csv")


def test_downloads_on_disk_finds_what_remove_stale_would_remove(tmp_path):
    """The listing a build makes once for all its pages names, for each page, exactly the files
    the page's own listing would remove (none of another page's, form's or of other kinds)."""
    (tmp_path / "kommuner").mkdir()
    for name in _NAMES:
        (tmp_path / "kommuner" / name).write_text("x")
    for name in ("nasjonal.1.csv", "nasjonal.xlsx", "program-2021.1.csv", "index.html"):
        (tmp_path / name).write_text("x")
    pages = ["kommuner/0301.html", "kommuner/0301.nn.html", "kommuner/1101.html", "kommuner/5001.html",
             "nasjonal.html", "program-2021.html", "program-2022.html"]
    found = downloads.downloads_on_disk(tmp_path, pages)
    assert found["kommuner/0301.html"] == {"kommuner/0301.1.csv", "kommuner/0301.2.csv", "kommuner/0301.12.csv",
                                           "kommuner/0301.xlsx"}
    assert found["kommuner/0301.nn.html"] == {"kommuner/0301.nn.1.csv", "kommuner/0301.nn.xlsx"}
    assert found["kommuner/1101.html"] == {"kommuner/1101.1.csv"}
    assert found["kommuner/5001.html"] == frozenset()
    assert found["nasjonal.html"] == {"nasjonal.1.csv", "nasjonal.xlsx"}
    assert found["program-2022.html"] == frozenset()
    assert downloads.downloads_on_disk(tmp_path / "gone", ["kommuner/0301.html"]) == {"kommuner/0301.html": frozenset()}
    # removing with the listing leaves the folder as removing with the page's own listing does
    for page in pages:
        keep = {sorted(found[page])[0]} if found[page] else set()
        listed, scanned = tmp_path / "listed", tmp_path / "scanned"
        for root in (listed, scanned):
            shutil.rmtree(root, ignore_errors=True)
            shutil.copytree(tmp_path, root, ignore=shutil.ignore_patterns("listed", "scanned"))
        downloads.remove_stale(listed, page, keep=keep, present=found[page])
        downloads.remove_stale(scanned, page, keep=keep)
        assert sorted(p.relative_to(listed) for p in listed.rglob("*")) == sorted(
            p.relative_to(scanned) for p in scanned.rglob("*")), page


def test_link_texts_are_in_the_pages_language_form_and_say_what_file_it_is(site):
    nb = (site.folder / "kommuner" / "1151.html").read_text(encoding="utf-8")
    nn = (site.folder / "kommuner" / "1151.nn.html").read_text(encoding="utf-8")
    assert "Last ned alle tabellene (Excel, XLSX)" in nb and "Last ned alle tabellane (Excel, XLSX)" in nn
    assert "tabellane" not in nb and "tabellene" not in nn
    for text in (nb, nn):
        assert re.search(r'<a href="1151(?:\.nn)?\.1\.csv">Last ned tabell 1 \(CSV for norsk Excel\)</a>', text)
    nn_book = openpyxl.load_workbook(site.folder / "kommuner" / "1151.nn.xlsx")
    assert nn_book.sheetnames[0] == "Om tabellane"


def test_the_same_tables_give_the_same_workbook_bytes_at_any_time(monkeypatch):
    # a workbook writer stamps the time of writing in docProps/core.xml, and a zip each member:
    # a rebuild a second (or a week) later must give the same bytes, or every rebuilt page would
    # carry a "changed" download and a full and an incremental build would differ
    import datetime as real_dt
    import time as real_time
    import zipfile

    import xlsxwriter.core

    frame = pd.DataFrame({"kommunenavn": ["Ås", "Bø"], "antall": [3, 12]})
    t = tables.table(frame, columns={"kommunenavn": "Kommune", "antall": "Antall"}, caption="Test")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("t", outputs=[_bundle_output(t)])])
    first = downloads.page_downloads(nb, page="test.html", title="Test").files["test.xlsx"]

    class Later(real_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return real_dt.datetime(2031, 5, 17, 12, 30, tzinfo=tz)

    monkeypatch.setattr(xlsxwriter.core, "datetime", Later)
    # the same fixed time as a `Later`, since XlsxWriter checks the property against its datetime class
    monkeypatch.setattr(downloads, "XLSX_CREATED", Later(*downloads.XLSX_CREATED.timetuple()[:6]))
    monkeypatch.setattr(real_time, "localtime", lambda *a: real_time.struct_time((2031, 5, 17, 12, 30, 0, 5, 137, 0)))
    later = downloads.page_downloads(nb, page="test.html", title="Test").files["test.xlsx"]
    assert later == first
    assert {m.date_time for m in zipfile.ZipFile(io.BytesIO(later)).infolist()} == {(1980, 1, 1, 0, 0, 0)}
    # and the workbook is whole: it opens with its tables
    wb = openpyxl.load_workbook(io.BytesIO(later))
    assert [c.value for c in wb["Tabell 1"]["A"]] == ["Kommune", "Ås", "Bø"]
    # the check can fail: without the fixed creation time, the later clock gives other bytes
    monkeypatch.setattr(downloads, "XLSX_CREATED", None)
    assert downloads.page_downloads(nb, page="test.html", title="Test").files["test.xlsx"] != first

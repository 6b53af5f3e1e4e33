"""The downloads behind a page: each table the page shows as a CSV file for Norwegian Excel, and
all of them in one XLSX workbook, linked after each table and at the top of the page.

The tables come from the executed notebook: every table object of the library displays, beside
its HTML, its cells under `kompetanse.reports.tables.TABLE_MIME` (the text each cell shows on the
page, suppression markers included). The files are written from those cells, so a download
shows what the page shows, suppressed where the page is: the same object, not a second
computation.

Files, beside the page (``kommuner/0301.html``): ``kommuner/0301.<n>.csv`` for the page's n-th
table (1, 2, … in page order) and ``kommuner/0301.xlsx`` with a first sheet «Om tabellene» and
one sheet per table («Tabell <n>»).

CSV dialect (`CSV_DIALECT`): UTF-8 with byte order mark, semicolon between fields, CRLF line
ends, a header row; numbers with a decimal comma, an ASCII minus and no thousands separator
(``-1234,5``), shares as ``15,3%``; a suppressed cell is the page's marker (``:``), a missing
value the page's dash (``–``). Text that a spreadsheet would run as a formula (starting with
``= + - @``, a tab or a carriage return) gets an apostrophe in front, in the CSV and the XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kompetanse.formatting import MINUS, NBSP
from kompetanse.reports.tables import TABLE_MIME
from kompetanse.settings import SUPPRESSED_MARKER

if TYPE_CHECKING:  # importing nbformat costs a second (jsonschema's grammars); only annotations use it
    import nbformat

__all__ = ["CSV_DIALECT", "WORDS", "DownloadTable", "PageDownloads", "csv_bytes", "downloads_on_disk", "head_meta",
           "links_after", "output_tables", "page_downloads", "remove_stale", "safe_text", "top_links",
           "xlsx_bytes"]

#: The CSV files' dialect, as the docs and the page state it.
CSV_DIALECT = "UTF-8 med BOM, semikolon som skilletegn, desimalkomma, CRLF"

#: Link texts and the workbook's notes, in the page's language form.
WORDS = {
    "nb": {"csv": "Last ned tabell {n} (CSV for norsk Excel)",
           "csv_only": "Last ned hele tabellen (tabell {n}, CSV for norsk Excel)",
           "xlsx": "alle tabellene på siden (Excel, XLSX)",
           "top": "Tallene i tabellene på denne siden kan lastes ned:",
           "top_link": "Last ned alle tabellene (Excel, XLSX)",
           "top_after": "Hver tabell har også sin egen CSV-fil for norsk Excel (semikolon og desimalkomma).",
           "about": "Om tabellene", "sheet": "Tabell {n}", "source": "Kilde",
           "source_text": "Kompetanse-rapportene, beregnet fra kommunenes innsendte data.",
           "rule": "Prikking",
           "rule_text": f"«{SUPPRESSED_MARKER}» betyr at tallet er skjult for å verne enkeltpersoner: små tall, og "
                        "tall som ville avsløre dem, vises ikke (samme regler som på siden).",
           "missing": "«–» betyr at tallet mangler eller ikke kan beregnes.",
           "page": "Side", "table": "Tabell", "caption": "Innhold"},
    "nn": {"csv": "Last ned tabell {n} (CSV for norsk Excel)",
           "csv_only": "Last ned heile tabellen (tabell {n}, CSV for norsk Excel)",
           "xlsx": "alle tabellane på sida (Excel, XLSX)",
           "top": "Tala i tabellane på denne sida kan lastast ned:",
           "top_link": "Last ned alle tabellane (Excel, XLSX)",
           "top_after": "Kvar tabell har også si eiga CSV-fil for norsk Excel (semikolon og desimalkomma).",
           "about": "Om tabellane", "sheet": "Tabell {n}", "source": "Kjelde",
           "source_text": "Kompetanse-rapportane, rekna ut frå dataa kommunane har sendt inn.",
           "rule": "Prikking",
           "rule_text": f"«{SUPPRESSED_MARKER}» tyder at talet er skjult for å verne enkeltpersonar: små tal, og "
                        "tal som ville avsløre dei, blir ikkje viste (same reglar som på sida).",
           "missing": "«–» tyder at talet manglar eller ikkje kan reknast ut.",
           "page": "Side", "table": "Tabell", "caption": "Innhald"},
}

_NUMBER = re.compile(r"-?\d+(?:,(\d+))?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class DownloadTable:
    """One table of a page: its number on the page (1, 2, …), caption, columns, numeric
    columns and rows of display text, and whether the page shows it (False: a download only)."""

    n: int
    caption: str
    columns: tuple[str, ...]
    numeric: frozenset[str]
    rows: tuple[tuple[str, ...], ...]
    inline: bool = True


@dataclass(frozen=True)
class PageDownloads:
    """A page's download files: the tables, and the files by path relative to the period folder."""

    page: str
    lang: str
    tables: tuple[DownloadTable, ...] = ()
    files: dict[str, bytes] = field(default_factory=dict, hash=False)

    def csv(self, n: int) -> str:
        return f"{_stem(self.page)}.{n}.csv"

    @property
    def xlsx(self) -> str:
        return f"{_stem(self.page)}.xlsx"

    def sha256(self) -> dict[str, str]:
        return {name: hashlib.sha256(data).hexdigest() for name, data in self.files.items()}


def _stem(page: str) -> str:
    return page[: -len(".html")] if page.endswith(".html") else page


def output_tables(out: nbformat.NotebookNode) -> tuple[list[dict], bool]:
    """The tables one output of an executed notebook carries (`TABLE_MIME`), and whether the
    page shows them."""
    if out.get("output_type") not in ("display_data", "execute_result"):
        return [], True
    bundle = out.get("data", {}).get(TABLE_MIME)
    if not bundle:
        return [], True
    return list(bundle.get("tables", [])), bool(bundle.get("inline", True))


def _outputs(nb: nbformat.NotebookNode) -> Iterator[nbformat.NotebookNode]:
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


def page_downloads(nb: nbformat.NotebookNode, *, page: str, title: str, lang: str = "nb") -> PageDownloads:
    """The download files of the page ``page`` (path relative to the period folder) made from
    the executed notebook ``nb``: one CSV per table and one XLSX with all of them; none when
    the page shows no table."""
    found = []
    for out in _outputs(nb):
        tables, inline = output_tables(out)
        for t in tables:
            found.append(DownloadTable(len(found) + 1, t.get("caption", ""), tuple(t["columns"]),
                                       frozenset(t.get("numeric", ())), tuple(tuple(r) for r in t["rows"]), inline))
    result = PageDownloads(page, lang, tuple(found))
    if not found:
        return result
    files = {result.csv(t.n): csv_bytes(t) for t in found}
    files[result.xlsx] = xlsx_bytes(found, title=title, lang=lang)
    return PageDownloads(page, lang, tuple(found), files)


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as text: an apostrophe before a leading ``= + - @`` (after
    spaces too), tab or carriage return, so that no cell becomes a formula."""
    return "'" + text if text[:1] in _FORMULA_START or text.lstrip(" ")[:1] in _FORMULA_START else text


def _number(text: str) -> tuple[float, int, bool] | None:
    """A cell's display text as (value, decimals, is a share), or None when it is not a number
    the tables wrote (``12 345``, ``−0,13``, ``15,3 %``)."""
    t = text.replace(NBSP, "").replace(" ", "").replace(MINUS, "-")
    share = t.endswith("%")
    t = t.removesuffix("%")
    m = _NUMBER.fullmatch(t)
    if m is None:
        return None
    value = float(t.replace(",", "."))
    return (value / 100 if share else value), len(m.group(1) or ""), share


def _csv_cell(text: str, numeric: bool) -> str:
    if numeric and (parsed := _number(text)) is not None:
        plain = text.replace(NBSP, "").replace(" ", "").replace(MINUS, "-")
        return plain if not parsed[2] else plain.removesuffix("%") + "%"
    return safe_text(text)


def csv_bytes(table: DownloadTable) -> bytes:
    """The table as CSV for Norwegian Excel (`CSV_DIALECT`)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_text(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(v, c in table.numeric) for c, v in zip(table.columns, row, strict=True)])
    return buf.getvalue().encode("utf-8-sig")


def _number_format(decimals: int, share: bool) -> str:
    tail = "." + "0" * decimals if decimals else ""
    return f"0{tail}%" if share else f"#,##0{tail}"


def xlsx_bytes(tables: list[DownloadTable], *, title: str, lang: str = "nb") -> bytes:
    """All the page's tables as one workbook: a first sheet «Om tabellene» (the page, source,
    the suppression rule, each sheet's caption), then one sheet per table, its header row bold
    and frozen, numbers as numbers with Norwegian number formats, suppressed cells as the marker.

    Written by XlsxWriter, a quarter of openpyxl's time for a page's dozen small sheets (9 against
    38 ms for Oslo's 11 tables); text is always written as text, never as a formula. The same
    tables give the same bytes (`XLSX_CREATED`, and XlsxWriter dates each zip member 1980-01-01),
    so a download's sha256 says whether its content changed."""
    import xlsxwriter

    w = WORDS[lang]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"created": XLSX_CREATED})
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    formats: dict[str, object] = {}
    about = wb.add_worksheet(w["about"])
    lines = [(w["page"], title), (w["source"], w["source_text"]), (w["rule"], w["rule_text"]), ("", w["missing"]),
             ("", ""), (w["table"], w["caption"])]
    lines += [(w["sheet"].format(n=t.n), t.caption) for t in tables]
    for r, (label, text) in enumerate(lines):
        about.write_string(r, 0, safe_text(label), bold)
        about.write_string(r, 1, safe_text(text), wrap)
    about.set_column(0, 0, 14)
    about.set_column(1, 1, 100)
    for t in tables:
        ws = wb.add_worksheet(w["sheet"].format(n=t.n))
        for c, name in enumerate(t.columns):
            ws.write_string(0, c, safe_text(name), bold)
            ws.set_column(c, c, min(60, max(10, len(name) + 2)))
        for r, row in enumerate(t.rows, start=1):
            for c, (name, text) in enumerate(zip(t.columns, row, strict=True)):
                parsed = _number(text) if name in t.numeric else None
                if parsed is None:
                    ws.write_string(r, c, safe_text(text))
                else:
                    code = _number_format(parsed[1], parsed[2])
                    if code not in formats:
                        formats[code] = wb.add_format({"num_format": code})
                    ws.write_number(r, c, parsed[0], formats[code])
        ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


#: The creation time every workbook carries (XlsxWriter stamps the time of writing otherwise):
#: the same tables give the same bytes, in a full build and an incremental one, today and next
#: week.
XLSX_CREATED = dt.datetime(1980, 1, 1)


def _href(target: str, page: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def links_after(downloads: PageDownloads, shown: list[DownloadTable]) -> tuple[tuple[str, str], ...]:
    """The links after a table (or the tables of one output), as (text, href from the page):
    each table's CSV, then the page's workbook."""
    w = WORDS[downloads.lang]
    links = [(w["csv" if t.inline else "csv_only"].format(n=t.n), _href(downloads.csv(t.n), downloads.page))
             for t in shown]
    return (*links, (w["xlsx"], _href(downloads.xlsx, downloads.page)))


def top_links(downloads: PageDownloads) -> tuple[str, tuple[tuple[str, str], ...], str]:
    """The block at the top of the page: the text before the link, the link to the workbook as
    (text, href), and the sentence after it."""
    w = WORDS[downloads.lang]
    return w["top"], ((w["top_link"], _href(downloads.xlsx, downloads.page)),), w["top_after"]


def head_meta(downloads: PageDownloads | None) -> str:
    """``path=sha256`` of each download file, space-separated, for the page's head."""
    return " ".join(f"{name}={sha}" for name, sha in sorted(downloads.sha256().items())) if downloads else ""


def _download_names(stem: str) -> re.Pattern:
    return re.compile(re.escape(posixpath.basename(stem)) + r"(?:\.\d+\.csv|\.xlsx)")


def remove_stale(folder: Path, page: str, *, keep: set[str] | frozenset[str] = frozenset(),
                 present: set[str] | frozenset[str] | None = None) -> None:
    """Remove the page's download files on disk (``<stem>.<n>.csv``, ``<stem>.xlsx``) that are
    not in ``keep`` (paths relative to the period folder): a page rebuilt with fewer tables
    leaves none of its old files behind. ``present``: the page's files known to be on disk
    (`downloads_on_disk`), so the folder is not listed again; None lists it."""
    if present is not None:
        for name in sorted(set(present) - set(keep)):
            (folder / name).unlink(missing_ok=True)
        return
    stem = _stem(page)
    where = folder / posixpath.dirname(stem)
    if not where.is_dir():
        return
    pattern = _download_names(stem)
    for path in where.iterdir():
        name = path.relative_to(folder).as_posix()
        if pattern.fullmatch(path.name) and name not in keep:
            path.unlink(missing_ok=True)


_ANY_DOWNLOAD = re.compile(r"(?P<base>.+?)(?:\.\d+\.csv|\.xlsx)")


def downloads_on_disk(folder: Path, pages: list[str]) -> dict[str, frozenset[str]]:
    """The download files on disk of each of ``pages`` (paths relative to the period folder),
    each page's folder listed once: what `remove_stale` is given for a batch of pages, instead
    of listing a folder of thousands of files once per page."""
    wanted = {_stem(page): page for page in pages}
    found: dict[str, set[str]] = {}
    for where in sorted({posixpath.dirname(stem) for stem in wanted}):
        try:
            names = os.listdir(folder / where) if where else os.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            match = _ANY_DOWNLOAD.fullmatch(name)
            page = match and wanted.get(posixpath.join(where, match["base"]))
            if page:
                found.setdefault(page, set()).add(posixpath.join(where, name))
    return {page: frozenset(found.get(page, ())) for page in pages}

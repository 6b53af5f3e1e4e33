"""The tagged A4 PDFs (kompetanse.build.pdf): which pages get one, that each is tagged (structure
tree, /Lang from the page, title, bookmarks from the headings), A4, two to four pages for a
municipality, with the municipality's name and the page's headline figure in its text; that an
unchanged page's PDF is not printed again; and that a build without Chromium still builds the
pages and exits 0 with a warning."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import unicodedata

import pytest

from kompetanse.build import pdf as pdfmod
from kompetanse.build.pdf import PdfBuild, PdfPrinter, pdf_options, pdf_target, unavailable

pypdf = pytest.importorskip("pypdf")
needs_browser = pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))

#: A4 in PDF points (210 × 297 mm); Chromium rounds the page to whole CSS pixels, under 1.5 pt off.
A4 = (595.28, 841.89)


def _text(reader) -> str:
    """The PDF's text with ligatures (ﬁ) and non-breaking spaces as plain letters and spaces."""
    text = unicodedata.normalize("NFKC", " ".join(page.extract_text() for page in reader.pages))
    return re.sub(r"\s+", " ", text)


def _outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        titles.extend(_outline_titles(item) if isinstance(item, list) else [item.title])
    return titles


def _is_a4(reader) -> bool:
    return all(abs(float(p.mediabox.width) - A4[0]) < 1.5 and abs(float(p.mediabox.height) - A4[1]) < 1.5
               for p in reader.pages)


def _small_pages(folder, n: int) -> list:
    """``n`` one-line pages, p0.html … (``Side 0`` …), in ``folder``."""
    pages = []
    for i in range(n):
        page = folder / f"p{i}.html"
        page.write_text(f'<!DOCTYPE html><html lang="nb"><head><title>Side {i}</title></head><body><p>Side {i}</p>'
                        "</body></html>", encoding="utf-8")
        pages.append(page)
    return pages


# ------------------------------------------------------------------------------- which pages


@pytest.mark.parametrize(("kind", "html", "expected"), [
    ("kommune", "kommuner/0301.html", "kommuner/0301.pdf"),
    ("nasjonal", "nasjonal.html", "nasjonal.pdf"),
    ("kommune", "kommuner/4621.nb.html", None),  # the other language form: the PDF is in the municipality's own
    ("program", "program-2024.html", None),
    ("utfall", "utfallsstudie.html", None),
])
def test_pdf_target(kind, html, expected):
    assert pdf_target(kind, html) == expected


def test_options_are_a4_tagged_with_the_title_escaped_in_the_header():
    options = pdf_options("Ås & Vestby <2025>")
    assert options["format"] == "A4" and options["tagged"] and options["outline"]
    assert "Ås &amp; Vestby &lt;2025&gt;" in options["header_template"]
    assert 'class="pageNumber"' in options["footer_template"] and 'class="totalPages"' in options["footer_template"]


def test_without_chromium_there_is_a_reason_and_no_printer(monkeypatch, tmp_path):
    monkeypatch.setattr(pdfmod.shutil, "which", lambda name: None)
    monkeypatch.delenv("KOMPETANSE_CHROMIUM", raising=False)
    assert "Chromium is not installed" in unavailable()

    class Job:
        key, kind, html, title = "kommune/0301", "kommune", "kommuner/0301.html", "Oslo"

    build = PdfBuild(tmp_path, [Job()])
    assert build.warning and not build.enabled and build.pages == frozenset()
    assert build.finish() == []


def test_a_pdf_not_printed_is_kept_when_current_and_removed_when_its_page_changed_or_went(tmp_path):
    import hashlib

    class Job:
        def __init__(self, nr):
            self.key, self.kind, self.html, self.title = f"kommune/{nr}", "kommune", f"kommuner/{nr}.html", nr

    (tmp_path / "kommuner").mkdir()
    for nr in ("0301", "1151", "4621"):
        (tmp_path / "kommuner" / f"{nr}.pdf").write_bytes(b"%PDF-1.7 old")
    (tmp_path / "kommuner" / "0301.html").write_text("same page", encoding="utf-8")
    (tmp_path / "kommuner" / "1151.html").write_text("a page rebuilt since", encoding="utf-8")
    # 4621's page is gone (its report failed)
    same = hashlib.sha256(b"same page").hexdigest()
    (tmp_path / "manifest.json").write_text(json.dumps({"pdfs": [
        {"pdf": "kommuner/0301.pdf", "html_sha256": same, "status": "built"},
        {"pdf": "kommuner/1151.pdf", "html_sha256": same, "status": "built"},
        {"pdf": "kommuner/4621.pdf", "html_sha256": same, "status": "unchanged"}]}), encoding="utf-8")
    statuses = PdfBuild(tmp_path, [Job("0301"), Job("1151"), Job("4621")], enabled=False).finish()
    assert [(p.key, p.status, p.html_sha256) for p in statuses] == [("kommune/0301", "unchanged", same)]
    assert sorted(p.name for p in (tmp_path / "kommuner").glob("*.pdf")) == ["0301.pdf"]


# ------------------------------------------------------------------- a small hand-made page


@needs_browser
def test_a_print_cancelled_while_the_browser_starts_leaves_a_printer_that_closes(tmp_path):
    # an interrupted build cancels the prints not yet done; when the browser was still starting
    # the cancel reached its start too, and closing raised CancelledError (seen in CI)
    from kompetanse.build.pdf import PdfPrinter

    (tmp_path / "a.html").write_text("<html><head><title>a</title></head><body>a</body></html>", encoding="utf-8")
    printer = PdfPrinter()
    printer.submit(tmp_path / "a.html", tmp_path / "a.pdf", "a").cancel()
    printer.close()
    assert not printer._ready.cancelled()


@needs_browser
def test_a_tab_is_replaced_by_a_fresh_one_after_its_share_of_pdfs_and_every_pdf_is_printed(tmp_path, monkeypatch):
    # a tab's renderer grows with every page it shows (1.1 GB after a national batch's share):
    # after TAB_PDFS prints it is closed and a fresh tab takes its place
    monkeypatch.setattr(pdfmod, "TAB_PDFS", 2)
    made = []
    new_tab = PdfPrinter._new_tab

    async def counted(self):
        made.append(1)
        return await new_tab(self)

    monkeypatch.setattr(PdfPrinter, "_new_tab", counted)
    pages = _small_pages(tmp_path, 7)
    with PdfPrinter(tabs=2) as printer:
        for f in [printer.submit(p, p.with_suffix(".pdf"), p.stem) for p in pages]:
            f.result(timeout=120)
        async def count() -> int:
            return len(printer._browser.contexts)

        open_now = asyncio.run_coroutine_threadsafe(count(), printer._loop).result(timeout=30)
        assert open_now == 2  # two tabs, each in a context of its own, the old ones closed
    # two tabs at the start, and a fresh one for every second PDF a tab printed (7 PDFs: 3)
    assert len(made) == 5
    for i, page in enumerate(pages):
        assert f"Side {i}" in _text(pypdf.PdfReader(page.with_suffix(".pdf")))


@needs_browser
def test_a_tab_whose_renderer_crashed_is_replaced_and_its_page_printed_again(tmp_path):
    # a renderer can die under a print (the kernel's OOM killer picks the largest process):
    # the crashed tab printed nothing more, and every later page handed to it failed, so one
    # crash failed the build (exit 1) with up to TAB_PDFS missing PDFs
    pages = _small_pages(tmp_path, 5)
    with PdfPrinter(tabs=2) as printer:
        printer.submit(pages[0], pages[0].with_suffix(".pdf"), "p0").result(timeout=120)

        async def crash_every_tab() -> int:
            tabs = [printer._tabs.get_nowait() for _ in range(printer._tabs.qsize())]
            for tab in tabs:
                with contextlib.suppress(Exception):  # the navigation fails as the renderer dies
                    await tab.goto("chrome://crash", timeout=10_000)
                printer._tabs.put_nowait(tab)
            return len(tabs)

        assert asyncio.run_coroutine_threadsafe(crash_every_tab(), printer._loop).result(timeout=60) == 2
        for f in [printer.submit(p, p.with_suffix(".pdf"), p.stem) for p in pages[1:]]:
            assert f.result(timeout=120) > 0
    for i, page in enumerate(pages):
        assert f"Side {i}" in _text(pypdf.PdfReader(page.with_suffix(".pdf")))


@needs_browser
def test_a_print_that_fails_twice_fails_and_the_printer_goes_on(tmp_path, monkeypatch):
    # the page is printed again once, not for ever: a page that fails in a fresh tab too fails
    # its PDF with the reason, and the pages after it print
    calls = []
    print_once = PdfPrinter._print_once

    async def failing(self, tab, content, title):
        if "Feil" in content:
            calls.append(title)
            raise RuntimeError("Target crashed")
        return await print_once(self, tab, content, title)

    monkeypatch.setattr(PdfPrinter, "_print_once", failing)
    bad, good = tmp_path / "feil.html", tmp_path / "god.html"
    bad.write_text("<html><head><title>Feil</title></head><body>Feil</body></html>", encoding="utf-8")
    good.write_text("<html><head><title>God</title></head><body>God</body></html>", encoding="utf-8")
    with PdfPrinter(tabs=1) as printer:
        failed = printer.submit(bad, tmp_path / "feil.pdf", "feil")
        with pytest.raises(RuntimeError, match="Target crashed"):
            failed.result(timeout=120)
        assert printer.submit(good, tmp_path / "god.pdf", "god").result(timeout=120) > 0
    assert calls == ["feil", "feil"]
    assert not (tmp_path / "feil.pdf").exists()
    assert "God" in _text(pypdf.PdfReader(tmp_path / "god.pdf"))


@needs_browser
def test_a_small_page_prints_tagged_in_its_language(tmp_path):
    page = tmp_path / "side.html"
    page.write_text(
        '<!DOCTYPE html><html lang="nn"><head><meta charset="utf-8"><title>Testkommune – 2025</title></head>'
        "<body><main><h1>Testkommune</h1><p>Testkommune har 12 tilsette.</p>"
        "<h2>Del ein</h2><p>Tekst.</p><h2>Del to</h2><table><tr><th>Nivå</th><td>3</td></tr></table>"
        "</main></body></html>", encoding="utf-8")
    with PdfPrinter(tabs=1) as printer:
        seconds = printer.submit(page, tmp_path / "side.pdf", "Testkommune – 2025").result(timeout=120)
    assert seconds > 0
    reader = pypdf.PdfReader(tmp_path / "side.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "nn"
    assert reader.metadata.title == "Testkommune – 2025"
    assert _outline_titles(reader.outline) == ["Testkommune", "Del ein", "Del to"]
    assert len(reader.pages) == 1 and _is_a4(reader)
    text = _text(reader)
    assert "Testkommune har 12 tilsette." in text
    assert "Side 1 av 1" in text  # the footer


# ----------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def site(built_site):
    if built_site.pdf_warning:
        pytest.skip(built_site.pdf_warning)
    return built_site


@needs_browser
@pytest.mark.parametrize(("nr", "name", "headline"), [
    ("0301", "Oslo", "Oslo har 301 ansatte med aktiv sertifisering"),
    ("1151", "Utsira", "Utsira har 1 ansatt med aktiv sertifisering"),
])
def test_the_municipal_pdf_is_tagged_a4_and_says_what_the_page_says(site, nr, name, headline):
    folder = site.folder
    html = (folder / "kommuner" / f"{nr}.html").read_text(encoding="utf-8")
    reader = pypdf.PdfReader(folder / "kommuner" / f"{nr}.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == re.search(r'<html lang="([^"]+)"', html).group(1)
    assert reader.metadata.title == re.search(r"<title>([^<]+)</title>", html).group(1)
    titles = _outline_titles(reader.outline)
    assert titles[0] == name and "Kort oppsummert" in titles and "Slik er tallene laget" in titles
    assert 2 <= len(reader.pages) <= 4 and _is_a4(reader)
    text = _text(reader)
    assert headline in text and headline in html  # the page's first key sentence, as the page says it
    assert f"{name} – foreldrestøtte og kompetanse" in text  # the page header
    assert f"Side {len(reader.pages)} av {len(reader.pages)}" in text
    assert "Last ned PDF" not in text  # the page's own link to the PDF is not printed
    # no link to the build machine's files (a link to a page of the site printed from the file
    # became file:///<the build folder>/…): the PDF has the page's text, not its addresses
    raw = (folder / "kommuner" / f"{nr}.pdf").read_bytes()
    assert b"file:" not in raw and str(folder).encode() not in raw
    uris = [a.get_object().get("/A", {}).get("/URI") for page in reader.pages for a in page.get("/Annots", [])]
    assert not [u for u in uris if u and not str(u).startswith(("http://", "https://", "mailto:"))]


@needs_browser
def test_pdfs_are_listed_in_the_manifest_and_linked(site):
    folder = site.folder
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["pdf"]: e for e in manifest["pdfs"]}
    assert set(listed) == {"nasjonal.pdf", "kommuner/0301.pdf", "kommuner/1804.pdf", "kommuner/1151.pdf"}
    import hashlib

    for entry in listed.values():
        assert entry["status"] == "built"
        assert entry["html_sha256"] == hashlib.sha256((folder / entry["html"]).read_bytes()).hexdigest()
        assert (folder / entry["pdf"]).read_bytes().startswith(b"%PDF-")
    assert manifest["pdf_summary"] == {"built": 4, "unchanged": 0, "failed": 0}
    assert '<a href="0301.pdf">Last ned PDF</a>' in (folder / "kommuner" / "0301.html").read_text(encoding="utf-8")
    assert '<a href="nasjonal.pdf">Last ned PDF</a>' in (folder / "nasjonal.html").read_text(encoding="utf-8")
    assert "Last ned PDF</a>" not in (folder / "program-2024.html").read_text(encoding="utf-8")
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="nasjonal.pdf"' in index
    # each municipality's PDF after its name on the index, and only the PDFs that exist
    for nr, name in (("0301", "Oslo"), ("1804", "Bodø"), ("1151", "Utsira")):
        assert f'href="kommuner/{nr}.pdf" aria-label="{name} som PDF"' in index
    assert index.count(' som PDF"') == 3
    national = pypdf.PdfReader(folder / "nasjonal.pdf")
    assert "/StructTreeRoot" in national.trailer["/Root"] and _is_a4(national)


# ------------------------------------------------------------------ fingerprints, no Chromium


# ------------------------------------------------------------------------------- browser lookup


def _program(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("", encoding="utf-8")
    return path


def test_browser_lookup_takes_the_variable_first_and_only_the_variable(monkeypatch, tmp_path):
    monkeypatch.setattr(pdfmod.shutil, "which", lambda name: f"/usr/bin/{name}")
    exe = _program(tmp_path / "min chrome" / "chrome.exe")
    assert pdfmod.find_browser(environ={"KOMPETANSE_CHROMIUM": str(exe)}, platform="linux") == str(exe)
    # a variable that names no file is a mistake to report, not a reason to print with another browser
    assert pdfmod.find_browser(environ={"KOMPETANSE_CHROMIUM": str(tmp_path / "nei.exe")}, platform="linux") is None
    monkeypatch.setenv("KOMPETANSE_CHROMIUM", str(tmp_path / "nei.exe"))
    assert unavailable().startswith(f"KOMPETANSE_CHROMIUM is {str(tmp_path / 'nei.exe')!r}, which is not a file")


def test_browser_lookup_on_the_path_prefers_the_headless_shell_then_chromium_then_chrome_then_edge(monkeypatch):
    on_path = {"google-chrome": "/opt/google/chrome/google-chrome", "msedge": "/usr/bin/msedge"}
    monkeypatch.setattr(pdfmod.shutil, "which", on_path.get)
    assert pdfmod.find_browser(environ={}, platform="linux") == "/opt/google/chrome/google-chrome"
    on_path.pop("google-chrome")
    assert pdfmod.find_browser(environ={}, platform="linux") == "/usr/bin/msedge"
    on_path["chromium"] = "/usr/bin/chromium"
    assert pdfmod.find_browser(environ={}, platform="linux") == "/usr/bin/chromium"
    on_path["chromium-headless-shell"] = "/usr/bin/chromium-headless-shell"
    assert pdfmod.find_browser(environ={}, platform="linux") == "/usr/bin/chromium-headless-shell"


def test_browser_lookup_finds_chrome_and_edge_where_the_windows_installers_put_them(monkeypatch, tmp_path):
    monkeypatch.setattr(pdfmod.shutil, "which", lambda name: None)
    environ = {"ProgramFiles": str(tmp_path / "pf"), "ProgramFiles(x86)": str(tmp_path / "pf86"),
               "LOCALAPPDATA": str(tmp_path / "local")}
    assert pdfmod.find_browser(environ=environ, platform="win32") is None
    edge = _program(tmp_path / "pf86" / "Microsoft" / "Edge" / "Application" / "msedge.exe")
    assert pdfmod.find_browser(environ=environ, platform="win32") == str(edge)
    chrome = _program(tmp_path / "local" / "Google" / "Chrome" / "Application" / "chrome.exe")
    assert pdfmod.find_browser(environ=environ, platform="win32") == str(chrome)
    # the same folders mean nothing on Linux, where a browser is on the path or not at all
    assert pdfmod.find_browser(environ=environ, platform="linux") is None


def test_browser_lookup_finds_an_app_in_the_users_applications_on_macos(monkeypatch, tmp_path):
    monkeypatch.setattr(pdfmod.shutil, "which", lambda name: None)
    # /Applications is looked at first; this test's own folder stands in for it
    monkeypatch.setattr(pdfmod, "_macos_roots", lambda environ: [tmp_path / "Applications", tmp_path / "home"])
    assert pdfmod.find_browser(environ={}, platform="darwin") is None
    edge = _program(tmp_path / "home" / "Microsoft Edge.app" / "Contents" / "MacOS" / "Microsoft Edge")
    assert pdfmod.find_browser(environ={}, platform="darwin") == str(edge)
    chrome = _program(tmp_path / "Applications" / "Google Chrome.app" / "Contents" / "MacOS" / "Google Chrome")
    assert pdfmod.find_browser(environ={}, platform="darwin") == str(chrome)


@needs_browser
def test_an_unchanged_page_keeps_its_pdf_and_a_build_without_chromium_still_succeeds(tmp_path, monkeypatch,
                                                                                     capsys):
    from kompetanse.build.batch import build_reports
    from kompetanse.cli import main

    out = tmp_path / "r"
    # no Chromium: the pages are built, no PDF, a warning, exit 0; the page's PDF link is left plain
    with monkeypatch.context() as m:
        m.setattr(pdfmod.shutil, "which", lambda name: None)
        assert main(["report", "--kommune", "1151", "--out", str(out), "-q"]) == 0
    assert "warning: no PDFs: Chromium is not installed" in capsys.readouterr().err
    folder = out / "2025"
    page = folder / "kommuner" / "1151.html"
    assert page.is_file() and not (folder / "kommuner" / "1151.pdf").exists()
    assert "Last ned PDF" in page.read_text(encoding="utf-8") and 'href="1151.pdf"' not in page.read_text()

    # with Chromium: the page is rebuilt to link its PDF (now there), and the PDF is printed
    first = build_reports(None, out=out, kommuner=["1151"], progress=False)
    assert {p.key: p.status for p in first.pdfs} == {"nasjonal": "built", "kommune/1151": "built"}
    assert 'href="1151.pdf"' in page.read_text(encoding="utf-8")
    pdf_bytes = (folder / "kommuner" / "1151.pdf").read_bytes()

    # nothing changed: nothing printed again
    again = build_reports(None, out=out, kommuner=["1151"], progress=False)
    assert {p.key: p.status for p in again.pdfs} == {"nasjonal": "unchanged", "kommune/1151": "unchanged"}
    assert (folder / "kommuner" / "1151.pdf").read_bytes() == pdf_bytes

    # pages rebuilt without PDFs: the stale PDFs go, and the manifest lists none
    quick = build_reports(None, out=out, kommuner=["1151"], progress=False, force=True, pdf=False)
    assert quick.pdfs == [] and not (folder / "kommuner" / "1151.pdf").exists()
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["pdfs"] == []

"""A tagged A4 PDF of the municipal pages and of the national overview, printed from the same
HTML by one warm Chromium per build.

The browser is a Chromium-based one already on the machine (`find_browser`: the program
``KOMPETANSE_CHROMIUM`` names, else Chromium, Chrome or Edge on the path, else, on Windows and
macOS, Chrome or Edge where their installers put them), driven by Playwright; Playwright does not
download a browser of its own here. The browser is started once, in a thread of its own, when the
build starts; the build hands it each page as the page lands (`PdfBuild.page_done`), so the PDFs
are printed while the workers are still running notebooks, a few tabs at a time.

A page's HTML is handed to a tab (``set_content``) rather than its file opened: the pages hold
all they show (styles inline, figures as inline SVG or data URIs), and a link to another page of
the site, which only means something on the site, is left out of the PDF instead of becoming a
``file:///`` address on the build machine.

Each PDF is ``page.pdf(format="A4", tagged=True, outline=True)``: a structure tree (``/StructTreeRoot``),
``/Lang`` from the page's ``<html lang>``, the page's ``<title>`` as the document title and
bookmarks (``/Outlines``) from its headings, with the page's title (the municipality and the
period) in the header and «Side N av M» in the footer. The print style sheet
(``kompetanse/site/static/print.css``) lays the page out for A4.

A PDF is current when it is on disk and was printed from exactly the bytes of its page as they
are now (the page's sha256, recorded in ``manifest.json`` under ``pdfs``): an unchanged page's
PDF is not printed again, and a page that was rebuilt gets a new PDF.
"""

from __future__ import annotations

import asyncio
import hashlib
import html as _html
import json
import os
import posixpath
import shutil
import sys
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from kompetanse.site.pages import write_atomic

__all__ = ["BROWSER_VARIABLE", "PDF_KINDS", "PdfBuild", "PdfPrinter", "PdfStatus", "find_browser", "pdf_options",
           "pdf_target", "unavailable"]

#: The kinds of report that get a PDF: the municipal pages and the national overview.
PDF_KINDS = ("kommune", "nasjonal")

#: Tabs printing at the same time in the one browser.
TABS = 2

#: Seconds one page may take to load and print.
TIMEOUT = 120

#: PDFs a tab prints before it is closed and a fresh one takes its place. A tab that navigated
#: to each page kept what every page left behind (1.1 GB after the 179 municipal PDFs a tab
#: prints in a national batch); a tab handed each page's HTML (`PdfPrinter._print`) levels off
#: near 0.25 GB after 20 and was at 0.26 GB after 120. A fresh tab every 50 PDFs still bounds it,
#: at a tenth less browser time than one every 10 (106-110 against 116-121 ms a PDF).
TAB_PDFS = 50

#: The environment variable naming the browser's program file, for a browser the search misses.
BROWSER_VARIABLE = "KOMPETANSE_CHROMIUM"

#: Chromium-based browsers looked up on the path, in order. First Chromium's headless shell
#: (Debian's ``chromium-headless-shell``, Google's ``chrome-headless-shell``): the same engine
#: without the desktop browser around it, which prints a municipal page's PDF in 0.20 s where
#: Chromium takes 0.25 s, with less CPU beside the workers.
_BROWSER_NAMES = ("chromium-headless-shell", "chrome-headless-shell", "chromium", "chromium-browser", "google-chrome",
                  "google-chrome-stable", "chrome", "msedge", "microsoft-edge")

#: Where the Chrome and Edge installers put the program on Windows (under the folders these
#: environment variables name) and on macOS (under /Applications and ~/Applications).
_WINDOWS_PATHS = (("ProgramFiles", "Google/Chrome/Application/chrome.exe"),
                  ("ProgramFiles(x86)", "Google/Chrome/Application/chrome.exe"),
                  ("LOCALAPPDATA", "Google/Chrome/Application/chrome.exe"),
                  ("ProgramFiles(x86)", "Microsoft/Edge/Application/msedge.exe"),
                  ("ProgramFiles", "Microsoft/Edge/Application/msedge.exe"))
_MACOS_APPS = ("Google Chrome.app/Contents/MacOS/Google Chrome", "Chromium.app/Contents/MacOS/Chromium",
               "Microsoft Edge.app/Contents/MacOS/Microsoft Edge")


@dataclass
class PdfStatus:
    """What happened to one PDF: ``status`` is built, unchanged or failed; ``html_sha256`` the
    digest of the page it was printed from; ``seconds`` the time to print it (0 when unchanged)."""

    key: str
    pdf: str
    html: str
    status: str
    seconds: float = 0.0
    html_sha256: str = ""
    error: str | None = None


def pdf_target(kind: str, html: str) -> str | None:
    """The PDF of a page (path relative to the period folder), or None for a page without one.

    The municipal pages and the national overview get one, beside the page with ``.pdf`` for
    ``.html`` (``kommuner/0301.html`` → ``kommuner/0301.pdf``). A page in the other language form
    (a file name with a second suffix, such as ``kommuner/0301.nb.html``) gets none: a
    municipality's PDF is in its own form.
    """
    stem, ext = posixpath.splitext(html)
    if kind not in PDF_KINDS or ext != ".html" or "." in posixpath.basename(stem):
        return None
    return stem + ".pdf"


def find_browser(*, environ: dict | None = None, platform: str | None = None) -> str | None:
    """The program file of the Chromium-based browser that prints the PDFs, or None.

    In order: the file ``KOMPETANSE_CHROMIUM`` names (when set, and only it: a variable that names
    no file gives None, and `unavailable` says so); Chromium's headless shell, Chromium, Chrome or
    Edge on the path (`_BROWSER_NAMES`); on Windows, ``chrome.exe`` or ``msedge.exe`` under ``%ProgramFiles%``,
    ``%ProgramFiles(x86)%`` or ``%LOCALAPPDATA%``; on macOS, Google Chrome, Chromium or Microsoft
    Edge in ``/Applications`` or ``~/Applications``. ``environ`` and ``platform`` default to
    ``os.environ`` and ``sys.platform`` (tests give their own).
    """
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    named = environ.get(BROWSER_VARIABLE, "").strip()
    if named:
        return named if Path(named).is_file() else None
    for name in _BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    if platform == "win32":
        candidates = [Path(environ[var], *rel.split("/")) for var, rel in _WINDOWS_PATHS if environ.get(var)]
    elif platform == "darwin":
        candidates = [root / app for root in _macos_roots(environ) for app in _MACOS_APPS]
    else:
        candidates = []
    return next((str(c) for c in candidates if c.is_file()), None)


def _macos_roots(environ) -> list[Path]:
    home = environ.get("HOME", "")
    return [Path("/Applications"), *([Path(home) / "Applications"] if home else [])]


def unavailable() -> str | None:
    """Why PDFs cannot be printed on this machine, or None when they can (Playwright is
    installed and `find_browser` finds a browser)."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return ("Playwright is not installed (pip install playwright): the pages are built, "
                "the PDFs are not")
    named = os.environ.get(BROWSER_VARIABLE, "").strip()
    if named and find_browser() is None:
        return (f"{BROWSER_VARIABLE} is {named!r}, which is not a file: set it to the program file of Chromium, "
                "Chrome or Edge, or unset it; the pages are built, the PDFs are not")
    if find_browser() is None:
        return (f"Chromium is not installed, nor Chrome or Edge (Linux: `make browser`, or apt-get install chromium; "
                f"elsewhere install Chrome or Edge, or set {BROWSER_VARIABLE} to the browser's program file): "
                "the pages are built, the PDFs are not")
    return None


_BAND = "font-family: Arial, sans-serif; font-size: 8pt; color: #5b5b5b; width: 100%; margin: 0 14mm;"


def pdf_options(title: str) -> dict:
    """The options of `playwright.async_api.Page.pdf` for a page titled ``title`` (plain text,
    for example «Oslo – foreldrestøtte og kompetanse 2025»): A4, tagged, bookmarks from the
    headings, backgrounds printed (the status badges), the title in the header and «Side N av M»
    in the footer. Margins in millimetres leave room for both."""
    header = f'<div style="{_BAND}">{_html.escape(title)}</div>'
    footer = (f'<div style="{_BAND} text-align: right;">Side <span class="pageNumber"></span> av '
              '<span class="totalPages"></span></div>')
    return {"format": "A4", "tagged": True, "outline": True, "print_background": True,
            "display_header_footer": True, "header_template": header, "footer_template": footer,
            "margin": {"top": "16mm", "bottom": "14mm", "left": "14mm", "right": "14mm"}}


class PdfPrinter:
    """One warm Chromium in a thread of its own, printing pages to PDF a few tabs at a time.

    The browser starts when the printer is made, without waiting for it; `submit` returns a
    `concurrent.futures.Future` and may be called from any thread. `close` waits for what was
    submitted (or cancels it) and ends the browser.
    """

    def __init__(self, *, tabs: int = TABS, executable: str | None = None) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kompetanse-pdf", daemon=True)
        self._thread.start()
        self._ready = asyncio.run_coroutine_threadsafe(self._start(tabs, executable or find_browser()), self._loop)

    async def _start(self, tabs: int, executable: str | None) -> None:
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        self._browser = await self._pw.chromium.launch(executable_path=executable)
        self._tabs: asyncio.Queue = asyncio.Queue()
        self._printed: dict = {}
        for _ in range(max(1, tabs)):
            self._tabs.put_nowait(await self._new_tab())

    async def _new_tab(self):
        """A tab in a context of its own (its own caches), showing pages as printed: a page is
        then laid out for print as it loads, not for the screen first and again for print
        (a tenth to a fifth of the browser's time per PDF; the PDF is the same)."""
        context = await self._browser.new_context()
        tab = await context.new_page()
        await tab.emulate_media(media="print")
        return tab

    async def _recycled(self, tab):
        """``tab``, or a fresh tab in its place once it has printed `TAB_PDFS` PDFs (if no fresh
        tab can be made, the old one goes on)."""
        self._printed[tab] = self._printed.get(tab, 0) + 1
        if self._printed[tab] < TAB_PDFS:
            return tab
        try:
            return await self._fresh(tab)
        except Exception:  # the browser is going: the old tab fails its next print with the reason
            return tab

    async def _fresh(self, tab):
        """A fresh tab in place of ``tab``, which is closed (raises when none can be made)."""
        fresh = await self._new_tab()
        self._printed.pop(tab, None)
        try:
            await tab.context.close()
        except Exception:  # already closed
            pass
        return fresh

    async def _started(self) -> None:
        # shielded: a print that is cancelled (an interrupted build) must not cancel the
        # browser's start, which wrap_future would pass on to it, leaving nothing to close
        await asyncio.shield(asyncio.wrap_future(self._ready))

    async def _print_once(self, tab, content: str, title: str) -> bytes:
        # the page's HTML handed to the tab, not a navigation to its file: the pages hold
        # everything they show (styles, figures), so they print the same, in four fifths of
        # the time; and the PDF gets no links to the build machine's files (a link to another
        # page of the site, resolved against the file, became file:///…, a dead link that
        # named the folder the site was built in)
        await tab.set_content(content, wait_until="load", timeout=TIMEOUT * 1000)
        # the page's own <title>: on a page of the internal edition it begins «Intern utgave: »,
        # so every A4 page of its PDF says so in its header
        return await tab.pdf(**pdf_options(await tab.title() or title))

    async def _print(self, html: Path, pdf: Path, title: str) -> float:
        from playwright.async_api import TimeoutError as LoadTimeout

        await self._started()
        content = html.read_text(encoding="utf-8")
        tab = await self._tabs.get()
        try:
            start = time.perf_counter()
            try:
                data = await self._print_once(tab, content, title)
            except LoadTimeout:  # the page took TIMEOUT s: a second try would take as long
                raise
            except Exception as exc:
                # the tab's renderer crashed (killed when memory ran short) or the tab closed: it
                # prints nothing more, so a fresh tab takes its place and prints the page once more
                # (if no tab can be made, the browser is gone: the first error says why)
                try:
                    tab = await self._fresh(tab)
                except Exception:
                    raise exc from None
                data = await self._print_once(tab, content, title)
            write_atomic(pdf, data)
            return time.perf_counter() - start
        finally:
            try:
                tab = await asyncio.shield(self._recycled(tab))
            finally:
                self._tabs.put_nowait(tab)

    def submit(self, html: Path, pdf: Path, title: str) -> Future:
        """Print ``html`` to ``pdf`` (written whole or not at all); the future's result is the
        seconds it took to load and print the page."""
        return asyncio.run_coroutine_threadsafe(self._print(html, pdf, title), self._loop)

    async def _stop(self) -> None:
        try:
            await self._started()
        except (Exception, asyncio.CancelledError):  # the browser never started: nothing to end
            return
        await self._browser.close()
        await self._pw.stop()

    def close(self) -> None:
        """End the browser and the thread (after what is running)."""
        try:
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=60)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=60)

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def recorded(folder: Path) -> dict[str, str]:
    """The PDFs the last build's ``manifest.json`` records as written, mapped to the sha256 of
    the page each was printed from ({} when there is no readable manifest)."""
    try:
        entries = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("pdfs", [])
        return {e["pdf"]: e["html_sha256"] for e in entries if e.get("status") in ("built", "unchanged")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


class PdfBuild:
    """The PDFs of one build: which pages get one (`pdf_target`), which are current, the
    printer fed as the pages land, and what happened to each (`PdfStatus`).

    Parameters
    ----------
    folder : the period folder.
    jobs : the build's jobs (`kompetanse.build.plan.Job`): key, kind, html and title are read.
    enabled : False (``--uten-pdf``) prints nothing; PDFs still current are kept, stale ones removed.
    tabs : pages printed at the same time.

    ``warning`` says why PDFs were asked for and cannot be made (no Playwright, no Chromium);
    the build then goes on without them, as with ``enabled=False``.
    """

    def __init__(self, folder: Path, jobs, *, enabled: bool = True, tabs: int = TABS) -> None:
        self.folder = folder
        self.targets = {j.key: (j.html, pdf, j.title) for j in jobs if (pdf := pdf_target(j.kind, j.html))}
        self.warning = unavailable() if enabled and self.targets else None
        self.enabled = enabled and bool(self.targets) and self.warning is None
        self._recorded = recorded(folder)
        self._printer = PdfPrinter(tabs=tabs) if self.enabled else None
        self._futures: dict[str, tuple[Future, str]] = {}
        self.statuses: dict[str, PdfStatus] = {}

    @property
    def pages(self) -> frozenset[str]:
        """The PDFs this build writes or keeps, for `kompetanse.site.pages.Site.pages` (none
        without PDFs: a page then leaves its «Last ned PDF» unlinked until a build prints it)."""
        return frozenset(pdf for _h, pdf, _t in self.targets.values()) if self.enabled else frozenset()

    def _current(self, pdf: str, sha: str | None) -> bool:
        return sha is not None and (self.folder / pdf).is_file() and self._recorded.get(pdf) == sha

    def page_done(self, key: str, status: str) -> None:
        """A page was built or found unchanged: print its PDF unless it is current."""
        if not self.enabled or key not in self.targets or status not in ("built", "unchanged") or key in self._futures:
            return
        html, pdf, title = self.targets[key]
        sha = _sha256(self.folder / html)
        if self._current(pdf, sha):
            self.statuses[key] = PdfStatus(key, pdf, html, "unchanged", html_sha256=sha)
        elif sha is not None:
            self._futures[key] = (self._printer.submit(self.folder / html, self.folder / pdf, title), sha)

    def finish(self, *, cancel: bool = False) -> list[PdfStatus]:
        """Wait for the PDFs (or, with ``cancel``, drop those not yet printed), end the browser,
        and return the status of each PDF on disk, in the order of the jobs. A PDF not printed in
        this build is kept (unchanged) when it is still current and removed when its page changed
        or is gone (a report that failed)."""
        try:
            for key, (future, sha) in self._futures.items():
                html, pdf, _title = self.targets[key]
                if cancel and not future.done():
                    future.cancel()
                    continue
                try:
                    seconds = future.result(timeout=TIMEOUT * 4)
                    self.statuses[key] = PdfStatus(key, pdf, html, "built", seconds, sha)
                except Exception as exc:  # the browser crashed, the page did not load in time
                    (self.folder / pdf).unlink(missing_ok=True)
                    self.statuses[key] = PdfStatus(key, pdf, html, "failed", html_sha256=sha,
                                                   error=f"{type(exc).__name__}: {exc}")
        finally:
            if self._printer is not None:
                self._printer.close()
        # not printed in this build (no PDFs, a page that failed, an interrupt): a PDF still
        # current is kept, one whose page changed or went is removed
        for key, (html, pdf, _title) in self.targets.items():
            if key in self.statuses:
                continue
            sha = _sha256(self.folder / html)
            if self._current(pdf, sha):
                self.statuses[key] = PdfStatus(key, pdf, html, "unchanged", html_sha256=sha)
            else:
                (self.folder / pdf).unlink(missing_ok=True)
        return [self.statuses[k] for k in self.targets if k in self.statuses]


class WatchedStatuses(dict):
    """The build's report statuses, telling a `PdfBuild` of each page as its status is set (the
    batch and the worker pool record every report's status here as it lands)."""

    def __init__(self, pdfs: PdfBuild) -> None:
        super().__init__()
        self._pdfs = pdfs

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self._pdfs.page_done(key, value.status)

"""WCAG 2.1 A and AA on the built site: axe-core (from npm, ``node_modules/``) run in Debian's
Chromium by Playwright over every page type at 1280 and 390 px, and what axe cannot see (a skip
link, captions or labels on tables, ``scope`` on header cells, the accessibility statement
linked from every page, contrast of the status colours, alt texts that state a finding).

Run ``npm install`` (``make test`` does) for axe-core and ``make browser`` for Chromium; without
them the browser tests are skipped with the reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kompetanse.build.pdf import find_browser

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _chromium() -> str | None:
    # the browser the PDFs are printed with (Chromium, Chrome or Edge, or KOMPETANSE_CHROMIUM)
    return find_browser()


def site_pages(folder: Path) -> list[Path]:
    """One page of every type in a build: the index, the national, programme and outcome pages,
    the accessibility statement, the municipal pages (both forms where they exist)."""
    names = ["index.html", "nasjonal.html", "utfallsstudie.html", "tilgjengelighet.html"]
    pages = [folder / n for n in names if (folder / n).exists()]
    pages += sorted(folder.glob("program-*.html"))[-1:]
    pages += sorted((folder / "kommuner").glob("*.html"))
    return pages


def axe_violations(pages: list[Path], *, widths=WIDTHS, screenshots: Path | None = None) -> dict:
    """axe-core's violations of ``TAGS`` per (page name, width): a list of (rule, target,
    summary, impact) per violating element. With ``screenshots``, a full-page PNG of each."""
    from playwright.sync_api import sync_playwright

    script = AXE.read_text(encoding="utf-8")
    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"])
        try:
            for width in widths:
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                for path in pages:
                    page.goto(path.resolve().as_uri())
                    page.add_script_tag(content=script)
                    result = page.evaluate(
                        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
                    name = path.relative_to(path.parent.parent).as_posix() if path.parent.name == "kommuner" \
                        else path.name
                    found[(name, width)] = [
                        (v["id"], " ".join(map(str, node["target"])), node.get("failureSummary", ""), v["impact"])
                        for v in result["violations"] for node in v["nodes"]]
                    if screenshots is not None:
                        screenshots.mkdir(parents=True, exist_ok=True)
                        shot = screenshots / f"{name.replace('/', '-').removesuffix('.html')}-{width}.png"
                        page.screenshot(path=str(shot), full_page=True)
                context.close()
        finally:
            browser.close()
    return found


def page_widths(pages: list[Path], *, width: int) -> dict[str, int]:
    """The width in CSS pixels of each page's content in a window ``width`` px wide (WCAG 1.4.10:
    no more than the window, so nothing but a table's or figure's own box scrolls sideways)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 800})
            widths = {}
            for path in pages:
                page.goto(path.resolve().as_uri())
                widths[path.name] = page.evaluate("document.documentElement.scrollWidth")
        finally:
            browser.close()
    return widths


def _message(found: dict) -> str:
    lines = []
    for (name, width), items in found.items():
        for rule, target, summary, _ in items[:8]:
            lines.append(f"{name} @ {width}px: {rule} at {target}: {summary.splitlines()[-1] if summary else ''}")
        if len(items) > 8:
            lines.append(f"{name} @ {width}px: ... and {len(items) - 8} more")
    return "\n".join(lines)


_needs_browser = pytest.mark.skipif(_chromium() is None, reason="Chromium missing: run `make browser` (make test does)")
_needs_axe = pytest.mark.skipif(not AXE.exists(), reason="axe-core missing: run `npm install` (make test does)")


@_needs_browser
@_needs_axe
def test_axe_sees_a_violation(tmp_path: Path):
    # the check can fail: grey on white at 2.3:1 and an image without alt text
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="nb"><head><title>x</title></head><body><main>'
                   '<p style="color:#aaa">grå</p><img src="data:image/png;base64,iVBORw0KGgo="></main>'
                   "</body></html>", encoding="utf-8")
    found = axe_violations([bad], widths=(1280,))
    rules = {rule for rule, *_ in found[("bad.html", 1280)]}
    assert {"color-contrast", "image-alt"} <= rules


@_needs_browser
@_needs_axe
def test_every_page_type_has_no_axe_violations(built_site):
    pages = site_pages(built_site.folder)
    names = {p.name for p in pages}
    assert {"index.html", "nasjonal.html", "utfallsstudie.html", "tilgjengelighet.html"} <= names
    assert any(n.startswith("program-") for n in names) and any(p.parent.name == "kommuner" for p in pages)
    found = axe_violations(pages)
    bad = {k: v for k, v in found.items() if v}
    assert not bad, "axe-core found violations:\n" + _message(bad)


@_needs_browser
def test_pages_reflow_at_320_px_without_scrolling_sideways(built_site, tmp_path: Path):
    wide = tmp_path / "wide.html"
    wide.write_text('<!DOCTYPE html><html lang="nb"><body><div style="width:500px">x</div></body></html>',
                    encoding="utf-8")
    widths = page_widths([*site_pages(built_site.folder), wide], width=320)
    # the check can fail: a 500 px block makes the page 500 px wide
    assert widths.pop("wide.html") >= 500
    assert {name: w for name, w in widths.items() if w > 320} == {}


# ------------------------------------------------------------------- what axe does not check


def _pages_html(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in site_pages(folder)}


def test_every_page_has_a_skip_link_to_main_and_links_the_statement(built_site):
    pages = _pages_html(built_site.folder)
    assert any('<html lang="nn">' in html for html in pages.values())
    for name, html in pages.items():
        # the skip link and the statement's link in the page's own form
        skip, statement = (("Hopp til innhaldet", "Tilgjengelegheit") if '<html lang="nn">' in html
                           else ("Hopp til innholdet", "Tilgjengelighet"))
        assert f'<a class="hopp" href="#innhold">{skip}</a>' in html, name
        assert '<main id="innhold"' in html, name
        link = re.search(rf'href="([^"]*tilgjengelighet\.html)"[^>]*>{statement}</a>', html)
        assert link, name
        # the link leads to the statement from where the page lies
        page = next(p for p in site_pages(built_site.folder) if p.name == name)
        assert (page.parent / link.group(1)).resolve() == (built_site.folder / "tilgjengelighet.html").resolve(), name


def _tables_without_label_or_scope(html: str) -> list[str]:
    bad = []
    for table in re.findall(r"<table\b.*?</table>", html, re.DOTALL):
        opening = table[:table.index(">") + 1]
        if "<caption" not in table and "aria-label=" not in opening:
            bad.append(table[:200])
        bad += [th for th in re.findall(r"<th\b[^>]*>", table) if "scope=" not in th]
    return bad


def test_the_table_check_can_fail():
    assert _tables_without_label_or_scope('<table><tr><th>a</th></tr></table>') == [
        "<table><tr><th>a</th></tr></table>", "<th>"]
    assert _tables_without_label_or_scope('<table aria-label="x"><tr><th scope="col">a</th></tr></table>') == []


def test_every_table_has_a_caption_or_label_and_header_cells_have_scope(built_site):
    pages = {p.name: p.read_text(encoding="utf-8") for p in site_pages(built_site.folder)
             if p.parent.name != "kommuner"}
    bad = {name: found for name, html in pages.items() if (found := _tables_without_label_or_scope(html))}
    assert not bad, bad


def test_every_municipal_table_has_a_caption_or_label(built_site):
    pages = {p.name: p.read_text(encoding="utf-8") for p in (built_site.folder / "kommuner").glob("*.html")}
    bad = {name: found for name, html in pages.items() if (found := _tables_without_label_or_scope(html))}
    assert not bad, bad


def test_headings_do_not_skip_a_level(built_site):
    for name, html in _pages_html(built_site.folder).items():
        levels = [int(h) for h in re.findall(r"<h([1-6])\b", html)]
        assert levels and levels[0] == 1 and levels.count(1) == 1, (name, levels[:5])
        jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        assert not jumps, (name, jumps)


def _luminance(colour: str) -> float:
    rgb = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours (#rrggbb)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_matches_hand_worked_values():
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)
    # the old badge: white on Okabe–Ito's bluish green, 3.42:1 (issue 15)
    assert contrast("#ffffff", "#009E73") == pytest.approx(3.42, abs=0.01)
    assert contrast("#ffffff", "#999999") == pytest.approx(2.85, abs=0.01)


def test_badges_text_on_fill_reaches_4_5_to_1():
    from kompetanse.reports.style import BADGE_TEXT, PARTICIPATION_COLOURS, PROGRESS_COLOURS, STATUS_COLOURS

    for name, fill in (STATUS_COLOURS | PROGRESS_COLOURS | PARTICIPATION_COLOURS).items():
        assert contrast(BADGE_TEXT[name], fill) >= 4.5, (name, fill)


def test_figure_text_colours_reach_4_5_to_1_on_white():
    from kompetanse.reports import style

    for colour in style.TEXT_COLOURS:
        assert contrast(colour, "#ffffff") >= 4.5, colour


def test_axe_pin_is_recorded():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["devDependencies"]["axe-core"])

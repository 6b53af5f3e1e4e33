"""Links between the pages of the site: a link to a page this build neither writes nor finds on
disk is plain text (`kompetanse.site.pages.site_links`), the header links every report with the
current one marked, the footer links the executed notebook and the manifest, and a page records
the targets it had to leave unlinked so that a later build rewrites it once they exist."""

from __future__ import annotations

import nbformat

from kompetanse.build import plan
from kompetanse.site import pages

#: A hand-made notebook of a programme page: its own Markdown links and an output's HTML links.
INTRO = ("# Tittel i notatboken\n\nSe [Oslo](kommuner/0301.html), [Utsira](kommuner/1151.html), "
         "[landet](nasjonal.html#fylker), [kilden](https://example.org/a.html) og [toppen](#topp).")
ROSTER = ('<table><tr><td><a href="kommuner/0301.html">Oslo</a></td></tr>'
          '<tr><td><a href="kommuner/1151.html">Ut<b>sira</b></a></td></tr></table>')

NAV = (("Alle kommuner", "index.html"), ("Landet", "nasjonal.html"), ("Kull 2024", "program-2024.html"))


def _notebook() -> nbformat.NotebookNode:
    output = nbformat.v4.new_output("display_data", data={"text/html": ROSTER, "text/plain": "tabell"})
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(INTRO),
                                           nbformat.v4.new_code_cell("x", outputs=[output])])


def _page(existing: set[str], page: str = "program-2024.html") -> str:
    site = pages.Site(frozenset(existing), NAV)
    return pages.notebook_html(_notebook(), title="Kull 2024", home="index.html", footer="Laget nå.",
                               page=page, site=site, heading=True,
                               sources=[("Den kjørte notatboken:", "notebooks/program-2024.ipynb",
                                         "notebooks/program-2024.ipynb")])


def test_a_link_to_a_page_that_is_not_there_is_its_text_alone():
    html, dropped = pages.site_links(ROSTER, page="program-2024.html", pages={"kommuner/0301.html"})
    assert '<a href="kommuner/0301.html">Oslo</a>' in html
    # the <a> goes, what it enclosed stays (markup included)
    assert "<td>Ut<b>sira</b></td>" in html and "1151" not in html
    assert dropped == ("kommuner/1151.html",)


def test_links_resolve_against_the_page_folder_and_only_site_links_are_checked():
    page = "kommuner/0301.html"
    html = ('<a href="../program-2024.html">kull</a> <a href="../nasjonal.html?x=1#fylker">land</a> '
            '<a href="https://example.org/">ute</a> <a href="#a">her</a> <a href="mailto:a@b.no">post</a> '
            '<a href="../../utenfor.html">utenfor</a> <a href="1151.html">Utsira</a> <a name="x">anker</a>')
    out, dropped = pages.site_links(html, page=page, pages={"program-2024.html", "nasjonal.html"})
    assert out == html.replace('<a href="1151.html">Utsira</a>', "Utsira")
    assert dropped == ("kommuner/1151.html",)


def test_a_page_links_only_what_exists_and_records_what_it_left_unlinked():
    text = _page({"index.html", "nasjonal.html", "program-2024.html", "kommuner/0301.html",
                  "notebooks/program-2024.ipynb"})
    assert '<a href="kommuner/0301.html">Oslo</a>' in text
    assert 'href="kommuner/1151.html"' not in text and "Utsira" in text and "Ut<b>sira</b>" in text
    assert '<a href="nasjonal.html#fylker">landet</a>' in text
    assert '<a href="https://example.org/a.html">kilden</a>' in text
    head = text.split("<meta charset", 1)[0]
    assert pages.unlinked_targets(head) == ("kommuner/1151.html",)


def test_the_header_links_every_report_and_marks_the_current_one():
    text = _page({"index.html", "nasjonal.html", "program-2024.html"})
    assert '<nav aria-label="Rapportene">' in text
    assert '<a href="index.html">Alle kommuner</a>' in text
    assert '<a href="program-2024.html" aria-current="page">Kull 2024</a>' in text
    assert text.count('aria-current="page"') == 1
    # from a municipal page the same links go one folder up
    deeper = _page({"index.html", "nasjonal.html", "program-2024.html"}, page="kommuner/0301.html")
    assert '<a href="../index.html">Alle kommuner</a>' in deeper and 'aria-current="page"' not in deeper
    # a report this build has not got is no link in the header either
    missing = _page({"index.html", "program-2024.html"})
    assert 'href="nasjonal.html"' not in missing and "<li>Landet</li>" in missing


def test_the_title_is_the_heading_and_the_footer_links_the_notebook_and_the_manifest():
    text = _page({"notebooks/program-2024.ipynb"}, page="kommuner/0301.html")
    assert "<title>Kull 2024</title>" in text and "<h1>Kull 2024</h1>" in text
    assert text.count("<h1>") == 1 and "Tittel i notatboken" not in text
    assert ('Den kjørte notatboken: <a href="../notebooks/program-2024.ipynb">notebooks/program-2024.ipynb</a>.'
            in text)
    # a footer link whose target is not there is text too
    assert "Den kjørte notatboken: notebooks/program-2024.ipynb." in _page(set())


def test_without_heading_the_notebook_keeps_its_own():
    text = pages.notebook_html(_notebook(), title="Utsira – foreldrestøtte og kompetanse 2025", home=None)
    assert "<h1>Tittel i notatboken</h1>" in text and text.count("<h1>") == 1


def test_a_page_is_the_same_whatever_else_the_build_has_when_its_targets_exist():
    targets = {"index.html", "nasjonal.html", "program-2024.html", "kommuner/0301.html", "kommuner/1151.html",
               "notebooks/program-2024.ipynb"}
    full = _page(targets | {f"kommuner/{n:04d}.html" for n in range(1000, 1100)} | {"utfallsstudie.html"})
    partial = _page(targets)
    assert full == partial and "kompetanse-unlinked" not in full


def test_a_page_written_without_a_link_is_stale_once_its_target_exists(tmp_path):
    job = plan.Job("program/2024", "program", "program_fremdrift.ipynb", {}, "program-2024.html",
                   "notebooks/program-2024.ipynb", "Kull 2024", fingerprint="ab" * 32)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / job.executed).write_text("{}", encoding="utf-8")
    site = pages.Site(frozenset({"index.html", "kommuner/0301.html"}), NAV)
    text = pages.notebook_html(_notebook(), title="Kull 2024", home="index.html", fingerprint=job.fingerprint,
                               page=job.html, site=site)
    (tmp_path / job.html).write_text(text, encoding="utf-8")
    assert plan.is_current(tmp_path, job, site.pages)
    assert plan.is_current(tmp_path, job, site.pages | {"kommuner/4601.html"})
    assert not plan.is_current(tmp_path, job, site.pages | {"kommuner/1151.html"})
    assert not plan.is_current(tmp_path, job, site.pages | {"nasjonal.html"})


def test_the_pages_of_a_build_are_those_planned_and_those_on_disk(tmp_path):
    (tmp_path / "kommuner").mkdir()
    (tmp_path / "kommuner" / "1151.html").write_text("x", encoding="utf-8")
    (tmp_path / "kommuner" / ".0301.html.1a2b.tmp").write_text("x", encoding="utf-8")
    job = plan.Job("nasjonal", "nasjonal", "nasjonal_oversikt.ipynb", {}, "nasjonal.html",
                   "notebooks/nasjonal.ipynb", "Nasjonal")
    assert plan.site_pages(tmp_path, [job]) == {"index.html", "manifest.json", "nasjonal.html",
                                                "notebooks/nasjonal.ipynb", "kommuner/1151.html"}
    nav = plan.navigation([job, plan.Job("program/2024", "program", "p", {"kull": "2024"}, "program-2024.html",
                                         "n", "t")])
    assert nav == (("Alle kommuner", "index.html"), ("Landet", "nasjonal.html"), ("Kull 2024", "program-2024.html"))

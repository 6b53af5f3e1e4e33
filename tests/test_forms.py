"""Målform: each municipality's report in its own language form, and the other form beside it."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

import kompetanse
from kompetanse import resources
from kompetanse.build import batch as build
from kompetanse.build import plan
from kompetanse.data import reference
from kompetanse.errors import UsageError
from kompetanse.site import pages

# ------------------------------------------------------------------------------ reference data


def test_malform_covers_every_municipality_with_sprakradets_totals():
    m = reference.malform()
    assert len(m) == 357 and m["kommunenummer"].is_unique
    assert set(m["kommunenummer"]) == set(reference.kommuner()["kommunenummer"])
    assert m["malform"].value_counts().to_dict() == {"nynorsk": 88, "bokmal": 119, "noytral": 150}


@pytest.mark.parametrize(("nr", "malform", "language"), [
    ("4621", "nynorsk", "nn"),  # Voss
    ("4629", "nynorsk", "nn"),  # Modalen
    ("0301", "noytral", "nb"),  # Oslo: neutral is served in bokmål
    ("1106", "bokmal", "nb"),   # Haugesund
])
def test_report_language_is_the_municipalitys_form_and_bokmal_for_neutral(nr, malform, language):
    assert reference.malform().set_index("kommunenummer").loc[nr, "malform"] == malform
    assert reference.report_language(nr) == language


def test_report_languages_count_88_nynorsk_and_269_bokmal():
    languages = [reference.report_language(nr) for nr in reference.kommuner()["kommunenummer"]]
    assert languages.count("nn") == 88 and languages.count("nb") == 269


@pytest.mark.parametrize("bad", ["301", "9999", 301])
def test_report_language_of_an_unknown_number_is_an_argument_error(bad):
    with pytest.raises(UsageError, match="kommunenummer"):
        reference.report_language(bad)


def test_malform_is_a_copy_callers_may_change():
    m = reference.malform()
    m.loc[0, "kommunenavn"] = "x"
    assert reference.malform().loc[0, "kommunenavn"] == "Oslo"


# ------------------------------------------------------------------------------------ the plan


def _notebooks(tmp: Path, *, nynorsk: bool) -> Path:
    """A copy of the report notebooks, with the nynorsk twin (the repository's own when it has
    one; until then the bokmål notebook with its metadata language set to nn) or without it."""
    notebooks = tmp / "notebooks"
    shutil.copytree(resources.notebook_dir(), notebooks)
    twin = notebooks / "kommune_rapport_nn.ipynb"
    if not nynorsk:
        twin.unlink(missing_ok=True)
    elif not twin.exists():
        nb = nbformat.read(notebooks / "kommune_rapport.ipynb", as_version=4)
        nb.metadata["language"] = "nn"
        nbformat.write(nb, twin)
    return notebooks


def _plan(kommuner: list[str]) -> dict[str, plan.Job]:
    jobs = plan.plan(kompetanse.load(), periode=2025, kommuner=kommuner, data="")
    return {j.key: j for j in jobs if j.kind == "kommune"}


def test_without_the_nynorsk_notebook_every_municipal_report_is_in_bokmal_alone(tmp_path, monkeypatch):
    notebooks = _notebooks(tmp_path, nynorsk=False)
    monkeypatch.setattr(resources, "notebook_dir", lambda: notebooks)
    assert plan.municipal_forms() == ("nb",)
    jobs = _plan(["4621", "0301"])
    assert {k: (j.html, j.executed, j.form, j.alternate, j.notebook) for k, j in jobs.items()} == {
        "kommune/4621": ("kommuner/4621.html", "notebooks/kommuner/4621.ipynb", "nb", "", "kommune_rapport.ipynb"),
        "kommune/0301": ("kommuner/0301.html", "notebooks/kommuner/0301.ipynb", "nb", "", "kommune_rapport.ipynb"),
    }
    assert plan.alternates(list(jobs.values())) == {}


def test_with_the_nynorsk_notebook_each_municipality_gets_its_own_form_and_the_other(tmp_path, monkeypatch):
    notebooks = _notebooks(tmp_path, nynorsk=True)
    monkeypatch.setattr(resources, "notebook_dir", lambda: notebooks)
    assert plan.municipal_forms() == ("nb", "nn")
    jobs = _plan(["4621", "0301"])
    assert {k: (j.html, j.executed, j.form, j.alternate, j.notebook) for k, j in jobs.items()} == {
        "kommune/4621": ("kommuner/4621.html", "notebooks/kommuner/4621.ipynb", "nn", "kommuner/4621.nb.html",
                         "kommune_rapport_nn.ipynb"),
        "kommune/4621.nb": ("kommuner/4621.nb.html", "notebooks/kommuner/4621.nb.ipynb", "nb", "kommuner/4621.html",
                            "kommune_rapport.ipynb"),
        "kommune/0301": ("kommuner/0301.html", "notebooks/kommuner/0301.ipynb", "nb", "kommuner/0301.nn.html",
                         "kommune_rapport.ipynb"),
        "kommune/0301.nn": ("kommuner/0301.nn.html", "notebooks/kommuner/0301.nn.ipynb", "nn", "kommuner/0301.html",
                            "kommune_rapport_nn.ipynb"),
    }
    assert plan.alternates(list(jobs.values()))["kommuner/4621.html"] == ("nb", "kommuner/4621.nb.html")
    # the same parameters, another fingerprint
    a, b = jobs["kommune/4621"], jobs["kommune/4621.nb"]
    assert a.parameters == b.parameters
    notebooks_sha = plan.notebook_hashes(list(jobs.values()))
    fingerprints = {plan.job_fingerprint(j, data="d", notebooks=notebooks_sha, package="p") for j in (a, b)}
    assert len(fingerprints) == 2


def test_the_header_is_labelled_in_the_pages_form():
    jobs = [plan.Job("nasjonal", "nasjonal", "n", {}, "nasjonal.html", "n", "t"),
            plan.Job("program/2024", "program", "p", {"kull": "2024"}, "program-2024.html", "p", "t")]
    assert plan.navigation(jobs, "nn") == (("Alle kommunar", "index.html"), ("Landet", "nasjonal.html"),
                                           ("Kull 2024", "program-2024.html"))
    assert plan.navigation(jobs)[0] == ("Alle kommuner", "index.html")


# ------------------------------------------------------------------------------ a small build


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang: str | None = None
        self.links: list[tuple[str, dict]] = []  # (href, attributes)
        self._text: list[str] | None = None
        self.texts: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a" and attrs.get("href"):
            self.links.append((attrs["href"], attrs))
            self._text = []

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._text is not None:
            self.texts[self.links[-1][0]] = "".join(self._text).strip()
            self._text = None


def _page(path: Path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


BOTH = ["4621", "0301"]  # Voss (nynorsk) and Oslo (neutral: bokmål)


@pytest.fixture(scope="module")
def both_forms(tmp_path_factory):
    """A build of Voss and Oslo with the nynorsk notebook there, and its notebooks folder."""
    tmp = tmp_path_factory.mktemp("forms")
    notebooks = _notebooks(tmp, nynorsk=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(resources, "notebook_dir", lambda: notebooks)  # worker processes are forked: they see it
        result = build.build_reports(None, out=tmp / "reports", kommuner=BOTH, progress=False, jobs=2)
    return result, notebooks


PAGES = {"kommuner/4621.html": "nn", "kommuner/4621.nb.html": "nb",
         "kommuner/0301.html": "nb", "kommuner/0301.nn.html": "nn"}


def test_both_forms_are_built_with_their_lang(both_forms):
    result, _ = both_forms
    assert not result.failed, [(o.key, o.error) for o in result.failed]
    folder = result.folder
    for page, lang in PAGES.items():
        assert _page(folder / page).lang == lang, page
        executed = nbformat.read(folder / "notebooks" / page.replace(".html", ".ipynb"), as_version=4)
        assert executed.metadata.get("language", "nb") == lang
    for page in ["index.html", "nasjonal.html", "utfallsstudie.html", *(p.name for p in folder.glob("program-*.html"))]:
        assert _page(folder / page).lang == "nb", page


def test_a_municipal_page_links_its_other_form_in_the_header(both_forms):
    folder = both_forms[0].folder
    expected = {"kommuner/4621.html": ("4621.nb.html", "Les på bokmål", "nb"),
                "kommuner/4621.nb.html": ("4621.html", "Les på nynorsk", "nn"),
                "kommuner/0301.html": ("0301.nn.html", "Les på nynorsk", "nn"),
                "kommuner/0301.nn.html": ("0301.html", "Les på bokmål", "nb")}
    for page, (href, text, lang) in expected.items():
        parsed = _page(folder / page)
        assert parsed.texts[href] == text and dict(parsed.links)[href].get("hreflang") == lang, page
        # the header in the page's own form
        assert ("Alle kommunar" if PAGES[page] == "nn" else "Alle kommuner") in parsed.texts.values()
    assert "Les på" not in (folder / "nasjonal.html").read_text(encoding="utf-8")


def test_the_index_links_both_forms_of_each_municipality(both_forms):
    folder = both_forms[0].folder
    index = _page(folder / "index.html")
    attrs = dict(index.links)
    assert index.texts["kommuner/4621.html"] == "Voss" and attrs["kommuner/4621.html"]["hreflang"] == "nn"
    assert index.texts["kommuner/4621.nb.html"] == "bokmål" and attrs["kommuner/4621.nb.html"]["hreflang"] == "nb"
    assert index.texts["kommuner/0301.html"] == "Oslo" and attrs["kommuner/0301.html"]["hreflang"] == "nb"
    assert index.texts["kommuner/0301.nn.html"] == "nynorsk"
    assert attrs["kommuner/0301.nn.html"]["aria-label"] == "Oslo på nynorsk"


def test_every_link_of_the_build_resolves(both_forms):
    folder = both_forms[0].folder
    for path in folder.rglob("*.html"):
        for href, _ in _page(path).links:
            if href.startswith(("http:", "https:", "mailto:", "#")):
                continue
            target = (path.parent / href.split("#")[0]).resolve()
            assert target.is_file(), (path.relative_to(folder), href)


def test_the_manifest_lists_both_forms(both_forms):
    folder = both_forms[0].folder
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    reports = {r["key"]: r for r in manifest["reports"]}
    assert {k: (r["html"], r["notebook"], r["form"]) for k, r in reports.items() if k.startswith("kommune/")} == {
        "kommune/4621": ("kommuner/4621.html", "notebooks/kommuner/4621.ipynb", "nn"),
        "kommune/4621.nb": ("kommuner/4621.nb.html", "notebooks/kommuner/4621.nb.ipynb", "nb"),
        "kommune/0301": ("kommuner/0301.html", "notebooks/kommuner/0301.ipynb", "nb"),
        "kommune/0301.nn": ("kommuner/0301.nn.html", "notebooks/kommuner/0301.nn.ipynb", "nn"),
    }
    assert reports["nasjonal"]["form"] == "nb" and manifest["forms"]["municipal"] == ["nb", "nn"]
    assert {"kommune_rapport.ipynb", "kommune_rapport_nn.ipynb"} <= set(manifest["notebooks"])
    assert reports["kommune/4621"]["fingerprint"] != reports["kommune/4621.nb"]["fingerprint"]
    assert reports["kommune/4621"]["data_digest"] == reports["kommune/4621.nb"]["data_digest"]


def test_an_incremental_build_rebuilds_only_the_form_that_changed(both_forms, tmp_path):
    result, notebooks = both_forms
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(resources, "notebook_dir", lambda: notebooks)
        again = build.build_reports(None, out=result.folder.parent, kommuner=BOTH, progress=False, jobs=2)
        assert {o.status for o in again.statuses} == {"unchanged"}
        twin = notebooks / "kommune_rapport_nn.ipynb"
        nb = nbformat.read(twin, as_version=4)
        nb.cells.append(nbformat.v4.new_markdown_cell("Ei ny linje."))
        nbformat.write(nb, twin)
        changed = build.build_reports(None, out=result.folder.parent, kommuner=BOTH, progress=False, jobs=2)
    built = {o.key for o in changed.statuses if o.status == "built"}
    assert built == {"kommune/4621", "kommune/0301.nn"}
    assert "Ei ny linje." in (result.folder / "kommuner" / "0301.nn.html").read_text(encoding="utf-8")
    assert "Ei ny linje." not in (result.folder / "kommuner" / "0301.html").read_text(encoding="utf-8")


def test_the_sample_build_without_the_twin_is_bokmal_and_says_so(built_site):
    # the session's build (tests/conftest.py) runs on the repository's notebooks
    if (resources.notebook_dir() / "kommune_rapport_nn.ipynb").exists():
        pytest.skip("the nynorsk notebook is there: both_forms covers the build")
    folder = built_site.folder
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["forms"]["municipal"] == ["nb"] and "not among the notebooks" in manifest["forms"]["note"]
    for page in folder.glob("kommuner/*.html"):
        assert page.name.count(".") == 1 and _page(page).lang == "nb"
        assert "Les på nynorsk" not in page.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------ one page


def _nb(language: str | None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Tekst.")])
    if language is not None:
        nb.metadata["language"] = language
    return nb


def test_a_page_takes_its_lang_from_the_notebook_and_links_its_other_form():
    site = pages.Site(frozenset({"index.html", "kommuner/4621.html", "kommuner/4621.nb.html"}),
                      (("Alle kommuner", "index.html"),), (("Alle kommunar", "index.html"),),
                      {"kommuner/4621.html": ("nb", "kommuner/4621.nb.html")})
    html = pages.notebook_html(_nb("nn"), title="Voss", home=None, page="kommuner/4621.html", site=site)
    assert '<html lang="nn">' in html and ">Alle kommunar</a>" in html
    assert '<a href="4621.nb.html" hreflang="nb">Les på bokmål</a>' in html
    plain = pages.notebook_html(_nb(None), title="Oslo", home=None, page="kommuner/0301.html", site=site)
    assert '<html lang="nb">' in plain and "Les på" not in plain and ">Alle kommuner</a>" in plain


def test_a_link_to_an_other_form_that_is_not_there_is_plain_text_until_it_is():
    site = pages.Site(frozenset({"kommuner/4621.html"}), (), (), {"kommuner/4621.html": ("nb", "kommuner/4621.nb.html")})
    html = pages.notebook_html(_nb("nn"), title="Voss", home=None, page="kommuner/4621.html", site=site)
    assert "Les på bokmål" in html and 'href="4621.nb.html"' not in html
    assert pages.unlinked_targets(html) == ("kommuner/4621.nb.html",)


def test_a_notebook_in_another_language_is_an_argument_error():
    with pytest.raises(UsageError, match="one of nb, nn"):
        pages.notebook_html(_nb("en"), title="x", home=None)

"""The staff policy and the two editions of a build (docs/staff-policy.md): the public edition
says nothing about one or two persons leaving or losing their certification, the internal one
shows it and is marked internal on every page and in the manifest, and the two never mix.

Person-revealing cells are read from the HTML (`tests.staff_cells`). The sample's municipalities
below are small ones where such facts exist: Nordkapp (one PMTO therapist whose certification
expires: «Status om ett år: Mangler»), Klepp (its one Marte Meo therapist left in 2025),
Gjerstad and Storfjord (the most such cells in the sample's internal edition).
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from kompetanse.build import batch as build
from kompetanse.build import params
from kompetanse.build.plan import Job, job_fingerprint, plan
from kompetanse.errors import ParameterError, UsageError
from kompetanse.reports import kommune as rapport
from kompetanse.reports.staff_policy import future_hidden, public_retention
from kompetanse.settings import MIN_STAFF_EVENTS
from tests.staff_cells import person_revealing_cells

SMALL = ["5620", "1120", "4211", "5538"]  # Nordkapp, Klepp, Gjerstad, Storfjord
BUILT = ["5620", "1120"]
_BANNER = re.compile(r'<p class="intern-utgave">')


def section_html(p: rapport.Profile) -> str:
    """The parts of a municipal page that speak about staff, as the page renders them."""
    parts = (rapport.key_sentences(p), rapport.summary_table(p), rapport.methods_table(p), rapport.staff_policy(p),
             rapport.retention_table(p), rapport.expiry_tables(p))
    return "".join(part._repr_html_() for part in parts)


# --- the counter itself ---------------------------------------------------------------------------

_RETENTION = ("<table><tr><th>Nivå</th><th>Utløper innen 12 mnd.</th><th>Sluttet i 2025</th><th>I opplæring</th>"
              "<th>Status nå</th><th>Status om ett år</th></tr>{rows}</table>")


def _row(*cells: str) -> str:
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def test_the_counter_finds_small_counts_and_a_status_resting_on_them():
    page = _RETENTION.format(rows=_row("Selektiv", "1", "0", "0", "Sårbar", "Mangler")
                             + _row("Universell", "4", "2", "0", "Dekket", "Sårbar"))
    kinds = [c[0] for c in person_revealing_cells(page)]
    assert kinds == ["count", "status a year ahead", "count"]


def test_the_counter_passes_suppressed_cells_and_counts_of_three_or_more():
    page = _RETENTION.format(rows=_row("Selektiv", ":", ":", "0", "Sårbar", ":")
                             + _row("Universell", "3", "0", "1", "Dekket", "Sårbar"))
    assert person_revealing_cells(page) == []
    nn = ("<table><tr><th>Nivå</th><th>Går ut innan 12 mnd.</th><th>Slutta i 2025</th><th>Status no</th>"
          "<th>Status om eitt år</th></tr>" + _row("Indikativ", "2", ":", "Sårbar", "Manglar") + "</table>")
    assert [c[0] for c in person_revealing_cells(nn)] == ["count", "status a year ahead"]


def test_the_counter_reads_the_internal_tables_and_the_key_sentence():
    page = (_RETENTION.format(rows=_row("Indikativ", "1", "0", "0", "Sårbar", "Mangler"))
            + "<table><tr><th>Metode</th><th>Mister 2026 K1</th></tr>" + _row("PMTO", "1") + "</table>"
            + "<table><tr><th>Nivå</th><th>Status nå</th><th>Endres først</th></tr>"
            + _row("Indikativ", "Sårbar", "1. kvartal 2026: ingen sertifiserte igjen") + "</table>"
            + '<ul class="nokkelsetninger"><li>Om ingen sertifiseringer fornyes og ingen nye kommer til, blir '
              "indikativt nivå uten sertifiserte ansatte innen et år: sertifiseringer utløper.</li></ul>")
    kinds = sorted(c[0] for c in person_revealing_cells(page))
    assert kinds == ["count", "dated change", "key sentence", "lost in a quarter", "status a year ahead"]


# --- the policy on the sample, without the kernel ---------------------------------------------------


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_public_edition_of_small_municipalities_reveals_no_person(ds, on, lang):
    for nr in SMALL:
        page = section_html(rapport.profile(ds, nr, on=on, lang=lang))
        assert person_revealing_cells(page) == [], nr


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_internal_edition_of_the_same_municipalities_shows_the_detail(ds, on, lang):
    for nr in SMALL:
        cells = person_revealing_cells(section_html(rapport.profile(ds, nr, on=on, lang=lang, utgave="intern")))
        assert cells, nr
    nordkapp = person_revealing_cells(section_html(rapport.profile(ds, "5620", on=on, lang=lang, utgave="intern")))
    assert ("status a year ahead", "selektiv", {"nb": "Mangler", "nn": "Manglar"}[lang]) in nordkapp


def test_public_retention_over_the_whole_sample_shows_no_small_count_and_no_status_resting_on_one(ds, on):
    r = rapport.national(ds, on=on)["retention"]
    shown = public_retention(r)
    for column in ("utloper_neste_12_mnd", "sluttet_i_perioden"):
        assert r[column].between(1, 2).sum() > 0  # the sample has such cells to hide
        assert not (r[column].lt(MIN_STAFF_EVENTS) & ~shown[f"{column}_prikket"]).any()
    worse = r["status_om_ett_ar"].cat.codes > r["status_na"].cat.codes
    lost = r["kapasitet_na"] - r["kapasitet_om_ett_ar"]
    visible = ~shown["status_om_ett_ar_prikket"]
    assert (worse & (lost < MIN_STAFF_EVENTS)).sum() > 0
    assert not (visible & worse & ((lost < MIN_STAFF_EVENTS) | (r["utloper_neste_12_mnd"] < MIN_STAFF_EVENTS))).any()
    # the choice to hide does not tell whether the status changes: levels that keep their
    # status are hidden as well, wherever fewer than three are concerned
    assert (future_hidden(r) & ~worse).sum() > 0


def test_an_edition_is_checked_where_it_enters(ds, on):
    assert params.utgave(" Intern ") == "intern"
    assert params.utgave("offentleg") == "offentlig"
    with pytest.raises(ParameterError, match="utgave"):
        params.utgave("public")
    with pytest.raises(UsageError, match="utgave"):
        rapport.profile(ds, "0301", on=on, utgave="alt")


# --- the build: folders, marks, manifest, fingerprints ----------------------------------------------


def test_the_internal_edition_is_written_beside_the_public_site_never_into_it(tmp_path):
    assert build.edition_folder(tmp_path / "reports") == tmp_path / "reports"
    assert build.edition_folder(tmp_path / "reports", "intern") == tmp_path / "reports-intern"


def test_the_edition_is_in_the_parameters_and_the_fingerprint(ds):
    jobs = {u: plan(ds, periode=2025, kommuner=["5620"], data="", utgave=u) for u in ("offentlig", "intern")}
    municipal = {u: [j for j in js if j.kind == "kommune"] for u, js in jobs.items()}
    assert {j.parameters["utgave"] for j in municipal["intern"]} == {"intern"}
    assert {j.parameters["utgave"] for j in municipal["offentlig"]} == {"offentlig"}
    notebooks = {j.notebook: "x" for js in jobs.values() for j in js}
    for a, b in zip(jobs["offentlig"], jobs["intern"], strict=True):
        assert a.key == b.key
        assert job_fingerprint(a, data="d", notebooks=notebooks, package="p") != job_fingerprint(
            b, data="d", notebooks=notebooks, package="p")
    # the national page has no edition parameter, yet its fingerprint differs: its page is marked
    nasjonal = Job("nasjonal", "nasjonal", "nasjonal_oversikt.ipynb", {}, "nasjonal.html", "x.ipynb", "t")
    assert job_fingerprint(nasjonal, data="d", notebooks=notebooks, package="p") != job_fingerprint(
        Job(**{**nasjonal.__dict__, "utgave": "intern"}), data="d", notebooks=notebooks, package="p")


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    out = tmp_path_factory.mktemp("editions") / "site"
    public = build.build_reports(None, out=out, kommuner=BUILT, progress=False, pdf=False)
    internal = build.build_reports(None, out=out, kommuner=BUILT, progress=False, pdf=False, utgave="intern")
    return out, public, internal


def _pages(folder):
    return sorted(folder.rglob("*.html"))


def test_built_public_pages_reveal_no_person_and_carry_no_internal_mark(editions):
    out, public, _ = editions
    assert public.folder == out / public.folder.name
    for page in _pages(public.folder):
        text = page.read_text(encoding="utf-8")
        assert not _BANNER.search(text) and 'name="robots"' not in text, page
        assert "<title>Intern" not in text, page
        if page.parent.name == "kommuner":
            assert person_revealing_cells(text) == [], page
            assert "vises bare når de gjelder minst 3 personer" in text or "berre viste når dei gjeld minst 3" in text
    manifest = json.loads((public.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["utgave"] == "offentlig" and {r["utgave"] for r in manifest["reports"]} == {"offentlig"}
    # the public build wrote nothing internal anywhere under its folder
    assert not list(out.rglob("*intern*"))


def test_built_internal_pages_show_the_detail_and_are_marked_on_every_page(editions):
    out, public, internal = editions
    assert internal.folder == out.with_name("site-intern") / public.folder.name
    assert not internal.folder.is_relative_to(out)
    pages = _pages(internal.folder)
    assert len(pages) == len(_pages(public.folder))
    revealing = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert _BANNER.search(text), page
        assert '<meta name="robots" content="noindex, nofollow">' in text, page
        assert re.search(r"<title>Intern utg(ave|åve): ", text), page
        if page.parent.name == "kommuner":
            revealing += len(person_revealing_cells(text))
    assert revealing > 0
    nynorsk = (internal.folder / "kommuner" / "1120.html").read_text(encoding="utf-8")
    assert "Intern utgåve, ikkje for publisering." in nynorsk
    manifest = json.loads((internal.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["utgave"] == "intern" and manifest["parameters"]["utgave"] == "intern"
    assert {r["utgave"] for r in manifest["reports"]} == {"intern"}
    assert {r["parameters"]["utgave"] for r in manifest["reports"] if r["key"].startswith("kommune/")} == {"intern"}


def test_an_edition_never_builds_into_the_folder_of_the_other(editions):
    out, _, internal = editions
    # an internal build asked to write where the public site is (its manifest says so) refuses
    with pytest.raises(UsageError, match="offentlig"):
        build._check_edition(out / internal.folder.name, "intern")
    with pytest.raises(UsageError, match="intern"):
        build._check_edition(internal.folder, "offentlig")
    build._check_edition(internal.folder, "intern")


def test_a_second_build_of_each_edition_rebuilds_nothing(editions):
    out, _, _ = editions
    again = build.build_reports(None, out=out, kommuner=BUILT, progress=False, pdf=False, utgave="intern")
    assert again.count("built") == 0 and again.count("unchanged") == len(again.statuses)
    assert pd.Series([s.status for s in again.statuses]).eq("unchanged").all()

"""The report builder end to end on the sample: the site it writes, the manifest, incremental
builds, a failing report, and that a report from the warm-kernel batch is the same as a fresh
papermill run of the same notebook."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

import kompetanse
from kompetanse import resources
from kompetanse.build import batch as build
from kompetanse.build import kernel as execute
from kompetanse.cli import main
from kompetanse.data.reference import report_language
from kompetanse.errors import UsageError
from kompetanse.site.pages import unlinked_targets
from tests.conftest import SITE_KOMMUNER as KOMMUNER
from tests.notebook_content import comparable

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if attrs.get("src"):
            self.srcs.append(attrs["src"])


def links(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(built_site) -> build.BuildResult:
    return built_site


def test_every_report_is_built(site):
    assert not site.failed, [(o.key, o.error) for o in site.failed]
    folder = site.folder
    ds = kompetanse.load()
    for nr in KOMMUNER:
        assert (folder / "kommuner" / f"{nr}.html").is_file()
        assert (folder / "notebooks" / "kommuner" / f"{nr}.ipynb").is_file()
    assert (folder / "nasjonal.html").is_file()
    for kull in ds.program_deltakelse["kull"].unique():
        assert (folder / f"program-{kull}.html").is_file()
    other = {"nb": "nn", "nn": "nb"}  # each municipality in its own form and in the other
    assert {o.key for o in site.statuses} == (
        {f"kommune/{nr}" for nr in KOMMUNER} | {f"kommune/{nr}.{other[report_language(nr)]}" for nr in KOMMUNER}
        | {"nasjonal"} | {f"program/{k}" for k in ds.program_deltakelse["kull"].unique()} | {"utfall"})
    assert (folder / "utfallsstudie.html").is_file()


def test_index_lists_every_municipality_and_every_link_resolves(site):
    index = site.folder / "index.html"
    text = index.read_text(encoding="utf-8")
    ds = kompetanse.load()
    rows = re.findall(r'<tr data-search="(\d{4}) ', text)
    assert sorted(rows) == sorted(ds.kommuner["kommunenummer"])
    found = links(index)
    local = [h for h in found.hrefs if not h.startswith(("http:", "https:", "#"))]
    assert {f"kommuner/{nr}.html" for nr in KOMMUNER} <= set(local)
    assert "nasjonal.html" in local
    for href in local:
        assert (index.parent / href).is_file(), href
    # every page links back to the index, and that link resolves too
    for page in site.folder.rglob("*.html"):
        for href in links(page).hrefs:
            if not href.startswith(("http:", "https:", "#")):
                assert (page.parent / href).resolve().is_file(), (page, href)


def test_pages_have_no_code_no_traces_and_no_external_resources(site):
    executed = nbformat.read(site.folder / "notebooks" / "kommuner" / "1804.ipynb", as_version=4)
    code_lines = {line.strip() for cell in executed.cells if cell.cell_type == "code"
                  for line in cell.source.splitlines() if len(line.strip()) > 12}
    assert code_lines
    for page in site.folder.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for line in code_lines:
            assert line not in text, (page.name, line)
        for marker in ("Traceback", "import kompetanse", "kompetanse.load(", "Warning:", "<Figure size"):
            assert marker not in text, (page.name, marker)
        assert not [s for s in links(page).srcs if not s.startswith("data:")], page.name
        assert not re.search(r"<link[^>]+href=", text), page.name


def test_municipal_page_shows_its_municipality_and_a_figure_with_a_description(site):
    text = (site.folder / "kommuner" / "1804.html").read_text(encoding="utf-8")
    # the page's title is the municipality's name (the build knows it from the data set)
    assert f"<title>Bodø – foreldrestøtte og kompetanse {site.folder.name}</title>" in text
    assert "<h1>Bodø</h1>" in text and "Kommunenummer 1804, Nordland." in text
    # the figures are inline SVG, named for screen readers by their description
    assert re.search(r'<svg [^>]*role="img" aria-label="Sertifiserte per 1 000 barn i Bodø,'
                     r' med 95 % konfidensintervall[^"]+: universell \d', text)
    assert re.search(r">Bodø med 95\s% konfidensintervall</text>", text)


def test_manifest_says_what_was_built_from_which_inputs(site):
    manifest = json.loads((site.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kompetanse_version"] == kompetanse.__version__
    assert manifest["parameters"]["kommuner"] == sorted(KOMMUNER)
    assert manifest["parameters"]["periode"] == int(site.folder.name)
    for table, entry in manifest["inputs"].items():
        assert entry["sha256"] == hashlib.sha256((SAMPLE / entry["file"]).read_bytes()).hexdigest(), table
    assert set(manifest["inputs"]) == set(kompetanse.load().tables())
    for name, entry in manifest["notebooks"].items():
        assert entry["sha256"] == hashlib.sha256(resources.notebook(name).read_bytes()).hexdigest()
    assert manifest["summary"]["built"] == len(site.statuses) and manifest["summary"]["failed"] == 0
    by_key = {r["key"]: r for r in manifest["reports"]}
    oslo = by_key["kommune/0301"]
    assert oslo["status"] == "built" and oslo["seconds"] > 0
    assert oslo["parameters"]["kommunenummer"] == "0301"
    assert re.fullmatch(r"[0-9a-f]{64}", oslo["fingerprint"])
    # the page carries the fingerprint the manifest records
    assert oslo["fingerprint"] in (site.folder / oslo["html"]).read_text(encoding="utf-8")[:2048]


def test_a_report_from_the_batch_is_identical_to_a_fresh_papermill_run(site, tmp_path):
    import papermill as pm

    batch = nbformat.read(site.folder / "notebooks" / "kommuner" / "1151.ipynb", as_version=4)
    params = {"kommunenummer": "1151", "periode": int(site.folder.name), "data": "", "utgave": "offentlig"}
    fresh_path = tmp_path / "fresh.ipynb"
    pm.execute_notebook(str(resources.notebook("kommune_rapport.ipynb")), str(fresh_path), parameters=params,
                        progress_bar=False, execution_timeout=600)
    fresh = nbformat.read(fresh_path, as_version=4)
    assert comparable(batch) == comparable(fresh)
    # and the comparison is not blind: another municipality's report differs
    other = nbformat.read(site.folder / "notebooks" / "kommuner" / "1804.ipynb", as_version=4)
    assert comparable(other) != comparable(fresh)
    # papermill's record of the run has the same shape: each cell's times, duration and status,
    # the duration the difference of the times (the engine keeps the start instead of parsing it)
    import datetime as dt

    for mine, theirs in zip(batch.cells, fresh.cells, strict=True):
        ours = mine.metadata.get("papermill", {})
        assert set(ours) == set(theirs.metadata.get("papermill", {}))
        assert ours.get("status") == theirs.metadata.papermill.get("status") == "completed"
        if ours.get("start_time"):
            start, end = (dt.datetime.fromisoformat(ours[k]) for k in ("start_time", "end_time"))
            assert ours["duration"] == (end - start).total_seconds()
    assert set(batch.metadata.papermill) == set(fresh.metadata.papermill)
    # the executed notebook carries the page's fingerprint (set before it ran, written once)
    page = (site.folder / "kommuner" / "1151.html").read_text(encoding="utf-8")
    assert f'<meta name="kompetanse-fingerprint" content="{batch.metadata.kompetanse.fingerprint}">' in page


def _statuses(result: build.BuildResult) -> dict[str, str]:
    return {o.key: o.status for o in result.statuses}


def test_incremental_builds_rebuild_only_what_changed(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    out = tmp_path / "reports"
    kommuner = ["1804", "1151"]
    first = build.build_reports(data, out=out, kommuner=kommuner, progress=False)
    assert set(_statuses(first).values()) == {"built"}

    again = build.build_reports(data, out=out, kommuner=kommuner, progress=False)
    assert set(_statuses(again).values()) == {"unchanged"}

    # one more parent at one of Bodø's offers: Bodø's report and the national overview change,
    # Utsira's and the programme reports do not
    tilbud = data / "tilbud.csv"
    lines = tilbud.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("antall_foreldre")
    for i, line in enumerate(lines[1:], start=1):
        cells = line.split(",")
        if cells[header.index("kommunenummer")] == "1804":
            cells[col] = str(int(cells[col]) + 1)
            lines[i] = ",".join(cells)
            break
    tilbud.write_text("\n".join(lines) + "\n", encoding="utf-8")
    changed = build.build_reports(data, out=out, kommuner=kommuner, progress=False)
    rebuilt = {k for k, s in _statuses(changed).items() if s == "built"}
    # Bodø in both forms and the country, not the programme or outcome reports
    assert rebuilt == {"kommune/1804", "kommune/1804.nn", "nasjonal"}
    assert {s for k, s in _statuses(changed).items() if k not in rebuilt} == {"unchanged"}

    # a page written without a link to a municipality this build did not make (Vindafjord, 1160,
    # in cohort 2024) is rebuilt once that municipality's page is built, and then links to it;
    # no other page is
    programme_page = out / first.folder.name / "program-2024.html"
    assert 'href="kommuner/1160.html"' not in programme_page.read_text(encoding="utf-8")
    added = build.build_reports(data, out=out, kommuner=[*kommuner, "1160"], progress=False)
    # Vindafjord is nynorsk: its page and its bokmål page are new
    assert {k for k, s in _statuses(added).items() if s == "built"} == {"kommune/1160", "kommune/1160.nb",
                                                                          "program/2024"}
    text = programme_page.read_text(encoding="utf-8")
    assert 'href="kommuner/1160.html"' in text and "kommuner/1160.html" not in unlinked_targets(text[:65536])
    assert set(_statuses(build.build_reports(data, out=out, kommuner=["1160"], progress=False)).values()) == {
        "unchanged"}

    forced = build.build_reports(data, out=out, kommuner=["1151"], force=True, progress=False)
    assert set(_statuses(forced).values()) == {"built"}


def test_a_failing_report_does_not_stop_the_others(tmp_path, monkeypatch, capsys):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(resources.notebook_dir(), notebooks)
    nb = nbformat.read(notebooks / "kommune_rapport.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('if kommunenummer == "1151":\n    raise RuntimeError("injected fault")'))
    nbformat.write(nb, notebooks / "kommune_rapport.ipynb")
    monkeypatch.setattr(resources, "notebook_dir", lambda: notebooks)  # worker processes are forked: they see it
    out = tmp_path / "reports"
    code = main(["report", "--out", str(out), "--kommune", "1151", "1804", "-q"])
    assert code == 1
    err = capsys.readouterr()
    assert "kommune/1151" in err.out + err.err and "injected fault" in err.out + err.err
    folder = next(out.iterdir())
    assert (folder / "kommuner" / "1804.html").is_file()
    assert not (folder / "kommuner" / "1151.html").exists()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    failed = {r["key"]: r for r in manifest["reports"] if r["status"] == "failed"}
    assert list(failed) == ["kommune/1151"]
    assert failed["kommune/1151"]["error"]["cell"] == len(nb.cells) - 1 + 1  # papermill adds a parameters cell
    assert "RuntimeError: injected fault" in failed["kommune/1151"]["error"]["message"]
    # the executed notebook is kept for audit, with the error in it
    kept = nbformat.read(folder / "notebooks" / "kommuner" / "1151.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in kept.cells if c.cell_type == "code" for o in c.outputs)
    # the index does not link to the missing page
    assert 'href="kommuner/1151.html"' not in (folder / "index.html").read_text(encoding="utf-8")


def test_temporary_files_of_unfinished_writes_are_swept(tmp_path):
    (tmp_path / "kommuner").mkdir()
    stale = [tmp_path / "kommuner" / ".0301.html.k2j4x9.tmp", tmp_path / ".nasjonal.4711.tmp.ipynb"]
    kept = [tmp_path / "kommuner" / "0301.html", tmp_path / ".gitkeep", tmp_path / "notes.tmp.txt"]
    for path in stale + kept:
        path.write_text("x", encoding="utf-8")
    build._sweep_temporary(tmp_path)
    assert [p.exists() for p in stale] == [False, False]
    assert all(p.exists() for p in kept)


def _notebooks_without(tmp_path: Path, monkeypatch, name: str) -> Path:
    notebooks = tmp_path / "notebooks"
    shutil.copytree(resources.notebook_dir(), notebooks)
    (notebooks / name).unlink()
    monkeypatch.setattr(resources, "notebook_dir", lambda: notebooks)
    return notebooks


def test_a_missing_notebook_is_an_error_naming_it_not_a_dropped_report(tmp_path, monkeypatch, capsys):
    notebooks = _notebooks_without(tmp_path, monkeypatch, "kommune_rapport.ipynb")
    with pytest.raises(UsageError, match=r"The notebook kommune_rapport\.ipynb is missing") as caught:
        build.plan(kompetanse.load(), periode=2024, kommuner=["0301"], data="")
    assert str(notebooks / "kommune_rapport.ipynb") in str(caught.value)
    out = tmp_path / "reports"
    assert main(["report", "--out", str(out), "--kommune", "0301", "-q"]) == 2
    assert "The notebook kommune_rapport.ipynb is missing" in capsys.readouterr().err
    assert not out.exists()  # nothing built, not even an index without the report


def test_a_missing_aggregate_notebook_is_an_error_too(tmp_path, monkeypatch):
    _notebooks_without(tmp_path, monkeypatch, "utfallsstudie.ipynb")
    with pytest.raises(UsageError, match=r"utfallsstudie\.ipynb"):
        build.plan(kompetanse.load(), periode=2024, kommuner=[], data="")


def test_the_kernel_refuses_a_missing_notebook_by_name(tmp_path):
    kernel = execute.WarmKernel.__new__(execute.WarmKernel)  # no kernel started: the check comes first
    with pytest.raises(UsageError, match=r"The notebook gone\.ipynb is missing"):
        kernel.run(tmp_path / "gone.ipynb", {}, output=tmp_path / "out.ipynb")
    with pytest.raises(UsageError, match=r"The notebook gone\.ipynb is missing"):
        resources.notebook("gone.ipynb")


@pytest.mark.parametrize("changed", ["kompetanse/x.py", "kompetanse/site/templates/base.html",
                                     "kompetanse/site/static/site.css", "kompetanse/site/static/index.js"])
def test_a_change_to_code_templates_css_or_js_changes_the_package_fingerprint(tmp_path, monkeypatch, changed):
    from kompetanse.build import plan

    root = tmp_path / "kompetanse"
    files = ["kompetanse/x.py", "kompetanse/site/templates/base.html", "kompetanse/site/static/site.css",
             "kompetanse/site/static/index.js"]
    for f in files:
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_text("a", encoding="utf-8")
    monkeypatch.setattr(plan, "PACKAGE_DIR", root)
    before = plan.package_fingerprint()
    (tmp_path / changed).write_text("b", encoding="utf-8")
    assert plan.package_fingerprint() != before

"""The unchanged rebuild (`kompetanse.build.unchanged`): a build with the same inputs, notebooks,
package and parameters as the last whole one writes nothing and says every report is
unchanged, but only when every file of the site is on disk as it was written. Each way a site
can be out of place sends the build back to deciding report by report."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kompetanse.build import batch as build
from kompetanse.build import unchanged
from kompetanse.build.pdf import unavailable

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
PDFS = unavailable() is None


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """One whole build of the sample for Utsira (its report in both forms), with PDFs where
    Chromium is there, and its folder."""
    out = tmp_path_factory.mktemp("reports")
    result = build.build_reports(None, out=out, kommuner=["1151"], progress=False, pdf=PDFS)
    assert {o.status for o in result.statuses} == {"built"}
    return result.folder


def _files(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in folder.rglob("*") if p.is_file() and p.name != ".build.lock"}


def _key(folder: Path) -> str:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["build_key"]


def test_an_unchanged_rebuild_writes_nothing_and_says_every_report_and_pdf_is_unchanged(whole):
    before = _files(whole)
    again = build.build_reports(None, out=whole.parent, kommuner=["1151"], progress=False, pdf=PDFS)
    assert {o.status for o in again.statuses} == {"unchanged"}
    assert [o.key for o in again.statuses] == [r["key"] for r in json.loads(
        (whole / "manifest.json").read_text(encoding="utf-8"))["reports"]]
    if PDFS:
        assert again.pdfs and {p.status for p in again.pdfs} == {"unchanged"}
    after = _files(whole)
    assert after.keys() == before.keys()
    assert [name for name in before if before[name] != after[name]] == []


#: What the full build imports and the unchanged rebuild has no need of: each costs from a tenth
#: of a second to seconds (nbformat's schema validator compiles 39 grammars).
HEAVY = {"nbformat", "papermill", "IPython", "matplotlib", "statsmodels", "kompetanse.build.workers",
         "kompetanse.reports.kommune", "kompetanse.reports.nasjonal", "kompetanse.reports.program",
         "kompetanse.reports.utfall", "kompetanse.analysis.coverage"}


def test_the_unchanged_rebuild_imports_neither_nbformat_nor_the_report_modules(whole):
    code = ("import sys; from kompetanse.build.batch import build_reports; "
            f"r = build_reports(None, out={str(whole.parent)!r}, kommuner=['1151'], progress=False, pdf={PDFS}); "
            "assert {o.status for o in r.statuses} == {'unchanged'}, r.statuses; "
            f"print(sorted(set(sys.modules) & set({sorted(HEAVY)!r})))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def _copy(whole: Path, tmp_path: Path) -> Path:
    folder = tmp_path / whole.name
    shutil.copytree(whole, folder)
    assert unchanged.unchanged_build(folder, _key(folder)) is not None  # the copy itself is unchanged
    return folder


def _edit_manifest(folder: Path, change) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _append(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b" ")


def _other_form(folder: Path) -> tuple[str, str]:
    """The key and page of Utsira's report in the form that is not its own."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return next((r["key"], r["html"]) for r in manifest["reports"] if r["key"].startswith("kommune/1151."))


def _first_download(folder: Path) -> Path:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return folder / next(d["file"] for d in manifest["downloads"] if d["key"] == "kommune/1151")


def _other_fingerprint(folder: Path) -> None:
    page = folder / "nasjonal.html"
    page.write_bytes(re.sub(rb'(name="kompetanse-fingerprint" content=")[0-9a-f]{64}', rb"\g<1>" + b"0" * 64,
                            page.read_bytes(), count=1))


def _unlinked_target_appears(folder: Path) -> None:
    # a page of another municipality the programme page could not link to when it was written
    from kompetanse.site.pages import unlinked_targets

    page = folder / "program-2024.html"
    targets = unlinked_targets(page.read_text(encoding="utf-8")[:65536])
    target = next(t for t in targets if t.startswith("kommuner/") and t.endswith(".html"))
    (folder / target).write_text("<!doctype html>", encoding="utf-8")


TAMPERED = {
    "a page removed": lambda f: (f / "kommuner" / "1151.html").unlink(),
    "a page of the other form removed": lambda f: (f / _other_form(f)[1]).unlink(),
    "a page's fingerprint edited": _other_fingerprint,
    "an executed notebook removed": lambda f: (f / "notebooks" / "kommuner" / "1151.ipynb").unlink(),
    "a download edited": lambda f: _append(_first_download(f)),
    "a download removed": lambda f: _first_download(f).unlink(),
    "the index removed": lambda f: (f / "index.html").unlink(),
    "the accessibility statement removed": lambda f: (f / "tilgjengelighet.html").unlink(),
    "a page it did not link to appeared": _unlinked_target_appears,
    # pages of an earlier build that this one did not make: the index links whichever are there
    "another page added to the folder": lambda f: (f / "kommuner" / "4601.html").write_text("<!doctype html>"),
    "an executed notebook added to the folder": lambda f: (f / "notebooks" / "x.ipynb").write_text("{}"),
    "the manifest lacks the site's digest": lambda f: _edit_manifest(f, lambda m: m.pop("site_sha256")),
    "the last build had a failed report": lambda f: _edit_manifest(
        f, lambda m: (m["summary"].update(failed=1), m["reports"][-1].update(status="failed"))),
    "the last build was interrupted": lambda f: _edit_manifest(f, lambda m: m["summary"].update(interrupted=1)),
    "the last build had an error": lambda f: _edit_manifest(f, lambda m: m.update(errors=["an input changed"])),
    "the last build had no browser": lambda f: _edit_manifest(f, lambda m: m.update(pdf_warning="no Chromium")),
    "the manifest is not JSON": lambda f: (f / "manifest.json").write_text("{", encoding="utf-8"),
    "the manifest is a list": lambda f: (f / "manifest.json").write_text("[]", encoding="utf-8"),
    "the manifest lacks its reports": lambda f: _edit_manifest(f, lambda m: m.pop("reports")),
    "the manifest has another key": lambda f: _edit_manifest(f, lambda m: m.update(build_key="0" * 64)),
}
if PDFS:
    TAMPERED |= {
        "a PDF removed": lambda f: (f / "kommuner" / "1151.pdf").unlink(),
        "a page changed after its PDF was printed": lambda f: _append(f / "kommuner" / "1151.html"),
        "the last build had a failed PDF": lambda f: _edit_manifest(f, lambda m: m["pdf_summary"].update(failed=1)),
    }


@pytest.mark.parametrize("how", sorted(TAMPERED))
def test_a_site_out_of_place_is_not_taken_for_unchanged(whole, tmp_path, how):
    folder = _copy(whole, tmp_path)
    key = _key(folder)
    TAMPERED[how](folder)
    assert unchanged.unchanged_build(folder, key) is None


def test_the_full_build_mends_what_the_quick_check_refused(whole, tmp_path):
    folder = _copy(whole, tmp_path)
    key, html = _other_form(folder)
    (folder / html).unlink()
    mended = build.build_reports(None, out=folder.parent, kommuner=["1151"], progress=False, pdf=PDFS)
    assert {o.key: o.status for o in mended.statuses if o.status != "unchanged"} == {key: "built"}
    assert unchanged.unchanged_build(folder, _key(folder)) is not None


def test_force_rebuilds_an_unchanged_site(whole, tmp_path):
    folder = _copy(whole, tmp_path)
    forced = build.build_reports(None, out=folder.parent, kommuner=["1151"], progress=False, pdf=False, force=True)
    assert {o.status for o in forced.statuses} == {"built"}


def _key_of(tmp_path: Path, **change) -> str:
    inputs = {"tilbud": {"file": "tilbud.csv", "sha256": "a" * 64}}
    parameters = {"periode": 2025, "kommuner": ["1151"], "data": "", "utgave": "offentlig", "pdf": True}
    return unchanged.build_key(inputs=change.pop("inputs", inputs), parameters={**parameters, **change})


@pytest.mark.parametrize("change", [{"periode": 2024}, {"kommuner": ["1151", "0301"]}, {"data": "/data"},
                                    {"utgave": "intern"}, {"pdf": False},
                                    {"inputs": {"tilbud": {"file": "tilbud.csv", "sha256": "b" * 64}}},
                                    {"inputs": {"tilbud": {"file": "tilbud.csv", "sha256": "a" * 64},
                                                "kommunegrupper": {"file": "g.csv", "sha256": "c" * 64}}}])
def test_the_build_key_changes_with_every_input_and_parameter(tmp_path, change):
    assert _key_of(tmp_path) == _key_of(tmp_path)
    assert _key_of(tmp_path, **change) != _key_of(tmp_path)


def test_the_build_key_changes_with_a_notebook_and_with_the_package(tmp_path, monkeypatch):
    from kompetanse import resources
    from kompetanse.build import plan

    notebooks = tmp_path / "notebooks"
    shutil.copytree(resources.notebook_dir(), notebooks)
    monkeypatch.setattr(resources, "notebook_dir", lambda: notebooks)  # as the build finds its notebooks
    before = _key_of(tmp_path)
    _append(notebooks / "kommune_rapport_nn.ipynb")
    edited = _key_of(tmp_path)
    assert edited != before
    (notebooks / "kommune_rapport_nn.ipynb").unlink()  # without the nynorsk twin the site has other pages
    assert len({before, edited, _key_of(tmp_path)}) == 3
    monkeypatch.setattr(unchanged, "package_fingerprint", lambda: "another package")
    assert _key_of(tmp_path) not in {before, edited}
    assert plan.package_fingerprint() != "another package"


def test_an_input_with_new_bytes_sends_the_build_to_decide_report_by_report(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    out = tmp_path / "reports"
    build.build_reports(data, out=out, kommuner=["1151"], progress=False, pdf=False)
    assert {o.status for o in build.build_reports(data, out=out, kommuner=["1151"], progress=False,
                                                    pdf=False).statuses} == {"unchanged"}
    befolkning = data / "befolkning.csv"
    befolkning.write_text(befolkning.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # same rows, new bytes
    same_rows = build.build_reports(data, out=out, kommuner=["1151"], progress=False, pdf=False)
    # the key changed, so the full build decided: the national overview records every input
    # file's digest and is built again; the other reports' data digests are as they were
    assert {o.key for o in same_rows.statuses if o.status == "built"} == {"nasjonal"}
    assert {o.status for o in same_rows.statuses if o.key != "nasjonal"} == {"unchanged"}
    folder = same_rows.folder
    assert unchanged.unchanged_build(folder, _key(folder)) is not None

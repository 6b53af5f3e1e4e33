"""`kompetanse report --kommunegrupper FILE`: the municipal reports compare with the peers of a
supplied grouping; the file is checked before anything is built, recorded in the manifest, and
its content is part of the municipal reports' fingerprints."""

from __future__ import annotations

import hashlib
import json

import pandas as pd

from kompetanse.build import batch as build
from kompetanse.cli import main

GROUPS = "kommunenummer,gruppe,gruppenavn\n0301,K13,KOSTRA-gruppe 13\n3101,K13,KOSTRA-gruppe 13\n"


def _extract(folder) -> pd.DataFrame:
    """The national page's statistics-bank extract, read back from its CSV download."""
    files = [f for f in folder.glob("nasjonal.*.csv")
             if f.read_text(encoding="utf-8-sig").startswith("kommunenummer;")]
    assert len(files) == 1, files
    return pd.read_csv(files[0], sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)


def _statuses(result) -> dict[str, str]:
    return {r.key: r.status for r in result.statuses}


def test_a_grouping_file_sets_the_peers_of_the_build_and_its_fingerprints(tmp_path):
    groups = tmp_path / "grupper.csv"
    groups.write_text(GROUPS, encoding="utf-8")
    out = tmp_path / "reports"
    first = build.build_reports(None, out=out, kommuner=["0301"], progress=False, pdf=False, jobs=1,
                                kommunegrupper=groups)
    assert not first.failed and first.count("built") == len(first.statuses)
    page = (first.folder / "kommuner" / "0301.html").read_text(encoding="utf-8")
    assert "KOSTRA-gruppe 13" in page
    manifest = json.loads((first.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["kommunegrupper"] == {
        "file": str(groups.resolve()), "sha256": hashlib.sha256(groups.read_bytes()).hexdigest()}

    # unchanged: nothing is rebuilt
    again = build.build_reports(None, out=out, kommuner=["0301"], progress=False, pdf=False, jobs=1,
                                kommunegrupper=groups)
    assert set(_statuses(again).values()) == {"unchanged"}

    # the national extract names the group of every municipality the grouping lists
    extract = _extract(first.folder)
    assert set(extract.loc[extract["kommunenummer"].isin(["0301", "3101"]), "kommunegruppe"]) == {"KOSTRA-gruppe 13"}
    assert "KOSTRA-gruppe 13" not in set(extract.loc[~extract["kommunenummer"].isin(["0301", "3101"]),
                                                     "kommunegruppe"])

    # the group renamed: Oslo's reports (both forms) and the national overview with its extract
    # are rebuilt, the programme and outcome pages are not
    groups.write_text(GROUPS.replace("KOSTRA-gruppe 13", "Storbyene"), encoding="utf-8")
    renamed = build.build_reports(None, out=out, kommuner=["0301"], progress=False, pdf=False, jobs=1,
                                  kommunegrupper=groups)
    statuses = _statuses(renamed)
    assert {k for k, s in statuses.items() if s == "built"} == {
        k for k in statuses if k.startswith("kommune/") or k == "nasjonal"}
    page = (renamed.folder / "kommuner" / "0301.html").read_text(encoding="utf-8")
    assert "Storbyene" in page and "KOSTRA-gruppe 13" not in page
    assert set(_extract(renamed.folder).query("kommunenummer == '0301'")["kommunegruppe"]) == {"Storbyene"}

    # without the file the size bands come back, and the reports are rebuilt for it
    bands = build.build_reports(None, out=out, kommuner=["0301"], progress=False, pdf=False, jobs=1)
    assert _statuses(bands)["kommune/0301"] == "built"
    assert "Storbyene" not in (bands.folder / "kommuner" / "0301.html").read_text(encoding="utf-8")


def test_a_bad_grouping_file_is_refused_before_anything_is_built(tmp_path, capsys):
    groups = tmp_path / "grupper.csv"
    groups.write_text("kommunenummer,gruppe,gruppenavn\n0301,K13,KOSTRA-gruppe 13\n301,K13,KOSTRA-gruppe 13\n",
                      encoding="utf-8")
    out = tmp_path / "reports"
    code = main(["report", "--kommune", "0301", "--out", str(out), "-q", "--uten-pdf",
                 "--kommunegrupper", str(groups)])
    printed = capsys.readouterr()
    assert code == 1
    assert "grupper.csv:3: column 'kommunenummer': value '301'" in printed.out
    assert not out.exists()

    code = main(["report", "--kommune", "0301", "--out", str(out), "-q", "--uten-pdf",
                 "--kommunegrupper", str(tmp_path / "finnes-ikke.csv")])
    assert code == 2 and "kommunegrupper" in capsys.readouterr().err
    assert not out.exists()

"""The `kompetanse` command line: output format and exit codes."""

from __future__ import annotations

import subprocess
import sys

from kompetanse.cli import main
from tests.conftest import replace_line


def test_validate_valid_data_exits_0_with_a_summary(minimal, capsys):
    assert main(["validate", str(minimal)]) == 0
    out = capsys.readouterr().out
    assert "6 tables, 22 rows read, 22 accepted, 0 rejected, 0 problems" in out


def test_validate_prints_every_problem_one_per_line_and_exits_1(minimal, capsys):
    replace_line(minimal / "tilbud.csv", 2, "0301,2024,icdp,helsestasjon,universal,4,38")
    replace_line(minimal / "befolkning.csv", 3, "1151,20x4,35")
    assert main(["validate", str(minimal)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "tilbud.csv:2: column 'niva': value 'universal': one of universell, selektiv, indikativ"
    assert lines[1] == "befolkning.csv:3: column 'ar': value '20x4': a whole number from 1990 to 2100"
    assert "22 rows read, 20 accepted, 2 rejected, 2 problems" in "\n".join(lines)


def test_validate_writes_rejected_rows_when_asked(minimal, tmp_path, capsys):
    replace_line(minimal / "befolkning.csv", 3, "1151,20x4,35")
    out = tmp_path / "avvist.csv"
    assert main(["validate", str(minimal), "--rejected", str(out)]) == 1
    text = out.read_text()
    assert text.splitlines()[0] == "table,file,row,reason,kommunenummer,ar,barn_0_17"
    assert "befolkning,befolkning.csv,3," in text
    assert text.splitlines()[1].endswith(",1151,20x4,35")  # the row as it was read, to fix and send again


def test_validate_missing_path_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "finnes-ikke")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_validate_damaged_workbook_is_a_usage_error(tmp_path, capsys):
    book = tmp_path / "skadet.xlsx"
    book.write_bytes(b"this is not a zip file")
    assert main(["validate", str(book)]) == 2
    assert "not a readable .xlsx workbook" in capsys.readouterr().err


def test_bad_data_never_gives_a_traceback(minimal):
    (minimal / "tilbud.csv").write_bytes(b"\x00\xff\xfe garbage;;\n\x81\x8d\x8f;;;\n")
    proc = subprocess.run([sys.executable, "-m", "kompetanse", "validate", str(minimal)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stdout.startswith("tilbud.csv")


def test_unknown_subcommand_is_a_usage_error():
    proc = subprocess.run([sys.executable, "-m", "kompetanse", "nothing"], capture_output=True, text=True)
    assert proc.returncode == 2


def test_validate_without_a_path_checks_the_embedded_sample(capsys):
    assert main(["validate", "-q"]) == 0
    assert "0 rejected, 0 problems" in capsys.readouterr().out


def test_sample_command_writes_what_the_committed_sample_holds(tmp_path, capsys):
    from kompetanse.data.dataset import default_data_path

    assert main(["sample", "--out", str(tmp_path / "s")]) == 0
    for committed in sorted(default_data_path().glob("*.csv")):
        assert (tmp_path / "s" / committed.name).read_bytes() == committed.read_bytes(), committed.name


def test_sample_command_refuses_a_scale_of_zero(tmp_path, capsys):
    assert main(["sample", "--out", str(tmp_path / "s"), "--scale", "0"]) == 2
    assert "The value for `--scale` must be a positive number, but 0.0 was passed" in capsys.readouterr().err


def test_report_command_refuses_zero_jobs(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "r"), "--jobs", "0"]) == 2
    assert "kompetanse report: error: The value for `--jobs` must be 1 or more, but 0 was passed" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_sample_with_another_seed_differs_and_validates(tmp_path, capsys):
    assert main(["sample", "--out", str(tmp_path / "s"), "--seed", "7", "--effect", "0"]) == 0
    assert main(["validate", "-q", str(tmp_path / "s")]) == 0
    committed = (tmp_path / "s" / "tilbud.csv").read_bytes()
    from kompetanse.data.dataset import default_data_path

    assert committed != (default_data_path() / "tilbud.csv").read_bytes()


def test_validate_prints_the_active_certified_staff_of_valid_data(minimal, capsys):
    # tests/data/minimal on 31.12.2024: A0000001 (icdp), A0000002 (icdp and cos-p), A0000003 (pmto)
    # in Oslo and A0000005 in Utsira (leaves in 2025) are active; A0000004 is in training and
    # A0000006's certification lapsed in 2020: 4 persons, 5 certifications
    assert main(["validate", str(minimal)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == "Aktive sertifiserte ansatte 31.12.2024: 4 personer (5 sertifiseringer)"
    assert lines[1].endswith("0 problems")  # right under the total


def test_validate_headline_says_person_for_one(minimal, capsys):
    staff = minimal / "ansatte_kompetanse.csv"
    lines = staff.read_text(encoding="utf-8").splitlines()
    staff.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    assert main(["validate", str(minimal), "-q"]) == 0
    assert "Aktive sertifiserte ansatte 31.12.2024: 1 person (1 sertifisering)" in capsys.readouterr().out


def test_validate_gives_no_headline_for_data_with_problems(minimal, capsys):
    replace_line(minimal / "befolkning.csv", 3, "1151,20x4,35")
    assert main(["validate", str(minimal)]) == 1
    assert "Aktive sertifiserte" not in capsys.readouterr().out


def test_validate_json_is_one_object_with_counts_problems_and_the_headline(minimal, capsys):
    import json

    assert main(["validate", str(minimal), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] is True and out["problems"] == []
    assert (out["tables"], out["rows_read"], out["accepted"], out["rejected"]) == (6, 22, 22, 0)
    assert out["aktive_sertifiserte"] == {"dato": "2024-12-31", "sertifiserte": 4, "sertifiseringer": 5}


def test_validate_json_of_bad_data_lists_the_problems_and_exits_1(minimal, capsys):
    import json

    replace_line(minimal / "befolkning.csv", 3, "1151,20x4,35")
    assert main(["validate", str(minimal), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] is False and out["aktive_sertifiserte"] is None
    assert out["problems"] == ["befolkning.csv:3: column 'ar': value '20x4': a whole number from 1990 to 2100"]


def test_validate_without_a_period_gives_no_headline_and_no_error(minimal, capsys):
    for name in ("tilbud.csv", "befolkning.csv"):  # no year in the data: no status date to count on
        path = minimal / name
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert main(["validate", str(minimal)]) == 0
    assert "Aktive sertifiserte" not in capsys.readouterr().out

"""Every row a person sees in a file is loaded or reported, checked against a count made without
the package: the csv module and openpyxl read each file of every corpus case (and the sample),
the header is found as a person finds it (the first line naming the table's columns), and the
data rows below it that are not blank are counted. For each file or sheet of a table, the
package must have read exactly that many rows, or refused the file as a whole with a problem
that names it. Also: hostile workbooks and links are refused before they are read, cleanly.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kompetanse
from kompetanse.data.schema import TABLES
from kompetanse.errors import UsageError
from tests.conftest import MINIMAL
from tests.data.bad import make_corpus

BAD = Path(__file__).parent / "data" / "bad"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"

_SPELL = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


def _key(text) -> str:
    s = str(text or "").strip().lower().translate(_SPELL).replace("aa", "a").replace("oe", "o")
    return "_".join(s.replace("-", " ").split())


def _table(stem: str) -> str | None:
    k = _key(stem)
    return {_key(t): t for t in TABLES} .get(k) or {"ansatte": "ansatte_kompetanse",
                                                    "kompetanse": "ansatte_kompetanse"}.get(k)


def _visible(records: list[list], table: str) -> int | None:
    """Rows below the header that hold something; None when no line names two columns."""
    columns = {_key(c) for c in TABLES[table].column_names} | {"kommunenr", "aar", "arstall", "nivaa"}
    for i, record in enumerate(records[:20]):
        if sum(_key(v) in columns for v in record) >= 2:
            return sum(any(str(v if v is not None else "").strip() for v in r) for r in records[i + 1:])
    return None


def _csv_records(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    elif data.count(0) * 3 >= len(data) > 3:
        text = data.decode("utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be")
    else:
        text = data.decode("latin-1")  # line breaks and separators are ASCII in every encoding sent
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("sep=")]
    try:
        sep = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=";,\t|").delimiter
    except csv.Error:
        sep = ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))


def _independent_counts(path: Path) -> dict[str, tuple[str, int | None]]:
    """File label (as the package names it) → (table, rows a person sees)."""
    out = {}
    if path.is_dir():
        for file in sorted(path.iterdir()):
            table = _table(file.stem)
            if file.suffix.lower() == ".csv" and table and not file.is_symlink():
                out[file.name] = (table, _visible(_csv_records(file), table))
        return out
    from openpyxl import load_workbook

    book = load_workbook(path, data_only=True)
    for sheet in book.worksheets:
        table = _table(sheet.title)
        if table:
            out[f"{path.name}[{sheet.title}]"] = (table, _visible([list(r) for r in sheet.iter_rows(values_only=True)],
                                                                  table))
    return out


def _inputs() -> list[Path]:
    names = set(make_corpus.FOLDER_CASES) | set(make_corpus.WORKBOOK_CASES)
    return [MINIMAL, SAMPLE, *sorted(BAD / n for n in names)]


@pytest.mark.parametrize("path", _inputs(), ids=lambda p: p.name)
def test_every_row_a_person_sees_is_read_or_the_file_refused(path):
    ds = kompetanse.load(path, on_error="skip", cache=False)
    counts = ds.counts.set_index("file")
    refused = {p.file for p in ds.problems if p.row is None}
    seen = _independent_counts(path)
    assert seen, path
    for label, (table, visible) in seen.items():
        assert visible is not None or label in refused, (label, "no header and not refused")
        if label not in counts.index:
            assert label in refused or f"{table}.csv" in refused, (label, "neither read nor refused")
            continue
        row = counts.loc[label]
        assert row["read"] == row["accepted"] + row["rejected"], label
        if label not in refused or row["read"]:
            assert row["read"] == visible, (label, row["read"], visible)


def test_the_independent_count_sees_rows_the_package_would_miss(tmp_path):
    # the check can fail: a title row above the header is not a data row, a blank line is not
    # one either, and a data row after a blank line is one
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "befolkning.csv").write_text("Tittel,,\n\nkommunenummer,ar,barn_0_17\n0301,2024,5\n\n \n3101,2024,7\n")
    assert _independent_counts(folder) == {"befolkning.csv": ("befolkning", 2)}


def _validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kompetanse", "validate", "-q", str(path)],
                          capture_output=True, text=True, timeout=300)


def test_a_workbook_that_unpacks_to_hundreds_of_mb_is_refused_before_it_is_read(tmp_path):
    book = tmp_path / "innsending.xlsx"
    make_corpus.unpacks_to(book, 300)
    assert book.stat().st_size < 1_000_000
    proc = _validate(book)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{book}: the workbook unpacks to 300 MB" in proc.stderr


def test_a_stray_value_in_the_last_cell_is_refused_with_where_it_is(tmp_path):
    proc = _validate(BAD / "usage_value_in_xfd1048576.xlsx")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "sheet 'befolkning' has 13 cells with content but they reach cell XFD1048576" in proc.stderr
    # and the batch refuses it the same way, without building anything
    out = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "kompetanse", "report", "--data",
                           str(BAD / "usage_value_in_xfd1048576.xlsx"), "--out", str(out), "--kommune", "0301",
                           "--uten-pdf", "-q"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stdout + proc.stderr
    assert "XFD1048576" in proc.stderr


def test_a_part_that_understates_its_size_is_refused(tmp_path):
    import zipfile

    book = tmp_path / "innsending.xlsx"
    make_corpus.unpacks_to(book, 2)
    # the central directory says the filler is 10 bytes; it inflates to 2 MB
    data = bytearray(book.read_bytes())
    with zipfile.ZipFile(book) as z:
        info = z.getinfo("xl/media/filler.xml")
    cd = data.rfind(b"PK\x01\x02", 0, len(data))
    while cd != -1 and not data[cd + 46:cd + 46 + len(info.filename)] == info.filename.encode():
        cd = data.rfind(b"PK\x01\x02", 0, cd)
    data[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    book.write_bytes(bytes(data))
    with pytest.raises(UsageError, match="not a readable .xlsx workbook"):
        kompetanse.load(book, cache=False)


def test_a_link_out_of_the_data_folder_is_not_followed(tmp_path):
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(MINIMAL, folder)
    secret = tmp_path / "elsewhere.csv"
    secret.write_text("kommunenummer,ar,barn_0_17\nHEMMELIG,2024,1\n")
    (folder / "befolkning.csv").unlink()
    os.symlink(secret, folder / "befolkning.csv")
    ds = kompetanse.load(folder, on_error="skip", cache=False)
    messages = [str(p) for p in ds.problems]
    assert messages == ["befolkning.csv: a link to a file outside the data folder: not read; copy the file into "
                        "the folder instead"]
    assert "HEMMELIG" not in "\n".join(messages + ds.notes)
    assert "befolkning" not in set(ds.counts["table"])
    # a link inside the folder is an ordinary file
    (folder / "befolkning.csv").unlink()
    shutil.copy(MINIMAL / "befolkning.csv", folder / "kopi.txt")
    os.symlink(folder / "kopi.txt", folder / "befolkning.csv")
    assert kompetanse.load(folder, cache=False).befolkning.shape[0] == 3


def test_an_identity_number_is_not_repeated_in_the_rejected_rows(tmp_path):
    ds = kompetanse.load(BAD / "privacy_fodselsnummer_with_dash", on_error="skip", cache=False)
    row = ds.rejected[ds.rejected["table"] == "ansatte_kompetanse"]
    assert list(row["ansatt_id"]) == ["******-*****"]
    assert "12345" not in ds.rejected.to_csv()

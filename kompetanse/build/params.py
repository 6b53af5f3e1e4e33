"""Normalise and validate parameters wherever they enter: command line, papermill, Python.

papermill turns ``-p kommunenummer 0301`` into the integer 301, and spreadsheets cut leading
zeros, so a municipality number is accepted as int or str and always comes back as four digits.
"""

from __future__ import annotations

from pathlib import Path

from kompetanse.data import reference
from kompetanse.errors import ParameterError


def kommunenummer(value: object, *, name: str = "kommunenummer") -> str:
    """A municipality number of 2024 as four digits.

    Accepts ``301``, ``"301"``, ``"0301"`` and ``301.0``. A 2020–2023 number is refused with the
    2024 number named, as is anything else that is not a municipality of 2024.

    >>> kommunenummer(301)
    '0301'
    """
    if isinstance(value, bool) or value is None:
        raise ParameterError(f"The value for `{name}` must be a municipality number, but {value!r} was passed")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # str.isdigit() also takes '٣' or '³': only the digits 0-9 make a municipality number
    if not (text.isascii() and text.isdigit()) or not 1 <= len(text) <= 4:
        raise ParameterError(
            f"The value for `{name}` must be a municipality number of four digits, e.g. '0301', "
            f"but {value!r} was passed"
        )
    number = text.zfill(4)
    known = reference.kommuner().set_index("kommunenummer")["kommunenavn"]
    if number in known.index:
        return number
    renum = reference.renumbering().query("kommunenummer_2023 == @number")
    if not renum.empty:
        new = " or ".join(f"{n} {m}" for n, m in zip(renum["kommunenummer_2024"],
                                                      renum["kommunenavn_2024"], strict=True))
        raise ParameterError(
            f"The value for `{name}` must be a municipality number of 2024, but {value!r} was passed: "
            f"{number} is the 2020–2023 number of {renum['kommunenavn_2023'].iloc[0]}; use {new}"
        )
    raise ParameterError(
        f"The value for `{name}` must be a municipality number of 2024, but {value!r} was passed: "
        f"no municipality has the number {number}"
    )


def data_path(value: object, *, name: str = "data") -> Path | None:
    """A data folder or workbook that exists, or None for the embedded sample."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    path = Path(str(value)).expanduser()
    if not path.exists():
        raise ParameterError(
            f"The value for `{name}` must be a folder of CSV files or an .xlsx workbook that exists, "
            f"but {str(value)!r} was passed"
        )
    return path


def year(value: object, *, name: str = "periode", lo: int = 1990, hi: int = 2100) -> int:
    """A calendar year as int; accepts ``2024``, ``"2024"`` and ``2024.0``."""
    try:
        number = float(str(value).strip())
    except ValueError:
        number = float("nan")
    if not number.is_integer() or not lo <= number <= hi:
        raise ParameterError(f"The value for `{name}` must be a year from {lo} to {hi}, but {value!r} was passed")
    return int(number)


def kull(value: object, ds, *, name: str = "kull") -> str:
    """A programme cohort present in ``ds.program_deltakelse``; accepts 2024, "2024", 2024.0."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    cohorts = sorted(ds.program_deltakelse["kull"].unique())
    if text not in cohorts:
        listed = ", ".join(cohorts) if cohorts else "none"
        raise ParameterError(
            f"The value for `{name}` must be a cohort in the data ({listed}), but {value!r} was passed"
        )
    return text


def periode(value: object, ds, *, name: str = "periode") -> int:
    """A period (calendar year) with data in ``ds``; empty or None means the latest."""
    from kompetanse.analysis.periods import latest_period

    if value is None or (isinstance(value, str) and not value.strip()):
        return latest_period(ds)
    number = year(value, name=name)
    years = sorted(set(ds.befolkning["ar"]) | set(ds.tilbud["ar"]))
    if number not in years:
        raise ParameterError(
            f"The value for `{name}` must be a year with data ({', '.join(map(str, years))}), but {value!r} was passed"
        )
    return number


def fylkesnummer(value: object, *, name: str = "fylkesnummer") -> str:
    """A county number of 2024 as two digits; accepts 3, "3", "03" and 3.0."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    counties = reference.kommuner().drop_duplicates("fylkesnummer").set_index("fylkesnummer")["fylkesnavn"]
    number = text.zfill(2) if text.isdigit() and len(text) <= 2 else text
    if number not in counties.index:
        listed = ", ".join(f"{k} {v}" for k, v in counties.sort_index().items())
        raise ParameterError(
            f"The value for `{name}` must be a county number of 2024 ({listed}), but {value!r} was passed"
        )
    return number

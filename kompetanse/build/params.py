"""Normalise and validate parameters wherever they enter: command line, papermill, Python.

papermill turns ``-p kommunenummer 0301`` into the integer 301, and spreadsheets cut leading
zeros, so a municipality number is accepted as int or str and always comes back as four digits.
"""

from __future__ import annotations

from pathlib import Path

from kompetanse.data import reference
from kompetanse.data.schema import YEAR_RANGE
from kompetanse.errors import ParameterError, argument_error


def kommunenummer(value: object, *, name: str = "kommunenummer") -> str:
    """A municipality number of 2024 as four digits.

    Accepts ``301``, ``"301"``, ``"0301"`` and ``301.0``. A 2020–2023 number is refused with the
    2024 number named, as is anything else that is not a municipality of 2024.

    >>> kommunenummer(301)
    '0301'
    """
    if isinstance(value, bool) or value is None:
        raise argument_error(name, "a municipality number", value, cls=ParameterError)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # str.isdigit() also takes '٣' or '³': only the digits 0-9 make a municipality number
    if not (text.isascii() and text.isdigit()) or not 1 <= len(text) <= 4:
        raise argument_error(name, "a municipality number of four digits, e.g. '0301'", value, cls=ParameterError)
    number = text.zfill(4)
    known = reference.kommuner().set_index("kommunenummer")["kommunenavn"]
    if number in known.index:
        return number
    renum = reference.renumbering().query("kommunenummer_2023 == @number")
    if not renum.empty:
        new = " or ".join(f"{n} {m}" for n, m in zip(renum["kommunenummer_2024"],
                                                      renum["kommunenavn_2024"], strict=True))
        raise argument_error(
            name, "a municipality number of 2024", value, cls=ParameterError,
            detail=f"{number} is the 2020–2023 number of {renum['kommunenavn_2023'].iloc[0]}; use {new}",
        )
    raise argument_error(name, "a municipality number of 2024", value, cls=ParameterError,
                         detail=f"no municipality has the number {number}")


def data_path(value: object, *, name: str = "data") -> Path | None:
    """A data folder or workbook that exists, or None for the embedded sample."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    path = Path(str(value)).expanduser()
    if not path.exists():
        raise argument_error(name, "a folder of CSV files or an .xlsx workbook that exists", str(value),
                             cls=ParameterError)
    return path


def year(value: object, *, name: str = "periode", lo: int = YEAR_RANGE[0], hi: int = YEAR_RANGE[1]) -> int:
    """A calendar year as int; accepts ``2024``, ``"2024"`` and ``2024.0``. By default any year the
    data contract accepts (`kompetanse.data.schema.YEAR_RANGE`)."""
    try:
        number = float(str(value).strip())
    except ValueError:
        number = float("nan")
    if not number.is_integer() or not lo <= number <= hi:
        raise argument_error(name, f"a year from {lo} to {hi}", value, cls=ParameterError)
    return int(number)


def kull(value: object, ds, *, name: str = "kull") -> str:
    """A programme cohort present in ``ds.program_deltakelse``; accepts 2024, "2024", 2024.0."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    cohorts = sorted(ds.program_deltakelse["kull"].unique())
    if text not in cohorts:
        listed = ", ".join(cohorts) if cohorts else "none"
        raise argument_error(name, f"a cohort in the data ({listed})", value, cls=ParameterError)
    return text


def periode(value: object, ds, *, name: str = "periode") -> int:
    """A period (calendar year) with data in ``ds``; empty or None means the latest."""
    from kompetanse.analysis.periods import latest_period

    if value is None or (isinstance(value, str) and not value.strip()):
        return latest_period(ds)
    number = year(value, name=name)
    years = sorted(set(ds.befolkning["ar"].unique().tolist()) | set(ds.tilbud["ar"].unique().tolist()))
    if number not in years:
        raise argument_error(name, f"a year with data ({', '.join(map(str, years))})", value, cls=ParameterError)
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
        raise argument_error(name, f"a county number of 2024 ({listed})", value, cls=ParameterError)
    return number


def utgave(value: object, *, name: str = "utgave") -> str:
    """The edition of a report (`kompetanse.settings.EDITIONS`): ``"offentlig"`` (the published
    page, following the staff policy, ``docs/staff-policy.md``) or ``"intern"`` (for the
    municipality's own leaders, never published). Case and surrounding spaces are ignored;
    the nynorsk «offentleg» means ``"offentlig"``.

    >>> utgave(" Intern ")
    'intern'
    """
    from kompetanse.settings import EDITIONS

    text = value.strip().lower() if isinstance(value, str) else value
    text = "offentlig" if text == "offentleg" else text
    if text not in EDITIONS:
        raise argument_error(name, f"an edition ({' or '.join(EDITIONS)})", value, cls=ParameterError)
    return text


def declared_only(namespace: dict) -> None:
    """Refuse a parameter papermill injected that the notebook does not declare.

    papermill only warns about ``-p kommunenumer 1804`` and runs the notebook with its default
    (Oslo) and exit 0. Called first in a notebook with ``globals()``: the names the notebook
    declares are its ``parameters`` cell's annotations (``kommunenummer: str = "0301"``); the
    names injected are those assigned in the last cell papermill injected (``# Parameters``),
    which the kernel's input history holds. Outside papermill there is no such cell and this
    does nothing.
    """
    import ast

    declared = set(namespace.get("__annotations__") or ())
    history = namespace.get("In") or []
    injected = next((source for source in reversed(history) if source.lstrip().startswith("# Parameters")), None)
    if injected is None or not declared:
        return
    try:
        tree = ast.parse(injected)
    except SyntaxError:
        return
    names = {target.id for node in tree.body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)}
    unknown = sorted(names - declared)
    if unknown:
        raise ParameterError(
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: this notebook's parameters "
            f"are {', '.join(sorted(declared))}")

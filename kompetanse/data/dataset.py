"""The `Dataset`: every input table validated, typed and joined to the reference tables, and
`load()`, the one line an analyst needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from kompetanse.data import reference
from kompetanse.data.io import read_input
from kompetanse.data.schema import TABLES
from kompetanse.data.validate import Validation, validate_input
from kompetanse.errors import DataError, Problem, argument_error
from kompetanse.formatting import number
from kompetanse.resources import sample_dir

_PLACE_COLUMNS = ["kommunenavn", "fylkesnummer", "fylkesnavn"]


def default_data_path() -> Path:
    """The embedded default data, the committed synthetic national sample: ``data/sample/`` in a
    checkout, the copy inside the package when installed (`kompetanse.resources.sample_dir`)."""
    return sample_dir()


@dataclass
class Dataset:
    """All tables of one input, validated and typed.

    Municipal tables carry ``kommunenavn``, ``fylkesnummer`` and ``fylkesnavn`` joined from the
    reference table right after ``kommunenummer``. Categorical columns keep the contract's fixed
    order (``niva``: universell, selektiv, indikativ); dates are datetimes; municipality numbers
    are four-digit strings.

    Attributes
    ----------
    ansatte_kompetanse, tilbud, befolkning, program_deltakelse, program_aktiviteter,
    foreldreundersokelsen : the input tables (accepted rows only).
    kommuner, metoder, metode_nivaer : the reference tables.
    rejected : one row per rejected input row: table, file, row, reason, and the row's values
        as they were read (text), to fix and send again. Empty when ``on_error="raise"`` (a
        rejected row raises instead).
    problems : every `Problem` found, including file-level ones.
    notes : what was normalised or ignored while reading (encodings, headers, old numbers).
    counts : per table: file, rows read, accepted, rejected.
    path : where the data was read from; ``sources``: table → (file label, SHA-256).
    """

    ansatte_kompetanse: pd.DataFrame
    tilbud: pd.DataFrame
    befolkning: pd.DataFrame
    program_deltakelse: pd.DataFrame
    program_aktiviteter: pd.DataFrame
    foreldreundersokelsen: pd.DataFrame
    kommuner: pd.DataFrame
    metoder: pd.DataFrame
    metode_nivaer: pd.DataFrame
    rejected: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    path: Path | None = None
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The input tables by name, in the contract's order."""
        return {name: getattr(self, name) for name in TABLES}

    def __repr__(self) -> str:
        lines = [f"Dataset from {self.path}"]
        for name, frame in self.tables().items():
            lines.append(f"  {name:<24}{number(len(frame), thousands=' '):>9} rows")
        lines.append(f"  {'rejected':<24}{number(len(self.rejected), thousands=' '):>9} rows")
        return "\n".join(lines)


    def copy(self) -> Dataset:
        """A copy whose tables can be changed without touching this one (cheap: with
        copy-on-write, data is copied only when a table is modified)."""
        tables = {name: frame.copy(deep=False) for name, frame in self.tables().items()}
        return Dataset(
            **tables,
            kommuner=self.kommuner.copy(deep=False),
            metoder=self.metoder.copy(deep=False),
            metode_nivaer=self.metode_nivaer.copy(deep=False),
            rejected=self.rejected.copy(deep=False),
            problems=list(self.problems),
            notes=list(self.notes),
            counts=self.counts.copy(deep=False),
            path=self.path,
            sources=dict(self.sources),
        )


# Validated data sets of this process, keyed on the files' names, sizes and modification times:
# a report batch loads the same data hundreds of times in one warm kernel.
_CACHE: dict[tuple, Dataset] = {}
_CACHE_SIZE = 4


def _cache_key(where: Path, on_error: str) -> tuple | None:
    try:
        files = sorted(where.iterdir()) if where.is_dir() else [where]
        stats = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.is_file())
    except OSError:
        return None
    return (str(where.resolve()), on_error, stats)


def _with_places(frame: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    out = frame.merge(places, on="kommunenummer", how="left", validate="many_to_one")
    first = ["kommunenummer", *_PLACE_COLUMNS]
    return out[first + [c for c in frame.columns if c != "kommunenummer"]]


def build_dataset(validation: Validation, path: Path | None) -> Dataset:
    """Join validated tables to the reference tables."""
    places = reference.kommuner()[["kommunenummer", *_PLACE_COLUMNS]]
    tables = {name: _with_places(validation.tables[name], places) for name in TABLES}
    return Dataset(
        **tables,
        kommuner=reference.kommuner(),
        metoder=reference.metoder(),
        metode_nivaer=reference.metode_nivaer(),
        rejected=validation.rejected,
        problems=validation.problems,
        notes=validation.notes,
        counts=validation.counts,
        path=path,
        sources=validation.sources,
    )


def check(path: str | Path | None = None, *, tilbakemelding: str | Path | None = None) -> tuple[Validation, Path]:
    """Read and validate without raising for bad data (what ``kompetanse validate`` runs).

    With ``tilbakemelding`` (an ``.xlsx`` path), also write the feedback workbook there, with or
    without problems: the submission with every problem cell marked and a summary sheet
    (`kompetanse.data.feedback.write_feedback`).
    """
    where = Path(path) if path is not None else default_data_path()
    if tilbakemelding is not None:
        from kompetanse.data.feedback import check_feedback_path, write_feedback

        check_feedback_path(tilbakemelding, where)
    raw = read_input(where)
    validation = validate_input(raw)
    if tilbakemelding is not None:
        write_feedback(raw, validation, tilbakemelding)
    return validation, where


def load(
    path: str | Path | None = None, *, on_error: Literal["raise", "skip"] = "raise", cache: bool = True
) -> Dataset:
    """Load and validate every table of a data set.

    Parameters
    ----------
    path : a folder of CSV files, one ``.xlsx`` workbook with a sheet per table, or None for the
        embedded synthetic sample in ``data/sample/``.
    on_error : ``"raise"`` (default) raises one `DataError` carrying every problem when any row
        or file is bad; ``"skip"`` returns the accepted rows and puts each rejected row, with its
        reasons, in ``Dataset.rejected``, so that accepted + rejected = rows read.
    cache : reuse the data set validated earlier in this process when no file has changed
        (same names, sizes and modification times); you get a copy you are free to change.

    Returns
    -------
    Dataset

    Raises
    ------
    UsageError : the path does not exist or a file cannot be opened.
    DataError : with ``on_error="raise"``, when anything is wrong with the data.

    Examples
    --------
    >>> import kompetanse
    >>> ds = kompetanse.load()
    >>> ds.ansatte_kompetanse.groupby("fylkesnavn").size()  # doctest: +SKIP
    """
    if on_error not in ("raise", "skip"):
        raise argument_error("on_error", "one of 'raise', 'skip'", on_error)
    where = Path(path) if path is not None else default_data_path()
    key = _cache_key(where, on_error) if cache else None
    if key is not None and key in _CACHE:
        return _CACHE[key].copy()
    validation, where = check(where)
    if on_error == "raise" and validation.problems:
        raise DataError(validation.problems)
    ds = build_dataset(validation, where)
    if key is not None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = ds
        return ds.copy()
    return ds

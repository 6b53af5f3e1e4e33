"""Errors for people: a `Problem` names the file, row, column, value and what was expected.

This module imports nothing else from the package, so every other module can use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass


class KompetanseError(Exception):
    """Base class of every error the package raises on purpose."""


class UsageError(KompetanseError):
    """The caller asked for something that cannot be done: no such path, unreadable file,
    unknown parameter. The command line exits 2 for these."""


class ParameterError(UsageError):
    """A parameter that cannot be used; the message says what was expected."""


def argument_error(name: str, expected: str, value: object, *, detail: str = "",
                   cls: type[UsageError] = UsageError) -> UsageError:
    """The one message for an argument that cannot be used, in seaborn's tone.

    ``raise argument_error("min_certified", "a whole number of 1 or more", 0)`` gives
    "The value for `min_certified` must be a whole number of 1 or more, but 0 was passed";
    ``detail`` follows after a colon (what the value is instead, what to use).
    """
    message = f"The value for `{name}` must be {expected}, but {value!r} was passed"
    return cls(message + (f": {detail}" if detail else ""))


def check_argument(name: str, options: Iterable, value: object, *, cls: type[UsageError] = UsageError) -> None:
    """Raise :func:`argument_error` unless ``value`` is one of ``options`` (listed in the message)."""
    options = list(options)
    if value not in options:
        listed = ", ".join(map(str, options)) if options else "(none available)"
        raise argument_error(name, f"one of {listed}", value, cls=cls)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one cell, row, file or table.

    Attributes
    ----------
    file : the file name the user sent (``tilbud.csv``) or ``workbook.xlsx[tilbud]`` for a sheet.
    row : the row as a spreadsheet user sees it (the header is row 1), or ``None`` when the
        problem concerns the whole file or table.
    column : the canonical column name, or ``None``.
    value : the offending value as it stood in the file (``""`` for an empty cell).
    expected : what was expected and, where possible, how to fix it.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row is not None else self.file
        parts = [where]
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if self.value is not None:
            parts.append(f"value '{_shorten(self.value)}'")
        parts.append(self.expected)
        return ": ".join(parts)

    def as_dict(self) -> dict:
        return asdict(self)


def _shorten(value: str, limit: int = 80) -> str:
    """Keep a huge field from flooding the terminal; the row and column still locate it."""
    value = value.replace("\n", "\\n").replace("\r", "\\r")
    if len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value)} characters)"


class DataError(KompetanseError):
    """Bad data: carries every problem found, not only the first."""

    def __init__(self, problems: Iterable[Problem]):
        # kept in the order given: the validator orders them by table, row and column
        self.problems: list[Problem] = list(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        n = len(self.problems)
        shown = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n… and {n - 20} more problems" if n > 20 else ""
        return f"{n} problem{'s' if n != 1 else ''} in the data:\n{shown}{more}"

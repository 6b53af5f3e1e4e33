"""Errors for people: a `Problem` names the file, row, column, value and what was expected.

This module imports nothing else from the package, so every other module can use it.
"""

from __future__ import annotations

import unicodedata
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
            parts.append(f"value '{shown(self.value)}'")
        parts.append(self.expected)
        return ": ".join(parts)

    def as_dict(self) -> dict:
        return asdict(self)


def shown(value: str, limit: int = 80) -> str:
    """A value from the data as a message may show it: characters that cannot be seen (control
    characters, zero-width and direction marks, the byte order mark, spaces other than the
    plain one) written as escapes such as ``\\u200b``, so that ``'12\\u200b3'`` does not look like
    a valid number; and a huge field shortened (the row and column still locate it)."""
    value = "".join(_escape(ch) for ch in str(value))
    if len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value)} characters)"


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    if ch in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[ch]
    if ch == " " or (ch.isprintable() and unicodedata.category(ch) not in ("Cf", "Zs", "Zl", "Zp", "Co", "Cn")):
        return ch
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


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

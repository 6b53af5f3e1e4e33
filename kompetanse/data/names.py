"""The names people give tables, columns and values, mapped to the contract's: case, æøå spelled
out or transliterated, spaces and hyphens, and the aliases seen in municipal files."""

from __future__ import annotations

import re

from kompetanse.data.schema import TABLES

__all__ = ["FEEDBACK_COLUMN", "FEEDBACK_SHEET", "HEADER_ALIASES", "TEMPLATE_INSTRUCTION_SHEET", "TEMPLATE_LISTS_SHEET",
           "normalise_name", "table_for"]

#: Header spellings seen in municipal files beyond case, æøå and spacing.
HEADER_ALIASES: dict[str, str] = {
    "kommunenr": "kommunenummer",
    "knr": "kommunenummer",
    "kommune_nr": "kommunenummer",
    "kommunenummer_2024": "kommunenummer",
    "aarstall": "ar",
    "arstall": "ar",
    "nivaa": "niva",
    "forebyggingsniva": "niva",
}

#: The summary sheet and the message column of the feedback workbook
#: (``kompetanse validate --tilbakemelding``): a workbook with this sheet is the feedback sent
#: back again, and its reader passes over the sheet and the column without a note.
FEEDBACK_SHEET = "Oppsummering"
FEEDBACK_COLUMN = "Feil"
#: The submission template's own sheets (`kompetanse.data.template`): the instructions and the
#: hidden lists its dropdowns draw on. A workbook's reader passes over them without a note.
TEMPLATE_INSTRUCTION_SHEET = "Veiledning"
TEMPLATE_LISTS_SHEET = "lister"

_TRANSLIT = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "ä": "ae", "ö": "o"})


def normalise_name(text: str) -> str:
    """Canonical key for a header, table or category value: lower case, æøå spelled out or
    transliterated alike (``nivå`` = ``niva`` = ``nivaa``), runs of spaces and hyphens as ``_``."""
    s = str(text).replace("\ufeff", "").strip().lower().translate(_TRANSLIT)
    s = s.replace("oe", "o").replace("aa", "a")
    s = re.sub(r"[\s\-/.]+", "_", s)
    return s.strip("_")


_TABLE_KEYS = {normalise_name(name): name for name in TABLES}
# "ansatte_kompetanse" is also sent as "ansatte" or "kompetanse"
_TABLE_KEYS |= {"ansatte": "ansatte_kompetanse", "kompetanse": "ansatte_kompetanse"}


def table_for(name: str) -> str | None:
    """The canonical table a file stem or sheet name stands for, or None."""
    return _TABLE_KEYS.get(normalise_name(name))


def header_key(text: str) -> str:
    """A header cell's key after aliases: compare with ``normalise_name`` of a column name."""
    key = normalise_name(text)
    return HEADER_ALIASES.get(key, key)

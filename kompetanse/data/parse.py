"""Parse each column of a table from text into typed values, and record every cell that fails:
types, allowed values, ranges, municipality numbers (with their 2020–2023 renumbering), dates,
pseudonymous ids, cohorts.

Parsing is vectorised: every column is parsed whole and each failing cell becomes one problem in
a `TableResult`; `kompetanse.data.validate` then checks rows, keys and references and rejects
every row with a problem.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kompetanse.data import reference
from kompetanse.data.names import normalise_name
from kompetanse.data.schema import METODE_ALIASES, YEAR_RANGE, Column
from kompetanse.errors import Problem


@dataclass
class TableResult:
    """A table after validation: typed values for every row read, which rows are rejected
    and why."""

    name: str
    source: str
    typed: pd.DataFrame
    text: pd.DataFrame
    rows: np.ndarray
    problems: list[pd.DataFrame] = field(default_factory=list)  # pos, column, value, expected
    notes: list[str] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    all_rejected_because: str | None = None
    rejected_rows: np.ndarray | None = None  # rows io already reported (see file_problems)

    def add(self, mask, column: str | None, expected, value=None) -> None:
        """Record a problem for each row where ``mask`` is True."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        pos = np.flatnonzero(mask)
        if value is None:
            values = self.text[column].to_numpy()[pos] if column in self.text else [""] * len(pos)
        else:
            values = np.asarray(value, dtype=object)[pos]
        exp = np.asarray(expected, dtype=object)[pos] if not isinstance(expected, str) else expected
        self.problems.append(
            pd.DataFrame({"pos": pos, "column": column, "value": values, "expected": exp})
        )

    @property
    def bad_positions(self) -> np.ndarray:
        bad = np.zeros(len(self.typed), dtype=bool)
        if self.all_rejected_because is not None:
            bad[:] = True
        if self.rejected_rows is not None:
            bad |= self.rejected_rows
        for p in self.problems:
            bad[p["pos"].to_numpy(dtype=np.int64)] = True
        return bad

    def problem_list(self) -> list[Problem]:
        out = list(self.file_problems)
        for frame in self.problems:
            if self.rejected_rows is not None:
                # A row with too few or too many fields, or a quote left open, has its cells in
                # the wrong columns: what its cells then break says nothing; io's problem does.
                frame = frame[~self.rejected_rows[frame["pos"].to_numpy(dtype=np.int64)]]
            rows = self.rows[frame["pos"].to_numpy(dtype=np.int64)]
            out.extend(
                Problem(self.source, int(r), c, None if v is None else str(v), str(e))
                for r, c, v, e in zip(rows, frame["column"], frame["value"], frame["expected"],
                                      strict=True)
            )
        return out


# ------------------------------------------------------------------------------ column parsers


def _strip(s: pd.Series) -> pd.Series:
    return s.str.strip()


def _required(col: Column, res: TableResult, s: pd.Series, what: str) -> pd.Series:
    empty = (s == "").to_numpy()
    if col.required:
        res.add(empty, col.name, f"{what} (required; the cell is empty)")
    return empty


def _parse_kommunenummer(col: Column, res: TableResult, s: pd.Series) -> pd.Series:
    s = _strip(s)
    empty = _required(col, res, s, "a municipality number of 2024 (four digits, e.g. 0301)")
    s = s.str.replace(r"\.0+$", "", regex=True)
    three = s.str.fullmatch(r"\d{3}").fillna(False).to_numpy(dtype=bool)
    if three.any():
        example = s[three].iloc[0]
        res.notes.append(
            f"{res.source}: column '{col.name}': {three.sum()} three-digit municipality "
            f"number{'s' if three.sum() > 1 else ''} given a leading zero (e.g. '{example}' → "
            f"'{example.zfill(4)}'), as a spreadsheet cuts them"
        )
        s = s.mask(three, s.str.zfill(4))
    known = set(reference.kommuner()["kommunenummer"])
    valid = s.isin(known).to_numpy()
    renum = reference.renumbering()
    counts = renum["kommunenummer_2023"].value_counts()
    one_to_one = renum[renum["kommunenummer_2023"].map(counts) == 1]
    old_to_new = dict(zip(one_to_one["kommunenummer_2023"], one_to_one["kommunenummer_2024"],
                          strict=True))
    old = (~valid) & s.isin(old_to_new.keys()).to_numpy()
    if old.any():
        mapped = s[old].map(old_to_new)
        first_old, first_new = s[old].iloc[0], mapped.iloc[0]
        name = dict(zip(renum["kommunenummer_2024"], renum["kommunenavn_2024"], strict=False))
        res.notes.append(
            f"{res.source}: column '{col.name}': {old.sum()} municipality number"
            f"{'s' if old.sum() > 1 else ''} of 2020–2023 mapped to 2024 numbers (e.g. "
            f"'{first_old}' → '{first_new}' {name[first_new]})"
        )
        s = s.mask(old, s.map(old_to_new))
        valid = valid | old
    bad = ~valid & ~empty
    if bad.any():
        split = renum.groupby("kommunenummer_2023")["kommunenummer_2024"].agg(list)
        split = split[split.str.len() > 1]
        names = dict(zip(renum["kommunenummer_2024"], renum["kommunenavn_2024"], strict=False))
        old_names = dict(zip(renum["kommunenummer_2023"], renum["kommunenavn_2023"], strict=False))

        def why(v: str) -> str:
            if v in split.index:
                parts = " and ".join(f"{n} {names[n]}" for n in split[v])
                return (f"a municipality number of 2024: {v} {old_names[v]} was split on "
                        f"1 January 2024 into {parts}; use the number of the part the row is about")
            if not v.isdigit() or len(v) != 4:
                return "a municipality number of 2024: four digits, e.g. 0301 for Oslo"
            return ("a municipality number of 2024 (see kompetanse.data.reference.kommuner()); "
                    "no municipality has this number")

        reasons = {v: why(v) for v in s[bad].unique()}
        res.add(bad, col.name, s.map(reasons).to_numpy(dtype=object))
    return s.where(valid, None).astype("str")


def _parse_date(col: Column, res: TableResult, s: pd.Series) -> pd.Series:
    s = _strip(s)
    empty = _required(col, res, s, "a date as yyyy-mm-dd or dd.mm.yyyy")
    iso = pd.to_datetime(s.where(s.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}( 00:00(:00)?)?")),
                         format="ISO8601", errors="coerce")
    dotted = s.str.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}").fillna(False)
    if dotted.any():
        parsed = pd.to_datetime(s.where(dotted), format="%d.%m.%Y", errors="coerce")
        iso = iso.fillna(parsed)
        res.notes.append(f"{res.source}: column '{col.name}': dates written dd.mm.yyyy read as such")
    lo, hi = YEAR_RANGE
    in_range = iso.dt.year.between(lo, hi).fillna(False).to_numpy(dtype=bool)
    bad_format = iso.isna().to_numpy() & ~empty
    res.add(bad_format, col.name, "a date as yyyy-mm-dd or dd.mm.yyyy (day, month, year), e.g. 31.12.2024")
    res.add(~bad_format & ~empty & ~in_range, col.name, f"a date between {lo} and {hi}")
    return iso.where(in_range).astype("datetime64[ns]")


def _to_number(s: pd.Series) -> tuple[pd.Series, bool]:
    cleaned = s.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    comma = cleaned.str.fullmatch(r"-?\d*,\d+").fillna(False)
    cleaned = cleaned.mask(comma, cleaned.str.replace(",", ".", regex=False))
    return pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce"), bool(comma.any())


def _range_text(col: Column, whole: bool) -> str:
    kind = "a whole number" if whole else "a number"
    if col.min is not None and col.max is not None and col.max < 1_000_000:
        return f"{kind} from {col.min:g} to {col.max:g}"
    if col.min is not None:
        return f"{kind} ≥ {col.min:g}"
    return kind


def _parse_number(col: Column, res: TableResult, s: pd.Series, *, whole: bool) -> pd.Series:
    s = _strip(s)
    expected = _range_text(col, whole)
    empty = _required(col, res, s, expected)
    num, comma = _to_number(s)
    if comma and not whole:
        res.notes.append(f"{res.source}: column '{col.name}': decimal comma read as decimal point")
    not_number = num.isna().to_numpy() & ~empty
    res.add(not_number, col.name, expected)
    if whole:
        fractional = (num.notna() & (num % 1 != 0)).to_numpy()
        res.add(fractional, col.name, expected)
        num = num.where(~fractional)
    ok = num.notna()
    if col.min is not None:
        ok &= num >= col.min
    if col.max is not None:
        ok &= num <= col.max
    res.add((num.notna() & ~ok).to_numpy(), col.name, expected)
    num = num.where(ok)
    return num.round().astype("Int64") if whole else num.astype("float64")


def _map_unique(s: pd.Series, lookup) -> pd.Series:
    """Apply a Python function to each distinct value only: cheap on large columns."""
    uniques = s.unique()
    return s.map(dict(zip(uniques, map(lookup, uniques), strict=True)))


def _note_normalised(res: TableResult, col: Column, before: pd.Series, after: pd.Series) -> None:
    changed = (after.notna() & (before != after)).to_numpy(dtype=bool)
    if changed.any():
        i = np.flatnonzero(changed)[0]
        res.notes.append(
            f"{res.source}: column '{col.name}': {changed.sum()} value"
            f"{'s' if changed.sum() > 1 else ''} written another way read as the contract's "
            f"(e.g. '{before.iloc[i]}' → '{after.iloc[i]}')"
        )


def _parse_category(col: Column, res: TableResult, s: pd.Series) -> pd.Series:
    s = _strip(s)
    options = ", ".join(col.categories)
    empty = _required(col, res, s, f"one of {options}")
    keys = {normalise_name(c): c for c in col.categories}
    mapped = _map_unique(s, lambda v: keys.get(normalise_name(v)))
    bad = mapped.isna().to_numpy() & ~empty
    res.add(bad, col.name, f"one of {options}")
    _note_normalised(res, col, s, mapped)
    return pd.Series(pd.Categorical(mapped, categories=col.categories, ordered=True), index=s.index)


def _metode_lookup() -> dict[str, str]:
    catalogue = reference.metoder()
    keys = {normalise_name(m): m for m in catalogue["metode"]}
    keys |= {normalise_name(n): m for n, m in zip(catalogue["navn"], catalogue["metode"], strict=True)}
    return keys | METODE_ALIASES


#: Between a method's code and its name in the submission template's dropdown:
#: ``icdp – ICDP – Program for foreldreveiledning`` (`metode_choice`).
METODE_CHOICE_SEPARATOR = " – "
_CHOICE_SPLIT = re.compile(r"\s+[–—-]\s+")


def metode_choice(code: str, name: str) -> str:
    """A method as the template's dropdown lists it: its code, an en dash, its catalogue name."""
    return f"{code}{METODE_CHOICE_SEPARATOR}{name}"


def _parse_metode(col: Column, res: TableResult, s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A method's code, a name or alias of the catalogue, or the template's ``code – name``
    (`metode_choice`), whose two parts must name the same method. Returns the values read and
    where code and name disagree (those have their problem already)."""
    lookup = _metode_lookup()
    catalogue = reference.metoder()
    names = dict(zip(catalogue["metode"], catalogue["navn"], strict=True))

    def read(v: str) -> str | None:
        if normalise_name(v) in lookup:
            return lookup[normalise_name(v)]
        parts = _CHOICE_SPLIT.split(v, maxsplit=1)
        code = lookup.get(normalise_name(parts[0])) if len(parts) == 2 else None
        if code is None:
            return v.lower()
        return code if lookup.get(normalise_name(parts[1])) == code else None  # None: they disagree

    mapped = _map_unique(s, read)
    disagree = (mapped.isna() & (s != "")).to_numpy(dtype=bool)
    if disagree.any():
        codes = s[disagree].map(lambda v: lookup[normalise_name(_CHOICE_SPLIT.split(v, maxsplit=1)[0])])
        res.add(disagree, col.name, codes.map(
            lambda c: f"a method of the catalogue as the template lists it, code – name, with the code's own "
                      f"name: '{metode_choice(c, names[c])}'").reindex(s.index).to_numpy(dtype=object))
    return mapped, disagree


def _parse_slug(col: Column, res: TableResult, s: pd.Series) -> pd.Series:
    s = _strip(s)
    empty = _required(col, res, s, "a value")
    reported = np.zeros(len(s), dtype=bool)
    if col.name == "metode":
        mapped, reported = _parse_metode(col, res, s)
    else:
        mapped = _map_unique(s, normalise_name)
    too_long = (mapped.str.len() > col.max_length).to_numpy(dtype=bool) & ~empty & ~reported
    res.add(too_long, col.name, f"at most {col.max_length} characters")
    # An identifier ends up in headings, file names and figure labels: only letters a–z, digits,
    # '_' and '-' (after æøå are spelled out), so that no markup or mathtext can ride in on it.
    odd = (~mapped.str.fullmatch(r"[0-9a-z_-]+").fillna(True).to_numpy(dtype=bool) & ~empty & ~too_long
           & ~reported)
    res.add(odd, col.name, "an identifier of the letters a–z, digits, '_' and '-' only, e.g. samarbeid")
    # a method as the template's dropdown gives it is the contract's own spelling: no note on it
    shown_as = _map_unique(s, lambda v: _template_choices().get(v, v)) if col.name == "metode" else s
    _note_normalised(res, col, shown_as, mapped)
    return mapped.where(~pd.Series(empty, index=s.index)).astype("str")


@functools.cache
def _template_choices() -> dict[str, str]:
    """Each method as the template's dropdown lists it (`metode_choice`) → its code."""
    catalogue = reference.metoder()
    return {metode_choice(c, n): c for c, n in zip(catalogue["metode"], catalogue["navn"], strict=True)}


#: What an identity number looks like in a staff id: a fødselsnummer or D-number (11 digits,
#: the first six a date, the day plus 40 in a D-number), with a space, dash or dots between
#: date and the five last digits, or ten digits when a spreadsheet dropped the leading zero.
_IDENTITY_NUMBER = re.compile(r"\d{1,2}[.\-/ ]?\d{2}[.\-/ ]?\d{2}[.\-/ ]?\d{5}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PSEUDONYM = "replace it with the municipality's own pseudonym (a code such as A0000123 that names nobody)"


def _masked(value: str) -> str:
    """A value that may identify a person, as a message may show it: its shape, not its digits or
    letters (``010100-12345`` → ``******-*****``, ``kari@x.no`` → ``****@****``)."""
    return re.sub(r"[^.\-/ @]", "*", value)


def _check_pseudonym(col: Column, res: TableResult, s: pd.Series, too_long: np.ndarray) -> None:
    """Privacy at the door: ``ansatt_id`` is a pseudonym, never an identity number, an e-mail
    address or a name. Such a value is rejected, and masked in the message and in the rejected
    rows, so that the report of a mistake does not repeat it."""
    text = s.fillna("")
    digits = text.str.replace(r"[.\-/ ]", "", regex=True)
    shaped = text.str.fullmatch(_IDENTITY_NUMBER).fillna(False).to_numpy(dtype=bool)
    eleven = shaped & (digits.str.len() == 11).to_numpy(dtype=bool)
    ten = shaped & (digits.str.len() == 10).to_numpy(dtype=bool) & _date_like("0" + digits)
    email = text.str.fullmatch(_EMAIL).fillna(False).to_numpy(dtype=bool)
    named = text.str.contains(r"\s", regex=True).fillna(False).to_numpy(dtype=bool) & ~eleven & ~ten & ~email
    masked = text.map(_masked).to_numpy(dtype=object)
    res.add(eleven, col.name, "a pseudonymous id, never a national identity number or D-number (11 digits): "
            + _PSEUDONYM, value=masked)
    res.add(ten, col.name, "a pseudonymous id, never a national identity number (10 digits: an 11-digit number "
            "whose leading zero the spreadsheet dropped): " + _PSEUDONYM, value=masked)
    res.add(email, col.name, "a pseudonymous id, never an e-mail address: " + _PSEUDONYM, value=masked)
    res.add(named & ~too_long, col.name, "a pseudonymous id without spaces, never a person's name")
    hide = eleven | ten | email
    if hide.any():
        # the rejected rows file repeats the row as read: it must not carry the number either
        res.text = res.text.assign(**{col.name: res.text[col.name].where(~hide, pd.Series(masked, index=s.index))})


def _date_like(digits: pd.Series) -> np.ndarray:
    """Eleven digits whose first six are a day (1–31, or 41–71 in a D-number) and month (1–12)."""
    day = pd.to_numeric(digits.str[:2], errors="coerce")
    month = pd.to_numeric(digits.str[2:4], errors="coerce")
    ok = (day.between(1, 31) | day.between(41, 71)) & month.between(1, 12)
    return ok.fillna(False).to_numpy(dtype=bool)


def _parse_text(col: Column, res: TableResult, s: pd.Series) -> pd.Series:
    s = _strip(s)
    empty = _required(col, res, s, "a value")
    too_long = (s.str.len() > col.max_length).to_numpy(dtype=bool)
    res.add(too_long, col.name, f"at most {col.max_length} characters")
    if col.name == "ansatt_id":
        _check_pseudonym(col, res, s, too_long)
    return s.where(~pd.Series(empty, index=s.index)).astype("str")


def _parse_cohort(col: Column, res: TableResult, s: pd.Series) -> pd.Series:
    s = _strip(s).str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    empty = _required(col, res, s, "a cohort, e.g. 2025")
    too_long = (s.str.len() > col.max_length).to_numpy(dtype=bool)
    res.add(too_long, col.name, f"a cohort of at most {col.max_length} characters, e.g. 2025")
    # The cohort names report files (program-<kull>.html): '/', '..' or spaces would put them elsewhere.
    odd = ~s.str.fullmatch(r"[0-9A-Za-z][0-9A-Za-z_-]*").fillna(False).to_numpy(dtype=bool)
    res.add(odd & ~empty & ~too_long, col.name,
            "a cohort of letters, digits, '-' and '_' only, e.g. 2025 or 2025-host")
    return s.where(~pd.Series(empty, index=s.index)).astype("str")


def parse_column(col: Column, res: TableResult, s: pd.Series) -> pd.Series:
    match col.kind:
        case "kommunenummer":
            return _parse_kommunenummer(col, res, s)
        case "date":
            return _parse_date(col, res, s)
        case "int" | "year":
            return _parse_number(col, res, s, whole=True)
        case "float":
            return _parse_number(col, res, s, whole=False)
        case "category":
            return _parse_category(col, res, s)
        case "slug":
            return _parse_slug(col, res, s)
        case "text":
            return _parse_text(col, res, s)
        case "cohort":
            return _parse_cohort(col, res, s)
    raise ValueError(f"unknown column kind {col.kind!r} for {col.name}")


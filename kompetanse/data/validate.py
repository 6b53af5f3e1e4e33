"""Validate an input: parse every table (`kompetanse.data.parse`), check its row rules, its key
(no duplicates), references between tables and to the reference tables, and collect every
problem.

Validation is lazy: every problem is found, not only the first, and a row with any problem is
rejected, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetanse.data import reference
from kompetanse.data.io import RawInput, RawTable
from kompetanse.data.parse import TableResult, parse_column
from kompetanse.data.schema import TABLES, Table
from kompetanse.errors import Problem

# ------------------------------------------------------------------------------- table checks


def parse_table(raw: RawTable, table: Table) -> TableResult:
    """Parse every column of one table and check its rows and key; references come later."""
    text = raw.frame
    res = TableResult(table.name, raw.source, pd.DataFrame(index=text.index), text, raw.rows,
                      notes=list(raw.notes), file_problems=list(raw.problems))
    if raw.refused:
        res.all_rejected_because = raw.refused
    elif raw.missing_columns:
        res.all_rejected_because = (
            f"column{'s' if len(raw.missing_columns) > 1 else ''} "
            f"{', '.join(raw.missing_columns)} missing from the header"
        )
    # A problem io found in a data row (too many fields, a broken quote) arrives with its row
    # number: reject that row here.
    row_pos = {int(r): i for i, r in enumerate(raw.rows)}
    ragged = [p for p in raw.problems if p.row in row_pos]
    if ragged:
        res.rejected_rows = np.zeros(len(text), dtype=bool)
        res.rejected_rows[[row_pos[p.row] for p in ragged]] = True
    typed = {}
    for col in table.columns:
        if col.name in text:
            typed[col.name] = parse_column(col, res, text[col.name])
    res.typed = pd.DataFrame(typed, index=text.index)
    if raw.missing_columns or raw.refused:
        return res
    for rule in table.rules:
        res.add(rule.bad(res.typed).to_numpy(dtype=bool), rule.column, rule.expected)
    _check_key(res, table)
    return res


def _joined(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    out = frame[columns[0]].astype("str")
    for c in columns[1:]:
        out = out + " + " + frame[c].astype("str")
    return out


def _check_key(res: TableResult, table: Table) -> None:
    key = list(table.key)
    frame = res.typed[key].assign(_pos=np.arange(len(res.typed)))
    complete = frame[key].notna().all(axis=1)
    frame = frame[complete]
    first = frame.groupby(key, observed=True, sort=False)["_pos"].transform("min")
    dup = frame["_pos"] != first
    if not dup.any():
        return
    mask = np.zeros(len(res.typed), dtype=bool)
    mask[frame.loc[dup, "_pos"].to_numpy()] = True
    first_rows = np.zeros(len(res.typed), dtype=np.int64)
    first_rows[frame.loc[dup, "_pos"].to_numpy()] = res.rows[first.loc[dup].to_numpy()]
    label = " + ".join(key)
    expected = np.array(
        [f"a unique {label}: the same value is already in row {r}" for r in first_rows], dtype=object
    )
    res.add(mask, label, expected, value=_joined(res.typed, table.key).to_numpy(dtype=object))


def _reference_targets(accepted: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return accepted | {"metoder": reference.metoder()[["metode"]],
                       "metode_nivaer": reference.metode_nivaer()}


def check_references(res: TableResult, table: Table, targets: dict[str, pd.DataFrame],
                     rejected: dict[str, tuple[str, pd.DataFrame]] | None = None) -> None:
    """Values that must exist in another table: compared against its accepted rows.

    ``rejected`` maps a table to its file and its rejected rows (typed, with their row number in
    ``_row``), so that a reference to a row that is there but was rejected says so.
    """
    if res.all_rejected_because is not None:
        return
    for ref in table.references:
        cols = list(ref.columns)
        target = targets.get(ref.table)
        present = res.typed[cols].notna().all(axis=1).to_numpy()
        if target is None:
            found = np.zeros(len(res.typed), dtype=bool)
        else:
            keys = target[list(ref.target_columns or ref.columns)].astype("str").drop_duplicates()
            keys.columns = cols
            probe = res.typed[cols].astype("str")
            found = pd.MultiIndex.from_frame(probe).isin(pd.MultiIndex.from_frame(keys))
        expected = ref.expected
        if ref.table == "metoder":
            expected = f"{ref.expected}: one of {', '.join(reference.metoder()['metode'])}"
        missing = present & ~found
        if rejected and ref.table in rejected and missing.any():
            file, gone = rejected[ref.table]
            gone = gone.dropna(subset=list(ref.target_columns or ref.columns))
            if len(gone):
                keys = gone[list(ref.target_columns or ref.columns)].astype("str")
                keys.columns = cols
                row_of = pd.Series(gone["_row"].to_numpy(), index=pd.MultiIndex.from_frame(keys))
                row_of = row_of[~row_of.index.duplicated()]
                there = row_of.reindex(pd.MultiIndex.from_frame(res.typed[cols].astype("str"))).to_numpy()
                expected = np.where(
                    missing & pd.notna(there),
                    [f"{ref.expected}: {file} has it in row {r:.0f} but that row was rejected; fix that row "
                     f"first" if pd.notna(r) else expected for r in there],
                    expected,
                ).astype(object)
        label = " + ".join(cols)
        res.add(missing, label, expected,
                value=_joined(res.typed, ref.columns).to_numpy(dtype=object))


# ------------------------------------------------------------------------------- whole input


@dataclass
class Validation:
    """The outcome of validating an input: accepted typed tables, rejected rows, problems."""

    tables: dict[str, pd.DataFrame]
    rejected: pd.DataFrame
    problems: list[Problem]
    notes: list[str]
    counts: pd.DataFrame  # table, file, read, accepted, rejected
    sources: dict[str, tuple[str, str]]  # table -> (file label, sha256)


def _finalise(typed: pd.DataFrame, table: Table) -> pd.DataFrame:
    out = typed.reset_index(drop=True)
    for col in table.columns:
        if col.kind in ("int", "year") and col.required and col.name in out:
            out[col.name] = out[col.name].astype("int64")
    return out


def _empty_typed(table: Table) -> pd.DataFrame:
    kinds = {"date": "datetime64[ns]", "int": "Int64", "year": "Int64", "float": "float64"}
    data = {}
    for col in table.columns:
        if col.kind == "category":
            data[col.name] = pd.Categorical([], categories=col.categories, ordered=True)
        else:
            data[col.name] = pd.Series([], dtype=kinds.get(col.kind, "str"))
    return pd.DataFrame(data)


def validate_input(raw: RawInput) -> Validation:
    """Validate every table of an input, including references between tables."""
    accepted: dict[str, pd.DataFrame] = {}
    rejected_rows: dict[str, tuple[str, pd.DataFrame]] = {}
    results: list[TableResult] = []
    for name, table in TABLES.items():
        if name not in raw.tables:
            accepted[name] = _finalise(_empty_typed(table), table)
            continue
        res = parse_table(raw.tables[name], table)
        check_references(res, table, _reference_targets(accepted), rejected_rows)
        results.append(res)
        if res.all_rejected_because is not None:
            accepted[name] = _finalise(_empty_typed(table), table)
        else:
            bad = res.bad_positions
            accepted[name] = _finalise(res.typed.loc[~bad], table)
            rejected_rows[name] = (res.source, res.typed.loc[bad].assign(_row=res.rows[bad]))

    for extra in raw.extra:
        # a further file or sheet of a table: read and counted, every row rejected (``refused``)
        results.append(parse_table(extra, TABLES[extra.name]))
    problems = list(raw.problems)
    notes = list(raw.notes)
    rejected_parts = []
    counts = []
    sources = {}
    for res in results:
        table_problems = res.problem_list()
        problems.extend(table_problems)
        notes.extend(res.notes)
        bad = res.bad_positions
        counts.append({"table": res.name, "file": res.source, "read": len(bad),
                       "accepted": int((~bad).sum()), "rejected": int(bad.sum())})
        sources.setdefault(res.name, (res.source, raw.tables[res.name].sha256))
        if bad.any():
            by_row: dict[int, list[str]] = {}
            for p in table_problems:
                if p.row is not None:
                    by_row.setdefault(p.row, []).append(
                        f"{p.column}: {p.expected}" if p.column else p.expected
                    )
            rows = res.rows[bad]
            fallback = res.all_rejected_because or "rejected"
            part = pd.DataFrame({
                "table": res.name,
                "file": res.source,
                "row": rows,
                "reason": ["; ".join(by_row.get(int(r), [fallback])) for r in rows],
            })
            # and the row's values as they were read, so that it can be fixed and sent again
            values = res.text.iloc[np.flatnonzero(bad)].reset_index(drop=True)
            values = values[[c for c in values.columns if c not in part.columns]]
            rejected_parts.append(pd.concat([part, values], axis=1))
    rejected = (pd.concat(rejected_parts, ignore_index=True) if rejected_parts else
                pd.DataFrame({"table": pd.Series([], dtype="str"), "file": pd.Series([], dtype="str"),
                              "row": pd.Series([], dtype="int64"),
                              "reason": pd.Series([], dtype="str")}))
    order = {(t, c.name): i for t, table in TABLES.items() for i, c in enumerate(table.columns)}
    table_of = {res.source: res.name for res in results}
    table_rank = {name: i for i, name in enumerate(TABLES)}
    problems.sort(key=lambda p: (table_rank.get(table_of.get(p.file), -1), p.file, p.row or 0,
                                 order.get((table_of.get(p.file), p.column), 99)))
    counts_frame = pd.DataFrame(counts, columns=["table", "file", "read", "accepted", "rejected"])
    return Validation(accepted, rejected, problems, notes, counts_frame, sources)

"""Write the generated parts of ``docs/`` from the declarations they document, so that the two
cannot drift: the contract (`kompetanse.data.schema`), the method catalogue and the settings.

The prose of each page is written by hand in ``docs/*.md``. Between markers the generator owns
the text and rewrites it:

- a block, on lines of their own::

      <!-- generated: begin columns:tilbud -->
      ...
      <!-- generated: end columns:tilbud -->

- an inline value inside a sentence: ``<!-- value: MIN_COUNT -->5<!-- /value -->``.

``python -m kompetanse.data.docs`` rewrites every page of ``docs/`` in a checkout;
``python -m kompetanse.data.docs --check`` only says which pages are stale and exits 1.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pandas as pd

from kompetanse import settings
from kompetanse.data import reference, schema
from kompetanse.data.io import HEADER_ALIASES
from kompetanse.data.schema import TABLES, Column, Table
from kompetanse.formatting import number

__all__ = ["BLOCKS", "DOCS", "check", "check_catalogue", "main", "render", "setting_notes", "value"]

#: The docs folder of a checkout (the package's parent's ``docs/``).
DOCS = Path(__file__).resolve().parents[2] / "docs"

_BLOCK = re.compile(
    r"(?P<open><!-- generated: begin (?P<name>\S+) -->\n)(?P<body>.*?)(?P<close><!-- generated: end (?P=name) -->)",
    re.S,
)
_FENCE = re.compile(r"(^```.*?^```[ \t]*$)", re.M | re.S)
_VALUE = re.compile(r"(?P<open><!-- value: (?P<name>\S+) -->)(?P<body>.*?)(?P<close><!-- /value -->)")

#: What each column kind of `kompetanse.data.schema` accepts, as the validator reads it.
KINDS: dict[str, str] = {
    schema.KOMMUNENUMMER: (
        "a municipality number of 2024: four digits with the leading zero (`0301`); three digits "
        "get their zero back, 2020–2023 numbers are mapped (see [Municipality numbers](#municipality-numbers))"
    ),
    schema.TEXT: "free text or an id, surrounding spaces removed",
    schema.SLUG: "a lower-case code; spelling normalised like headers (case, æøå, spaces as `_`)",
    schema.CATEGORY: (
        "one of a fixed, ordered list; case, æøå and spaces are normalised (`Fullført` reads as `fullfort`)"
    ),
    schema.DATE: "`yyyy-mm-dd` or `dd.mm.yyyy` (Norwegian Excel), in the years {years}",
    schema.INT: "a whole number; spaces as thousands separators are allowed",
    schema.FLOAT: "a decimal number, with a decimal point or a decimal comma",
    schema.YEAR: "a calendar year as a whole number, {years}",
    schema.COHORT: "a programme cohort: letters, digits, `-` and `_` only (`2025`, `2025-host`)",
}

#: What each column of the shipped reference tables holds (checked against the files' headers).
REFERENCE_NOTES: dict[str, dict[str, str]] = {
    "kommuner_2024.csv": {
        "kommunenummer": "four digits, the key (`0301` Oslo)",
        "kommunenavn": "the name people use",
        "kommunenavn_offisielt": "the official name, with Sami or Kven forms",
        "fylkesnummer": "two digits, the first two of `kommunenummer`",
        "fylkesnavn": "the county's name",
    },
    "kommuner_2020_til_2024.csv": {
        "kommunenummer_2023": "the number in 2020–2023",
        "kommunenavn_2023": "the name in 2020–2023",
        "kommunenummer_2024": "the number from 1 January 2024",
        "kommunenavn_2024": "the name from 1 January 2024",
    },
    "befolkning_2024.csv": {
        "kommunenummer": "four digits, 2024 numbering",
        "innbyggere_2024": "inhabitants on 1 January 2024",
        "barn_0_17": "children aged 0–17 on 1 January 2023, moved to 2024 numbers",
    },
    "malform_2024.csv": {
        "kommunenummer": "four digits, 2024 numbering",
        "kommunenavn": "the name people use, as in `kommuner_2024.csv`",
        "malform": "the official language form of the administration: `nynorsk`, `bokmal` or `noytral`",
    },
    "metoder.csv": {
        "metode": "the method's code, the key",
        "navn": "display name",
        "nivaer": "the prevention levels served, `;`-separated, one or more of the levels",
        "alder_fra": "youngest target age of the children, whole years",
        "alder_til": "oldest target age of the children, whole years",
        "tilbyder": "who trains and certifies",
        "sertifisering": "`true` when staff are certified after training",
        "gyldighet_ar": "years a certification stays valid without renewal; empty where no source states one",
        "implementeringsavtale": "`true` when the municipality needs an agreement with the provider first",
        "opplaering_dager": "calendar days from the start of training to certification (upper end of the "
                            "stated range); empty where no source states a length",
        "opplaering_tid": "the training length as the source words it (Norwegian); empty where unknown",
        "ungsinn_niva": "Ungsinn's evidence level 0–5, empty where none is found",
        "ungsinn_utgave": "the Ungsinn edition the level comes from",
        "kilde": "one source address for the row",
    },
}


# ------------------------------------------------------------------------------------ values


def _number(v: float) -> str:
    if isinstance(v, float) and not v.is_integer():
        return f"{v:g}"
    return number(int(v), thousands=" ")


def _plain(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        return _number(v)
    if isinstance(v, tuple):
        return ", ".join(f"`{x}`" for x in v)
    return f"`{v}`"


def _counts() -> dict[str, int | str]:
    kommuner = reference.kommuner()
    renum = reference.renumbering()
    parts = renum.groupby("kommunenummer_2023")["kommunenummer_2024"].nunique()
    return {
        "kommuner": len(kommuner),
        "fylker": kommuner["fylkesnummer"].nunique(),
        "renumbering_rows": len(renum),
        "methods": len(reference.metoder()),
        "split": int((parts > 1).sum()),
        "under_2000": int((reference.befolkning_2024()["innbyggere_2024"] < 2000).sum()),
        **reference.malform()["malform"].value_counts().astype("int64").to_dict(),
    }


def value(name: str) -> str:
    """The text of an inline value in a docs page.

    A setting (``MIN_COUNT``), a share as a percentage or in percentage points
    (``CONFIDENCE_LEVEL:percent``, ``PROGRESS_TOLERANCE:points``), a schema constant
    (``YEAR_RANGE``, ``PROGRAMME_YEARS``, ``TJENESTER``), the levels (``LEVELS``) or a count from
    the reference tables (``count:kommuner``, ``count:fylker``, ``count:renumbering_rows``,
    ``count:methods``, ``count:split``, ``count:under_2000``: municipalities under 2 000
    inhabitants; ``count:nynorsk``, ``count:bokmal``, ``count:noytral``: municipalities of each
    målform).
    """
    name, _, fmt = name.partition(":")
    if name == "count":
        return _number(_counts()[fmt])
    if name in ("YEAR_RANGE", "PROGRAMME_YEARS"):
        lo, hi = getattr(schema, name)
        return f"{lo}–{hi}"
    if name == "LEVELS":
        return _plain(reference.LEVELS)
    source = next((m for m in (settings, schema) if name.isupper() and hasattr(m, name)), None)
    if source is None:
        raise KeyError(f"unknown value {name!r} in a docs page")
    v = getattr(source, name)
    if fmt == "percent":
        return f"{v * 100:g} %"
    if fmt == "points":
        return f"{v * 100:g} percentage points"
    if fmt:
        raise KeyError(f"unknown format {fmt!r} for value {name!r}")
    return _plain(v)


def setting_notes() -> dict[str, str]:
    """Every public setting of `kompetanse.settings` with the ``#:`` comment above it."""
    source = inspect.getsource(settings)
    lines = source.splitlines()
    notes: dict[str, str] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)):
            continue
        comment: list[str] = []
        i = node.lineno - 2
        while i >= 0 and lines[i].startswith("#:"):
            comment.insert(0, lines[i][2:].strip())
            i -= 1
        notes[node.targets[0].id] = " ".join(comment)
    return notes


# ------------------------------------------------------------------------------------ blocks


def _table(header: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _allowed(col: Column, table: Table) -> str:
    if col.categories:
        return ", ".join(f"`{c}`" for c in col.categories)
    if any(col.name in ref.columns and ref.table == "metoder" for ref in table.references):
        return "a code of the [method catalogue](methods.md#the-catalogue)"
    if col.kind == schema.KOMMUNENUMMER:
        return "a municipality of 2024"
    if col.kind in (schema.YEAR, schema.DATE):
        return f"in {value('YEAR_RANGE')}"
    if col.min is not None and col.max is not None:
        return f"{_number(col.min)} to {_number(col.max)}"
    if col.kind in (schema.TEXT, schema.SLUG, schema.COHORT):
        return f"at most {col.max_length} characters"
    return ""


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _tables_block() -> str:
    rows = [[f"[`{t.name}`](#{_anchor(t.name)})", t.description, ", ".join(f"`{k}`" for k in t.key)]
            for t in TABLES.values()]
    return _table(["table", "one row is", "key (unique together)"], rows)


def _columns_block(name: str) -> str:
    t = TABLES[name]
    rows = [[f"`{c.name}`", f"[{c.kind}](#column-types)", "yes" if c.required else "no",
             _allowed(c, t), c.description] for c in t.columns]
    return _table(["column", "type", "required", "allowed values", "notes"], rows)


def _rules_block(name: str) -> str:
    t = TABLES[name]
    lines = [f"- **Key**: {' + '.join(f'`{k}`' for k in t.key)} is unique; a later row with the same "
             "key is rejected and names the row that has it."]
    for kommune in (c for c in t.columns if c.kind == schema.KOMMUNENUMMER):
        lines.append(f"- `{kommune.name}`: must be a municipality of 2024 in "
                     "[`kommuner`](#kommuner-municipalities-of-2024).")
    lines += [f"- `{r.column}`: {r.expected} (rule `{r.name}`)." for r in t.rules]
    for ref in t.references:
        cols = " + ".join(f"`{c}`" for c in ref.columns)
        lines.append(f"- {cols} → `{ref.table}`: {ref.expected}.")
    return "\n".join(lines) + "\n"


def _kinds_block() -> str:
    years = value("YEAR_RANGE")
    used = {c.kind for t in TABLES.values() for c in t.columns}
    rows = [[f"`{k}`", text.format(years=years)] for k, text in KINDS.items() if k in used]
    missing = used - KINDS.keys()
    if missing:
        raise KeyError(f"column kinds without a description in kompetanse.data.docs.KINDS: {sorted(missing)}")
    return _table(["type", "what is accepted"], rows)


def _aliases_block(which: str) -> str:
    aliases = schema.METODE_ALIASES if which == "metode" else HEADER_ALIASES
    grouped: dict[str, list[str]] = {}
    for alias, target in aliases.items():
        grouped.setdefault(target, []).append(f"`{alias}`")
    head = "method code" if which == "metode" else "column"
    return _table([head, "also read from"], [[f"`{k}`", ", ".join(v)] for k, v in grouped.items()])


def _reference_block(file: str) -> str:
    notes = REFERENCE_NOTES[file]
    with resources.files(reference).joinpath(file).open("rb") as fh:
        header = pd.read_csv(fh, nrows=0).columns.tolist()
    if header != list(notes):
        raise KeyError(f"{file} has the columns {header}, but kompetanse.data.docs.REFERENCE_NOTES "
                       f"describes {list(notes)}")
    return _table(["column", "notes"], [[f"`{c}`", notes[c]] for c in header])


def _catalogue_raw() -> pd.DataFrame:
    """metoder.csv as written, checked against the catalogue's contract (which
    `kompetanse.data.reference.metoder` does not check: it drops an unknown level silently)."""
    with resources.files(reference).joinpath("metoder.csv").open("rb") as fh:
        raw = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return check_catalogue(raw)


def check_catalogue(raw: pd.DataFrame) -> pd.DataFrame:
    """``raw`` (metoder.csv as text) unchanged; ValueError naming the method when a row breaks
    the catalogue's contract: unique codes, levels, ages 0–18 from youngest to oldest,
    ``true``/``false`` flags, Ungsinn level 0–5."""
    twice = raw["metode"][raw["metode"].duplicated()].tolist()
    if twice:
        raise ValueError(f"metoder.csv: method codes given twice: {', '.join(twice)}")
    for row in raw.itertuples():
        for flag in ("sertifisering", "implementeringsavtale"):
            if (text := getattr(row, flag)) not in ("true", "false"):
                raise ValueError(f"metoder.csv, method {row.metode!r}: {flag} {text!r} is not true or false")
        levels = row.nivaer.split(";")
        if not levels or any(v not in reference.LEVELS for v in levels):
            raise ValueError(f"metoder.csv, method {row.metode!r}: nivaer {row.nivaer!r} is not "
                             f"one or more of {', '.join(reference.LEVELS)}")
        if not (0 <= int(row.alder_fra) <= int(row.alder_til) <= 18):
            raise ValueError(f"metoder.csv, method {row.metode!r}: ages {row.alder_fra}–{row.alder_til}")
        if row.ungsinn_niva and not 0 <= int(row.ungsinn_niva) <= 5:
            raise ValueError(f"metoder.csv, method {row.metode!r}: ungsinn_niva {row.ungsinn_niva!r}")
    return raw


def _catalogue_block() -> str:
    raw = _catalogue_raw()
    yes = {"true": "yes", "false": "no"}
    rows = [
        [f"`{r.metode}`", r.navn, ", ".join(r.nivaer.split(";")), f"{r.alder_fra}–{r.alder_til}",
         yes[r.sertifisering], r.gyldighet_ar or "not stated",
         f"{r.opplaering_dager} ({r.opplaering_tid})" if r.opplaering_dager else "not stated",
         yes[r.implementeringsavtale],
         f"{r.ungsinn_niva} ({r.ungsinn_utgave})" if r.ungsinn_niva else "not found"]
        for r in raw.itertuples()
    ]
    header = ["code", "name", "levels", "ages", "certified", "validity (years)",
              "training (days to certification)", "implementation agreement", "Ungsinn level (edition)"]
    return _table(header, rows)


def _providers_block() -> str:
    raw = _catalogue_raw()
    rows = [[f"`{r.metode}`", r.tilbyder, f"<{r.kilde}>"] for r in raw.itertuples()]
    return _table(["code", "provider (trains and certifies)", "source"], rows)


def _levels_block() -> str:
    raw = _catalogue_raw()
    rows = [[f"`{r.metode}`", *("✓" if v in r.nivaer.split(";") else "" for v in reference.LEVELS)]
            for r in raw.itertuples()]
    return _table(["code", *reference.LEVELS], rows)


def _settings_block(names: str = "") -> str:
    notes = setting_notes()
    chosen = names.split(",") if names else list(notes)
    unknown = [n for n in chosen if n not in notes]
    if unknown:
        raise KeyError(f"not settings of kompetanse.settings: {unknown}")
    return _table(["setting", "value", "meaning"], [[f"`{n}`", value(n), notes[n]] for n in chosen])


#: Block name (before any ``:``) → function of the text after it.
BLOCKS: dict[str, Callable[[str], str]] = {
    "tables": lambda _: _tables_block(),
    "columns": _columns_block,
    "rules": _rules_block,
    "kinds": lambda _: _kinds_block(),
    "aliases": _aliases_block,
    "reference": _reference_block,
    "catalogue": lambda _: _catalogue_block(),
    "providers": lambda _: _providers_block(),
    "method-levels": lambda _: _levels_block(),
    "settings": _settings_block,
}


def _block(name: str) -> str:
    kind, _, arg = name.partition(":")
    if kind not in BLOCKS:
        raise KeyError(f"unknown generated block {name!r}; known: {', '.join(BLOCKS)}")
    return BLOCKS[kind](arg)


def render(text: str) -> str:
    """``text`` with every generated block and inline value rewritten from the declarations.
    Markers inside fenced code (an example of the markers themselves) are left alone."""
    parts = _FENCE.split(text)
    for i in range(0, len(parts), 2):
        part = _BLOCK.sub(lambda m: m["open"] + _block(m["name"]) + m["close"], parts[i])
        parts[i] = _VALUE.sub(lambda m: m["open"] + value(m["name"]) + m["close"], part)
    return "".join(parts)


def check(folder: Path = DOCS) -> list[Path]:
    """The pages of ``folder`` whose generated parts differ from what `render` writes."""
    return [p for p in sorted(folder.glob("*.md")) if render(p.read_text(encoding="utf-8"))
            != p.read_text(encoding="utf-8")]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the generated parts of every page of ``docs/`` (``--check``: only report)."""
    parser = argparse.ArgumentParser(prog="python -m kompetanse.data.docs", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=DOCS, help="the docs folder (default: the checkout's docs/)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a page is stale")
    args = parser.parse_args(argv)
    if not args.docs.is_dir():
        print(f"{args.docs}: no such folder (run from a checkout of kompetanse, or pass --docs)", file=sys.stderr)
        return 2
    stale = check(args.docs)
    for page in stale:
        if args.check:
            print(f"{page}: stale; run python -m kompetanse.data.docs", file=sys.stderr)
        else:
            page.write_text(render(page.read_text(encoding="utf-8")), encoding="utf-8")
            print(f"{page}: rewritten")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())

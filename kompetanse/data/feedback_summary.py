"""The first sheet of the feedback workbook, ``Oppsummering``: per table the rows read, the
rows rejected and the problems, the problems per column and those that belong to no cell, in
bokmål or, for a municipality that writes nynorsk, in nynorsk (`kompetanse.data.feedback`).
"""

from __future__ import annotations

import pandas as pd

from kompetanse.data.names import FEEDBACK_SHEET
from kompetanse.data.records import RawInput
from kompetanse.data.schema import TABLES
from kompetanse.data.validate import Validation

__all__ = ["summary_language", "write_summary"]

#: The summary sheet's words in bokmål and, for a municipality that writes nynorsk, in nynorsk.
_WORDS = {
    "nb": {
        "title": "Tilbakemelding på innsendingen",
        "source": "Innsending:",
        "valid": "Ingen feil: innsendingen følger datakontrakten, og alle rader er godtatt.",
        # one rejected row, several (nynorsk inflects the participle)
        "invalid": ("Innsendingen har {problems}; {rows} er avvist til feilene er rettet.",) * 2,
        "rows": ("rad", "rader"),
        "how": (
            "Hver tabell har sitt eget ark, og hver rad står på samme radnummer som i filen dere sendte: "
            "«rad 17» i en melding er rad 17 både her og i originalen.",
            "Celler med feil har rød bakgrunn og en kommentar med meldingen. Kolonnen «Feil» til høyre "
            "lister meldingene for hver rad; feil som gjelder hele raden (for eksempel en rad som står to "
            "ganger), er markert i den kolonnen.",
            "Rett de markerte cellene, lagre arbeidsboka som .xlsx og send den samme filen inn igjen. "
            "Dette arket og kolonnen «Feil» blir ikke lest. Ikke gi arkene nye navn.",
            "Selve meldingene er på engelsk, de samme som kommandoen kompetanse validate skriver ut.",
        ),
        "per_table": ("Tabell", "Fil", "Ark", "Rader lest", "Rader avvist", "Feil"),
        "missing": "(mangler: se nedenfor)",
        "per_column": ("Tabell", "Fil", "Kolonne", "Antall feil"),
        "loose": "Feil som ikke står i en celle (hele filen, tabellen eller en kolonne som mangler)",
        "loose_columns": ("Fil", "Rad", "Kolonne", "Melding"),
        "none": "Ingen.",
        "extra": "Arket «{sheet}» har radene fra {file}, en fil eller et ark til for tabellen {table}: flytt "
                 "radene til arket «{table}» og slett arket «{sheet}».",
        "notes": "Merknader (ikke feil): hva som ble tolket eller hoppet over da filene ble lest",
        "row_label": "(hele raden)",  # a problem without a column
        "file_label": "(hele filen)",
    },
    "nn": {
        "title": "Tilbakemelding på innsendinga",
        "source": "Innsending:",
        "valid": "Ingen feil: innsendinga følgjer datakontrakten, og alle radene er godtekne.",
        "invalid": ("Innsendinga har {problems}; {rows} er avvist til feila er retta.",
                    "Innsendinga har {problems}; {rows} er avviste til feila er retta."),
        "rows": ("rad", "rader"),
        "how": (
            "Kvar tabell har sitt eige ark, og kvar rad står på same radnummer som i fila de sende: "
            "«rad 17» i ei melding er rad 17 både her og i originalen.",
            "Celler med feil har raud bakgrunn og ein kommentar med meldinga. Kolonnen «Feil» til høgre "
            "listar meldingane for kvar rad; feil som gjeld heile rada (til dømes ei rad som står to "
            "gonger), er markerte i den kolonnen.",
            "Rett dei markerte cellene, lagre arbeidsboka som .xlsx og send den same fila inn att. "
            "Dette arket og kolonnen «Feil» blir ikkje lesne. Ikkje gi arka nye namn.",
            "Sjølve meldingane er på engelsk, dei same som kommandoen kompetanse validate skriv ut.",
        ),
        "per_table": ("Tabell", "Fil", "Ark", "Rader lesne", "Rader avviste", "Feil"),
        "missing": "(manglar: sjå nedanfor)",
        "per_column": ("Tabell", "Fil", "Kolonne", "Tal på feil"),
        "loose": "Feil som ikkje står i ei celle (heile fila, tabellen eller ein kolonne som manglar)",
        "loose_columns": ("Fil", "Rad", "Kolonne", "Melding"),
        "none": "Ingen.",
        "extra": "Arket «{sheet}» har radene frå {file}, ei fil eller eit ark til for tabellen {table}: flytt "
                 "radene til arket «{table}» og slett arket «{sheet}».",
        "notes": "Merknader (ikkje feil): kva som vart tolka eller hoppa over då filene vart lesne",
        "row_label": "(heile rada)",
        "file_label": "(heile fila)",
    },
}


def summary_language(validation: Validation) -> str:
    """The written form of the summary sheet: ``"nn"`` when every accepted row is of one
    municipality and it writes nynorsk (`kompetanse.data.reference.report_language`), else
    ``"nb"`` (several municipalities, a neutral or bokmål one, or no row accepted)."""
    from kompetanse.data import reference

    numbers = set()
    for frame in validation.tables.values():
        if "kommunenummer" in frame:
            numbers.update(frame["kommunenummer"].dropna().astype("str").unique())
    return reference.report_language(numbers.pop()) if len(numbers) == 1 else "nb"


def write_summary(wb, raw: RawInput, validation: Validation, places: pd.DataFrame, sheets: list) -> None:
    """Write the summary sheet, ``Oppsummering``, as the first sheet of a write-only workbook.

    ``places`` is `kompetanse.data.feedback.problem_places`; ``sheets`` the table sheets, each
    with ``name`` and ``raw`` (its `RawTable`).
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    words = _WORDS[summary_language(validation)]
    ws = wb.create_sheet(FEEDBACK_SHEET)
    for letter, width in zip("ABCDEF", (26, 34, 26, 12, 14, 70), strict=True):
        ws.column_dimensions[letter].width = width
    bold, big = Font(bold=True), Font(bold=True, size=14)

    def styled(value, **style):
        cell = WriteOnlyCell(ws, value)
        if isinstance(value, str):
            cell.data_type = "s"
        for key, val in style.items():
            setattr(cell, key, val)
        return cell

    def heading(text, columns=()):
        ws.append([])
        ws.append([styled(text, font=bold)])
        if columns:
            ws.append([styled(h, font=bold) for h in columns])

    n = len(validation.problems)
    ws.append([styled(words["title"], font=big)])
    ws.append([styled(words["source"]), styled(raw.path.name)])
    if n == 0:
        ws.append([styled(words["valid"], font=bold)])
    else:
        rejected = int(validation.counts["rejected"].sum())
        ws.append([styled(words["invalid"][rejected != 1].format(problems=_count(n, "feil", "feil"),
                                                  rows=_count(rejected, *words["rows"])), font=bold)])
    ws.append([])
    for line in words["how"]:
        ws.append([styled(line)])

    heading("Per tabell", words["per_table"])
    per_file = places.groupby("file").size()
    sheet_of = {s.raw.source: s.name for s in sheets}
    for row in validation.counts.itertuples(index=False):
        ws.append([styled(row.table), styled(row.file), styled(sheet_of.get(row.file, "")), int(row.read),
                   int(row.rejected), int(per_file.get(row.file, 0))])
    for name in TABLES:
        if name not in set(validation.counts["table"]):
            ws.append([styled(name), styled(words["missing"]), None, 0, 0, None])

    heading("Feil per kolonne", words["per_column"] if n else ())
    if n:
        table_of = dict(zip(validation.counts["file"], validation.counts["table"], strict=False))
        label = places["row"].notna().map({True: words["row_label"], False: words["file_label"]})
        by_column = (places.assign(column=places["column"].fillna(label))
                     .groupby(["file", "column"], sort=False).size())
        for (file, column), count in by_column.items():
            ws.append([styled(table_of.get(file, "")), styled(file), styled(column), int(count)])
    else:
        ws.append([styled(words["none"])])

    listed = places[places["place"] == "oppsummering"]
    heading(words["loose"], words["loose_columns"] if len(listed) else ())
    for p in listed.itertuples(index=False):
        ws.append([styled(p.file), None if pd.isna(p.row) else int(p.row),
                   styled(p.column) if isinstance(p.column, str) else None, styled(p.message)])
    if not len(listed):
        ws.append([styled(words["none"])])
    for s in sheets:
        if s.name != s.raw.name:  # a further file or sheet of a table, which the reader refuses
            ws.append([styled(words["extra"].format(sheet=s.name, file=s.raw.source, table=s.raw.name))])

    if validation.notes:
        heading(words["notes"])
        for note in validation.notes:
            ws.append([styled(note)])


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,}".replace(",", "\u00a0") + f" {one if n == 1 else many}"

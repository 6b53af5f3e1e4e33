"""Write the notebooks in notebooks/ from their cell lists here, without outputs.

Notebooks are generated rather than hand-edited so that their text stays reviewable in diffs;
run `python tools/make_notebooks.py` after changing a cell.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def md(text: str):
    return new_markdown_cell(text.strip())


def code(text: str, *tags: str):
    cell = new_code_cell(text.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


UTFORSK = [
    md("""
# Utforsk kompetansedata

Her starter du som analytiker. Notatboken laster alle tabellene, validert og med riktige typer,
og viser hvordan du filtrerer, grupperer og lager figurer. Alt som skal brukes mer enn én gang,
hører hjemme i biblioteket `kompetanse`, der det er testet.

Uten parametere brukes det syntetiske nasjonale datasettet i `data/sample/`.
"""),
    code('''
# Parametere (papermill kan sette dem utenfra)
data: str = ""  # mappe med CSV-filer eller en .xlsx-arbeidsbok; tom betyr data/sample/
kommunenummer: str = "0301"  # kommunen du vil se nærmere på, fire sifre (0301 er Oslo)
''', "parameters"),
    code('''
import kompetanse
from kompetanse import params

# Parameterne sjekkes før noe annet: feil kommunenummer gir en tydelig melding, ikke en halv rapport.
data = params.data_path(data)
kommunenummer = params.kommunenummer(kommunenummer)
'''),
    md("""
## Last inn

`kompetanse.load()` leser og validerer alle tabellene. Er noe galt i dataene, stopper den med en
liste over alle feil (fil, rad, kolonne, verdi og hva som var forventet). Med
`on_error="skip"` får du de godkjente radene, og de avviste ligger i `ds.rejected`.
"""),
    code('''
ds = kompetanse.load(data)
ds
'''),
    code('''
ds.counts
'''),
    md("""
## Kontrakten

Hver tabell har faste kolonner, typer og tillatte verdier. Oversikten under kommer fra
`kompetanse.schema`, den samme beskrivelsen som validerer dataene.
"""),
    code('''
from kompetanse.schema import describe

describe().query("tabell == 'ansatte_kompetanse'")
'''),
    md("""
## Metodene i katalogen

Metodekatalogen følger med pakken: forebyggingsnivå, alder, hvem som lærer opp og sertifiserer,
og Ungsinns evidensnivå.
"""),
    code('''
ds.metoder[["metode", "navn", "nivaer", "alder_fra", "alder_til", "tilbyder", "ungsinn_niva"]]
'''),
    md("""
## Ansatte per metode og status

Tallene er summert; enkeltpersoner vises aldri.
"""),
    code('''
(
    ds.ansatte_kompetanse
    .groupby(["metode", "status"], observed=True)
    .size()
    .unstack("status", fill_value=0)
)
'''),
    md("""
## Én kommune

Filtrer med `query`. Kommunenummer er alltid tekst med fire sifre.
"""),
    code('''
ds.tilbud.query("kommunenummer == @kommunenummer").sort_values(["ar", "metode"])
'''),
    md("""
## Store og små kommuner

Sertifiserte ansatte mot antall barn 0–17 år. Større kommuner har flere ansatte med kompetanse;
mange små kommuner har ingen på et eller flere nivåer.
"""),
    code('''
import matplotlib.pyplot as plt
import seaborn as sns

siste_ar = ds.befolkning["ar"].max()
barn = ds.befolkning.query("ar == @siste_ar")[["kommunenummer", "kommunenavn", "barn_0_17"]]
sertifiserte = (
    ds.ansatte_kompetanse.query("status == 'sertifisert'")
    .groupby("kommunenummer")["ansatt_id"].nunique()
    .rename("sertifiserte")
)
per_kommune = barn.merge(sertifiserte, on="kommunenummer", how="left").fillna({"sertifiserte": 0})

fig, ax = plt.subplots(figsize=(7, 4.5))
sns.scatterplot(data=per_kommune, x="barn_0_17", y="sertifiserte", ax=ax, s=18)
ax.set(xscale="log", xlabel=f"Barn 0–17 år ({siste_ar}, logaritmisk skala)",
       ylabel="Sertifiserte ansatte (personer)", title="Sertifiserte ansatte etter kommunestørrelse")
fig.tight_layout()
'''),
]


def write(name: str, cells: list) -> Path:
    nb = new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell.id = f"{Path(name).stem}-{i:02d}"  # stable ids: regenerating gives no diff
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    path = NOTEBOOKS / name
    NOTEBOOKS.mkdir(exist_ok=True)
    nbformat.write(nb, path)
    return path


def main() -> None:
    for name, cells in {"utforsk.ipynb": UTFORSK}.items():
        print(f"wrote {write(name, cells)}")


if __name__ == "__main__":
    main()

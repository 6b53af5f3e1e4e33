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


PROGRAM = [
    md("""
# «Bedre foreldresamarbeid til det beste for barnet»: fremdrift

FUB/FUGs periodiske rapport om programmet for ett kull: hvor langt kommunene har kommet,
hvilke aktiviteter som er holdt, og hvor mange ansatte og foreldre som er nådd.
"""),
    code('''
# Parametere (papermill kan sette dem utenfra)
kull: str = "2024"  # kullet rapporten gjelder, for eksempel 2024
data: str = ""  # mappe med CSV-filer eller en .xlsx-arbeidsbok; tom betyr data/sample/
dato: str = ""  # datoen status gjelder (åååå-mm-dd); tom betyr slutten av siste periode
''', "parameters"),
    code('''
import kompetanse
from kompetanse import params, periods, plots, programme, tables
from kompetanse.disclosure import suppress_counts
from kompetanse.settings import MIN_COUNT, PROGRESS_TOLERANCE
from kompetanse.style import PROGRESS_LABELS

ds = kompetanse.load(params.data_path(data))
kull = params.kull(kull, ds)
on = periods.reference_date(ds, on=dato or None)
tables.heading(f"Kull {kull}: status {on:%d.%m.%Y}", level=2)
'''),
    md("""
## Nøkkeltall

Antall deltakende kommuner etter status i programmet, og aktivitetene så langt. Deltakertall er
oppmøter, ikke unike personer. Tall under 5 vises ikke.
"""),
    code('''
summary = suppress_counts(programme.cohort_summary(ds, on=on).query("kull == @kull"),
                          columns=["ansatte_naadd", "foreldre_naadd"]).iloc[0]
tables.key_figures([
    ("Kommuner i kullet", summary["kommuner"]),
    ("Har startet", summary["startet"]),
    ("I rute", summary["fremdrift_i_rute"]),
    ("Forsinket", summary["fremdrift_forsinket"]),
    ("Fullført", summary["fremdrift_fullfort"]),
    ("Avbrutt", summary["fremdrift_avbrutt"]),
    ("Barnehager med", summary["antall_barnehager"]),
    ("Skoler med", summary["antall_skoler"]),
    ("Aktiviteter gjennomført", summary["gjennomforte"]),
    ("Andel digitale", tables.number(summary["andel_digital"], 0, percent=True)),
    ("Ansatte nådd (oppmøter)", tables.SUPPRESSED if summary["ansatte_naadd_prikket"] else summary["ansatte_naadd"]),
    ("Foreldre nådd (oppmøter)", tables.SUPPRESSED if summary["foreldre_naadd_prikket"] else summary["foreldre_naadd"]),
])
'''),
    md("""
## Fremdrift per kommune

Hver kommune er plassert etter hvor stor del av programperioden som er gått (vannrett) og hvor
stor del av de planlagte aktivitetene som er gjennomført (loddrett). Kommuner under det skraverte
feltet ligger mer enn toleransen bak planen.
"""),
    code('''
progress = programme.programme_progress(ds, on=on).query("kull == @kull")
fig = plots.programme_progress(progress, tolerance=PROGRESS_TOLERANCE)
'''),
    code('''
shown = suppress_counts(progress, columns=["ansatte_naadd", "foreldre_naadd"], threshold=MIN_COUNT)
tables.table(
    shown.sort_values(["status", "kommunenavn"]),
    columns={"kommunenavn": "Kommune", "fylkesnavn": "Fylke", "status": "Status", "andel_tid": "Tid gått",
             "andel_gjennomfort": "Gjennomført", "gjennomforte": "Aktiviteter holdt",
             "planlagte_aktiviteter": "Planlagt i alt", "andel_digital": "Digitalt",
             "ansatte_naadd": "Ansatte nådd", "foreldre_naadd": "Foreldre nådd"},
    percent=["andel_tid", "andel_gjennomfort", "andel_digital"],
    status={"status": PROGRESS_LABELS},
)
'''),
    md("""
## Aktiviteter etter type og format

Gjennomførte opplæringsdager, personalmøter, foreldremøter og veiledninger, digitalt og fysisk.
"""),
    code('''
fig = plots.activities_by_type(programme.activities_by_type(ds, on=on).query("kull == @kull"))
'''),
    md("""
## Slik er tallene laget

- *Tid gått*: dager fra oppstart til statusdatoen, delt på programperiodens lengde (1–2 år).
- *Gjennomført*: gjennomførte aktiviteter delt på alle registrerte aktiviteter i kommunens plan;
  avlyste aktiviteter teller som ikke gjennomført.
- *Forsinket*: gjennomført andel ligger mer enn 15 prosentpoeng bak andelen tid som er gått.
- Deltakertall er summen av oppmøter. Tall fra 1 til 4 er skjult (prikket) av personvernhensyn.
"""),
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
    for name, cells in {"utforsk.ipynb": UTFORSK, "program_fremdrift.ipynb": PROGRAM}.items():
        print(f"wrote {write(name, cells)}")


if __name__ == "__main__":
    main()

"""Write the notebooks in notebooks/ from their cell lists here, without outputs.

Notebooks are generated rather than hand-edited so that their text stays reviewable in diffs;
run `python tools/make_notebooks.py` after changing a cell.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from cells import code, md
from nbformat.v4 import new_notebook
from notebook_utfallsstudie import CELLS as UTFALL

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


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
from kompetanse.build import params

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
`kompetanse.data.schema`, den samme beskrivelsen som validerer dataene.
"""),
    code('''
from kompetanse.data.schema import describe

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
from kompetanse.build import params
from kompetanse.analysis import periods
from kompetanse.reports import plots
from kompetanse.analysis import programme
from kompetanse.reports import tables
from kompetanse.analysis.disclosure import suppress_counts
from kompetanse.settings import MIN_COUNT, PROGRESS_TOLERANCE
from kompetanse.reports.style import PROGRESS_LABELS

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
plots.show(plots.programme_progress(progress, tolerance=PROGRESS_TOLERANCE),
           alt=f"Spredningsplott: gjennomført andel av planlagte aktiviteter mot andel tid gått, kull {kull}")
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
plots.show(plots.activities_by_type(programme.activities_by_type(ds, on=on).query("kull == @kull")),
           alt=f"Stolpediagram: gjennomførte aktiviteter etter type og format, kull {kull}")
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

KOMMUNE = [
    md("""
# Foreldrestøtte i kommunen

Hvor kan foreldre i kommunen få kunnskapsbasert foreldrestøtte, og hvor godt dekker de ansattes
kompetanse de tre forebyggingsnivåene: universell (for alle), selektiv (for grupper med økt risiko)
og indikativ (for familier der vansker har vist seg)?
"""),
    code('''
# Parametere (papermill kan sette dem utenfra)
kommunenummer: str = "0301"  # kommunen rapporten gjelder, fire sifre
periode: int = 0  # året rapporten gjelder; 0 betyr siste år med data
data: str = ""  # mappe med CSV-filer eller en .xlsx-arbeidsbok; tom betyr data/sample/
''', "parameters"),
    code('''
import kompetanse
from kompetanse.reports import municipal as rapport
from kompetanse.build import params
from kompetanse.analysis import periods
from kompetanse.reports import plots
from kompetanse.reports import tables

ds = kompetanse.load(params.data_path(data))
kommunenummer = params.kommunenummer(kommunenummer)
periode = params.periode(periode or None, ds)
on = periods.reference_date(ds, periode=periode)
profil = rapport.profile(ds, kommunenummer, on=on)
tables.heading(f"{profil.kommunenavn} ({kommunenummer}), {profil.fylkesnavn}: status {on:%d.%m.%Y}", level=2)
'''),
    md("""
## Kort oppsummert

Et nivå er **dekket** når minst én metode på nivået har to eller flere aktive, sertifiserte ansatte.
Det er **sårbart** når kapasiteten hviler på én person, eller når alle sertifiseringene på nivået
utløper innen et år. Det **mangler** når ingen aktive sertifiserte ansatte dekker nivået.
"""),
    code('''
rapport.summary_table(profil)
'''),
    md("""
## Kapasitet sammenlignet med fylket og landet

Aktive sertifiserte ansatte per 1 000 barn 0–17 år, ved siden av medianen i fylket og i landet.
*Vurdering* sier om kommunen ligger sikkert over eller under landsnivået (95 % konfidensintervall);
ellers er den *som landet*.
"""),
    code('''
plots.show(plots.capacity_beside_county_and_country(profil.comparison, kommunenavn=profil.kommunenavn,
                                                    fylkesnavn=profil.fylkesnavn),
           alt=f"Stolpediagram: sertifiserte per 1 000 barn per nivå i {profil.kommunenavn}, "
               f"ved siden av medianen i {profil.fylkesnavn} og i landet")
'''),
    code('''
rapport.comparison_table(profil)
'''),
    md("""
## Metodene i kommunen

Antall ansatte med aktiv sertifisering og i opplæring per metode. Tall om ansatte vises bare
summert, aldri per person.
"""),
    code('''
rapport.methods_table(profil)
'''),
    md("""
## Kompetanse som kan forsvinne

Per nivå: ansatte med sertifisering som utløper de neste 12 månedene, sertifiserte som sluttet i
perioden, og ansatte i opplæring, som kan gi ny kapasitet. *Status om ett år* viser hva som skjer
dersom ingenting gjøres: de som er i opplæring, er ikke regnet med. Hver person telles én gang per
nivå.
"""),
    code('''
rapport.retention_table(profil)
'''),
    md("""
## Hull og metoder som kan tette dem

For hvert nivå som ikke er dekket: metodene i katalogen som retter seg mot nivået, hvilke aldre de
er laget for, hvem som lærer opp, og om kommunen trenger en avtale med tilbyderen først.
Metoder kommunen allerede har ansatte i, er den raskeste veien.
"""),
    code('''
rapport.gaps_table(profil)
'''),
    md("""
## Tilbud til foreldre

Grupper og foreldre som deltok i tilbud etter nivå i perioden. Tall fra 1 til 4 vises ikke (:),
og andre tall skjules også når de ellers kunne brukes til å regne dem ut fra summen.
"""),
    code('''
rapport.offers_table(profil)
'''),
    md("""
## FUB/FUGs program «Bedre foreldresamarbeid til det beste for barnet»
"""),
    code('''
rapport.programme_table(profil)
'''),
    md("""
## Slik er tallene laget

- *Aktive sertifiserte*: ansatte med status sertifisert, sertifisert før statusdatoen, med
  sertifisering som ikke er utløpt og som ikke har sluttet. En person telles én gang per nivå.
- *Per 1 000 barn*: delt på antall barn 0–17 år i kommunen samme år.
- *Median og kvartiler* for fylket og landet er regnet over kommunene.
- Kildene er kommunens egne registreringer; se manifest.json ved siden av rapporten for filene.
"""),
]

NASJONAL = [
    md("""
# Nasjonal oversikt: foreldrestøtte i kommunene

Hvordan dekningen av de tre forebyggingsnivåene fordeler seg, hvilke kommuner som mangler et nivå,
og hvordan dekningen har endret seg over årene.
"""),
    code('''
# Parametere (papermill kan sette dem utenfra)
periode: int = 0  # året oversikten gjelder; 0 betyr siste år med data
fylkesnummer: str = ""  # to sifre for ett fylke, for eksempel 18; tom betyr hele landet
data: str = ""  # mappe med CSV-filer eller en .xlsx-arbeidsbok; tom betyr data/sample/
''', "parameters"),
    code('''
import kompetanse
from kompetanse.analysis import overview
from kompetanse.build import params
from kompetanse.analysis import periods
from kompetanse.reports import plots
from kompetanse.reports import tables
from kompetanse.analysis.coverage import coverage_by_level
from kompetanse.reports.style import LEVEL_LABELS

ds = kompetanse.load(params.data_path(data))
periode = params.periode(periode or None, ds)
fylkesnummer = params.fylkesnummer(fylkesnummer) if fylkesnummer else ""
on = periods.reference_date(ds, periode=periode)
dekning = coverage_by_level(ds, on=on)
if fylkesnummer:
    dekning = dekning.query("fylkesnummer == @fylkesnummer")
omrade = dekning["fylkesnavn"].iloc[0] if fylkesnummer else "Hele landet"
tables.heading(f"{omrade}: status {on:%d.%m.%Y}", level=2)
'''),
    md("""
## Dekning per nivå

Antall kommuner der nivået er dekket, sårbart eller mangler.
"""),
    code('''
plots.show(plots.coverage_counts(dekning), alt="Stolpediagram: antall kommuner der hvert nivå er dekket, sårbart "
           "eller mangler")
'''),
    code('''
tables.table(
    overview.status_counts(dekning, by=None),
    columns={"niva": "Nivå", "kommuner": "Kommuner", "dekket": "Dekket", "sarbar": "Sårbar",
             "mangler": "Mangler", "andel_dekket": "Andel dekket", "barn_i_dekkede": "Barn i kommuner med dekning"},
    percent=["andel_dekket", "barn_i_dekkede"],
    labels={"niva": LEVEL_LABELS},
)
'''),
    md("""
## Fylkene

Andel kommuner i hvert fylke der nivået er dekket, sårbart eller mangler.
"""),
    code('''
plots.show(plots.status_by_county(dekning, level="universell"),
           alt="Stolpediagram: andel kommuner per fylke med universelt nivå dekket, sårbart eller manglende")
'''),
    code('''
plots.show(plots.status_by_county(dekning, level="selektiv"),
           alt="Stolpediagram: andel kommuner per fylke med selektivt nivå dekket, sårbart eller manglende")
'''),
    code('''
plots.show(plots.status_by_county(dekning, level="indikativ"),
           alt="Stolpediagram: andel kommuner per fylke med indikativt nivå dekket, sårbart eller manglende")
'''),
    md("""
## Kommuner som mangler et nivå

Kommunene der ingen aktive sertifiserte ansatte dekker nivået, etter fylke.
"""),
    code('''
tables.table(overview.lacking(dekning),
             columns={"niva": "Nivå", "fylkesnavn": "Fylke", "antall": "Antall", "kommuner": "Kommuner"},
             labels={"niva": LEVEL_LABELS})
'''),
    md("""
## Utviklingen over årene

Andel kommuner der nivået var dekket ved utgangen av hvert år.
"""),
    code('''
plots.show(plots.share_covered_over_years(overview.coverage_trend(ds, fylkesnummer=fylkesnummer or None)),
           alt="Linjediagram: andel kommuner der hvert nivå var dekket ved utgangen av hvert år")
'''),
    md("""
## Slik er tallene laget

Et nivå er *dekket* når minst én metode på nivået har to eller flere aktive sertifiserte ansatte i
kommunen, *sårbart* når kapasiteten hviler på én person eller alle sertifiseringene utløper innen et
år, og *mangler* når ingen aktive sertifiserte dekker nivået.
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
    notebooks = {"utforsk.ipynb": UTFORSK, "program_fremdrift.ipynb": PROGRAM,
                 "kommune_rapport.ipynb": KOMMUNE, "nasjonal_oversikt.ipynb": NASJONAL,
                 "utfallsstudie.ipynb": UTFALL}
    for name, cells in notebooks.items():
        print(f"wrote {write(name, cells)}")


if __name__ == "__main__":
    main()

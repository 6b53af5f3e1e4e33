"""The cells of notebooks/utfallsstudie.ipynb (the outcome study for researchers), in the format
of tools/make_notebooks.py, which writes the notebook from them.

``python tools/make_notebooks.py`` writes it with the others.
"""

from __future__ import annotations

from cells import code, md

CELLS = [
    md("""
# Utfallsstudie: gir programmet bedre samarbeid mellom hjem og skole?

Har foreldre i kommuner som har deltatt i FUB/FUGs program «Bedre foreldresamarbeid til det beste
for barnet», blitt mer fornøyd med samarbeidet enn foreldre i kommuner som ikke (ennå) har deltatt?
Notatboken er skrevet for forskere: metode, forutsetninger, resultat med konfidensintervall,
robusthetssjekker og begrensninger. All beregning skjer i `kompetanse.outcomes`, der den er testet.

Uten parametere brukes det syntetiske datasettet i `data/sample/`, der en kjent effekt på 0,15
poeng er lagt inn i `samarbeid`. Tallene herfra sier derfor ingenting om det virkelige programmet.
"""),
    code('''
# Parametere (papermill kan sette dem utenfra)
data: str = ""  # mappe med CSV-filer eller en .xlsx-arbeidsbok; tom betyr data/sample/
indikator: str = "samarbeid"  # indikatoren i foreldreundersøkelsen som studeres
konfidensniva: float = 0.95  # konfidensnivå for intervallene, mellom 0 og 1
''', "parameters"),
    code('''
import kompetanse
from kompetanse import outcomes
from kompetanse.reports import outcome_plots
from kompetanse.build import params
from kompetanse.reports import plots
from kompetanse.reports import tables

# Parameterne sjekkes før noe annet: en ukjent indikator gir en melding med de gyldige.
ds = kompetanse.load(params.data_path(data))
indikator = outcomes.valid_indikator(indikator, ds)
konfidensniva = outcomes.valid_confidence_level(konfidensniva)
resultat = outcomes.outcome_study(ds, indikator=indikator, confidence_level=konfidensniva)
tables.heading(f"Indikator «{indikator}»", level=2)
'''),
    md("""
## Design

- **Sammenligning**: forskjell-i-forskjeller for forskjøvet oppstart (Callaway og Sant'Anna 2021).
  Kommunene som startet samme år (et *startkull*), sammenlignes med kommuner som ennå ikke hadde
  startet, og kommuner som aldri har startet. For hvert startkull og hvert år måles endringen i
  snittet fra året før start til det året, og den samme endringen i sammenligningskommunene
  trekkes fra. En kommune som har startet, brukes aldri som sammenligning.
- **Barnehage og grunnskole hver for seg**: snittene blandes aldri, så et år der skolene ikke er
  med, flytter ikke nivået kommunen sammenlignes på.
- **Effekten regnes fra første hele år etter start.** Oppstart er august–februar og undersøkelsen
  besvares om vinteren, så startåret er et overgangsår: det vises, men teller ikke i estimatet.
- **Vekter**: hvert snitt veier med antall svar året før start, så estimatet gjelder den typiske
  forelderen som svarer.
- **Kommuner som avbrøt**, regnes som deltakere (alle som startet, teller med). Å fjerne dem ville
  sammenligne programmets suksesser med alle andre.
- **Usikkerhet**: kommunen er klyngen. Hver kommune holdes utenfor én gang (jackknife), og
  intervallene bruker t-fordelingen med det effektive antallet deltakerkommuner, fordi noen få
  store kommuner bærer mye av vekten.
"""),
    md("""
## Forutsetninger

1. **Parallelle forløp**: uten programmet ville snittet i deltakerkommunene ha endret seg som i
   sammenligningskommunene. Dette kan ikke bevises, men årene før start kan sjekkes (placebotesten
   under).
2. **Ingen forventningseffekt**: kommunene endret ikke praksis før programmet startet.
3. **Ingen smitte**: programmet påvirker ikke foreldre i sammenligningskommunene.
4. **Hvem som startet når, henger ikke sammen med noe annet som endrer snittet samtidig**, for
   eksempel en egen satsing på foreldresamarbeid samme år.
"""),
    md("""
## Hovedresultat

Estimert effekt i poeng på skalaen 1–5, over årene fra første hele år etter start, med
konfidensintervall og p-verdi for «ingen effekt». Et intervall som ikke omfatter 0, betyr at
forskjellen neppe skyldes tilfeldigheter alene; bredden viser hvor presist effekten er målt.
"""),
    code('''
tables.key_figures(resultat.key_figures())
'''),
    md("""
## Effekten år for år

Punktene viser effekten i hvert år regnet fra start, med konfidensintervall. Året før start er
referansen (0). Årene før start er en placebotest: ligger de nær 0, fulgte deltakerkommunene og
sammenligningskommunene hverandre før programmet. Årene langt fra start bygger på få startkull og
er derfor usikre.
"""),
    code('''
plots.show(outcome_plots.event_study(resultat.event_study, indikator=indikator,
                                     confidence_level=konfidensniva, estimate=resultat.estimate),
           alt=f"Hendelsesstudie: effekt på {indikator} etter år fra start, med konfidensintervall")
'''),
    code('''
tables.table(
    resultat.event_study,
    columns={"rel_year": "År fra start", "estimate": "Effekt", "ci_low": "Nedre grense", "ci_high": "Øvre grense",
             "p_value": "p-verdi", "n": "Deltakerkommuner", "kohorter": "Startkull"},
    decimals={"rel_year": 0, "estimate": 3, "ci_low": 3, "ci_high": 3},
    p_values=["p_value"],
)
'''),
    md("""
## Robusthet

Den samme analysen med ett valg endret om gangen: uten vekter, uten kommuner som avbrøt, bare
kommuner som aldri har startet som sammenligning, og på en indikator programmet ikke retter seg
mot (et *placeboutfall*, der vi venter en effekt nær 0). Står hovedresultatet seg, bør de tre
første ligge nær det, og placeboutfallet nær 0.
"""),
    code('''
robusthet = outcomes.robustness(ds, indikator=indikator, confidence_level=konfidensniva)
plots.show(outcome_plots.robustness_estimates(robusthet),
           alt="Punktestimater med konfidensintervall for hovedanalysen og hver robusthetsvariant")
'''),
    code('''
tables.table(
    robusthet,
    columns={"variant": "Variant", "indikator": "Indikator", "estimate": "Effekt", "ci_low": "Nedre grense",
             "ci_high": "Øvre grense", "p_value": "p-verdi", "n_treated": "Deltakerkommuner",
             "n_control": "Sammenligningskommuner"},
    decimals={"estimate": 3, "ci_low": 3, "ci_high": 3},
    p_values=["p_value"],
)
'''),
    md("""
## Sammenlignet med en vanlig toveis regresjon

Mange studier estimerer effekten med én regresjon: faste effekter for kommune og år og én variabel
som er 1 etter start (toveis faste effekter, TWFE). Når kommunene starter i ulike år og effekten
vokser over tid, sammenligner den regresjonen også senere startere med kommuner som allerede har
startet, der effekten fortsatt vokser, og estimatet blir skjevt (Goodman-Bacon 2021). Tallet står
her bare til sammenligning. Ligger det nær hovedresultatet, tyder det på at effekten er omtrent
den samme fra år til år; ligger det klart lavere, kan effekten vokse over tid. I simuleringene med
en effekt som vokser, var TWFE-estimatet i snitt 0,017 poeng for lavt, og intervallet traff den
sanne effekten i bare 78 % av datasettene, mot 99 % for hovedanalysen.
"""),
    code('''
twfe = outcomes.naive_twfe(ds, indikator=indikator, confidence_level=konfidensniva)
tables.table(
    outcomes.compare_with_twfe(resultat, twfe),
    columns={"variant": "Metode", "estimate": "Effekt", "ci_low": "Nedre grense", "ci_high": "Øvre grense",
             "p_value": "p-verdi"},
    decimals={"estimate": 3, "ci_low": 3, "ci_high": 3},
    p_values=["p_value"],
)
'''),
    md("""
## Metoden i korte trekk
"""),
    code('''
print(resultat.method)
'''),
    md("""
## Begrensninger

- **Dette er ikke et eksperiment.** Kommunene søkte selv om å delta. Kommuner som søker, kan være
  mer opptatt av foreldresamarbeid enn andre, og de kan ha forbedret seg uansett. Placebotesten
  fanger bare forskjeller som viste seg før start.
- **Få kommuner.** Hvert startkull har bare 10–25 kommuner, og noen få store kommuner bærer mye av
  vekten. I simuleringer med 200 syntetiske datasett (`benchmarks/outcome_simulation.py`) traff
  95 % intervallet den sanne effekten i 95–99 % av datasettene, og uten noen effekt viste det en
  effekt i 5 % av dem, som det skal. Placebotesten før start slo feilaktig ut i 2 % av
  datasettene med vekter og 3,5 % uten. Med vekter hadde den for få deltakerkommuner til en samlet
  test i 17,5 % av datasettene; da står testen av snittet før start igjen (den slo feilaktig ut i
  3,5 % med vekter og 2,5 % uten), og årene før start i figuren. Se på både vektet og uvektet
  resultat.
- **Snitt, ikke enkeltforeldre.** Vi ser kommunesnitt fra foreldreundersøkelsen. Hvilke barnehager
  og skoler som svarer, skifter fra år til år, og små kommuner har få svar.
- **Kort tid etter start.** De siste startkullene har bare ett år etter start, og effekter som
  kommer senere, er ikke målt ennå.
- **Hva effekten betyr.** Estimatet er endringen i snittet på en skala fra 1 til 5 for kommuner som
  startet, ikke hva programmet ville gjort i en kommune som ikke søkte.
"""),
]


"""The outcome study in words, in Norwegian bokmål, for the report and its key figures."""

from __future__ import annotations

import math

from kompetanse.formatting import number

__all__ = ["NO_INTERVAL", "NO_INTERVAL_SHORT", "NO_PRE_PERIOD_TEST", "method_text", "p_text"]

#: Where an interval would be, when it rests on one treated municipality (the few-treated rule,
#: `kompetanse.did.inference.MIN_TREATED_CLUSTERS`).
NO_INTERVAL = "ikke oppgitt: bare én deltakerkommune bidrar, og et intervall krever minst to"
#: The same in a table cell or a legend.
NO_INTERVAL_SHORT = "uten intervall: bare én deltakerkommune"
#: The placebo test when no cohort has a survey year before its reference year.
NO_PRE_PERIOD_TEST = "kan ikke gjennomføres: ingen startkull har data fra mer enn ett år før start"


def method_text(*, indikator: str, weighted: bool, exclude_withdrawn: bool, control_group: str,
                 confidence_level: float, inference: str, n_boot: int) -> str:
    controls = ("kommuner som ennå ikke hadde startet, og kommuner som aldri har startet"
                if control_group == "not_yet_treated" else "kommuner som aldri har startet")
    weights = ("Gjennomsnittene er vektet med antall svar i året før start." if weighted
               else "Hver kommune og skoleslag teller likt (uvektet).")
    withdrawn = ("Kommuner som avbrøt programmet, er holdt utenfor." if exclude_withdrawn
                 else "Kommuner som avbrøt programmet, regnes som deltakere (alle som startet, teller med).")
    level = f"{confidence_level * 100:g}".replace(".", ",")
    replicates = ("jackknife: én kommune holdes utenfor om gangen" if inference == "jackknife"
                  else f"bootstrap: {n_boot} trekk av kommuner med tilbakelegging, fast frø")
    return (
        f"Forskjell-i-forskjeller for forskjøvet oppstart (Callaway og Sant'Anna 2021) på indikatoren "
        f"«{indikator}». Kommunene som startet programmet samme år, sammenlignes med {controls}: endringen "
        f"fra året før start til hvert senere år, innenfor barnehage og grunnskole hver for seg. Effekten regnes "
        f"fra første hele år etter start; startåret vises, men inngår ikke i det samlede estimatet. {weights} "
        f"{withdrawn} Usikkerheten er beregnet med kommunen som klynge ({replicates}); {level} % "
        f"konfidensintervall og p-verdi bruker t-fordelingen med det effektive antallet deltakerkommuner. "
        f"Intervall og p-verdi oppgis bare der minst to deltakerkommuner bidrar: med én kommune sier spredningen "
        f"ingenting om hvor usikker den kommunen er, og da vises bare estimatet. "
        f"Placebotesten sjekker at forskjellene før start er null."
    )


def p_text(p: float) -> str:
    if math.isnan(p):
        return "–"
    return "under 0,001" if p < 0.001 else number(p, 3)

"""The words of the submission template (`kompetanse.data.template`) in bokmål (``nb``) and
nynorsk (``nn``): what each table is for and who fills it, a note per column, the messages of
the dropdowns and the instruction sheet. A municipality gets the form of its administration
(`kompetanse.data.reference.report_language`); without a municipality the template is in bokmål.

Column and category names stay as the contract spells them (``i_opplaering``, ``sokt``): they are
what the cells hold.
"""

from __future__ import annotations

__all__ = ["LANGUAGES", "TABLE_NOTES", "COLUMN_NOTES", "MESSAGES", "INSTRUCTIONS", "column_note"]

LANGUAGES = ("nb", "nn")

#: Per language and table: what it is for, and who in the municipality fills it.
TABLE_NOTES: dict[str, dict[str, tuple[str, str]]] = {
    "nb": {
        "ansatte_kompetanse": (
            "Én rad per ansatt og metode: opplæring og sertifisering i foreldrestøttende metoder.",
            "Den som har oversikt over kompetansen i tjenestene, for eksempel koordinatoren for "
            "foreldrestøtte eller personalavdelingen, sammen med lederne i tjenestene."),
        "tilbud": (
            "Foreldrestøttende tilbud kommunen ga, per år, metode og tjeneste: antall grupper og foreldre.",
            "Lederne i tjenestene som gir tilbudene, eller koordinatoren for foreldrestøtte."),
        "befolkning": (
            "Antall barn 0–17 år i kommunen per år: nevneren når dekningen regnes ut.",
            "Den som sender inn; tallene finnes hos SSB (statistikkbanken, tabell 07459)."),
        "program_deltakelse": (
            "Én rad per kull i FUB/FUGs program «Bedre foreldresamarbeid til det beste for barnet» som "
            "kommunen har søkt om eller deltar i.",
            "Kommunens kontaktperson for programmet."),
        "program_aktiviteter": (
            "Én rad per planlagt eller gjennomført aktivitet i programmet.",
            "Kommunens kontaktperson for programmet."),
        "foreldreundersokelsen": (
            "Kommunens gjennomsnitt i Foreldreundersøkelsen per år, skoleslag og indikator.",
            "Den som sender inn; tallene finnes i Utdanningsdirektoratets statistikkportal."),
    },
    "nn": {
        "ansatte_kompetanse": (
            "Éin rad per tilsett og metode: opplæring og sertifisering i foreldrestøttande metodar.",
            "Den som har oversikt over kompetansen i tenestene, til dømes koordinatoren for "
            "foreldrestøtte eller personalavdelinga, saman med leiarane i tenestene."),
        "tilbud": (
            "Foreldrestøttande tilbod kommunen gav, per år, metode og teneste: talet på grupper og foreldre.",
            "Leiarane i tenestene som gir tilboda, eller koordinatoren for foreldrestøtte."),
        "befolkning": (
            "Talet på barn 0–17 år i kommunen per år: nemnaren når dekninga blir rekna ut.",
            "Den som sender inn; tala finst hos SSB (statistikkbanken, tabell 07459)."),
        "program_deltakelse": (
            "Éin rad per kull i programmet til FUB/FUG, «Bedre foreldresamarbeid til det beste for barnet», "
            "som kommunen har søkt om eller er med i.",
            "Kontaktpersonen til kommunen for programmet."),
        "program_aktiviteter": (
            "Éin rad per planlagd eller gjennomført aktivitet i programmet.",
            "Kontaktpersonen til kommunen for programmet."),
        "foreldreundersokelsen": (
            "Gjennomsnittet til kommunen i Foreldreundersøkinga per år, skoleslag og indikator.",
            "Den som sender inn; tala finst i statistikkportalen til Utdanningsdirektoratet."),
    },
}

_DATE_NB = "Dato, skrives dd.mm.åååå (for eksempel 31.12.2025)."
_DATE_NN = "Dato, skriv dd.mm.åååå (til dømes 31.12.2025)."

#: Per language, a short note per column: by column name, or by (table, column) where tables differ.
COLUMN_NOTES: dict[str, dict[str | tuple[str, str], str]] = {
    "nb": {
        "kommunenummer": "Kommunenummeret etter inndelingen fra 2024, fire siffer (for eksempel 0301). "
                         "Cellen er tekst, så nullen foran blir stående.",
        "ansatt_id": "Kommunens eget pseudonym for den ansatte, for eksempel A0000123: aldri navn, "
                     "fødselsnummer, D-nummer eller e-postadresse. Samme person har samme id på alle rader.",
        "tjeneste": "Tjenesten raden gjelder. Velg fra lista.",
        "metode": "Metoden fra metodekatalogen. Velg fra lista: koden står først, så navnet.",
        ("ansatte_kompetanse", "status"): "i_opplaering, sertifisert eller utgatt (sertifiseringen har gått "
                                          "ut). Velg fra lista.",
        "opplaering_start": "Første dag av opplæringen. " + _DATE_NB,
        "sertifisert_dato": "Datoen den ansatte ble sertifisert; må fylles ut når status er sertifisert. "
                            + _DATE_NB,
        "sertifisering_utloper": "Datoen sertifiseringen går ut, om tilbyderen har satt en; etter "
                                 "sertifisert_dato. Kan stå tom. " + _DATE_NB,
        "sluttet_dato": "Datoen den ansatte sluttet i tjenesten; tom så lenge hun eller han arbeider der. "
                        + _DATE_NB,
        "ar": "Året, fire siffer (for eksempel 2025).",
        "niva": "Forebyggingsnivået: universell, selektiv eller indikativ, og et nivå metoden dekker. "
                "Velg fra lista.",
        "antall_grupper": "Antall grupper dette året, et helt tall (0 eller mer).",
        "antall_foreldre": "Antall foreldre som deltok dette året, et helt tall (0 eller mer).",
        "barn_0_17": "Antall barn 0–17 år i kommunen, et helt tall.",
        ("program_deltakelse", "kull"): "Kullet i programmet, oftest året det starter (for eksempel 2025). "
                                        "Bokstaver, siffer, - og _ går også (2025-host).",
        "soknad_dato": "Datoen kommunen søkte om å delta. " + _DATE_NB,
        ("program_deltakelse", "status"): "sokt, innvilget, aktiv, fullfort eller avbrutt. Velg fra lista.",
        "startdato": "Datoen programmet startet; kan bare stå tom mens status er sokt. " + _DATE_NB,
        "planlagt_slutt": "Planlagt slutt, 1 til 2 år etter startdato; kan bare stå tom mens status er sokt. "
                          + _DATE_NB,
        "antall_barnehager": "Antall barnehager som deltar i kullet, et helt tall.",
        "antall_skoler": "Antall skoler som deltar i kullet, et helt tall.",
        ("program_aktiviteter", "kull"): "Kullet aktiviteten hører til; det må stå på arket program_deltakelse.",
        "aktivitet_id": "Kommunens egen id for aktiviteten, én per aktivitet (for eksempel AKT-0001).",
        "type": "opplaeringsdag, personalmote, foreldremote eller veiledning. Velg fra lista.",
        "format": "digital eller fysisk. Velg fra lista.",
        "dato": "Datoen aktiviteten holdes eller ble holdt. " + _DATE_NB,
        ("program_aktiviteter", "status"): "planlagt, gjennomfort eller avlyst. Velg fra lista.",
        "antall_deltakere": "Antall deltakere, et helt tall; tom så lenge status er planlagt.",
        "skoleslag": "barnehage eller grunnskole. Velg fra lista.",
        "indikator": "Indikatoren slik Udir kaller den, med små bokstaver (for eksempel samarbeid).",
        "snitt": "Gjennomsnittet på skalaen 1 til 5, med desimalkomma. Tom der Udir har skjermet tallet.",
        "antall_svar": "Antall svar bak gjennomsnittet, et helt tall.",
    },
    "nn": {
        "kommunenummer": "Kommunenummeret etter inndelinga frå 2024, fire siffer (til dømes 0301). "
                         "Cella er tekst, så nullen framfor blir ståande.",
        "ansatt_id": "Kommunen sitt eige pseudonym for den tilsette, til dømes A0000123: aldri namn, "
                     "fødselsnummer, D-nummer eller e-postadresse. Same person har same id på alle radene.",
        "tjeneste": "Tenesta raden gjeld. Vel frå lista.",
        "metode": "Metoden frå metodekatalogen. Vel frå lista: koden står først, så namnet.",
        ("ansatte_kompetanse", "status"): "i_opplaering, sertifisert eller utgatt (sertifiseringa har gått "
                                          "ut). Vel frå lista.",
        "opplaering_start": "Den første dagen i opplæringa. " + _DATE_NN,
        "sertifisert_dato": "Datoen den tilsette vart sertifisert; må fyllast ut når status er sertifisert. "
                            + _DATE_NN,
        "sertifisering_utloper": "Datoen sertifiseringa går ut, om tilbydaren har sett ein; etter "
                                 "sertifisert_dato. Kan stå tom. " + _DATE_NN,
        "sluttet_dato": "Datoen den tilsette slutta i tenesta; tom så lenge ho eller han arbeider der. "
                        + _DATE_NN,
        "ar": "Året, fire siffer (til dømes 2025).",
        "niva": "Førebyggingsnivået: universell, selektiv eller indikativ, og eit nivå metoden dekkjer. "
                "Vel frå lista.",
        "antall_grupper": "Talet på grupper dette året, eit heilt tal (0 eller meir).",
        "antall_foreldre": "Talet på foreldre som var med dette året, eit heilt tal (0 eller meir).",
        "barn_0_17": "Talet på barn 0–17 år i kommunen, eit heilt tal.",
        ("program_deltakelse", "kull"): "Kullet i programmet, oftast året det startar (til dømes 2025). "
                                        "Bokstavar, siffer, - og _ går òg (2025-host).",
        "soknad_dato": "Datoen kommunen søkte om å vere med. " + _DATE_NN,
        ("program_deltakelse", "status"): "sokt, innvilget, aktiv, fullfort eller avbrutt. Vel frå lista.",
        "startdato": "Datoen programmet starta; kan berre stå tom medan status er sokt. " + _DATE_NN,
        "planlagt_slutt": "Planlagd slutt, 1 til 2 år etter startdato; kan berre stå tom medan status er "
                          "sokt. " + _DATE_NN,
        "antall_barnehager": "Talet på barnehagar som er med i kullet, eit heilt tal.",
        "antall_skoler": "Talet på skular som er med i kullet, eit heilt tal.",
        ("program_aktiviteter", "kull"): "Kullet aktiviteten høyrer til; det må stå på arket program_deltakelse.",
        "aktivitet_id": "Kommunen sin eigen id for aktiviteten, ein per aktivitet (til dømes AKT-0001).",
        "type": "opplaeringsdag, personalmote, foreldremote eller veiledning. Vel frå lista.",
        "format": "digital eller fysisk. Vel frå lista.",
        "dato": "Datoen aktiviteten blir halden eller vart halden. " + _DATE_NN,
        ("program_aktiviteter", "status"): "planlagt, gjennomfort eller avlyst. Vel frå lista.",
        "antall_deltakere": "Talet på deltakarar, eit heilt tal; tom så lenge status er planlagt.",
        "skoleslag": "barnehage eller grunnskole. Vel frå lista.",
        "indikator": "Indikatoren slik Udir kallar han, med små bokstavar (til dømes samarbeid).",
        "snitt": "Gjennomsnittet på skalaen 1 til 5, med desimalkomma. Tom der Udir har skjerma talet.",
        "antall_svar": "Talet på svar bak gjennomsnittet, eit heilt tal.",
    },
}

#: Per language, the messages of the dropdowns and validations ({lo}, {hi}, {n} filled in).
MESSAGES: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Ugyldig verdi",
        "list": "Velg en verdi fra lista.",
        "cohort": "Kullet er ikke i lista. Velg Ja for å bruke det likevel.",
        "cohort_ref": "Kullet står ikke på arket program_deltakelse.",
        "date": "Skriv en dato mellom {lo} og {hi}, som dd.mm.åååå.",
        "whole": "Skriv et helt tall fra {lo} til {hi}.",
        "decimal": "Skriv et tall fra {lo} til {hi}.",
        "length": "Høyst {n} tegn.",
    },
    "nn": {
        "title": "Ugyldig verdi",
        "list": "Vel ein verdi frå lista.",
        "cohort": "Kullet er ikkje i lista. Vel Ja for å bruke det likevel.",
        "cohort_ref": "Kullet står ikkje på arket program_deltakelse.",
        "date": "Skriv ein dato mellom {lo} og {hi}, som dd.mm.åååå.",
        "whole": "Skriv eit heilt tal frå {lo} til {hi}.",
        "decimal": "Skriv eit tal frå {lo} til {hi}.",
        "length": "Høgst {n} teikn.",
    },
}

#: Per language, the instruction sheet: ``made`` ({day}, {version}), ``kommune`` ({nr}, {name}),
#: ``prefilled``, ``who`` (before a table's filler), then headed paragraphs in order.
INSTRUCTIONS: dict[str, dict] = {
    "nb": {
        "title": "Innsending av data om foreldrestøtte og FUB/FUG-programmet",
        "made": "Mal laget {day} etter datakontrakten i kompetanse {version} (docs/data-contract.md).",
        "kommune": "Kommune: {nr} {name}.",
        "prefilled": "Radene kommunen sendte sist, står allerede i arkene: rett dem, legg til nye og slett "
                     "rader som ikke lenger gjelder.",
        "how": ("Slik fyller du ut", [
            "Hvert ark er én tabell. Navnene på arkene og overskriftene i rad 1 må stå som de står. Hold "
            "musepekeren over en overskrift for å se hva kolonnen skal inneholde.",
            "Der cellen har en nedtrekksliste, velger du fra den. Lim ikke inn formler: skriv verdiene.",
            "Datoer skrives dd.mm.åååå (31.12.2025) og lagres som datoer. Tall skrives som tall, desimaler "
            "med komma (4,25). Kommunenummer og id-er er tekst, så nuller foran blir stående.",
            "Tomme rader hoppes over. En rad der bare noen av cellene er fylt ut, blir avvist med en "
            "melding om hva som mangler.",
        ]),
        "privacy": ("Personvern", [
            "Id-ene for ansatte skal være pseudonymer kommunen selv lager, for eksempel A0000123. Skriv "
            "aldri navn, fødselsnummer, D-nummer eller e-postadresse: slike verdier blir avvist. Kommunen "
            "har nøkkelen mellom pseudonym og person; den sendes ikke.",
        ]),
        "tables": "Tabellene",
        "who": "Fylles ut av:",
        "send": ("Sende inn", [
            "Lagre filen som .xlsx. Kontroller den med kompetanse validate FILNAVN.xlsx: kommandoen lister "
            "hver feil med ark, rad, kolonne og hva som ventes. Rett feilene og send filen til den som "
            "samler inn dataene.",
        ]),
    },
    "nn": {
        "title": "Innsending av data om foreldrestøtte og FUB/FUG-programmet",
        "made": "Mal laga {day} etter datakontrakten i kompetanse {version} (docs/data-contract.md).",
        "kommune": "Kommune: {nr} {name}.",
        "prefilled": "Radene kommunen sende sist, står alt i arka: rett dei, legg til nye og slett rader som "
                     "ikkje lenger gjeld.",
        "how": ("Slik fyller du ut", [
            "Kvart ark er éin tabell. Namna på arka og overskriftene i rad 1 må stå som dei står. Hald "
            "musepeikaren over ei overskrift for å sjå kva kolonnen skal innehalde.",
            "Der cella har ei nedtrekksliste, vel du frå lista. Lim ikkje inn formlar: skriv verdiane.",
            "Datoar skriv du dd.mm.åååå (31.12.2025), og dei blir lagra som datoar. Tal skriv du som tal, "
            "desimalar med komma (4,25). Kommunenummer og id-ar er tekst, så nullar framfor blir ståande.",
            "Tomme rader blir hoppa over. Ein rad der berre nokre av cellene er fylte ut, blir avvist med "
            "ei melding om kva som manglar.",
        ]),
        "privacy": ("Personvern", [
            "Id-ane for tilsette skal vere pseudonym som kommunen sjølv lagar, til dømes A0000123. Skriv "
            "aldri namn, fødselsnummer, D-nummer eller e-postadresse: slike verdiar blir avviste. Kommunen "
            "har nøkkelen mellom pseudonym og person; han blir ikkje send.",
        ]),
        "tables": "Tabellane",
        "who": "Blir fylt ut av:",
        "send": ("Sende inn", [
            "Lagre fila som .xlsx. Kontroller ho med kompetanse validate FILNAMN.xlsx: kommandoen listar "
            "kvar feil med ark, rad, kolonne og kva som er venta. Rett feila og send fila til den som samlar "
            "inn dataa.",
        ]),
    },
}


def column_note(table: str, column: str, language: str = "nb") -> str:
    """The note of a column of a table in ``language`` (`COLUMN_NOTES`)."""
    notes = COLUMN_NOTES[language]
    return notes.get((table, column)) or notes[column]

"""The words of the municipal report's sections (`kompetanse.reports.kommune`) in bokmål and
nynorsk: table headers, labels, notes, figure descriptions. The prose between the sections is in
the notebooks (``kommune_rapport.ipynb``, ``kommune_rapport_nn.ipynb``)."""

from __future__ import annotations

__all__ = ["TEXT"]

TEXT = {
    "nb": {
        "title_line": "Kommunenummer {nr}, {county}. Tallene gjelder {date}.",
        "compared": " Kommunen sammenlignes med fylket, landet og andre {group}.",
        "no_staff": "{name} har ingen registrerte ansatte, så {what}.", "no_data": "Ingen data",
        "no_capacity": "det er ingen kapasitet å vise", "no_levels": "nivåene er ikke vurdert",
        "no_methods": "det er ingen metoder å vise", "no_loss": "det er ingen kompetanse som kan forsvinne",
        "no_expiry": "det er ingen sertifiseringer som utløper", "no_trend": "det er ingen utvikling å vise",
        "others": "Andre {group}", "country": "landet",
        "capacity_alt": "Sertifiserte per 1 000 barn i {name}, med 95 % konfidensintervall, ved siden av {county}, "
                        "andre {group} og landet: {said}.",
        "for_faa": "Hviler på én person", "for_faa_n": "Færre enn {two} personer",
        "spredt": "Ingen metode har {two} sertifiserte", "utloper": "Alle sertifiseringene utløper innen et år",
        "utloper_n": "Alle sertifiseringene utløper innen {n} måneder",
        "level": "Nivå", "status": "Status", "why": "Hvorfor sårbart", "active": "Aktive sertifiserte",
        "in_use": "Metoder i bruk", "municipality": "Kommunen", "ci": "95\u00a0% KI", "county": "Fylket",
        "group": "Kommunegruppen", "land": "Landet", "middle": "Midtre halvdel av kommunene",
        "rank": "Rang i fylket", "of": "av", "lone_county": "eneste i fylket", "lone_group": "eneste i gruppen",
        "none_registered": "ingen registrerte ansatte", "method": "Metode", "levels": "Nivåer",
        "training": "I opplæring", "no_methods_row": "Ingen ansatte med sertifisering eller i opplæring",
        "expires": "Utløper innen 12 mnd.", "left": "Sluttet i {year}", "now": "Status nå",
        "in_a_year": "Status om ett år",
        "gap": "Hull", "all_covered": "Alle tre nivåene er dekket.",
        "none_all_missing": "Ingen registrerte ansatte: alle nivåene mangler.", "years": "{a}–{b} år",
        "not_given": "ikke oppgitt", "already": "Allerede i kommunen", "time": "Tid til sertifisering",
        "agreement": "Krever avtale med tilbyderen", "age": "Alder", "provider": "Opplæring og sertifisering",
        "show_all": "Vis alle", "show_more": "Vis alle: {n} metoder til",
        "no_offers": "{name} har ingen registrerte tilbud til foreldre i {year}.", "groups": "Grupper og kurs",
        "parents": "Foreldre", "total": "I alt",
        "not_started": "Kommunen har ikke startet i programmet.", "participation": "Deltakelse",
        "cohort": "Kull", "time_gone": "Tid gått", "done": "Gjennomført", "held": "Aktiviteter holdt",
        "planned": "Planlagt i alt", "kindergartens": "Barnehager", "schools": "Skoler",
        "trend_alt": "Linjer per nivå: sertifiserte per 1 000 barn i {name} hvert år fra {first} til {last}, ved "
                     "siden av andre {group} og landet. Tallene står i tabellen under.",
        "trend_own": "Trend i kommunen", "trend_peer": "Andre i gruppen", "trend_none": "Ingen: {why}",
        "rising": "Økende", "falling": "Synkende", "flat": "Ingen tydelig endring",
        "axis": "Sertifiserte per 1\u00a0000 barn 0–17 år", "per_1000": "Per 1\u00a0000 barn",
        "chart_title": "Kapasitet per forebyggingsnivå", "middle_band": "Midtre halvdel av kommunene",
        "with_ci": "{name} med 95\u00a0% konfidensintervall", "country_label": "Landet",
        "cap_summary": "Status per forebyggingsnivå: hvorfor et nivå er sårbart, aktive sertifiserte personer og "
                       "metodene i bruk",
        "cap_capacity": "Sertifiserte per 1\u00a0000 barn per forebyggingsnivå",
        "cap_comparison": "Sertifiserte per 1\u00a0000 barn per nivå med 95\u00a0% konfidensintervall, ved siden av "
                          "fylket, andre {group} og landet, og kommunens rang i fylket",
        "cap_trend": "Sertifiserte per 1\u00a0000 barn og status ved utgangen av hvert år, og trenden",
        "cap_methods": "Aktive sertifiserte og ansatte i opplæring per metode",
        "cap_retention": "Kompetanse som kan forsvinne: sertifiseringer som utløper, ansatte som har sluttet, og "
                         "status nå og om ett år",
        "cap_retention_public": ". Antall under {n}, også 0, og status som bygger på dem, vises ikke (:)",
        "cap_retention_internal": ". Intern utgave: alle antall vises, også for én eller to personer",
        "cap_expiry": "Når sertifiseringene utløper",
        "cap_gaps": "Metoder som kan tette hullene, per nivå som ikke er dekket",
        "cap_gaps_first": "Metoder som kan tette hullene, per nivå som ikke er dekket: de {n} første per nivå",
        "cap_gaps_rest": "Resten av metodene som kan tette hullene, etter de {n} første per nivå",
        "cap_offers": "Grupper og foreldre i tilbud per nivå i {year}; antall foreldre fra 1 til {m}, og tall som "
                      "ville avslørt dem, er skjult",
        "cap_programme": "Kommunens deltakelse i programmet, per kull",
    },
    "nn": {
        "title_line": "Kommunenummer {nr}, {county}. Tala gjeld {date}.",
        "compared": " Kommunen blir samanlikna med fylket, landet og andre {group}.",
        "no_staff": "{name} har ingen registrerte tilsette, så {what}.", "no_data": "Ingen data",
        "no_capacity": "det er ingen kapasitet å vise", "no_levels": "nivåa er ikkje vurderte",
        "no_methods": "det er ingen metodar å vise", "no_loss": "det er ingen kompetanse som kan forsvinne",
        "no_expiry": "det er ingen sertifiseringar som går ut", "no_trend": "det er inga utvikling å vise",
        "others": "Andre {group}", "country": "landet",
        "capacity_alt": "Sertifiserte per 1 000 barn i {name}, med 95 % konfidensintervall, ved sida av {county}, "
                        "andre {group} og landet: {said}.",
        "for_faa": "Kviler på éin person", "for_faa_n": "Færre enn {two} personar",
        "spredt": "Ingen metode har {two} sertifiserte", "utloper": "Alle sertifiseringane går ut innan eitt år",
        "utloper_n": "Alle sertifiseringane går ut innan {n} månader",
        "level": "Nivå", "status": "Status", "why": "Kvifor sårbart", "active": "Aktive sertifiserte",
        "in_use": "Metodar i bruk", "municipality": "Kommunen", "ci": "95\u00a0% KI", "county": "Fylket",
        "group": "Kommunegruppa", "land": "Landet", "middle": "Midtre halvdel av kommunane",
        "rank": "Rang i fylket", "of": "av", "lone_county": "einaste i fylket", "lone_group": "einaste i gruppa",
        "none_registered": "ingen registrerte tilsette", "method": "Metode", "levels": "Nivå",
        "training": "I opplæring", "no_methods_row": "Ingen tilsette med sertifisering eller i opplæring",
        "expires": "Går ut innan 12 mnd.", "left": "Slutta i {year}", "now": "Status no",
        "in_a_year": "Status om eitt år",
        "gap": "Hol", "all_covered": "Alle dei tre nivåa er dekte.",
        "none_all_missing": "Ingen registrerte tilsette: alle nivåa manglar.", "years": "{a}–{b} år",
        "not_given": "ikkje oppgitt", "already": "Allereie i kommunen", "time": "Tid til sertifisering",
        "agreement": "Krev avtale med tilbydaren", "age": "Alder", "provider": "Opplæring og sertifisering",
        "show_all": "Vis alle", "show_more": "Vis alle: {n} metodar til",
        "no_offers": "{name} har ingen registrerte tilbod til foreldre i {year}.", "groups": "Grupper og kurs",
        "parents": "Foreldre", "total": "I alt",
        "not_started": "Kommunen har ikkje starta i programmet.", "participation": "Deltaking",
        "cohort": "Kull", "time_gone": "Tid gått", "done": "Gjennomført", "held": "Aktivitetar haldne",
        "planned": "Planlagt i alt", "kindergartens": "Barnehagar", "schools": "Skular",
        "trend_alt": "Linjer per nivå: sertifiserte per 1 000 barn i {name} kvart år frå {first} til {last}, ved "
                     "sida av andre {group} og landet. Tala står i tabellen under.",
        "trend_own": "Trend i kommunen", "trend_peer": "Andre i gruppa", "trend_none": "Ingen: {why}",
        "rising": "Aukande", "falling": "Søkkande", "flat": "Inga tydeleg endring",
        "axis": "Sertifiserte per 1\u00a0000 barn 0–17 år", "per_1000": "Per 1\u00a0000 barn",
        "chart_title": "Kapasitet per førebyggingsnivå", "middle_band": "Midtre halvdel av kommunane",
        "with_ci": "{name} med 95\u00a0% konfidensintervall", "country_label": "Landet",
        "cap_summary": "Status per førebyggingsnivå: kvifor eit nivå er sårbart, aktive sertifiserte personar og "
                       "metodane i bruk",
        "cap_capacity": "Sertifiserte per 1\u00a0000 barn per førebyggingsnivå",
        "cap_comparison": "Sertifiserte per 1\u00a0000 barn per nivå med 95\u00a0% konfidensintervall, ved sida av "
                          "fylket, andre {group} og landet, og rangen til kommunen i fylket",
        "cap_trend": "Sertifiserte per 1\u00a0000 barn og status ved utgangen av kvart år, og trenden",
        "cap_methods": "Aktive sertifiserte og tilsette i opplæring per metode",
        "cap_retention": "Kompetanse som kan forsvinne: sertifiseringar som går ut, tilsette som har slutta, og "
                         "status no og om eitt år",
        "cap_retention_public": ". Tal under {n}, òg 0, og status som byggjer på dei, blir ikkje viste (:)",
        "cap_retention_internal": ". Intern utgåve: alle tal blir viste, òg for éin eller to personar",
        "cap_expiry": "Når sertifiseringane går ut",
        "cap_gaps": "Metodar som kan tette hola, per nivå som ikkje er dekt",
        "cap_gaps_first": "Metodar som kan tette hola, per nivå som ikkje er dekt: dei {n} første per nivå",
        "cap_gaps_rest": "Resten av metodane som kan tette hola, etter dei {n} første per nivå",
        "cap_offers": "Grupper og foreldre i tilbod per nivå i {year}; tal på foreldre frå 1 til {m}, og tal som "
                      "ville ha avslørt dei, er skjulte",
        "cap_programme": "Deltakinga til kommunen i programmet, per kull",
    },
}

"""The barometer on the municipal page: each indicator of `kompetanse.analysis.barometer` for the
municipality beside its county, its peer group and the country, every comparison marked with
the word and the colour of its test (better, similar, worse, not tested), never by colour alone.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from kompetanse.analysis.barometer import INDICATORS
from kompetanse.formatting import MISSING, NBSP, number
from kompetanse.reports.tables import plain_text, records, table_bundle
from kompetanse.reports.words import analysis_text, check_lang, pick
from kompetanse.settings import CONFIDENCE_LEVEL, EXPIRY_MONTHS, SUPPRESSED_MARKER

__all__ = ["Barometer", "barometer_table"]

_TEXT = {
    "nb": {
        "bedre": "Bedre", "likt": "Ingen sikker forskjell", "darligere": "Dårligere", "ikke_testet": "Ikke testet",
        "": "Ikke vurdert",
        "kapasitet_universell": "Sertifiserte på universelt nivå",
        "kapasitet_selektiv": "Sertifiserte på selektivt nivå",
        "kapasitet_indikativ": "Sertifiserte på indikativt nivå",
        "utloper_andel": "Sertifiseringer som utløper innen {months} måneder",
        "i_opplaering_per_1000": "Ansatte i opplæring", "foreldre_per_1000": "Foreldre nådd av tilbud i året",
        "samarbeid": "Foreldreundersøkelsen: samarbeid",
        "per_1000": "per 1\u00a0000 barn", "share": "andel", "mean": "snitt 1–5",
        "indicator": "Indikator", "county": "Fylket", "group": "Kommunegruppen", "land": "Landet", "best": "Best er",
        "high": "høy", "low": "lav",
        "caption": "Fylket er {county}, kommunegruppen andre {group}; fylket og landet regnes med {name}, "
                   "kommunegruppen uten. Ordet ved hver verdi er testen av {name} mot den: bedre, dårligere eller "
                   "ingen sikker forskjell, etter om kommunens {level}\u00a0% konfidensintervall ligger helt på den "
                   "gode siden av verdien, helt på den dårlige siden eller omkring den. Samarbeid i "
                   "foreldreundersøkelsen er ikke testet, fordi dataene har kommunenes snitt uten spredning.",
    },
    "nn": {
        "bedre": "Betre", "likt": "Inga sikker skilnad", "darligere": "Dårlegare", "ikke_testet": "Ikkje testa",
        "": "Ikkje vurdert",
        "kapasitet_universell": "Sertifiserte på universelt nivå",
        "kapasitet_selektiv": "Sertifiserte på selektivt nivå",
        "kapasitet_indikativ": "Sertifiserte på indikativt nivå",
        "utloper_andel": "Sertifiseringar som går ut innan {months} månader",
        "i_opplaering_per_1000": "Tilsette i opplæring", "foreldre_per_1000": "Foreldre nådde av tilbod i året",
        "samarbeid": "Foreldreundersøkinga: samarbeid",
        "per_1000": "per 1\u00a0000 barn", "share": "del", "mean": "snitt 1–5",
        "indicator": "Indikator", "county": "Fylket", "group": "Kommunegruppa", "land": "Landet", "best": "Best er",
        "high": "høg", "low": "låg",
        "caption": "Fylket er {county}, kommunegruppa andre {group}; fylket og landet er rekna med {name}, "
                   "kommunegruppa utan. Ordet ved kvar verdi er testen av {name} mot han: betre, dårlegare eller "
                   "inga sikker skilnad, etter om konfidensintervallet på {level}\u00a0% for kommunen ligg heilt på "
                   "den gode sida av verdien, heilt på den dårlege sida eller rundt han. Samarbeid i "
                   "foreldreundersøkinga er ikkje testa, fordi dataa har snittet for kommunane utan spreiing.",
    },
}
_INDICATOR = {i.key: i for i in INDICATORS}
#: Verdicts of a test, shown as a badge beside the comparator's value.
_TESTED = ("bedre", "likt", "darligere")
_DECIMALS = {"rate": 1, "share": 1, "mean": 2}


def _value(kind: str, value: float) -> str:
    if pd.isna(value):
        return MISSING
    decimals = 2 if kind == "rate" and abs(value) < 1 else _DECIMALS[kind]
    return number(value, decimals, percent=kind == "share")


@dataclass
class Barometer:
    """The barometer as a table: one row per indicator; ``rows`` is the analysis frame it shows
    (one municipality)."""

    rows: pd.DataFrame
    kommunenavn: str
    fylkesnavn: str
    peer_group_navn: str
    lang: str = "nb"

    @property
    def _t(self) -> dict[str, str]:
        return pick(_TEXT, self.lang)

    def _cells(self, r) -> list[str]:
        ind = _INDICATOR[r.indikator]
        t = self._t
        own = r.merknad_land if r.merknad_land in ("ingen registrerte ansatte", "ingen registrerte tilbud",
                                                  "ingen svar i undersøkelsen", "ingen registrerte data") else ""
        own = analysis_text(own, self.lang)
        if r.prikket:
            value = SUPPRESSED_MARKER
        elif own:
            value = own
        else:
            value = _value(ind.kind, r.verdi)
            if ind.kind != "mean" and pd.notna(r.ci_low):
                value += f" ({_value(ind.kind, r.ci_low)}–{_value(ind.kind, r.ci_high)})"
        unit = {"rate": t["per_1000"], "share": t["share"], "mean": t["mean"]}[ind.kind]
        cells = [f"{t[ind.key].format(months=number(EXPIRY_MONTHS))}, {unit}", value]
        for c in ("fylke", "peer", "land"):
            shown = _value(ind.kind, getattr(r, f"{c}_verdi"))
            verdict = getattr(r, f"vurdering_{c}")
            why = getattr(r, f"merknad_{c}")
            if shown == MISSING:
                cells.append(analysis_text(why, self.lang) or MISSING)
            else:
                cells.append((shown, verdict))
        cells.append(t["high"] if ind.higher_is_better else t["low"])
        return cells

    def to_frame(self) -> pd.DataFrame:
        """The barometer as plain text cells (a comparator cell: value and verdict word)."""
        out = []
        for r in records(self.rows):
            cells = self._cells(r)
            out.append([c if isinstance(c, str) else f"{c[0]} ({self._t[c[1]].lower()})" if c[1] in _TESTED
                        else c[0] for c in cells])
        return pd.DataFrame(out, columns=self.columns, dtype=object)

    @property
    def columns(self) -> list[str]:
        t = self._t
        return [t["indicator"], f"{self.kommunenavn} (95{NBSP}% KI)", t["county"], t["group"], t["land"], t["best"]]

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f'<th scope="col">{esc(c)}</th>' for c in self.columns)
        body = []
        for r in records(self.rows):
            cells = self._cells(r)
            tds = [f'<th scope="row">{esc(cells[0])}</th>', f'<td class="num">{esc(cells[1])}</td>']
            for c in cells[2:5]:
                if isinstance(c, str):
                    tds.append(f'<td class="merknad">{esc(c)}</td>')
                else:
                    shown, verdict = c
                    badge = (f' <span class="verdikt {verdict}">{esc(self._t[verdict])}</span>'
                             if verdict in _TESTED else "")
                    tds.append(f'<td class="num">{esc(shown)}{badge}</td>')
            tds.append(f"<td>{esc(cells[5])}</td>")
            body.append(f"<tr>{''.join(tds)}</tr>")
        return (f'<table class="kompetanse barometer"><caption>{esc(self._caption())}</caption><thead><tr>{head}</tr>'
                f"</thead><tbody>{''.join(body)}</tbody></table>")

    def _caption(self) -> str:
        level = number(CONFIDENCE_LEVEL * 100)
        group = analysis_text(self.peer_group_navn, self.lang)
        return self._t["caption"].format(county=self.fylkesnavn, group=group, name=self.kommunenavn, level=level)

    def __repr__(self) -> str:
        return plain_text(self.to_frame())

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        # the cells as the page shows them: a comparator's value, then its verdict's badge text
        rows = [[c if isinstance(c, str) else f"{c[0]} {self._t[c[1]]}" if c[1] in _TESTED else c[0]
                 for c in self._cells(r)] for r in records(self.rows)]
        return table_bundle([(self._caption(), self.columns, self.columns[1:5], rows)])


def barometer_table(rows: pd.DataFrame, *, kommunenavn: str, fylkesnavn: str, lang: str = "nb") -> Barometer:
    """The barometer of one municipality (rows of `kompetanse.analysis.barometer.barometer` for
    it), in `INDICATORS` order."""
    order = {i.key: n for n, i in enumerate(INDICATORS)}
    rows = rows.sort_values("indikator", key=lambda s: s.map(order)).reset_index(drop=True)
    group = rows["peer_group_navn"].iloc[0] if len(rows) else ""
    return Barometer(rows, kommunenavn, fylkesnavn, group, check_lang(lang))

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
from kompetanse.settings import CONFIDENCE_LEVEL, SUPPRESSED_MARKER

__all__ = ["VERDICT_LABELS", "Barometer", "barometer_table"]

#: The words of the tests, as the badges show them (the comparison is always the municipality's).
VERDICT_LABELS = {"bedre": "Bedre", "likt": "Ingen sikker forskjell", "darligere": "Dårligere",
                  "ikke_testet": "Ikke testet", "": "Ikke vurdert"}
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

    def _cells(self, r) -> list[str]:
        ind = _INDICATOR[r.indikator]
        own = r.merknad_land if r.merknad_land in ("ingen registrerte ansatte", "ingen registrerte tilbud",
                                                  "ingen svar i undersøkelsen", "ingen registrerte data") else ""
        if r.prikket:
            value = SUPPRESSED_MARKER
        elif own:
            value = own
        else:
            value = _value(ind.kind, r.verdi)
            if ind.kind != "mean" and pd.notna(r.ci_low):
                value += f" ({_value(ind.kind, r.ci_low)}–{_value(ind.kind, r.ci_high)})"
        cells = [f"{ind.label}, {ind.unit}", value]
        for c in ("fylke", "peer", "land"):
            shown = _value(ind.kind, getattr(r, f"{c}_verdi"))
            verdict = getattr(r, f"vurdering_{c}")
            why = getattr(r, f"merknad_{c}")
            if shown == MISSING:
                cells.append(why or MISSING)
            else:
                cells.append((shown, verdict))
        cells.append("høy" if ind.higher_is_better else "lav")
        return cells

    def to_frame(self) -> pd.DataFrame:
        """The barometer as plain text cells (a comparator cell: value and verdict word)."""
        out = []
        for r in self.rows.itertuples(index=False):
            cells = self._cells(r)
            out.append([c if isinstance(c, str) else f"{c[0]} ({VERDICT_LABELS[c[1]].lower()})" if c[1] in _TESTED
                        else c[0] for c in cells])
        return pd.DataFrame(out, columns=self.columns, dtype=object)

    @property
    def columns(self) -> list[str]:
        return ["Indikator", f"{self.kommunenavn} (95{NBSP}% KI)", "Fylket", "Kommunegruppen", "Landet", "Best er"]

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f'<th scope="col">{esc(c)}</th>' for c in self.columns)
        body = []
        for r in self.rows.itertuples(index=False):
            cells = self._cells(r)
            tds = [f'<th scope="row">{esc(cells[0])}</th>', f'<td class="num">{esc(cells[1])}</td>']
            for c in cells[2:5]:
                if isinstance(c, str):
                    tds.append(f'<td class="merknad">{esc(c)}</td>')
                else:
                    shown, verdict = c
                    badge = (f' <span class="verdikt {verdict}">{esc(VERDICT_LABELS[verdict])}</span>'
                             if verdict in _TESTED else "")
                    tds.append(f'<td class="num">{esc(shown)}{badge}</td>')
            tds.append(f"<td>{esc(cells[5])}</td>")
            body.append(f"<tr>{''.join(tds)}</tr>")
        level = number(CONFIDENCE_LEVEL * 100)
        caption = (f"Fylket er {self.fylkesnavn}, kommunegruppen andre {self.peer_group_navn}; fylket og landet "
                   f"regnes med {self.kommunenavn}, kommunegruppen uten. Ordet ved hver verdi er testen av "
                   f"{self.kommunenavn} mot den: bedre, dårligere eller ingen sikker forskjell, etter om kommunens "
                   f"{level}{NBSP}% konfidensintervall ligger helt på den gode siden av verdien, helt på den "
                   "dårlige siden eller omkring den. Samarbeid i foreldreundersøkelsen er ikke testet, fordi "
                   "dataene har kommunenes snitt uten spredning.")
        return (f'<table class="kompetanse barometer"><caption>{esc(caption)}</caption><thead><tr>{head}</tr>'
                f"</thead><tbody>{''.join(body)}</tbody></table>")

    def __repr__(self) -> str:
        return self.to_frame().to_string(index=False)


def barometer_table(rows: pd.DataFrame, *, kommunenavn: str, fylkesnavn: str) -> Barometer:
    """The barometer of one municipality (rows of `kompetanse.analysis.barometer.barometer` for
    it), in `INDICATORS` order."""
    order = {i.key: n for n, i in enumerate(INDICATORS)}
    rows = rows.sort_values("indikator", key=lambda s: s.map(order)).reset_index(drop=True)
    group = rows["peer_group_navn"].iloc[0] if len(rows) else ""
    return Barometer(rows, kommunenavn, fylkesnavn, group)

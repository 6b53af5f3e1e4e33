"""The staff policy of the municipal pages (``docs/staff-policy.md``, issue 16): what a published
page may say about staff, applied to the retention figures of one municipality.

A published page (the **public edition**, ``utgave="offentlig"``, the default) may say how many
staff are certified, per method and per level: the municipality's capacity. It may not say what
happened or will happen to one or two persons in a small unit: a count of persons who left or
whose certification expires, or a status, a date or a sentence that rests on such persons, is
shown only when at least `MIN_STAFF_EVENTS` persons are concerned. Below that the cell shows the
suppression marker, **0 included**: a «:» for 1 or 2 next to a «0» for none would tell, in a
level with one certified person, exactly what it hides.

- ``utloper_neste_12_mnd`` and ``sluttet_i_perioden`` are shown when at least
  `MIN_STAFF_EVENTS`, otherwise suppressed;
- ``status_om_ett_ar`` (the status a year ahead if nothing is done) is shown where the level has
  no certified staff now (nothing can be lost), or where both the persons whose certification
  expires and the persons the level loses by then are at least `MIN_STAFF_EVENTS`; otherwise it
  is suppressed (`future_hidden`). The choice to suppress never tells whether the status changes.

The **internal edition** (``utgave="intern"``), for the municipality's own leaders, shows every
count; the build marks it as internal on every page and never writes it into the public site.
"""

from __future__ import annotations

import pandas as pd

from kompetanse.errors import check_argument
from kompetanse.reports import tables
from kompetanse.reports.words import pick
from kompetanse.settings import EDITIONS, MIN_STAFF_EVENTS

__all__ = ["EDITIONS", "EVENT_COLUMNS", "MIN_STAFF_EVENTS", "POLICY", "future_hidden", "policy_note",
           "public_retention"]

#: The retention columns that count events of persons (certification expiring, person left).
EVENT_COLUMNS = ("utloper_neste_12_mnd", "sluttet_i_perioden")

#: The policy as the municipal page states it, per edition and language form.
POLICY = {
    "nb": {
        "offentlig": "Om de ansatte viser siden bare kapasiteten: hvor mange som er sertifisert, per metode og "
                     "nivå. Hendelser som gjelder enkeltpersoner, altså at noen har sluttet eller at en "
                     "sertifisering utløper, og en fremtidig status som bygger på slike hendelser, vises bare når "
                     "de gjelder minst {n} personer. Ellers står det «:», også når tallet er 0.",
        "intern": "Intern utgave for kommunens ledelse, ikke for publisering: siden viser også hendelser som "
                  "gjelder én eller to ansatte, altså at de har sluttet eller at sertifiseringen deres utløper. "
                  "Den offentlige utgaven viser slike tall bare når de gjelder minst {n} personer.",
    },
    "nn": {
        "offentlig": "Om dei tilsette viser sida berre kapasiteten: kor mange som er sertifiserte, per metode og "
                     "nivå. Hendingar som gjeld einskildpersonar, altså at nokon har slutta eller at ei "
                     "sertifisering går ut, og ein framtidig status som byggjer på slike hendingar, blir berre "
                     "viste når dei gjeld minst {n} personar. Elles står det «:», òg når talet er 0.",
        "intern": "Intern utgåve for leiinga i kommunen, ikkje for publisering: sida viser òg hendingar som "
                  "gjeld éin eller to tilsette, altså at dei har slutta eller at sertifiseringa deira går ut. "
                  "Den offentlege utgåva viser slike tal berre når dei gjeld minst {n} personar.",
    },
}


def policy_note(utgave: str = "offentlig", lang: str = "nb", *, min_staff: int = MIN_STAFF_EVENTS) -> tables.Paragraph:
    """The policy as one paragraph of the page, in the page's edition and language form."""
    check_argument("utgave", EDITIONS, utgave)
    return tables.Paragraph(pick(POLICY, lang)[utgave].format(n=min_staff))


def future_hidden(retention: pd.DataFrame, *, min_staff: int = MIN_STAFF_EVENTS) -> pd.Series:
    """Per row of `coverage.retention_by_level`: True where the public edition may not show the
    status a year ahead (nor a date of its change): the level has certified staff now, and
    fewer than ``min_staff`` persons' certifications expire or fewer than ``min_staff`` persons
    are lost by the horizon (``kapasitet_na`` - ``kapasitet_om_ett_ar``)."""
    lost = retention["kapasitet_na"] - retention["kapasitet_om_ett_ar"]
    few = (retention["utloper_neste_12_mnd"] < min_staff) | (lost < min_staff)
    return (retention["kapasitet_na"] > 0) & few


def public_retention(retention: pd.DataFrame, *, min_staff: int = MIN_STAFF_EVENTS) -> pd.DataFrame:
    """The retention rows as the public edition shows them: each event count with a
    ``<column>_prikket`` flag (True below ``min_staff``, 0 included, `tables.table` shows the
    marker), and ``status_om_ett_ar_prikket`` where `future_hidden`."""
    flags = {f"{c}_prikket": retention[c] < min_staff for c in EVENT_COLUMNS}
    flags["status_om_ett_ar_prikket"] = future_hidden(retention, min_staff=min_staff)
    return retention.assign(**flags)

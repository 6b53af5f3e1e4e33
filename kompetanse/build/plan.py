"""What a build must do: one `Job` per report, and the fingerprint that says whether the report
on disk is current.

Every municipality gets its report in its own language form (`municipal_forms`,
`kompetanse.data.reference.report_language`: nynorsk for the 88 nynorsk municipalities, bokmål
for the others) at ``kommuner/<nr>.html``, and the other form beside it at
``kommuner/<nr>.<nb|nn>.html``, each from its own twin notebook (``kommune_rapport.ipynb`` in
bokmål, ``kommune_rapport_nn.ipynb`` in nynorsk). Without the nynorsk notebook every municipal
report is in bokmål, at ``kommuner/<nr>.html`` alone.

A report's fingerprint hashes its notebook, its parameters, the package's own source, its
edition and a digest of exactly the data it is made from (`data_digests`): a report is rebuilt
when, and only when, one of them changes.

**Editions** (`kompetanse.settings.EDITIONS`, ``docs/staff-policy.md``): a build is either the
public edition (``offentlig``, the default, the published site) or the internal one (``intern``,
for the municipalities' own leaders, every retention count shown). The municipal reports take the
edition as their notebook parameter ``utgave``, and every job's fingerprint includes it, so a
page of one edition is never taken for a current page of the other.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from kompetanse import __version__
from kompetanse.data.dataset import Dataset
from kompetanse.data.reference import report_language
from kompetanse.errors import UsageError, check_argument
from kompetanse.resources import notebook
from kompetanse.settings import EDITIONS
from kompetanse.site.pages import unlinked_targets

__all__ = ["AGGREGATE_INPUTS", "MUNICIPAL_NOTEBOOKS", "Job", "alternates", "data_digests", "is_current",
           "job_fingerprint", "municipal_digests", "municipal_forms", "navigation", "notebook_hashes",
           "package_fingerprint", "page_current", "page_downloads", "pages_on_disk", "plan",
           "site_pages"]

PACKAGE_DIR = Path(__file__).resolve().parents[1]

_FINGERPRINT_META = re.compile(rb'<meta name="kompetanse-fingerprint" content="([0-9a-f]{64})">')
_DOWNLOADS_META = re.compile(rb'<meta name="kompetanse-downloads" content="([^"]*)">')


@dataclass(frozen=True)
class Job:
    """One report to build."""

    key: str  # "kommune/0301", "nasjonal", "program/2024"
    kind: str  # kommune, nasjonal, program
    notebook: str  # file name in notebooks/
    parameters: dict
    html: str  # path of the page, relative to the period folder
    executed: str  # path of the executed notebook, relative to the period folder
    title: str
    fingerprint: str = ""
    data_digest: str = ""
    form: str = "nb"  # the page's language form: "nb" (bokmål) or "nn" (nynorsk)
    alternate: str = ""  # the same report in the other form (path relative to the period folder), or ""
    utgave: str = "offentlig"  # the build's edition: "offentlig" or "intern"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def notebook_hashes(jobs: list[Job]) -> dict[str, str]:
    """The sha256 of each notebook the jobs run, by file name; a missing notebook is an error
    naming it (`kompetanse.resources.notebook`)."""
    return {j.notebook: _sha256(notebook(j.notebook)) for j in jobs}


#: What counts as the package's source for the fingerprint (the site's templates and static files
#: shape every page as much as the code does).
PACKAGE_SOURCES = (".py", ".csv", ".html", ".css", ".js")


def package_fingerprint() -> str:
    """A hash of the package's own source: a change to its code, reference tables or page
    templates, CSS and JavaScript rebuilds every report."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix in PACKAGE_SOURCES and "__pycache__" not in path.parts:
            h.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def job_fingerprint(job: Job, *, data: str, notebooks: dict, package: str) -> str:
    """The job's fingerprint: its notebook's hash, its parameters, its data digest, the package's,
    its language form, the page of its other form (a page links it: when the other form
    comes or goes, the page changes) and its edition (every page of an internal build is marked
    as such)."""
    payload = json.dumps({"notebook": notebooks[job.notebook], "parameters": job.parameters,
                          "data": data, "package": package, "form": job.form, "alternate": job.alternate,
                          "utgave": job.utgave}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _row_digests(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Two order-independent 64-bit digests of each municipality's rows in ``frame``."""
    h = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    keys = frame["kommunenummer"].astype("str").to_numpy()
    grouped = pd.DataFrame({"k": keys, "h": h}).groupby("k")["h"]
    return pd.DataFrame({f"{name}:sum": grouped.sum(), f"{name}:xor": grouped.agg(np.bitwise_xor.reduce)})


def municipal_digests(ds: Dataset, *, on, grouping: pd.DataFrame | None = None) -> pd.Series:
    """For each municipality, a digest of everything its report is made from: its own rows in
    every input table, and its rows in every national analysis the report draws on (which
    include the county and national figures it is compared with, and its rank). A change to
    one municipality's rows changes its own digest, and another municipality's only where
    what that municipality's report shows changes with it (a median, a rank). With a
    ``grouping`` (``--kommunegrupper``, `kompetanse.analysis.peers.read_grouping`) the peer
    comparisons are those of its groups, and a municipality's row of the grouping counts too."""
    from kompetanse.reports.kommune import national

    frames = dict(ds.tables()) | {f"national:{k}": v for k, v in national(ds, on=on, grouping=grouping).items()}
    if grouping is not None:
        frames["kommunegrupper"] = grouping
    parts = [_row_digests(f, name) for name, f in frames.items() if "kommunenummer" in f.columns]
    table = pd.concat(parts, axis=1).reindex(ds.kommuner["kommunenummer"].astype("str")).fillna(0)
    combined = pd.util.hash_pandas_object(table.astype("uint64"), index=True)
    return combined.map(lambda v: f"{int(v):016x}")


#: The input tables each kind of report reads (a municipal report: see `municipal_digests`).
AGGREGATE_INPUTS = {"nasjonal": None, "program": ("program_deltakelse", "program_aktiviteter"),
                    "utfall": ("foreldreundersokelsen", "program_deltakelse")}


def data_digests(ds: Dataset, jobs: list[Job], *, on, grouping: pd.DataFrame | None = None) -> dict[str, str]:
    """The data digest each job's fingerprint rests on (``grouping``: the municipal reports' peer
    groups, `municipal_digests`)."""
    files = {name: sha for name, (_file, sha) in ds.sources.items()}
    per_kommune = (municipal_digests(ds, on=on, grouping=grouping) if any(j.kind == "kommune" for j in jobs)
                   else None)
    digests = {}
    for job in jobs:
        if job.kind == "kommune":
            digests[job.key] = per_kommune[job.parameters["kommunenummer"]]
        else:
            wanted = AGGREGATE_INPUTS.get(job.kind) or sorted(files)
            payload = {t: files.get(t) for t in wanted}
            if grouping is not None and "kommunegrupper" in job.parameters:
                # the national extract names each municipality's group: the grouping's content counts
                payload["kommunegrupper"] = grouping.astype("str").to_numpy().tolist()
            digests[job.key] = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return digests


#: The municipal report's twin notebooks, one per language form: the same parameters and code
#: cells, the prose in bokmål or nynorsk (the notebook's metadata ``language`` says which).
MUNICIPAL_NOTEBOOKS = {"nb": "kommune_rapport.ipynb", "nn": "kommune_rapport_nn.ipynb"}


def municipal_forms() -> tuple[str, ...]:
    """The language forms the municipal reports are built in: ``("nb", "nn")``, or ``("nb",)``
    when the nynorsk notebook (``kommune_rapport_nn.ipynb``) is not among the notebooks. The
    bokmål notebook is always required (`plan` says so when it is missing)."""
    forms = ["nb"]
    try:
        notebook(MUNICIPAL_NOTEBOOKS["nn"])
        forms.append("nn")
    except UsageError:
        pass
    return tuple(forms)


def _municipal_jobs(nr: str, name: str, *, periode: int, data: str, forms: tuple[str, ...],
                    utgave: str = "offentlig", kommunegrupper: str = "") -> list[Job]:
    """A municipality's reports: in its own form (`report_language`, bokmål when that form's
    notebook is not there) at ``kommuner/<nr>.html``, and in each other form at
    ``kommuner/<nr>.<form>.html``, each linking the other; the executed notebooks alike under
    ``notebooks/kommuner/``."""
    own = report_language(nr) if report_language(nr) in forms else "nb"
    order = [own, *(f for f in forms if f != own)]
    stem = {f: nr if f == own else f"{nr}.{f}" for f in order}
    parameters = {"kommunenummer": nr, "periode": periode, "data": data, "utgave": utgave}
    if kommunegrupper:
        # only when given, so that the pages of a build without a grouping keep their fingerprints
        parameters["kommunegrupper"] = kommunegrupper
    # the municipal notebook's first output is the <h1> with the municipality's name; the title
    # (index, <title>) reads the same in both forms
    return [Job(f"kommune/{stem[f]}", "kommune", MUNICIPAL_NOTEBOOKS[f], parameters, f"kommuner/{stem[f]}.html",
                f"notebooks/kommuner/{stem[f]}.ipynb", f"{name} – foreldrestøtte og kompetanse {periode}",
                form=f, alternate=next((f"kommuner/{stem[o]}.html" for o in order if o != f), ""), utgave=utgave)
            for f in order]


def plan(ds: Dataset, *, periode: int, kommuner: list[str], data: str, utgave: str = "offentlig",
         kommunegrupper: str = "") -> list[Job]:
    """The reports of one build: the national overview, one programme report per cohort, the
    outcome study (all in bokmål), and the reports of each municipality asked for: in its own
    language form and in the other (`municipal_forms`; in bokmål only when the nynorsk notebook
    is not there); all of them in the edition ``utgave`` (``offentlig`` or ``intern``). The
    municipal reports compare with the peer groups of the grouping file ``kommunegrupper`` (an
    absolute path; empty: size bands), and the national overview's extract names them.

    Raises
    ------
    UsageError : a report's notebook is missing (the message names it), before anything is built.
    """
    from kompetanse.reports import nasjonal, program, utfall

    check_argument("utgave", EDITIONS, utgave)
    # a page's title is the one text on the index, in <title> and in its <h1> (the report modules
    # say it, so the notebook's own heading and the build agree)
    # the grouping only when given, so that the pages of a build without one keep their fingerprints
    grouped = {"kommunegrupper": kommunegrupper} if kommunegrupper else {}
    jobs = [Job("nasjonal", "nasjonal", "nasjonal_oversikt.ipynb", {"periode": periode, "data": data, **grouped},
                "nasjonal.html", "notebooks/nasjonal.ipynb", nasjonal.page_title(periode))]
    for kull in sorted(ds.program_deltakelse["kull"].unique()):
        jobs.append(Job(f"program/{kull}", "program", "program_fremdrift.ipynb", {"kull": kull, "data": data},
                        f"program-{kull}.html", f"notebooks/program-{kull}.ipynb", program.page_title(kull)))
    jobs.append(Job("utfall", "utfall", "utfallsstudie.ipynb", {"data": data}, "utfallsstudie.html",
                    "notebooks/utfallsstudie.ipynb", utfall.page_title()))
    names = ds.kommuner.set_index("kommunenummer")["kommunenavn"]
    forms = municipal_forms() if kommuner else ("nb",)
    jobs = [replace(j, utgave=utgave) for j in jobs]
    for nr in kommuner:
        jobs.extend(_municipal_jobs(nr, names[nr], periode=periode, data=data, forms=forms, utgave=utgave,
                                    kommunegrupper=kommunegrupper))
    for job in jobs:
        notebook(job.notebook)  # raises, naming it, when a notebook is missing
    return jobs


#: The header's links on every page, by language form: (label, the kind of job, or "index").
_NAV_LABELS = {"nb": {"index": "Alle kommuner", "nasjonal": "Landet", "program": "Kull", "utfall": "Utfallsstudien"},
               "nn": {"index": "Alle kommunar", "nasjonal": "Landet", "program": "Kull", "utfall": "Utfallsstudien"}}


def navigation(jobs: list[Job], form: str = "nb") -> tuple[tuple[str, str], ...]:
    """The header's links, as (label, path relative to the period folder): the index, the
    national overview, each programme cohort and the outcome study, in that order; the labels
    in bokmål (``form="nb"``) or nynorsk (``"nn"``)."""
    labels = _NAV_LABELS[form]
    nav = [(labels["index"], "index.html")]
    nav += [(labels["nasjonal"], j.html) for j in jobs if j.kind == "nasjonal"]
    nav += [(f"{labels['program']} {j.parameters['kull']}", j.html) for j in jobs if j.kind == "program"]
    nav += [(labels["utfall"], j.html) for j in jobs if j.kind == "utfall"]
    return tuple(nav)


def alternates(jobs: list[Job]) -> dict[str, tuple[str, str]]:
    """For each page that has one, its other language form: page → (the other form, its page),
    paths relative to the period folder."""
    forms = {j.html: j.form for j in jobs}
    return {j.html: (forms[j.alternate], j.alternate) for j in jobs if j.alternate in forms}


def site_pages(folder: Path, jobs: list[Job]) -> frozenset[str]:
    """Every file of the site a page of this build may link to, relative to the period folder:
    the pages and executed notebooks the jobs write, the index and the manifest, and every page
    and notebook already on disk from an earlier build."""
    planned = {"index.html", "manifest.json"} | {j.html for j in jobs} | {j.executed for j in jobs}
    return frozenset(planned | pages_on_disk(folder))


def pages_on_disk(folder: Path) -> frozenset[str]:
    """Every page, executed notebook and manifest in the period folder, relative to it."""
    found = set()
    for root, _dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder).as_posix()
        for name in files:
            if not name.startswith(".") and (name.endswith((".html", ".ipynb")) or name == "manifest.json"):
                found.add(name if rel == "." else f"{rel}/{name}")
    return frozenset(found)


def is_current(folder: Path, job: Job, pages: frozenset[str] | None = None) -> bool:
    """The job's report and executed notebook are on disk, the report was built from exactly
    the job's inputs (its fingerprint), and none of the pages it was written without a link to
    is among ``pages`` now (`kompetanse.site.pages.site_links`; None skips that check). Files
    are only ever written whole (`write_atomic`)."""
    return page_current(folder, job.html, job.executed, job.fingerprint, pages)


def page_current(folder: Path, html: str, executed: str, fingerprint: str, pages: frozenset[str] | None = None) -> bool:
    """`is_current` for the page ``html`` and executed notebook ``executed`` (relative to the
    period folder) that should carry ``fingerprint``: both on disk, the page's fingerprint that
    one, each of its downloads with the bytes the page was written with, and none of its
    unlinked targets among ``pages``."""
    head = _head(folder / html)
    if head is None or (folder / executed).exists() is False:
        return False
    m = _FINGERPRINT_META.search(head)
    if not m or m.group(1).decode() != fingerprint:
        return False
    # the page's downloads are there, each with the bytes the page was written with
    root = os.fspath(folder)
    for name, sha in _downloads(head).items():
        try:
            with open(os.path.join(root, name), "rb") as fh:
                if hashlib.sha256(fh.read()).hexdigest() != sha:
                    return False
        except OSError:  # not there, or not a file
            return False
    return pages is None or not set(unlinked_targets(head.decode("utf-8", "replace"))) & pages


def _downloads(head: bytes) -> dict[str, str]:
    m = _DOWNLOADS_META.search(head)
    if not m:
        return {}
    return dict(item.split("=", 1) for item in m.group(1).decode("utf-8", "replace").split())


def page_downloads(folder: Path, html: str) -> dict[str, str]:
    """The download files the page ``html`` (relative to the period folder) was written with,
    as path relative to the period folder → sha256 (``<meta name="kompetanse-downloads">``);
    empty for a page without tables or not on disk."""
    head = _head(folder / html)
    return {} if head is None else _downloads(head)


#: How much of a page's head is read for its fingerprint and its unlinked targets: the two
#: <meta> elements come first, before the style sheet.
_HEAD_BYTES = 65536


def _head(path: Path) -> bytes | None:
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError:
        return None
    return head.split(b"<meta charset", 1)[0]


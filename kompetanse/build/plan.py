"""What a build must do: one `Job` per report, and the fingerprint that says whether the report
on disk is current.

A report's fingerprint hashes its notebook, its parameters, the package's own source and a digest
of exactly the data it is made from (`data_digests`): a report is rebuilt when, and only when,
one of them changes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kompetanse import __version__
from kompetanse.data.dataset import Dataset
from kompetanse.resources import notebook
from kompetanse.site.pages import unlinked_targets

__all__ = ["AGGREGATE_INPUTS", "Job", "data_digests", "is_current", "job_fingerprint", "municipal_digests",
           "navigation", "notebook_hashes", "package_fingerprint", "plan", "site_pages"]

PACKAGE_DIR = Path(__file__).resolve().parents[1]

_FINGERPRINT_META = re.compile(rb'<meta name="kompetanse-fingerprint" content="([0-9a-f]{64})">')


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
    """The job's fingerprint: its notebook's hash, its parameters, its data digest and the package's."""
    payload = json.dumps({"notebook": notebooks[job.notebook], "parameters": job.parameters,
                          "data": data, "package": package}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _row_digests(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Two order-independent 64-bit digests of each municipality's rows in ``frame``."""
    h = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    keys = frame["kommunenummer"].astype("str").to_numpy()
    grouped = pd.DataFrame({"k": keys, "h": h}).groupby("k")["h"]
    return pd.DataFrame({f"{name}:sum": grouped.sum(), f"{name}:xor": grouped.agg(np.bitwise_xor.reduce)})


def municipal_digests(ds: Dataset, *, on) -> pd.Series:
    """For each municipality, a digest of everything its report is made from: its own rows in
    every input table, and its rows in every national analysis the report draws on (which
    include the county and national figures it is compared with, and its rank). A change to
    one municipality's rows changes its own digest, and another municipality's only where
    what that municipality's report shows changes with it (a median, a rank)."""
    from kompetanse.reports.kommune import national

    frames = dict(ds.tables()) | {f"national:{k}": v for k, v in national(ds, on=on).items()}
    parts = [_row_digests(f, name) for name, f in frames.items() if "kommunenummer" in f.columns]
    table = pd.concat(parts, axis=1).reindex(ds.kommuner["kommunenummer"].astype("str")).fillna(0)
    combined = pd.util.hash_pandas_object(table.astype("uint64"), index=True)
    return combined.map(lambda v: f"{int(v):016x}")


#: The input tables each kind of report reads (a municipal report: see `municipal_digests`).
AGGREGATE_INPUTS = {"nasjonal": None, "program": ("program_deltakelse", "program_aktiviteter"),
                    "utfall": ("foreldreundersokelsen", "program_deltakelse")}


def data_digests(ds: Dataset, jobs: list[Job], *, on) -> dict[str, str]:
    """The data digest each job's fingerprint rests on."""
    files = {name: sha for name, (_file, sha) in ds.sources.items()}
    per_kommune = municipal_digests(ds, on=on) if any(j.kind == "kommune" for j in jobs) else None
    digests = {}
    for job in jobs:
        if job.kind == "kommune":
            digests[job.key] = per_kommune[job.parameters["kommunenummer"]]
        else:
            wanted = AGGREGATE_INPUTS.get(job.kind) or sorted(files)
            digests[job.key] = hashlib.sha256(json.dumps({t: files.get(t) for t in wanted},
                                                         sort_keys=True).encode()).hexdigest()
    return digests


def plan(ds: Dataset, *, periode: int, kommuner: list[str], data: str) -> list[Job]:
    """The reports of one build: the national overview, one programme report per cohort, and
    one report per municipality asked for.

    Raises
    ------
    UsageError : a report's notebook is missing (the message names it), before anything is built.
    """
    from kompetanse.reports import nasjonal, program, utfall

    # a page's title is the one text on the index, in <title> and in its <h1> (the report modules
    # say it, so the notebook's own heading and the build agree)
    jobs = [Job("nasjonal", "nasjonal", "nasjonal_oversikt.ipynb", {"periode": periode, "data": data},
                "nasjonal.html", "notebooks/nasjonal.ipynb", nasjonal.page_title(periode))]
    for kull in sorted(ds.program_deltakelse["kull"].unique()):
        jobs.append(Job(f"program/{kull}", "program", "program_fremdrift.ipynb", {"kull": kull, "data": data},
                        f"program-{kull}.html", f"notebooks/program-{kull}.ipynb", program.page_title(kull)))
    jobs.append(Job("utfall", "utfall", "utfallsstudie.ipynb", {"data": data}, "utfallsstudie.html",
                    "notebooks/utfallsstudie.ipynb", utfall.page_title()))
    names = ds.kommuner.set_index("kommunenummer")["kommunenavn"]
    for nr in kommuner:
        # the municipal notebook's first output is the <h1> with the municipality's name
        jobs.append(Job(f"kommune/{nr}", "kommune", "kommune_rapport.ipynb",
                        {"kommunenummer": nr, "periode": periode, "data": data},
                        f"kommuner/{nr}.html", f"notebooks/kommuner/{nr}.ipynb",
                        f"{names[nr]} – foreldrestøtte og kompetanse {periode}"))
    for job in jobs:
        notebook(job.notebook)  # raises, naming it, when a notebook is missing
    return jobs


#: The header's links on every page: (label, the kind of job, or "index").
_NAV_LABELS = {"index": "Alle kommuner", "nasjonal": "Landet", "utfall": "Utfallsstudien"}


def navigation(jobs: list[Job]) -> tuple[tuple[str, str], ...]:
    """The header's links, as (label, path relative to the period folder): the index, the
    national overview, each programme cohort and the outcome study, in that order."""
    nav = [(_NAV_LABELS["index"], "index.html")]
    nav += [(_NAV_LABELS["nasjonal"], j.html) for j in jobs if j.kind == "nasjonal"]
    nav += [(f"Kull {j.parameters['kull']}", j.html) for j in jobs if j.kind == "program"]
    nav += [(_NAV_LABELS["utfall"], j.html) for j in jobs if j.kind == "utfall"]
    return tuple(nav)


def site_pages(folder: Path, jobs: list[Job]) -> frozenset[str]:
    """Every file of the site a page of this build may link to, relative to the period folder:
    the pages and executed notebooks the jobs write, the index and the manifest, and every page
    and notebook already on disk from an earlier build."""
    planned = {"index.html", "manifest.json"} | {j.html for j in jobs} | {j.executed for j in jobs}
    on_disk = {p.relative_to(folder).as_posix() for pattern in ("*.html", "*.ipynb", "manifest.json")
               for p in folder.rglob(pattern) if p.is_file() and not p.name.startswith(".")}
    return frozenset(planned | on_disk)


def is_current(folder: Path, job: Job, pages: frozenset[str] | None = None) -> bool:
    """The job's report and executed notebook are on disk, the report was built from exactly
    the job's inputs (its fingerprint), and none of the pages it was written without a link to
    is among ``pages`` now (`kompetanse.site.pages.site_links`; None skips that check). Files
    are only ever written whole (`write_atomic`)."""
    head = _head(folder / job.html)
    if head is None or (folder / job.executed).exists() is False:
        return False
    m = _FINGERPRINT_META.search(head)
    if not m or m.group(1).decode() != job.fingerprint:
        return False
    return pages is None or not set(unlinked_targets(head.decode("utf-8", "replace"))) & pages


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


"""The report builder: every report of a period from one command, in parallel, with a progress
bar, an index page and a manifest saying what was built from which inputs.

Layout of a build (``reports/<periode>/``; the internal edition in ``reports-intern/<periode>/``,
see `edition_folder`)::

    index.html                  every municipality with its status, linking to its report
    nasjonal.html               the national and county overview
    program-<kull>.html         FUB/FUG's progress report per cohort
    utfallsstudie.html          the outcome study for researchers
    kommuner/<nr>.html          one report per municipality, in its own målform
    kommuner/<nr>.<nb|nn>.html  the same report in the other form (when kommune_rapport_nn.ipynb is there)
    notebooks/...               the executed notebooks beside them, for audit
    manifest.json               inputs and hashes, version, parameters, and each report's status

A report that fails does not stop the others; its executed notebook is kept (papermill marks the
failing cell), its page is not written, and the manifest names the cell and the message.
Every file is written whole or not at all.

The rooms of the batch: `kompetanse.build.plan` (what to build, fingerprints),
`kompetanse.build.workers` (the pool of warm kernels), `kompetanse.build.manifest` (statuses,
index and manifest); this module puts them together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from kompetanse.analysis.peers import read_grouping
from kompetanse.build import params
from kompetanse.build.guard import BuildLock, BuildWriteError, InputWatch, write_error
from kompetanse.build.manifest import BuildResult, ReportStatus, write_index, write_manifest
from kompetanse.build.pdf import PdfBuild, WatchedStatuses
from kompetanse.build.plan import (
    Job,
    alternates,
    data_digests,
    is_current,
    job_fingerprint,
    municipal_forms,
    navigation,
    notebook_hashes,
    package_fingerprint,
    pages_on_disk,
    plan,
    site_pages,
)
from kompetanse.build.unchanged import build_key, site_digest, unchanged_build
from kompetanse.data.dataset import default_data_path, load
from kompetanse.errors import ParameterError, UsageError, argument_error, check_argument
from kompetanse.settings import EDITIONS
from kompetanse.site.downloads import downloads_on_disk
from kompetanse.site.files import DeferredFlush
from kompetanse.site.pages import Site, write_atomic
from kompetanse.site.statement import accessibility_page

__all__ = ["BuildResult", "ReportStatus", "build_reports", "edition_folder"]


def edition_folder(out: str | Path, utgave: str = "offentlig") -> Path:
    """The root a build of edition ``utgave`` writes into: ``out`` itself for the public edition,
    the sibling ``<out>-intern`` for the internal one (``reports`` → ``reports-intern``).

    Never a folder inside ``out``: ``out`` is the published site (``make reports`` writes it and
    a deployment copies it whole), and a build reads every page already in its period folder
    (for links and the index), so an internal page inside it would be published with it.
    """
    check_argument("utgave", EDITIONS, utgave)
    out = Path(out)
    return out if utgave == "offentlig" else out.with_name(f"{out.name}-intern")


def _check_edition(folder: Path, utgave: str) -> None:
    """Refuse to build into a folder that holds the other edition (its manifest says which; a
    manifest without ``utgave`` is of the public edition, as every build was before editions)."""
    try:
        found = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("utgave", "offentlig")
    except (OSError, ValueError, AttributeError):
        return
    if found != utgave:
        raise UsageError(f"{folder} holds the {found!r} edition (its manifest.json says so); the {utgave!r} "
                         "edition is never written into it: choose another --out")


def build_reports(
    data: str | Path | None = None,
    *,
    out: str | Path = "reports",
    periode: int | str | None = None,
    kommuner: list | tuple = (),
    alle: bool = False,
    jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
    kernel_name: str | None = None,
    pdf: bool = True,
    utgave: str = "offentlig",
    kommunegrupper: str | Path | None = None,
) -> BuildResult:
    """Build the reports of a period.

    Parameters
    ----------
    data : a data folder or workbook; None for the embedded sample.
    out : the output folder; the build goes to ``out/<periode>/`` (the internal edition to
        ``out-intern/<periode>/``, `edition_folder`).
    periode : the calendar year to report on; default the latest period in the data.
    kommuner : municipality numbers to build reports for (any form: 301, "0301").
    alle : build a report for every municipality.
    jobs : worker processes (default: the number of CPUs).
    force : rebuild every report even when its inputs have not changed.
    progress : show a progress bar on the terminal.
    kernel_name : None (the default) runs the notebooks in the worker processes themselves, on an
        IPython shell (`kompetanse.build.inprocess`: the same executed notebooks as papermill on
        a kernel, without the kernel protocol's cost); a Jupyter kernel's name (``"python3"``)
        runs them on one warm kernel of that name per worker (`kompetanse.build.kernel`).
    pdf : print a tagged A4 PDF of each municipal page and of the national overview
        (`kompetanse.build.pdf`); False (``--uten-pdf``) skips them. Without Playwright or
        Chromium the pages are built and ``BuildResult.pdf_warning`` says why there are no PDFs.
    utgave : ``"offentlig"`` (the default: the public edition, following the staff policy,
        ``docs/staff-policy.md``) or ``"intern"`` (for the municipalities' own leaders: every
        retention count, every page marked internal, written beside ``out``, never into it).
    kommunegrupper : a grouping file (one group per municipality, e.g. SSB's KOSTRA groups:
        `kompetanse.analysis.peers.read_grouping`) the municipal reports compare with instead of
        the size bands; checked before anything is built. Its content is part of every municipal
        report's fingerprint, and the build watches it like the data files.

    Returns
    -------
    BuildResult with one `ReportStatus` per report. Raises `DataError` for bad data and
    `UsageError` for bad parameters (or a folder another build is writing, `BuildLock`), before
    anything is built; `BuildWriteError` when the output cannot be written (disk full,
    read-only, no permission, ``out`` a file), after writing the manifest where it can.
    An input file that changes during the build fails every report built from it
    (``BuildResult.errors`` names the file): its pages may mix old and new data.
    """
    start = time.perf_counter()
    utgave = params.utgave(utgave)
    data_path = params.data_path(data)
    ds = load(data_path)
    periode = params.periode(periode, ds)
    numbers = sorted(ds.kommuner["kommunenummer"]) if alle else sorted({params.kommunenummer(k) for k in kommuner})
    data_param = str(data_path.resolve()) if data_path else ""
    grouping, grouping_file = _grouping(kommunegrupper, ds)
    inputs = {name: {"file": f, "sha256": h} for name, (f, h) in ds.sources.items()}
    if grouping_file:
        inputs["kommunegrupper"] = {"file": str(grouping_file[0]), "sha256": grouping_file[1]}
    key = build_key(inputs=inputs, parameters={"periode": periode, "kommuner": numbers, "data": data_param,
                                               "utgave": utgave, "pdf": pdf})

    folder = edition_folder(out, utgave) / str(periode)
    _check_edition(folder, utgave)
    if not force and (folder / "manifest.json").is_file():
        # the whole site as the last build left it, for the same inputs: nothing to do
        # (kompetanse.build.unchanged); anything else is decided report by report below
        with BuildLock(folder) as lock:
            same = unchanged_build(folder, key)
            if same is not None:
                return BuildResult(folder, same[0], time.perf_counter() - start, pdfs=same[1],
                                   notes=_lock_notes(lock))
    jobs_list = plan(ds, periode=periode, kommuner=numbers, data=data_param, utgave=utgave,
                     kommunegrupper=str(grouping_file[0]) if grouping_file else "")
    _make_folder(folder)
    watch = InputWatch(data_path or default_data_path(), ds.sources, dict([grouping_file]) if grouping_file else None)
    with BuildLock(folder) as lock:
        try:
            return _build(ds, folder, jobs_list, watch=watch, lock=lock, start=start, utgave=utgave,
                          periode=periode, numbers=numbers, data_param=data_param, alle=alle, force=force,
                          pdf=pdf, jobs=jobs, progress=progress, kernel_name=kernel_name, grouping=grouping,
                          inputs=inputs, key=key)
        except OSError as exc:  # a write the workers did not catch: the disk, the file system
            raise write_error(exc, folder) from exc


def run_all(*args, **kwargs):
    """`kompetanse.build.workers.run_all`, imported only by a build that has reports to run (it
    imports nbformat and the notebook engines, which an unchanged rebuild has no need of);
    nbformat first, without what costs a second of its import (`kompetanse.build.nbimport`)."""
    from kompetanse.build.nbimport import import_nbformat

    import_nbformat()
    from kompetanse.build.workers import run_all as run

    return run(*args, **kwargs)


def _lock_notes(lock: BuildLock) -> list[str]:
    return [f"a lock left by {lock.stale}, which no longer runs, was taken over"] if lock.stale else []


def _grouping(source: str | Path | None, ds) -> tuple[pd.DataFrame | None, tuple[Path, str] | None]:
    """The checked grouping of ``--kommunegrupper`` and (its absolute path, its sha256), or
    (None, None) without one. Raises `DataError` naming the file's bad rows, `UsageError` for a
    file that is not there."""
    if source is None or not str(source).strip():
        return None, None
    path = Path(source).expanduser().resolve()
    if not path.is_file():
        raise argument_error("kommunegrupper", "a CSV file of municipality groups that exists", str(source),
                             cls=ParameterError)
    data = path.read_bytes()
    grouping = read_grouping(path, known=list(ds.kommuner["kommunenummer"]))
    return grouping, (path, hashlib.sha256(data).hexdigest())


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise BuildWriteError(f"cannot write into {folder}: {exc.filename or folder} is a file, not a folder "
                              f"(give --out a folder)") from exc
    except OSError as exc:
        raise write_error(exc, folder) from exc


def _build(ds, folder: Path, jobs_list: list[Job], *, watch: InputWatch, lock: BuildLock, start: float, utgave: str,
           periode: int, numbers: list[str], data_param: str, alle: bool, force: bool, pdf: bool, jobs: int | None,
           progress: bool, kernel_name: str | None, inputs: dict, key: str, grouping=None) -> BuildResult:
    """The build itself, in a folder this process holds the lock of."""
    notebooks = notebook_hashes(jobs_list)
    package = package_fingerprint()
    from kompetanse.analysis.periods import reference_date

    digests = data_digests(ds, jobs_list, on=reference_date(ds, periode=periode), grouping=grouping)
    jobs_list = [Job(**{**asdict(j), "data_digest": digests[j.key],
                        "fingerprint": job_fingerprint(j, data=digests[j.key], notebooks=notebooks, package=package)})
                 for j in jobs_list]
    built = dt.datetime.now().astimezone().isoformat(timespec="seconds")

    # the pages a link may point to: what this build writes and what is on disk already. A
    # page is written with a link only to those (kompetanse.site.pages.site_links) and records
    # the targets it had to leave unlinked; once one of them exists, the page is rebuilt
    # the accessibility statement first, so every page of the build finds it and links it
    write_atomic(folder / "tilgjengelighet.html", accessibility_page(
        periode=periode, tested=dt.date.fromisoformat(built[:10]), site=Site(nav=navigation(jobs_list), utgave=utgave)))
    pdfs = PdfBuild(folder, jobs_list, enabled=pdf)
    site = Site(site_pages(folder, jobs_list) | pdfs.pages, navigation(jobs_list), navigation(jobs_list, "nn"),
                alternates(jobs_list), utgave=utgave)
    # each page's PDF is printed as soon as its status is set, while the other pages are built
    statuses: dict[str, ReportStatus] = WatchedStatuses(pdfs)
    todo = []
    for job in jobs_list:
        if not force and is_current(folder, job, site.pages):
            statuses[job.key] = ReportStatus(job.key, job.html, job.executed, "unchanged", fingerprint=job.fingerprint)
        else:
            todo.append(job)

    interrupted = False
    _sweep_temporary(folder)
    present = downloads_on_disk(folder, [job.html for job in todo])
    # the workers write the pages, downloads and notebooks without an fsync each (where the
    # file system can report a failed write for all of them at once); they reach the disk
    # together before the manifest that lists them is written (below). The folder's descriptor
    # is closed however the build ends (an error in the worker pool, a second Ctrl-C).
    with DeferredFlush(folder) as flush:
        try:
            run_all(todo, folder, built, statuses, site=site, jobs=jobs, progress=progress, kernel_name=kernel_name,
                    present=present)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            # a worker that was killed, or ended when another died, leaves its half-written
            # temporary files behind; no worker runs any more, so they can go
            _sweep_temporary(folder)
        for job in jobs_list:
            if job.key in statuses:
                continue
            if interrupted and is_current(folder, job, site.pages):
                # a worker wrote this report whole just before the interrupt reached it, and its
                # answer never came back: the report is there and current, so say so (a re-run keeps it)
                statuses[job.key] = ReportStatus(job.key, job.html, job.executed, "built", float("nan"),
                                                 fingerprint=job.fingerprint)
            else:
                statuses[job.key] = ReportStatus(job.key, job.html, job.executed, "interrupted",
                                                 error="the build was interrupted before this report was done",
                                                 fingerprint=job.fingerprint)
        errors = _check_inputs(watch, folder, statuses)
        pdf_statuses = pdfs.finish(cancel=interrupted)
        errors += _flush(flush, folder, statuses, pdf_statuses)
    _check_on_disk(folder, statuses, pdf_statuses)
    ordered = [statuses[j.key] for j in jobs_list]
    result = BuildResult(folder, ordered, time.perf_counter() - start, pdfs=pdf_statuses, pdf_warning=pdfs.warning,
                         errors=errors, notes=_lock_notes(lock))
    _make_folder(folder)  # removed while the build ran: the index and the manifest say what is left
    index_error = None
    try:
        write_index(ds, folder, periode=periode, jobs=jobs_list, statuses=statuses, built=built, site=site,
                    pdfs=_pdf_links(pdf_statuses))
    except OSError as exc:
        index_error = write_error(exc, folder)
        result.errors.append(str(index_error))
    write_manifest(folder, result, periode=periode, inputs=inputs, notebooks=notebooks, package=package,
                   data=data_param, built=built, numbers=numbers, alle=alle, force=force,
                   digests={j.key: j.data_digest for j in jobs_list},
                   form={j.key: j.form for j in jobs_list},
                   forms=sorted({j.form for j in jobs_list if j.kind == "kommune"}) or list(municipal_forms()),
                   parameters={j.key: j.parameters for j in jobs_list}, utgave=utgave, build_key=key,
                   site_sha256=site_digest(pages_on_disk(folder)))
    if interrupted:
        raise KeyboardInterrupt
    if index_error is not None:
        raise index_error
    return result


def _check_inputs(watch: InputWatch, folder: Path, statuses: dict[str, ReportStatus]) -> list[str]:
    """Fail every report built in this run when an input file changed while it ran: its workers
    may have read the new file, its fingerprint says the old one. Unchanged reports stay: they
    were built from the files the build started with."""
    changed = watch.changed()
    if not changed:
        return []
    message = (f"{', '.join(changed)} changed while the build ran: the reports built in it may mix old and new "
               f"data; run the build again")
    _fail_built(folder, statuses, message)
    return [message]


def _flush(flush: DeferredFlush, folder: Path, statuses: dict[str, ReportStatus], pdfs: list) -> list[str]:
    """Flush the files the workers wrote to disk. When the disk reports that a write failed
    (which one it does not say), no page built in this run can be trusted: each is removed and
    failed, with its PDF, so the next build makes them again."""
    try:
        flush.flush()
        return []
    except OSError as exc:
        message = (f"the disk reported an error while the build's files were flushed to it ({exc.strerror or exc}): "
                   f"the pages built in this run were removed; run the build again")
    _fail_built(folder, statuses, message, pdfs)
    return [message]


def _fail_built(folder: Path, statuses: dict[str, ReportStatus], message: str, pdfs: list = ()) -> None:
    """Fail every report built in this run with ``message`` and remove its page, and the PDF
    printed from it (a page that is not there is rebuilt by the next build)."""
    failed = set()
    for key, status in list(statuses.items()):
        if status.status == "built":
            (folder / status.html).unlink(missing_ok=True)
            statuses[key] = ReportStatus(key, status.html, status.executed, "failed", status.seconds,
                                         error=message, fingerprint=status.fingerprint)
            failed.add(key)
    for p in pdfs:
        if p.key in failed and p.status == "built":
            (folder / p.pdf).unlink(missing_ok=True)
            p.status, p.error = "failed", message


def _check_on_disk(folder: Path, statuses: dict[str, ReportStatus], pdfs: list) -> None:
    """The manifest lists as built only what is on disk when it is written (a folder removed
    during the build takes its pages with it)."""
    gone = "the page is not on disk when the build ends (removed while the build ran)"
    for key, status in list(statuses.items()):
        if status.status in ("built", "unchanged") and not (folder / status.html).is_file():
            statuses[key] = ReportStatus(key, status.html, status.executed, "failed", status.seconds,
                                         error=gone, fingerprint=status.fingerprint)
    for p in pdfs:
        if p.status in ("built", "unchanged") and not (folder / p.pdf).is_file():
            p.status, p.error = "failed", "the PDF is not on disk when the build ends (removed while the build ran)"


def _pdf_links(pdfs) -> dict[str, str]:
    """The PDFs on disk after the build, by report key (for the index)."""
    return {p.key: p.pdf for p in pdfs if p.status in ("built", "unchanged")}


def _sweep_temporary(folder: Path) -> None:
    """Remove temporary files of unfinished writes (``.<name>.<random>.tmp`` from
    `write_atomic`, ``.<name>.<pid>.tmp.ipynb`` from papermill) anywhere in the build folder."""
    for path in folder.rglob(".*.tmp*"):
        if path.is_file() and (path.name.endswith(".tmp") or path.name.endswith(".tmp.ipynb")):
            path.unlink(missing_ok=True)



"""The report builder: every report of a period from one command, in parallel, with a progress
bar, an index page and a manifest saying what was built from which inputs.

Layout of a build (``reports/<periode>/``)::

    index.html                  every municipality with its status, linking to its report
    nasjonal.html               the national and county overview
    program-<kull>.html         FUB/FUG's progress report per cohort
    utfallsstudie.html          the outcome study for researchers
    kommuner/<nr>.html          one report per municipality
    notebooks/...               the executed notebooks beside them, for audit
    manifest.json               inputs and hashes, version, parameters, and each report's outcome

A report that fails does not stop the others; its executed notebook is kept (papermill marks the
failing cell), its page is not written, and the manifest names the cell and the message.
Every file is written whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd

from kompetanse import __version__
from kompetanse.build import params
from kompetanse.data.dataset import Dataset, load
from kompetanse.resources import notebook
from kompetanse.site.pages import index_page, notebook_html, write_atomic

PACKAGE_DIR = Path(__file__).resolve().parents[1]

#: Seconds a single cell may run before its report is failed.
CELL_TIMEOUT = 600
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


@dataclass
class Outcome:
    """What happened to one report."""

    key: str
    html: str
    executed: str
    status: str  # built, unchanged, failed, interrupted
    seconds: float = 0.0
    error_cell: int | None = None
    error: str | None = None
    fingerprint: str = ""


@dataclass
class BuildResult:
    folder: Path
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("failed", "interrupted")]

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


# ------------------------------------------------------------------------------------- planning


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def package_fingerprint() -> str:
    """A hash of the package's own source: a code change rebuilds every report."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix in (".py", ".csv") and "__pycache__" not in path.parts:
            h.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _fingerprint(job: Job, *, data: str, notebooks: dict, package: str) -> str:
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
    from kompetanse.reports.municipal import national

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
    jobs = [Job("nasjonal", "nasjonal", "nasjonal_oversikt.ipynb", {"periode": periode, "data": data},
                "nasjonal.html", "notebooks/nasjonal.ipynb", f"Nasjonal oversikt {periode}")]
    for kull in sorted(ds.program_deltakelse["kull"].unique()):
        jobs.append(Job(f"program/{kull}", "program", "program_fremdrift.ipynb", {"kull": kull, "data": data},
                        f"program-{kull}.html", f"notebooks/program-{kull}.ipynb",
                        f"Programfremdrift, kull {kull}"))
    jobs.append(Job("utfall", "utfall", "utfallsstudie.ipynb", {"data": data}, "utfallsstudie.html",
                    "notebooks/utfallsstudie.ipynb", "Utfallsstudie: gir programmet bedre foreldresamarbeid?"))
    names = ds.kommuner.set_index("kommunenummer")["kommunenavn"]
    for nr in kommuner:
        jobs.append(Job(f"kommune/{nr}", "kommune", "kommune_rapport.ipynb",
                        {"kommunenummer": nr, "periode": periode, "data": data},
                        f"kommuner/{nr}.html", f"notebooks/kommuner/{nr}.ipynb",
                        f"{names[nr]} ({nr}): foreldrestøtte {periode}"))
    for job in jobs:
        notebook(job.notebook)  # raises, naming it, when a notebook is missing
    return jobs


def _is_current(folder: Path, job: Job) -> bool:
    """The job's report and executed notebook are on disk, and the report was built from exactly
    the job's inputs (its fingerprint). Files are only ever written whole (`write_atomic`)."""
    return _existing_fingerprint(folder / job.html) == job.fingerprint and (folder / job.executed).exists()


def _existing_fingerprint(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            head = fh.read(2048)
    except OSError:
        return None
    m = _FINGERPRINT_META.search(head)
    return m.group(1).decode() if m else None


# -------------------------------------------------------------------------------------- workers

_kernel = None
_running_dir: Path | None = None


def _init_worker(kernel_name: str, running_dir: str | None = None) -> None:
    import multiprocessing.util
    import signal

    from kompetanse.build.kernel import WarmKernel

    global _kernel, _running_dir
    _running_dir = Path(running_dir) if running_dir else None
    _kernel = WarmKernel(kernel_name)
    # multiprocessing runs these finalizers when the worker exits, so no kernel is left behind
    multiprocessing.util.Finalize(_kernel, _kernel.shutdown, exitpriority=10)

    def terminated(signum, frame):
        # the pool ends its other workers with SIGTERM when one of them dies: this worker was
        # not the one that broke it, so it clears its mark (see _run_all) and goes
        _clear_running_mark()
        try:
            _kernel.km.provisioner.process.kill()
        except Exception:  # no kernel process to kill
            pass
        os._exit(1)

    signal.signal(signal.SIGTERM, terminated)
    # Ctrl-C goes to the whole process group: the builder decides what happens, not the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _running_mark() -> Path | None:
    return _running_dir / str(os.getpid()) if _running_dir else None


def _clear_running_mark() -> None:
    mark = _running_mark()
    if mark is not None:
        mark.unlink(missing_ok=True)


def _footer(job: Job, built: str) -> str:
    return (f"Laget med kompetanse {__version__} {built} fra notatboken {job.notebook}. "
            f"Den kjørte notatboken ligger ved siden av rapporten ({job.executed}).")


def run_job(job: Job, folder: Path, built: str) -> Outcome:
    """Run one report in this worker's warm kernel and write its files (atomically)."""
    executed = folder / job.executed
    executed.parent.mkdir(parents=True, exist_ok=True)
    tmp = executed.with_name(f".{executed.stem}.{os.getpid()}.tmp.ipynb")
    html_path = folder / job.html
    mark = _running_mark()
    if mark is not None:
        mark.write_text(job.key, encoding="utf-8")
    try:
        result = _kernel.run(notebook(job.notebook), job.parameters, output=tmp, timeout=CELL_TIMEOUT)
        if result.notebook is not None:
            result.notebook.metadata.setdefault("kompetanse", {})["fingerprint"] = job.fingerprint
            write_atomic(executed, nbformat.writes(result.notebook))
        if not result.ok:
            # a stale page from an earlier build must not pass for this one
            html_path.unlink(missing_ok=True)
            return Outcome(job.key, job.html, job.executed, "failed", result.seconds,
                           result.error_cell, result.error, job.fingerprint)
        home = os.path.relpath(folder / "index.html", html_path.parent)
        page = notebook_html(result.notebook, title=job.title, home=home, footer=_footer(job, built))
        meta = f'<meta name="kompetanse-fingerprint" content="{job.fingerprint}">'
        page = page.replace("<head>\n", f"<head>\n{meta}\n", 1)
        write_atomic(html_path, page)
        return Outcome(job.key, job.html, job.executed, "built", result.seconds, fingerprint=job.fingerprint)
    finally:
        tmp.unlink(missing_ok=True)
        _clear_running_mark()


# ------------------------------------------------------------------------------------ the build


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
    kernel_name: str = "python3",
) -> BuildResult:
    """Build the reports of a period.

    Parameters
    ----------
    data : a data folder or workbook; None for the embedded sample.
    out : the output folder; the build goes to ``out/<periode>/``.
    periode : the calendar year to report on; default the latest period in the data.
    kommuner : municipality numbers to build reports for (any form: 301, "0301").
    alle : build a report for every municipality.
    jobs : worker processes (default: the number of CPUs).
    force : rebuild every report even when its inputs have not changed.
    progress : show a progress bar on the terminal.

    Returns
    -------
    BuildResult with one `Outcome` per report. Raises `DataError` for bad data and
    `UsageError` for bad parameters, before anything is built.
    """
    start = time.perf_counter()
    data_path = params.data_path(data)
    ds = load(data_path)
    periode = params.periode(periode, ds)
    numbers = sorted(ds.kommuner["kommunenummer"]) if alle else sorted({params.kommunenummer(k) for k in kommuner})
    data_param = str(data_path.resolve()) if data_path else ""
    jobs_list = plan(ds, periode=periode, kommuner=numbers, data=data_param)

    folder = Path(out) / str(periode)
    folder.mkdir(parents=True, exist_ok=True)
    inputs = {name: {"file": f, "sha256": h} for name, (f, h) in ds.sources.items()}
    notebooks = {j.notebook: _sha256(notebook(j.notebook)) for j in jobs_list}
    package = package_fingerprint()
    from kompetanse.analysis.periods import reference_date

    digests = data_digests(ds, jobs_list, on=reference_date(ds, periode=periode))
    jobs_list = [Job(**{**asdict(j), "data_digest": digests[j.key],
                        "fingerprint": _fingerprint(j, data=digests[j.key], notebooks=notebooks, package=package)})
                 for j in jobs_list]
    built = dt.datetime.now().astimezone().isoformat(timespec="seconds")

    outcomes: dict[str, Outcome] = {}
    todo = []
    for job in jobs_list:
        if not force and _is_current(folder, job):
            outcomes[job.key] = Outcome(job.key, job.html, job.executed, "unchanged", fingerprint=job.fingerprint)
        else:
            todo.append(job)

    interrupted = False
    _sweep_temporary(folder)
    try:
        _run_all(todo, folder, built, outcomes, jobs=jobs, progress=progress, kernel_name=kernel_name)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        # a worker that was killed, or ended when another died, leaves its half-written
        # temporary files behind; no worker runs any more, so they can go
        _sweep_temporary(folder)
    for job in jobs_list:
        if job.key in outcomes:
            continue
        if interrupted and _is_current(folder, job):
            # a worker wrote this report whole just before the interrupt reached it, and its
            # answer never came back: the report is there and current, so say so (a re-run keeps it)
            outcomes[job.key] = Outcome(job.key, job.html, job.executed, "built", float("nan"),
                                        fingerprint=job.fingerprint)
        else:
            outcomes[job.key] = Outcome(job.key, job.html, job.executed, "interrupted",
                                        error="the build was interrupted before this report was done",
                                        fingerprint=job.fingerprint)
    ordered = [outcomes[j.key] for j in jobs_list]
    result = BuildResult(folder, ordered, time.perf_counter() - start)
    _write_index(ds, folder, periode=periode, jobs=jobs_list, outcomes=outcomes, built=built)
    _write_manifest(folder, result, periode=periode, inputs=inputs, notebooks=notebooks, package=package,
                    data=data_param, built=built, numbers=numbers, alle=alle, force=force,
                    digests={j.key: j.data_digest for j in jobs_list},
                    parameters={j.key: j.parameters for j in jobs_list})
    if interrupted:
        raise KeyboardInterrupt
    return result


def _sweep_temporary(folder: Path) -> None:
    """Remove temporary files of unfinished writes (``.<name>.<random>.tmp`` from
    `write_atomic`, ``.<name>.<pid>.tmp.ipynb`` from papermill) anywhere in the build folder."""
    for path in folder.rglob(".*.tmp*"):
        if path.is_file() and (path.name.endswith(".tmp") or path.name.endswith(".tmp.ipynb")):
            path.unlink(missing_ok=True)


def _run_all(todo: list[Job], folder: Path, built: str, outcomes: dict[str, Outcome], *, jobs: int | None,
             progress: bool, kernel_name: str) -> None:
    if not todo:
        return
    from tqdm import tqdm

    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    bar = tqdm(total=len(todo), desc="Rapporter", unit="rapport", disable=not progress, leave=True)
    attempts: dict[str, int] = {}
    pending = list(todo)
    # Each worker marks the report it is running with a file named by its process id and clears
    # it when done, or when the pool ends it with SIGTERM. When a worker dies (killed, out of
    # memory), the pool breaks and fails every unfinished report; the marks left behind name the
    # reports that were running in the workers that died: only they are suspects. A suspect gets
    # one more try, the others are simply run again.
    running_dir = Path(tempfile.mkdtemp(prefix="kompetanse-running-"))
    try:
        while pending:
            broken: list[Job] = []
            with ProcessPoolExecutor(max_workers=min(workers, len(pending)), initializer=_init_worker,
                                     initargs=(kernel_name, str(running_dir))) as pool:
                futures: dict[Future, Job] = {pool.submit(run_job, job, folder, built): job for job in pending}
                pending = []
                try:
                    for future in as_completed(futures):
                        job = futures[future]
                        try:
                            outcome = future.result()
                        except BrokenProcessPool:
                            broken.append(job)
                            continue
                        except Exception as exc:  # writing failed (disk full), etc.
                            outcome = Outcome(job.key, job.html, job.executed, "failed",
                                              error=f"{type(exc).__name__}: {exc}", fingerprint=job.fingerprint)
                        _record(outcome, outcomes, bar)
                except KeyboardInterrupt:
                    # end the workers now (each clears its mark and kills its kernel); the reports
                    # they were running are not written, those they finished are kept
                    processes = list((getattr(pool, "_processes", None) or {}).values())
                    pool.shutdown(wait=False, cancel_futures=True)
                    for proc in processes:
                        proc.terminate()
                    for proc in processes:
                        proc.join(timeout=10)
                    raise
            if broken:
                marks = list(running_dir.iterdir())
                suspects = {m.read_text(encoding="utf-8") for m in marks}
                for m in marks:
                    m.unlink(missing_ok=True)
                for job in broken:
                    if job.key in suspects or not suspects:
                        attempts[job.key] = attempts.get(job.key, 0) + 1
                    if attempts.get(job.key, 0) >= 2:
                        _record(Outcome(job.key, job.html, job.executed, "failed",
                                        error="the worker process running this report died (twice)",
                                        fingerprint=job.fingerprint), outcomes, bar)
                    else:
                        pending.append(job)
    finally:
        bar.close()
        shutil.rmtree(running_dir, ignore_errors=True)


def _record(outcome: Outcome, outcomes: dict[str, Outcome], bar) -> None:
    outcomes[outcome.key] = outcome
    bar.update(1)
    if outcome.status == "failed":
        bar.write(f"feilet: {outcome.key}: {outcome.error}")


def _write_index(ds: Dataset, folder: Path, *, periode: int, jobs: list[Job], outcomes: dict[str, Outcome],
                 built: str) -> None:
    from kompetanse.analysis.coverage import breadth
    from kompetanse.analysis.periods import reference_date

    on = reference_date(ds, periode=periode)
    table = breadth(ds, on=on)
    barn = ds.befolkning.query("ar == @periode")[["kommunenummer", "barn_0_17"]]
    places = ds.kommuner[["kommunenummer", "kommunenavn", "fylkesnavn"]]
    rows = places.merge(table.drop(columns=[c for c in ("kommunenavn", "fylkesnavn", "fylkesnummer")
                                             if c in table], errors="ignore"), on="kommunenummer", how="left")
    rows = rows.merge(barn, on="kommunenummer", how="left")
    for level in ("universell", "selektiv", "indikativ"):
        rows[f"status_{level}"] = rows[f"status_{level}"].astype("str")
    page_exists = {j.key.split("/")[1]: j.html for j in jobs
                   if j.kind == "kommune" and outcomes[j.key].status in ("built", "unchanged")}
    extra = [(j.title, j.html) for j in jobs
             if j.kind != "kommune" and outcomes[j.key].status in ("built", "unchanged")]
    failed = [o for o in outcomes.values() if o.status in ("failed", "interrupted")]
    footer = f"Bygget {built} med kompetanse {__version__}. Se manifest.json for inndata og kontrollsummer."
    if failed:
        footer += f" {len(failed)} rapport(er) feilet og er ikke publisert; se manifest.json."
    write_atomic(folder / "index.html",
                 index_page(rows.to_dict("records"), periode=periode, links=page_exists, extra=extra, footer=footer))


def _write_manifest(folder: Path, result: BuildResult, **info) -> None:
    manifest = {
        "kompetanse_version": __version__,
        "package_sha256": info["package"],
        "built": info["built"],
        "seconds": round(result.seconds, 2),
        "parameters": {"periode": info["periode"], "data": info["data"] or "data/sample (embedded)",
                       "kommuner": "alle" if info["alle"] else info["numbers"], "force": info["force"]},
        "inputs": info["inputs"],
        "notebooks": {name: {"sha256": h} for name, h in info["notebooks"].items()},
        "fingerprints": ("sha256 of the notebook, the report's parameters, the package and its data digest: "
                         "for a municipal report a digest of its own rows and of its rows in the national "
                         "analyses it is compared with; for the programme report the programme tables; for "
                         "the national overview every input. A report is rebuilt when its fingerprint changes."),
        "summary": {s: result.count(s) for s in ("built", "unchanged", "failed", "interrupted")},
        "reports": [
            {"key": o.key, "html": o.html, "notebook": o.executed, "status": o.status,
             "seconds": None if math.isnan(o.seconds) else round(o.seconds, 3), "parameters": info["parameters"][o.key],
             "data_digest": info["digests"][o.key], "fingerprint": o.fingerprint,
             **({"error": {"cell": o.error_cell, "message": o.error}} if o.error else {})}
            for o in result.outcomes
        ],
    }
    write_atomic(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")

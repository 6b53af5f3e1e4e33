"""The worker pool: each worker process runs reports one after another in its own process
(`kompetanse.build.inprocess`, the default) or on one warm kernel it keeps
(`kompetanse.build.kernel`, when a kernel is named); `run_all` feeds the pool, retries the
reports of a worker that died, and lets Ctrl-C end it cleanly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import nbformat

from kompetanse import __version__
from kompetanse.build.manifest import ReportStatus
from kompetanse.build.pdf import pdf_target
from kompetanse.build.plan import Job
from kompetanse.resources import notebook
from kompetanse.site.downloads import page_downloads, remove_stale
from kompetanse.site.files import deferred_flush
from kompetanse.site.pages import Site, notebook_html, write_atomic

__all__ = ["CELL_TIMEOUT", "run_all", "run_job"]

#: Seconds a single cell may run before its report is failed.
CELL_TIMEOUT = 600

_kernel = None
_running_dir: Path | None = None
#: The site every report of the build links within (`Site`), given to each worker once.
_site: Site | None = None


def _init_worker(kernel_name: str | None, running_dir: str | None = None, site: Site | None = None) -> None:
    import multiprocessing.util
    import signal

    global _kernel, _running_dir, _site
    _running_dir = Path(running_dir) if running_dir else None
    _site = site
    if kernel_name is None:
        from kompetanse.build.inprocess import InProcessShell

        _kernel = InProcessShell()
    else:
        from kompetanse.build.kernel import WarmKernel

        _kernel = WarmKernel(kernel_name)
    # multiprocessing runs these finalizers when the worker exits, so no kernel is left behind
    multiprocessing.util.Finalize(_kernel, _kernel.shutdown, exitpriority=10)

    def terminated(signum, frame):
        # the pool ends its other workers with SIGTERM when one of them dies: this worker was
        # not the one that broke it, so it clears its mark (see run_all) and goes
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


_FOOTER = {
    "nb": ("Laget med kompetanse {version} {built} fra notatboken {notebook}.", "Den kjørte notatboken:",
           "Inndata, kontrollsummer og parametere for hele bygget:"),
    "nn": ("Laga med kompetanse {version} {built} frå notatboka {notebook}.", "Den køyrde notatboka:",
           "Inndata, kontrollsummar og parametrar for heile bygget:"),
}


def _footer(job: Job, built: str) -> str:
    return _FOOTER[job.form][0].format(version=__version__, built=built, notebook=job.notebook)


def _sources(job: Job) -> list[tuple[str, str, str]]:
    """The footer's links: the executed notebook the page was made from, and the manifest."""
    _, notebook, manifest = _FOOTER[job.form]
    return [(notebook, job.executed, job.executed), (manifest, "manifest.json", "manifest.json")]


def run_job(job: Job, folder: Path, built: str, site: Site | None = None,
            present: frozenset[str] | None = None) -> ReportStatus:
    """Run one report in this worker's warm kernel and write its files (atomically).

    ``present``: the page's download files that were on disk when the build began
    (`kompetanse.site.downloads.downloads_on_disk`), so that the stale ones are removed without
    listing the page's folder again; None lists it. The files are not flushed to disk one by
    one: the build does that once, before it writes the manifest (`kompetanse.build.batch`).
    ``site`` None: the site the worker was started with."""
    site = site if site is not None else _site
    executed = folder / job.executed
    executed.parent.mkdir(parents=True, exist_ok=True)
    tmp = executed.with_name(f".{executed.stem}.{os.getpid()}.tmp.ipynb")
    html_path = folder / job.html
    mark = _running_mark()
    if mark is not None:
        mark.write_text(job.key, encoding="utf-8")
    try:
        # the fingerprint goes into the notebook before it runs, so the file papermill writes is
        # the executed notebook whole, and is moved into place rather than written a second time
        result = _kernel.run(notebook(job.notebook), job.parameters, output=tmp, timeout=CELL_TIMEOUT,
                             metadata={"kompetanse": {"fingerprint": job.fingerprint}})
        if result.notebook is not None:
            _place_executed(result.notebook, tmp, executed, job.fingerprint)
        if not result.ok:
            # a stale page from an earlier build must not pass for this one
            html_path.unlink(missing_ok=True)
            remove_stale(folder, job.html)
            return ReportStatus(job.key, job.html, job.executed, "failed", result.seconds,
                           result.error_cell, result.error, job.fingerprint)
        home = os.path.relpath(folder / "index.html", html_path.parent)
        # the municipal notebook opens with its own <h1> (the municipality's name); the other
        # pages' <h1> is the page's title
        downloads = page_downloads(result.notebook, page=job.html, title=job.title, lang=job.form)
        page = notebook_html(result.notebook, title=job.title, home=home, footer=_footer(job, built),
                             fingerprint=job.fingerprint, page=job.html, site=site, sources=_sources(job),
                             heading=job.kind != "kommune", pdf=pdf_target(job.kind, job.html),
                             downloads=downloads)
        # the downloads first: a page on disk never names files that are not there (its head
        # holds their sha256, so files from a write cut short make it not current)
        try:
            for name, data in downloads.files.items():
                write_atomic(folder / name, data, sync=False)
            write_atomic(html_path, page, sync=False)
        except BaseException:
            # no files left behind that no page lists (an older page naming them is not current)
            remove_stale(folder, job.html)
            raise
        remove_stale(folder, job.html, keep=set(downloads.files), present=present)
        return ReportStatus(job.key, job.html, job.executed, "built", result.seconds, fingerprint=job.fingerprint)
    finally:
        tmp.unlink(missing_ok=True)
        _clear_running_mark()


def _place_executed(nb: nbformat.NotebookNode, written: Path, executed: Path, fingerprint: str) -> None:
    """Put the executed notebook in place: the file papermill wrote when it holds the notebook
    with its fingerprint (moved, atomically), else the notebook written afresh. Papermill's file
    is moved only where the build flushes its files at the end (`deferred_flush`: Linux, where
    its text is written with LF): elsewhere it was not flushed, and on Windows its lines end in
    CRLF, so the notebook is written afresh, flushed, with the same bytes as on Linux."""
    if (deferred_flush() and nb.metadata.get("kompetanse", {}).get("fingerprint") == fingerprint
            and written.is_file()):
        os.replace(written, executed)
        return
    nb.metadata.setdefault("kompetanse", {})["fingerprint"] = fingerprint
    write_atomic(executed, nbformat.writes(nb), sync=False)


def run_all(todo: list[Job], folder: Path, built: str, statuses: dict[str, ReportStatus], *, jobs: int | None,
            progress: bool, kernel_name: str | None, site: Site | None = None,
            present: dict[str, frozenset[str]] | None = None) -> None:
    """Run ``todo`` on a pool of ``jobs`` workers, recording each report's `ReportStatus` in
    ``statuses``. ``present``: the download files on disk when the build began, by page
    (`kompetanse.site.downloads.downloads_on_disk`); None lets each report list its folder."""
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
            # the site goes to each worker once, not with every report (65 kB pickled and read
            # again for each page)
            with ProcessPoolExecutor(max_workers=min(workers, len(pending)), initializer=_init_worker,
                                     initargs=(kernel_name, str(running_dir), site)) as pool:
                futures: dict[Future, Job] = {
                    pool.submit(run_job, job, folder, built, None,
                                None if present is None else present.get(job.html, frozenset())): job
                    for job in pending}
                pending = []
                try:
                    for future in as_completed(futures):
                        job = futures[future]
                        try:
                            report = future.result()
                        except BrokenProcessPool:
                            broken.append(job)
                            continue
                        except Exception as exc:  # writing failed (disk full), etc.
                            report = ReportStatus(job.key, job.html, job.executed, "failed",
                                              error=f"{type(exc).__name__}: {exc}", fingerprint=job.fingerprint)
                        _record(report, statuses, bar)
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
                        _record(ReportStatus(job.key, job.html, job.executed, "failed",
                                        error="the worker process running this report died (twice)",
                                        fingerprint=job.fingerprint), statuses, bar)
                    else:
                        pending.append(job)
    finally:
        bar.close()
        shutil.rmtree(running_dir, ignore_errors=True)


def _record(report: ReportStatus, statuses: dict[str, ReportStatus], bar) -> None:
    statuses[report.key] = report
    bar.update(1)
    if report.status == "failed":
        bar.write(f"feilet: {report.key}: {report.error}")


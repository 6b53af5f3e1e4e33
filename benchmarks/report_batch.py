"""Report batches: the usual loop (papermill, then jupyter nbconvert, per municipality) beside
`kompetanse report` and beside the floor, in one run on the same machine and notebook.

The floor is the least a municipal page can cost with this design: the notebook's code cells
executed in this one process (no kernel, no papermill) with the same parameters, library calls,
downloads and HTML rendering as the build. It is set beside the builder's cost per municipal
page with one worker (the time between the first and the last municipal page written in one
build, over the pages in between, so that start-up and the national pages drop out), and their
ratio printed.

Prints seconds per report for the loop and the build and their ratio, then the wall time and peak memory (the sum
of the resident memory of the whole process tree: builder, workers and their kernels) of a full
batch, `kompetanse report --alle --force`, with the PDFs and without them (``--uten-pdf``), and of
a second run with nothing changed. The PDFs' cost: seconds per PDF in one warm Chromium (one tab,
and the build's tabs), against a cold Chromium started for each PDF.

    python benchmarks/report_batch.py            # 5 municipalities in the loop, then the full batch
    python benchmarks/report_batch.py -n 10 --no-full
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "kommune_rapport.ipynb"


class PeakMemory:
    """Samples the memory of a process and all its children every 50 ms: the sum of their
    resident sets (``peak``; pages a forked worker shares with the builder count in both) and
    the sum of their proportional sets (``peak_pss``: a shared page counts once, split between
    the processes that share it; read every fourth sample, as it costs more to read)."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peak = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        tick = 0
        while not self._stop.is_set():
            total = pss = 0
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            for proc in procs:
                try:
                    if tick % 4 == 0:
                        info = proc.memory_full_info()
                        pss += getattr(info, "pss", info.rss)
                        total += info.rss
                    else:
                        total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            if tick % 4 == 0:
                self.peak_pss = max(self.peak_pss, pss)
            tick += 1
            self._stop.wait(0.05)

    def stop(self) -> tuple[int, int]:
        self._stop.set()
        self._thread.join()
        return self.peak, self.peak_pss


def run(cmd: list[str]) -> tuple[float, tuple[int, int]]:
    """Run a command; return (seconds, peak memory of its process tree in bytes: the sum of
    resident sets and the sum of proportional sets, `PeakMemory`)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    meter = PeakMemory(proc.pid)
    out, err = proc.communicate()
    peak = meter.stop()
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out[-3000:]}\n{err[-3000:]}")
    return time.perf_counter() - start, peak


def usual_loop(numbers: list[str], periode: int, out: Path) -> float:
    start = time.perf_counter()
    for nr in numbers:
        executed = out / f"{nr}.ipynb"
        run([str(BIN / "papermill"), str(NOTEBOOK), str(executed), "-p", "kommunenummer", nr,
             "-p", "periode", str(periode), "--no-progress-bar"])
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
    return time.perf_counter() - start


def floor_per_page(ds, numbers: list[str], periode: int) -> float:
    """Seconds per municipal page (both forms of each municipality in ``numbers``) with the
    notebook's code cells run in this process: the parameters cell, then the build's parameters,
    then every cell, each cell's last expression formatted by IPython's display formatter into
    the outputs a kernel would send; then the page's downloads and its HTML, as the build makes
    them. The data are loaded (and cached) before the clock starts, as in a warm worker."""
    import ast
    import json

    import matplotlib

    matplotlib.use("Agg")
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    from kompetanse.build.plan import plan
    from kompetanse.resources import notebook
    from kompetanse.site.downloads import page_downloads
    from kompetanse.site.pages import notebook_html

    shell = InteractiveShell.instance()
    jobs = [j for j in plan(ds, periode=periode, kommuner=numbers, data="") if j.kind == "kommune"]
    sources = {name: nbformat.read(notebook(name), as_version=4) for name in {j.notebook for j in jobs}}

    def page(job) -> str:
        nb = nbformat.from_dict(sources[job.notebook])
        ns: dict = {"__name__": "__main__"}
        count = 0
        for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            tree = ast.parse(cell.source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, "<cell>", "exec"), ns)
            if i == 0:
                ns.update(job.parameters)  # papermill's injected cell
            count += 1
            cell.outputs = []
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), ns)
                if value is not None:
                    data, meta = shell.display_formatter.format(value)
                    cell.outputs.append(nbformat.from_dict({
                        "output_type": "execute_result", "execution_count": count,
                        "data": json.loads(json.dumps(data)), "metadata": json.loads(json.dumps(meta))}))
        downloads = page_downloads(nb, page=job.html, title=job.title, lang=job.form)
        return notebook_html(nb, title=job.title, home="../index.html", page=job.html, downloads=downloads,
                             footer="", sources=[])

    page(jobs[0])  # warm: imports, caches
    start = time.perf_counter()
    for job in jobs:
        page(job)
    return (time.perf_counter() - start) / len(jobs)


def builder_per_page(kompetanse_cmd: list[str], numbers: list[str], tmp: Path) -> float:
    """Seconds per municipal page of `kompetanse report` with one worker, without PDFs, at its
    steady pace: one build of ``numbers`` (both forms), and the time between the first municipal
    page written and the last over the pages written in between (the pages' modification times),
    so that the build's start-up, its national pages and its end drop out, and with them their
    noise (a difference of two builds' wall times varied by ±1.5 s)."""
    out = tmp / "one"
    out.mkdir(parents=True, exist_ok=True)
    run([*kompetanse_cmd, "--out", str(out), "--jobs", "1", "--uten-pdf", "--force", "--kommune", *numbers])
    written = sorted(p.stat().st_mtime_ns for p in out.rglob("kommuner/*.html"))
    return (written[-1] - written[0]) / 1e9 / (len(written) - 1)


def pdf_costs(folder: Path, pages: list[Path], *, cold: int = 3) -> None:
    """Seconds per PDF of ``pages``: printed by one warm browser with one tab and with the
    build's tabs (wall time over the pages, the browser's start not counted), and by a cold
    browser started for each of the first ``cold`` pages (start included)."""
    from kompetanse.build.pdf import TABS, PdfPrinter

    out = folder / "pdf-bench"
    out.mkdir(exist_ok=True)
    for tabs in (1, TABS):
        with PdfPrinter(tabs=tabs) as printer:
            printer.submit(pages[0], out / "warm-up.pdf", "x").result()  # the browser has started
            start = time.perf_counter()
            futures = [printer.submit(page, out / f"{i}.pdf", page.stem) for i, page in enumerate(pages)]
            for f in futures:
                f.result()
            wall = time.perf_counter() - start
        print(f"PDF, warm Chromium, {tabs} tab(s): {len(pages)} PDFs in {wall:.1f} s, "
              f"{wall / len(pages):.2f} s per PDF")
    start = time.perf_counter()
    for i, page in enumerate(pages[:cold]):
        with PdfPrinter(tabs=1) as printer:
            printer.submit(page, out / f"cold-{i}.pdf", page.stem).result()
    per = (time.perf_counter() - start) / min(cold, len(pages))
    print(f"PDF, cold Chromium per PDF (start, print, close): {per:.2f} s per PDF")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5, help="municipalities in the side-by-side run (default 5)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes for kompetanse report")
    parser.add_argument("--no-full", action="store_true", help="skip the full national batch")
    parser.add_argument("--rounds", type=int, default=7,
                        help="alternating measurements of the floor and the builder (default 7; medians)")
    parser.add_argument("--floor", type=int, default=40,
                        help="municipalities (both forms) for the floor and the builder per page (default 40)")
    args = parser.parse_args()

    import kompetanse
    from kompetanse.build import params

    ds = kompetanse.load()
    periode = params.periode(None, ds)
    numbers = sorted(ds.kommuner["kommunenummer"])[:: max(1, 357 // args.n)][: args.n]
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    kompetanse_cmd = [str(BIN / "kompetanse"), "report", "-q", "--periode", str(periode), *jobs]
    print(f"{psutil.cpu_count()} CPUs; periode {periode}; municipalities {', '.join(numbers)}")

    with tempfile.TemporaryDirectory(prefix="kompetanse-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "loop").mkdir()
        loop = usual_loop(numbers, periode, tmp / "loop")
        per_loop = loop / len(numbers)
        print(f"usual loop (papermill + nbconvert): {len(numbers)} reports in {loop:.1f} s, "
              f"{per_loop:.2f} s per report")

        sample = sorted(ds.kommuner["kommunenummer"])[3:: max(1, 357 // args.floor)][: args.floor]
        # alternating, seven times, and the medians: the machine's pace drifts by a fifth or more
        # over a minute, and the two are measured one after the other; the disk is flushed before
        # each (files removed shortly before slow the creation of new ones tenfold for a while)
        floors, builders = [], []
        one_worker = [c for c in kompetanse_cmd if c != "--jobs" and c != str(args.jobs)]
        for i in range(args.rounds):
            os.sync()
            floors.append(floor_per_page(ds, sample, periode))
            os.sync()
            builders.append(builder_per_page(one_worker, sample, tmp / f"builder-{i}"))
        floor, builder = statistics.median(floors), statistics.median(builders)
        print(f"floor (cells in one process, no kernel; {2 * len(sample)} municipal pages): {floor:.3f} s per page; "
              f"the builder with one worker: {builder:.3f} s per page, {builder / floor:.2f} times the floor "
              f"(medians of {args.rounds}: floor {', '.join(f'{x:.3f}' for x in floors)}; "
              f"builder {', '.join(f'{x:.3f}' for x in builders)}; the ratio in each round "
              f"{', '.join(f'{b / f:.2f}' for f, b in zip(floors, builders, strict=True))})")

        seconds, _ = run([*kompetanse_cmd, "--out", str(tmp / "small"), "--kommune", *numbers])
        built = len(list((tmp / "small").rglob("*.html"))) - 1  # minus the index
        print(f"kompetanse report, same {len(numbers)} municipalities (+ national, programme and outcome "
              f"reports: {built} in all, and their PDFs): {seconds:.1f} s, {seconds / built:.2f} s per report "
              "(including start-up)")
        folder = tmp / "small" / str(periode)
        pdf_costs(tmp, sorted((folder / "kommuner").glob("*.html")) + [folder / "nasjonal.html"])

        if not args.no_full:
            out = tmp / "full"
            quick, _ = run([*kompetanse_cmd, "--out", str(tmp / "quick"), "--alle", "--force", "--uten-pdf"])
            seconds, peak = run([*kompetanse_cmd, "--out", str(out), "--alle", "--force"])
            built = len(list(out.rglob("*.html"))) - 1
            pdfs = len(list(out.rglob("*.pdf")))
            per = seconds / built
            print(f"full batch without PDFs (--uten-pdf): {quick:.1f} s wall")
            print(f"full batch: {built} reports and {pdfs} PDFs in {seconds:.1f} s wall, {per:.3f} s per report, "
                  f"peak memory of the process tree {peak[1] / 2**30:.2f} GB (proportional sets; "
                  f"{peak[0] / 2**30:.2f} GB as the sum of resident sets); the PDFs add {seconds - quick:.1f} s, "
                  f"{(seconds - quick) / max(pdfs, 1):.2f} s per PDF")
            print(f"speed-up per report against the usual loop: {per_loop / per:.1f}x with the PDFs, "
                  f"{per_loop * built / quick:.1f}x without them (the usual loop makes none)")
            # each three times, alternating, and the medians: a run of a second or two is at the
            # mercy of whatever else the machine does
            again, validate = [], []
            for _ in range(3):
                again.append(run([*kompetanse_cmd, "--out", str(out), "--alle"])[0])
                validate.append(run([str(BIN / "kompetanse"), "validate"])[0])
            again, validate = statistics.median(again), statistics.median(validate)
            print(f"second run, nothing changed: {again:.2f} s; kompetanse validate on the same data: "
                  f"{validate:.2f} s; ratio {again / validate:.2f} (medians of 3)")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

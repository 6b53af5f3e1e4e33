"""Run notebooks with papermill on a warm kernel that is reused across reports.

Starting a kernel and importing pandas and matplotlib costs more than most reports take to run,
so each worker keeps one kernel and resets it between notebooks: the user namespace is cleared
(`%reset -f`), figures are closed and matplotlib's settings restored. Modules stay imported, and
`kompetanse.load` keeps a per-process cache of validated data sets keyed on the files' sizes and
modification times, so one worker loads the data once. Papermill still parameterises, executes
and marks a failing cell exactly as a fresh `papermill` run does.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

# Run between two notebooks: nothing from one report is visible to the next.
RESET_CODE = """
%reset -f
import matplotlib as _mpl, matplotlib.pyplot as _plt
_plt.close("all")
_mpl.rcdefaults()
del _mpl, _plt
%reset -f
"""


@dataclass
class RunResult:
    """What running one notebook gave: the executed notebook (also on failure), and where it
    failed."""

    notebook: nbformat.NotebookNode | None
    ok: bool
    seconds: float
    error_cell: int | None = None
    error: str | None = None


class WarmKernel:
    """One Jupyter kernel, started once and reused for many notebooks."""

    def __init__(self, kernel_name: str = "python3", *, cwd: Path | None = None):
        self.kernel_name = kernel_name
        self.cwd = str(cwd) if cwd else None
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        # ipc: local sockets instead of TCP ports, nothing listens on the network. Each kernel
        # gets a private folder for its sockets, so that workers started together cannot race
        # for the same socket names (and nothing is left in the working directory).
        self.socket_dir = tempfile.mkdtemp(prefix="kompetanse-kernel-")
        self.km = self._manager()
        self.kc = None
        self.start()

    def _manager(self):
        from jupyter_client.manager import AsyncKernelManager

        return AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc",
                                  ip=os.path.join(self.socket_dir, "kernel"))

    def start(self) -> None:
        kwargs = {"cwd": self.cwd} if self.cwd else {}
        self.loop.run_until_complete(self.km.start_kernel(**kwargs))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.loop.run_until_complete(self.kc.wait_for_ready(timeout=120))

    def alive(self) -> bool:
        return bool(self.loop.run_until_complete(self.km.is_alive()))

    def restart_if_dead(self) -> None:
        if not self.alive():
            self.shutdown(remove_sockets=False)
            self.km = self._manager()
            self.start()

    def reset(self) -> None:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(RESET_CODE)])
        from nbclient import NotebookClient

        client = NotebookClient(nb, km=self.km, kc=self.kc, timeout=60, allow_errors=False)
        client.execute(cleanup_kc=False)

    def run(self, notebook: Path, parameters: dict, *, output: Path, timeout: int = 600) -> RunResult:
        """Execute ``notebook`` with ``parameters``; the executed notebook is written to
        ``output`` (also when a cell fails, with papermill's error marks)."""
        import papermill as pm

        self.restart_if_dead()
        self.reset()
        start = time.perf_counter()
        try:
            nb = pm.execute_notebook(
                str(notebook), str(output), parameters=parameters, km=self.km, kc=self.kc,
                kernel_name=self.kernel_name, progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, execution_timeout=timeout,
            )
        except pm.PapermillExecutionError as exc:
            executed = nbformat.read(output, as_version=4) if output.exists() else None
            return RunResult(executed, False, time.perf_counter() - start, exc.cell_index,
                             f"{exc.ename}: {exc.evalue}")
        except Exception as exc:  # a dead kernel, a timeout: the report fails, the batch goes on
            executed = nbformat.read(output, as_version=4) if output.exists() else None
            return RunResult(executed, False, time.perf_counter() - start, None,
                             f"{type(exc).__name__}: {exc}")
        return RunResult(nb, True, time.perf_counter() - start)

    def shutdown(self, *, remove_sockets: bool = True) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            self.loop.run_until_complete(self.km.shutdown_kernel(now=True))
        except Exception:  # already gone
            pass
        if remove_sockets:
            shutil.rmtree(self.socket_dir, ignore_errors=True)

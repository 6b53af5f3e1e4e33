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
import functools
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

# Run once when a kernel starts: the state every report begins from.
START_CODE = """
import matplotlib.pyplot, matplotlib.style.core, kompetanse.build.kernel
kompetanse.build.kernel.PRISTINE_RC = {k: v for k, v in matplotlib.rcParams.items()
                                  if k not in matplotlib.style.core.STYLE_BLACKLIST}
get_ipython().reset(new_session=True)
"""

# Run between two notebooks: nothing from one report is visible to the next. Figures are closed,
# matplotlib's settings go back to those of a fresh kernel, and IPython's reset clears the user
# namespace, the output cache and the history, and starts the execution count from 1 again, as
# in a fresh kernel. The report's garbage in reference cycles (figures, and the Charts that hold
# them) is collected; what survives (modules, and the data sets `kompetanse.load` keeps) is then
# moved out of the garbage collector's sight with gc.freeze(), so that the next reset's collection
# only walks what the last report created. Freezing before collecting kept every report's figures
# for the kernel's life (2 MB a municipal report).
RESET_CODE = """
import matplotlib.pyplot, kompetanse.build.kernel
matplotlib.pyplot.close("all")
matplotlib.rcParams.update(kompetanse.build.kernel.PRISTINE_RC)
get_ipython().reset(new_session=True)
import gc
gc.collect()
gc.freeze()
del gc
"""

#: matplotlib's style settings in a fresh kernel (set inside the kernel by START_CODE); the
#: backend and interactive mode, which the inline backend manages, are left alone.
PRISTINE_RC: dict = {}


@functools.lru_cache(maxsize=32)
def _declared(path: str, mtime_ns: int) -> tuple[str, ...]:
    import papermill as pm

    return tuple(pm.inspect_notebook(path))


def notebook_parameters(notebook: Path) -> tuple[str, ...]:
    """The names a notebook's ``parameters`` cell declares."""
    return _declared(str(notebook), notebook.stat().st_mtime_ns)


class KernelResetError(RuntimeError):
    """The kernel could not be brought back to a clean state between two reports."""


@functools.cache
def _engine() -> None:
    """A papermill engine that runs on the worker's own kernel client.

    nbclient creates (and waits for) a new kernel client for every notebook even when it is
    handed a running kernel, which costs a fifth of a second each time; this engine hands it
    the client the worker keeps. Everything else is papermill's own nbclient engine."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class WarmClient(PapermillNotebookClient):
        def __init__(self, nb_man, warm_kc=None, **kw):
            super().__init__(nb_man, **kw)
            self.kc = warm_kc

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            nb_man.nb.metadata.update(kwargs.pop("notebook_metadata", None) or {})
            kwargs = remove_args(["input_path"], **kwargs)
            warm_kc = kwargs.pop("kc")
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file)
            return WarmClient(nb_man, warm_kc=warm_kc, **final_kwargs).execute()

    papermill_engines.register(ENGINE_NAME, WarmEngine)


ENGINE_NAME = "kompetanse-warm"


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
        # as nbclient does for the kernels it starts: history in memory, not in ~/.ipython
        self.loop.run_until_complete(self.km.start_kernel(
            extra_arguments=["--HistoryManager.hist_file=:memory:"], **kwargs))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.allow_stdin = False
        self.loop.run_until_complete(self.kc.wait_for_ready(timeout=120))
        self._execute(START_CODE)

    def alive(self) -> bool:
        return bool(self.loop.run_until_complete(self.km.is_alive()))

    def restart_if_dead(self) -> None:
        if not self.alive():
            self.shutdown()
            # a fresh event loop: tasks nbclient left waiting on the dead kernel's channels must
            # not hold up the new kernel (they did, for a minute); a fresh folder for sockets
            for task in asyncio.all_tasks(self.loop):
                task.cancel()
            self.loop.close()
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            self.socket_dir = tempfile.mkdtemp(prefix="kompetanse-kernel-")
            self.km = self._manager()
            self.start()

    def _execute(self, code: str, timeout: float = 60) -> None:
        """Run code in the kernel outside any notebook and wait for its reply on the shell
        channel (silent: it publishes no output); raise if it fails or does not answer."""

        async def run() -> dict:
            msg_id = self.kc.execute(code, silent=True, store_history=False)
            deadline = time.monotonic() + timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise KernelResetError(f"the kernel did not answer within {timeout:.0f} s")
                msg = await self.kc.get_shell_msg(timeout=remaining)
                if msg["parent_header"].get("msg_id") == msg_id:
                    return msg

        reply = self.loop.run_until_complete(run())
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise KernelResetError(f"{content.get('ename')}: {content.get('evalue')}")

    def reset(self) -> None:
        self._execute(RESET_CODE)

    def run(self, notebook: Path, parameters: dict, *, output: Path, timeout: int = 600,
            metadata: dict | None = None) -> RunResult:
        """Execute ``notebook`` with ``parameters``; the executed notebook, its metadata updated
        with ``metadata``, is written to ``output`` (also when a cell fails, with papermill's
        error marks)."""
        check_notebook(notebook, parameters)
        _engine()
        self.restart_if_dead()
        self.reset()
        return run_papermill(notebook, parameters, output=output, engine_name=ENGINE_NAME,
                             kernel_name=self.kernel_name, timeout=timeout, km=self.km, kc=self.kc,
                             notebook_metadata=metadata)

    def shutdown(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            self.loop.run_until_complete(self.km.shutdown_kernel(now=True))
        except Exception:  # already gone
            pass
        shutil.rmtree(self.socket_dir, ignore_errors=True)


def check_notebook(notebook: Path, parameters: dict) -> None:
    """Refuse a notebook that is not there, and a parameter it does not declare (papermill only
    warns about one: a misspelt parameter would silently give a report with the default value)."""
    from kompetanse.errors import UsageError

    if not notebook.is_file():
        raise UsageError(f"The notebook {notebook.name} is missing: there is no {notebook}")
    unknown = sorted(set(parameters) - set(notebook_parameters(notebook)))
    if unknown:
        raise UsageError(f"{notebook.name} has no parameter {', '.join(map(repr, unknown))}; "
                         f"its parameters are {', '.join(notebook_parameters(notebook))}")


def run_papermill(notebook: Path, parameters: dict, *, output: Path, engine_name: str, kernel_name: str,
                  timeout: int, **engine_kwargs) -> RunResult:
    """Run ``notebook`` with papermill on the engine ``engine_name`` (this module's warm kernel,
    or `kompetanse.build.inprocess`), writing the executed notebook to ``output``; a failing cell
    or a lost kernel is a failed `RunResult`, not an exception. The caller has checked the
    notebook and its parameters (`check_notebook`) before resetting its state. Both engines take
    ``notebook_metadata`` among ``engine_kwargs``: it goes into the notebook's metadata before
    the first cell runs, so the file papermill writes is the whole executed notebook."""
    import papermill as pm

    start = time.perf_counter()
    try:
        nb = pm.execute_notebook(
            str(notebook), str(output), parameters=parameters, engine_name=engine_name, kernel_name=kernel_name,
            progress_bar=False, log_output=False, request_save_on_cell_execute=False, execution_timeout=timeout,
            **engine_kwargs,
        )
    except pm.PapermillExecutionError as exc:
        executed = nbformat.read(output, as_version=4) if output.exists() else None
        return RunResult(executed, False, time.perf_counter() - start, exc.cell_index, f"{exc.ename}: {exc.evalue}")
    except Exception as exc:  # a dead kernel, a timeout: the report fails, the batch goes on
        executed = nbformat.read(output, as_version=4) if output.exists() else None
        return RunResult(executed, False, time.perf_counter() - start, None, f"{type(exc).__name__}: {exc}")
    return RunResult(nb, True, time.perf_counter() - start)

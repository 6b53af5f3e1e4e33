"""Run notebooks with papermill in the worker's own process, on an IPython shell instead of a
kernel.

Profiling the batch (issue 19) showed that a municipal page cost 0.44 s on a warm kernel and
0.18 s when its cells ran in one process: the rest was the kernel protocol (each output
serialised to JSON, sent over ZeroMQ, parsed back with its dates, validated and copied) and the
kernel process's own publishing. This engine keeps papermill (parameters, metadata, error marks
and the executed notebook are papermill's) and replaces only the kernel: each code cell is run
by ``shell.run_cell`` as ipykernel runs it, and its outputs are recorded as nbclient records
them, so a page equals a fresh ``papermill`` run's (``tests/test_build.py`` compares the two).

What a kernel gave and this gives too:

- the inline matplotlib backend, with its settings; figures left open are shown at the end of
  a cell;
- ``execute_result`` with the cell's execution count, ``display_data``, ``clear_output``,
  ``stdout``/``stderr`` as ``stream`` outputs (consecutive writes to one stream are one output,
  as ipykernel's buffered streams send them), errors as ``error`` outputs with the traceback;
- every output passed through JSON, as a kernel's message is;
- a clean state between two notebooks (`InProcessShell.reset`), and a cell timeout (SIGALRM).

A cell that brings the process down (a crash in C code, memory) ends the worker; the pool
(`kompetanse.build.workers`) retries its report once in a new worker.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import gc
import json
import os
import platform
import signal
import sys
import threading
import warnings
from pathlib import Path

from kompetanse.build.kernel import RunResult, check_notebook, run_papermill

__all__ = ["ENGINE_NAME", "InProcessShell", "LANGUAGE_INFO"]

ENGINE_NAME = "kompetanse-inprocess"

#: What ipykernel reports as the notebook's ``language_info`` (papermill writes it into the
#: executed notebook's metadata).
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py", "mimetype": "text/x-python",
    "name": "python", "nbconvert_exporter": "python", "pygments_lexer": "ipython3",
    "version": platform.python_version(),
}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def _json(value):
    """A value as a kernel message carries it: through JSON (tuples become lists, and so on)."""
    return json.loads(json.dumps(value, default=str))


class _Recorder:
    """The outputs of the cell being run, as nbclient would record them."""

    def __init__(self):
        self.outputs: list[dict] = []
        self.clear_next = False

    def add(self, output: dict) -> None:
        import nbformat

        if self.clear_next:
            self.outputs.clear()
            self.clear_next = False
        self.outputs.append(nbformat.from_dict(output))

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        last = self.outputs[-1] if self.outputs and not self.clear_next else None
        if last is not None and last.get("output_type") == "stream" and last.get("name") == name:
            last["text"] += text
        else:
            self.add({"output_type": "stream", "name": name, "text": text})

    def clear(self, wait: bool) -> None:
        if wait:
            self.clear_next = True
        else:
            self.outputs.clear()


class _Stream:
    """``sys.stdout`` or ``sys.stderr`` while a cell runs: what it writes becomes a stream output."""

    def __init__(self, recorder: _Recorder, name: str, original):
        self.recorder, self.name, self.original = recorder, name, original
        self.encoding = "utf-8"

    def write(self, text: str) -> int:
        self.recorder.stream(self.name, str(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self.original.fileno()


@functools.cache
def _shell_class():
    """The shell class (made on first use: IPython is imported only by workers that run notebooks;
    once per process, as IPython's shell is a singleton)."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class Hook(DisplayHook):
        # as ipykernel's ZMQShellDisplayHook: the result's formats become an execute_result
        def start_displayhook(self):
            pass

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self.shell.recorder.add({"output_type": "execute_result", "data": _json(format_dict),
                                     "metadata": _json(md_dict or {}), "execution_count": self.prompt_count})

        def finish_displayhook(self):
            pass

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            if update:
                return  # nbclient updates a display by its id; no report uses it
            self.shell.recorder.add({"output_type": "display_data", "data": _json(data),
                                     "metadata": _json(metadata or {})})

        def clear_output(self, wait=False):
            self.shell.recorder.clear(wait)

    class Shell(InteractiveShell):
        recorder = _Recorder()

        def enable_gui(self, gui=None):
            # the inline backend needs no event loop, as in ipykernel
            pass

        def should_run_async(self, raw_cell, *, transformed_cell=None, preprocessing_exc_tuple=None):
            # IPython compiles every cell once more to see whether it awaits at its top level; a
            # cell without the words await and async cannot, and is run as IPython would run it
            text = raw_cell if transformed_cell is None else transformed_cell
            if "await" not in text and "async" not in text:
                return False
            return super().should_run_async(raw_cell, transformed_cell=transformed_cell,
                                            preprocessing_exc_tuple=preprocessing_exc_tuple)

        def _showtraceback(self, etype, evalue, stb):
            # as ipykernel: the traceback becomes the cell's error output
            self.recorder.add({"output_type": "error", "ename": str(etype.__name__), "evalue": str(evalue),
                               "traceback": list(stb)})

    Shell.displayhook_class = Hook
    Shell.display_pub_class = Publisher
    return Shell


def _cache_static_transforms(shell) -> None:
    """Remember what IPython's static input transformations (magics, ``!`` commands, help
    syntax: text in, text out, the same whatever the state) make of each cell's text: every
    municipal notebook runs the same cells, and tokenising them again cost 2 % of a page. The
    dynamic transformations of one-line cells, which depend on the namespace, still run."""
    manager = shell.input_transformer_manager
    if getattr(manager.transform_cell, "kompetanse_cached", False):
        return
    transform = manager.transform_cell
    done: dict[tuple, str] = {}

    def cached(cell: str) -> str:
        # the transformers in place are part of the key: a notebook that adds one gets it
        key = (cell, *map(id, (*manager.cleanup_transforms, *manager.line_transforms,
                                *manager.token_transformers)))
        if key not in done:
            if len(done) > 4096:
                done.clear()
            done[key] = transform(cell)
        return done[key]

    cached.kompetanse_cached = True
    manager.transform_cell = cached


def _same(a, b) -> bool:
    """Whether two matplotlib settings are equal (a comparison that is not a plain truth value,
    as of arrays, counts as different: the setting is then set again)."""
    if a is b:
        return True
    try:
        equal = a == b
    except Exception:  # a value that cannot be compared
        return False
    return equal if isinstance(equal, bool) else False


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


class InProcessShell:
    """Notebooks run by papermill in this process, one after another, each from a clean state.
    The same interface as `kompetanse.build.kernel.WarmKernel`."""

    def __init__(self):
        import matplotlib
        from traitlets.config import Config

        _register_engine()
        config = Config()
        config.HistoryManager.hist_file = ":memory:"
        config.InteractiveShell.colors = "nocolor"
        # as ipykernel starts: the inline backend, chosen before pyplot is imported
        os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        self.shell = _shell_class().instance(config=config)
        _cache_static_transforms(self.shell)
        matplotlib.use("module://matplotlib_inline.backend_inline")
        self.shell.enable_matplotlib("inline")
        # copies: a notebook that edits a setting's list in place (``rcParams['figure.figsize'][0] = 12``)
        # must not edit what the reset sets back
        self.pristine = copy.deepcopy({k: v for k, v in matplotlib.rcParams.items() if k not in _style_blacklist()})
        self.shell.reset(new_session=True)

    def reset(self) -> None:
        """Nothing from one notebook is visible to the next: as `kompetanse.build.kernel.RESET_CODE`."""
        import matplotlib
        import matplotlib.pyplot

        matplotlib.pyplot.close("all")
        # only the settings the last notebook changed (each is validated as it is set: all ~320
        # of them cost 0.3 ms, and most reports change none)
        rc = matplotlib.rcParams
        rc.update({k: copy.deepcopy(v) for k, v in self.pristine.items() if not _same(rc._get(k), v)})
        self.shell.reset(new_session=True)
        gc.collect()
        gc.freeze()

    def run_cell(self, source: str, timeout: float | None) -> tuple[list, int | None, bool]:
        """Run one cell; its outputs, its execution count and whether it failed."""
        recorder = self.shell.recorder = _Recorder()
        out, err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Stream(recorder, "stdout", out), _Stream(recorder, "stderr", err)
        alarm = timeout and threading.current_thread() is threading.main_thread()
        if alarm:
            def expired(signum, frame):
                raise TimeoutError(f"the cell ran longer than {timeout:.0f} s")

            previous = signal.signal(signal.SIGALRM, expired)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        shown = warnings.showwarning
        # a warning is written to the cell's stderr, as a kernel shows it (whoever called us may
        # have its own showwarning, as pytest has)
        warnings.showwarning = _show_warning
        try:
            result = self.shell.run_cell(source, store_history=True)
        finally:
            warnings.showwarning = shown
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            sys.stdout, sys.stderr = out, err
        return recorder.outputs, result.execution_count, not result.success

    def run(self, notebook: Path, parameters: dict, *, output: Path, timeout: int = 600,
            metadata: dict | None = None) -> RunResult:
        """Execute ``notebook`` with ``parameters``; the executed notebook, its metadata updated
        with ``metadata``, is written to ``output`` (also when a cell fails, with papermill's
        error marks)."""
        check_notebook(notebook, parameters)
        cwd = os.getcwd()
        self.reset()
        try:
            return run_papermill(notebook, parameters, output=output, engine_name=ENGINE_NAME, kernel_name="python3",
                                 timeout=timeout, shell=self, notebook_metadata=metadata)
        finally:
            os.chdir(cwd)  # a notebook that changed the folder does not move the worker

    def shutdown(self) -> None:
        pass


def _style_blacklist() -> frozenset[str]:
    """The settings a matplotlib style does not touch (the backend, interactive mode):
    ``matplotlib.style.core.STYLE_BLACKLIST``, deprecated in Matplotlib 3.11 for a private name."""
    import matplotlib.style

    found = getattr(matplotlib.style, "_STYLE_BLACKLIST", None)
    if found is None:
        from matplotlib.style.core import STYLE_BLACKLIST as found
    return frozenset(found)


@functools.cache
def _manager_class():
    """papermill's `NotebookExecutionManager`, which remembers the times it hands out: papermill
    writes a cell's start as text and parses it back with dateutil when the cell ends to get its
    duration (a tenth of a millisecond a cell, 3 ms a municipal page); this takes the datetime
    the text was made from. The metadata written are the same: an isoformat parses back to the
    datetime it was made from."""
    import sys

    import dateutil.parser
    from papermill.engines import NotebookExecutionManager, catch_nb_assignment, logger

    class Manager(NotebookExecutionManager):
        def now(self):
            moment = dt.datetime.now(dt.UTC)
            self.__dict__.setdefault("issued", {})[moment.isoformat()] = moment
            return moment

        @catch_nb_assignment
        def cell_complete(self, cell, cell_index=None, **kwargs):
            # NotebookExecutionManager.cell_complete (papermill 2.7), the start looked up
            end_time = self.now()
            if self.log_output:
                number = cell_index + 1 if cell_index is not None else ""
                logger.info(f"Ending Cell {number:-<43}")
                sys.stdout.flush()
                sys.stderr.flush()
            cell.metadata.papermill["end_time"] = end_time.isoformat()
            started = cell.metadata.papermill.get("start_time")
            if started:
                start_time = self.issued.get(started) or dateutil.parser.parse(started)
                cell.metadata.papermill["duration"] = (end_time - start_time).total_seconds()
            if cell.metadata.papermill["status"] != self.FAILED:
                cell.metadata.papermill["status"] = self.COMPLETED
            self.issued.clear()
            self.save()
            if self.pbar:
                self.pbar.update(1)

    return Manager


def _register_engine() -> None:
    from papermill.engines import Engine, papermill_engines

    class InProcessEngine(Engine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):
            # Engine.execute_notebook, with the manager above
            nb_man = _manager_class()(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                      autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, shell=None, execution_timeout=None,
                                     notebook_metadata=None, **kwargs):
            nb_man.nb.metadata.update(notebook_metadata or {})
            for index, cell in enumerate(nb_man.nb.cells):
                try:
                    nb_man.cell_start(cell, index)
                    if cell.cell_type != "code" or not cell.source.strip():
                        continue
                    timing = cell.metadata["execution"] = {"iopub.status.busy": _now()}
                    timing["iopub.execute_input"] = timing["iopub.status.busy"]
                    outputs, count, failed = shell.run_cell(cell.source, execution_timeout)
                    timing["shell.execute_reply"] = timing["iopub.status.idle"] = _now()
                    cell.outputs = outputs
                    cell.execution_count = count
                    if failed:
                        nb_man.cell_exception(cell, cell_index=index)
                        break
                finally:
                    nb_man.cell_complete(cell, cell_index=index)
            nb_man.nb.metadata["language_info"] = dict(LANGUAGE_INFO)

    if ENGINE_NAME not in papermill_engines._engines:
        papermill_engines.register(ENGINE_NAME, InProcessEngine)

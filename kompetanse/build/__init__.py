"""The batch: every report of a period from one command (``kompetanse report``).

``batch`` (`build_reports`: the build from start to end), ``plan`` (one `Job` per report, the
fingerprints that say whether a report is current), ``workers`` (the worker pool),
``inprocess`` (running a notebook with papermill in the worker's own process, the default),
``kernel`` (running a notebook on a warm kernel), ``nbimport`` (nbformat imported without
what costs a second of its import), ``manifest`` (what was
built: a status per report, the index page and ``manifest.json``), ``params`` (parameters as the notebooks
and the command line accept them), ``pdf`` (a tagged A4 PDF of the municipal pages and the
national overview, printed by one warm Chromium), ``unchanged`` (the build key that lets an
unchanged rebuild write nothing, after checking the files on disk).
"""

from kompetanse._lazy import submodule_getattr

#: Modules reachable as attributes without importing them first.
SUBMODULES = ("batch", "guard", "inprocess", "kernel", "manifest", "nbimport", "params", "pdf", "plan", "unchanged",
              "workers")
__getattr__, __dir__ = submodule_getattr(__name__, SUBMODULES)

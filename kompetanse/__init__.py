"""kompetanse: competence for parent support and FUB/FUG programme progress in Norwegian
municipalities. ``ds = kompetanse.load()`` gives every table validated and typed.

The analyses are in submodules, imported when first used, so ``import kompetanse`` stays quick::

    kompetanse.coverage.coverage_by_level(ds, on=kompetanse.periods.reference_date(ds))
    kompetanse.programme.programme_progress(ds, on=...)
    kompetanse.outcomes.outcome_study(ds)
"""

import importlib

from kompetanse.dataset import Dataset, load
from kompetanse.errors import DataError, KompetanseError, Problem, UsageError
from kompetanse.reference import LEVELS

__version__ = "0.1.0"

__all__ = [
    "LEVELS",
    "DataError",
    "Dataset",
    "KompetanseError",
    "Problem",
    "UsageError",
    "__version__",
    "load",
]

#: Submodules reachable as attributes of the package without importing them first.
SUBMODULES = ("build", "compare", "coverage", "disclosure", "municipal", "outcomes", "overview", "params",
              "periods", "plots", "programme", "reference", "sample", "schema", "settings", "tables")


def __getattr__(name: str):
    if name in SUBMODULES:
        return importlib.import_module(f"kompetanse.{name}")
    raise AttributeError(f"module 'kompetanse' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *SUBMODULES])

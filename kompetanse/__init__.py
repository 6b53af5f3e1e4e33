"""kompetanse: competence for parent support and FUB/FUG programme progress in Norwegian
municipalities. ``ds = kompetanse.load()`` gives every table validated and typed.

The layers are subpackages, imported when first used, so ``import kompetanse`` stays quick:
``data`` (contract, reading, validation, Dataset), ``analysis`` (coverage, programme, comparisons,
disclosure), ``did`` (the difference-in-differences estimator), ``reports`` (what each notebook
section calls), ``site`` (pages) and ``build`` (the batch)::

    from kompetanse.analysis import coverage, periods
    coverage.coverage_by_level(ds, on=periods.reference_date(ds))
    kompetanse.outcomes.outcome_study(ds)

``kompetanse.schema`` is ``kompetanse.data.schema``: ``kompetanse.schema.describe()`` returns the
data contract as a table. ``dir(kompetanse)`` lists the public API: ``__all__``, the subpackages and
that alias.
"""

from kompetanse._lazy import submodule_getattr
from kompetanse.data.dataset import Dataset, load
from kompetanse.data.reference import LEVELS
from kompetanse.errors import DataError, KompetanseError, Problem, UsageError

# The one place the version is written: pyproject.toml reads it ([tool.hatch.version]).
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

#: Subpackages reachable as attributes of the package without importing them first.
SUBMODULES = ("analysis", "build", "data", "did", "errors", "formatting", "outcomes", "reports", "resources",
              "settings", "site")
#: Short public names for modules deeper in the package: ``kompetanse.schema.describe()``.
ALIASES = {"schema": "kompetanse.data.schema"}
__getattr__, __dir__ = submodule_getattr(__name__, SUBMODULES, aliases=ALIASES)

"""kompetanse: competence for parent support and FUB/FUG programme progress in Norwegian
municipalities. ``ds = kompetanse.load()`` gives every table validated and typed."""

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

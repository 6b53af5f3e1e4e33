"""kompetanse: competence for parent support and FUB/FUG programme progress in Norwegian
municipalities. ``ds = kompetanse.load()`` gives every table validated and typed."""

from kompetanse.errors import DataError, KompetanseError, Problem, UsageError

__version__ = "0.1.0"

__all__ = ["DataError", "KompetanseError", "Problem", "UsageError", "__version__"]

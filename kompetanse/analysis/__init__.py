"""The analyses: coverage and retention, programme progress, comparisons with county and country,
the national overview, the statistics-bank extract and disclosure control. Functions take a Dataset or
frames and return tidy frames."""

from kompetanse._lazy import submodule_getattr

#: Modules reachable as attributes without importing them first.
SUBMODULES = ("barometer", "checks", "compare", "coverage", "disclosure", "expiry", "extract", "overview", "peers",
              "periods", "programme", "secondary_suppression", "trends")
__getattr__, __dir__ = submodule_getattr(__name__, SUBMODULES)

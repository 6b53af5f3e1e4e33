"""The data layer: the contract (schema), reading what people send (io), validation, the Dataset and
`load()`, the packaged reference tables and the synthetic sample."""

from kompetanse._lazy import submodule_getattr

#: Modules reachable as attributes without importing them first.
SUBMODULES = ("dataset", "docs", "io", "parse", "reference", "sample", "schema", "validate")
__getattr__, __dir__ = submodule_getattr(__name__, SUBMODULES)

"""The static site: pages rendered from the executed notebooks, the downloads behind their tables, and the index."""

from kompetanse._lazy import submodule_getattr

#: Modules reachable as attributes without importing them first.
SUBMODULES = ("downloads", "files", "pages", "statement", "words")
__getattr__, __dir__ = submodule_getattr(__name__, SUBMODULES)

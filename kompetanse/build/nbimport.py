"""nbformat, imported for a report build without the one thing in its import that costs a second.

nbformat imports jsonschema, and jsonschema, when the package rfc3987-syntax is installed (it
comes with JupyterLab's dependencies, as jsonschema's ``format-nongpl`` extra), compiles its
grammars at import to check the formats ``iri`` and ``iri-reference``: 0.9 of the 1.0 s that
importing nbformat took before a build's workers could start. Nothing in a build checks those
formats (the notebook schema uses none), so a build imports nbformat with rfc3987-syntax held
back; jsonschema then checks every other format as before, and a later ``import rfc3987_syntax``
in the same process works (only jsonschema, imported by then, does not use it).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

__all__ = ["import_nbformat"]

_HELD_BACK = "rfc3987_syntax"


def import_nbformat() -> ModuleType:
    """``import nbformat``, without rfc3987-syntax when jsonschema is not imported yet."""
    if "jsonschema" in sys.modules or _HELD_BACK in sys.modules:
        return importlib.import_module("nbformat")
    sys.modules[_HELD_BACK] = None  # `import rfc3987_syntax` raises ImportError, which jsonschema expects
    try:
        return importlib.import_module("nbformat")
    finally:
        if sys.modules.get(_HELD_BACK, ...) is None:
            del sys.modules[_HELD_BACK]

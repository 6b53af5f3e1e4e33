"""Submodules as attributes of their package, imported when first used (PEP 562), so that
``kompetanse.analysis.coverage.coverage_by_level`` works after ``import kompetanse`` alone and
``import kompetanse`` stays quick."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def submodule_getattr(package: str, names: tuple[str, ...]) -> tuple[Callable, Callable]:
    """``__getattr__`` and ``__dir__`` for a package whose submodules ``names`` load on first use."""

    def __getattr__(name: str):
        if name in names:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted([*importlib.import_module(package).__dict__, *names])

    return __getattr__, __dir__

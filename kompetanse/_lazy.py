"""Lazy submodules (PEP 562): a package's ``__getattr__`` imports a listed submodule on first use,
and its ``__dir__`` lists the public API only, so tab completion in JupyterLab shows what to use."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def submodule_getattr(package: str, names: tuple[str, ...], *,
                      aliases: Mapping[str, str] | None = None) -> tuple[Callable, Callable]:
    """``__getattr__`` and ``__dir__`` for a package whose submodules ``names`` load on first use.

    ``aliases`` maps a public name of the package to the full name of a module elsewhere
    (``{"schema": "kompetanse.data.schema"}``), imported on first use like the submodules.
    ``__dir__`` returns, sorted and once each, the package's ``__all__`` (when it has one), the
    submodules and the aliases: not the machinery (``SUBMODULES``, ``importlib``, this helper) nor
    whatever submodule an import happened to bind.
    """
    aliases = dict(aliases or {})

    def __getattr__(name: str):
        if name in names:
            return importlib.import_module(f"{package}.{name}")
        if name in aliases:
            return importlib.import_module(aliases[name])
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        public = getattr(importlib.import_module(package), "__all__", ())
        return sorted({*public, *names, *aliases})

    return __getattr__, __dir__

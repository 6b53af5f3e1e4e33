"""Where the package finds its notebooks and its default data.

Both live at the top of the repository (``notebooks/``, ``data/sample/``), where analysts open
and edit them. A wheel carries copies inside the package (``kompetanse/notebooks/`` and
``kompetanse/data/sample_data/``, see ``[tool.hatch.build.targets.wheel.force-include]`` in
pyproject.toml). In a checkout (an editable install) the repository's own folders are used, so an
edited notebook is what the next build runs; installed, the embedded copies.

This module imports nothing from the package but `kompetanse.errors`.
"""

from __future__ import annotations

from pathlib import Path

from kompetanse.errors import UsageError

__all__ = ["notebook", "notebook_dir", "resource_dir", "sample_dir"]

PACKAGE_DIR = Path(__file__).resolve().parent

#: For each resource: where it lies in a checkout, and where a wheel embeds it.
LOCATIONS = {
    "notebooks": (PACKAGE_DIR.parent / "notebooks", PACKAGE_DIR / "notebooks"),
    "sample": (PACKAGE_DIR.parent / "data" / "sample", PACKAGE_DIR / "data" / "sample_data"),
}


def in_checkout() -> bool:
    """The package is imported from a checkout of the repository (its pyproject.toml beside it)."""
    return (PACKAGE_DIR.parent / "pyproject.toml").is_file()


def resource_dir(name: str) -> Path:
    """The folder of one resource (``"notebooks"`` or ``"sample"``): the repository's own in a
    checkout, the embedded copy in an installed package.

    Raises
    ------
    UsageError : the folder is not there (a broken installation), naming where it was looked for.
    """
    checkout, embedded = LOCATIONS[name]
    folder = checkout if in_checkout() else embedded
    if not folder.is_dir():
        raise UsageError(f"The {name} folder of kompetanse is missing: {folder} does not exist "
                         "(reinstall the package, or run from a complete checkout)")
    return folder


def notebook_dir() -> Path:
    """The folder of the report notebooks (``notebooks/`` in a checkout)."""
    return resource_dir("notebooks")


def notebook(name: str) -> Path:
    """The path of the notebook ``name`` (``"kommune_rapport.ipynb"``).

    Raises
    ------
    UsageError : there is no such notebook; the message names it and the folder looked in.
    """
    folder = notebook_dir()
    path = folder / name
    if not path.is_file():
        raise UsageError(f"The notebook {name} is missing: there is no {path}")
    return path


def sample_dir() -> Path:
    """The folder of the embedded synthetic sample (``data/sample/`` in a checkout), what every
    command and `kompetanse.load` read when given no data."""
    return resource_dir("sample")

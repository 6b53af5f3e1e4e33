"""Shared fixtures: a small hand-written valid data set to copy and break, fixed seeds,
and figures closed after each test."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "minimal"


@pytest.fixture(autouse=True)
def _fixed_seeds():
    random.seed(0)
    np.random.seed(0)
    yield
    try:
        import matplotlib.pyplot as plt

        plt.close("all")
    except ImportError:  # pragma: no cover
        pass


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A copy of tests/data/minimal, free to change."""
    target = tmp_path / "data"
    shutil.copytree(MINIMAL, target)
    return target


def replace_line(path: Path, row: int, text: str) -> None:
    """Replace spreadsheet row ``row`` (header = 1) of a CSV file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[row - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def append_line(path: Path, text: str) -> int:
    """Append a row and return its spreadsheet row number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append(text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


#: The municipalities of the report site the builder and browser tests share: Oslo, Bodø and
#: Utsira, the largest and the smallest.
SITE_KOMMUNER = ["0301", "1804", "1151"]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """Reports of the sample for three municipalities, the country and each programme cohort,
    built once per test session."""
    from kompetanse.build import batch as build

    out = tmp_path_factory.mktemp("reports")
    return build.build_reports(None, out=out, kommuner=SITE_KOMMUNER, progress=False)


@pytest.fixture(scope="module")
def ds():
    """The embedded sample, loaded once per module."""
    import kompetanse

    return kompetanse.load()


@pytest.fixture(scope="module")
def on(ds):
    """The sample's reference date (the end of its latest period)."""
    from kompetanse.analysis import periods

    return periods.reference_date(ds)

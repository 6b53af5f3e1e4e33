"""Notebooks: committed without outputs, one tagged parameters cell, and run through papermill
with real and awkward parameters. (`pytest --nbval-lax notebooks/` runs each with defaults.)"""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs_and_has_one_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")
    inferred = pm.inspect_notebook(str(path))
    assert inferred, "papermill must be able to read the parameters cell"
    assert all(p["inferred_type_name"] != "None" and p["help"] for p in inferred.values())


def _run(tmp_path, name, **parameters):
    out = tmp_path / name
    pm.execute_notebook(str(Path(__file__).parent.parent / "notebooks" / name), str(out),
                        parameters=parameters, progress_bar=False, kernel_name="python3")
    return nbformat.read(out, as_version=4)


def test_explore_accepts_a_municipality_number_as_papermill_gives_it(tmp_path):
    nb = _run(tmp_path, "utforsk.ipynb", kommunenummer=301)
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) for c in nb.cells
                     for o in c.get("outputs", []))
    assert "Oslo" in text


def test_explore_refuses_an_unknown_municipality_before_doing_anything(tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match="no municipality has the number 9999"):
        _run(tmp_path, "utforsk.ipynb", kommunenummer="9999")

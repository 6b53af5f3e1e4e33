"""A notebook's content without what changes from run to run, to compare two runs of one report
(the batch's warm kernel against a fresh papermill run). Test support: no report uses it."""

from __future__ import annotations

import nbformat

#: Metadata that differs between two runs of the same notebook and says nothing about its content.
_RUN_METADATA = ("papermill", "execution", "ExecuteTime", "collapsed", "scrolled")


def comparable(nb: nbformat.NotebookNode) -> dict:
    """A notebook's content without what changes from run to run (timestamps, durations, ids,
    kernel and environment details): two runs of a notebook with the same parameters on the
    same data give equal results."""
    cells = []
    for cell in nb.cells:
        item = {"cell_type": cell.cell_type, "source": cell.source,
                "metadata": {k: v for k, v in cell.get("metadata", {}).items() if k not in _RUN_METADATA}}
        if cell.cell_type == "code":
            item["execution_count"] = cell.get("execution_count")
            item["outputs"] = [{k: v for k, v in out.items() if k != "metadata" or v} for out in cell.outputs]
        cells.append(item)
    return {"cells": cells, "nbformat": (nb.nbformat, nb.nbformat_minor)}

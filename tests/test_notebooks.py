"""Notebooks: the committed .ipynb files are the one source of each notebook (no generator). What
a generator once guaranteed is pinned here: no outputs and no execution counts, stable cell ids,
one cell tagged ``parameters`` with typed, commented defaults, parameters checked on entry, a
title in Norwegian; and each report section is one call into `kompetanse.reports`. The notebooks
are also run through papermill with real and awkward parameters. (`pytest --nbval-lax notebooks/`
runs each with defaults.)"""

from __future__ import annotations

import ast
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid_with_stable_cell_ids_and_a_python_kernel(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    # ids name the notebook and the cell's place, so that editing one cell gives a one-cell diff
    assert [c.id for c in nb.cells] == [f"{path.stem}-{i:02d}" for i in range(len(nb.cells))]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.metadata.get("execution") for c in nb.cells)


#: Words of Norwegian prose that an English title would lack.
NORWEGIAN = {"og", "i", "er", "for", "på", "til", "med", "som", "kommunen", "kommunene", "foreldre"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_a_title_in_norwegian(path):
    cells = nbformat.read(path, as_version=4).cells
    first = cells[0]
    if first.cell_type == "code":
        # a report whose title is data (the municipal report: the municipality's name): the
        # parameters come first, then the cell that loads the data ends with the library's
        # heading, and the first Markdown cell is the Norwegian introduction under it
        assert "parameters" in first.metadata.get("tags", [])
        assert cells[1].cell_type == "code" and cells[1].source.strip().splitlines()[-1].startswith("rapport.heading(")
        first = next(c for c in cells if c.cell_type == "markdown")
        assert not first.source.lstrip().startswith("#")
    else:
        title, _, text = first.source.partition("\n")
        assert title.startswith("# ") and text.strip()
    words = {w.strip(".,:;?«»()").lower() for w in first.source.split()}
    assert len(words & NORWEGIAN) >= 3, words & NORWEGIAN


def _code(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_parameter_is_typed_commented_and_checked_on_entry(path):
    parameters, setup = _code(path)[:2]
    declared = [node for node in ast.parse(parameters).body]
    assert declared and all(isinstance(n, ast.AnnAssign) for n in declared), "each parameter: name: type = default"
    for line in parameters.splitlines()[1:]:
        assert "  # " in line, f"no comment saying what {line.split(':')[0]} is"
    used = {n.id for n in ast.walk(ast.parse(setup)) if isinstance(n, ast.Name)}
    for node in declared:
        assert node.target.id in used, f"{node.target.id} is not read in the cell after the parameters"


REPORTS = [p for p in NOTEBOOKS if p.stem != "utforsk"]


def _report_call(node: ast.AST) -> bool:
    """``rapport.section(...)``, or ``print(rapport.section(...))`` for text."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
        return len(node.args) == 1 and not node.keywords and _report_call(node.args[0])
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "rapport")


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_each_report_section_is_one_library_call(path):
    _parameters, setup, *sections = _code(path)
    assert "from kompetanse.reports import" in setup and " as rapport" in setup
    assert sections
    for source in sections:
        body = ast.parse(source).body
        assert len(body) == 1 and isinstance(body[0], ast.Expr) and _report_call(body[0].value), source
    # no arithmetic, indexing, comparisons or table specifications anywhere in the notebook
    for source in [setup, *sections]:
        kinds = {type(n) for n in ast.walk(ast.parse(source))}
        assert not kinds & {ast.BinOp, ast.Subscript, ast.Compare, ast.Lambda, ast.Dict, ast.List}, source
        assert "tables." not in source and "plots." not in source, source


def _run(tmp_path, name, **parameters):
    out = tmp_path / name
    pm.execute_notebook(str(Path(__file__).parent.parent / "notebooks" / name), str(out),
                        parameters=parameters, progress_bar=False, kernel_name="python3",
                        execution_timeout=600)  # a lost kernel message fails the test, not CI's clock
    return nbformat.read(out, as_version=4)


def test_explore_accepts_a_municipality_number_as_papermill_gives_it(tmp_path):
    nb = _run(tmp_path, "utforsk.ipynb", kommunenummer=301)
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) for c in nb.cells
                     for o in c.get("outputs", []))
    assert "Oslo" in text


def test_explore_refuses_an_unknown_municipality_before_doing_anything(tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match="no municipality has the number 9999"):
        _run(tmp_path, "utforsk.ipynb", kommunenummer="9999")


@pytest.fixture(scope="module", params=["inprocess", "kernel"])
def kernel(request):
    # the two ways the build runs a notebook: in the worker's own process (the default) and on a
    # warm kernel (`--kernel`)
    if request.param == "inprocess":
        from kompetanse.build.inprocess import InProcessShell

        k = InProcessShell()
    else:
        from kompetanse.build.kernel import WarmKernel

        k = WarmKernel()
    yield k
    k.shutdown()


NOTEBOOK_DIR = Path(__file__).parent.parent / "notebooks"


@pytest.mark.parametrize("name, parameters, message", [
    ("kommune_rapport.ipynb", {"kommunenummer": "9999"}, "no municipality has the number 9999"),
    ("kommune_rapport.ipynb", {"kommunenummer": "03O1"}, "03O1"),
    ("kommune_rapport.ipynb", {"kommunenummer": "0301", "periode": 1990}, "1990"),
    ("nasjonal_oversikt.ipynb", {"periode": 2099}, "2099"),
    ("nasjonal_oversikt.ipynb", {"fylkesnummer": "99"}, "99"),
    ("program_fremdrift.ipynb", {"kull": 1999}, "1999"),
    ("utfallsstudie.ipynb", {"indikator": "tull"}, "tull"),
    ("utfallsstudie.ipynb", {"konfidensniva": 1.5}, "1.5"),
], ids=lambda v: str(v) if not isinstance(v, dict) else ",".join(f"{k}={x}" for k, x in v.items()))
def test_report_notebooks_refuse_bad_parameters_on_entry(kernel, tmp_path, name, parameters, message):
    # the run fails in the first cells after the parameters, before any heading or figure
    result = kernel.run(NOTEBOOK_DIR / name, parameters, output=tmp_path / "out.ipynb")
    assert not result.ok
    assert message in result.error
    first_code = [i for i, c in enumerate(result.notebook.cells) if c.cell_type == "code"]
    assert result.error_cell <= first_code[3], result.error_cell
    shown = [o for c in result.notebook.cells[: result.error_cell] if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in shown if "image/png" in o.get("data", {})]


def test_an_unknown_parameter_is_an_error_not_a_warning(kernel, tmp_path):
    from kompetanse.errors import UsageError

    with pytest.raises(UsageError, match=r"has no parameter 'kommunenumer'; its parameters are kommunenummer"):
        kernel.run(NOTEBOOK_DIR / "kommune_rapport.ipynb", {"kommunenumer": "0301"}, output=tmp_path / "o.ipynb")


def _tiny_notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_the_warm_kernel_frees_what_a_report_left_in_reference_cycles(kernel, tmp_path):
    # A figure (or a Chart holding one) is a reference cycle: only the garbage collector frees it.
    # The reset freezes what survives it (gc.freeze), so garbage not collected before the freeze
    # stayed for the kernel's life: 2 MB per municipal report, 0.3 GB per kernel in a national batch.
    make = _tiny_notebook(tmp_path / "make.ipynb", "\n".join([
        "import weakref, kompetanse.build.kernel as k",
        "class Node: pass",
        "a, b = Node(), Node()",
        "a.other, b.other = b, a",
        "k._probe = weakref.ref(a)",
        "_ = a",
    ]))
    check = _tiny_notebook(tmp_path / "check.ipynb",
                           "import kompetanse.build.kernel as k\nprint('freed' if k._probe() is None else 'kept')")
    assert kernel.run(make, {}, output=tmp_path / "make.out.ipynb").ok
    result = kernel.run(check, {}, output=tmp_path / "check.out.ipynb")
    assert result.ok, result.error
    text = "".join(o.get("text", "") for c in result.notebook.cells for o in c.get("outputs", []))
    assert text.strip() == "freed"


def test_a_notebook_run_in_process_equals_a_fresh_papermill_run_output_for_output(tmp_path):
    # every kind of output a cell can give, and a failing cell: the in-process engine records
    # them as nbclient does from a kernel's messages (streams, warnings on stderr, display and
    # execute results with their formats and metadata, a figure the inline backend shows at the
    # end of the cell, clear_output, the error and papermill's marks), and nothing is left over
    # for the next notebook
    from kompetanse.build.inprocess import InProcessShell
    from tests.notebook_content import comparable

    path = _tiny_notebook(tmp_path / "all.ipynb",
                          "x = 1\nprint('one'); print('two')\nimport sys; print('err', file=sys.stderr)",
                          "import warnings\nwarnings.warn('careful')",
                          "from IPython.display import display, Markdown, HTML\ndisplay(Markdown('*m*'))\n"
                          "display(HTML('<b>h</b>'), metadata={'k': (1, 2)})\n{'a': (1, 2)}",
                          "from IPython.display import clear_output\nprint('gone'); clear_output()\nprint('kept')",
                          "import matplotlib.pyplot as plt\nplt.plot([1, 2], [3, 4]);",
                          "", "x + 1",
                          "raise ValueError('stop here')", "print('never')")
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("n = 0", metadata={"tags": ["parameters"]}))
    nbformat.write(nb, path)
    shell = InProcessShell()
    ours = shell.run(path, {"n": 3}, output=tmp_path / "ours.ipynb", timeout=60)
    with pytest.raises(pm.PapermillExecutionError, match="stop here") as caught:
        pm.execute_notebook(str(path), str(tmp_path / "fresh.ipynb"), parameters={"n": 3}, progress_bar=False,
                            kernel_name="python3", execution_timeout=600)
    fresh = nbformat.read(tmp_path / "fresh.ipynb", as_version=4)
    assert not ours.ok and "ValueError: stop here" in ours.error
    mine = nbformat.read(tmp_path / "ours.ipynb", as_version=4)
    for a, b in zip(comparable(mine)["cells"], comparable(fresh)["cells"], strict=True):
        if "warnings.warn" in a["source"]:
            # the warning names the cell's file, which is the kernel's (with its process id) or ours
            assert [o["name"] for o in a["outputs"]] == [o["name"] for o in b["outputs"]] == ["stderr"]
            assert [o["text"].split(": ", 1)[1] for o in a["outputs"]] == [
                o["text"].split(": ", 1)[1] for o in b["outputs"]]
        elif a.get("outputs") and a["outputs"][0].get("output_type") == "error":
            # a traceback's frames name the kernel's or this process's files; the error itself is the same
            assert [{k: v for k, v in o.items() if k != "traceback"} for o in a["outputs"]] == [
                {k: v for k, v in o.items() if k != "traceback"} for o in b["outputs"]]
            assert any("stop here" in line for line in a["outputs"][0]["traceback"])
        else:
            assert a == b
    assert ours.error_cell == caught.value.cell_index
    # and the next notebook starts clean: x is gone, the count starts at 1
    after = shell.run(_tiny_notebook(tmp_path / "next.ipynb", "'x' in dir()"), {}, output=tmp_path / "n.ipynb")
    out = after.notebook.cells[0].outputs[0]
    assert out["data"]["text/plain"] == "False" and out["execution_count"] == 1


def test_in_process_cells_are_transformed_as_ipython_does_also_when_a_notebook_adds_a_transformer(tmp_path):
    # the shell remembers what IPython's static transformations make of each cell (the same cells
    # run in every report): a magic works in every run, and a notebook that adds a transformer of
    # its own gets it from the next cell on, though the cell's text was seen before without it
    from kompetanse.build.inprocess import InProcessShell

    shell = InProcessShell()
    manager = shell.shell.input_transformer_manager
    before = list(manager.line_transforms)
    plain = _tiny_notebook(tmp_path / "plain.ipynb", "%time y = 2", "SEKS = 7", "y * SEKS")
    adds = _tiny_notebook(tmp_path / "adds.ipynb", "%time y = 2",
                          "get_ipython().input_transformer_manager.line_transforms.append(\n"
                          "    lambda lines: [line.replace('SEKS', '6') for line in lines])",
                          "y * SEKS")
    try:
        for run in range(2):
            first = shell.run(plain, {}, output=tmp_path / f"plain.{run}.ipynb")
            assert first.ok, first.error
            assert first.notebook.cells[2].outputs[0]["data"]["text/plain"] == "14"
            assert "Wall time" in first.notebook.cells[0].outputs[0]["text"]
            manager.line_transforms[:] = before
            second = shell.run(adds, {}, output=tmp_path / f"adds.{run}.ipynb")
            assert second.ok, second.error
            assert second.notebook.cells[2].outputs[0]["data"]["text/plain"] == "12"
            manager.line_transforms[:] = before
    finally:
        manager.line_transforms[:] = before


def test_a_cell_that_awaits_at_its_top_level_runs_in_process_as_on_a_kernel(tmp_path):
    # the shell skips IPython's second compile of a cell that cannot await (no await, no async);
    # one that does still runs on IPython's event loop, and a cell that only says the word runs
    from kompetanse.build.inprocess import InProcessShell

    shell = InProcessShell()
    result = shell.run(_tiny_notebook(tmp_path / "await.ipynb", "import asyncio\nawait asyncio.sleep(0)\n5",
                                      "async def f():\n    return 6\nawait f()", "'await async'"), {},
                       output=tmp_path / "await.out.ipynb")
    assert result.ok, result.error
    assert [c.outputs[0]["data"]["text/plain"] for c in result.notebook.cells] == ["5", "6", "'await async'"]


def test_matplotlib_settings_a_notebook_changes_are_undone_for_the_next(tmp_path):
    # the reset sets back only the settings that differ from a fresh shell's: a style, a single
    # setting, a cycler and a list each come back, and a notebook that changes nothing finds them so
    from kompetanse.build.inprocess import InProcessShell

    shell = InProcessShell()
    show = _tiny_notebook(tmp_path / "show.ipynb",
                          "import matplotlib as mpl\n"
                          "[mpl.rcParams[k] for k in ('lines.linewidth', 'axes.facecolor', 'axes.prop_cycle',"
                          " 'font.sans-serif', 'figure.figsize')]")
    change = _tiny_notebook(tmp_path / "change.ipynb",
                            "import matplotlib as mpl, matplotlib.pyplot as plt\n"
                            "plt.style.use('ggplot')\n"
                            "mpl.rcParams['lines.linewidth'] = 7\n"
                            "mpl.rcParams['axes.prop_cycle'] = mpl.cycler(color=['red'])\n"
                            "mpl.rcParams['font.sans-serif'] = ['Nothing']\n"
                            "mpl.rcParams['figure.figsize'] = [1, 1]")

    def shown(name):
        return shell.run(show, {}, output=tmp_path / f"{name}.ipynb").notebook.cells[0].outputs[0]["data"]["text/plain"]

    # a list edited in place, the matplotlib idiom that changes a setting without setting it
    # (found in review: the kept settings shared the list, so the edit stayed for every later
    # notebook of the worker)
    in_place = _tiny_notebook(tmp_path / "in_place.ipynb",
                              "import matplotlib.pyplot as plt\n"
                              "plt.rcParams['figure.figsize'][0] = 12\n"
                              "plt.rcParams['font.sans-serif'].insert(0, 'Nothing')")

    fresh = shown("fresh")
    assert shell.run(in_place, {}, output=tmp_path / "in_place_1.ipynb").ok
    assert shown("after_in_place") == fresh
    assert shell.run(change, {}, output=tmp_path / "changed.ipynb").ok
    assert shown("after") == fresh
    assert shell.run(in_place, {}, output=tmp_path / "in_place_2.ipynb").ok
    assert shown("again") == fresh


def test_an_in_process_cell_that_runs_too_long_fails_its_report_and_the_next_one_runs(tmp_path):
    from kompetanse.build.inprocess import InProcessShell

    shell = InProcessShell()
    slow = shell.run(_tiny_notebook(tmp_path / "slow.ipynb", "import time\nwhile True: time.sleep(0.05)"), {},
                     output=tmp_path / "slow.out.ipynb", timeout=1)
    assert not slow.ok and "TimeoutError" in slow.error and "1 s" in slow.error
    assert shell.run(_tiny_notebook(tmp_path / "ok.ipynb", "1 + 1"), {}, output=tmp_path / "ok.out.ipynb").ok


# --- utforsk.ipynb shows what the published pages show, and nothing smaller ------------------------

#: Headers of displayed counts of parents or participants (disclosure: hidden below MIN_COUNT) and of
#: persons leaving or losing a certification (staff policy: hidden below MIN_STAFF_EVENTS), as the
#: report tables label them and as a raw frame would name them.
_PARENT_HEADERS = ("foreldre", "antall_foreldre", "ansatte nådd", "ansatte_naadd", "foreldre nådd", "foreldre_naadd",
                   "deltakere")
_EVENT_HEADERS = ("utløper innen", "utloper_neste_12_mnd", "sluttet i", "sluttet_i_perioden")


def _small_counts_shown(html: str) -> list[tuple[str, str]]:
    """(header, cell) of every count of parents, participants or staff events shown below its
    threshold in the HTML tables of ``html``; rates and shares (per, andel, %) are not counts."""
    from kompetanse.settings import MIN_COUNT, MIN_STAFF_EVENTS
    from tests.staff_cells import person_revealing_cells, tables_of

    found = []
    for rows in tables_of(html)[0]:
        header = [h.lower() for h in rows[0]]
        for i, h in enumerate(header):
            if " per " in f" {h} " or "andel" in h or "%" in h:
                continue
            limit = (MIN_COUNT if h.startswith(_PARENT_HEADERS) else MIN_STAFF_EVENTS if h.startswith(_EVENT_HEADERS)
                     else None)
            if limit is not None:
                found += [(rows[0][i], r[i]) for r in rows[1:] if i < len(r) and r[i].isdigit()
                          and 0 < int(r[i]) < limit]
    return found + [("staff policy", str(c)) for c in person_revealing_cells(html)]


#: A small municipality of the sample with parents in offers of 1 to 4 on a level and one or two
#: persons leaving or whose certification expires on a level in 2025.
SMALL = "1135"


def test_the_small_count_check_finds_a_raw_table_of_offers(ds):
    from kompetanse.analysis import coverage

    # the check below is only worth something if it catches what utforsk used to show
    raw = ds.tilbud.query("kommunenummer == @SMALL and ar == 2025")
    assert _small_counts_shown(raw.to_html(index=False))
    retention = coverage.retention_by_level(ds).query("kommunenummer == @SMALL")
    assert _small_counts_shown(retention.to_html(index=False))


def test_utforsk_shows_no_unsuppressed_small_count_and_exports_the_table_as_shown(ds, tmp_path):
    import pandas as pd

    from kompetanse.analysis import coverage
    from kompetanse.reports import kommune

    # the municipality has what must not be shown: small parent counts and staff events of 1-2
    per_level = ds.tilbud.query("kommunenummer == @SMALL and ar == 2025").groupby("niva", observed=True)[
        "antall_foreldre"].sum()
    assert per_level.between(1, 4).any()
    retention = coverage.retention_by_level(ds).query("kommunenummer == @SMALL")
    assert (retention["utloper_neste_12_mnd"].between(1, 2) | retention["sluttet_i_perioden"].between(1, 2)).any()

    nb = _run(tmp_path, "utforsk.ipynb", kommunenummer=SMALL, eksport=str(tmp_path / "eksport"))
    html = "\n".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", []))
    assert html.count("<table") >= 8, "utforsk displays its tables as HTML"
    assert "Foreldre" in html  # the offers table is among them, with its parents suppressed
    assert _small_counts_shown(html) == []

    # the export is the comparison table of the page, cell by cell, in the Norwegian CSV dialect
    expected = kommune.comparison_table(kommune.profile(ds, SMALL)).to_spreadsheet()
    csv = tmp_path / "eksport" / f"sammenligning-{SMALL}-2025.csv"
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    got = pd.read_csv(csv, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert got.to_numpy().tolist() == expected.astype(str).to_numpy().tolist()
    assert list(got.columns) == list(expected.columns)
    sheet = pd.read_excel(csv.with_suffix(".xlsx"), dtype=str, keep_default_na=False, engine="openpyxl")
    assert sheet.to_numpy().tolist() == expected.astype(str).to_numpy().tolist()

"""A build imports nbformat without rfc3987-syntax's grammars (a second of start-up), and nothing
else changes: notebooks are still validated, and rfc3987-syntax can still be imported after."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_nbformat_is_imported_without_rfc3987_syntax_and_still_validates():
    out = _run(
        "import sys\n"
        "from kompetanse.build.nbimport import import_nbformat\n"
        "nbformat = import_nbformat()\n"
        "print('held back:', 'rfc3987_syntax' not in sys.modules)\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
        "nbformat.validate(nb)\n"
        "nb.cells[0]['outputs'] = 'not a list'\n"
        "try:\n"
        "    nbformat.validate(nb)\n"
        "    print('invalid accepted')\n"
        "except nbformat.ValidationError:\n"
        "    print('invalid refused')\n"
        "import jsonschema\n"
        "print('uri checked:', not jsonschema.FormatChecker().conforms('not a uri', 'uri'))\n")
    assert out.splitlines() == ["held back: True", "invalid refused", "uri checked: True"]


def test_rfc3987_syntax_can_be_imported_afterwards():
    out = _run(
        "from kompetanse.build.nbimport import import_nbformat\n"
        "import_nbformat()\n"
        "try:\n"
        "    import rfc3987_syntax\n"
        "    print('importable')\n"
        "except ImportError as exc:\n"
        "    print('not installed' if 'No module named' in str(exc) else f'blocked: {exc}')\n")
    assert out in ("importable", "not installed")


def test_a_report_build_imports_it_so():
    # the build's way to its workers (and papermill, IPython and the engines): no rfc3987-syntax
    out = _run(
        "import sys\n"
        "from kompetanse.build import batch\n"
        "batch.run_all([], None, '', {}, jobs=1, progress=False, kernel_name=None)\n"
        "import papermill, kompetanse.build.inprocess\n"
        "print('nbformat' in sys.modules, 'kompetanse.build.workers' in sys.modules, 'rfc3987_syntax' in sys.modules)\n")
    assert out == "True True False"

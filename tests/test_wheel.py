"""The package as a user gets it: a wheel built from the repository, installed in a fresh virtual
environment and run from a folder outside the checkout, samples, validates and builds a municipal
report from the notebooks and the sample it carries; and the version is written in one place.

To stay fast the test venv does not download the dependencies again: a ``.pth`` file makes this
environment's site-packages visible to it. Only the directory is added to ``sys.path``; the
``.pth`` files inside it, among them the editable install's, which would put the checkout on the
path, are not run (``site`` only runs ``.pth`` files of site directories). The tests check that
``kompetanse`` is imported from the venv and finds its resources there.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

import kompetanse
from kompetanse import resources
from kompetanse.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _site_packages(prefix: Path) -> Path:
    return prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A venv with the wheel installed (without its dependencies), a work folder outside the
    checkout, and the environment to run commands in there."""
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "--quiet", "--wheel-dir", str(tmp / "dist"), str(ROOT)], check=True, capture_output=True)
    (wheel,) = (tmp / "dist").glob("kompetanse-*.whl")
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    (_site_packages(env_dir) / "_test_dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--quiet", str(wheel)], check=True, capture_output=True)
    work = tmp / "work"
    work.mkdir()
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    environ["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{environ.get('PATH', '')}"
    environ["VIRTUAL_ENV"] = str(env_dir)
    return {"wheel": wheel, "venv": env_dir, "python": python, "work": work, "env": environ}


def _run(installed: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(args), cwd=installed["work"], env=installed["env"], capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, (args, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc


def test_the_wheel_carries_the_notebooks_and_the_sample(installed):
    import zipfile

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        assert f"kompetanse/notebooks/{nb.name}" in names
    for path in (ROOT / "data" / "sample").iterdir():
        assert f"kompetanse/data/sample_data/{path.name}" in names
    assert "kompetanse/data/reference/kommuner_2024.csv" in names


def test_every_file_of_the_package_is_in_the_wheel(installed):
    # templates, CSS, JS and reference tables too: a file left out renders no page when installed
    import zipfile

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    files = [p.relative_to(ROOT).as_posix() for p in (ROOT / "kompetanse").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts]
    assert any(f.startswith("kompetanse/site/templates/") for f in files)
    assert any(f.startswith("kompetanse/site/static/") for f in files)
    assert [f for f in files if f not in names] == []


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    probe = ("import json, sys, kompetanse; from kompetanse import resources; "
             "print(json.dumps({'file': kompetanse.__file__, 'path': sys.path, 'checkout': resources.in_checkout(), "
             "'notebooks': str(resources.notebook_dir()), 'sample': str(resources.sample_dir())}))")
    seen = json.loads(_run(installed, str(installed["python"]), "-c", probe).stdout)
    venv_dir = installed["venv"].resolve()
    assert Path(seen["file"]).resolve().is_relative_to(venv_dir)
    assert str(ROOT) not in seen["path"]
    assert seen["checkout"] is False
    assert Path(seen["notebooks"]).is_relative_to(venv_dir) and Path(seen["sample"]).is_relative_to(venv_dir)


def test_the_installed_package_samples_validates_and_builds_a_municipal_report(installed):
    work = installed["work"]
    _run(installed, "kompetanse", "sample", "--out", "utvalg")
    for committed in sorted((ROOT / "data" / "sample").glob("*.csv")):
        assert (work / "utvalg" / committed.name).read_bytes() == committed.read_bytes(), committed.name

    validated = _run(installed, "kompetanse", "validate", "-q")
    assert "0 rejected, 0 problems" in validated.stdout
    assert str(installed["venv"]) in validated.stdout  # the embedded sample, not the checkout's

    _run(installed, "kompetanse", "report", "--kommune", "0301", "--out", "rapporter", "-q")
    (page,) = (work / "rapporter").glob("*/kommuner/0301.html")
    assert "Oslo" in page.read_text(encoding="utf-8")
    manifest = json.loads((page.parent.parent / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kompetanse_version"] == kompetanse.__version__
    assert manifest["summary"]["failed"] == 0

    loaded = _run(installed, str(installed["python"]), "-c",
                  "import kompetanse; ds = kompetanse.load(); print(ds.path); print(len(ds.kommuner))")
    where, count = loaded.stdout.split()
    assert Path(where).resolve().is_relative_to(installed["venv"].resolve())
    assert int(count) == len(kompetanse.load().kommuner)


def test_the_installed_version_is_the_package_version(installed):
    shown = _run(installed, "kompetanse", "--version").stdout.strip()
    assert shown == f"kompetanse {kompetanse.__version__}"
    metadata = _run(installed, str(installed["python"]), "-c",
                    "import importlib.metadata as m; print(m.version('kompetanse'))").stdout.strip()
    assert metadata == kompetanse.__version__
    assert installed["wheel"].name.startswith(f"kompetanse-{kompetanse.__version__}-")


def test_the_version_is_written_once():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "kompetanse/__init__.py"


def test_version_on_the_command_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"kompetanse {kompetanse.__version__}"


def test_in_the_checkout_the_repository_folders_are_used():
    assert resources.in_checkout()
    assert resources.notebook_dir() == ROOT / "notebooks"
    assert resources.sample_dir() == ROOT / "data" / "sample"
    assert kompetanse.load().path == ROOT / "data" / "sample"

"""A batch that survives its operator (kompetanse.build.guard): SIGTERM and SIGHUP end it as
Ctrl-C does, one build at a time per folder, inputs that change during a build fail it, the
manifest lists only what is on disk, a file system that refuses gives one line and exit 1, and
the notebooks refuse parameters they do not declare."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from kompetanse import resources
from kompetanse.build import batch as build
from kompetanse.build import guard
from kompetanse.build import manifest as manifest_module
from kompetanse.cli import main
from kompetanse.errors import UsageError

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
MANY = ["0301", "1103", "1151", "1508", "1804", "3101", "3201", "4204", "4601", "5001", "5501", "5601"]


def _start(out: Path, env: dict | None = None, data: Path | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "kompetanse", "report", "--out", str(out), "--kommune", *MANY, "--jobs", "2",
           "--uten-pdf", "-q", *(["--data", str(data)] if data else [])]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, start_new_session=True)


def _wait_for_pages(proc: subprocess.Popen, out: Path, n: int) -> None:
    deadline = time.monotonic() + 300
    while len(list(out.glob("*/kommuner/*.html"))) < n and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished before the fault"


def _reports(folder: Path) -> dict[str, dict]:
    return {r["key"]: r for r in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["reports"]}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stop_signal_to_the_builder_alone_ends_the_whole_tree_and_keeps_what_is_done(tmp_path, signum):
    out, scratch = tmp_path / "reports", tmp_path / "tmp"
    scratch.mkdir()
    proc = _start(out, env={"TMPDIR": str(scratch)})
    _wait_for_pages(proc, out, 3)
    tree = [proc.pid, *(c.pid for c in psutil.Process(proc.pid).children(recursive=True))]
    assert len(tree) >= 3  # the builder and two workers, which run the notebooks themselves
    sent = time.monotonic()
    os.kill(proc.pid, signum)  # to the builder only, as a service manager or a CI timeout does
    _, err = proc.communicate(timeout=120)
    alive = [pid for pid in tree if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    while alive and time.monotonic() - sent < 30:
        time.sleep(0.1)
        alive = [p for p in alive if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    print(f"\n{signal.Signals(signum).name}: the whole tree ended {time.monotonic() - sent:.1f} s after the signal")
    assert alive == []
    assert proc.returncode == 128 + signum, err
    assert "stopped" in err and "Traceback" not in err
    folder = next(out.iterdir())
    reports = _reports(folder)
    done = {k for k, r in reports.items() if r["status"] == "built"}
    assert len(done) >= 3 and {r["status"] for r in reports.values()} <= {"built", "interrupted"}
    assert all((folder / reports[k]["html"]).is_file() for k in done)
    assert (folder / "index.html").is_file()
    assert list(scratch.glob("kompetanse-running-*")) == []  # the workers' running marks went with their folder
    assert not (folder / guard.LOCK_NAME).exists()


def test_a_second_build_into_the_same_folder_is_refused_naming_the_first(tmp_path):
    out = tmp_path / "reports"
    proc = _start(out)
    try:
        _wait_for_pages(proc, out, 1)
        assert main(["report", "--out", str(out), "--kommune", "0301", "--uten-pdf", "-q"]) == 2
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=120)


def test_the_refusal_names_the_holder_and_a_stale_lock_is_taken_over(tmp_path, capsys):
    folder = tmp_path / "2025"
    folder.mkdir()
    with guard.BuildLock(folder), pytest.raises(UsageError) as refused:
        guard.BuildLock(folder).__enter__()
    assert f"is being built by process {os.getpid()} on " in str(refused.value)
    # a build killed with SIGKILL leaves its lock file, but no process holds the lock
    (folder / guard.LOCK_NAME).write_text('{"pid": 999999, "host": "maskin", "started": "2026-12-01T10:00:00+01:00"}')
    with guard.BuildLock(folder) as lock:
        assert lock.stale == "process 999999 on maskin (started 2026-12-01T10:00:00+01:00)"
    assert not (folder / guard.LOCK_NAME).exists()


class _FakeMsvcrt:
    """`msvcrt.locking` as Windows does it, for the lock's Windows branch on this machine: a byte
    range locked through one descriptor cannot be locked through another until it is unlocked."""

    LK_UNLCK, LK_NBLCK = 0, 2

    def __init__(self):
        self.held: dict[tuple[int, int], int] = {}

    def locking(self, fd, mode, nbytes):
        key = (os.fstat(fd).st_ino, os.lseek(fd, 0, os.SEEK_CUR))
        if mode == self.LK_UNLCK:
            self.held.pop(key, None)
        elif self.held.setdefault(key, fd) != fd:
            raise PermissionError(13, "Permission denied")


def test_the_lock_works_without_flock_as_on_windows(tmp_path, monkeypatch):
    fake = _FakeMsvcrt()
    monkeypatch.setattr(guard, "_msvcrt", lambda: fake)
    folder = tmp_path / "2025"
    folder.mkdir()
    with guard.BuildLock(folder), pytest.raises(UsageError, match=f"is being built by process {os.getpid()} on "):
        guard.BuildLock(folder).__enter__()
    # the byte locked lies past the holder's text, which a second build must be able to read
    assert [offset for _, offset in fake.held] == []
    (folder / guard.LOCK_NAME).write_text('{"pid": 999999, "host": "maskin", "started": "2026-12-01T10:00:00+01:00"}')
    with guard.BuildLock(folder) as lock:
        assert lock.stale == "process 999999 on maskin (started 2026-12-01T10:00:00+01:00)"
        assert [offset for _, offset in fake.held] == [guard._WINDOWS_LOCK_OFFSET]
    assert not fake.held and not (folder / guard.LOCK_NAME).exists()


def test_an_input_replaced_during_the_build_fails_the_run_by_name(tmp_path):
    data, out = tmp_path / "data", tmp_path / "reports"
    shutil.copytree(SAMPLE, data)
    proc = _start(out, data=data)
    _wait_for_pages(proc, out, 1)
    with (data / "tilbud.csv").open("a", encoding="utf-8") as f:
        f.write("0301,2025,icdp,helsestasjon,universell,1,5\n")
    stdout, err = proc.communicate(timeout=600)
    assert proc.returncode == 1, stdout + err
    assert f"FAILED: {data / 'tilbud.csv'} changed while the build ran" in stdout
    folder = next(out.iterdir())
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert any("tilbud.csv changed while the build ran" in e for e in manifest["errors"])
    # no page built in that run passes for current: the next run builds them again
    assert all(r["status"] != "built" for r in manifest["reports"])
    for r in manifest["reports"]:
        assert not (folder / r["html"]).exists() or r["status"] == "unchanged"


def test_a_page_removed_during_the_build_is_not_listed_as_built(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    real = build.run_all

    def run_all_then_remove(todo, folder, built, statuses, **kwargs):
        real(todo, folder, built, statuses, **kwargs)
        shutil.rmtree(folder / "kommuner")

    monkeypatch.setattr(build, "run_all", run_all_then_remove)
    result = build.build_reports(None, out=out, kommuner=["0301"], progress=False, pdf=False, jobs=1)
    reports = _reports(result.folder)
    municipal = [r for r in reports.values() if r["key"].startswith("kommune/")]
    assert municipal and all(r["status"] == "failed" and "not on disk" in r["error"]["message"] for r in municipal)
    assert reports["nasjonal"]["status"] == "built"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_file_system_that_refuses_the_index_gives_one_line_and_exit_1(tmp_path, monkeypatch, capsys, code):
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(tmp_path / "reports" / "2025" / "index.html"))

    monkeypatch.setattr(build, "write_index", refuse)
    assert main(["report", "--out", str(tmp_path / "reports"), "--kommune", "0301", "--uten-pdf", "-q"]) == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("kompetanse report: error: cannot write ") and "Traceback" not in err
    assert f"({errno.errorcode[code]})" in err
    # the manifest, which could be written, records what failed
    manifest = json.loads(next((tmp_path / "reports").glob("*/manifest.json")).read_text(encoding="utf-8"))
    assert any(errno.errorcode[code] in e for e in manifest["errors"])


def test_an_out_that_is_a_file_gives_one_line_and_exit_1(tmp_path, capsys):
    (tmp_path / "reports").write_text("not a folder")
    assert main(["report", "--out", str(tmp_path / "reports"), "--kommune", "0301", "--uten-pdf", "-q"]) == 1
    out, err = capsys.readouterr()
    assert err.startswith("kompetanse report: error: cannot write into ") and "is a file, not a folder" in err
    assert err.count("\n") == 1


def test_a_write_error_anywhere_in_the_build_is_one_line(tmp_path, monkeypatch, capsys):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(build, "write_atomic", full)  # the accessibility statement, written first
    assert main(["report", "--out", str(tmp_path / "reports"), "--kommune", "0301", "--uten-pdf", "-q"]) == 1
    _, err = capsys.readouterr()
    assert "the disk is full (ENOSPC)" in err and "Traceback" not in err


def test_pages_are_readable_by_others_as_the_umask_says(tmp_path):
    old = os.umask(0o022)
    try:
        result = build.build_reports(None, out=tmp_path / "reports", kommuner=["0301"], progress=False, pdf=False)
    finally:
        os.umask(old)
    modes = {oct(p.stat().st_mode & 0o777) for p in result.folder.rglob("*") if p.is_file()}
    assert modes == {"0o644"}


def test_the_manifest_module_is_what_the_build_writes_with():
    # the fault tests above patch the names the batch uses: they must be the batch's own
    assert build.write_index is manifest_module.write_index


@pytest.mark.parametrize("notebook", ["kommune_rapport.ipynb", "kommune_rapport_nn.ipynb", "nasjonal_oversikt.ipynb",
                                      "program_fremdrift.ipynb", "utfallsstudie.ipynb"])
def test_plain_papermill_with_a_misspelt_parameter_fails_and_lists_the_parameters(tmp_path, notebook):
    proc = subprocess.run([sys.executable, "-m", "papermill", str(resources.notebook(notebook)),
                           str(tmp_path / "ut.ipynb"), "-p", "kommunenumer", "1804"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode != 0
    assert "unknown parameter kommunenumer: this notebook's parameters are " in proc.stdout + proc.stderr

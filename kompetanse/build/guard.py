"""What keeps a build whole when its operator, its machine or another build gets in the way:

- `stop_signals`: SIGTERM (a service manager, a CI timeout, ``kill``) and SIGHUP (a closed
  terminal) end a build the way Ctrl-C does: the workers and their kernels are ended, finished
  reports are kept, the index and the manifest are written with the rest marked interrupted;
- `BuildLock`: one build at a time per output folder; a second one is refused with the first
  one's process id and start time, and a lock left by a build that was killed is taken over;
- `InputWatch`: the input files are hashed when the build starts and again when it ends, and a
  file that changed in between fails the run by name (its pages may mix old and new data);
- `write_error`: a file system that refuses (full, read-only, no permission) in one sentence.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import platform
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from kompetanse.errors import KompetanseError, UsageError

__all__ = ["LOCK_NAME", "BuildLock", "BuildWriteError", "InputWatch", "stop_signals", "write_error"]

#: The lock file in a build's period folder (a dot file: never linked or published).
LOCK_NAME = ".kompetanse-bygg.lock"


class BuildWriteError(KompetanseError):
    """The build could not write its output (disk full, read-only, no permission)."""


_REASONS = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
            errno.EACCES: "permission denied", errno.EPERM: "permission denied",
            getattr(errno, "EDQUOT", -1): "the disk quota is used up",
            errno.ENOTDIR: "a part of the path is a file, not a folder",
            errno.EEXIST: "a file is in the way"}


def write_error(exc: OSError, where: Path | str) -> BuildWriteError:
    """One sentence for an `OSError` met while writing under ``where``."""
    reason = _REASONS.get(exc.errno, exc.strerror or type(exc).__name__)
    name = exc.filename or where
    return BuildWriteError(f"cannot write {name}: {reason} ({errno.errorcode.get(exc.errno, exc.errno)})")


@contextlib.contextmanager
def stop_signals() -> Iterator[dict]:
    """Within the block, SIGTERM and SIGHUP raise `KeyboardInterrupt` in the main thread, as
    Ctrl-C does; the dict yielded gets ``"signal"``, the number of the signal that came. Outside
    the main thread (where handlers cannot be set) the block runs as it is."""
    came: dict = {}
    if threading.current_thread() is not threading.main_thread():
        yield came
        return

    def stop(signum, frame):
        came.setdefault("signal", signum)
        raise KeyboardInterrupt

    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {s: signal.signal(s, stop) for s in wanted}
    try:
        yield came
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


class BuildLock:
    """An exclusive lock on a period folder, held by this process while it builds there.

    The lock is `fcntl.flock` on ``folder/.kompetanse-bygg.lock`` (on Windows, which has no
    flock, `msvcrt.locking` of one byte past the file's text), which records the holder's
    process id, host and start time. The operating system releases the lock when its holder
    dies, however it dies, so a lock file that can be locked again is stale: it is taken over,
    and ``stale`` says whose it was."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK_NAME
        self.stale: str | None = None
        self._fd: int | None = None

    def __enter__(self) -> BuildLock:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            raise write_error(exc, self.path.parent) from exc
        if not _try_lock(fd):
            holder = _describe(os.read(fd, 4096))
            os.close(fd)
            raise UsageError(f"{self.path.parent} is being built by {holder}: wait until that build is done, "
                             f"or stop it, then run this one again") from None
        left = os.read(fd, 4096)
        if left.strip():
            self.stale = _describe(left)
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": platform.node(),
                                 "started": dt.datetime.now().astimezone().isoformat(timespec="seconds")}).encode())
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is None:
            return
        if _msvcrt() is None:
            # removed while still locked, so that no other build can lock the file and lose it
            with contextlib.suppress(OSError):
                self.path.unlink()
            os.close(self._fd)
        else:
            # Windows removes no open file: unlock and close first
            _unlock_windows(self._fd)
            os.close(self._fd)
            with contextlib.suppress(OSError):
                self.path.unlink()
        self._fd = None


#: Where the Windows lock byte is: past any holder text, so that reading the holder is not blocked.
_WINDOWS_LOCK_OFFSET = 1 << 20


def _msvcrt():
    """The `msvcrt` module where flock is missing (Windows), else None."""
    try:
        import fcntl  # noqa: F401
    except ImportError:
        import msvcrt

        return msvcrt
    return None


def _try_lock(fd: int) -> bool:
    """Lock ``fd`` exclusively without waiting; False when another process holds it."""
    msvcrt = _msvcrt()
    if msvcrt is None:
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    finally:
        os.lseek(fd, 0, os.SEEK_SET)
    return True


def _unlock_windows(fd: int) -> None:
    msvcrt = _msvcrt()
    os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
    with contextlib.suppress(OSError):
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _describe(raw: bytes) -> str:
    try:
        info = json.loads(raw.decode("utf-8"))
        return f"process {info['pid']} on {info['host']} (started {info['started']})"
    except (ValueError, KeyError, TypeError):
        return "another process"


class InputWatch:
    """The input files of a build with the sha256 they had when the data were loaded;
    `changed` names those that differ now (or are gone)."""

    def __init__(self, data: Path, sources: dict[str, tuple[str, str]], extra: dict[Path, str] | None = None):
        # a folder's tables are its files; a workbook's sheets (``book.xlsx[sheet]``) are the workbook;
        # ``extra``: further input files (the grouping of ``--kommunegrupper``) with their sha256
        self.files = {(data / label if data.is_dir() else data): digest for label, digest in sources.values()}
        self.files.update(extra or {})

    def changed(self) -> list[str]:
        return [str(f) for f, digest in self.files.items() if _sha256(f) != digest]


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None

"""Writes that land whole or not at all: every file of the report site is written this way."""

from __future__ import annotations

import functools
import os
import platform
import re
import secrets
import sys
from pathlib import Path

__all__ = ["DeferredFlush", "deferred_flush", "write_atomic"]


def write_atomic(path: Path, data: str | bytes, *, sync: bool = True) -> None:
    """Write a file whole or not at all: a temporary file in the same folder, flushed to disk,
    then renamed over the target (a rename is atomic on one file system).

    The file gets the mode the process's umask gives a new file (0644 under umask 022), as
    ``open()`` would; `tempfile.mkstemp` would leave it readable by its owner only.

    ``sync=False`` leaves the flush to disk to `DeferredFlush`, where it can report a failed
    write (`deferred_flush`; elsewhere the file is flushed now, as with ``sync=True``): readers
    still see the old file or the new one whole, but after a power cut the new one may be lost
    until the flush. A report build writes its pages so (an fsync each costs more than writing
    most of them) and flushes them all at once before it writes the manifest that lists them.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = _create_temporary(path)
    except FileNotFoundError:  # the folder is not there yet (a stat per file cost more than this)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            if sync or not deferred_flush():
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _create_temporary(path: Path) -> tuple[int, Path]:
    # ``.<name>.<random>.tmp`` beside the target (the build sweeps these up after a crash),
    # created exclusively, with 0666 less the umask: the kernel applies the umask, so no call
    # changes the process-wide umask, which another thread could see
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")



@functools.cache
def deferred_flush() -> bool:
    """Whether files written with ``sync=False`` are left to one flush of the whole file system
    (`DeferredFlush`): where that flush reports a write the disk failed, that is Linux 5.8 and
    later (``syncfs(2)``). Elsewhere (Windows, macOS, an older Linux, where a failed write would
    go unreported) every file is flushed as it is written, and `DeferredFlush` does nothing."""
    return _syncfs() is not None and _kernel_at_least((5, 8))


def _kernel_at_least(version: tuple[int, int]) -> bool:
    found = re.match(r"(\d+)\.(\d+)", platform.release())
    return found is not None and (int(found[1]), int(found[2])) >= version


class DeferredFlush:
    """Flushes to disk, at once, the files written under ``folder`` with ``sync=False``.

    Made before the files are written: ``syncfs(2)`` on a descriptor of the folder opened then
    flushes the folder's file system and reports a write the disk failed since (Linux 5.8 and
    later), which an fsync per file would have reported one by one. Where that is not so
    (`deferred_flush`), each file was flushed as it was written: no folder is opened (Windows
    cannot open one) and `flush` does nothing."""

    def __init__(self, folder: Path):
        self.fd: int | None = (os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
                               if deferred_flush() else None)

    def flush(self) -> None:
        """Flush; raises `OSError` when the file system reports a failed write."""
        syncfs = _syncfs()
        if syncfs is None or self.fd is None:
            return
        if syncfs(self.fd) != 0:
            import ctypes

            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> DeferredFlush:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _syncfs():
    """libc's ``syncfs`` (Linux), or None."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).syncfs
    except (OSError, AttributeError):
        return None

"""Writes that land whole or not at all: every file of the report site is written this way."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

__all__ = ["DeferredFlush", "write_atomic"]


def write_atomic(path: Path, data: str | bytes, *, sync: bool = True) -> None:
    """Write a file whole or not at all: a temporary file in the same folder, flushed to disk,
    then renamed over the target (a rename is atomic on one file system).

    The file gets the mode the process's umask gives a new file (0644 under umask 022), as
    ``open()`` would; `tempfile.mkstemp` would leave it readable by its owner only.

    ``sync=False`` leaves the flush to disk to the operating system: readers still see the old
    file or the new one whole, but after a power cut the new one may be lost. A report build
    writes its pages so (an fsync each costs more than writing most of them) and flushes them
    all at once (`DeferredFlush`) before it writes the manifest that lists them.
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
            if sync:
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



class DeferredFlush:
    """Flushes to disk, at once, the files written under ``folder`` with ``sync=False``.

    Made before the files are written: on Linux, ``syncfs(2)`` on a descriptor of the folder
    opened then flushes the folder's file system and reports a write the disk failed since
    (Linux 5.8 and later), which an fsync per file would have reported one by one. Where there
    is no ``syncfs``, `os.sync` flushes every file system and cannot report anything."""

    def __init__(self, folder: Path):
        self.fd: int | None = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))

    def flush(self) -> None:
        """Flush; raises `OSError` when the file system reports a failed write."""
        syncfs = _syncfs()
        if syncfs is None or self.fd is None:
            os.sync()
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

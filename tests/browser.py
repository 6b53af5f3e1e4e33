"""Headless Chromium (Debian's package) for the browser tests: load a page, let its scripts run,
and return the DOM as the browser left it and every message written to the console."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from kompetanse.build.pdf import find_browser

CONSOLE = re.compile(r":CONSOLE[^\]]*\] (.*)")


def chromium() -> str | None:
    # the browser the PDFs are printed with (Chromium, Chrome or Edge, or KOMPETANSE_CHROMIUM)
    return find_browser()


def open_page(path: Path, *, timeout: float = 60) -> tuple[str, list[str]]:
    """Open ``path`` in headless Chromium; return (DOM after scripts ran, console messages)."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("Chromium is not installed: `make browser` installs Debian's package")
    with tempfile.TemporaryDirectory(prefix="kompetanse-chromium-") as profile:
        proc = subprocess.run(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", f"--user-data-dir={profile}", "--enable-logging=stderr", "--log-level=0",
             "--virtual-time-budget=2000", "--dump-dom", path.resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"chromium exited with {proc.returncode}: {proc.stderr[-2000:]}")
    return proc.stdout, CONSOLE.findall(proc.stderr)

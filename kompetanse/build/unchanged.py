"""Knowing that nothing changed, for little more than loading the data.

A build records in its manifest a key (`build_key`) of everything the whole site is made from:
the input files' digests, the grouping file's, every notebook's, the package's own source
(`kompetanse.build.plan.package_fingerprint`) and the build's parameters (period,
municipalities, data path, edition, PDFs or not). When a new build has the same key and the
last build ended whole (no report, PDF or check failed), every page it wrote is checked on disk
(`unchanged_build`): its fingerprint, its executed notebook, the bytes of its downloads, its
PDF against the page it was printed from, no page it was written without a link to having
appeared since, and the same pages in the folder as the index was written for
(`site_digest`). If all hold, the build writes nothing and every report is ``unchanged``.

Otherwise the full build runs, which computes each report's data digest and decides report by
report (`kompetanse.build.plan.is_current`). The key only lets the build skip that work when the
answer is known: a build that finds anything out of place falls back to it, never to a guess.

This module imports neither nbformat nor the report modules (each costs seconds to import), and
does not compute the national analyses the data digests are made of.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kompetanse import resources
from kompetanse.build.manifest import ReportStatus
from kompetanse.build.pdf import PdfStatus
from kompetanse.build.plan import package_fingerprint, page_current, pages_on_disk

__all__ = ["build_key", "site_digest", "unchanged_build"]

#: The pages every whole build writes beside its reports.
SITE_FILES = ("index.html", "tilgjengelighet.html")


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def build_key(*, inputs: dict, parameters: dict) -> str:
    """The key of a build: a sha256 of its ``inputs`` (name → {"file", "sha256"}, as the
    manifest records them), of every notebook in the notebook folder, of the package's source and
    of its ``parameters`` (anything JSON can hold). Two builds with one key make the same site."""
    # looked up on the module at each call, as kompetanse.resources.notebook does: the folder the
    # build runs its notebooks from is the one hashed
    notebooks = {p.name: _sha256(p) for p in sorted(resources.notebook_dir().glob("*.ipynb"))}
    payload = json.dumps({"inputs": inputs, "notebooks": notebooks, "package": package_fingerprint(),
                          "parameters": parameters}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def site_digest(pages: frozenset[str]) -> str:
    """A sha256 of which pages, executed notebooks and manifest the period folder holds
    (`kompetanse.build.plan.pages_on_disk`): the index links every page that is there, so a page
    added or removed since the last build changes what the index should say."""
    return hashlib.sha256("\n".join(sorted(pages | {"manifest.json"})).encode()).hexdigest()


def unchanged_build(folder: Path, key: str) -> tuple[list[ReportStatus], list[PdfStatus]] | None:
    """The statuses of an unchanged rebuild of the site in ``folder`` (every report and PDF
    ``unchanged``), when its manifest has the build key ``key``, its last build ended whole, and
    every file it wrote is on disk as it was written; None when any of that does not hold (the
    full build then decides)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("build_key") != key:
            return None
        if manifest.get("errors") or manifest.get("pdf_warning"):
            return None
        summary, pdf_summary = manifest["summary"], manifest["pdf_summary"]
        if summary.get("failed") or summary.get("interrupted") or pdf_summary.get("failed"):
            return None
        reports, pdfs = manifest["reports"], manifest["pdfs"]
        if not all(r["status"] in ("built", "unchanged") for r in reports):
            return None
        if not all(p["status"] in ("built", "unchanged") for p in pdfs):
            return None
        if not all((folder / name).is_file() for name in SITE_FILES):
            return None
        # the links a page may have: what is on disk now (a page written without a link to one of
        # these is rebuilt by the full build)
        on_disk = pages_on_disk(folder)
        if manifest.get("site_sha256") != site_digest(on_disk):
            return None
        pages = on_disk | {p["pdf"] for p in pdfs}
        statuses = []
        for r in reports:
            if not page_current(folder, r["html"], r["notebook"], r["fingerprint"], pages):
                return None
            statuses.append(ReportStatus(r["key"], r["html"], r["notebook"], "unchanged", fingerprint=r["fingerprint"]))
        printed = []
        for p in pdfs:
            if not (folder / p["pdf"]).is_file() or _sha256(folder / p["html"]) != p["html_sha256"]:
                return None
            printed.append(PdfStatus(p["key"], p["pdf"], p["html"], "unchanged", html_sha256=p["html_sha256"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no manifest, or not one a build wrote: the full build decides
    return statuses, printed

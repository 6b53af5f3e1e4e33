"""What a build did: one `ReportStatus` per report, the `BuildResult`, and the two files that record it,
the index page and ``manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from kompetanse import __version__
from kompetanse.build.plan import Job, page_downloads
from kompetanse.data.dataset import Dataset
from kompetanse.site.pages import Site, index_page, write_atomic

__all__ = ["BuildResult", "ReportStatus", "write_index", "write_manifest"]


@dataclass
class ReportStatus:
    """What happened to one report."""

    key: str
    html: str
    executed: str
    status: str  # built, unchanged, failed, interrupted
    seconds: float = 0.0
    error_cell: int | None = None
    error: str | None = None
    fingerprint: str = ""


@dataclass
class BuildResult:
    folder: Path
    statuses: list[ReportStatus] = field(default_factory=list)
    seconds: float = 0.0
    #: one `kompetanse.build.pdf.PdfStatus` per PDF on disk or failed, and why there are none
    #: when PDFs were asked for and cannot be made (no Chromium)
    pdfs: list = field(default_factory=list)
    pdf_warning: str | None = None
    #: what fails the whole run beside its reports (an input that changed, an index that could
    #: not be written), and what the operator should know (a stale lock taken over)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed_pdfs(self) -> list:
        return [p for p in self.pdfs if p.status == "failed"]

    @property
    def failed(self) -> list[ReportStatus]:
        return [o for o in self.statuses if o.status in ("failed", "interrupted")]

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.statuses)


def write_index(ds: Dataset, folder: Path, *, periode: int, jobs: list[Job], statuses: dict[str, ReportStatus],
                built: str, site: Site | None = None, pdfs: dict[str, str] | None = None) -> None:
    """The index page: every municipality with its status, linking to the reports that were built
    (and, through ``site``, to the other pages of the site that exist). ``pdfs``: the PDFs on
    disk by report key; the national overview's is listed beside its page."""
    from kompetanse.analysis.coverage import breadth
    from kompetanse.analysis.periods import reference_date

    on = reference_date(ds, periode=periode)
    table = breadth(ds, on=on)
    barn = ds.befolkning.query("ar == @periode")[["kommunenummer", "barn_0_17"]]
    places = ds.kommuner[["kommunenummer", "kommunenavn", "fylkesnavn"]]
    rows = places.merge(table.drop(columns=[c for c in ("kommunenavn", "fylkesnavn", "fylkesnummer")
                                             if c in table], errors="ignore"), on="kommunenummer", how="left")
    rows = rows.merge(barn, on="kommunenummer", how="left")
    for level in ("universell", "selektiv", "indikativ"):
        rows[f"status_{level}"] = rows[f"status_{level}"].astype("str")
    # the name links the report in the municipality's own form (key kommune/<nr>), a small
    # «nynorsk» or «bokmål» after it the other (kommune/<nr>.<form>)
    there = [(j.parameters["kommunenummer"], j) for j in jobs
             if j.kind == "kommune" and statuses[j.key].status in ("built", "unchanged")]
    page_exists = {nr: j.html for nr, j in there if j.key == f"kommune/{nr}"}
    forms = {nr: j.form for nr, j in there if j.key == f"kommune/{nr}"}
    alternates = {nr: (j.form, j.html) for nr, j in there if j.key != f"kommune/{nr}"}
    extra = [(j.title, j.html) for j in jobs
             if j.kind != "kommune" and statuses[j.key].status in ("built", "unchanged")]
    municipal_pdfs = {nr: pdfs[j.key] for nr, j in there if j.key == f"kommune/{nr}" and j.key in (pdfs or {})}
    extra = _with_pdfs(extra, jobs, pdfs or {})
    failed = [o for o in statuses.values() if o.status in ("failed", "interrupted")]
    footer = f"Bygget {built} med kompetanse {__version__}."
    if failed:
        footer += f" {len(failed)} rapport(er) feilet og er ikke publisert; manifestet sier hvilke og hvorfor."
    sources = [("Inndata, kontrollsummer og status for hver rapport:", "manifest.json", "manifest.json")]
    if site is not None:
        # only pages that are there: a report that failed in this build is neither linked nor in the header
        there = {o.html for o in statuses.values() if o.status in ("built", "unchanged")}
        failed_pages = {o.html for o in failed} - there
        site = replace(site, pages=site.pages - failed_pages,
                       nav=tuple((label, target) for label, target in site.nav if target not in failed_pages))
    write_atomic(folder / "index.html",
                 index_page(rows.to_dict("records"), periode=periode, links=page_exists, extra=extra, footer=footer,
                            site=site, sources=sources, forms=forms, alternates=alternates,
                            pdfs=municipal_pdfs))


def _with_pdfs(extra: list[tuple[str, str]], jobs: list[Job], pdfs: dict[str, str]) -> list[tuple[str, str]]:
    """The index's list of other reports with each report's PDF (if it has one) after it."""
    by_page = {j.html: pdfs[j.key] for j in jobs if j.key in pdfs}
    out = []
    for title, href in extra:
        out.append((title, href))
        if href in by_page:
            out.append((f"{title} (PDF, A4)", by_page[href]))
    return out


def _pdf_entries(pdfs: list) -> list[dict]:
    """The manifest's record of each PDF: the page it was printed from and that page's sha256
    (a later build prints it again only when the page's bytes change)."""
    return [{"key": p.key, "pdf": p.pdf, "html": p.html, "status": p.status, "seconds": round(p.seconds, 3),
             "html_sha256": p.html_sha256, **({"error": p.error} if p.error else {})} for p in pdfs]


def _download_entries(folder: Path, statuses: list[ReportStatus]) -> list[dict]:
    """The manifest's record of each page's download files on disk (`kompetanse.site.downloads`):
    the report, its page, the file and its sha256 and size as they are on disk."""
    out = []
    for o in statuses:
        if o.status not in ("built", "unchanged"):
            continue
        for name in sorted(page_downloads(folder, o.html)):
            path = folder / name
            if path.is_file():
                data = path.read_bytes()
                out.append({"key": o.key, "html": o.html, "file": name,
                            "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
    return out


def write_manifest(folder: Path, result: BuildResult, **info) -> None:
    """``manifest.json``: inputs and hashes, version, parameters, and each report's status."""
    manifest = {
        "kompetanse_version": __version__,
        "utgave": info["utgave"],
        "utgave_note": ("the public edition: the published site, following the staff policy (docs/staff-policy.md)"
                        if info["utgave"] == "offentlig" else
                        "INTERNAL edition for the municipalities' own leaders: shows events about one or two "
                        "persons; never to be published (docs/staff-policy.md)"),
        "package_sha256": info["package"],
        "build_key": info["build_key"],
        "build_key_note": ("sha256 of the inputs, every notebook, the package and the build's parameters: a build "
                           "with the same key, after one that ended whole, checks the files on disk and writes "
                           "nothing when they are as written (kompetanse.build.unchanged)"),
        "site_sha256": info["site_sha256"],
        "built": info["built"],
        "seconds": round(result.seconds, 2),
        "parameters": {"periode": info["periode"], "data": info["data"] or "data/sample (embedded)",
                       "kommuner": "alle" if info["alle"] else info["numbers"], "force": info["force"],
                       "utgave": info["utgave"]},
        "inputs": info["inputs"],
        "notebooks": {name: {"sha256": h} for name, h in info["notebooks"].items()},
        "fingerprints": ("sha256 of the notebook, the report's parameters, the package, the edition and its data "
                         "digest: "
                         "for a municipal report a digest of its own rows and of its rows in the national "
                         "analyses it is compared with; for the programme report the programme tables; for "
                         "the national overview every input. A report is rebuilt when its fingerprint changes, "
                         "and when a page it links to, which was missing when it was written (its link then "
                         "plain text), has been built since."),
        "forms": {"municipal": list(info["forms"]),
                  "note": ("each municipality's report in its own målform at kommuner/<nr>.html (nynorsk for a "
                           "nynorsk municipality, bokmål for a bokmål or neutral one) and in the other form at "
                           "kommuner/<nr>.<nb|nn>.html; the national, programme and outcome reports in bokmål"
                           if "nn" in info["forms"] else
                           "kommune_rapport_nn.ipynb is not among the notebooks: every municipal report is in "
                           "bokmål, at kommuner/<nr>.html")},
        "summary": {s: result.count(s) for s in ("built", "unchanged", "failed", "interrupted")},
        **({"errors": result.errors} if result.errors else {}),
        "pdf_summary": {s: sum(p.status == s for p in result.pdfs) for s in ("built", "unchanged", "failed")},
        **({"pdf_warning": result.pdf_warning} if result.pdf_warning else {}),
        "pdfs": _pdf_entries(result.pdfs),
        "downloads_note": ("each page's tables as CSV for Norwegian Excel (UTF-8 with BOM, semicolon, decimal "
                           "comma, CRLF) at <page>.<n>.csv and all of them in <page>.xlsx, written from the same "
                           "cells as the page (docs/downloads.md)"),
        "downloads": _download_entries(folder, result.statuses),
        "reports": [
            {"key": o.key, "html": o.html, "notebook": o.executed, "form": info["form"][o.key],
             "utgave": info["utgave"], "status": o.status,
             "seconds": None if math.isnan(o.seconds) else round(o.seconds, 3), "parameters": info["parameters"][o.key],
             "data_digest": info["digests"][o.key], "fingerprint": o.fingerprint,
             **({"error": {"cell": o.error_cell, "message": o.error}} if o.error else {})}
            for o in result.statuses
        ],
    }
    write_atomic(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")

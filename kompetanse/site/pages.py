"""The report site: executed notebooks as HTML pages without code, the index page, and writes
that land whole or not at all."""

from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path

import nbformat

from kompetanse.reports.style import LEVEL_LABELS, PROGRESS_COLOURS, STATUS_COLOURS, STATUS_LABELS

CSS = """
:root { --ink:#1a1a1a; --muted:#5b5b5b; --line:#d9d9d9; --band:#f4f6f8; --link:#0060a0; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       line-height: 1.5; margin: 0; background: #fff; }
main { max-width: 68rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
header.site { background: #10304a; color: #fff; }
header.site div { max-width: 68rem; margin: 0 auto; padding: .6rem 1.25rem; font-size: .95rem; }
header.site a { color: #fff; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: .4rem 0 1rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .4rem; }
a { color: var(--link); }
a.anchor-link { display: none; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .92rem; font-variant-numeric: tabular-nums; }
th, td { padding: .32rem .6rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; }
td.kort { white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
img { max-width: 100%; height: auto; }
.status { display: inline-block; padding: .05rem .5rem; border-radius: .8rem; font-size: .85rem;
          font-weight: 600; color: #fff; white-space: nowrap; }
.status.sarbar { color: #1a1a1a; }
.note, .muted { color: var(--muted); font-size: .9rem; }
.jp-RenderedHTMLCommon, .rendered_html { overflow-x: auto; }
footer { color: var(--muted); font-size: .85rem; margin-top: 3rem; border-top: 1px solid var(--line);
         padding-top: .8rem; }
input[type=search] { font-size: 1rem; padding: .4rem .6rem; width: min(26rem, 100%); margin: .4rem 0 .8rem;
                     border: 1px solid #999; border-radius: .3rem; }
th[data-sort] { cursor: pointer; white-space: nowrap; }
th[data-sort]::after { content: " ↕"; color: #999; font-weight: 400; }
th[aria-sort=ascending]::after { content: " ↑"; color: var(--ink); }
th[aria-sort=descending]::after { content: " ↓"; color: var(--ink); }
@media print { header.site { display: none; } main { max-width: none; } }
""" + "".join(
    f".status.{k} {{ background: {v}; }}\n" for k, v in (STATUS_COLOURS | PROGRESS_COLOURS).items()
) + ".status.forsinket { color: #1a1a1a; }\n"


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a file whole or not at all: a temporary file in the same folder, flushed to disk,
    then renamed over the target (a rename is atomic on one file system)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def page(title: str, body: str, *, home: str | None = None, footer: str = "") -> str:
    """A complete, self-contained HTML page in the house style (no external resources)."""
    nav = f'<a href="{html.escape(home)}">Alle rapporter</a> · ' if home else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header class=\"site\"><div>{nav}kompetanse · foreldrestøtte og foreldresamarbeid</div></header>\n"
        f"<main>\n{body}\n<footer>{footer}</footer>\n</main>\n</body>\n</html>\n"
    )


_markdown = None


def _markdown_html(text: str) -> str:
    # Markdown as HTML with any raw HTML in it escaped: text in a report is never markup.
    global _markdown
    if _markdown is None:
        import mistune

        _markdown = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])
    return _markdown(text)


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _output_html(out: nbformat.NotebookNode, alt: str = "Figur") -> str:
    """One output as readers see it. Rich outputs are preferred in this order: HTML (which the
    library's tables escape), PNG and SVG figures, Markdown, plain text. Standard error and error
    traces are for the executed notebook kept beside the report, not for readers."""
    if out.output_type == "stream":
        if out.get("name") == "stderr":
            return ""
        return f'<pre class="output">{html.escape(_text(out.text))}</pre>'
    if out.output_type not in ("display_data", "execute_result"):
        return ""
    data = out.get("data", {})
    if "text/html" in data:
        return f'<div class="output">{_text(data["text/html"])}</div>'
    if "image/png" in data:
        alt = out.get("metadata", {}).get("image/png", {}).get("alt", alt)
        src = _text(data["image/png"]).replace("\n", "")
        return f'<div class="output figure"><img src="data:image/png;base64,{src}" alt="{html.escape(alt)}"></div>'
    if "image/svg+xml" in data:
        return f'<div class="output figure">{_text(data["image/svg+xml"])}</div>'
    if "text/markdown" in data:
        return f'<div class="output">{_markdown_html(_text(data["text/markdown"]))}</div>'
    if "text/plain" in data:
        return f'<pre class="output">{html.escape(_text(data["text/plain"]))}</pre>'
    return ""


def notebook_body(nb: nbformat.NotebookNode) -> str:
    """The notebook as readers see it: Markdown cells and outputs, no code, no warnings on
    stderr, no error traces."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(_markdown_html(_text(cell.source)))
        elif cell.cell_type == "code":
            # a figure's description for screen readers: the cell's "alt" metadata, if it has one
            alt = cell.get("metadata", {}).get("alt", "Figur")
            parts.extend(_output_html(out, alt) for out in cell.get("outputs", []))
    return "\n".join(p for p in parts if p)


def notebook_html(nb: nbformat.NotebookNode, *, title: str, home: str | None, footer: str = "") -> str:
    """An executed notebook as a page of the report site, without code."""
    return page(title, notebook_body(nb), home=home, footer=footer)


def status_badge(status: str) -> str:
    label = STATUS_LABELS.get(status, status)
    return f'<span class="status {html.escape(status)}">{html.escape(label)}</span>'


INDEX_SCRIPT = """
(function () {
  var input = document.getElementById('sok');
  var table = document.getElementById('kommuner');
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var count = document.getElementById('antall');
  // search ignores case and accents, and takes o for ø and ae for æ (å becomes a)
  function norm(s) {
    return s.toLowerCase().replace(/ø/g, 'o').replace(/æ/g, 'ae').normalize('NFD').replace(/[\\u0300-\\u036f]/g, '');
  }
  input.addEventListener('input', function () {
    var q = norm(input.value.trim()); var shown = 0;
    rows.forEach(function (r) {
      var hit = !q || norm(r.getAttribute('data-search')).indexOf(q) >= 0;
      r.hidden = !hit; if (hit) { shown++; }
    });
    count.textContent = shown;
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    if (!th.hasAttribute('data-sort')) { return; }
    th.tabIndex = 0;
    function sort() {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var numeric = th.getAttribute('data-sort') === 'num';
      rows.sort(function (a, b) {
        var x = a.cells[i].getAttribute('data-value'), y = b.cells[i].getAttribute('data-value');
        var d = numeric ? (parseFloat(x) - parseFloat(y)) : x.localeCompare(y, 'nb');
        return asc ? d : -d;
      });
      rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { sort(); } });
  });
})();
"""


def index_page(rows: list[dict], *, periode: int, links: dict[str, str], extra: list[tuple[str, str]],
               footer: str) -> str:
    """The front page: every municipality with its status at a glance, sortable and searchable.

    ``rows``: one dict per municipality with kommunenummer, kommunenavn, fylkesnavn, the status of
    each level (``status_<niva>``), ``niva_dekket`` and ``barn_0_17``. ``links`` maps a
    municipality number to its report (relative URL); ``extra`` lists other reports as
    (title, relative URL).
    """
    esc = html.escape
    status_order = {k: i for i, k in enumerate(STATUS_LABELS)}
    body_rows = []
    for r in rows:
        nr = r["kommunenummer"]
        name = f'{esc(r["kommunenavn"])}'
        if nr in links:
            name = f'<a href="{esc(links[nr])}">{name}</a>'
        cells = [
            f'<td data-value="{esc(nr)}">{esc(nr)}</td>',
            f'<td data-value="{esc(r["kommunenavn"])}">{name}</td>',
            f'<td class="kort" data-value="{esc(r["fylkesnavn"])}">{esc(r["fylkesnavn"])}</td>',
        ]
        for level in LEVEL_LABELS:
            s = r[f"status_{level}"]
            cells.append(f'<td data-value="{status_order.get(s, 9)}">{status_badge(s)}</td>')
        cells.append(f'<td class="num" data-value="{int(r["niva_dekket"])}">{int(r["niva_dekket"])} av 3</td>')
        barn = int(r["barn_0_17"]) if r.get("barn_0_17") == r.get("barn_0_17") else 0
        cells.append(f'<td class="num" data-value="{barn}">{barn:,}</td>'.replace(",", "\u00a0"))
        search = f'{nr} {r["kommunenavn"]} {r["fylkesnavn"]}'
        body_rows.append(f'<tr data-search="{esc(search)}">{"".join(cells)}</tr>')
    level_heads = "".join(f'<th data-sort="num" scope="col">{esc(v)}</th>' for v in LEVEL_LABELS.values())
    others = "".join(f'<li><a href="{esc(url)}">{esc(title)}</a></li>' for title, url in extra)
    body = f"""
<h1>Foreldrestøtte i kommunene {periode}</h1>
<p>Status for de tre forebyggingsnivåene i hver kommune ved utgangen av {periode}:
<strong>dekket</strong> (minst én metode med to eller flere aktive sertifiserte ansatte),
<strong>sårbar</strong> (kapasiteten hviler på én person, eller alle sertifiseringene utløper innen et år)
eller <strong>mangler</strong> (ingen aktive sertifiserte). Velg en kommune for hele rapporten.</p>
<ul>{others}</ul>
<label for="sok">Søk etter kommune, nummer eller fylke</label><br>
<input type="search" id="sok" placeholder="for eksempel Bodø, 1804 eller Nordland" autocomplete="off">
<p class="muted"><span id="antall">{len(rows)}</span> av {len(rows)} kommuner vises.
Klikk på en kolonneoverskrift for å sortere.</p>
<table id="kommuner">
<thead><tr><th data-sort="text" scope="col">Nr.</th><th data-sort="text" scope="col">Kommune</th>
<th data-sort="text" scope="col">Fylke</th>{level_heads}
<th data-sort="num" scope="col" class="num">Nivåer dekket</th>
<th data-sort="num" scope="col" class="num">Barn 0–17 år</th></tr></thead>
<tbody>
{chr(10).join(body_rows)}
</tbody>
</table>
<script>{INDEX_SCRIPT}</script>
"""
    return page(f"Foreldrestøtte i kommunene {periode}", body, footer=footer)

"""The report site: executed notebooks as HTML pages without code, the index page, and writes
that land whole or not at all.

Pages are rendered with Jinja2 from the templates in ``kompetanse/site/templates/`` with
autoescape on, so every value a template shows is escaped unless it is marked safe here; only
HTML this package generated is: Markdown rendered by mistune with raw HTML escaped, the HTML and
SVG outputs of the report notebooks (the library's tables escape their text), and the site's own
style sheet and script (``kompetanse/site/static/``). The pages stay self-contained: the style
sheet and the index's script are inline, so a page opens from disk, from a mail attachment or
from any web server without a second file.
"""

from __future__ import annotations

import functools
import html as _html
import posixpath
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from kompetanse.errors import argument_error, check_argument
from kompetanse.formatting import LANGUAGES, number
from kompetanse.reports.style import (
    BADGE_TEXT,
    LEVEL_LABELS,
    PARTICIPATION_COLOURS,
    PROGRESS_COLOURS,
    STATUS_COLOURS,
    STATUS_LABELS,
)
from kompetanse.site.downloads import PageDownloads, head_meta, links_after, output_tables, top_links
from kompetanse.site.files import write_atomic
from kompetanse.site.words import CHROME, FORM_NAMES, OTHER_FORM

if TYPE_CHECKING:  # importing nbformat costs a second (jsonschema's grammars); only annotations use it
    import nbformat

__all__ = ["STATEMENT", "Site", "index_page", "notebook_body", "notebook_html",
           "site_links", "unlinked_targets", "write_atomic"]

_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.DOTALL | re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_UNLINKED_META = re.compile(r'<meta name="kompetanse-unlinked" content="([^"]*)">')
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|/|#)")


# ---------------------------------------------------------------------------------- site links


@dataclass(frozen=True)
class Site:
    """The pages of one build, as the build hands them to each page it writes.

    pages : every file of the site a page may link to, as paths relative to the period folder
        (``index.html``, ``kommuner/0301.html``, ``notebooks/nasjonal.ipynb``, ``manifest.json``):
        those this build writes and those already on disk.
    nav : the header's links, as (label, path relative to the period folder), in order.
    nav_nn : the same links with their labels in nynorsk, for a nynorsk page; empty: ``nav``.
    alternates : for a page that is built in both language forms, its other form: page →
        (``"nb"`` or ``"nn"``, the other form's page), paths relative to the period folder.
    utgave : the build's edition; each page of an ``intern`` build is marked (banner, title, noindex).
    """

    pages: frozenset = frozenset()
    nav: tuple = ()
    nav_nn: tuple = ()
    alternates: Mapping[str, tuple[str, str]] = field(default_factory=dict, hash=False)
    utgave: str = "offentlig"


def _target(href: str, page: str) -> str | None:
    """The file of the site a relative link on ``page`` points to (path relative to the period
    folder, without query or fragment); None for a link that is not to a file of the site (an
    address with a scheme, an absolute path, a fragment on the page itself, or a path that leaves
    the period folder)."""
    href = _html.unescape(href).strip()
    if not href or _EXTERNAL.match(href):
        return None
    path = href.split("#", 1)[0].split("?", 1)[0]
    if not path:
        return None
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    return None if resolved == ".." or resolved.startswith("../") else resolved


def site_links(html: str, *, page: str, pages: Collection[str]) -> tuple[str, tuple[str, ...]]:
    """Links to pages of the site that exist: the one rule for every page the build writes.

    A relative link (``<a href="...">``) on ``page`` whose target, resolved against the page's
    folder, is not in ``pages`` is rendered as its text alone: the ``<a>`` element goes, what it
    enclosed stays. Links with a scheme (``https:``, ``mailto:``), absolute paths, fragments and
    paths that leave the period folder are left as they are.

    Parameters
    ----------
    html : the HTML of the page or of a part of it.
    page : the page's path relative to the period folder, for example ``kommuner/0301.html``.
    pages : the files of the site, as paths relative to the period folder, that this build
        writes or finds on disk (`Site.pages`).

    Returns
    -------
    (html, unlinked) : the HTML with every link to a missing page made plain text, and the
        targets (paths relative to the period folder) that lost their link, sorted and unique.
    """
    dropped: set[str] = set()

    def replace(m: re.Match) -> str:
        href = _HREF.search(m.group(1))
        if href is None:
            return m.group(0)
        target = _target(href.group(1) if href.group(1) is not None else href.group(2), page)
        if target is None or target in pages:
            return m.group(0)
        dropped.add(target)
        return m.group(2)

    return _ANCHOR.sub(replace, html), tuple(sorted(dropped))


def _href(target: str, page: str) -> str:
    """``target`` (relative to the period folder) as a link from ``page``."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def unlinked_targets(head: str) -> tuple[str, ...]:
    """The targets a page was written without links to (``<meta name="kompetanse-unlinked">``
    in its head); a later build rewrites the page once one of them exists."""
    m = _UNLINKED_META.search(head)
    return tuple(_html.unescape(m.group(1)).split()) if m else ()


# ------------------------------------------------------------------------------------ templates


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kompetanse.site", "templates"),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = number
    # the print style sheet (A4, for the PDFs too) goes in under @media print
    env.globals.update(status_labels=STATUS_LABELS, badge_text=BADGE_TEXT,
                       status_colours=STATUS_COLOURS | PROGRESS_COLOURS | PARTICIPATION_COLOURS,
                       css=_static("site.css") + Markup("@media print {\n") + _static("print.css") + Markup("}\n"))
    return env


@functools.cache
def _static(name: str) -> Markup:
    """A file of ``kompetanse/site/static/``, read from the installed package (a wheel too)."""
    # the site's own style sheet or script: safe to put inline as it stands
    return Markup(resources.files("kompetanse.site").joinpath("static", name).read_text(encoding="utf-8"))



def _render(template: str, **context) -> str:
    context.setdefault("lang", "nb")
    context.setdefault("alternate", None)
    context["internal"] = getattr(context.pop("site", None), "utgave", "") == "intern"
    # the statement's link, beside the index (a page that says where it lies passes its own)
    home = context.get("home")
    context.setdefault("statement", posixpath.join(posixpath.dirname(home), STATEMENT) if home else STATEMENT)
    return _environment().get_template(template).render(chrome=CHROME[context["lang"]], **context)


# -------------------------------------------------------------------------------- report pages


@functools.cache
def _markdown():
    import mistune

    # Markdown as HTML with any raw HTML in it escaped: text in a report is never markup
    return mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])


def _markdown_html(text: str) -> Markup:
    return Markup(_markdown()(text))


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


@dataclass(frozen=True, slots=True)
class _Part:
    """One part of a notebook page (templates/parts.html): an attribute look-up in a template
    is fast on an object, slow on a dict (Jinja tries the attribute first)."""

    kind: str  # title, markdown, html, figure, svg, pre, downloads or downloads_top
    html: Markup = Markup()
    text: str = ""
    src: str = ""
    alt: str = ""
    links: tuple = ()  # downloads: (link text, href) per file


@dataclass(frozen=True, slots=True)
class _Row:
    """One municipality on the index (templates/index.html)."""

    nr: str
    name: str
    county: str
    href: str | None
    lang: str  # the language form of the report ``href`` links to
    alternate: tuple[str, str, str] | None  # the report in the other form: (label, href, lang)
    pdf: str | None  # the report's PDF (in its own form), or None
    levels: list[tuple[str, int]]  # (status, sort order) per level
    covered: int
    children: int
    search: str


def _output_part(out: nbformat.NotebookNode, alt: str = "Figur") -> _Part | None:
    """One output as readers see it, for the notebook template. Rich outputs are preferred in
    this order: HTML (which the library's tables escape), PNG and SVG figures, Markdown, plain
    text. Standard error and error traces are for the executed notebook kept beside the report,
    not for readers."""
    if out.output_type == "stream":
        if out.get("name") == "stderr":
            return None
        return _Part("pre", text=_text(out.text))
    if out.output_type not in ("display_data", "execute_result"):
        return None
    data = out.get("data", {})
    if "text/html" in data:
        # HTML the report notebooks display is the library's (tables, headings, key figures),
        # which escapes every text it shows
        return _Part("html", html=Markup(_text(data["text/html"])))
    if "image/png" in data:
        alt = out.get("metadata", {}).get("image/png", {}).get("alt", alt)
        return _Part("figure", src=_text(data["image/png"]).replace("\n", ""), alt=alt)
    if "image/svg+xml" in data:
        # a figure matplotlib drew
        return _Part("svg", html=Markup(_text(data["image/svg+xml"])))
    if "text/markdown" in data:
        return _Part("html", html=_markdown_html(_text(data["text/markdown"])))
    if "text/plain" in data:
        return _Part("pre", text=_text(data["text/plain"]))
    return None


def _notebook_parts(nb: nbformat.NotebookNode, title: str | None = None,
                    downloads: PageDownloads | None = None) -> list[_Part]:
    parts = []
    tables = iter(downloads.tables if downloads is not None else ())
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source = _text(cell.source)
            if title is not None and source.startswith("# "):
                # the page's own title is its heading: the notebook's first "# " line gives way to it
                parts.append(_Part("title", text=title))
                source = source.partition("\n")[2]
                title = None
            rendered = _markdown_html(source)
            if rendered:
                parts.append(_Part("markdown", html=rendered))
        elif cell.cell_type == "code":
            # a figure's description for screen readers: the cell's "alt" metadata, if it has one
            alt = cell.get("metadata", {}).get("alt", "Figur")
            for out in cell.get("outputs", []):
                part = _output_part(out, alt)
                if part:
                    parts.append(part)
                if downloads is not None and downloads.files:
                    shown = [next(tables) for _ in output_tables(out)[0]]
                    if shown:
                        parts.append(_Part("downloads", links=links_after(downloads, shown)))
    return _with_top_links(parts, downloads)


def _with_top_links(parts: list[_Part], downloads: PageDownloads | None) -> list[_Part]:
    """The page's workbook linked under the page's <h1> (and the line under it), or first."""
    if downloads is None or not downloads.files:
        return parts
    lead, links, after = top_links(downloads)
    at = next((i + 1 for i, p in enumerate(parts) if p.kind == "title" or (p.kind == "html" and "<h1" in p.html)), 0)
    if at and at < len(parts) and parts[at].kind == "markdown" and not parts[at].html.lstrip().startswith("<h"):
        at += 1
    return [*parts[:at], _Part("downloads_top", text=lead, alt=after, links=links), *parts[at:]]


def notebook_body(nb: nbformat.NotebookNode) -> str:
    """The notebook as readers see it, as HTML for inside a page: Markdown cells and outputs, no
    code, no warnings on stderr, no error traces."""
    return _render("parts.html", parts=_notebook_parts(nb))


#: The accessibility statement, beside the index; every page links it
#: (`kompetanse.site.statement.accessibility_page`).
STATEMENT = "tilgjengelighet.html"

#: Where the list of targets a page lost its links to goes, in the page's head.
_UNLINKED_SLOT = "<!-- kompetanse-unlinked -->"


def _finish(page_html: str, page: str | None, site: Site | None, own: frozenset[str] = frozenset()) -> str:
    """The page with `site_links` applied to all of it (body, header and footer alike) and the
    targets that lost their link recorded in its head; ``own`` are files written with the page
    (its downloads)."""
    dropped: tuple[str, ...] = ()
    if page is not None and site is not None:
        # the accessibility statement is written by every build before any page (build.batch)
        page_html, dropped = site_links(page_html, page=page, pages=site.pages | {STATEMENT} | own)
    meta = (f'<meta name="kompetanse-unlinked" content="{_html.escape(" ".join(dropped))}">\n'
            if dropped else "")
    return page_html.replace(_UNLINKED_SLOT + "\n", meta, 1)


def _nav(page: str | None, site: Site | None, lang: str = "nb") -> list[tuple[str, str, bool]]:
    if page is None or site is None:
        return []
    nav = site.nav_nn if lang == "nn" and site.nav_nn else site.nav
    return [(label, _href(target, page), target == page) for label, target in nav]



def _alternate(page: str | None, site: Site | None) -> tuple[str, str, str] | None:
    """(link text, href, language) of the page's other form, or None."""
    other = site.alternates.get(page) if page is not None and site is not None else None
    return None if other is None else (OTHER_FORM[other[0]], _href(other[1], page), other[0])


def _language(nb: nbformat.NotebookNode) -> str:
    """The notebook's language form, its metadata ``language`` (``nb`` when it has none)."""
    lang = nb.get("metadata", {}).get("language", "nb")
    check_argument("the notebook's metadata language", LANGUAGES, lang)
    return lang


def notebook_html(nb: nbformat.NotebookNode, *, title: str, home: str | None, footer: str = "",
                  fingerprint: str | None = None, page: str | None = None, site: Site | None = None,
                  sources: Sequence[tuple[str, str, str]] = (), heading: bool = False,
                  pdf: str | None = None, downloads: PageDownloads | None = None) -> str:
    """An executed notebook as a page of the report site, without code.

    Parameters
    ----------
    nb : the executed notebook.
    title : the page's title (plain text).
    home : the index page relative to this page, linked from the header; ``None`` for no link.
    footer : plain text for the page's footer (how and when it was built).
    fingerprint : the sha256 digest (64 lowercase hexadecimal characters) of the report's
        inputs, written as ``<meta name="kompetanse-fingerprint">`` at the top of the page so a
        later build can tell the page is current; ``None`` for none.
    page : the page's path relative to the period folder (``kommuner/0301.html``); with ``site``,
        every link on the page is checked by `site_links` and the header shows ``site.nav``.
    site : the pages of the build (`Site`).
    sources : footer links as (text before, link text, target relative to the period folder),
        for example ``("Den kjørte notatboken:", "notebooks/nasjonal.ipynb", "notebooks/nasjonal.ipynb")``.
    heading : the page's title replaces the notebook's first ``# `` heading, so the title on the
        index, in ``<title>`` and in ``<h1>`` is one text; False keeps the notebook's headings.

    The page's ``<html lang>`` is the notebook's metadata ``language`` (``nb`` or ``nn``; ``nb``
    when it has none); its header's links are labelled in that form and, where ``site`` has the
    page in the other form (`Site.alternates`), link to it («Les på nynorsk», «Les på bokmål»).
    pdf : the page's PDF relative to the period folder, linked as «Last ned PDF» (through
        `site_links`, so only once it exists); None for none.
    downloads : the page's files (`kompetanse.site.downloads`): linked after each table and at
        the top, their sha256 in ``<meta name="kompetanse-downloads">`` (`build.plan.is_current`).
    """
    if fingerprint is not None and not (isinstance(fingerprint, str) and _FINGERPRINT.fullmatch(fingerprint)):
        raise argument_error("fingerprint", "a sha256 digest as 64 lowercase hexadecimal characters", fingerprint)
    links = [(lead, text, _href(target, page) if page is not None else target) for lead, text, target in sources]
    lang = _language(nb)
    rendered = _render("notebook.html", title=title, home=home, footer=footer, fingerprint=fingerprint,
                       parts=_notebook_parts(nb, title if heading else None, downloads),
                       nav=_nav(page, site, lang), downloads=head_meta(downloads),
                       sources=links, unlinked_slot=_UNLINKED_SLOT, lang=lang, alternate=_alternate(page, site),
                       pdf=_href(pdf, page) if pdf and page is not None else pdf, site=site,
                       **({"statement": _href(STATEMENT, page)} if page is not None else {}))
    return _finish(rendered, page, site, frozenset(downloads.files) if downloads is not None else frozenset())


# ---------------------------------------------------------------------------------- the index


def _children(value) -> int:
    # a municipality without a population row counts 0 children, as the index always showed
    try:
        return 0 if value is None or value != value else int(value)
    except TypeError:  # pd.NA
        return 0



def index_page(rows: list[dict], *, periode: int, links: dict[str, str], extra: list[tuple[str, str]],
               footer: str, site: Site | None = None, sources: Sequence[tuple[str, str, str]] = (),
               forms: Mapping[str, str] | None = None,
               alternates: Mapping[str, tuple[str, str]] | None = None,
               pdfs: Mapping[str, str] | None = None) -> str:
    """The front page: every municipality with its status at a glance, sortable and searchable.

    ``rows``: one dict per municipality with kommunenummer, kommunenavn, fylkesnavn, the status of
    each level (``status_<niva>``), ``niva_dekket`` and ``barn_0_17``. ``links`` maps a
    municipality number to its report in its own language form (relative URL), ``forms`` to
    that form (``nb`` when not given) and ``alternates`` to its report in the other form, as
    (``"nb"`` or ``"nn"``, relative URL): the name links the first, a small «nynorsk» or
    «bokmål» after it the second. ``pdfs`` maps a municipality number to the PDF of its report
    (relative URL), linked after the name as «PDF». ``extra`` lists other reports as (title,
    relative URL).
    ``site`` gives the header's links and the pages a link may point to (`site_links`);
    ``sources`` footer links as in `notebook_html`. The index itself is in bokmål.
    """
    forms = forms or {}
    alternates = alternates or {}
    pdfs = pdfs or {}
    status_order = {k: i for i, k in enumerate(STATUS_LABELS)}
    view = []
    for r in rows:
        nr = r["kommunenummer"]
        statuses = [r[f"status_{level}"] for level in LEVEL_LABELS]
        view.append(_Row(
            nr=nr, name=r["kommunenavn"], county=r["fylkesnavn"], href=links.get(nr), lang=forms.get(nr, "nb"),
            alternate=((FORM_NAMES[alternates[nr][0]], alternates[nr][1], alternates[nr][0])
                       if nr in alternates else None),
            pdf=pdfs.get(nr) if links.get(nr) else None,
            levels=[(s, status_order.get(s, 9)) for s in statuses],
            covered=int(r["niva_dekket"]), children=_children(r.get("barn_0_17")),
            search=f'{nr} {r["kommunenavn"]} {r["fylkesnavn"]}',
        ))
    title = f"Foreldrestøtte i kommunene {periode}"
    rendered = _render("index.html", title=title, home=None, footer=footer, fingerprint=None, periode=periode,
                       rows=view, level_labels=list(LEVEL_LABELS.values()), extra=list(extra),
                       script=_static("index.js"), nav=_nav("index.html", site), sources=list(sources),
                       unlinked_slot=_UNLINKED_SLOT, lang="nb", alternate=None, site=site)
    return _finish(rendered, "index.html", site)

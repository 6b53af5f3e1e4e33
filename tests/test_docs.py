"""The pages of docs/ agree with the code they document, and their links lead somewhere."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kompetanse import settings
from kompetanse.data import docs, reference
from kompetanse.data.schema import TABLES, Column

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
LINKED = [*PAGES, ROOT / "README.md"]

_FENCE = re.compile(r"^```.*?^```[ \t]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.M)


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The text under ``heading`` up to the next heading of the same or a higher level."""
    level = heading.split()[0]
    start = text.index(f"\n{heading}\n")
    nxt = re.compile(rf"^#{{1,{len(level)}}}\s", re.M).search(text, start + len(heading) + 2)
    return text[start:nxt.start() if nxt else len(text)]


def _anchors(page: Path) -> set[str]:
    return {docs._anchor(h) for h in _HEADING.findall(_FENCE.sub("", _text(page)))}


def test_docs_folder_has_the_pages_the_index_promises():
    assert {p.name for p in PAGES} >= {"README.md", "data-contract.md", "definitions.md", "methods.md",
                                       "disclosure.md"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_committed_page_equals_generator_output(page):
    text = _text(page)
    assert docs.render(text) == text, f"{page.name} is stale: run python -m kompetanse.data.docs"


def test_a_changed_setting_makes_the_disclosure_page_stale(monkeypatch):
    text = _text(DOCS / "disclosure.md")
    monkeypatch.setattr(settings, "MIN_COUNT", 7)
    rendered = docs.render(text)
    assert rendered != text
    assert "| `MIN_COUNT` | 7 |" in rendered
    assert "0 < *n* < <!-- value: MIN_COUNT -->7<!-- /value -->" in rendered


def test_a_new_schema_column_appears_in_the_contract(monkeypatch):
    table = TABLES["befolkning"]
    extra = Column("barn_0_5", "int", required=False, min=0, max=100, description="children aged 0–5")
    monkeypatch.setitem(TABLES, "befolkning", dataclasses.replace(table, columns=(*table.columns, extra)))
    rendered = docs.render(_text(DOCS / "data-contract.md"))
    assert "| `barn_0_5` | [int](#column-types) | no | 0 to 100 | children aged 0–5 |" in rendered


@pytest.mark.parametrize("name", list(TABLES))
def test_every_schema_column_is_documented_under_its_table(name):
    section = _section(_text(DOCS / "data-contract.md"), f"### `{name}`")
    for column in TABLES[name].columns:
        assert f"| `{column.name}` | [{column.kind}](#column-types) |" in section, column.name
    for rule in TABLES[name].rules:
        assert f"(rule `{rule.name}`)" in section


def test_every_method_code_is_in_the_catalogue_page():
    text = _text(DOCS / "methods.md")
    for section in ("## The catalogue", "## Levels by method", "## Providers and sources"):
        part = _section(text, section)
        for code in reference.metoder()["metode"]:
            assert f"| `{code}` |" in part, (section, code)


def test_every_setting_is_in_the_definitions_page():
    section = _section(_text(DOCS / "definitions.md"), "## Settings")
    for name in docs.setting_notes():
        assert f"| `{name}` |" in section


def test_every_generator_is_used_by_some_page():
    used = {m["name"].partition(":")[0] for p in PAGES for m in docs._BLOCK.finditer(_FENCE.sub("", _text(p)))}
    assert used == set(docs.BLOCKS)


def _broken_links(page: Path) -> list[str]:
    """Relative links of ``page`` whose file or heading does not exist (web addresses not checked)."""
    text = _INLINE_CODE.sub("", _FENCE.sub("", _text(page)))
    broken = []
    for target in _LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no file {file}")
        elif anchor and anchor not in _anchors(file):
            broken.append(f"{target}: no heading with the anchor #{anchor} in {file.name}")
    return broken


@pytest.mark.parametrize("page", LINKED, ids=lambda p: p.name if p.parent == DOCS else f"../{p.name}")
def test_links_lead_to_an_existing_file_and_heading(page):
    broken = _broken_links(page)
    assert not broken, "\n".join(broken)


def test_link_check_finds_a_missing_file_and_a_missing_heading(tmp_path):
    page = tmp_path / "a.md"
    page.write_text("# A page\n\n## `tilbud`: offers\n\nSee [b](#b-section), [here](#tilbud-offers), "
                    "[gone](gone.md), [web](https://example.org/x) and `[code](nowhere.md)`.\n", encoding="utf-8")
    assert _broken_links(page) == [
        "#b-section: no heading with the anchor #b-section in a.md",
        f"gone.md: no file {tmp_path / 'gone.md'}",
    ]


def test_readme_and_package_point_at_docs_not_at_the_shared_data_model():
    readme = _text(ROOT / "README.md")
    assert "docs/data-contract.md" in readme
    offenders = [p.relative_to(ROOT) for p in [ROOT / "README.md", *(ROOT / "kompetanse").rglob("*.py")]
                 if "DATA_MODEL" in p.read_text(encoding="utf-8")]
    assert not offenders


def test_unknown_block_is_an_error():
    with pytest.raises(KeyError, match="unknown generated block 'nope'"):
        docs.render("<!-- generated: begin nope -->\n<!-- generated: end nope -->\n")


def test_unknown_value_is_an_error():
    with pytest.raises(KeyError, match="unknown value 'NOT_A_SETTING'"):
        docs.render("<!-- value: NOT_A_SETTING -->1<!-- /value -->")


def test_markers_inside_fenced_code_are_left_alone():
    text = "```\n<!-- generated: begin nope -->\nexample\n<!-- generated: end nope -->\n```\n"
    assert docs.render(text) == text


def test_values_are_written_as_prose_expects():
    assert docs.value("RATE_PER") == "1 000"
    assert docs.value("CONFIDENCE_LEVEL:percent") == "95 %"
    assert docs.value("PROGRESS_TOLERANCE:points") == "15 percentage points"
    assert docs.value("YEAR_RANGE") == "1990–2100"
    assert docs.value("count:kommuner") == "357"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nivaer": "universell;tertiar"}, "nivaer 'universell;tertiar'"),
        ({"alder_fra": "13"}, "ages 13–12"),
        ({"ungsinn_niva": "6"}, "ungsinn_niva '6'"),
        ({"sertifisering": "ja"}, "sertifisering 'ja'"),
    ],
)
def test_catalogue_row_breaking_the_contract_fails(change, message):
    row = {"metode": "pmto", "nivaer": "indikativ", "alder_fra": "3", "alder_til": "12",
           "sertifisering": "true", "implementeringsavtale": "true", "ungsinn_niva": "5"}
    with pytest.raises(ValueError, match=re.escape(message)):
        docs.check_catalogue(pd.DataFrame([row | change]))


def test_catalogue_with_a_code_twice_fails():
    row = {"metode": "pmto", "nivaer": "indikativ", "alder_fra": "3", "alder_til": "12",
           "sertifisering": "true", "implementeringsavtale": "true", "ungsinn_niva": "5"}
    with pytest.raises(ValueError, match="given twice: pmto"):
        docs.check_catalogue(pd.DataFrame([row, row]))


def test_check_command_reports_a_stale_page_and_the_generator_fixes_it(tmp_path, capsys):
    shutil.copy(DOCS / "disclosure.md", tmp_path / "disclosure.md")
    page = tmp_path / "disclosure.md"
    page.write_text(_text(page).replace("| `MIN_COUNT` | 5 |", "| `MIN_COUNT` | 3 |"), encoding="utf-8")
    assert docs.main(["--docs", str(tmp_path), "--check"]) == 1
    assert "disclosure.md: stale" in capsys.readouterr().err
    assert docs.main(["--docs", str(tmp_path)]) == 0
    assert _text(page) == _text(DOCS / "disclosure.md")
    assert docs.main(["--docs", str(tmp_path), "--check"]) == 0

"""The whole site as rendered: a page for each of the catalogue's targets in both languages, reached
from its region's table, showing the plan's words and the status; every link of every page resolves;
every page has its counterpart in the other language; downloads neutralise spreadsheet formulas."""

from __future__ import annotations

import base64
import csv
import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from analysis.core import paths
from analysis.core.labels import label
from analysis.site import permalinks
from analysis.site.display import csv_text, neutralise_formula

REPO = paths.project_root()
HREF = re.compile(r'\s(?:href|src)="([^"]*)"')
IDS = re.compile(r'\sid="([^"]+)"')


def catalogue() -> list[dict]:
    with (REPO / "data" / "targets.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def site(checked_site: Path) -> Path:
    """The site as Quarto renders it where Quarto is installed, else the offline renderer's (conftest)."""
    return checked_site


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in site.rglob("*.html")
        if "site_libs" not in p.parts  # Quarto's own scripts and styles
    }


def test_the_catalogue_has_228_targets_each_with_a_page_in_both_languages(pages):
    targets = catalogue()
    assert len(targets) == 228
    for language in ("en", "zh"):
        expected = {
            permalinks.output_path(permalinks.target_source(t["target_id"], language)) for t in targets
        }
        assert expected <= set(pages), sorted(expected - set(pages))[:5]


def test_a_target_page_shows_the_plans_words_and_its_status(pages, site):
    statuses = {}
    for target in catalogue():
        for language in ("en", "zh"):
            page = pages[permalinks.output_path(permalinks.target_source(target["target_id"], language))]
            assert html.escape(target["quote"], quote=False) in page
            found = re.search(
                r'pt-target-summary.*?class="pt-status pt-status-([a-z_]+)">([^<]+)<', page, re.S
            )
            assert found, target["target_id"]
            status, text = found.groups()
            assert text == label(f"status_{status}", language)
            statuses[target["target_id"]] = status
    assert len(statuses) == 228


def test_every_region_table_links_each_of_its_targets_to_its_page(pages):
    for target in catalogue():
        for language in ("en", "zh"):
            region_page = permalinks.output_path(permalinks.region_source(target["region"], language))
            source = permalinks.region_source(target["region"], language)
            href = permalinks.target_href(target["target_id"], source)
            assert f'href="{href}"' in pages[region_page], (region_page, target["target_id"])


def resolve(page: str, href: str) -> tuple[str, str]:
    parts = urlsplit(href)
    base = Path(page).parent
    target = (base / unquote(parts.path)).as_posix() if parts.path else page
    normal = Path(target)
    stack: list[str] = []
    for part in normal.parts:
        if part == "..":
            stack.pop()
        elif part != ".":
            stack.append(part)
    return "/".join(stack), parts.fragment


def test_every_link_of_every_page_resolves(pages, site):
    ids = {name: set(IDS.findall(text)) for name, text in pages.items()}
    broken = []
    for name, text in pages.items():
        for href in set(HREF.findall(text)):
            href = html.unescape(href)
            if re.match(r"^(https?|data|mailto):", href):
                continue
            target, fragment = resolve(name, href)
            missing_anchor = (
                bool(fragment) and target.endswith(".html") and fragment not in ids.get(target, ())
            )
            if missing_anchor or not (site / target).exists():
                broken.append((name, href))
    assert broken == []
    assert len(pages) >= 2 * 228 + 10


def test_every_page_has_its_other_language_and_links_to_it(pages):
    for name, text in pages.items():
        other = permalinks.in_language(name, "en" if permalinks.language_of(name) == "zh" else "zh")
        assert other in pages, name
        href = permalinks.relative_href(other, name)
        assert re.search(rf'class="pt-lang-other"[^>]*href="{re.escape(href)}"', text), name


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("92.6", "92.6"),
        ("县域内就诊率", "县域内就诊率"),
    ],
)
def test_a_text_cell_a_spreadsheet_would_run_is_prefixed_with_a_quote(text, shown):
    assert neutralise_formula(text) == shown


def test_downloads_on_the_site_carry_no_runnable_formula(pages):
    import pandas as pd

    frame = pd.DataFrame({"note": ["=1+1", "ok"], "value": [-1.5, 2.0]})
    assert csv_text(frame).splitlines() == ["note,value", "'=1+1,-1.5", "ok,2.0"]
    sample = pages["reports/data.html"]
    for encoded in re.findall(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', sample):
        text = base64.b64decode(encoded).decode("utf-8-sig")
        for row in csv.reader(text.splitlines()):
            assert not any(cell[:1] in ("=", "+", "@", "\t", "\r") for cell in row), row


def test_the_gaps_page_links_every_target_that_cannot_be_judged_once_with_its_template(pages):
    from analysis.site import report

    stuck = set()
    for region in ("guizhou", "guiyang", "bazhong"):
        status = report.region_report(region, 2025, "en").status
        stuck |= set(status.loc[status["status"] == "not_assessable", "target_id"])
    page = pages["gaps.html"]
    table = page[page.index('id="data-gaps"') :]
    linked = re.findall(r'class="pt-target-link" href="targets/([^"]+)\.html"', table)
    assert sorted(linked) == sorted(stuck)
    pattern = r'download="data-gaps-template.csv" href="data:text/csv;charset=utf-8;base64,([^"]+)"'
    encoded = re.search(pattern, page).group(1)
    rows = list(csv.DictReader(base64.b64decode(encoded).decode("utf-8-sig").splitlines()))
    assert {r["indicator"] for r in rows} <= {t["indicator"] for t in catalogue() if t["target_id"] in stuck}
    assert len(rows) >= len({(t["region"], t["indicator"]) for t in catalogue() if t["target_id"] in stuck})
    assert "zh/gaps.html" in pages and "changes.html" in pages and "about.html" in pages

"""PDFs a researcher can attach to a paper (`plantracker build --pdf`).

The pieces a PDF adds to its page are checked as text (the page-number content, the copy of the page
that is printed). Then the site is rendered offline from the committed notebooks, every region page is
printed in both languages by headless Chromium, and `pdftotext` reads each PDF back as a reader would:
the edition date, version, commit and citation on the first page, "Page i of N" on every page, every
source domain of the region's observations (read here from data/observations.csv), the folded list of
targets without data opened, a reason under every judged status, and nothing drawn beyond the page.

Without Chromium or pdftotext (apt-get install chromium poppler-utils) the printing tests are skipped;
CI sets PLANTRACKER_REQUIRE_BROWSER=1, which turns the skip into a failure.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from urllib.parse import urlparse

import pytest

from analysis.build import pdf
from analysis.core import paths
from analysis.site.edition import Edition

REPO = paths.project_root()
REGIONS = ("guizhou", "guiyang", "bazhong")
NAMES = {
    ("guizhou", "en"): "Guizhou",
    ("guizhou", "zh"): "贵州省",
    ("guiyang", "en"): "Guiyang & Gui'an",
    ("guiyang", "zh"): "贵阳贵安",
    ("bazhong", "en"): "Bazhong",
    ("bazhong", "zh"): "巴中市",
}
EDITION = Edition("1.2.3", "abc1234", "2031-05-06", 2030, {"guizhou": 2029, "guiyang": None})


# ---------------------------------------------------------------- the pieces, without a browser


def test_page_numbers_are_counters_in_the_pages_language():
    assert pdf.css_content("Page {page} of {pages}", {"page": "page", "pages": "pages"}) == (
        '"Page " counter(page) " of " counter(pages)'
    )
    assert pdf.css_content("第 {page} 页，共 {pages} 页", {"page": "page", "pages": "pages"}) == (
        '"第 " counter(page) " 页，共 " counter(pages) " 页"'
    )
    assert pdf.css_string('a "b" \\ c') == '"a \\"b\\" \\\\ c"'


def test_the_title_block_names_the_edition_and_how_to_cite_it():
    block = html.unescape(re.sub(r"<[^>]+>", "|", pdf.title_block(EDITION, "guizhou", "en")))
    assert "Edition of 2031-05-06" in block
    assert "Figures published up to 2030; the latest figure for Guizhou is of 2029" in block
    assert "Plan Tracker version 1.2.3, commit abc1234" in block
    assert "How to cite" in block
    assert (
        "Plan Tracker, Guizhou: progress towards the targets of its health plans. Edition of 2031-05-06"
        in block
    )
    assert "reports/guizhou.html" in block  # the page's address, then its access date
    chinese = html.unescape(re.sub(r"<[^>]+>", "|", pdf.title_block(EDITION, "guiyang", "zh")))
    assert "2031-05-06 版" in chinese and "版本 1.2.3，提交 abc1234" in chinese
    assert "贵阳贵安最新数据年份：暂无" in chinese  # no figure for Guiyang: said, not left blank
    assert "zh/reports/guiyang.html" in chinese


def test_the_printed_copy_opens_every_list_and_puts_the_title_block_under_the_title():
    page = (
        '<html><head><meta charset="utf-8"></head><body><h1>Guizhou</h1><p>x</p>'
        '<details class="pt-fold"><summary>Show</summary>list</details>'
        "<details open><summary>s</summary>open already</details></body></html>"
    )
    copy = pdf.print_copy(page, pdf.PrintExtras("<base>", "<style>S</style>", "<section>T</section>"))
    # links resolve against the site; the margin boxes come after (and so override) the stylesheet's
    assert copy.startswith('<html><head><base><meta charset="utf-8"><style>S</style></head>')
    assert "<h1>Guizhou</h1><section>T</section><p>x</p>" in copy
    assert copy.count("<details open") == 2 and "open open" not in copy
    untitled = pdf.print_copy(
        "<html><head></head><body class='b'><p>x</p></body></html>", pdf.PrintExtras("", "", "T")
    )
    assert "<body class='b'>T<p>x</p>" in untitled


def test_a_missing_edition_record_says_to_build_first(tmp_path: Path):
    with pytest.raises(Exception, match="run `plantracker build` before printing PDFs"):
        pdf.read_edition(tmp_path)


# ---------------------------------------------------------------- the PDFs, read back


def needs(tool: str, package: str) -> None:
    if shutil.which(tool):
        return
    reason = f"{tool} is not installed (apt-get install {package})"
    if os.environ.get("PLANTRACKER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and PLANTRACKER_REQUIRE_BROWSER=1 requires the PDF test to run")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def printed(request, tmp_path_factory) -> dict:
    """The site rendered offline (conftest `offline_site`) and each region page printed in both languages."""
    needs("chromium", "chromium")
    needs("pdftotext", "poppler-utils")
    site = request.getfixturevalue("offline_site")
    folder = tmp_path_factory.mktemp("pdf")
    written = pdf.write_pdfs(REPO, list(REGIONS), site=site, folder=folder)
    assert sorted(p.name for p in written) == sorted(
        f"{r}{'' if lang == 'en' else '.zh'}.pdf" for r in REGIONS for lang in ("en", "zh")
    )
    return {"site": site, "folder": folder}


def text_of(path: Path, *options: str) -> str:
    """The PDF's text in the order Chromium drew it (-raw): a table cell's lines stay together."""
    command = ["pdftotext", "-raw", *options, str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def squeezed(text: str) -> str:
    """The text without white space: a cell's words wrap over lines wherever the column is narrow."""
    return re.sub(r"\s+", "", text)


def record() -> dict:
    return json.loads((REPO / "_generated" / "edition.json").read_text(encoding="utf-8"))


def region_domains(region: str, as_of: int) -> set[str]:
    """The domains of the region's own observations up to the as-of year, read from the data, without
    "www." (the sources table prints an address without it, its link keeps the whole address)."""
    with (REPO / "data" / "observations.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {
            urlparse(row["source_url"]).netloc.removeprefix("www.")
            for row in csv.DictReader(handle)
            if row["region"] == region and int(row["year"]) <= as_of and row["source_url"].startswith("http")
        }


CASES = [(region, language) for region in REGIONS for language in ("en", "zh")]


def pdf_of(printed: dict, region: str, language: str) -> Path:
    return printed["folder"] / f"{region}{'' if language == 'en' else '.zh'}.pdf"


def page_of(printed: dict, region: str, language: str) -> str:
    """The HTML of the region page as the site shows it."""
    source = pdf.permalinks.region_source(region, language)
    return (printed["site"] / pdf.permalinks.output_path(source)).read_text(encoding="utf-8")


@pytest.mark.parametrize(("region", "language"), CASES)
def test_the_first_page_carries_the_edition_and_the_citation(printed, region, language):
    edition = record()
    assert edition["version"] == metadata.version("plantracker")
    committed = subprocess.run(
        ["git", "-C", str(REPO), "log", "-1", "--format=%cs", edition["commit"]],
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert committed in ("", edition["built"])  # the date a reader sees is the commit's date
    first = squeezed(text_of(pdf_of(printed, region, language), "-l", "1"))
    name = squeezed(NAMES[(region, language)])
    if language == "en":
        expected = [
            f"Editionof{edition['built']}",
            f"PlanTrackerversion{edition['version']},commit{edition['commit']}",
            f"Howtocite PlanTracker,{name}:",
            f"Figurespublishedupto{edition['as_of']};",
            f"reports/{region}.html",
        ]
    else:
        expected = [
            f"{edition['built']}版",
            f"PlanTracker版本{edition['version']}，提交{edition['commit']}",
            f"引用方式PlanTracker（规划目标跟踪），{name}",
            f"使用截至{edition['as_of']}年公布的数据",
            f"zh/reports/{region}.html",
        ]
    for words in expected:
        assert squeezed(words) in first, words


@pytest.mark.parametrize(("region", "language"), CASES)
def test_every_page_is_numbered_of_the_whole(printed, region, language):
    pages = text_of(pdf_of(printed, region, language)).split("\f")[:-1]
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        mark = f"Page {number} of {len(pages)}" if language == "en" else f"第 {number} 页，共 {len(pages)} 页"
        assert squeezed(mark) in squeezed(page), (number, page[-200:])


@pytest.mark.parametrize(("region", "language"), CASES)
def test_every_source_domain_of_the_region_is_printed(printed, region, language):
    edition = record()
    domains = region_domains(region, edition["as_of"])
    text = squeezed(text_of(pdf_of(printed, region, language)))
    assert sorted(d for d in domains if d not in text) == []


@pytest.mark.parametrize(("region", "language"), CASES)
def test_lists_are_open_and_judged_statuses_give_their_reason(printed, region, language):
    page = page_of(printed, region, language)
    text = squeezed(text_of(pdf_of(printed, region, language)))
    folded = re.search(r'<details class="pt-fold">(.*?)</details>', page, re.S)
    if folded:  # every target without data, listed by id in the folded table, is printed
        ids = re.findall(r'<td class="pt-col-target_id"[^>]*>([^<]+)</td>', folded.group(1))
        assert ids and [i for i in ids if squeezed(html.unescape(i)) not in text] == []
    rows = re.findall(
        r"<tr[^>]*>(.*?)</tr>", page.split(f'id="{region}-targets"')[1].split("</table>")[0], re.S
    )
    judged = [r for r in rows if "pt-status-not_assessable" not in r and "pt-status " in r]
    reasons = [re.search(r'class="pt-print-only pt-reason">([^<]+)<', r) for r in judged]
    assert all(reasons), "a judged status without its reason"
    assert [m.group(1) for m in reasons if squeezed(html.unescape(m.group(1))) not in text] == []


@pytest.mark.parametrize(("region", "language"), CASES)
def test_nothing_is_drawn_beyond_the_page(printed, region, language):
    """Every word lies within its page, and the sources table prints all its columns."""
    command = ["pdftotext", "-bbox", str(pdf_of(printed, region, language)), "-"]
    boxes = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    outside = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', boxes, re.S):
        width = float(page.group(1))
        for word in re.finditer(
            r'<word xMin="([\d.-]+)" yMin="[\d.-]+" xMax="([\d.-]+)"[^>]*>([^<]*)<', page.group(3)
        ):
            if float(word.group(1)) < 0 or float(word.group(2)) > width + 0.5:
                outside.append(word.group(3))
    assert outside == []
    page = page_of(printed, region, language)
    table = page.split(f'id="{region}-sources"')[1].split("</thead>")[0]
    headers = [squeezed(html.unescape(h)) for h in re.findall(r"<th[^>]*>([^<]+)</th>", table)]
    text = squeezed(text_of(pdf_of(printed, region, language)))
    assert len(headers) >= 6 and [h for h in headers if h not in text] == []

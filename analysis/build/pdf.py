"""`plantracker build --pdf`: one PDF per region page in each language, printed by headless Chromium
from the built site with its print stylesheet (no navigation, no filters, charts kept whole), so that a
researcher can attach it to a paper.

A PDF must say which edition it is and how to cite it, even though a region page (a notebook executed
from the data alone) does not know the commit it is built from. So the page is printed from a copy that
carries what the build wrote beside the pages (`_generated/edition.json`: the date, data vintage,
version and commit the target pages cite): a title block with the citation, a running header naming the
edition, page numbers in the page's language, and every folded list opened. The copy lives in a
temporary folder and points back at the site (`<base href>`), so the site itself is never touched.
The layout of print (A4, tables within the page, the wide sources table on a landscape page) is the
stylesheet's `@media print` section, which a reader printing from the browser gets too.

Chromium is found on PATH; without it the command says how to install it. The page is opened from
disk with every outside request refused, and each PDF is written beside its final name first, so a
failed print leaves the last good PDF in place.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import BuildError, PlanTrackerError
from analysis.core.labels import LANGUAGES, label
from analysis.site import permalinks
from analysis.site.edition import Edition
from analysis.site.pages import EDITION_FILE

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_FOLDER = "pdf"  # reports/pdf/<region>.pdf (English) and <region>.zh.pdf
PRINT_TIMEOUT = 180
SITE_NAME = "Plan Tracker"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class PrintExtras:
    """What a PDF adds to its page: the base its links resolve against (first in the head), the style of
    its margin boxes (last in the head, after the stylesheet's) and the title block under the h1."""

    base: str
    style: str
    title_block: str


def find_browser() -> str | None:
    return next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)


def pdf_path(root: Path, region: str, language: str) -> Path:
    suffix = "" if language == "en" else f".{language}"
    return paths.reports_dir(root) / PDF_FOLDER / f"{region}{suffix}.pdf"


# ---------------------------------------------------------------- what a PDF adds to its page


def read_edition(root: Path) -> Edition:
    """The edition the built pages cite, as the build recorded it; a clear error when it is absent."""
    path = root / EDITION_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return Edition(**record)
    except FileNotFoundError as exc:
        raise BuildError(f"{path} is missing: run `plantracker build` before printing PDFs") from exc
    except (ValueError, TypeError) as exc:
        raise BuildError(f"{path} is not an edition record ({exc}): run `plantracker build --force`") from exc


def css_string(text: str) -> str:
    """A CSS string literal holding `text` (for the `content` of a page margin box)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def css_content(template: str, counters: dict[str, str]) -> str:
    """A label with {slots} as CSS `content`: text pieces as strings, slots as counters."""
    parts = PLACEHOLDER.split(template)  # text, slot, text, slot, …
    tokens = [
        f"counter({counters[part]})" if i % 2 else css_string(part) for i, part in enumerate(parts) if part
    ]
    return " ".join(tokens)


def region_name(region: str, language: str) -> str:
    """The region's name in the page's language alone (the title above it already pairs both)."""
    try:
        return label(f"region_{region}", language)
    except PlanTrackerError:
        return region


def running_header(edition: Edition, region: str, language: str) -> str:
    """The line at the top of every page: which report, which edition."""
    dated = label("pdf_edition", language).format(date=edition.built)
    return f"{SITE_NAME} · {region_name(region, language)} · {dated}"


def page_style(edition: Edition, region: str, language: str) -> str:
    """The margin boxes of every printed page: the edition on top, the page number at the foot."""
    page = css_content(label("pdf_page", language), {"page": "page", "pages": "pages"})
    return (
        "<style>@media print { @page { "
        f"@top-left {{ content: {css_string(running_header(edition, region, language))}; }} "
        f"@bottom-center {{ content: {page}; }} }} }}</style>"
    )


def title_block(edition: Edition, region: str, language: str) -> str:
    """Edition date, data vintage, version and commit, and the citation, under the page's title."""
    name = region_name(region, language)
    latest = edition.latest_year.get(region)
    vintage = label("pdf_vintage", language).format(
        as_of=edition.as_of,
        region=name,
        latest=latest if latest is not None else label("pdf_no_figure", language),
    )
    lines = [
        label("pdf_edition", language).format(date=edition.built),
        vintage,
        label("pdf_version", language).format(version=edition.version, commit=edition.commit),
    ]
    source = permalinks.region_source(region, language)
    what = label("pdf_cite_what", language).format(region=name)
    cite = edition.cite(what, permalinks.output_path(source), language)
    return (
        f'<section class="pt-print-title" lang="{language}">'
        + "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        + f'<p class="pt-cite"><strong>{html.escape(label("heading_cite_report", language))}</strong> '
        f"{html.escape(cite)}</p></section>"
    )


def extras_for(edition: Edition, region: str, language: str, page: Path) -> PrintExtras:
    base = f'<base href="{html.escape(page.parent.as_uri(), quote=True)}/">'
    return PrintExtras(base, page_style(edition, region, language), title_block(edition, region, language))


def print_copy(page_html: str, extras: PrintExtras) -> str:
    """The page as printed: the extras in its head and under its title, every <details> open."""
    text = re.sub(r"<head([^>]*)>", lambda m: f"<head{m.group(1)}>{extras.base}", page_html, count=1)
    text = text.replace("</head>", f"{extras.style}</head>", 1)
    text = re.sub(r"<details(?![^>]*\bopen\b)", "<details open", text)
    if "</h1>" in text:
        return text.replace("</h1>", "</h1>" + extras.title_block, 1)
    return re.sub(r"<body([^>]*)>", lambda m: f"<body{m.group(1)}>{extras.title_block}", text, count=1)


# ---------------------------------------------------------------- printing


def chromium_command(browser: str, profile: str, uri: str, out: Path) -> list[str]:
    return [
        browser,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--no-pdf-header-footer",  # the page's own margin boxes (print stylesheet) number the pages
        f"--print-to-pdf={out}",
        uri,
    ]


def print_page(browser: str, page: Path, target: Path, extras: PrintExtras | None = None) -> None:
    """Print one page of the site to `target` (atomically), with `extras` added to a copy of it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with tempfile.TemporaryDirectory(prefix="pt-pdf-") as scratch:
        uri = page.as_uri()
        if extras is not None:
            copy = Path(scratch) / page.name
            copy.write_text(print_copy(page.read_text(encoding="utf-8"), extras), encoding="utf-8")
            uri = copy.as_uri()
        command = chromium_command(browser, str(Path(scratch) / "profile"), uri, partial)
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=PRINT_TIMEOUT)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            partial.unlink(missing_ok=True)
            raise BuildError(f"Chromium could not print {page} to PDF: {exc}") from exc
    if not partial.exists() or partial.read_bytes()[:5] != b"%PDF-":
        partial.unlink(missing_ok=True)
        raise BuildError(f"Chromium wrote no PDF for {page}")
    os.replace(partial, target)


def write_pdfs(
    root: Path, regions: list[str], site: Path | None = None, folder: Path | None = None
) -> list[Path]:
    """One PDF per region and language from the built site (into reports/pdf/, or `folder`); the paths
    written."""
    browser = find_browser()
    if browser is None:
        raise BuildError(
            "--pdf needs Chromium to print the pages (apt-get install chromium); the site itself was built"
        )
    site = site or paths.site_dir(root)
    edition = read_edition(root)
    written = []
    for region in regions:
        for language in LANGUAGES:
            page = site / permalinks.output_path(permalinks.region_source(region, language))
            if not page.exists():
                raise BuildError(f"{page} is missing: build the site before printing it")
            target = pdf_path(root, region, language)
            target = folder / target.name if folder else target
            print_page(browser, page, target, extras_for(edition, region, language, page))
            written.append(target)
    return written

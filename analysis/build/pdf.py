"""`plantracker build --pdf`: one PDF per region page in each language, printed by headless Chromium
from the built site with its print stylesheet (no navigation, no filters, charts kept whole).

Chromium is found on PATH; without it the command says how to install it. The page is opened from
disk with every outside request refused, and each PDF is written beside its final name first, so a
failed print leaves the last good PDF in place.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import BuildError
from analysis.core.labels import LANGUAGES
from analysis.site import permalinks

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_FOLDER = "pdf"  # reports/pdf/<region>.pdf (English) and <region>.zh.pdf
PRINT_TIMEOUT = 180


def find_browser() -> str | None:
    return next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)


def pdf_path(root: Path, region: str, language: str) -> Path:
    suffix = "" if language == "en" else f".{language}"
    return paths.reports_dir(root) / PDF_FOLDER / f"{region}{suffix}.pdf"


def print_page(browser: str, page: Path, target: Path) -> None:
    """Print one page of the site to `target` (atomically)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with tempfile.TemporaryDirectory(prefix="pt-pdf-") as profile:
        command = [
            browser,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            f"--user-data-dir={profile}",
            "--proxy-server=http://127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--no-pdf-header-footer",
            f"--print-to-pdf={partial}",
            page.as_uri(),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=PRINT_TIMEOUT)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            partial.unlink(missing_ok=True)
            raise BuildError(f"Chromium could not print {page} to PDF: {exc}") from exc
    if not partial.exists() or partial.read_bytes()[:5] != b"%PDF-":
        partial.unlink(missing_ok=True)
        raise BuildError(f"Chromium wrote no PDF for {page}")
    os.replace(partial, target)


def write_pdfs(root: Path, regions: list[str], site: Path | None = None) -> list[Path]:
    """One PDF per region and language from the built site; the paths written."""
    browser = find_browser()
    if browser is None:
        raise BuildError(
            "--pdf needs Chromium to print the pages (apt-get install chromium); the site itself was built"
        )
    site = site or paths.site_dir(root)
    written = []
    for region in regions:
        for language in LANGUAGES:
            page = site / permalinks.output_path(permalinks.region_source(region, language))
            if not page.exists():
                raise BuildError(f"{page} is missing: build the site before printing it")
            target = pdf_path(root, region, language)
            print_page(browser, page, target)
            written.append(target)
    return written

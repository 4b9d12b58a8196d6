"""Where each page of the site lives, in each language, and links between them.

English pages keep their place (index.qmd, reports/guizhou.ipynb); each Chinese page is the same path
under zh/ (zh/index.qmd, zh/reports/guizhou.ipynb). A target's page is targets/<target_id>.qmd: the
target id never changes between editions, so the address is a permalink.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import PurePosixPath

from analysis.core.labels import LANGUAGES, check_language, label

LANGUAGE_FOLDER = {"en": "", "zh": "zh/"}
TARGETS_FOLDER = "targets"
SAFE_TARGET_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
# What the build writes from the data (analysis/pages.py); none of it is committed.
GENERATED_FOLDERS = tuple(f"{prefix}{TARGETS_FOLDER}" for prefix in LANGUAGE_FOLDER.values())
DOWNLOADS_FOLDER = "downloads"  # the data page's tables as CSV files: downloads/<language>/<table id>.csv
GENERATED_PAGES = ("gaps.qmd", "changes.qmd")  # and their zh/ twins
CHARTS_FOLDER = "charts"  # each chart of the site as SVG, PNG and CSV files: charts/<language>/<id>.<kind>
GENERATED_DATA = "_generated"  # files pages include; Quarto renders no file or folder starting with _
GENERATED_STAMP = f"{GENERATED_DATA}/.fingerprint"


def wants_generated(render_patterns) -> bool:
    """The site asks for generated pages when _quarto.yml's render list names one of their folders."""
    pages = {in_language(p, lang) for p in GENERATED_PAGES for lang in LANGUAGE_FOLDER}
    return any(
        p in pages or p.startswith(tuple(f"{folder}/" for folder in GENERATED_FOLDERS))
        for p in render_patterns
    )


def language_of(source: str) -> str:
    return "zh" if source.startswith(LANGUAGE_FOLDER["zh"]) else "en"


def english_source(source: str) -> str:
    return source[len(LANGUAGE_FOLDER["zh"]) :] if language_of(source) == "zh" else source


def in_language(source: str, language: str) -> str:
    """The same page in `language`: reports/guizhou.ipynb ↔ zh/reports/guizhou.ipynb."""
    return LANGUAGE_FOLDER[check_language(language)] + english_source(source)


def output_path(source: str) -> str:
    """Where a page lands in the site, as Quarto places it: reports/x.ipynb → reports/x.html."""
    return str(PurePosixPath(source).with_suffix(".html"))


def relative_href(target: str, from_page: str) -> str:
    """A link from one output page to another that works from disk (file://) as well as a server."""
    if re.match(r"^[a-z]+:", target) or target.startswith("#"):
        return target
    start = str(PurePosixPath(from_page).parent) or "."
    return PurePosixPath(os.path.relpath(target, start=start)).as_posix()


def target_source(target_id: str, language: str) -> str:
    if not SAFE_TARGET_ID.match(target_id):
        raise ValueError(f"target id {target_id!r} cannot be a page name")
    return in_language(f"{TARGETS_FOLDER}/{target_id}.qmd", language)


def target_href(target_id: str, from_source: str) -> str:
    """The link from page `from_source` to a target's page in the same language."""
    language = language_of(from_source)
    return relative_href(output_path(target_source(target_id, language)), output_path(from_source))


def page_href(source: str, from_source: str) -> str:
    """The link from `from_source` to another page (given by its English source) in the same language."""
    target = in_language(source, language_of(from_source))
    return relative_href(output_path(target), output_path(from_source))


def region_source(region: str, language: str) -> str:
    return in_language(f"reports/{region}.ipynb", language)


def target_link(target_id: str, from_source: str, text: str | None = None) -> str:
    href = html.escape(target_href(target_id, from_source), quote=True)
    return f'<a class="pt-target-link" href="{href}">{html.escape(text or target_id)}</a>'


def language_switch(source: str) -> str:
    """A link to this very page in the other language (the reader stays where they are)."""
    here = language_of(source)
    links = []
    for language in LANGUAGES:
        name = label(f"language_{language}", language)
        if language == here:
            links.append(f'<span aria-current="true" lang="{language}">{html.escape(name)}</span>')
        else:
            href = relative_href(output_path(in_language(source, language)), output_path(source))
            links.append(
                f'<a class="pt-lang-other" lang="{language}" hreflang="{language}" '
                f'href="{html.escape(href, quote=True)}">{html.escape(name)}</a>'
            )
    return f'<nav class="pt-lang" aria-label="Language · 语言">{" · ".join(links)}</nav>'


def chart_files_href(from_source: str) -> str:
    """The folder of the chart files of a page's language, as a link from that page (ends with /)."""
    folder = f"{CHARTS_FOLDER}/{language_of(from_source)}/"
    return relative_href(folder + "x", output_path(from_source))[:-1]


def downloads_href(from_source: str) -> str:
    """The folder of the table files of a page's language, as a link from that page (ends with /)."""
    folder = f"{DOWNLOADS_FOLDER}/{language_of(from_source)}/"
    return relative_href(folder + "x", output_path(from_source))[:-1]


# --- citation records (analysis.site.citations writes them) ------------------------------------------

CITE_FOLDER = "cite"  # downloads/<language>/cite/<name>.bib and .ris


def region_cite_name(region: str) -> str:
    """A region report's name among the citation records."""
    return f"region-{region}"


def cite_links(name: str, from_source: str, language: str) -> str:
    """The links to a page's .bib and .ris files, from the page `from_source`."""
    folder = downloads_href(from_source) + f"{CITE_FOLDER}/"
    return (
        f'<p class="pt-cite-files">{html.escape(label("cite_formats", language))}: '
        f'<a href="{folder}{name}.bib" download>BibTeX</a> · '
        f'<a href="{folder}{name}.ris" download>RIS</a></p>'
    )

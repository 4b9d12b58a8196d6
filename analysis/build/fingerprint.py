"""What each job of the build is made from, and the one function that hashes it.

Each job declares its inputs as (name, file) pairs plus the settings that are not files; `checksum`
hashes them, as owid/etl's `checksum_input` does for a step. A job runs again only when its checksum
changes:

- a notebook page (`notebook_inputs`): its parameters, its source notebook, the data files it reads (a
  region's page sees only its own rows), the code that computes figures (`figure_code`), and the
  machine's libraries and fonts. Each part is hashed on its own, so a stale report can say which changed.
- the generated pages (`generated_inputs`): the figure code, the data and the region notebook.
- the rendered site (`site_inputs`): its sources and the code that lays pages out (`site_code`).

The code that shapes only the site or the command line is declared here once (`SITE_AND_COMMAND_FOLDERS`,
`SITE_AND_COMMAND_FILES`, `site_code`): editing it re-renders the site and never re-executes a notebook.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from analysis.build import lockcheck, page_html, render
from analysis.build.jobs import REGION_NOTEBOOK, NotebookJob
from analysis.core import paths
from analysis.core.errors import PlanTrackerError
from analysis.io.readers.editions import edition_files
from analysis.site import permalinks

# A declared input: the name it is hashed under (so that a moved file counts as changed), and the file.
Input = tuple[str, Path]
MISSING = b"<missing>"


def checksum(inputs: Iterable[Input], settings: bytes = b"") -> str:
    """The one fingerprint of a job: its settings, then each declared file's name and bytes, in the
    order declared (a declared file that is absent counts as absent, so its return changes the hash)."""
    digest = hashlib.sha256(settings)
    for name, path in inputs:
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else MISSING)
    return digest.hexdigest()


def short_hash(data: bytes) -> str:
    """A 16-character hash of one part of a notebook's inputs, short enough to read in its record."""
    return hashlib.sha256(data).hexdigest()[:16]


# ---------------------------------------------------------------- the code: figures, or only the site

# The package's code that shapes the site or the command line but no figure; with `site_code`, what
# `figure_code` leaves out.
SITE_AND_COMMAND_FOLDERS = ("build", "cli")  # the build (this folder) and the command line
SITE_AND_COMMAND_FILES = ("__main__.py",)  # the command line's entry point


def site_code() -> list[Path]:
    """The code that lays the site's pages out: the renderer, its page template and its stylesheet."""
    return [
        Path(render.__file__),
        Path(page_html.__file__),
        render.TEMPLATES / "page.html",
        render.ASSETS / render.STYLESHEET,
    ]


def library_files() -> list[Path]:
    """The analysis code and its data files that a notebook's figures depend on: the package without
    the code that shapes only the site or the command line."""
    package = paths.PACKAGE
    site_only = set(site_code())
    return sorted(
        p
        for p in package.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.relative_to(package).parts[0] not in SITE_AND_COMMAND_FOLDERS
        and p.name not in SITE_AND_COMMAND_FILES
        and p not in site_only
        and p.suffix != ".pyc"
    )


def figure_code() -> list[Input]:
    """The figure code as declared inputs, each named by its place in the package."""
    return [(_name_in(path, paths.PACKAGE), path) for path in library_files()]


def _name_in(path: Path, folder: Path) -> str:
    """A file's name in a fingerprint: its path inside `folder`, or its bare name when outside it."""
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path.name


# ---------------------------------------------------------------- the data


def data_files(root: Path) -> list[Path]:
    """Every input file under data/ (the README files describe, they do not feed figures)."""
    return sorted(p for p in paths.data_dir(root).rglob("*") if p.is_file() and p.suffix.lower() != ".md")


def scoped_bytes(path: Path, exclude_regions: set[str], root: Path | None = None) -> bytes | None:
    """A data file as one region's page sees it: rows of the other plan regions left out, None when no
    row is left (a file of another region's figures is no input of this page at all).

    Tables (CSV, and the observations sheet of a workbook) with a `region` column are narrowed, read by
    the readers the notebooks use, so a region is recognised as they recognise it; anything else, or a
    table the readers refuse, counts whole.
    """
    raw = path.read_bytes()
    if path.suffix.lower() not in (".csv", ".xlsx") or not exclude_regions:
        return raw
    table = _region_rows(path, root, len(raw), path.stat().st_mtime_ns)
    if table is None:
        return raw
    header, rows = table
    kept = [[number, cells] for number, region, cells in rows if region not in exclude_regions]
    if rows and not kept:
        return None
    return json.dumps([header, kept], ensure_ascii=False).encode("utf-8")


@functools.lru_cache(maxsize=256)
def _region_rows(path: Path, root: Path | None, size: int, mtime: int):
    """(header, [(row number, region, cells)]) of a table with a region column, else None; cached by
    size and time so that each file is read once per build, not once per page."""
    from analysis.io.readers import observations as observation_files
    from analysis.io.readers.raw_table import column_name

    try:
        table = observation_files.read_observation_file(path, root)
    except PlanTrackerError:
        return None
    header = [column_name(h) for h in table.header]
    if "region" not in header:
        return None
    at = header.index("region")
    rows = [(n, (cells[at] if len(cells) > at else "").strip().lower(), cells) for n, cells in table.rows]
    return header, rows


def plan_texts_of(root: Path, regions: set[str]) -> set[Path]:
    """The policy texts (data/policies/*.txt) of these regions, by the registry's `file` column."""
    if not regions:
        return set()
    from analysis.io.readers.catalogue import load_registry

    registry = load_registry(root)
    chosen = registry[registry["region"].isin(regions)]
    return {paths.policies_dir(root) / name for name in chosen["file"] if name}


def data_hashes(root: Path, other_regions: set[str]) -> dict[str, str]:
    """A hash per data file, as a page that does not show `other_regions` sees it (their plan texts and
    rows left out), so that a stale report can name the file that changed."""
    other_plans = plan_texts_of(root, other_regions)
    seen = (
        (_name_in(p, root), scoped_bytes(p, other_regions, root))
        for p in data_files(root)
        if p not in other_plans
    )
    return {name: short_hash(content) for name, content in seen if content is not None}


# ---------------------------------------------------------------- the environment


def environment_versions() -> dict[str, str]:
    """What of the environment decides a notebook's bytes: hashes of the lock file (which fixes the
    library versions; `make install` installs exactly it) and of the shipped chart fonts. Nothing is
    read from the machine, so a fresh clone finds the committed notebooks current."""
    return lockcheck.environment_inputs()


# ---------------------------------------------------------------- a notebook page


def notebook_inputs(job: NotebookJob, root: Path, regions: list[str]) -> dict:
    """What can change the bytes of one executed notebook, each part hashed on its own so that a stale
    report can say which input changed: its parameters, its source notebook, the data files it reads
    (a region's page sees only its own rows of tables with a `region` column), the analysis code, and
    the environment (the lock file and the chart fonts, both in the repository)."""
    settings = {"parameters": job.parameters, "title": job.title}
    machine = environment_versions()
    others = set(regions) - {job.scope} if job.scope else set()
    return {
        "parameters": short_hash(json.dumps(settings, sort_keys=True, ensure_ascii=False).encode()),
        "notebook": short_hash(job.source.read_bytes()),
        "data": data_hashes(root, others),
        "code": checksum(figure_code())[:16],
        "environment": short_hash(json.dumps(machine, sort_keys=True).encode()),
    }


def fingerprint_of(inputs: dict) -> str:
    """One hash of a notebook's inputs, as recorded in the executed notebook."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def input_fingerprint(job: NotebookJob, root: Path, regions: list[str]) -> str:
    """One hash of everything that can change the bytes of one executed notebook."""
    return fingerprint_of(notebook_inputs(job, root, regions))


# ---------------------------------------------------------------- the generated pages


def generated_inputs(root: Path) -> list[Input]:
    """What the generated pages are made from: the figure code, the data, the region notebook whose
    parameters they share, and the published editions (the changes page compares with the last)."""
    data = [*data_files(root), paths.notebooks_dir(root) / REGION_NOTEBOOK, *edition_files(root)]
    return [*figure_code(), *((_name_in(p, root), p) for p in data)]


def generated_fingerprint(root: Path, min_grade: str | None = None) -> str:
    """A hash of everything the generated pages are made from, and the lowest grade of source used."""
    settings = json.dumps([environment_versions(), min_grade], sort_keys=True).encode()
    return checksum(generated_inputs(root), settings)


# ---------------------------------------------------------------- the rendered site

# Top-level files a renderer may read besides the pages (Quarto: stylesheets, includes, bibliographies).
SITE_TOP_LEVEL = {".yml", ".yaml", ".qmd", ".md", ".css", ".scss", ".html", ".bib", ".csl"}


def site_sources(root: Path, config: render.SiteConfig) -> list[str]:
    """The files the site is rendered from, relative to the root: the site definition, its pages and
    resources, and the other top-level files a renderer may read (stylesheets, includes)."""
    sources = [render.CONFIG_FILE, *config.stylesheets, *config.pages, *config.shortcodes]
    for pattern in config.resources:
        sources += sorted(p.relative_to(root).as_posix() for p in root.glob(pattern) if p.is_file())
    sources += sorted(
        p.name
        for p in root.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix in SITE_TOP_LEVEL
    )
    # Quarto's folder metadata (zh/_metadata.yml: lang) and the stylesheet and script _quarto.yml names
    sources += sorted(p.relative_to(root).as_posix() for p in root.glob("*/_metadata.yml"))
    assets = root / "analysis" / "assets"
    if assets.is_dir():
        sources += sorted(p.relative_to(root).as_posix() for p in assets.iterdir() if p.is_file())
    generated = root / permalinks.GENERATED_DATA  # what generated pages include
    if generated.is_dir():
        sources += sorted(p.relative_to(root).as_posix() for p in generated.rglob("*") if p.is_file())
    return list(dict.fromkeys(sources))


def site_inputs(root: Path, config: render.SiteConfig, pages_from: Path | None = None) -> list[Input]:
    """What the rendered site is made from: its sources (read from `pages_from`, the staging folder,
    when given) and the code that lays its pages out."""
    base = pages_from or root
    return [*((s, base / s) for s in site_sources(root, config)), *((p.name, p) for p in site_code())]


def site_fingerprint(
    root: Path, config: render.SiteConfig, renderer: str, pages_from: Path | None = None
) -> str:
    """A hash of everything the rendered site is made from, and the renderer that made it."""
    return checksum(site_inputs(root, config, pages_from), renderer.encode())

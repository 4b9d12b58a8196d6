"""Pages the build writes from the data, as .qmd files that Quarto and the offline renderer both render:
one page per target in each language (analysis.site.target_pages), the gaps and changes pages, the home
page's summary (analysis.site.home), the edition record, and the chart and table downloads.

The figures come from the same calls the region notebooks make (`report.region_report`), so a target's
page and its region's page cannot disagree. Each page is markdown headings around raw HTML blocks
(```{=html}), which Quarto passes through untouched. The build runs this module in a process of its own:
`python -m analysis.site.pages ROOT FINGERPRINT [MIN_GRADE]`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.core.labels import LANGUAGES
from analysis.io.readers import editions
from analysis.pipeline import Project
from analysis.site import citations, data_page, gaps, home, permalinks, report, target_pages
from analysis.site.edition import edition_of, edition_pages, notebook_default

EDITION_FILE = f"{permalinks.GENERATED_DATA}/edition.json"


def overview_figures(ov) -> list:
    """The overview page's charts in its language."""
    from analysis.site import overview

    return [f for f in overview.status_mix_section(ov) if hasattr(f, "spec")] + overview.shared_figures(ov)


def table_files(ov) -> dict[str, str]:
    """downloads/<language>/<table id>.csv: every row of each table of the data page."""
    return {
        f"{permalinks.DOWNLOADS_FOLDER}/{ov.language}/{table.table_id}.csv": "\ufeff" + table.csv()
        for _, table in data_page.data_tables(ov)
    }


def chart_files(figures: list, language: str) -> dict[str, bytes | str]:
    """charts/<language>/<id>.svg, .png and .csv: the downloads offered under each chart."""
    folder = f"{permalinks.CHARTS_FOLDER}/{language}"
    files: dict[str, bytes | str] = {}
    for figure in figures:
        files[f"{folder}/{figure.chart_id}.svg"] = figure.svg
        files[f"{folder}/{figure.chart_id}.png"] = figure.png()
        files[f"{folder}/{figure.chart_id}.csv"] = "\ufeff" + figure.data_csv
    return files


def generate(root: Path, min_grade: str | None = None) -> dict[str, str | bytes]:
    """Every generated page: source path → text (with `min_grade`, from sources that good or better)."""
    from analysis.site import overview

    as_of = int(notebook_default("as_of", root))
    project = Project(root)
    regions = project.regions
    english = {r: report.region_report(r, as_of, "en", project=project, min_grade=min_grade) for r in regions}
    reports = {lang: {r: report.localised(rr, lang) for r, rr in english.items()} for lang in LANGUAGES}
    resolved = pd.concat([rr.resolved for rr in reports["en"].values()]).drop_duplicates(
        subset=["region", "indicator", "year", "source_file", "source_row"]
    )
    published = editions.last_published(root)
    edition = edition_of(root, as_of, resolved, regions, published)
    figures = {
        lang: {r: target_pages.region_figures(reports[lang][r]) for r in regions} for lang in LANGUAGES
    }
    pages: dict[str, str | bytes] = {}
    for region in regions:
        pages.update(
            target_pages.region_target_pages(
                {lang: reports[lang][region] for lang in LANGUAGES},
                {lang: figures[lang][region] for lang in LANGUAGES},
                edition,
            )
        )
    pages.update(edition_pages(reports, edition, published))
    for region in regions:
        for language in LANGUAGES:
            pages |= citations.region_records(reports[language][region], edition)
    for language in LANGUAGES:
        gaps_source = permalinks.in_language("gaps.qmd", language)
        pages[gaps_source] = gaps.gaps_page(reports[language], root, language)
        pages[f"{permalinks.GENERATED_DATA}/home.{language}.md"] = home.home_summary(
            reports[language], edition, language
        )
        drawn = [f for region in regions for f in figures[language][region].values()]
        ov = overview.gather(as_of, language, project=project, min_grade=min_grade)
        pages.update(chart_files(drawn + overview_figures(ov), language))
        pages.update(table_files(ov))
    pages[EDITION_FILE] = json.dumps(edition.__dict__, ensure_ascii=False, indent=1) + "\n"
    return pages


def write_pages(root: Path, fingerprint: str, min_grade: str | None = None) -> bool:
    """Write the generated pages unless they were written from the same inputs; True when rewritten.

    Files of the generated folders that no page claims any more (a target removed) are deleted.
    """
    stamp = root / permalinks.GENERATED_STAMP
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == fingerprint:
        return False
    pages = generate(root, min_grade)
    for folder in [*permalinks.GENERATED_FOLDERS, permalinks.CHARTS_FOLDER, permalinks.DOWNLOADS_FOLDER]:
        for old in (root / folder).rglob("*"):
            if old.is_file() and old.relative_to(root).as_posix() not in pages:
                old.unlink()
    for source, content in pages.items():
        path = root / source
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint + "\n", encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    """`python -m analysis.site.pages ROOT FINGERPRINT [MIN_GRADE]`: what the build runs beside the
    notebooks."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    try:
        write_pages(Path(args[0]), args[1], args[2] if len(args) > 2 else None)
    except Exception as exc:  # one line for the build to show; the traceback stays in its log
        import traceback

        traceback.print_exc()
        print(f"{type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

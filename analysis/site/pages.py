"""Pages the build writes from the data, as .qmd files that Quarto and the offline renderer both render:
one page per target in each language (targets/<id>.qmd, zh/targets/<id>.qmd).

The figures come from the same calls the region notebooks make (`report.region_report`), so a target's
page and its region's page cannot disagree. Each page is markdown headings around raw HTML blocks
(```{=html}), which Quarto passes through untouched.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core import vocabulary
from analysis.core.labels import LANGUAGES, label, pair
from analysis.io.readers import editions
from analysis.pipeline import Project
from analysis.site import changes, data_page, gaps, permalinks, region_charts, report
from analysis.site.charts import format_number
from analysis.site.display import (
    data_download,
    esc,
    figure_text,
    interval_text,
    link,
    markdown_escape,
    missing,
    percent,
    status_badge,
)
from analysis.site.qmd import front_matter, h, raw

EDITION_FILE = f"{permalinks.GENERATED_DATA}/edition.json"


@dataclass(frozen=True)
class Edition:
    """What a reader needs to cite the report: its version, commit, build date, data vintage."""

    version: str
    commit: str
    built: str  # ISO date of the commit the pages were built from (not the clock)
    as_of: int
    latest_year: dict[str, int | None]  # latest observation year of each plan region

    def cite(self, what: str, path: str, language: str) -> str:
        if language == "zh":
            return (
                f"Plan Tracker（规划目标跟踪），{what}。{self.built} 版（数据截至 {self.as_of} 年；"
                f"版本 {self.version}，提交 {self.commit}）。{path}"
            )
        return (
            f"Plan Tracker, {what}. Edition of {self.built} (data up to {self.as_of}; version "
            f"{self.version}, commit {self.commit}). {path}"
        )


def notebook_default(name: str, root: Path, notebook: str = "region.ipynb") -> object:
    """A parameter's default, read from the notebook's parameters cell: the one place it is set."""
    cells = json.loads((root / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            for node in ast.parse("".join(cell["source"])).body:
                if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
                    return ast.literal_eval(node.value)
    raise KeyError(f"notebooks/{notebook} sets no parameter {name!r}")


# ---------------------------------------------------------------- one target's page


def field_list(rows: Iterable[tuple[str, str]]) -> str:
    """Label/value pairs (values already HTML) as a definition list that reflows on a phone."""
    items = "".join(f"<div><dt>{esc(k)}</dt><dd>{v}</dd></div>" for k, v in rows if v)
    return f'<dl class="pt-fields">{items}</dl>'


def grade_of(record: dict) -> str:
    """The source's grade where the observations carry one, else the kind of source it was read from."""
    grade = record.get("grade")
    return str(grade) if not missing(grade) and grade else str(record.get("source_kind") or "")


def grade_text(grade: str, language: str) -> str:
    try:
        return label(f"grade_{grade}", language)
    except Exception:  # a kind of source the label table does not know is shown as written
        return grade


def figures_frame(rr: report.RegionReport, indicator: str) -> pd.DataFrame:
    """Every observation of the region's indicator (used or not), oldest first."""
    rows = rr.observations if "used" in rr.observations else rr.resolved
    own = rows[(rows["region"] == rr.region) & (rows["indicator"] == indicator)]
    return own.sort_values(["year", "source_file", "source_row"]).reset_index(drop=True)


def figures_table(rr: report.RegionReport, indicator: str, language: str) -> str:
    frame = figures_frame(rr, indicator)
    if frame.empty:
        return f"<p>{esc(label('word_no_figures', language))}</p>"
    yes, no = label("word_yes", language), label("word_no", language)
    heads = [
        label(k, language)
        for k in ("col_year", "col_value", "col_grade", "col_used", "col_source", "col_excerpt")
    ]
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{c}</td>"
            for c in (
                esc(r["year"]),
                esc(figure_text(r["qualifier"], r["value"], r["unit"])),
                esc(grade_text(grade_of(r), language)),
                esc(yes if r.get("used", True) else no),
                link(r["source_url"], r["source_url"]),
                f'<small lang="zh">{esc(r["excerpt"])}</small>',
            )
        )
        + "</tr>"
        for r in frame.to_dict("records")
    )
    head = "".join(f"<th>{esc(x)}</th>" for x in heads)
    return (
        f'<div class="pt-table-wrap"><table class="pt-figures"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def summary_html(row: dict, language: str) -> str:
    """The verdict first: status, P(met), latest figure and deadline, readable at a glance."""
    latest = figure_text(row["latest_qualifier"], row["latest_value"], row["unit"])
    tiles = [
        (label("col_status", language), status_badge(row["status"], language, single=True)),
        (label("col_p_met", language), esc(percent(row["p_met"])) or "–"),
        (label("col_latest", language), f"{esc(latest)} ({esc(row['latest_year'])})" if latest else "–"),
        (label("col_target", language), esc(report.target_text(row))),
        (label("col_deadline", language), esc(row["target_year"])),
    ]
    cells = "".join(
        f'<div class="pt-tile"><span class="pt-tile-label">{esc(k)}</span>'
        f'<span class="pt-tile-value">{v}</span></div>'
        for k, v in tiles
    )
    return f'<div class="pt-tiles pt-target-summary">{cells}</div>'


def plan_words_html(row: dict, plan: dict, language: str) -> str:
    quote = f'<blockquote class="pt-quote" lang="zh">{esc(row["quote"])}</blockquote>'
    fields = [
        (label("col_document", language), esc(pair(plan["title_en"], plan["title_zh"], language))),
        (label("col_clause", language), esc(row["clause"])),
        (label("col_issuer", language), esc(plan["issuing_body"])),
        (label("word_statement_en", language), f'<span lang="en">{esc(row["description_en"])}</span>'),
        (label("col_note", language), esc(row["note"])),
    ]
    return quote + field_list(fields)


def measure_html(row: dict, indicator: dict, language: str) -> str:
    base = figure_text("=", row["baseline_value"], row["unit"])
    used_base = figure_text("=", row["base_value"], row["unit"])
    name = pair(indicator["name_en"], indicator["name_zh"], language)
    fields = [
        (label("col_indicator", language), esc(name)),
        (label("col_unit", language), esc(row["unit"])),
        (label("col_direction", language), esc(label(f"direction_{indicator['direction']}", language))),
        (label("col_target", language), esc(report.target_text(row))),
        (label("col_deadline", language), esc(row["target_year"])),
        (
            label("word_stated_base", language),
            esc(f"{base} ({int(row['baseline_year'])})")
            if base and not missing(row["baseline_year"])
            else "",
        ),
        (
            label("word_base_used", language),
            esc(f"{used_base} ({int(row['base_year'])})")
            if used_base and not missing(row["base_year"])
            else "",
        ),
    ]
    return field_list(fields)


def reasoning_html(row: dict, needed: str, language: str) -> str:
    def number(key: str) -> str:
        return "" if missing(row.get(key)) else esc(format_number(float(row[key])))

    fields = [
        (label("col_status", language), status_badge(row["status"], language, single=True)),
        (label("col_status_reason", language), esc(row["reason"])),
        (label("col_gap", language), number("gap")),
        (label("word_observed_pace", language), number("observed_pace")),
        (label("word_required_pace", language), number("required_pace")),
        (label("word_ratio", language), number("pace_ratio")),
        (label("word_ratio_basis", language), esc(row.get("pace_basis"))),
        (label("col_needed", language), esc(needed)),
    ]
    return field_list(fields)


def forecast_value(row: dict) -> str:
    """The forecast with the digits its interval supports (report.honest_digits)."""
    digits = row.get("forecast_decimals")
    if missing(digits):
        return format_number(row["forecast_mean"])
    from analysis.core.precision import fmt

    return fmt(float(row["forecast_mean"]), int(digits))


def forecast_block(row: dict, language: str) -> str:
    if missing(row["forecast_mean"]):
        reason = row.get("method_reason")
        return (
            f"<p>{esc(label('word_no_forecast', language))}"
            + (f' <span lang="en">({esc(reason)})</span>' if not missing(reason) and reason else "")
            + "</p>"
        )
    fields = [
        (label("col_year", language), esc(row["forecast_year"])),
        (label("col_value", language), esc(forecast_value(row))),
        (
            label("col_interval", language),
            esc(
                interval_text(row["forecast_lower80"], row["forecast_upper80"], row.get("forecast_decimals"))
            ),
        ),
        (label("col_p_met", language), esc(percent(row["p_met"]))),
        (label("col_method", language), esc(row["method"])),
        (label("col_model", language), f'<span lang="en">{esc(row.get("model"))}</span>'),
        (label("word_method_reason", language), f'<span lang="en">{esc(row["method_reason"])}</span>'),
    ]
    return field_list(fields)


def target_page(
    rr: report.RegionReport, row: dict, figure, needed: str, edition: Edition, language: str
) -> str:
    """The .qmd text of one target's page."""
    source = permalinks.target_source(row["target_id"], language)
    plan = rr.plans.set_index("file").loc[row["document"]].to_dict()
    indicator = rr.indicators.set_index("indicator_id").loc[row["indicator"]].to_dict()
    title = row["description_en"] if language == "en" else row["description_zh"]
    region_name = label(f"region_{rr.region}", language)
    front = {"title": title, "subtitle": f"{region_name} · {row['target_id']}", "lang": language}
    region_link = permalinks.page_href(f"reports/{rr.region}.ipynb", source)
    back = f'<p class="pt-back"><a href="{esc(region_link)}">← {esc(region_name)}</a></p>'
    download = data_download(
        target_csv(row, figures_frame(rr, row["indicator"])), f"{row['target_id']}.csv", language
    )
    cite = edition.cite(f"“{title}” ({row['target_id']})", permalinks.output_path(source), language)
    chart = (
        figure._repr_mimebundle_()["text/html"]
        if figure is not None
        else f"<p>{esc(label('word_no_chart', language))}</p>"
    )
    parts = [
        front_matter(front),
        raw(permalinks.language_switch(source) + back + summary_html(row, language)),
        h(label("heading_plan_words", language)),
        raw(plan_words_html(row, plan, language)),
        h(label("heading_measure", language)),
        raw(measure_html(row, indicator, language)),
        h(label("heading_chart", language)),
        raw(chart),
        h(label("heading_figures", language)),
        raw(figures_table(rr, row["indicator"], language)),
        h(label("heading_reasoning", language)),
        raw(reasoning_html(row, needed, language)),
        h(label("heading_forecast", language)),
        raw(forecast_block(row, language)),
        h(label("heading_download", language)),
        raw(f"<p>{download}</p>"),
        h(label("heading_cite", language)),
        raw(f'<p class="pt-cite">{esc(cite)}</p>'),
    ]
    return "\n\n".join(parts) + "\n"


TARGET_CSV_COLUMNS = [
    *report.TARGET_CSV_COLUMNS,
    "quote",
    "description_en",
    "reason",
    "needed",
    "method_reason",
]
FIGURE_CSV_COLUMNS = ["year", "qualifier", "value", "unit", "source_url", "source_kind", "used", "excerpt"]


def target_csv(row: dict, figures: pd.DataFrame) -> pd.DataFrame:
    """One table to download: the target (one row) and below it each figure of its indicator."""
    target = pd.DataFrame([{"row_kind": "target", **{c: row.get(c) for c in TARGET_CSV_COLUMNS}}])
    keep = [c for c in FIGURE_CSV_COLUMNS if c in figures]
    shown = figures[keep].assign(row_kind="figure", target_id=row["target_id"])
    return pd.concat([target, shown], ignore_index=True)


# ---------------------------------------------------------------- every target of a region


def region_figures(rr: report.RegionReport) -> dict:
    """The region page's charts, by indicator (the same calls as the notebook's)."""
    return {i: region_charts.indicator_figure(rr, i) for i in region_charts.charted_indicators(rr)}


def region_target_pages(
    reports: dict[str, report.RegionReport], figures_of: dict[str, dict], edition: Edition
) -> dict[str, str]:
    """source path → .qmd text, for every target of one region; `reports` and `figures_of`: the region
    and its charts in each language (the assessment writes its reasons in the page's language)."""
    pages = {}
    for language, rr in reports.items():
        frame = report.targets_frame(rr)
        figures = figures_of[language]
        for row in frame.to_dict("records"):
            source = permalinks.target_source(row["target_id"], language)
            needed = "" if row["status"] != "not_assessable" or missing(row.get("needed")) else row["needed"]
            pages[source] = target_page(rr, row, figures.get(row["indicator"]), needed, edition, language)
    return pages


# ---------------------------------------------------------------- the home page's summary


def region_sentence(rr: report.RegionReport, edition: Edition, language: str) -> str:
    """One line per region: targets, how many can be judged, the status mix, the latest figure's year."""
    frame = report.targets_frame(rr)
    counts = frame["status"].value_counts()
    judged = int(len(frame) - counts.get("not_assessable", 0))
    mix = ", ".join(
        f"{label(f'status_{s}', language)} {int(counts[s])}"
        for s in vocabulary.STATUS_ORDER
        if counts.get(s, 0) and s != "not_assessable"
    )
    latest = edition.latest_year.get(rr.region)
    name = label(f"region_{rr.region}", language)
    href = permalinks.page_href(f"reports/{rr.region}.ipynb", permalinks.in_language("index.qmd", language))
    if language == "zh":
        text = (
            f"{len(frame)} 项目标（{len(rr.plans)} 份规划），其中 {judged} 项可依据截至 {rr.as_of} 年的"
            f"公开数据评估"
            + (f"：{mix}" if mix else "")
            + "；"
            + (f"最新数据年份 {latest} 年。" if latest else "尚无本地区公开数据。")
        )
    else:
        text = (
            f"{len(frame)} targets in {len(rr.plans)} plan(s); {judged} can be judged with the figures "
            f"published up to {rr.as_of}"
            + (f" ({mix})" if mix else "")
            + "; "
            + (f"latest figure from {latest}." if latest else "no figure of the region published yet.")
        )
    return f"- **[{markdown_escape(name)}]({href})**: {markdown_escape(text)}"


def home_summary(reports: dict[str, report.RegionReport], edition: Edition, language: str) -> str:
    lines = [
        h(label("heading_regions", language)),
        "",
        *(region_sentence(rr, edition, language) for rr in reports.values()),
        "",
        h(label("heading_edition", language)),
        "",
    ]
    if language == "zh":
        lines.append(
            markdown_escape(
                f"本版生成于 {edition.built}，使用截至 {edition.as_of} 年的数据；"
                f"Plan Tracker 版本 {edition.version}（提交 {edition.commit}）。"
            )
        )
    else:
        lines.append(
            markdown_escape(
                f"This edition was built on {edition.built} from the figures "
                f"published up to {edition.as_of}, with Plan Tracker version "
                f"{edition.version} (commit {edition.commit})."
            )
        )
    what = (
        "规划目标进展报告"
        if language == "zh"
        else "progress report on the health plans of Guizhou, Guiyang & Gui'an and Bazhong"
    )
    lines += [
        "",
        h(label("heading_cite_report", language)),
        "",
        raw(f'<p class="pt-cite">{esc(edition.cite(what, "index.html", language))}</p>'),
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- writing


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


def edition_pages(
    reports: dict[str, dict[str, report.RegionReport]],
    edition: Edition,
    published: editions.PublishedEdition | None,
) -> dict:
    """The page of what changed since the last published edition, in each language (no edition is
    written: only `plantracker publish` does that)."""
    now = changes.status_table(reports["en"], edition.built)
    before = changes.parse(published.status_text if published else None)
    return {
        permalinks.in_language("changes.qmd", language): changes.changes_page(now, before, language)
        for language in LANGUAGES
    }


def commit_of(root: Path) -> tuple[str, str]:
    """(short hash, ISO date) of the commit the pages are built from: the date a reader sees comes from
    the commit, never the clock, so rebuilding one commit gives the same bytes."""
    import subprocess

    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%h %cs"], cwd=root, capture_output=True, text=True, timeout=10
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        out = []
    return (out[0], out[1]) if len(out) == 2 else ("unknown", "unknown")


def edition_of(
    root: Path,
    as_of: int,
    resolved: pd.DataFrame,
    regions: list[str],
    published: editions.PublishedEdition | None = None,
) -> Edition:
    from importlib import metadata

    try:
        version = metadata.version("plantracker")
    except metadata.PackageNotFoundError:
        version = "unknown"
    commit, date = commit_of(root)
    if date == "unknown" and published is not None:  # not a git checkout: the last published edition
        date = published.date
    latest = {}
    for region in regions:
        years = resolved.loc[(resolved["region"] == region) & (resolved["year"] <= as_of), "year"]
        latest[region] = int(years.max()) if not years.empty else None
    return Edition(version, commit, date, as_of, latest)


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
    figures = {lang: {r: region_figures(reports[lang][r]) for r in regions} for lang in LANGUAGES}
    pages: dict[str, str | bytes] = {}
    for region in regions:
        pages.update(
            region_target_pages(
                {lang: reports[lang][region] for lang in LANGUAGES},
                {lang: figures[lang][region] for lang in LANGUAGES},
                edition,
            )
        )
    pages.update(edition_pages(reports, edition, published))
    for language in LANGUAGES:
        gaps_source = permalinks.in_language("gaps.qmd", language)
        pages[gaps_source] = gaps.gaps_page(reports[language], root, language)
        pages[f"{permalinks.GENERATED_DATA}/home.{language}.md"] = home_summary(
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

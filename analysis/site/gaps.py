"""The data gaps page: for every target that cannot be judged yet, the figure that would decide it,
grouped by statistic (a region's series of one indicator) so that a statistic that unlocks several
targets comes first, with where such figures are usually published and the intake template of exactly
those rows.
"""

from __future__ import annotations

import pandas as pd

from analysis.assessment import reasons
from analysis.core import vocabulary
from analysis.core.labels import label, name_in, sentence, unit_name
from analysis.io.readers.observations import load_rules
from analysis.io.readers.settings import load_publication_sources
from analysis.observations import templates
from analysis.site import permalinks, report
from analysis.site.display import data_download, esc, make_table, marked, missing
from analysis.site.qmd import front_matter, h, raw

GAP_COLUMNS = ["region", "indicator", "target_id", "target_year", "years", "needed"]


def years_needed(row: dict, base_year: int, as_of: int) -> list[int]:
    """The years whose figure would decide the target: its deadline year once that has passed; else a
    recent one (the assessment year) and, without a base stated or observed, the base year."""
    if int(row["target_year"]) <= as_of:
        return [int(row["target_year"])]
    years = [as_of]
    has_base = not missing(row.get("baseline_value")) or not missing(row.get("base_value"))
    if not has_base:
        years.insert(0, base_year)
    return years


def gap_rows(reports: dict[str, report.RegionReport]) -> pd.DataFrame:
    """One row per not-assessable target of every region: the statistic, the years, the figure needed."""
    rows = []
    for rr in reports.values():
        frame = report.targets_frame(rr)
        for r in frame[frame["status"] == vocabulary.NOT_ASSESSABLE].to_dict("records"):
            rows.append(
                {
                    "region": rr.region,
                    "indicator": r["indicator"],
                    "target_id": r["target_id"],
                    "target_year": int(r["target_year"]),
                    "years": years_needed(r, rr.base_year, rr.as_of),
                    "needed": "" if missing(r.get("needed")) else str(r["needed"]),
                }
            )
    return pd.DataFrame(rows, columns=GAP_COLUMNS)


def statistics(gaps: pd.DataFrame) -> pd.DataFrame:
    """The gaps grouped by statistic, the one that unlocks most targets first."""
    if gaps.empty:
        return pd.DataFrame(columns=["region", "indicator", "targets", "target_ids", "years"])
    grouped = gaps.groupby(["region", "indicator"], sort=False).agg(
        targets=("target_id", "size"),
        target_ids=("target_id", list),
        years=("years", lambda ys: sorted({y for year_list in ys for y in year_list})),
    )
    grouped = grouped.reset_index().sort_values(
        ["targets", "region", "indicator"], ascending=[False, True, True], kind="stable"
    )
    return grouped.reset_index(drop=True).assign(rank=lambda f: range(1, len(f) + 1))


def unlocks_html(target_ids: list[str], source: str) -> str:
    return ", ".join(permalinks.target_link(t, source) for t in target_ids)


def gaps_table(
    stats: pd.DataFrame, rr_any: report.RegionReport, publications: pd.DataFrame, source: str, language: str
):
    """The statistics to go and find, ranked: each with the targets it would let us judge."""
    meta = rr_any.indicators.set_index("indicator_id")
    records = stats.to_dict("records")
    cells, keys = [], []
    for r in records:
        ind = meta.loc[r["indicator"]]
        name = name_in(ind["name_en"], ind["name_zh"], language)
        where = reasons.where_published(
            publications, {"indicator_id": r["indicator"], **ind.to_dict()}, language
        )
        region = label(f"region_{r['region']}", language)
        cells.append(
            [
                esc(r["rank"]),
                f"{esc(name)}<br><small>{esc(unit_name(ind['unit'], language))}</small>",
                esc(region),
                f"<strong>{esc(r['targets'])}</strong>: {unlocks_html(r['target_ids'], source)}",
                esc(", ".join(str(y) for y in r["years"])),
                marked(where),
            ]
        )
        keys.append([region])
    columns = [
        ("rank", "col_rank"),
        ("indicator", "col_statistic"),
        ("region", "col_region"),
        ("unlocks", "col_unlocks"),
        ("years", "col_years_needed"),
        ("where", "col_where_published"),
    ]
    data = stats.assign(
        target_ids=[" ".join(t) for t in stats["target_ids"]],
        years=[" ".join(str(y) for y in ys) for ys in stats["years"]],
    )
    return make_table(
        "data-gaps",
        columns,
        cells,
        data[["rank", "region", "indicator", "targets", "years", "target_ids"]],
        language,
        numeric=["rank"],
        filters=["region"],
        filter_values=keys,
        search=True,
        cards=True,
    )


def template_rows(stats: pd.DataFrame, reports: dict[str, report.RegionReport], root) -> pd.DataFrame:
    """The researchers' intake template, exactly the rows of the statistics listed (figures already
    known filled in); an exact figure's '=' left blank, which the intake reads as '='."""
    rules = load_rules(root)
    parts = []
    for region, group in stats.groupby("region", sort=False):
        rr = reports[region]
        frame = templates.template_frame(region, rr.targets, rr.indicators, rr.resolved, rules)
        wanted = {(i, y) for i, ys in zip(group["indicator"], group["years"], strict=True) for y in ys}
        keep = [(i, y) in wanted for i, y in zip(frame["indicator"], frame["year"], strict=True)]
        parts.append(frame[keep])
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    return out.assign(qualifier=out["qualifier"].replace("=", ""))


def gaps_page(reports: dict[str, report.RegionReport], root, language: str) -> str:
    """The .qmd text of the data gaps page in one language."""
    source = permalinks.in_language("gaps.qmd", language)
    gaps = gap_rows(reports)
    stats = statistics(gaps)
    total = sum(len(rr.targets) for rr in reports.values())
    several = int((stats["targets"] > 1).sum()) if not stats.empty else 0
    intro = sentence(
        "page_gaps_intro", language, total=total, gaps=len(gaps), stats=len(stats), several=several
    )
    how = label("page_gaps_how", language)
    template = data_download(template_rows(stats, reports, root), "data-gaps-template.csv", language)
    table = gaps_table(stats, next(iter(reports.values())), load_publication_sources(root), source, language)
    from analysis.site.permalinks import language_switch

    parts = [
        front_matter({"title": label("heading_gaps", language), "lang": language}),
        raw(language_switch(source)),
        raw(f"<p>{esc(intro)}</p>"),
        h(label("heading_template", language)),
        raw(f"<p>{esc(how)}</p><p>{template}</p>"),
        h(label("heading_statistics", language)),
        raw(table.to_html()),
    ]
    return "\n\n".join(parts) + "\n"

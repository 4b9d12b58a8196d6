"""The home page's summary (_generated/home.<language>.md, which index.qmd includes): a line per region
on how its targets stand, and the edition the reader is looking at with how to cite it.
"""

from __future__ import annotations

from analysis.core import vocabulary
from analysis.core.labels import label
from analysis.site import permalinks, report
from analysis.site.display import esc, markdown_escape
from analysis.site.edition import Edition
from analysis.site.qmd import h, raw


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

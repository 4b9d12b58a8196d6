"""The home page's summary (_generated/home.<language>.md, which index.qmd includes): a line per region
on how its targets stand, and the edition the reader is looking at with how to cite it.
"""

from __future__ import annotations

from analysis.core import vocabulary
from analysis.core.labels import label, listed, sentence
from analysis.site import permalinks, report
from analysis.site.display import esc, markdown_escape
from analysis.site.edition import Edition
from analysis.site.qmd import h, raw


def region_sentence(rr: report.RegionReport, edition: Edition, language: str) -> str:
    """One line per region: targets, how many can be judged, the status mix, the latest figure's year."""
    frame = report.targets_frame(rr)
    counts = frame["status"].value_counts()
    judged = int(len(frame) - counts.get("not_assessable", 0))
    mix = listed(
        (
            f"{label(f'status_{s}', language)} {int(counts[s])}"
            for s in vocabulary.STATUS_ORDER
            if counts.get(s, 0) and s != "not_assessable"
        ),
        language,
    )
    latest = edition.latest_year.get(rr.region)
    name = label(f"region_{rr.region}", language)
    href = permalinks.page_href(f"reports/{rr.region}.ipynb", permalinks.in_language("index.qmd", language))
    key = "page_home_region_one_plan" if len(rr.plans) == 1 else "page_home_region"
    text = sentence(
        key,
        language,
        n_targets=len(frame),
        n_plans=len(rr.plans),
        judged=judged,
        as_of=rr.as_of,
        mix=sentence("page_home_mix", language, mix=mix) if mix else "",
        latest=sentence("page_home_latest", language, year=latest)
        if latest
        else label("page_home_no_latest", language),
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
    lines.append(
        markdown_escape(
            sentence(
                "page_home_edition",
                language,
                built=edition.built,
                as_of=edition.as_of,
                version=edition.version,
                commit=edition.commit,
            )
        )
    )
    what = label("page_home_cite_what", language)
    lines += [
        "",
        h(label("heading_cite_report", language)),
        "",
        raw(f'<p class="pt-cite">{esc(edition.cite(what, "index.html", language))}</p>'),
        "",
    ]
    return "\n".join(lines)

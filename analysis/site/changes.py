"""What changed since the last published edition: `plantracker publish` freezes the status table of
every target into reports/editions/<date>/ (committed with the data); the changes page compares the
current figures with the last such edition and lists what moved — new figures, status changes, targets
that became assessable.

Builds never write an edition: rebuilding twice on one day, or a build with `--min-grade`, leaves the
comparison with the published edition as it was.
"""

from __future__ import annotations

import io

import pandas as pd

from analysis.core import vocabulary
from analysis.core.labels import label, sentence
from analysis.site import permalinks, report
from analysis.site.display import esc, figure_text, make_table, status_badge
from analysis.site.qmd import front_matter, h, raw

EDITION_COLUMNS = [
    "edition",
    "target_id",
    "region",
    "status",
    "latest_qualifier",
    "latest_value",
    "latest_year",
]
COMPARED = ["status", "latest_qualifier", "latest_value", "latest_year"]


def status_table(reports: dict[str, report.RegionReport], edition: str) -> pd.DataFrame:
    """Every target's status and latest figure: what an edition is compared on."""
    frames = [report.targets_frame(rr).assign(region=rr.region) for rr in reports.values()]
    frame = pd.concat(frames, ignore_index=True).assign(edition=edition)
    return frame[EDITION_COLUMNS].sort_values("target_id").reset_index(drop=True)


def as_text(frame: pd.DataFrame) -> str:
    """The table as stored (plain CSV: it is read back here, never opened in a spreadsheet)."""
    return frame.to_csv(index=False, lineterminator="\n")


def parse(text: str | None) -> pd.DataFrame:
    if not text:
        return pd.DataFrame(columns=EDITION_COLUMNS)
    frame = pd.read_csv(io.StringIO(text), dtype={"latest_year": "Int64"}, keep_default_na=True)
    return frame.reindex(columns=EDITION_COLUMNS)


def same_edition(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Two status tables of one edition: the same targets with the same status and latest figure."""
    key = ["target_id", *COMPARED]

    def canonical(frame: pd.DataFrame) -> pd.DataFrame:  # as stored and read back: one way of writing
        return parse(as_text(frame))[key].astype(str).sort_values("target_id").reset_index(drop=True)

    return canonical(a).equals(canonical(b))


def changes(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Each target whose status or latest figure moved, with what moved."""
    merged = current.merge(previous, on="target_id", how="left", suffixes=("", "_before"), indicator=True)
    rows = []
    for r in merged.to_dict("records"):
        if r["_merge"] == "left_only":
            rows.append({**r, "change": "new_target"})
            continue
        moved_status = str(r["status"]) != str(r["status_before"])
        new_figure = any(
            str(r[c]) != str(r[f"{c}_before"]) for c in ("latest_qualifier", "latest_value", "latest_year")
        )
        if not (moved_status or new_figure):
            continue
        if r["status_before"] == vocabulary.NOT_ASSESSABLE and r["status"] != vocabulary.NOT_ASSESSABLE:
            kind = "became_assessable"
        elif moved_status:
            kind = "status_changed"
        else:
            kind = "new_figure"
        rows.append({**r, "change": kind})
    return pd.DataFrame(rows)


CHANGE_ORDER = ["became_assessable", "status_changed", "new_figure", "new_target"]


def before_badge(row: dict, language: str) -> str:
    before = row.get("status_before")
    return status_badge(before, language, single=True) if isinstance(before, str) else "–"


def changes_table(moved: pd.DataFrame, source: str, language: str):
    records = moved.to_dict("records")
    cells = [
        [
            permalinks.target_link(r["target_id"], source),
            esc(label(f"region_{r['region']}", language)),
            esc(label(f"change_{r['change']}", language)),
            f"{before_badge(r, language)} → {status_badge(r['status'], language, single=True)}",
            esc(figure_text(r.get("latest_qualifier_before"), r.get("latest_value_before")) or "–")
            + " → "
            + esc(figure_text(r["latest_qualifier"], r["latest_value"]) or "–"),
        ]
        for r in records
    ]
    columns = [
        ("target", "col_target_id"),
        ("region", "col_region"),
        ("change", "col_change"),
        ("status", "col_status"),
        ("latest", "col_latest"),
    ]
    keys = [[label(f"change_{r['change']}", language)] for r in records]
    data = (
        moved[
            [
                "target_id",
                "region",
                "change",
                "status_before",
                "status",
                "latest_value_before",
                "latest_value",
                "latest_year_before",
                "latest_year",
            ]
        ]
        if len(moved)
        else moved
    )
    return make_table(
        "changes",
        columns,
        cells,
        data,
        language,
        filters=["change"],
        filter_values=keys,
        search=True,
        cards=True,
    )


def changes_page(current: pd.DataFrame, previous: pd.DataFrame, language: str) -> str:
    source = permalinks.in_language("changes.qmd", language)
    parts = [
        front_matter({"title": label("heading_changes", language), "lang": language}),
        raw(permalinks.language_switch(source)),
    ]
    if previous.empty:
        parts.append(raw(f"<p>{esc(label('word_first_edition', language))}</p>"))
        return "\n\n".join(parts) + "\n"
    moved = changes(previous, current)
    before, now = str(previous["edition"].iloc[0]), str(current["edition"].iloc[0])
    counts = moved["change"].value_counts() if len(moved) else pd.Series(dtype=int)
    summary = ("；" if language == "zh" else "; ").join(
        f"{label(f'change_{k}', language)}: {int(counts.get(k, 0))}" for k in CHANGE_ORDER
    )
    intro = sentence("page_changes_intro", language, now=now, before=before, summary=summary)
    parts.append(raw(f"<p>{esc(intro)}</p>"))
    if len(moved):
        order = {k: i for i, k in enumerate(CHANGE_ORDER)}
        moved = moved.assign(_o=moved["change"].map(order)).sort_values(["_o", "target_id"])
        table = changes_table(moved.drop(columns="_o"), source, language)
        parts += [h(label("heading_what_moved", language)), raw(table.to_html())]
    else:
        parts.append(raw(f"<p>{esc(label('word_nothing_moved', language))}</p>"))
    return "\n\n".join(parts) + "\n"

"""What the command line prints: summaries of the catalogue and the observations, and the conflicts
with both sources. Only analysis.cli.commands imports this module; it takes tables, never files.
"""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from analysis.cli.layout import INDENT, Column, emit, paragraph, say, table
from analysis.cli.words import count, word
from analysis.core.errors import PlanTrackerError
from analysis.core.labels import label
from analysis.core.schema import OBSERVATION_KEY as GROUP
from analysis.observations.conflicts import figure
from analysis.pipeline import Project


def _cell(row) -> str:
    flag = "*" if row.conflict else ""
    agree = f" ({row.n_sources})" if row.n_sources > 1 else ""
    return f"{row.year}: {figure(row.qualifier, row.value)}{flag}{agree}"


def coverage_table(resolved: pd.DataFrame) -> pd.DataFrame:
    """Per region and indicator: the years with a figure and the figures, conflicts starred."""
    rows = []
    for (region, indicator), group in resolved.groupby(["region", "indicator"], sort=True):
        rows.append(
            {
                "region": region,
                "indicator": indicator,
                "unit": group["unit"].iloc[0],
                "years": len(group),
                "conflicts": int(group["conflict"].sum()),
                "values": "  ".join(_cell(r) for r in group.sort_values("year").itertuples()),
            }
        )
    return pd.DataFrame(rows, columns=["region", "indicator", "unit", "years", "conflicts", "values"])


def _source_line(label: str, qualifier: str, value: float, kind: str, url: str, file: str, row: int) -> str:
    return f"{label:<8} {figure(qualifier, value):<10} {kind or 'no kind':<20} {url} ({file} row {row})"


def _source(console: Console, line: str, excerpt: str) -> None:
    emit(console, [INDENT + text for text in paragraph(line, console.width - 2, INDENT * 5)])
    emit(console, [INDENT * 5 + text for text in paragraph(f"“{excerpt}”", console.width - 10)])


def print_conflicts(console, table: pd.DataFrame) -> None:
    """Each disagreement: the used figure and every differing one, with kind, URL, file:row and excerpt."""
    if table.empty:
        say(console, "No conflicts: every region, indicator and year has sources that agree.")
        return
    for (region, indicator, year), group in table.groupby(GROUP, sort=True):
        first = group.iloc[0]
        say(console, f"{region} · {indicator} · {year}", INDENT)
        used = _source_line(
            "used",
            first.used_qualifier,
            first.used_value,
            first.used_source_kind,
            first.used_source_url,
            first.used_source_file,
            first.used_source_row,
        )
        _source(console, used, first.used_excerpt)
        for other in group.itertuples():
            line = _source_line(
                "differs",
                other.other_qualifier,
                other.other_value,
                other.other_source_kind,
                other.other_source_url,
                other.other_source_file,
                other.other_source_row,
            )
            rounded = " (the same figure, rounded differently)" if other.agrees_when_rounded else ""
            _source(console, line + rounded, other.other_excerpt)
        emit(console, [INDENT + t for t in paragraph(f"why: {first.reason}", console.width - 2, INDENT)])


OBSERVATION_COLUMNS = (
    Column(word("indicator")),
    Column(word("unit"), wrap=True),
    Column(word("years"), right=True),
    Column(word("values")),
)


def print_observations(
    console: Console,
    frame: pd.DataFrame,
    resolved: pd.DataFrame,
    pairs: pd.DataFrame,
    conflicts: bool = False,
) -> None:
    """What data there is per region, indicator and year; with `conflicts`, each disagreement and sources."""
    disagree = int(resolved["conflict"].sum())
    say(
        console,
        f"{count(len(frame), 'observation_row')} from {count(frame['source_file'].nunique(), 'file')}: "
        f"{count(len(resolved), 'region_indicator_year')}, {disagree} with sources that disagree.",
    )
    if conflicts:
        print_conflicts(console, pairs)
        return
    for region, group in coverage_table(resolved).groupby("region", sort=True):
        rows = [
            [r.indicator, str(r.unit), str(r.years), tuple(r.values.split("  "))] for r in group.itertuples()
        ]
        emit(console, ["", f"{region}"])
        emit(console, table(OBSERVATION_COLUMNS, rows, console.width))
    console.out("")
    say(console, word("values_legend"))


def _count_table(title: str, counts: pd.Series, label: str, width: int) -> list[str]:
    rows = [[str(key), str(n)] for key, n in counts.items()]
    return ["", title, *table((Column(label), Column(word("targets"), right=True)), rows, width)]


TARGET_ROW_COLUMNS = (
    Column(word("target_id")),
    Column(word("target"), wrap=True),
    Column(word("year"), right=True),
    Column(word("what"), wrap=True),
)


def _rows_table(targets: pd.DataFrame, width: int) -> list[str]:
    """Every target: its id whole (on a line of its own when the row does not fit beside it), what it
    promises and by when; every column of the catalogue is in `--format csv`."""
    rows = [
        [
            str(r["target_id"]),
            f"{r['comparator']} {r['target_value']:g} {r['unit']}",
            str(r["target_year"]),
            str(r["description_en"]),
        ]
        for _, r in targets.iterrows()
    ]
    return ["", word("targets_heading"), *table(TARGET_ROW_COLUMNS, rows, width)]


def print_targets(
    console: Console,
    targets: pd.DataFrame,
    indicators: pd.DataFrame,
    region: str | None = None,
    rows: bool = False,
) -> None:
    """Counts of targets by region, year, theme and kind (and every row on request)."""
    if region is not None:
        targets = targets[targets["region"].eq(region)]
    themes = indicators.set_index("indicator_id")["theme"]
    targets = targets.assign(theme=targets["indicator"].map(themes).fillna("(unknown indicator)"))
    say(
        console,
        f"{count(len(targets), 'target')} in {count(targets['document'].nunique(), 'document')}"
        + (f" of {region}" if region else ""),
    )
    if targets.empty:
        return
    for column, title in [
        ("region", word("by_region")),
        ("target_year", word("by_year")),
        ("theme", word("by_theme")),
        ("kind", word("by_kind")),
    ]:
        counts = targets[column].value_counts().sort_index()
        emit(console, _count_table(title, counts, column, console.width))
    if rows:
        emit(console, _rows_table(targets, console.width))


# --- `plantracker status` --------------------------------------------------------------------------


def status_frame(regions: list[str], project: Project, as_of: int | None = None) -> pd.DataFrame:
    """Every target of these regions with its status, figures, forecast and reason, as the region pages
    compute them (`as_of`: the year the reports are judged in, unless given)."""
    from analysis.site import region_data
    from analysis.site.edition import notebook_default

    year = int(as_of if as_of is not None else notebook_default("as_of", project.root))
    frames = [
        region_data.targets_frame(region_data.region_report(region, year, "en", project=project))
        for region in regions
    ]
    frame = pd.concat(frames, ignore_index=True)
    return frame.assign(as_of=year)


STATUS_TABLE_COLUMNS = ("target", "status", "latest", "due", "P(met)")


def _number(value) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):g}"


def _status_word(status: str) -> str:
    try:
        return label(f"status_{status}", "en")
    except PlanTrackerError:
        return str(status)


STATUS_COLUMNS = (
    Column(word("target")),
    Column(word("status")),
    Column(word("latest"), right=True),
    Column(word("due"), right=True),
    Column(word("p_met"), right=True),
)


def _latest(row: dict) -> str:
    if pd.isna(row.get("latest_value")):
        return "–"
    qualifier = row.get("latest_qualifier")
    shown = qualifier if qualifier not in ("=", None) and not pd.isna(qualifier) else ""
    return f"{shown}{_number(row['latest_value'])} ({int(row['latest_year'])})"


def print_status(console: Console, frame: pd.DataFrame) -> None:
    """Each target's status, latest figure, deadline and P(met) in a table within the terminal (80
    columns when not on one; each id whole, on a line of its own when the row does not fit beside it),
    then each target's reason; every column is in --format csv."""
    rows = [
        [
            str(row["target_id"]),
            _status_word(row["status"]),
            _latest(row),
            str(int(row["target_year"])),
            "–" if pd.isna(row.get("p_met")) else f"{float(row['p_met']):.2f}",
        ]
        for row in frame.to_dict("records")
    ]
    emit(console, table(STATUS_COLUMNS, rows, console.width))
    emit(console, ["", word("why")])
    for row in frame.to_dict("records"):
        say(console, f"{row['target_id']}: {row.get('reason') or ''}", INDENT)

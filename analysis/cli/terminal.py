"""What the command line prints: summaries of the catalogue and the observations, and the conflicts
with both sources. Only analysis.cli.commands imports this module; it takes tables, never files.
"""

from __future__ import annotations

import functools

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

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
    return f"  {label:<8} {figure(qualifier, value):<10} {kind or 'no kind':<20} {url}  ({file} row {row})"


def print_conflicts(console, table: pd.DataFrame) -> None:
    """Each disagreement: the used figure and every differing one, with kind, URL, file:row and excerpt."""
    if table.empty:
        console.print("No conflicts: every region, indicator and year has sources that agree.")
        return
    say = functools.partial(console.print, markup=False, highlight=False, soft_wrap=True)
    for (region, indicator, year), group in table.groupby(GROUP, sort=True):
        first = group.iloc[0]
        say(f"{region} · {indicator} · {year}")
        say(
            _source_line(
                "used",
                first.used_qualifier,
                first.used_value,
                first.used_source_kind,
                first.used_source_url,
                first.used_source_file,
                first.used_source_row,
            )
        )
        say(f"{'':11}“{first.used_excerpt}”")
        for other in group.itertuples():
            say(
                _source_line(
                    "differs",
                    other.other_qualifier,
                    other.other_value,
                    other.other_source_kind,
                    other.other_source_url,
                    other.other_source_file,
                    other.other_source_row,
                )
                + (" (the same figure, rounded differently)" if other.agrees_when_rounded else "")
            )
            say(f"{'':11}“{other.other_excerpt}”")
        say(f"  why: {first.reason}")


def print_observations(
    console: Console,
    frame: pd.DataFrame,
    resolved: pd.DataFrame,
    pairs: pd.DataFrame,
    conflicts: bool = False,
) -> None:
    """What data there is per region, indicator and year; with `conflicts`, each disagreement and sources."""
    console.print(
        f"{len(frame)} observation rows from {frame['source_file'].nunique()} file(s): "
        f"{len(resolved)} region-indicator-years, {int(resolved['conflict'].sum())} with sources "
        "that disagree.",
        highlight=False,
    )
    if conflicts:
        print_conflicts(console, pairs)
        return
    table = Table(
        "region",
        "indicator",
        "unit",
        "years",
        "values",
        caption="values: the figure used per year; * sources disagree (see --conflicts); (n) n sources agree",
    )
    table.columns[1].no_wrap = True
    for row in coverage_table(resolved).itertuples():
        table.add_row(row.region, row.indicator, row.unit, str(row.years), row.values)
    console.print(table)


def _count_table(title: str, counts: pd.Series, label: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(label)
    table.add_column("targets", justify="right")
    for key, n in counts.items():
        table.add_row(str(key), str(n))
    return table


def _rows_table(targets: pd.DataFrame) -> Table:
    """Every target in four columns that wrap within the terminal (80 columns off one); every column of
    the catalogue is in `--format csv`."""
    table = Table(title="Targets", title_justify="left", pad_edge=False)
    table.add_column("target_id", overflow="fold", ratio=3)
    table.add_column("target", overflow="fold", ratio=2)
    table.add_column("year", no_wrap=True)
    table.add_column("what", overflow="fold", ratio=4)
    for _, r in targets.iterrows():
        table.add_row(
            escape(r["target_id"]),
            escape(f"{r['comparator']} {r['target_value']:g} {r['unit']}"),
            str(r["target_year"]),
            escape(r["description_en"]),
        )
    return table


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
    console.print(
        f"{len(targets)} targets in {targets['document'].nunique()} document(s)"
        + (f" of {region}" if region else "")
    )
    for column, title in [
        ("region", "By region"),
        ("target_year", "By year"),
        ("theme", "By theme"),
        ("kind", "By kind"),
    ]:
        counts = targets[column].value_counts().sort_index()
        console.print(_count_table(title, counts, column))
    if rows:
        console.print(_rows_table(targets))


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


def print_status(console: Console, frame: pd.DataFrame) -> None:
    """Each target's status, latest figure, deadline and P(met) in a table that wraps within the
    terminal (80 columns when not on one), then each target's reason; every column is in --format csv."""
    table = Table(show_header=True, header_style="bold", expand=False, pad_edge=False)
    table.add_column("target", overflow="fold", ratio=3, min_width=16)
    table.add_column("status", overflow="fold", ratio=2, min_width=8)
    table.add_column("latest", justify="right", no_wrap=True)
    table.add_column("due", justify="right", no_wrap=True)
    table.add_column("P(met)", justify="right", no_wrap=True)
    for row in frame.to_dict("records"):
        latest = (
            "–"
            if pd.isna(row.get("latest_value"))
            else (
                f"{row.get('latest_qualifier') if row.get('latest_qualifier') not in ('=', None) else ''}"
                f"{_number(row['latest_value'])} ({int(row['latest_year'])})"
            )
        )
        p_met = "–" if pd.isna(row.get("p_met")) else f"{float(row['p_met']):.2f}"
        table.add_row(
            escape(str(row["target_id"])),
            _status_word(row["status"]),
            latest,
            str(int(row["target_year"])),
            p_met,
        )
    console.print(table)
    console.print()
    for row in frame.to_dict("records"):
        console.print(
            f"[bold]{escape(str(row['target_id']))}[/bold]: {escape(str(row.get('reason') or ''))}",
            highlight=False,
            markup=True,
        )

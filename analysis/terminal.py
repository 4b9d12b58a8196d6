"""What the command line prints: summaries of the catalogue and the observations, and the conflicts
with both sources. Only analysis.cli imports this module; it takes tables, never files.
"""

from __future__ import annotations

import functools

import pandas as pd
from rich.console import Console
from rich.table import Table

from analysis.conflicts import figure
from analysis.schema import OBSERVATION_KEY as GROUP


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
    table = Table(title="Targets", title_justify="left")
    columns = ["target_id", "comparator", "target_value", "unit", "target_year", "kind", "description_en"]
    for column in columns:
        table.add_column(column, overflow="fold")
    for _, r in targets.iterrows():
        table.add_row(
            r["target_id"],
            r["comparator"],
            f"{r['target_value']:g}",
            r["unit"],
            str(r["target_year"]),
            r["kind"],
            r["description_en"],
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

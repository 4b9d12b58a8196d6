"""The overview page's charts, which set the regions side by side: the status mix of each region's
targets, and one indicator's figures and targets across regions.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from analysis.core.labels import label
from analysis.site.charts import (
    HEIGHT,
    NARROW_HEIGHT,
    NARROW_WIDTH,
    WIDTH,
    chart_title,
    point_text,
    year_axis,
)
from analysis.site.figures import Figure, import_altair, make_figure

STATUS_COLOURS = {
    "achieved": "#2b8a3e",
    "on_track": "#66a80f",
    "needs_acceleration": "#f59f00",
    "limited_progress": "#e8590c",
    "moving_away": "#c92a2a",
    "missed": "#862e9c",
    "not_assessable": "#adb5bd",
}


def numbers_table(columns: tuple[str, ...], cells: list[list], language: str) -> str:
    """A chart's numbers as a plain HTML table (shown under "the numbers"): column labels, cells escaped."""
    head = "".join(f"<th>{html.escape(label(k, language))}</th>" for k in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in cells
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def status_mix_figure(counts: pd.DataFrame, statuses: list[str], language: str, **extra) -> Figure:
    """Stacked bars: targets of each region by status. counts: region_label, status, targets."""
    alt = import_altair()

    names = [label(f"status_{s}", language) for s in statuses]
    data = counts.assign(
        status_label=[label(f"status_{s}", language) for s in counts["status"]],
        order=[statuses.index(s) for s in counts["status"]],
    )

    def drawn(width: int, columns: int):  # the wide drawing, and a phone's (its text at full size)
        return (
            alt.Chart(data)
            .mark_bar()
            .encode(
                y=alt.Y("region_label:N", title=None, sort=None),
                x=alt.X("targets:Q", title=label("col_n_targets", language), stack="zero"),
                color=alt.Color(
                    "status_label:N",
                    title=None,
                    sort=names,
                    scale=alt.Scale(domain=names, range=[STATUS_COLOURS[s] for s in statuses]),
                    legend=alt.Legend(orient="bottom", columns=columns),
                ),
                order=alt.Order("order:Q"),
                tooltip=["region_label:N", "status_label:N", "targets:Q"],
            )
            .properties(width=width, height=40 * max(counts["region_label"].nunique(), 1))
        )

    chart, narrow = drawn(WIDTH, 3), drawn(NARROW_WIDTH - 140, 2)
    rows = data[data["targets"] > 0]
    sentence = " | ".join(
        f"{region}: "
        + "; ".join(f"{s} {n}" for s, n in zip(group["status_label"], group["targets"], strict=True))
        for region, group in rows.groupby("region_label", sort=False)
    )
    table_html = numbers_table(
        ("col_region", "col_status", "col_n_targets"),
        [[r["region_label"], r["status_label"], int(r["targets"])] for r in rows.to_dict("records")],
        language,
    )
    return make_figure(
        chart.configure_view(stroke=None),
        "chart-status-mix",
        label("heading_status_mix", language),
        sentence,
        table_html,
        language,
        narrow=narrow.configure_view(stroke=None),
        **extra,
    )


COMPARISON_SHAPES = {
    "observed": "circle",
    "upper_bound": "triangle-down",
    "lower_bound": "triangle-up",
    "target": "diamond",
}


REGION_COLOURS = ["#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9", "#8a939c"]  # the last: the national series


def comparison_figure(
    frame: pd.DataFrame,
    chart_id: str,
    title: str,
    subtitle: str,
    y_title: str,
    language: str,
    regions: list[str],
    **extra,
) -> Figure:
    """One indicator across regions: each region's figures (bounds as triangles) and targets (hollow).

    frame: region_label, series (observed, upper_bound, lower_bound, target), year, qualifier, value;
    regions: every region label in a fixed order, the national series last, so that a region keeps its
    colour from one chart to the next.
    """
    alt = import_altair()

    data = frame.assign(
        kind=[label(f"series_{s}", language) for s in frame["series"]],
        shown=[point_text({**r, "lower80": math.nan}) for r in frame.to_dict("records")],
    )
    kinds = [k for k in COMPARISON_SHAPES if k in set(frame["series"])]
    years = year_axis(alt, frame["year"])
    value = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False, padding=12))
    own = [REGION_COLOURS[i % (len(REGION_COLOURS) - 1)] for i in range(len(regions) - 1)]
    palette = dict(zip(regions, own + REGION_COLOURS[-1:], strict=True))
    shown = [r for r in regions if r in set(frame["region_label"])]
    colour = alt.Color(
        "region_label:N",
        title=None,
        legend=alt.Legend(orient="bottom"),
        scale=alt.Scale(domain=shown, range=[palette[r] for r in shown]),
    )
    domain = [label(f"series_{k}", language) for k in kinds]
    shape = alt.Shape(
        "kind:N",
        title=None,
        legend=alt.Legend(orient="bottom"),
        scale=alt.Scale(domain=domain, range=[COMPARISON_SHAPES[k] for k in kinds]),
    )
    tooltip = ["region_label:N", "kind:N", alt.Tooltip("year:Q", format="d"), "shown:N"]
    observed = data[data["series"] == "observed"]
    layers = (
        []
        if observed.empty
        else [alt.Chart(observed).mark_line().encode(x=years, y=value, color=colour, detail="region_label:N")]
    )
    points = data[data["series"] != "target"]
    if not points.empty:
        layers.append(
            alt.Chart(points)
            .mark_point(filled=True, size=60, opacity=1)
            .encode(x=years, y=value, color=colour, shape=shape, tooltip=tooltip)
        )
    targets = data[data["series"] == "target"]
    if not targets.empty:
        layers.append(
            alt.Chart(targets)
            .mark_point(filled=False, size=170, strokeWidth=2, opacity=1)
            .encode(x=years, y=value, color=colour, shape=shape, tooltip=tooltip)
        )
    chart = alt.layer(*layers).properties(
        width=WIDTH, height=HEIGHT, title=chart_title(alt, title, subtitle, WIDTH)
    )
    narrow = alt.layer(*layers).properties(
        width=NARROW_WIDTH, height=NARROW_HEIGHT, title=chart_title(alt, title, subtitle, NARROW_WIDTH)
    )
    sentence = " | ".join(
        f"{region} — "
        + "; ".join(
            f"{k} {y}: {t}" for k, y, t in zip(group["kind"], group["year"], group["shown"], strict=True)
        )
        for region, group in data.groupby("region_label", sort=False)
    )
    table_html = numbers_table(
        ("col_region", "col_kind", "col_year", "col_value"),
        [[r["region_label"], r["kind"], r["year"], r["shown"]] for r in data.to_dict("records")],
        language,
    )
    return make_figure(
        chart.configure_view(stroke=None),
        chart_id,
        f"{title} · {subtitle} ({y_title})",
        sentence,
        table_html,
        language,
        narrow=narrow.configure_view(stroke=None).configure_legend(columns=1, labelLimit=NARROW_WIDTH // 2),
        **extra,
    )

"""Charts of one indicator: what was observed, the targets, the forecast fan, the national series.

`chart_frame` gathers the points a chart draws, `indicator_chart` draws them with altair, and `figure`
wraps the drawing with its caption and its text alternative (the numbers it shows, as a table and a
sentence) as an analysis.site.figures.Figure, which turns it into static SVG.
"""

from __future__ import annotations

import html
import math
import re

import pandas as pd

from analysis.core.labels import label, label_or
from analysis.core.precision import decimals_of, fmt, interval_decimals
from analysis.site.figures import Figure, import_altair, make_figure

# Layers in drawing and legend order: (series key, mark, shape, colour).
LAYERS = [
    ("national", "line", "circle", "#8a939c"),
    ("observed", "line", "circle", "#0b5cad"),
    ("upper_bound", "point", "triangle-down", "#0b5cad"),
    ("lower_bound", "point", "triangle-up", "#0b5cad"),
    ("forecast", "line", "circle", "#e67700"),
    ("interval", "area", "square", "#f8c58c"),
    ("target", "point", "diamond", "#c92a2a"),
]
BOUND_SERIES = {"<": "upper_bound", "<=": "upper_bound", ">": "lower_bound", ">=": "lower_bound"}
CHART_COLUMNS = ["series", "year", "qualifier", "value", "lower80", "upper80", "note", "decimals"]
WIDTH, HEIGHT = 520, 240
# A phone gets its own drawing at this width (text at full size), not the wide one scaled down.
NARROW_WIDTH, NARROW_HEIGHT = 300, 220


TITLE_SIZE, SUBTITLE_SIZE = 13, 12  # Vega-Lite's default title and subtitle font sizes (px)
WIDE_CHARACTER = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
TOKEN = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+|\s+"
)


def text_width(text: str, size: float) -> float:
    """About how wide `text` is drawn at `size` px: a Chinese character a full em, anything else 0.6 em
    (generous for Latin letters), so that an estimate errs towards shorter lines."""
    wide = len(WIDE_CHARACTER.findall(text))
    return size * (wide + 0.6 * (len(text) - wide))


def title_lines(text: str, width: float, size: float = TITLE_SIZE) -> list[str]:
    """A chart title broken into lines no wider than the chart: Vega-Lite draws a title on one line and
    widens the drawing to hold it, so a long title would shrink the whole chart, labels and all, when
    the page scales it to its column. Breaks between words, and between any two Chinese characters."""
    lines, line = [], ""
    for token in TOKEN.findall(str(text)):
        if line and not token.isspace() and text_width(line + token, size) > width:
            lines.append(line.rstrip())
            line = ""
        line = line + token if line or not token.isspace() else line
    lines.append(line.rstrip())
    return [x for x in lines if x] or [""]


def chart_title(alt, title: str, subtitle: str, width: float):
    """An altair title and subtitle, each wrapped to the chart's width (see title_lines)."""
    lines = title_lines(title, width)
    sub = title_lines(subtitle, width, SUBTITLE_SIZE) if subtitle else [subtitle]
    return alt.Title(
        lines if len(lines) > 1 else lines[0], subtitle=sub if len(sub) > 1 else sub[0], anchor="start"
    )


def format_number(value: float) -> str:
    """A figure as a reader wants it: no float noise, thousands unseparated (years stay years)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    decimals = 0 if abs(value) >= 1000 else 2 if abs(value) >= 1 else 4
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def chart_frame(
    observed: pd.DataFrame, national: pd.DataFrame, targets: pd.DataFrame, forecast: pd.DataFrame
) -> pd.DataFrame:
    """The long table a chart draws and its text alternative lists, one row per point.

    observed / national: year, qualifier, value; targets: target_year, comparator, goal_value, target_id;
    forecast: year, mean, lower80, upper80 (already limited to the years shown).
    """
    rows = []
    own_digits = int(observed["decimals"].max()) if "decimals" in observed and len(observed) else 2
    for r in observed.sort_values("year").to_dict("records"):
        rows.append(
            {
                "series": BOUND_SERIES.get(r["qualifier"], "observed"),
                "year": r["year"],
                "qualifier": r["qualifier"],
                "value": r["value"],
                "note": grade_note(r),
                "decimals": printed_decimals(r),
            }
        )
    for r in national.sort_values("year").to_dict("records"):
        rows.append(
            {
                "series": "national",
                "year": r["year"],
                "qualifier": r["qualifier"],
                "value": r["value"],
                "note": grade_note(r),
                "decimals": printed_decimals(r),
            }
        )
    for r in targets.sort_values(["target_year", "target_id"]).to_dict("records"):
        if not math.isnan(r["goal_value"]):
            rows.append(
                {
                    "series": "target",
                    "year": r["target_year"],
                    "qualifier": r["comparator"],
                    "value": r["goal_value"],
                    "note": r["target_id"],
                    "decimals": min(decimals_of(r["goal_value"]), max(own_digits, 1)),
                }
            )
    for r in forecast.dropna(subset=["mean"]).sort_values("year").to_dict("records"):
        rows.append(
            {
                "series": "forecast",
                "year": r["year"],
                "qualifier": "=",
                "value": r["mean"],
                "lower80": r["lower80"],
                "upper80": r["upper80"],
                "note": r.get("method", ""),
                "decimals": interval_decimals(r["lower80"], r["upper80"], own_digits),
            }
        )
    frame = pd.DataFrame.from_records(rows, columns=CHART_COLUMNS)
    order = {key: i for i, (key, *_) in enumerate(LAYERS)}
    frame = frame.assign(_order=frame["series"].map(order))
    frame = frame.sort_values(["_order", "year", "note"], kind="stable").drop(columns="_order")
    types = {"year": "int64", "value": "float64", "lower80": "float64", "upper80": "float64"}
    frame = frame.fillna({"note": "", "decimals": 2}).astype({**types, "decimals": "int64"})
    return frame.reset_index(drop=True)


def printed_decimals(row: dict) -> int:
    """The decimals a figure was printed with (observations carry them), else as many as it shows."""
    digits = row.get("decimals")
    return decimals_of(float(row["value"])) if digits is None or pd.isna(digits) else int(digits)


def grade_note(row: dict) -> str:
    """A chart point says how good its source is (official, repost …), as the tables do."""
    grade = row.get("figure_grade") or row.get("grade") or ""
    return str(grade).replace("_", " ") if grade and not pd.isna(grade) else str(row.get("note", "") or "")


def year_axis(alt, years: pd.Series):
    """Whole years only, about ten ticks at most: a two-year chart must not read 2020, 2021, 2021."""
    first, last = int(years.min()), int(years.max())
    step = max(1, math.ceil((last - first + 1) / 10))
    ticks = list(range(first, last + 1, step))
    return alt.X(
        "year:Q",
        title=None,
        axis=alt.Axis(format="d", values=ticks),
        scale=alt.Scale(zero=False, nice=False, padding=12),
    )


def joined_fan(frame: pd.DataFrame) -> pd.DataFrame:
    """The forecast rows with the last exact observation before them as their first point (interval of
    zero width), so that the forecast line and its fan start where the observed line ends."""
    forecast = frame[frame["series"] == "forecast"]
    observed = frame[frame["series"] == "observed"]
    if forecast.empty or observed.empty:
        return forecast
    last = observed.sort_values("year").iloc[-1]
    if last["year"] >= forecast["year"].min():
        return forecast
    start = last.to_frame().T.assign(series="forecast", lower80=last["value"], upper80=last["value"])
    return pd.concat([start.astype(forecast.dtypes.to_dict()), forecast], ignore_index=True)


def indicator_chart(
    frame: pd.DataFrame,
    title: str,
    subtitle: str,
    y_title: str,
    language: str,
    width: int = WIDTH,
    height: int = HEIGHT,
):
    """An altair layer chart of a chart_frame: lines for series, triangles for bounds, a fan (joined to
    the last observation), targets drawn last so nothing hides them."""
    alt = import_altair()

    data = frame.assign(
        label=[label(f"series_{s}", language) for s in frame["series"]],
        shown=[point_text(r) for r in frame.to_dict("records")],
    )
    present = [
        key
        for key, *_ in LAYERS
        if key in set(frame["series"]) or (key == "interval" and "forecast" in set(frame["series"]))
    ]
    names = [label(f"series_{k}", language) for k in present]
    style = {key: (shape, colour) for key, _, shape, colour in LAYERS}
    colour = alt.Color(
        "label:N",
        title=None,
        scale=alt.Scale(domain=names, range=[style[k][1] for k in present]),
        legend=alt.Legend(orient="bottom", columns=3, symbolOpacity=1),
    )
    shape = alt.Shape(
        "label:N", title=None, scale=alt.Scale(domain=names, range=[style[k][0] for k in present])
    )
    years = year_axis(alt, frame["year"])
    value = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False, padding=12))
    tooltip = [alt.Tooltip("label:N"), alt.Tooltip("year:Q", format="d"), alt.Tooltip("shown:N")]
    layers = []
    joined = joined_fan(data)
    if "forecast" in present:
        fan = joined.assign(label=label("series_interval", language))
        layers.append(
            alt.Chart(fan)
            .mark_area(opacity=0.45)
            .encode(x=years, y=alt.Y("lower80:Q", title=y_title), y2="upper80:Q", color=colour)
        )
    for key in ("national", "observed", "forecast"):
        if key in present:
            dash = [5, 3] if key == "forecast" else [1, 0]
            rows = joined if key == "forecast" else data[data["series"] == key]
            layers.append(alt.Chart(rows).mark_line(strokeDash=dash).encode(x=years, y=value, color=colour))
    points = data[data["series"] != "target"]
    if not points.empty:
        layers.append(
            alt.Chart(points)
            .mark_point(filled=True, size=70, opacity=1)
            .encode(x=years, y=value, color=colour, shape=shape, tooltip=tooltip)
        )
    targets = data[data["series"] == "target"]
    if not targets.empty:  # hollow and on top, so a bound or a figure at the same place stays visible
        target_marks = alt.Chart(targets)
        layers.append(
            target_marks.mark_point(filled=False, size=170, strokeWidth=2, opacity=1).encode(
                x=years, y=value, color=colour, shape=shape, tooltip=tooltip
            )
        )
        layers.append(
            target_marks.mark_text(dy=-14, fontSize=11, color="#c92a2a").encode(
                x=years, y=value, text="shown:N"
            )
        )
    return (
        alt.layer(*layers)
        .properties(
            width=width,
            height=height,
            title=chart_title(alt, title, subtitle, width),
        )
        .configure_view(stroke=None)
    )


def narrow_spec(spec: dict, title: str, subtitle: str) -> dict:
    """The narrow drawing's spec from the wide one's: the same layers and data at NARROW_WIDTH ×
    NARROW_HEIGHT, the title wrapped to that width: what indicator_chart at that size gives, without
    building the chart and converting its data a second time."""
    narrow_title = chart_title(import_altair(), title, subtitle, NARROW_WIDTH).to_dict(validate=False)
    return {**spec, "width": NARROW_WIDTH, "height": NARROW_HEIGHT, "title": narrow_title}


def _number(row: dict, key: str = "value") -> str:
    digits = row.get("decimals")
    return format_number(row[key]) if digits is None or pd.isna(digits) else fmt(float(row[key]), int(digits))


def point_text(row: dict) -> str:
    """A point as its tooltip, label and text alternative say it: the comparator of a bound or target
    (≤, ≥ …), the figure with its printed decimals, a forecast's 80 % interval."""
    text = _number(row)
    if row["qualifier"] and row["qualifier"] != "=":
        text = f"{row['qualifier'].replace('<=', '≤').replace('>=', '≥')} {text}"
    if row["series"] == "forecast" and not math.isnan(row["lower80"]):
        text += f" ({_number(row, 'lower80')}–{_number(row, 'upper80')})"
    return text


def alt_sentence(frame: pd.DataFrame, language: str) -> str:
    """The chart in one line of text: each series with its points."""
    parts = []
    for key, *_ in LAYERS:
        rows = frame[frame["series"] == key]
        if not rows.empty:
            points = "; ".join(
                f"{y}: {point_text(r)}" for y, r in zip(rows["year"], rows.to_dict("records"), strict=True)
            )
            parts.append(f"{label(f'series_{key}', language)} — {points}")
    return " | ".join(parts)


def note_words(row: dict, language: str) -> str:
    """A point's note in the page's language: a figure's grade, a forecast's method (a target's id stays)."""
    note = str(row.get("note") or "")
    if row["series"] == "target" or not note:
        return note
    if row["series"] == "forecast":
        return label_or(f"method_{note}", language, note)
    return label_or(f"grade_{note.replace(' ', '_')}", language, note)


def alt_table_html(frame: pd.DataFrame, language: str) -> str:
    """The chart's points as an HTML table, the text alternative a screen reader or a copy-paste uses."""
    heads = [
        label("col_kind", language),
        label("col_year", language),
        label("col_value", language),
        label("col_interval", language),
        label("col_note", language),
    ]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
    body = []
    for r in frame.to_dict("records"):
        interval = "" if math.isnan(r["lower80"]) else f"{_number(r, 'lower80')}–{_number(r, 'upper80')}"
        value = point_text({**r, "lower80": math.nan})
        cells = [
            label(f"series_{r['series']}", language),
            str(r["year"]),
            value,
            interval,
            note_words(r, language),
        ]
        body.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def figure(
    frame: pd.DataFrame,
    chart_id: str,
    title: str,
    subtitle: str,
    y_title: str,
    caption: str,
    language: str,
    source: str = "",
    links_html: str = "",
    data_csv: str = "",
    files: str = "",
) -> Figure:
    """Draw a chart_frame (wide and narrow) and wrap it with its caption, sources and text alternative."""
    spec = indicator_chart(frame, title, subtitle, y_title, language).to_dict(validate=False)
    return make_figure(
        spec,
        chart_id,
        caption,
        alt_sentence(frame, language),
        alt_table_html(frame, language),
        language,
        narrow=narrow_spec(spec, title, subtitle),
        source=source,
        links_html=links_html,
        data_csv=data_csv,
        files=files,
    )

"""How the report pages show things: tables, headings and sentences that display themselves in a notebook.

Every piece of text that comes from data is HTML-escaped here, where the HTML is written. Every table
offers its rows as CSV (a download link on the page) and shows them as CSV text to nbval, so a changed
figure in any table makes the committed notebook disagree with a fresh run.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from analysis.core import paths
from analysis.core.labels import label, unit_word
from analysis.core.precision import fmt
from analysis.core.vocabulary import COMPARATOR_SIGNS
from analysis.site.charts import format_number
from analysis.site.markup import html_bundle

SIGNIFICANT = 6  # digits kept in CSV text: below them floats differ between machines, not between data
FILTER_SCRIPT = paths.PACKAGE / "assets" / "table-filter.js"


def missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def esc(value) -> str:
    return "" if missing(value) else html.escape(str(value))


# A run of Chinese inside text written in English (an analyst's note quoting the plan, a publication's
# name): CJK characters, with the digits and punctuation between them.
CHINESE_RUN = re.compile(
    r"[\u3400-\u9fff](?:[\u3000-\u303f\u3400-\u9fff\uff00-\uffef0-9.%‰、，：；（）()…—–\-/]*"
    r"[\u3400-\u9fff\uff00-\uffef）])?"
)


def marked(value) -> str:
    """Text from the data, escaped, each Chinese run in it marked lang="zh": on an English page the
    words an analyst quoted from a plan or a publication's original name are Chinese by right (and a
    screen reader and the fonts should treat them so)."""
    text = esc(value)
    return CHINESE_RUN.sub(lambda m: f'<span lang="zh">{m.group(0)}</span>', text)


def link(url, text) -> str:
    """A link to a source; only http(s) addresses become links, anything else is shown as text."""
    url = "" if missing(url) else str(url)
    if not url.startswith(("http://", "https://")):
        return esc(text)
    return f'<a href="{html.escape(url, quote=True)}" rel="noopener">{esc(text)}</a>'


def short_url(url, limit: int = 48) -> str:
    """An address as a table shows it: without the scheme and "www.", its middle cut to "…" past `limit`
    characters (host and last part kept), so a column of URLs stays narrow; the link keeps the full
    address, and url_link puts it in the tooltip too."""
    text = re.sub(r"^https?://(www\.)?", "", "" if missing(url) else str(url)).rstrip("/")
    if len(text) <= limit:
        return text
    host, _, rest = text.partition("/")
    tail = rest.rsplit("/", 1)[-1][-(limit // 2) :]
    return f"{host}/…/{tail}" if len(host) + len(tail) + 3 <= limit + 8 else text[: limit - 1] + "…"


def url_link(url) -> str:
    """A source address as a short link (short_url), the whole address in its tooltip and href."""
    text = "" if missing(url) else str(url)
    if not text.startswith(("http://", "https://")):
        return esc(text)
    full = html.escape(text, quote=True)
    return f'<a href="{full}" title="{full}" rel="noopener">{esc(short_url(text))}</a>'


def status_badge(status: str, language: str, single: bool = False) -> str:
    """A status as a coloured label in the page's language (`single` is kept for older callers)."""
    text = esc(label(f"status_{status}", language))
    return f'<span class="pt-status pt-status-{esc(status)}">{text}</span>'


def figure_text(qualifier, value, unit="", decimals=None, language="en") -> str:
    """A figure as printed: a bound keeps its sign (≤ 12), a unit follows in the page's language (a count
    has no unit word in Chinese, % sticks to its number); with `decimals`, exactly as many digits as its
    source printed (8.80 stays 8.80)."""
    if missing(value):
        return ""
    sign = COMPARATOR_SIGNS.get(str(qualifier or "="), str(qualifier))
    number = format_number(float(value)) if missing(decimals) else fmt(float(value), int(decimals))
    word = "" if missing(unit) else unit_word(str(unit), language)
    if language == "zh" and word in ("%", "‰"):
        number, word = number + word, ""
    return " ".join(t for t in (sign, number, word) if t)


def percent(value) -> str:
    return "" if missing(value) else f"{round(float(value) * 100):d} %"


def interval_text(lower, upper, decimals=None) -> str:
    """An interval with the digits its width supports (`decimals`, from precision.interval_decimals)."""
    if missing(lower):
        return ""
    if missing(decimals):
        return f"{format_number(lower)}–{format_number(upper)}"
    return f"{fmt(float(lower), int(decimals))}–{fmt(float(upper), int(decimals))}"


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Text that a spreadsheet would run as a formula, prefixed with ' so it is shown as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cut_digits(value):
    """A float cut to SIGNIFICANT digits (any other value as it is)."""
    if isinstance(value, float) and not math.isnan(value):
        return float(f"{value:.{SIGNIFICANT}g}")
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """The table as CSV, floats cut to SIGNIFICANT digits so that other machines print the same text,
    text cells that a spreadsheet would run as formulas neutralised.

    A column is replaced only when that changes something (tidy_column): most columns of a page's
    tables hold short floats and plain text, and replacing every column of every table cost seconds."""
    if not frame.columns.is_unique:
        return csv_text_by_column(frame)
    tidy = frame
    for column, values in frame.items():
        new = tidy_column(values)
        if new is not None:
            tidy = frame.copy() if tidy is frame else tidy
            tidy[column] = new
    return tidy.to_csv(index=False, lineterminator="\n")


def plain_text(value) -> bool:
    """A cell that neither neutralise_formula nor pandas' type inference after a map would change."""
    if isinstance(value, str):
        return not value.startswith(FORMULA_STARTS)
    return value is None or (isinstance(value, float) and math.isnan(value))


def tidy_column(values: pd.Series):
    """What csv_text_by_column puts in place of a column, or None where that is the column unchanged:
    a float64 column whose floats have at most SIGNIFICANT digits, a text column with no formula."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype == np.float64:
        old = values.to_numpy()
        new = np.array([cut_digits(v) for v in old.tolist()], dtype=np.float64)
        return None if np.array_equal(old, new, equal_nan=True) else new
    text = isinstance(dtype, pd.StringDtype) or (isinstance(dtype, np.dtype) and dtype == np.object_)
    if text and all(plain_text(v) for v in values.tolist()):
        return None  # the map would give the same texts (or all missing as float64): the same CSV text
    if pd.api.types.is_float_dtype(dtype):
        return values.map(cut_digits)
    if not pd.api.types.is_numeric_dtype(dtype):
        return values.map(neutralise_formula)
    return None


def csv_text_by_column(frame: pd.DataFrame) -> str:
    """csv_text the plain way, every column mapped and replaced: what csv_text must print, kept for
    frames with repeated column names and for the test that holds csv_text to it."""
    tidy = frame.copy()
    for column in tidy.columns:
        if pd.api.types.is_float_dtype(tidy[column]):
            tidy[column] = tidy[column].map(cut_digits)
        elif not pd.api.types.is_numeric_dtype(tidy[column]):
            tidy[column] = tidy[column].map(neutralise_formula)
    return tidy.to_csv(index=False, lineterminator="\n")


def data_download(frame: pd.DataFrame, name: str, language: str) -> str:
    """A link that downloads `frame` as a CSV file (UTF-8 with BOM, so Excel reads the Chinese)."""
    encoded = base64.b64encode(("\ufeff" + csv_text(frame)).encode("utf-8")).decode("ascii")
    text = esc(label("word_download", language))
    return (
        f'<a class="pt-download" download="{esc(name)}" href="data:text/csv;charset=utf-8;base64,'
        f'{encoded}">{text} ({esc(name)})</a>'
    )


@cache
def filter_script() -> str:
    return FILTER_SCRIPT.read_text(encoding="utf-8").strip()


@dataclass(frozen=True)
class HtmlTable:
    """An HTML table (cells already escaped) with its rows as CSV for download and for nbval."""

    table_id: str
    keys: list[str]  # one per column; also its CSS class pt-col-<key>, so the stylesheet can size it
    headers: list[str]
    cells: list[list[str]]
    data: pd.DataFrame
    language: str
    numeric: frozenset[int] = frozenset()
    filters: tuple[int, ...] = ()  # columns offered as drop-down filters
    filter_values: list[list[str]] = field(default_factory=list)  # per row: its value for each filter
    search: bool = False
    cards: bool = False  # below ~700 px each row becomes a card, each cell labelled by its header
    files: str = ""  # a folder (link relative to the page) holding <table_id>.csv; else the CSV is inline
    max_rows: int = 0  # rows shown on the page (0: all); the download always has every row
    filter_headers: tuple[str, ...] = ()  # the label of each drop-down
    row_data: list[dict[str, str]] = field(default_factory=list)  # per row: data-<name> attributes
    sorts: tuple[tuple[str, str], ...] = ()  # (key, button label): rows sort on data-sort-<key>
    hide: tuple[str, ...] = ()  # (attribute, value, label): a toggle hiding rows with data-<attr>=value

    def csv(self) -> str:
        return csv_text(self.data)

    def download_link(self) -> str:
        if self.files:
            name = esc(f"{self.table_id}.csv")
            text = esc(label("word_download", self.language))
            return f'<a class="pt-download" download href="{esc(self.files)}{name}">{text} ({name})</a>'
        return data_download(self.data, f"{self.table_id}.csv", self.language)

    def shown(self) -> int:
        return len(self.cells) if not self.max_rows else min(self.max_rows, len(self.cells))

    def summary_text(self) -> str:
        """Under a table cut to its first rows: how many there are, and that the download has them all."""
        if self.shown() == len(self.cells):
            return ""
        return label("word_rows_shown", self.language).format(shown=self.shown(), total=len(self.cells))

    def summary_note(self) -> str:
        text = self.summary_text()
        return f'<p class="pt-table-note">{esc(text)}</p>' if text else ""

    def _cell(self, j: int, content: str) -> str:
        kind = " pt-num" if j in self.numeric else ""
        name = f' data-label="{esc(self.headers[j])}"' if self.cards else ""
        return f'<td class="pt-col-{esc(self.keys[j])}{kind}"{name}>{content}</td>'

    def _row(self, i: int, row: list[str]) -> str:
        values = self.filter_values[i] if self.filter_values else []
        attrs = "".join(f' data-f{k}="{esc(v)}"' for k, v in enumerate(values))
        extra = self.row_data[i] if self.row_data else {}
        attrs += "".join(f' data-{esc(k)}="{esc(v)}"' for k, v in extra.items())
        return f"<tr{attrs}>{''.join(self._cell(j, c) for j, c in enumerate(row))}</tr>"

    def to_html(self) -> str:
        head = "".join(
            f'<th class="pt-col-{esc(k)}">{esc(h)}</th>' for k, h in zip(self.keys, self.headers, strict=True)
        )
        rows = "\n".join(self._row(i, row) for i, row in enumerate(self.cells[: self.shown()]))
        classes = " ".join(
            c for c in ("pt-cards" if self.cards else "", "pt-sortable" if self.sorts else "") if c
        )
        cards = f' class="{classes}"' if classes else ""
        # a wide table scrolls inside its own box on a phone (a card table reflows instead)
        box = "" if self.cards else " data-scroll-box"
        table = (
            f'<div class="pt-table-wrap"{box}><table id="{esc(self.table_id)}"{cards}>'
            f"<thead><tr>{head}</tr></thead>"
            f"<tbody>\n{rows}\n</tbody></table></div>"
        )
        table += self.summary_note()
        if not (self.search or self.filters or self.sorts or self.hide):
            return f"{table}\n<p>{self.download_link()}</p>"
        script = filter_script().replace("TABLE_ID", esc(self.table_id))  # after the table it works on
        return f"{self._controls()}{table}\n<script>\n{script}\n</script>\n<p>{self.download_link()}</p>"

    def _select(self, k: int, column: int | None) -> str:
        options = "".join(
            f'<option value="{esc(o)}">{esc(o)}</option>'
            for o in sorted({values[k] for values in self.filter_values[: self.shown()]})
        )
        every = esc(label("word_all", self.language))
        title = self.filter_headers[k] if k < len(self.filter_headers) else self.headers[column]
        return (
            f'<label>{esc(title)} <select data-role="filter" data-key="f{k}">'
            f'<option value="">{every}</option>{options}</select></label>'
        )

    def _controls(self) -> str:
        parts = (
            [
                f'<label>{esc(label("word_search", self.language))} <input type="search" data-role="search">'
                "</label>"
            ]
            if self.search
            else []
        )
        parts += [self._select(k, column) for k, column in enumerate(self.filters)]
        parts += self._sort_and_hide()
        rows = esc(label("word_rows", self.language))
        parts.append(f'<span data-role="count">{self.shown()} {rows}</span>')
        return f'<div class="pt-filter" data-table="{esc(self.table_id)}">{"".join(parts)}</div>\n'

    def _sort_and_hide(self) -> list[str]:
        """The sort buttons and the hiding toggle, hidden until the script shows them: without JavaScript
        they would do nothing, and the table is whole and in the catalogue's order."""
        parts = []
        if self.sorts:
            buttons = "".join(
                f'<button type="button" data-sort="{esc(k)}" aria-pressed="false">{esc(text)}</button>'
                for k, text in self.sorts
            )
            by = esc(label("word_sort_by", self.language))
            parts.append(f'<span class="pt-sort" data-role="sort" hidden>{by} {buttons}</span>')
        if self.hide:
            attr, value, text = self.hide
            parts.append(
                f'<label class="pt-hide" hidden><input type="checkbox" data-role="hide" '
                f'data-attr="{esc(attr)}" data-value="{esc(value)}"> {esc(text)}</label>'
            )
        return parts

    def _repr_mimebundle_(self, include=None, exclude=None):
        shown = csv_text(self.data.head(self.shown()))  # what the page shows, for nbval to compare
        return html_bundle(self.to_html(), shown + self.summary_text())


def make_table(
    table_id: str,
    columns: list[tuple[str, str]],
    cells: list[list[str]],
    data: pd.DataFrame,
    language: str,
    numeric: Iterable[str] = (),
    filters: Iterable[str] = (),
    filter_values: list[list[str]] | None = None,
    search: bool = False,
    cards: bool = False,
    filter_labels: dict[str, str] | None = None,
    files: str = "",
    max_rows: int = 0,
    row_data: list[dict[str, str]] | None = None,
    sorts: Iterable[tuple[str, str]] = (),
    hide: tuple[str, ...] = (),
) -> HtmlTable:
    """An HtmlTable from (key, label key) column pairs; `numeric` names column keys; `filters` names column
    keys or, with a label key in `filter_labels`, a drop-down on a value that is no column."""
    keys = [k for k, _ in columns]
    filter_labels = filter_labels or {}
    headers = [label(lab, language) for _, lab in columns]
    filter_columns = tuple(keys.index(k) if k in keys else -1 for k in filters)
    filter_headers = tuple(
        label(filter_labels[k], language) if k in filter_labels else headers[keys.index(k)] for k in filters
    )
    return HtmlTable(
        table_id=table_id,
        keys=keys,
        headers=headers,
        cells=cells,
        data=data.reset_index(drop=True),
        language=language,
        numeric=frozenset(keys.index(k) for k in numeric),
        filters=filter_columns,
        filter_values=filter_values or [],
        search=search,
        cards=cards,
        filter_headers=filter_headers,
        files=files,
        max_rows=max_rows,
        row_data=row_data or [],
        sorts=tuple(sorts),
        hide=hide,
    )


def markdown_escape(text: str) -> str:
    escaped = html.escape(text, quote=False)
    return "".join("\\" + c if c in "\\`*_{}[]()#+!|" else c for c in escaped)


@dataclass(frozen=True)
class Heading:
    """A section heading, the page's language first (markdown, so it lands in the table of contents)."""

    text: str
    level: int = 2

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": f"{'#' * self.level} {markdown_escape(self.text)}", "text/plain": self.text}


@dataclass(frozen=True)
class Note:
    """A sentence built from data (escaped), shown as a paragraph."""

    text: str

    def _repr_mimebundle_(self, include=None, exclude=None):
        return html_bundle(f"<p>{esc(self.text)}</p>", self.text)


def heading(key: str, language: str, level: int = 2) -> Heading:
    return Heading(label(key, language), level)


@dataclass(frozen=True)
class Html:
    """A piece of HTML the project wrote (data already escaped), shown as it is."""

    html: str
    text: str = ""

    def _repr_mimebundle_(self, include=None, exclude=None):
        return html_bundle(self.html, self.text or self.html)


def prose(key: str, language: str) -> Note:
    """A paragraph of the page's text in its language, from the label table."""
    return Note(label(key, language))


def language_switch(page: str, language: str) -> Html:
    """The link to this page in the other language; `page` is the page's English source path."""
    from analysis.site import permalinks

    return Html(permalinks.language_switch(permalinks.in_language(page, language)), "English · 中文")

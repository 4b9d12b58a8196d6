"""Observed figures: the seed snapshot, researchers' CSV/XLSX files, and the rule that decides which
figure stands when sources disagree.

Every input row is kept with its source (file and row, URL, kind, excerpt); a figure that is only a
bound (控制在12/10万以下 → `<=` 12) keeps its qualifier. Rows for the same region, indicator and year
corroborate when they can all be true together and conflict otherwise; a documented, deterministic
rule (data/observation_rules.yaml, data/README.md "Corroboration and conflicts") picks the row used,
and every conflict stays visible. Bad input is reported as `Problem`s naming file, row and column.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import yaml

from analysis import paths as project_paths
from analysis.errors import DataError, Problem, errors_in
from analysis.numbers import normalize_digits

SHEET = "observations"
QUALIFIERS = ("=", "<", "<=", ">", ">=")
REQUIRED = ["region", "indicator", "year", "value", "source_url"]
OPTIONAL = ["qualifier", "unit", "source_kind", "excerpt", "indicator_zh", "indicator_en", "date_accessed",
            "note", "seed_row"]
SHIPPED_COLUMNS = ["region", "indicator", "year", "qualifier", "value", "unit", "source_url", "source_kind",
                   "excerpt", "indicator_zh", "indicator_en", "seed_row"]
TEMPLATE_COLUMNS = ["region", "indicator", "indicator_zh", "unit", "year", "qualifier", "value", "source_url",
                    "source_kind", "excerpt", "date_accessed", "note"]
RESOLUTION_COLUMNS = ["used", "conflict", "n_sources", "resolution", "reason"]
OUTPUT_COLUMNS = ["region", "indicator", "year", "qualifier", "value", "unit", "source_url", "source_kind",
                  "excerpt", "indicator_zh", "indicator_en", "date_accessed", "note", "value_text",
                  "decimals", "source_file", "source_row", "order", *RESOLUTION_COLUMNS]
GROUP = ["region", "indicator", "year"]
SEED_COLUMNS = ["region", "indicator_zh", "indicator_en", "year", "qualifier", "value", "unit", "source_url",
                "source_kind", "excerpt"]
MAPPING_COLUMNS = ["indicator_zh", "indicator", "unit", "note"]
# Columns a template fills before the researcher starts: a row with only these is not an observation.
PREFILLED = {"region", "indicator", "indicator_zh", "indicator_en", "unit", "year", "qualifier"}


def rules_file(root: Path | None = None) -> Path:
    return project_paths.data_dir(root) / "observation_rules.yaml"


def seed_mapping_file(root: Path | None = None) -> Path:
    return project_paths.seed_file(root).with_name("seed_mapping.csv")


# ---------------------------------------------------------------------------------------------------
# Rules (data/observation_rules.yaml)


@dataclass(frozen=True)
class Rules:
    """What the loader accepts and how it ranks sources; read from data, never written into code."""

    source_kinds: tuple[str, ...]
    comparison_regions: tuple[str, ...]
    first_year: int
    last_year: int
    template_base_year: int
    unit_marks: dict[str, tuple[str, ...]]
    measure_words: tuple[str, ...]
    measure_word_units: tuple[str, ...]
    bound_prefixes: dict[str, str]
    bound_suffixes: dict[str, str]
    filler_words: tuple[str, ...]

    def kind_rank(self, kind: str) -> int:
        """Position of a source kind in the ranking; blank or unknown kinds rank with the last kind."""
        return self.source_kinds.index(kind) if kind in self.source_kinds else len(self.source_kinds) - 1


def load_rules(root: Path | None = None) -> Rules:
    raw = yaml.safe_load(rules_file(root).read_text(encoding="utf-8"))
    return Rules(
        source_kinds=tuple(raw["source_kinds"]),
        comparison_regions=tuple(raw["comparison_regions"]),
        first_year=int(raw["first_year"]),
        last_year=int(raw["last_year"]),
        template_base_year=int(raw["template_base_year"]),
        unit_marks={k: tuple(v) for k, v in raw["unit_marks"].items()},
        measure_words=tuple(raw["measure_words"]),
        measure_word_units=tuple(raw["measure_word_units"]),
        bound_prefixes=dict(raw["bound_prefixes"]),
        bound_suffixes=dict(raw["bound_suffixes"]),
        filler_words=tuple(raw["filler_words"]),
    )


# ---------------------------------------------------------------------------------------------------
# Reading a figure as people type it: 92.5, 92.5%, 92。5%, ９２．５, ≥90%, 90%以上, 12/10万, 3.5‰


@dataclass(frozen=True)
class ParsedValue:
    qualifier: str  # "=" unless the text states a bound
    value: float
    mark: str | None  # what followed the number (%, ‰, /10万, 个 …), None if nothing
    decimals: int  # digits after the decimal point as typed: the figure's precision
    explicit: bool  # the text itself stated the qualifier


_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SIGNS = str.maketrans({"≥": "≧", "≤": "≦", "⩾": "≧", "⩽": "≦", "／": "/", "\u3000": " "})
_SYMBOLS = {">=": ">=", "<=": "<=", "≧": ">=", "≦": "<=", ">": ">", "<": "<", "==": "=", "=": "="}


def canonical_text(text: str) -> str:
    """Full-width to ASCII, 。/． between digits to '.', ≥/≤ unified, spaces and thousands commas gone."""
    text = normalize_digits(str(text)).translate(_SIGNS)
    return _THOUSANDS.sub("", re.sub(r"\s+", "", text))


def _strip_words(text: str, table: dict[str, str | None], at_start: bool) -> tuple[str, list[str]]:
    """Remove qualifier and filler words from one end of the text, longest first; return what they mean."""
    found: list[str] = []
    words = sorted(table, key=len, reverse=True)
    changed = True
    while changed and text:
        changed = False
        for word in words:
            if text.startswith(word) if at_start else text.endswith(word):
                text = text[len(word):] if at_start else text[: -len(word)]
                if table[word]:
                    found.append(table[word])
                changed = True
                break
    return text, found


def parse_value(text: str, rules: Rules | None = None) -> ParsedValue:
    """Read one typed figure; raise ValueError with a sentence a researcher can act on."""
    rules = rules or load_rules()
    s = canonical_text(text)
    if not s:
        raise ValueError("the value is empty")
    prefixes = {**_SYMBOLS, **rules.bound_prefixes, **dict.fromkeys(rules.filler_words)}
    rest, found = _strip_words(s, prefixes, at_start=True)
    number = _NUMBER.match(rest)
    if not number:
        raise ValueError(f"'{text}' is not a number")
    tail, found_after = _strip_words(rest[number.end():], dict(rules.bound_suffixes), at_start=False)
    found += found_after
    if tail and tail not in rules.unit_marks and tail not in rules.measure_words:
        raise ValueError(f"cannot read '{tail}' after the number in '{text}'")
    if len(set(found)) > 1:
        raise ValueError(f"'{text}' states two different bounds ({' and '.join(found)})")
    digits = number.group().lstrip("+-")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return ParsedValue(found[0] if found else "=", float(number.group()), tail or None, decimals, bool(found))


def unit_fits(mark: str | None, unit: str, rules: Rules) -> bool:
    """Whether a typed unit mark can mean the indicator's unit (a % for a per-1000 indicator cannot)."""
    if mark is None or mark == unit:
        return True
    if mark in rules.unit_marks:
        return unit in rules.unit_marks[mark]
    return mark in rules.measure_words and unit in rules.measure_word_units


# ---------------------------------------------------------------------------------------------------
# Reading files: a registry of readers by suffix, each giving a header and numbered rows of text


@dataclass
class RawTable:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells as text)
    labels: dict[str, str]  # column name -> how to name it in a message (XLSX adds the column letter)


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        if exc.reason == "unexpected end of data" and exc.end >= len(raw):
            raise DataError([Problem(name, row, None, "the file ends in the middle of a character: it was "
                                     "cut short", "copy or export the file again")]) from exc
        raise DataError([Problem(name, row, None, f"not UTF-8 text: byte {exc.start} cannot be read"
                                 f"{_encoding_hint(raw)}", "save the file as UTF-8 (in Excel: Save As → "
                                 "'CSV UTF-8')")]) from exc


def _encoding_hint(raw: bytes) -> str:
    """What the bytes probably are, so the researcher knows which export went wrong."""
    if raw.startswith(b"PK\x03\x04"):
        return " (it is an Excel workbook: give it the .xlsx extension)"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return " (it is UTF-16, Excel's 'Unicode Text')"
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return ""
    return " (it reads as GBK/GB18030, Excel's plain 'CSV' on Chinese Windows)"


def column_name(text: str) -> str:
    """Header cells as the loader knows them: 'Source URL ' and 'source_url' are the same column."""
    return re.sub(r"\s+", "_", str(text).strip().lower())


def read_csv_file(path: Path, name: str) -> RawTable:
    """A UTF-8 CSV as text; every malformed row is reported, not only the first."""
    raw = path.read_bytes()
    text = _decode(raw, name)
    if not text.strip():
        raise DataError([Problem(name, None, None, "the file is empty",
                                 "add a header row and data rows (see `plantracker template`)")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise DataError([Problem(name, reader.line_num, None, f"cannot be read as CSV ({exc})",
                                 "save the file again as CSV UTF-8")]) from exc
    header = [column_name(h) for h in records[0]]
    separator = next((sep for sep in (";", "\t") if len(header) == 1 and sep in header[0]), None)
    if separator:
        raise DataError([Problem(name, 1, None, f"the columns are separated by {separator!r}, not commas",
                                 "save the file as CSV UTF-8 (comma-separated)")])
    rows, problems = [], []
    for number, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            cut = number == len(records) and not text.endswith(("\n", "\r"))
            why = "a comma is missing or extra, or a quote is not closed"
            if cut and len(cells) < len(header):
                why = "the file ends in the middle of this row: it was cut short"
            problems.append(Problem(name, number, None, f"row has {len(cells)} fields but the header has "
                                    f"{len(header)}: {why}", "compare this row with the header and fix it"))
            continue
        rows.append((number, [c.strip() for c in cells]))
    if problems:
        raise DataError(problems)
    return RawTable(header, rows, {h: h for h in header})


def _cell_text(cell) -> str:
    """An XLSX cell as the text a researcher typed; a %-formatted number 0.925 reads as 92.5%."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, int | float):
        percent = "%" in (cell.number_format or "")
        number = value * 100 if percent else value
        text = str(int(number)) if float(number).is_integer() else format(number, ".12g")
        return text + ("%" if percent else "")
    return str(value).strip()


def read_xlsx_file(path: Path, name: str) -> RawTable:
    """The sheet named 'observations' of a workbook, header on row 1."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # any failure to open means the same thing to a researcher
        raise DataError([Problem(name, None, None, "cannot be opened as an Excel workbook "
                                 f"({exc.__class__.__name__}): it may be cut short, or not an .xlsx file",
                                 "save it again from Excel as .xlsx (or export CSV UTF-8)")]) from exc
    sheets = {s.strip().casefold(): s for s in book.sheetnames}
    if SHEET not in sheets:
        raise DataError([Problem(name, None, None, f"no sheet named '{SHEET}' (sheets found: "
                                 f"{', '.join(book.sheetnames)})", f"put the observations on a sheet named "
                                 f"'{SHEET}', as in the file `plantracker template` writes")])
    sheet = book[sheets[SHEET]]
    grid = [[_cell_text(c) for c in row] for row in sheet.iter_rows()]
    if not grid or not any(grid[0]):
        raise DataError([Problem(name, 1, None, f"sheet '{SHEET}' has no header on row 1",
                                 f"row 1 must hold the column names: {', '.join(REQUIRED)} …")])
    width = max(i + 1 for i, h in enumerate(grid[0]) if h)
    header = [column_name(h) for h in grid[0][:width]]
    rows = [(n, (cells + [""] * width)[:width]) for n, cells in enumerate(grid[1:], start=2)
            if any(cells[:width])]
    labels = {h: f"{h} ({get_column_letter(i + 1)})" for i, h in enumerate(header)}
    return RawTable(header, rows, labels)


READERS: dict[str, Callable[[Path, str], RawTable]] = {".csv": read_csv_file, ".xlsx": read_xlsx_file}


def read_raw(path: Path, name: str) -> RawTable:
    if not path.exists():
        raise DataError([Problem(name, None, None, "file not found", "check the path")])
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError([Problem(name, None, None, f"'{path.suffix}' files cannot be read",
                                 "save the observations as .xlsx or as CSV UTF-8")])
    return reader(path, name)


def header_problems(table: RawTable, name: str) -> list[Problem]:
    """Missing required columns are errors; duplicated ones too; unknown ones are ignored with a warning."""
    known = REQUIRED + OPTIONAL
    problems = [Problem(name, 1, c, f"required column '{c}' is missing from the header",
                        f"add a '{c}' column; the header must hold {', '.join(REQUIRED)}")
                for c in REQUIRED if c not in table.header]
    problems += [Problem(name, 1, table.labels[c], f"column '{c}' appears more than once", "keep one of them")
                 for c in dict.fromkeys(table.header) if c and table.header.count(c) > 1]
    problems += [Problem(name, 1, table.labels[c], f"column '{c}' is not one the loader reads; it is ignored",
                         f"rename it if it was meant to be one of: {', '.join(known)}", "warning")
                 for c in dict.fromkeys(table.header) if c and c not in known]
    return problems


# ---------------------------------------------------------------------------------------------------
# Checking rows


@dataclass(frozen=True)
class Context:
    """What a row is checked against: the catalogue's indicators, the known regions, the rules."""

    indicators: dict[str, dict]
    regions: tuple[str, ...]
    rules: Rules


class RowProblem(Exception):
    def __init__(self, column: str, message: str, fix: str):
        super().__init__(message)
        self.column, self.message, self.fix = column, message, fix


def _year(text: str, rules: Rules) -> int:
    s = canonical_text(text).removesuffix("年")
    if not re.fullmatch(r"\d{4}", s):
        raise RowProblem("year", f"'{text}' is not a year", "write the year the figure describes, e.g. 2023")
    year = int(s)
    if not rules.first_year <= year <= rules.last_year:
        raise RowProblem("year", f"year {year} is outside {rules.first_year}–{rules.last_year}",
                         "check the year (a typing error?)")
    return year


def _qualifier(column_text: str, parsed: ParsedValue) -> str:
    stated = canonical_text(column_text)
    stated = {"≧": ">=", "≦": "<=", "==": "="}.get(stated, stated)
    if stated and stated not in QUALIFIERS:
        raise RowProblem("qualifier", f"qualifier '{column_text}' is not one of {' '.join(QUALIFIERS)}",
                         "use = for a figure, or <, <=, >, >= for a bound")
    if stated and parsed.explicit and stated != parsed.qualifier:
        raise RowProblem("qualifier", f"the qualifier column says '{stated}' but the value says "
                         f"'{parsed.qualifier}'", "make the two agree (or leave the qualifier column empty)")
    return stated or parsed.qualifier


def _span(lower: float, upper: float) -> str:
    return f"{'−∞' if math.isnan(lower) else f'{lower:g}'}–{'∞' if math.isnan(upper) else f'{upper:g}'}"


def _value(record: dict, indicator: dict | None, rules: Rules) -> ParsedValue:
    """The figure of a row, its unit checked against the indicator's, its value against the bounds."""
    try:
        parsed = parse_value(record["value"], rules)
    except ValueError as exc:
        raise RowProblem("value", f"non-numeric value: {exc}",
                         "write a number such as 92.5, 92.5%, ≥90% or 12/10万") from exc
    if indicator is None:  # unknown indicator, reported on its own: nothing to check the figure against
        return parsed
    name, unit = indicator["indicator_id"], indicator["unit"]
    if not unit_fits(parsed.mark, unit, rules):
        raise RowProblem("value", f"'{record['value']}' is in '{parsed.mark}' but {name} is measured in "
                         f"'{unit}'", f"convert the figure to {unit} yourself, or check the indicator")
    stated = canonical_text(record.get("unit", ""))
    if stated and stated != canonical_text(unit) and not unit_fits(stated, unit, rules):
        raise RowProblem("unit", f"unit '{record['unit']}' does not fit {name}, measured in '{unit}'",
                         f"convert the figure to {unit}, or check the indicator")
    lower, upper = indicator["lower_bound"], indicator["upper_bound"]
    if parsed.value < lower or parsed.value > upper:  # comparisons with NaN (unbounded) are False
        raise RowProblem("value", f"{parsed.value:g} is outside the bounds of {name} "
                         f"({_span(lower, upper)} {unit})", "check the figure and its unit")
    return parsed


def _region(record: dict, ctx: Context) -> str:
    region = record["region"].strip().lower()
    if region not in ctx.regions:
        raise RowProblem("region", f"unknown region '{record['region']}'",
                         f"use one of: {', '.join(ctx.regions)}")
    return region


def _indicator(record: dict, ctx: Context) -> dict:
    indicator = ctx.indicators.get(record["indicator"].strip())
    if indicator is None:
        raise RowProblem("indicator", f"unknown indicator '{record['indicator']}'",
                         "use an indicator_id of data/indicators.csv (the template lists them)")
    return indicator


def _source_url(record: dict, warnings: list[RowProblem]) -> str:
    url = record["source_url"].strip()
    if not url:
        raise RowProblem("source_url", "missing source URL",
                         "give the web address (or printed publication) the figure was read from")
    if not re.match(r"(?i)https?://", url):
        warnings.append(RowProblem("source_url", f"source_url '{url}' is not a web address",
                                   "give the URL if there is one; a printed source is fine as it is"))
    return url


def _source_kind(record: dict, rules: Rules, warnings: list[RowProblem]) -> str:
    kind = record["source_kind"].strip()
    if kind and kind not in rules.source_kinds:
        raise RowProblem("source_kind", f"unknown source_kind '{kind}'",
                         f"use one of: {', '.join(rules.source_kinds)}")
    if not kind:
        warnings.append(RowProblem("source_kind", "no source_kind: ranked as 'other' when sources disagree",
                                   f"say what the source is: {', '.join(rules.source_kinds)}"))
    return kind


def _attempt(step: Callable[[], object], issues: list[RowProblem]):
    """Run one check; a failure is recorded and the row's other checks still run."""
    try:
        return step()
    except RowProblem as problem:
        issues.append(problem)
        return None


def check_record(record: dict, ctx: Context) -> tuple[dict | None, list[tuple[str, RowProblem]]]:
    """One row as a clean observation (None if it has errors) and its problems as (severity, problem)."""
    issues: list[RowProblem] = []
    warnings: list[RowProblem] = []
    region = _attempt(lambda: _region(record, ctx), issues)
    indicator = _attempt(lambda: _indicator(record, ctx), issues)
    year = _attempt(lambda: _year(record["year"], ctx.rules), issues)
    parsed = _attempt(lambda: _value(record, indicator, ctx.rules), issues)
    qualifier = parsed and _attempt(lambda: _qualifier(record["qualifier"], parsed), issues)
    url = _attempt(lambda: _source_url(record, warnings), issues)
    kind = _attempt(lambda: _source_kind(record, ctx.rules, warnings), issues)
    problems = [("error", p) for p in issues] + [("warning", p) for p in warnings]
    if issues:
        return None, problems
    kept = ("excerpt", "indicator_zh", "indicator_en", "date_accessed", "note")
    text = {c: record[c].strip() for c in kept}
    return {"region": region, "indicator": indicator["indicator_id"], "year": year, "qualifier": qualifier,
            "value": parsed.value, "unit": indicator["unit"], "source_url": url, "source_kind": kind, **text,
            "value_text": record["value"], "decimals": parsed.decimals}, problems


def check_table(table: RawTable, name: str, ctx: Context) -> tuple[list[dict], list[Problem]]:
    """Every row of one file checked; rows with errors are left out and each error is reported."""
    problems = header_problems(table, name)
    if errors_in(problems):
        return [], problems
    clean_rows = []
    for number, cells in table.rows:
        record = {h: c for h, c in zip(table.header, cells, strict=True) if h}
        record = {c: record.get(c, "") for c in REQUIRED + OPTIONAL}
        if not record["value"]:
            filled = [c for c in REQUIRED + OPTIONAL if record[c] and c not in PREFILLED]
            if filled:
                problems.append(Problem(name, number, table.labels["value"], "row has a source but no value: "
                                        "it is not loaded", "fill in the value, or clear the row", "warning"))
            continue
        clean, found = check_record(record, ctx)
        problems += [Problem(name, number, table.labels.get(p.column, p.column), p.message, p.fix, severity)
                     for severity, p in found]
        if clean is not None:
            clean_rows.append({**clean, "source_file": name, "source_row": number})
    if not table.rows:
        problems.append(Problem(name, 2, None, "the file has a header but no rows: it is empty",
                                "add observations below the header, or remove the file"))
    return clean_rows, problems


# ---------------------------------------------------------------------------------------------------
# Corroboration and conflicts


def interval(qualifier: str, value: float) -> tuple[float, float, bool, bool]:
    """The values a row allows: (low, high, low excluded, high excluded)."""
    inf = math.inf
    return {"=": (value, value, False, False), "<=": (-inf, value, False, False),
            "<": (-inf, value, False, True), ">=": (value, inf, False, False),
            ">": (value, inf, True, False)}[qualifier]


def consistent(a: tuple[str, float], b: tuple[str, float]) -> bool:
    """Two rows agree when one value could satisfy both: `<=` 12 and `=` 11.8 agree; `=` 12.5 does not."""
    lo1, hi1, lo1_open, hi1_open = interval(*a)
    lo2, hi2, lo2_open, hi2_open = interval(*b)
    low, high = max(lo1, lo2), min(hi1, hi2)
    if low != high:
        return low < high
    excluded = (lo1 == low and lo1_open) or (lo2 == low and lo2_open) or (hi1 == high and hi1_open) \
        or (hi2 == high and hi2_open)
    return not excluded


def _rank_key(row: dict, support: int, rules: Rules) -> tuple:
    """Smaller is better: source kind, corroboration, exact before bound, precision, reading order."""
    return (rules.kind_rank(row["source_kind"]), -support, row["qualifier"] != "=", -row["decimals"],
            row["order"])


def _reason(used: dict, reference: dict, rival: dict | None, keys: dict[int, tuple], n_sources: int) -> str:
    """Why the used row stands: the first criterion that separates it from its best-ranked rival."""
    if used is not reference:
        bound = _figure(reference["qualifier"], reference["value"])
        return f"the best-ranked source ({reference['source_kind'] or 'no kind'}) gives only a bound, " \
            f"{bound}; the best-ranked exact figure meeting it is used"
    if rival is None:
        return "only source" if n_sources == 1 else f"{n_sources} sources agree"
    a, b = keys[used["_i"]], keys[rival["_i"]]
    criteria = [
        f"source kind {used['source_kind'] or 'other'} outranks {rival['source_kind'] or 'other'}",
        f"{-a[1]} sources agree with it against {-b[1]}",
        "an exact figure is preferred to a bound",
        f"the more precise figure ({-a[3]} decimals against {-b[3]})",
        f"equal on every criterion; the row read first is used "
        f"({used['source_file']} row {used['source_row']})",
    ]
    return next(text for x, y, text in zip(a, b, criteria, strict=False) if x != y)


def _resolve_group(rows: list[dict], rules: Rules) -> dict[int, dict]:
    """used / corroborates / conflicts for each row of one (region, indicator, year)."""
    allowed = {r["_i"]: (r["qualifier"], r["value"]) for r in rows}

    def agree(a: dict, b: dict) -> bool:
        return consistent(allowed[a["_i"]], allowed[b["_i"]])

    keys = {r["_i"]: _rank_key(r, len({o["source_url"] for o in rows if agree(r, o)}), rules) for r in rows}
    ranked = sorted(rows, key=lambda r: keys[r["_i"]])
    reference = ranked[0]
    exact = [r for r in ranked if r["qualifier"] == "=" and agree(r, reference)]
    used = exact[0] if exact else reference
    agreeing = [r for r in rows if agree(r, used)]
    rival = next((r for r in ranked if not agree(r, used)), None)
    n_sources = len({r["source_url"] for r in agreeing})
    reason = _reason(used, reference, rival, keys, n_sources)
    def role(r: dict) -> str:
        return "used" if r is used else ("corroborates" if any(r is a for a in agreeing) else "conflicts")

    return {r["_i"]: {"used": r is used, "conflict": rival is not None, "n_sources": n_sources,
                      "resolution": role(r), "reason": reason} for r in rows}


def mark_resolution(observations: pd.DataFrame, rules: Rules | None = None) -> pd.DataFrame:
    """A copy with used, conflict, n_sources, resolution and reason set for every row.

    Needs region, indicator, year, qualifier, value, source_url, source_kind; decimals, order,
    source_file and source_row are filled in when missing (0, row position, blank, 0).
    """
    rules = rules or load_rules()
    defaults = {"decimals": 0, "order": range(len(observations)), "source_file": "", "source_row": 0}
    frame = observations.drop(columns=RESOLUTION_COLUMNS, errors="ignore").reset_index(drop=True)
    frame = frame.assign(**{c: v for c, v in defaults.items() if c not in frame})
    groups: dict[tuple, list[dict]] = {}
    for i, record in enumerate(frame.to_dict("records")):
        groups.setdefault((record["region"], record["indicator"], int(record["year"])), []).append(
            {**record, "_i": i})
    marks: dict[int, dict] = {}
    for rows in groups.values():
        marks.update(_resolve_group(rows, rules))
    result = pd.DataFrame([marks[i] for i in range(len(frame))], columns=RESOLUTION_COLUMNS)
    result = result.astype({"used": bool, "conflict": bool, "n_sources": int})
    return pd.concat([frame, result], axis=1)


def resolve(observations: pd.DataFrame) -> pd.DataFrame:
    """One row per (region, indicator, year): the used row, with conflict, n_sources and the reason."""
    marked = observations if {"used", "conflict", "n_sources"} <= set(observations.columns) \
        else mark_resolution(observations)
    return marked[marked["used"]].sort_values(GROUP).reset_index(drop=True)


def _rounds_to(a: tuple[float, int], b: tuple[float, int]) -> bool:
    """Whether the less precise figure is the more precise one rounded (76.3 and 76.34)."""
    (coarse, d_coarse), (fine, d_fine) = sorted([a, b], key=lambda x: x[1])
    return d_fine > d_coarse and round(fine, d_coarse) == coarse


def conflicts(observations: pd.DataFrame) -> pd.DataFrame:
    """Every conflicting row beside the row used for the same region, indicator and year."""
    return conflict_pairs(observations)


def conflict_pairs(observations: pd.DataFrame) -> pd.DataFrame:
    """`conflicts` under a name that `print_summary`'s `conflicts` flag does not hide."""
    marked = observations if "resolution" in observations else mark_resolution(observations)
    side = ["qualifier", "value", "decimals", "source_kind", "source_url", "excerpt", "source_file",
            "source_row"]
    used = marked[marked["used"]][GROUP + side + ["reason"]].rename(columns={c: f"used_{c}" for c in side})
    other = marked[marked["resolution"] == "conflicts"][GROUP + side]
    pairs = other.rename(columns={c: f"other_{c}" for c in side}).merge(used, on=GROUP, how="left")
    pairs["agrees_when_rounded"] = [
        q1 == "=" and q2 == "=" and _rounds_to((v1, int(d1)), (v2, int(d2)))
        for q1, v1, d1, q2, v2, d2 in zip(pairs["used_qualifier"], pairs["used_value"],
                                          pairs["used_decimals"], pairs["other_qualifier"],
                                          pairs["other_value"], pairs["other_decimals"], strict=True)]
    columns = [*GROUP, *(f"used_{c}" for c in side), *(f"other_{c}" for c in side), "agrees_when_rounded",
               "reason"]
    order = [*GROUP, "other_source_file", "other_source_row"]
    return pairs[columns].sort_values(order).reset_index(drop=True)


def _figure(qualifier: str, value: float, unit: str = "") -> str:
    shown = f"{value:g}" if qualifier == "=" else f"{qualifier} {value:g}"
    return f"{shown} {unit}".strip()


def _cited(qualifier: str, value: float, kind: str, file: str, row: int) -> str:
    return f"{_figure(qualifier, value)} ({kind or 'no kind'}, {file} row {row})"


def conflict_warnings(observations: pd.DataFrame, files: Iterable[str] | None = None) -> list[Problem]:
    """One warning per conflicting row, stating the rule's choice; with `files`, only rows involving those."""
    focus = set(files) if files is not None else None
    problems = []
    for pair in conflicts(observations).itertuples(index=False):
        where = (pair.other_source_file, pair.other_source_row)
        if focus is not None and pair.other_source_file not in focus:
            if pair.used_source_file not in focus:
                continue
            where = (pair.used_source_file, pair.used_source_row)
        other = _cited(pair.other_qualifier, pair.other_value, pair.other_source_kind, pair.other_source_file,
                       pair.other_source_row)
        used = _cited(pair.used_qualifier, pair.used_value, pair.used_source_kind, pair.used_source_file,
                      pair.used_source_row)
        problems.append(Problem(
            where[0], int(where[1]), "value",
            f"{pair.region} {pair.indicator} {pair.year}: sources disagree, {other} against {used}; "
            f"the rule uses {_figure(pair.used_qualifier, pair.used_value)}: {pair.reason}",
            "check both sources; correct the wrong row or leave both "
            "(`plantracker observations --conflicts` lists the choice)", "warning"))
    return problems


# ---------------------------------------------------------------------------------------------------
# Loading everything


def display_name(path: Path, root: Path | None = None) -> str:
    base = (root or project_paths.project_root()).resolve()
    try:
        return str(path.resolve().relative_to(base))
    except ValueError:
        return str(path)


def researcher_files(root: Path | None = None) -> tuple[list[Path], list[Problem]]:
    """data/observations/*.csv|xlsx; other files get a warning (except README, hidden, Excel lock files)."""
    folder = project_paths.researcher_observations_dir(root)
    if not folder.is_dir():
        return [], []
    files, problems = [], []
    for path in sorted(folder.iterdir()):
        if path.is_dir() or path.name.startswith((".", "~$")) or path.stem.upper() == "README":
            continue
        if path.suffix.lower() in READERS:
            files.append(path)
        else:
            problems.append(Problem(display_name(path, root), None, None, f"'{path.suffix}' files are not "
                                    "read", "save observations as .xlsx or CSV UTF-8, or move the file "
                                    "elsewhere", "warning"))
    return files, problems


def _context(root: Path | None) -> Context:
    from analysis import catalogue, policies

    rules = load_rules(root)
    indicators = catalogue.load_indicators(root)
    plan_regions = tuple(dict.fromkeys(policies.load_registry(root)["region"]))
    return Context({r["indicator_id"]: r for r in indicators.to_dict("records")},
                   plan_regions + tuple(r for r in rules.comparison_regions if r not in plan_regions), rules)


def _collect(files: list[Path], root: Path | None, ctx: Context) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and check every file: the clean rows in reading order, resolved, and every problem."""
    rows, problems = [], []
    for path in files:
        name = display_name(path, root)
        try:
            table = read_raw(path, name)
        except DataError as exc:
            problems += exc.problems
            continue
        clean, found = check_table(table, name, ctx)
        rows += clean
        problems += found
    read = OUTPUT_COLUMNS[: -len(RESOLUTION_COLUMNS)]
    frame = pd.DataFrame.from_records(rows, columns=[c for c in read if c != "order"])
    frame = frame.assign(order=range(len(frame)))[read]
    frame = frame.astype({"year": int, "value": float, "decimals": int, "source_row": int})
    return mark_resolution(frame, ctx.rules), problems


def _files(extra: Iterable[Path] | None, root: Path | None) -> tuple[list[Path], list[Problem]]:
    folder_files, problems = researcher_files(root)
    return [project_paths.observations_file(root), *folder_files, *[Path(p) for p in extra or []]], problems


def load_with_problems(extra: Iterable[Path] | None = None, root: Path | None = None
                       ) -> tuple[pd.DataFrame, list[Problem]]:
    """Every observation row with its resolution, and every problem (errors and warnings) found."""
    ctx = _context(root)
    files, problems = _files(extra, root)
    frame, found = _collect(files, root, ctx)
    return frame, problems + found + conflict_warnings(frame)


def load_observations(extra: Iterable[Path] | None = None, root: Path | None = None) -> pd.DataFrame:
    """The one loader everything downstream uses: shipped data, data/observations/*, and `extra` files.

    Raises DataError listing every error; warnings (conflicts, unread files) do not stop loading.
    """
    frame, problems = load_with_problems(extra, root)
    errors = errors_in(problems)
    if errors:
        raise DataError(errors)
    return frame


def validate_observation_files(paths: Iterable[Path] | None = None,
                               root: Path | None = None) -> list[Problem]:
    """Problems of the shipped observation files, or of the given files checked against the shipped data."""
    try:
        ctx = _context(root)
    except DataError as exc:
        return exc.problems
    shipped, problems = _files(None, root)
    if paths is None:
        frame, found = _collect(shipped, root, ctx)
        return problems + found + conflict_warnings(frame)
    given = [Path(p) for p in paths]
    names = {display_name(p, root) for p in given}
    frame, found = _collect(shipped + [p for p in given if display_name(p, root) not in
                                       {display_name(s, root) for s in shipped}], root, ctx)
    return [p for p in found if p.file in names] + conflict_warnings(frame, names)


# ---------------------------------------------------------------------------------------------------
# The seed snapshot → data/observations.csv


def observations_from_seed(seed: pd.DataFrame, mapping: pd.DataFrame,
                           seed_name: str = "data/sources/observations_seed.csv",
                           mapping_name: str = "data/sources/seed_mapping.csv") -> pd.DataFrame:
    """Every seed row with our indicator id; the seed's wording, URL, kind and excerpt kept verbatim."""
    table = mapping.set_index("indicator_zh")
    problems = [Problem(seed_name, int(r.row), "indicator_zh", f"'{r.indicator_zh}' has no row in "
                        f"{mapping_name}", f"add it to {mapping_name} with the indicator it measures")
                for r in seed.itertuples() if r.indicator_zh not in table.index]
    problems += [Problem(seed_name, int(r.row), "unit", f"unit '{r.unit}' but {mapping_name} expects "
                         f"'{table.loc[r.indicator_zh, 'unit']}' for {r.indicator_zh}", "check the mapping")
                 for r in seed.itertuples() if r.indicator_zh in table.index
                 and table.loc[r.indicator_zh, "unit"] != r.unit]
    if problems:
        raise DataError(problems)
    out = seed.assign(indicator=seed["indicator_zh"].map(table["indicator"]),
                      seed_row=seed["row"].astype(str))
    return out[SHIPPED_COLUMNS].reset_index(drop=True)


def write_seed_observations(root: Path | None = None) -> Path:
    """Rebuild data/observations.csv from data/sources/observations_seed.csv and seed_mapping.csv."""
    from analysis.tables import read_table

    seed = read_table(project_paths.seed_file(root), SEED_COLUMNS,
                      display_name="data/sources/observations_seed.csv")
    mapping = read_table(seed_mapping_file(root), MAPPING_COLUMNS,
                         display_name="data/sources/seed_mapping.csv")
    target = project_paths.observations_file(root)
    observations_from_seed(seed, mapping).to_csv(target, index=False, lineterminator="\n")
    return target


# ---------------------------------------------------------------------------------------------------
# Fill-in templates


def template_years(region_targets: pd.DataFrame, rules: Rules) -> range:
    """From the earliest baseline (and no later than the rules' base year) to the latest deadline."""
    baselines = region_targets["baseline_year"].dropna()
    first = min([rules.template_base_year, *(int(y) for y in baselines)])
    return range(first, int(region_targets["target_year"].max()) + 1)


def template_frame(region: str, targets: pd.DataFrame, indicators: pd.DataFrame, resolved: pd.DataFrame,
                   rules: Rules) -> pd.DataFrame:
    """One row per indicator with a target in the region and per year; known figures and sources filled in."""
    own = targets[targets["region"] == region]
    if own.empty:
        regions = ", ".join(sorted(targets["region"].unique()))
        raise DataError([Problem("data/targets.csv", None, "region", f"no targets for region '{region}'",
                                 f"choose a region with targets: {regions}")])
    catalogue = indicators.set_index("indicator_id")
    known = resolved[resolved["region"] == region].set_index(["indicator", "year"])
    rows = []
    for indicator in dict.fromkeys(own["indicator"]):
        for year in template_years(own, rules):
            row = {c: "" for c in TEMPLATE_COLUMNS}
            row.update(region=region, indicator=indicator, year=year, unit=catalogue.loc[indicator, "unit"],
                       indicator_zh=catalogue.loc[indicator, "name_zh"])
            if (indicator, year) in known.index:
                hit = known.loc[(indicator, year)]
                row.update(qualifier=hit["qualifier"], value=hit["value_text"], source_url=hit["source_url"],
                           source_kind=hit["source_kind"], excerpt=hit["excerpt"],
                           indicator_zh=hit["indicator_zh"] or row["indicator_zh"], note=hit["note"],
                           date_accessed=hit["date_accessed"])
            rows.append(row)
    return pd.DataFrame(rows, columns=TEMPLATE_COLUMNS)


def _write_csv_template(frame: pd.DataFrame, indicators: pd.DataFrame, rules: Rules, out: Path) -> None:
    # UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly.
    frame.to_csv(out, index=False, encoding="utf-8-sig")


HOW_TO = [
    "How to fill in this template",
    "1. Fill in 'value', 'source_url', 'source_kind' and 'excerpt' on the rows you have figures for; "
    "rows left without a value are skipped.",
    "2. value: the number as printed: 92.5, 92.5%, 12/10万, 3.5‰. A bound goes in 'qualifier' (<=, <, >=, >) "
    "or in the value itself: ≥90%, 90%以上, 不低于90%, 控制在12/10万以下.",
    "3. The unit must be the indicator's (sheet 'indicators'): a % for a per-1000 indicator is an error.",
    "4. source_kind: statistical_bulletin, government_report, official_news, plan_baseline or other.",
    "5. Keep the sheet name 'observations' and its header row. Put the file in data/observations/ or pass it "
    "with --data; check it with `plantracker validate FILE`.",
    "Rows already filled in are the figures known so far, with their sources.",
]


def _write_xlsx_template(frame: pd.DataFrame, indicators: pd.DataFrame, rules: Rules, out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(TEMPLATE_COLUMNS)
    for record in frame.itertuples(index=False):
        sheet.append([None if v == "" else v for v in record])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    kinds = DataValidation(type="list", formula1='"' + ",".join(rules.source_kinds) + '"', allow_blank=True)
    letter = get_column_letter(TEMPLATE_COLUMNS.index("source_kind") + 1)
    kinds.add(f"{letter}2:{letter}{len(frame) + 1000}")
    sheet.add_data_validation(kinds)
    for i, width in enumerate([10, 34, 24, 18, 7, 9, 10, 40, 20, 50, 13, 30], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    info = book.create_sheet("indicators")
    info.append(list(indicators.columns))
    for record in indicators.itertuples(index=False):
        info.append([None if isinstance(v, float) and math.isnan(v) else v for v in record])
    how = book.create_sheet("how_to")
    for line in HOW_TO:
        how.append([line])
    book.save(out)


TEMPLATE_WRITERS: dict[str, Callable[[pd.DataFrame, pd.DataFrame, Rules, Path], None]] = {
    "csv": _write_csv_template, "xlsx": _write_xlsx_template}


def _indicator_sheet(own_targets: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """The template's read-me of indicators: names, unit, bounds and the targets set for them."""
    wording = [f"{c} {v:g} {u} by {y}" for c, v, u, y in zip(
        own_targets["comparator"], own_targets["target_value"], own_targets["unit"],
        own_targets["target_year"], strict=True)]
    stated = own_targets.assign(target=wording).groupby("indicator", sort=False)["target"].agg("; ".join)
    table = indicators.set_index("indicator_id").loc[list(stated.index)]
    columns = ["name_zh", "name_en", "unit", "direction", "lower_bound", "upper_bound"]
    return table[columns].assign(targets=stated).rename_axis("indicator_id").reset_index()


def write_template(region: str, fmt: str = "xlsx", out: Path | None = None,
                   root: Path | None = None) -> Path:
    """A fill-in template for one region: each indicator with a target × each year, known figures filled."""
    from analysis import catalogue

    writer = TEMPLATE_WRITERS.get(fmt)
    if writer is None:
        raise DataError([Problem("--format", None, None, f"unknown format '{fmt}'",
                                 f"use one of: {', '.join(TEMPLATE_WRITERS)}")])
    rules = load_rules(root)
    targets, indicators = catalogue.load_targets(root), catalogue.load_indicators(root)
    resolved = resolve(load_observations(root=root))
    frame = template_frame(region, targets, indicators, resolved, rules)
    out = Path(out) if out else Path(f"observations_template_{region}.{fmt}")
    writer(frame, _indicator_sheet(targets[targets["region"] == region], indicators), rules, out)
    return out


# ---------------------------------------------------------------------------------------------------
# Summaries for the command line


def _cell(row) -> str:
    flag = "*" if row.conflict else ""
    agree = f" ({row.n_sources})" if row.n_sources > 1 else ""
    return f"{row.year}: {_figure(row.qualifier, row.value)}{flag}{agree}"


def coverage_table(resolved: pd.DataFrame) -> pd.DataFrame:
    """Per region and indicator: the years with a figure and the figures, conflicts starred."""
    rows = []
    for (region, indicator), group in resolved.groupby(["region", "indicator"], sort=True):
        rows.append({"region": region, "indicator": indicator, "unit": group["unit"].iloc[0],
                     "years": len(group), "conflicts": int(group["conflict"].sum()),
                     "values": "  ".join(_cell(r) for r in group.sort_values("year").itertuples())})
    return pd.DataFrame(rows, columns=["region", "indicator", "unit", "years", "conflicts", "values"])


def _source_line(label: str, qualifier: str, value: float, kind: str, url: str, file: str, row: int) -> str:
    return f"  {label:<8} {_figure(qualifier, value):<10} {kind or 'no kind':<20} {url}  ({file} row {row})"


def _print_conflicts(console, table: pd.DataFrame) -> None:
    """Each disagreement: the used figure and every differing one, with kind, URL, file:row and excerpt."""
    if table.empty:
        console.print("No conflicts: every region, indicator and year has sources that agree.")
        return
    say = functools.partial(console.print, markup=False, highlight=False, soft_wrap=True)
    for (region, indicator, year), group in table.groupby(GROUP, sort=True):
        first = group.iloc[0]
        say(f"{region} · {indicator} · {year}")
        say(_source_line("used", first.used_qualifier, first.used_value, first.used_source_kind,
                         first.used_source_url, first.used_source_file, first.used_source_row))
        say(f"{'':11}“{first.used_excerpt}”")
        for other in group.itertuples():
            say(_source_line("differs", other.other_qualifier, other.other_value, other.other_source_kind,
                             other.other_source_url, other.other_source_file, other.other_source_row)
                + (" (the same figure, rounded differently)" if other.agrees_when_rounded else ""))
            say(f"{'':11}“{other.other_excerpt}”")
        say(f"  why: {first.reason}")


def print_summary(console, region: str | None = None, conflicts: bool = False,
                  extra: Iterable[Path] | None = None, root: Path | None = None) -> None:
    """What data there is per region, indicator and year; with `conflicts`, each disagreement and sources."""
    from rich.table import Table

    frame = load_observations(extra, root)
    if region is not None:
        known = _context(root).regions
        if region not in known:
            raise DataError([Problem("--region", None, None, f"unknown region '{region}'",
                                     f"use one of: {', '.join(known)}")])
        frame = frame[frame["region"] == region]
    resolved = resolve(frame)
    console.print(f"{len(frame)} observation rows from {frame['source_file'].nunique()} file(s): "
                  f"{len(resolved)} region-indicator-years, {int(resolved['conflict'].sum())} with sources "
                  "that disagree.", highlight=False)
    if conflicts:
        _print_conflicts(console, conflict_pairs(frame))
        return
    table = Table("region", "indicator", "unit", "years", "values",
                  caption="values: the figure used per year; * sources disagree (see --conflicts); "
                          "(n) n sources agree")
    table.columns[1].no_wrap = True
    for row in coverage_table(resolved).itertuples():
        table.add_row(row.region, row.indicator, row.unit, str(row.years), row.values)
    console.print(table)


def main() -> None:
    """`python -m analysis.observations`: rebuild data/observations.csv from the seed snapshot."""
    print(f"written {write_seed_observations()}")


if __name__ == "__main__":
    main()

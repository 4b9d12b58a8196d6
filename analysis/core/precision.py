"""How many digits a figure can honestly carry, and printing it with that many.

A figure is printed with the decimals its inputs were published with (32.52 − 18.83 = 13.69, two
decimals), never more; an interval is printed with no more digits than its width supports (a
forecast of 350 with an interval 325–382 is not "350.27 (325.15–382.28)").
"""

from __future__ import annotations

import math

MAX_DECIMALS = 4  # a float read without its printed text: digits beyond this are noise


def decimals_of(value: float) -> int:
    """Decimals of a number as it would be printed (92.5 → 1, 200 → 0), at most MAX_DECIMALS."""
    if value is None or not math.isfinite(value):
        return 0
    text = f"{value:.{MAX_DECIMALS}f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def fmt(value: float, decimals: int | None = None) -> str:
    """A figure with `decimals` digits after the point (its own printed decimals when None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    digits = decimals_of(value) if decimals is None else max(0, int(decimals))
    text = f"{value:.{digits}f}"
    return text.lstrip("-") if float(text) == 0 else text


def signed(value: float, decimals: int | None = None) -> str:
    """A change with its sign: +1.5, −2.0 (a true minus sign), 0."""
    text = fmt(value, decimals)
    if not text or float(text) == 0:
        return text.lstrip("-")
    return f"+{text}" if value > 0 else "−" + text.lstrip("-")


def interval_decimals(lower: float, upper: float, decimals: int) -> int:
    """Digits an interval supports: no finer than a tenth of its width (325.15–382.28 is 325–382), and
    never finer than the data's own decimals. A zero-width interval is no interval: callers should not
    print one."""
    width = abs(upper - lower)
    if not math.isfinite(width) or width == 0:
        return decimals
    supported = max(0, -math.floor(math.log10(width / 10)))
    return min(decimals, supported)


BAND_EDGES = (0.0, 0.6, 0.95)  # the R bands' edges (data/progress_bands.csv): rounding must not cross one


def ratio_text(ratio: float, edges: tuple[float, ...] = BAND_EDGES) -> str:
    """The pace ratio R with two decimals (the band edges 0.6 and 0.95 need the second), more when two
    would round it across an edge (0.9499 is 0.9499, below 0.95, not "0.95")."""
    if ratio is None or not math.isfinite(ratio):
        return ""
    for digits in (2, 3, 4):
        shown = round(ratio, digits)
        if not any((ratio < e) != (shown < e) for e in edges):
            return f"{ratio:.{digits}f}"
    return f"{ratio:.4f}"

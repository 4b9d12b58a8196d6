"""A bound (`<= 12`, `> 90`) checked against the forecast of a series with one exact figure.

A bound says where a value is not, not where it is: it is never fitted (Series.exact). A series with
one exact figure and a bound is forecast flat from that figure (sparse: random walk, no drift); its
bounds are then only checked against that flat path at their years, and the reason says whether each
agrees and, when it does not, by how much. Nothing is shifted to meet a bound: one figure cannot
estimate a drift, and inventing one from a bound would invent an observation.
"""

from __future__ import annotations

import operator

import numpy as np

from analysis.forecasting.series import Series

HOLDS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def bound_notes(history: Series, years: np.ndarray, path: np.ndarray) -> str:
    """One note per bound of `history`: checked against `path` (the forecast on the indicator's scale
    for `years`) at the bound's year, or said to lie outside the forecast years."""
    notes = []
    for year, qualifier, bound in zip(history.years, history.qualifiers, history.values, strict=True):
        if qualifier not in HOLDS:
            continue
        said = f"the {year} bound {qualifier} {bound:g}"
        at = np.flatnonzero(years == year)
        if len(at) == 0:
            notes.append(f"{said} lies outside the forecast years: not checked")
            continue
        value = float(path[at[0]])
        if HOLDS[qualifier](value, bound):
            notes.append(f"{said} agrees with the flat path ({value:.4g} in {year})")
            continue
        side = "above" if value > bound else "below" if value < bound else "at"
        gap = f"{abs(value - bound):.3g} {side} it" if side != "at" else "exactly at it"
        notes.append(
            f"{said} disagrees with the flat path ({value:.4g} in {year}, {gap}): "
            "the path is not moved to meet it (one figure cannot estimate a drift)"
        )
    return "; ".join(notes)

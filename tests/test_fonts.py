"""Charts are laid out with the fonts shipped in analysis/site/fonts and no others: every chart spec names
them, they cover the text the data can put in a chart, and the same chart has the same SVG and PNG bytes
whatever fonts the machine has (checked with an extra font made visible to the system in ~/.fonts)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fontTools.ttLib import TTFont

from analysis.core import paths
from analysis.site import charts, fonts, overview_charts

REPO = paths.project_root()
# Where a chart's text comes from: the input files under data/ (their README files describe, they feed
# no chart, as for the build's fingerprint) and the labels of the pages and charts.
TEXT_SOURCES = [p for p in sorted((REPO / "data").rglob("*")) if p.is_file() and p.suffix != ".md"]
TEXT_SOURCES.append(REPO / "analysis" / "templates" / "labels.csv")
LAYOUT = {"\n", "\r", "\t", "\ufeff"}  # line ends, tabs and a byte-order mark are never drawn


def level_one_hanzi() -> set[str]:
    """GB2312 level 1: rows 16-55 (bytes 0xB0-0xD7) of 94 cells each, the last row only 89 long."""
    found = set()
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                found.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


@pytest.fixture(scope="module")
def covered() -> dict[str, set[int]]:
    return {p.name: set(TTFont(p).getBestCmap()) for p in fonts.font_files()}


def test_the_shipped_fonts_are_one_family_in_two_weights_with_their_licence():
    names = [p.name for p in fonts.font_files()]
    assert names == ["PlanTrackerSans-Bold.otf", "PlanTrackerSans-Regular.otf"]
    for path in fonts.font_files():
        table = TTFont(path)["name"]
        assert table.getDebugName(1) == "PlanTracker Sans"  # the family every chart spec names
        assert "Open Font License" in table.getDebugName(13)
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts.FOLDER / "OFL.txt").read_text(encoding="utf-8")


def test_every_character_of_the_data_and_the_labels_is_in_both_weights(covered):
    text = set().union(*(set(p.read_text(encoding="utf-8")) for p in TEXT_SOURCES)) - LAYOUT
    assert len(text) > 1000  # the plan texts alone bring over a thousand hanzi
    for name, cmap in covered.items():
        missing = sorted(c for c in text if ord(c) not in cmap)
        assert missing == [], f"{name} lacks {''.join(missing)}: run scripts/subset_fonts.py (its docstring)"


def test_common_hanzi_are_covered_so_that_new_data_text_is_too(covered):
    common = level_one_hanzi()
    assert len(common) == 39 * 94 + 89 == 3755
    assert "黔" in common and "筑" in common
    for name, cmap in covered.items():
        assert [c for c in sorted(common) if ord(c) not in cmap] == [], name


def test_every_chart_spec_names_the_shipped_family():
    frame = charts.chart_frame(
        pd_frame(["year", "qualifier", "value"], [(2020, "=", 1.5), (2022, "=", 3.0)]),
        pd_frame(["year", "qualifier", "value"], []),
        pd_frame(["target_id", "target_year", "comparator", "goal_value"], [("t", 2025, ">=", 4.0)]),
        pd_frame(["year", "mean", "lower80", "upper80", "method"], []),
    )
    figure = charts.figure(frame, "chart-x", "床位", "贵阳", "张", "caption", "zh")
    assert figure.spec["config"]["font"] == "PlanTracker Sans"
    families = set(re.findall(r'font-family="([^"]*)"', figure.svg + figure.svg_narrow))
    assert families == {"PlanTracker Sans"}
    counts = pd_frame(["region_label", "status", "targets"], [("贵州", "achieved", 2)])
    mix = overview_charts.status_mix_figure(counts, ["achieved"], "zh")
    assert mix.spec["config"]["font"] == "PlanTracker Sans"
    assert mix.spec["config"]["view"]["stroke"] is None  # the chart's own configuration is kept


def pd_frame(columns: list[str], rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


# A chart with Latin and Chinese text in every place text goes (title, subtitle, axes, legend, marks),
# drawn in a process of its own (vl-convert reads the machine's fonts once per process), printed as the
# hashes of its SVG and PNG.
DRAW = """
import hashlib, json, math, sys
import pandas as pd
from analysis.site import charts
rows = lambda columns, *values: pd.DataFrame(list(values), columns=columns)
frame = charts.chart_frame(
    rows(["year", "qualifier", "value"], (2020, "=", 18.83), (2024, "=", 32.52), (2023, "<=", 35.0)),
    rows(["year", "qualifier", "value"], (2024, "=", 31.87)),
    rows(["target_id", "target_year", "comparator", "goal_value"], ("t-2025", 2025, ">=", 30.0)),
    rows(["year", "mean", "lower80", "upper80", "method"], (2025, 35.1, 33.7, 39.66, "pace")))
figure = charts.figure(frame, "chart-guiyang-literacy", "居民健康素养水平 Health literacy",
                       "贵阳贵安 Guiyang", "百分比 %", "caption", "zh")
svg = (figure.svg + figure.svg_narrow).encode()
print(json.dumps({"svg": hashlib.sha256(svg).hexdigest(), "png": hashlib.sha256(figure.png()).hexdigest()}))
"""

# The same chart's spec drawn without registering the shipped fonts, as vl-convert does by default: the
# control that shows the extra font is visible to the renderer, so that the comparison can fail.
DRAW_UNREGISTERED = """
import hashlib, json, vl_convert
spec = {"data": {"values": [{"a": "贵阳贵安 Guiyang 2024"}]}, "mark": "text", "title": "居民健康素养水平",
        "encoding": {"text": {"field": "a"}}, "config": {"font": "PlanTracker Sans"}}
svg, png = vl_convert.vegalite_to_svg(spec).encode(), vl_convert.vegalite_to_png(spec)
print(json.dumps({"svg": hashlib.sha256(svg).hexdigest(), "png": hashlib.sha256(png).hexdigest()}))
"""


def impostor_font(folder: Path) -> Path:
    """A font the machine could have: the shipped bold face under the shipped family's own name, marked
    regular (other widths for the same name: the worst case), and again under common system names."""
    folder.mkdir(parents=True)
    for family in ("PlanTracker Sans", "DejaVu Sans", "Liberation Sans", "Arial", "Noto Sans CJK SC"):
        font = TTFont(fonts.FOLDER / "PlanTrackerSans-Bold.otf")
        table = font["name"]
        for name_id, text in {
            1: family,
            2: "Regular",
            4: f"{family} Regular",
            16: family,
            17: "Regular",
        }.items():
            table.setName(text, name_id, 3, 1, 0x409)
        font["OS/2"].usWeightClass = 400
        font.save(folder / f"{family.replace(' ', '')}-Extra.otf")
    return folder


def draw(script: str, home: Path) -> dict:
    """Run `script` with `home` as the user's home (its ~/.fonts seen by the font lookup), no font
    configuration of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FONTCONFIG", "XDG_"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), PYTHONHASHSEED="0")
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300, cwd=REPO
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_chart_has_the_same_bytes_whatever_fonts_the_machine_has(tmp_path: Path):
    plain, extra = tmp_path / "plain", tmp_path / "extra"
    plain.mkdir()
    impostor_font(extra / ".fonts")
    assert draw(DRAW_UNREGISTERED, plain) != draw(DRAW_UNREGISTERED, extra)  # the extra font is seen
    assert draw(DRAW, plain) == draw(DRAW, extra)


def test_the_fonts_digest_is_their_names_and_bytes():
    expected = hashlib.sha256()
    for name in ("PlanTrackerSans-Bold.otf", "PlanTrackerSans-Regular.otf"):
        expected.update(name.encode())
        expected.update((fonts.FOLDER / name).read_bytes())
    assert fonts.digest() == expected.hexdigest()[:16]

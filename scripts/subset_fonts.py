"""Make the chart fonts shipped in analysis/site/fonts/ from Noto Sans CJK SC (SIL Open Font License 1.1).

Charts are laid out with these fonts and no other (analysis/site/fonts), so that a chart's SVG and PNG bytes
do not depend on the fonts a machine has installed. The full font is 16 MB a weight; the charts need the
characters of the data and the labels, plus enough of Chinese that a new figure's text is still covered:
every character of GB2312 (its 6,763 hanzi: level 1, the common 3,755, and level 2) and its symbols,
Latin with pinyin tones, the punctuation and the full-width forms. The family is renamed (the licence's
rule for a modified font, and so that an installed "Noto Sans CJK SC" can never stand in for it).

Run after the data gains characters outside the set (tests/test_fonts.py names them), with the .ttc
files of the Debian package fonts-noto-cjk (`apt-get install fonts-noto-cjk`) or of
github.com/notofonts/noto-cjk (Sans/OTC):

    .venv/bin/python scripts/subset_fonts.py /usr/share/fonts/opentype/noto
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "analysis" / "site" / "fonts"
FAMILY = "PlanTracker Sans"
WEIGHTS = {"Regular": "NotoSansCJK-Regular.ttc", "Bold": "NotoSansCJK-Bold.ttc"}
SC_INDEX = 2  # in the collection: JP, KR, SC, TC, HK, then the Mono faces
# Text the charts can show besides the data: labels, the analysis code's own strings, the notebooks.
TEXT_FILES = ["data/**/*", "analysis/**/*.csv", "analysis/**/*.yaml", "analysis/**/*.py", "notebooks/*.ipynb"]
RANGES = [
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x1CD, 0x1DC),
    (0x2010, 0x2027),
    (0x2030, 0x203A),
    (0x2190, 0x2193),
    (0x2212, 0x2212),
    (0x2264, 0x2265),
    (0x2248, 0x2248),
    (0x3000, 0x303F),
    (0xFF01, 0xFF5E),
    (0xFFE0, 0xFFE6),
]


def gb2312() -> set[str]:
    """Every character of GB2312: symbols (rows 1-9) and hanzi of level 1 (rows 16-55) and 2 (56-87)."""
    found = set()
    for row in [*range(0xA1, 0xAA), *range(0xB0, 0xF8)]:
        for cell in range(0xA1, 0xFF):
            try:
                found.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def project_text() -> set[str]:
    chars = set()
    for pattern in TEXT_FILES:
        for path in ROOT.glob(pattern):
            if path.is_file():
                chars |= set(path.read_text(encoding="utf-8", errors="ignore"))
    return chars


def wanted() -> str:
    chars = gb2312() | project_text() | {chr(c) for a, b in RANGES for c in range(a, b + 1)}
    return "".join(sorted(c for c in chars if c.isprintable() or c == " "))


def renamed(font, weight: str):
    """The subset under its own family name (OFL: a modified version does not keep the original name)."""
    names = {
        1: FAMILY,
        2: weight,
        3: f"{FAMILY} {weight}; subset of Noto Sans CJK SC 2.004",
        4: f"{FAMILY} {weight}",
        6: f"{FAMILY.replace(' ', '')}-{weight}",
        16: FAMILY,
        17: weight,
    }
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in names and n.nameID not in (18, 21, 22)]
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)
    font["CFF "].cff.fontNames = [names[6]]
    font["CFF "].cff[0].FamilyName = FAMILY
    font["CFF "].cff[0].FullName = names[4]
    return font


def main(source_folder: str) -> None:
    text = wanted()
    options = subset.Options()
    options.layout_features = ["kern", "liga", "locl", "ccmp", "calt", "palt", "halt", "vert", "vrt2"]
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    for weight, file in WEIGHTS.items():
        font = TTCollection(Path(source_folder) / file).fonts[SC_INDEX]
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        target = OUT / f"PlanTrackerSans-{weight}.otf"
        renamed(font, weight).save(target)
        print(f"{target.relative_to(ROOT)}: {len(text)} characters, {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(
            f"usage: {sys.argv[0]} FOLDER (holding NotoSansCJK-Regular.ttc and NotoSansCJK-Bold.ttc; "
            "Debian: /usr/share/fonts/opentype/noto)"
        )
    main(sys.argv[1])

"""The fonts every chart is laid out with, shipped here so that a chart is the same on every machine.

vl-convert measures chart text with the fonts it can find; left alone, it finds the machine's (and a
machine with other fonts draws other SVG and PNG bytes). Every chart spec names the family shipped in this
folder (`with_fonts`), which vl-convert is given (`register`), so text is measured and drawn with these
files whatever else is installed. They are subsets of Noto Sans CJK SC (SIL Open Font License 1.1, see
OFL.txt), renamed so that an installed Noto font cannot stand in for them, covering Latin, pinyin and every
character of GB2312 plus every character of data/; scripts/subset_fonts.py makes them. Their bytes are part
of a notebook's fingerprint (`digest`).
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

FAMILY = "PlanTracker Sans"
FOLDER = Path(__file__).resolve().parent
SUFFIXES = (".otf", ".ttf")


def font_files() -> list[Path]:
    """The shipped font files, in a fixed order."""
    return sorted(p for p in FOLDER.iterdir() if p.suffix in SUFFIXES)


# A fontconfig file naming this folder alone: vl-convert's font database reads FONTCONFIG_FILE, when it
# is first built, to find "the system's" fonts, so it finds these and no others.
CONFIG = FOLDER / "fonts.conf"


@functools.cache
def register() -> str:
    """Give vl-convert the shipped fonts and no others (once per process, before its first chart: its font
    database is built once); returns the family name. The variable is set only while the database is
    built, so that nothing else in the process (a browser it starts) loses the machine's fonts."""
    import vl_convert

    before = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(CONFIG)
    try:
        vl_convert.register_font_directory(str(FOLDER))
    finally:
        if before is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = before
    return FAMILY


def with_fonts(spec: dict) -> dict:
    """A Vega-Lite spec whose every text (titles, axes, legends, text marks) uses the shipped family."""
    config = dict(spec.get("config") or {})
    config["font"] = FAMILY
    return {**spec, "config": config}


@functools.cache
def digest() -> str:
    """A hash of the shipped fonts' names and bytes: a changed font changes every chart's bytes."""
    sha = hashlib.sha256()
    for path in font_files():
        sha.update(path.name.encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()[:16]

"""How long reading and checking large observation files takes, and how much memory, per case.

Each case runs in its own process (so the peak memory is the case's own) on synthetic files written to a
temporary folder; none is written into data/:

  series 100k       100,000 rows, distinct keys (1,000 synthetic counties × 5 indicators × 20 years),
                    read as a `forecast` series file (any region, sources optional); a fifth of the
                    values typed with a % sign
  plain 100k        the same without % signs (the reader before this change refused them)
  project 100k      the same rows for the project's five regions (900 keys, ~110 rows each), as
                    `validate FILE` checks them
  repeated 200k     200,000 rows on 8,000 keys, each key given 25 times with differing figures
  sparse xlsx       a 5 kB workbook with one stray cell at A1048576
  wide xlsx         a workbook with one stray cell at XFD5

With `--before PATH` the same cases also run against an older copy of the package (e.g. one extracted
with `git archive <commit> analysis | tar -x -C PATH`), side by side.

    .venv/bin/python bench/readers.py [--before /tmp/old] [--timeout 120]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INDICATORS = [
    ("health_literacy_rate", "%", 20.0),
    ("life_expectancy", "", 75.0),
    ("maternal_mortality_ratio", "", 12.0),
    ("infant_mortality_rate", "", 5.0),
    ("physicians_per_1000", "", 3.0),
]
HEADER = "region,indicator,year,value,source_url,source_kind\n"


def write_cases(folder: Path) -> dict[str, Path]:
    """The synthetic input files (all figures synthetic, marked so in their URLs)."""
    cases = {}
    lines = [HEADER]
    for county in range(1000):
        for indicator, mark, level in INDICATORS:
            for k, year in enumerate(range(2005, 2025)):
                value = f"{level + 0.1 * k + county % 7 * 0.01:.2f}{mark}"
                lines.append(
                    f"county_{county:04d},{indicator},{year},{value},"
                    f"http://synthetic.example/{county},official_news\n"
                )
    (folder / "series_100k.csv").write_text("".join(lines), encoding="utf-8")
    cases["series 100k"] = folder / "series_100k.csv"
    plain = [lines[0]] + [line.replace("%,", ",", 1) for line in lines[1:]]
    (folder / "plain_100k.csv").write_text("".join(plain), encoding="utf-8")
    cases["plain 100k"] = folder / "plain_100k.csv"
    regions = ["guizhou", "guiyang", "bazhong", "china", "sichuan"]
    project = [HEADER] + [
        line.replace(line.split(",")[0], regions[i % 5], 1) for i, line in enumerate(lines[1:])
    ]
    (folder / "project_100k.csv").write_text("".join(project), encoding="utf-8")
    cases["project 100k"] = folder / "project_100k.csv"
    repeated = [HEADER]
    for key in range(8000):
        indicator, mark, level = INDICATORS[key % 5]
        for copy in range(25):
            repeated.append(
                f"county_{key // 5:04d},{indicator},{2000 + key % 25},{level + copy * 0.1:.1f}{mark},"
                f"http://synthetic.example/{key}/{copy},other\n"
            )
    (folder / "repeated_200k.csv").write_text("".join(repeated), encoding="utf-8")
    cases["repeated 200k"] = folder / "repeated_200k.csv"
    from openpyxl import Workbook

    for name, cell in (("sparse", "A1048576"), ("wide", "XFD5")):
        book = Workbook()
        sheet = book.active
        sheet.title = "observations"
        sheet.append(HEADER.strip().split(","))
        sheet.append(
            ["guizhou", "health_literacy_rate", 2022, "25.1%", "http://synthetic.example/x", "official_news"]
        )
        sheet[cell] = "stray"
        book.save(folder / f"{name}.xlsx")
        cases[f"{name} xlsx"] = folder / f"{name}.xlsx"
    return cases


RUN = """
import json, resource, sys, time
from pathlib import Path
{imports}
from analysis.core.errors import DataError
path, mode = Path(sys.argv[1]), sys.argv[2]
started = time.perf_counter()
try:
    if mode == "series":
{read_series}
    else:
        problems = {validate}([path])
        outcome = f"{{sum(p.severity == 'error' for p in problems)}} errors, {{len(problems)}} problems"
except DataError as exc:
    outcome = f"refused: {{len(exc.problems)}} problems: {{exc.problems[0].message[:70]}}"
seconds = time.perf_counter() - started
print(json.dumps({{"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "outcome": outcome}}))
"""
# The same measurement against today's reader and against the package before it was rewritten.
RUN_NEW = RUN.format(
    imports="from analysis import pipeline",
    read_series=(
        "        rows, problems = pipeline.read_series(path, pipeline.Project.here())\n"
        '        outcome = f"{len(rows)} rows, {len(problems)} warnings"'
    ),
    validate="(lambda given: pipeline.validate(pipeline.Project.here(), given))",
)
RUN_OLD = RUN.format(
    imports="from analysis import forecast, observations",
    read_series=(
        '        rows = forecast.read_observation_file(path)\n        outcome = f"{len(rows)} rows"'
    ),
    validate="observations.validate_observation_files",
)


def run(code: str, package_root: Path, path: Path, mode: str, timeout: float) -> dict:
    env = {**os.environ, "PYTHONPATH": str(package_root), "PLANTRACKER_ROOT": str(REPO)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(path), mode],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            cwd=package_root,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": float("inf"), "peak_mb": float("nan"), "outcome": f"stopped after {timeout:g} s"}
    if done.returncode != 0:
        return {
            "seconds": float("nan"),
            "peak_mb": float("nan"),
            "outcome": "traceback: " + (done.stderr.strip().splitlines() or ["?"])[-1][:80],
        }
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, help="folder holding an older analysis/ package")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pt-bench-readers-") as tmp:
        cases = write_cases(Path(tmp))
        modes = {"series 100k": "series", "plain 100k": "series", "repeated 200k": "series"}
        print(f"{'case':<15} {'version':<7} {'seconds':>8} {'peak MB':>8}  outcome")
        for label, path in cases.items():
            mode = modes.get(label, "validate")
            versions = [("now", RUN_NEW, REPO)] + ([("before", RUN_OLD, args.before)] if args.before else [])
            for version, code, root in versions:
                r = run(code, root, path, mode, args.timeout)
                print(
                    f"{label:<15} {version:<7} {r['seconds']:>8.2f} {r['peak_mb']:>8.0f}  {r['outcome']}",
                    flush=True,
                )


if __name__ == "__main__":
    main()

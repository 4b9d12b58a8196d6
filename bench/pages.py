"""How long writing the generated pages takes from a clean clone: one process (the old way) against one
process per language (`analysis.site.pages.generate(root, workers=2)`), side by side in one run.

Each case runs `generate` in a fresh Python process on a copy of the project's inputs (data/, notebooks/,
the published editions, the site definition) with no cache folder, as a clean clone has: the forecast
fits are made again and every module imported again, every time. Each case prints its wall and CPU time
and a hash of every file it generated, so the run also shows that both ways write the same bytes.

  serial      generate(root, workers=1): the same calls, one after the other in one process
  parallel    generate(root, workers=2): the regions assessed once, then each language in a forked process
  before      (with --before PATH) generate(root) of an older copy of the package, e.g. one extracted with
              `git archive <commit> analysis | tar -x -C PATH`

Goal: parallel ≤ 15 s wall on a quiet two-core machine; the hashes all equal. Each case also prints the
CPU seconds other processes used while it ran ("others"): a case timed while others used the cores is not
comparable (the parallel case needs both cores; on a busy machine it is no faster than the serial one).

    .venv/bin/python bench/pages.py [--repeat N] [--before PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CASE = """
import hashlib, json, resource, sys, time
from pathlib import Path
start = time.perf_counter()
from analysis.site import pages
root, workers = Path(sys.argv[1]), int(sys.argv[2])
built = pages.generate(root, workers=workers) if workers else pages.generate(root)
wall = time.perf_counter() - start
sha = hashlib.sha256()
for name in sorted(built):
    content = built[name]
    sha.update(name.encode() + b"\\0" + (content.encode() if isinstance(content, str) else content) + b"\\0")
used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
cpu = sum(u.ru_utime + u.ru_stime for u in used)
print(json.dumps({"wall": wall, "cpu": cpu, "files": len(built), "sha": sha.hexdigest()[:16]}))
"""


def copy_inputs(destination: Path) -> Path:
    """What `generate` reads: data/, notebooks/, the published editions and the site definition."""
    for name in ("data", "notebooks", "reports/editions"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, destination / name)
    for path in REPO.glob("_quarto*.yml"):
        shutil.copyfile(path, destination / path.name)
    return destination


def run_case(root: Path, workers: int, package: Path) -> dict:
    """One cold run of `generate` in a fresh process, the cache folder removed first."""
    shutil.rmtree(root / ".plantracker-cache", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(package), "PLANTRACKER_ROOT": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", CASE, str(root), str(workers)],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the case failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (Linux), to tell how much other work ran
    beside a case: a case timed while others used the cores is not comparable."""
    stat = Path("/proc/stat")
    if not stat.exists():
        return None
    ticks = [int(v) for v in stat.read_text().splitlines()[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def timed_case(root: Path, workers: int, package: Path) -> dict:
    """run_case, with the CPU seconds other processes used meanwhile ("others")."""
    before = busy_seconds()
    result = run_case(root, workers, package)
    after = busy_seconds()
    result["others"] = max(0.0, after - before - result["cpu"]) if before is not None else float("nan")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each case (the fastest is kept)")
    parser.add_argument("--before", type=Path, help="an older copy of the package, run as a third case")
    args = parser.parse_args()
    cases = [("serial", 1, REPO), ("parallel", 2, REPO)]
    if args.before:
        cases.insert(0, ("before", 0, args.before.resolve()))
    best: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="plantracker-bench-pages-") as folder:
        root = copy_inputs(Path(folder))
        for run in range(args.repeat):
            for name, workers, package in cases:
                print(f"run {run + 1} {name:<9} …", end=" ", flush=True)
                result = timed_case(root, workers, package)
                print(
                    f"{result['wall']:6.1f} s wall, {result['cpu']:6.1f} s CPU, others used "
                    f"{result['others']:5.1f} CPU s meanwhile, sha {result['sha']}"
                )
                if name not in best or result["wall"] < best[name]["wall"]:
                    best[name] = result
    print()
    print(f"{'case':<10}{'wall s':>8}{'CPU s':>8}{'others':>8}{'files':>7}  sha")
    for name, result in best.items():
        print(
            f"{name:<10}{result['wall']:8.1f}{result['cpu']:8.1f}{result['others']:8.1f}{result['files']:7d}"
            f"  {result['sha']}"
        )
    base = "before" if "before" in best else "serial"
    ratio = best["parallel"]["wall"] / best[base]["wall"]
    speedup = best["serial"]["wall"] / best["parallel"]["wall"]
    print(f"\nparallel / {base}: {ratio:.2f} of the wall time; serial / parallel: {speedup:.2f}×")
    same = len({r["sha"] for r in best.values()}) == 1
    print("every case wrote the same files" if same else "THE CASES WROTE DIFFERENT FILES")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

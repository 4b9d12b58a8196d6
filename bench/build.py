"""How long `plantracker build` takes, against a naive sequential papermill loop over the same notebooks.

Runs on a copy of the project in a temporary folder (data/, notebooks/, the site definition), so the
repository's reports/ are not touched. Six timings:

  naive       every notebook executed one after the other with papermill, the generated pages written,
              then the site rendered
  cold        `build_site` on the fresh copy: notebooks in parallel over the cores with the generated
              pages written beside them, then the site
  no change   `build_site` again, in this process and as the `plantracker build` command
  one region  one synthetic change to a Guizhou figure in the copy, then `build_site`
  new file    a synthetic Guiyang file added to data/observations/, then `build_site`
  invalid     a synthetic file with errors added: how soon `plantracker build` refuses

Goals (issue 5): cold ≤ 0.6 × naive; no change ≤ 2 s; one region changed re-executes that region's
pages and the pages that show every region, nothing else; an invalid input is refused in about 2 s.

Then, when `quarto` is on PATH, both renderers side by side on copies of the built project (issue 17):
the whole site rendered from scratch (notebooks current), a build with nothing changed, and one region's
figure changed (its notebooks re-executed, only the pages whose content changed rendered again); goals
with Quarto: whole site < 3 min, one region changed ≤ 60 s. Each step says what it executed and how
many pages Quarto rendered. The copies are no git checkout: the pages cite no commit (a build after a
new commit in a checkout re-renders every page that cites it).

    .venv/bin/python bench/build.py [--jobs N] [--repeat N]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.build import fingerprint, generated, render
from analysis.build import orchestrate as build
from analysis.build.jobs import plan_jobs
from analysis.core import paths
from analysis.site import permalinks

REPO = paths.project_root()


def copy_project(destination: Path) -> Path:
    """data/, notebooks/ and the site's own sources (pages, both editions), no executed notebook and no
    generated page: the build writes those."""
    generated = {*permalinks.GENERATED_FOLDERS, permalinks.GENERATED_DATA}
    for name in ("data", "notebooks"):
        shutil.copytree(REPO / name, destination / name)
    for name in fingerprint.site_sources(REPO, render.load_site_config(REPO)):
        source = REPO / name
        if name.endswith(".ipynb") or name.split("/")[0] in generated or not source.is_file():
            continue
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination / name)
    (destination / "reports").mkdir()
    return destination


def naive(root: Path) -> float:
    """The loop a reader would write first: one papermill run after another, the pages written from the
    data (a page per target, the chart files), then the site."""
    import papermill

    started = time.perf_counter()
    config = render.load_site_config(root)
    for job in plan_jobs(root, config):
        job.output.parent.mkdir(parents=True, exist_ok=True)
        papermill.execute_notebook(
            str(job.source),
            str(job.output),
            parameters=job.parameters,
            progress_bar=False,
            kernel_name="python3",
        )
    generated.generated_pages(root, config, False, None)
    render.render_offline(root, root / "reports" / "naive-site")
    return time.perf_counter() - started


def timed_build(root: Path, jobs: int | None, force: bool = False) -> tuple[float, build.BuildReport]:
    started = time.perf_counter()
    report = build.build_site(renderer="offline", root=root, jobs=jobs, force=force)
    return time.perf_counter() - started, report


def command_seconds(root: Path, check: bool = True) -> float:
    """`plantracker build` as a researcher runs it, process start-up included."""
    command = [str(Path(sys.executable).with_name("plantracker")), "build", "--renderer", "offline"]
    started = time.perf_counter()
    env = {**os.environ, "PLANTRACKER_ROOT": str(root)}
    subprocess.run(command, check=check, capture_output=True, env=env)
    return time.perf_counter() - started


SYNTHETIC_GUIYANG = (
    "region,indicator,year,qualifier,value,unit,source_url,source_kind,excerpt\n"
    "guiyang,maternal_mortality_ratio,2023,=,10.5,per 100000 live births,"
    "http://example.org/synthetic,other,synthetic figure for a benchmark\n"
)
SYNTHETIC_BAD = (
    "region,indicator,year,value,source_url\n"
    "atlantis,life_expectancy,2021,79.1,http://example.org/synthetic\n"
    "guizhou,life_expectancy,2021,seventy,http://example.org/synthetic\n"
)


def change_one_figure(root: Path, region: str = "guizhou") -> str:
    """A synthetic edit in the copy: the last exact figure of the region nudged by 0.1."""
    path = root / "data" / "observations.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    row = [r for r in rows if r["region"] == region and r["qualifier"] == "="][-1]
    old = row["value"]
    row["value"] = f"{float(old) + 0.1:g}"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return f"{region} {row['indicator']} {row['year']}: {old} → {row['value']}"


class Notes:
    """Records the build's messages (a console that is no terminal: one line per notebook)."""

    is_terminal = False

    def __init__(self):
        self.lines: list[str] = []

    def print(self, message: str, **kwargs) -> None:
        self.lines.append(str(message))

    def what_was_done(self) -> str:
        """The notebooks executed and the pages Quarto rendered, from the build's own messages."""
        done = [line for line in self.lines if line.startswith(("executing ", "quarto: rendering"))]
        return "; ".join(done) or "nothing executed"


def renderer_timings(built: Path, scratch: Path, renderer: str, jobs: int | None) -> dict[str, float]:
    """On a copy of a built project: the site from scratch, again with nothing changed, and after one
    region's figure changed, with one renderer."""
    root = scratch / f"side-by-side-{renderer}"
    shutil.copytree(built, root, symlinks=True)
    shutil.rmtree(root / "reports" / "_site", ignore_errors=True)
    times = {}
    for step in ("site from scratch", "no change", "one region changed"):
        if step == "one region changed":
            change_one_figure(root, "bazhong")
        notes = Notes()
        started = time.perf_counter()
        build.build_site(renderer=renderer, root=root, jobs=jobs, console=notes)
        times[step] = time.perf_counter() - started
        print(f"  {renderer}, {step}: {times[step]:.1f} s — {notes.what_was_done()}", flush=True)
    return times


def side_by_side(built: Path, scratch: Path, jobs: int | None) -> None:
    """Both renderers' timings in one table, with Quarto's ratio to the offline renderer."""
    if not shutil.which("quarto"):
        print("quarto is not on PATH: the side-by-side timings of both renderers are skipped")
        return
    offline = renderer_timings(built, scratch, "offline", jobs)
    with_quarto = renderer_timings(built, scratch, "quarto", jobs)
    print(f"{'':22}{'offline':>10}{'quarto':>10}{'ratio':>8}")
    for step in offline:
        ratio = with_quarto[step] / offline[step] if offline[step] else float("nan")
        print(f"{step:22}{offline[step]:9.1f}s{with_quarto[step]:9.1f}s{ratio:7.1f}×")
    print("goals with Quarto: site from scratch < 180 s; one region changed ≤ 60 s")
    plain = plain_quarto_render(built, scratch)
    print(f"a plain `quarto render` of a clean copy (what a user runs): {plain:.1f} s")


def plain_quarto_render(built: Path, scratch: Path) -> float:
    """`quarto render` in a copy of the project with no generated page and no site: its pre-render step
    writes the pages and starts the Chinese render, its post-render step merges it."""
    from analysis.build import quarto

    root = scratch / "plain-quarto"
    shutil.copytree(built, root, symlinks=True, ignore=shutil.ignore_patterns("_site", ".plantracker-cache"))
    for generated_folder in (*permalinks.GENERATED_FOLDERS, permalinks.GENERATED_DATA):
        shutil.rmtree(root / generated_folder, ignore_errors=True)
    started = time.perf_counter()
    done = subprocess.run(["quarto", "render"], cwd=root, capture_output=True, env=quarto.quarto_env())
    if done.returncode != 0:
        print(done.stdout.decode()[-2000:], done.stderr.decode()[-2000:])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="notebooks at once (default: the cores)")
    parser.add_argument("--repeat", type=int, default=1, help="repeat naive and cold, keep the fastest")
    parser.add_argument(
        "--renderers-only", action="store_true", help="only the side-by-side renderer timings"
    )
    args = parser.parse_args()
    os.environ.pop("PLANTRACKER_ROOT", None)
    print(f"cores: {os.cpu_count()}, jobs: {args.jobs or os.cpu_count()}")
    naive_times, cold_times = [], []
    if args.renderers_only:  # on the committed notebooks, current: nothing executed before the renders
        with tempfile.TemporaryDirectory(prefix="pt-bench-") as scratch:
            root = copy_project(Path(scratch) / "committed")
            for folder in ("reports", "zh/reports"):
                for notebook in (REPO / folder).glob("*.ipynb"):
                    (root / folder).mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(notebook, root / folder / notebook.name)
            side_by_side(root, Path(scratch), args.jobs)
        return
    with tempfile.TemporaryDirectory(prefix="pt-bench-") as scratch:
        for i in range(args.repeat):
            naive_times.append(naive(copy_project(Path(scratch) / f"naive-{i}")))
            seconds, report = timed_build(copy_project(Path(scratch) / f"cold-{i}"), args.jobs)
            cold_times.append(seconds)
        root = Path(scratch) / f"cold-{args.repeat - 1}"
        side_by_side(root, Path(scratch), args.jobs)
        notebooks = len(report.executed)
        unchanged, again = timed_build(root, args.jobs)
        as_command = command_seconds(root)
        edit = change_one_figure(root)
        one, changed = timed_build(root, args.jobs)
        new_file = root / "data" / "observations" / "synthetic_guiyang.csv"
        new_file.write_text(SYNTHETIC_GUIYANG, encoding="utf-8")
        added, after_new = timed_build(root, args.jobs)
        bad = root / "data" / "observations" / "synthetic_bad.csv"
        bad.write_text(SYNTHETIC_BAD, encoding="utf-8")
        refused = command_seconds(root, check=False)
    best_naive, best_cold = min(naive_times), min(cold_times)
    print(f"notebooks: {notebooks} ({', '.join(report.executed)})")
    print(f"naive sequential papermill + render : {best_naive:6.1f} s")
    print(
        f"cold build (parallel)               : {best_cold:6.1f} s  = {best_cold / best_naive:.2f} × naive "
        f"(goal ≤ 0.60)"
    )
    print(
        f"no-change rebuild, in process       : {unchanged:6.2f} s  (executed {again.executed or 'none'}, "
        f"rendered: {again.rendered}; goal ≤ 2 s)"
    )
    print(f"no-change rebuild, `plantracker build`: {as_command:5.2f} s  (process start-up included)")
    print(f"one region changed ({edit})")
    print(
        f"  rebuild                           : {one:6.1f} s  executed {', '.join(changed.executed)}; "
        f"unchanged {', '.join(changed.skipped)}"
    )
    print("a new Guiyang file in data/observations/ (synthetic)")
    print(
        f"  rebuild                           : {added:6.1f} s  executed {', '.join(after_new.executed)}; "
        f"unchanged {', '.join(after_new.skipped)}"
    )
    print(
        f"an invalid file: `plantracker build` refuses in {refused:.2f} s (process start-up included; "
        f"goal about 2 s), nothing executed"
    )


if __name__ == "__main__":
    main()

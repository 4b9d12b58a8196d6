"""A build is published all at once or not at all: killed at any moment, run twice at once, the project
keeps a site and notebooks that belong together, reports/_site never disappears, and no scratch file
outlives the next build. On the tiny two-region fixture, whose notebooks run in about a second."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from analysis.build import fingerprint, freshness, jobs, lock, lockcheck, publish, render
from analysis.build import orchestrate as build
from analysis.build.scratch import kernel_socket_dir, scratch_dir
from analysis.core import paths
from analysis.core.errors import BuildError
from analysis.io.readers.catalogue import plan_regions
from analysis.site import fonts

TINY = Path(__file__).parent / "fixtures" / "tiny_site"

# The build as `plantracker build` runs it, in its own process, with the tests' pinned library code and no
# catalogue checks (the tiny site has no catalogue); `KILL_AFTER_REPLACES=n` kills the process from inside
# right after its n-th rename while publishing, the one moment a timer cannot aim at.
DRIVER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from rich.console import Console
    from analysis.build import fingerprint, orchestrate as build
    library = Path(sys.argv[2])
    fingerprint.library_files = lambda: [library]
    build.input_problems = lambda root: []
    limit = int(os.environ.get("KILL_AFTER_REPLACES", "0"))
    if limit:
        real_replace, count = os.replace, [0]
        def replace(a, b):
            real_replace(a, b)
            if str(b).endswith(".ipynb"):
                count[0] += 1
                if count[0] == limit:
                    os.kill(os.getpid(), signal.SIGKILL)
        os.replace = replace
    build.build_site(renderer="offline", root=Path(sys.argv[1]), jobs=2, console=Console(width=200))
""")


@pytest.fixture
def library(tmp_path: Path) -> Path:
    path = tmp_path / "library.py"
    path.write_text("VERSION = 1\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built_template(tmp_path_factory) -> Path:
    """The tiny site after one cold build, once per module: each test builds on a copy of it. The library
    file is named and filled as each test's `library` is, so the copies' fingerprints are current."""
    folder = tmp_path_factory.mktemp("template")
    library = folder / "library.py"
    library.write_text("VERSION = 1\n", encoding="utf-8")
    root = folder / "site"
    shutil.copytree(TINY, root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fingerprint, "library_files", lambda: [library])
        patch.setattr(build, "input_problems", lambda root: [])
        report = build.build_site(renderer="offline", root=root, jobs=2)
    assert report.executed == ["north", "south", "summary"]
    return root


@pytest.fixture
def site(tmp_path: Path, library: Path, monkeypatch, built_template: Path) -> Path:
    """A built tiny site of this test's own (a copy of the module's cold build: nothing left to run)."""
    root = tmp_path / "site"
    shutil.copytree(built_template, root)
    monkeypatch.setattr(fingerprint, "library_files", lambda: [library])
    monkeypatch.setattr(build, "input_problems", lambda root: [])
    assert build.build_site(renderer="offline", root=root).executed == []  # the copy is current here
    return root


def start_build(root: Path, library: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(root), str(library)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def set_north(root: Path, value: str) -> None:
    """A synthetic figure for the fixture's north region (north and summary re-execute)."""
    table = root / "data" / "observations.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    lines[1] = f"north,beds,2020,{value}"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")


def north_figure(root: Path) -> str:
    """The figure the north notebook and the summary notebook show, which must agree."""
    import re

    shown = set()
    for name in ("north", "summary"):
        text = (root / "reports" / f"{name}.ipynb").read_text(encoding="utf-8")
        shown |= set(re.findall(r"north: ([0-9.]+)", text))
    assert len(shown) == 1, shown
    return shown.pop()


def assert_consistent(root: Path) -> None:
    """The site was rendered from exactly the notebooks in reports/, and they agree with one another."""
    north_figure(root)
    config = render.load_site_config(root)
    assert freshness.site_is_current(root, config, "offline")
    site_page = (root / "reports" / "_site" / "reports" / "north.html").read_text(encoding="utf-8")
    assert f"north: {north_figure(root)}" in site_page


def leftovers(root: Path) -> list[str]:
    """Scratch that a finished build must not leave: its folder, kernel sockets, dot-files in reports/."""
    found = [p.name for p in (root / "reports").iterdir() if p.name.startswith(".")]
    scratch = (scratch_dir(root), kernel_socket_dir(root), publish.journal_file(root))
    found += [str(p) for p in scratch if p.exists()]
    return found


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


class SiteWatch:
    """Polls reports/_site/index.html while a build runs and counts the moments it was missing."""

    def __init__(self, root: Path):
        self.index, self.missing, self.looks = paths.site_dir(root) / "index.html", 0, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            self.looks += 1
            if not os.path.isfile(self.index):
                self.missing += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        return False


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the build and every kernel it started (its process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_build_killed_at_a_random_moment_leaves_a_consistent_project(site: Path, library: Path, seed: int):
    rng = random.Random(seed)
    before = north_figure(site)
    set_north(site, f"7.{seed}")
    with SiteWatch(site) as watch:
        process = start_build(site, library, TINY_SLEEP="0.4")
        delay = rng.uniform(0.2, 5.0)  # an uninterrupted build of this kind takes 3 to 5 s here
        time.sleep(delay)
        kill(process)
    assert watch.missing == 0 and watch.looks > 100
    publishing = publish.journal_file(site).exists()
    if publishing:  # killed while publishing: the next build completes it first
        publish.recover(site)
    found = north_figure(site)
    assert found in (before, f"7.{seed}")
    print(
        f"seed {seed}: killed after {delay:.2f} s; found the {'new' if found != before else 'old'} "
        f"notebooks{' (publish completed from the journal)' if publishing else ''}; "
        f"{watch.looks} looks at reports/_site, {watch.missing} missing"
    )
    assert_consistent(site)
    report = build.build_site(renderer="offline", root=site, jobs=2)
    assert north_figure(site) == f"7.{seed}"
    assert_consistent(site)
    assert leftovers(site) == []
    assert report.rendered or report.executed == []


@pytest.mark.parametrize("replaces", [1, 2])
def test_a_build_killed_between_two_notebook_renames_is_completed_by_the_next(
    site: Path, library: Path, replaces: int
):
    set_north(site, "8.5")
    with SiteWatch(site) as watch:
        process = start_build(site, library, KILL_AFTER_REPLACES=str(replaces))
        output, _ = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL, output
    assert watch.missing == 0
    assert publish.journal_file(site).exists()  # the publish had begun
    report = build.build_site(renderer="offline", root=site, jobs=2)
    assert report.executed == []  # the journal put the new notebooks in place: nothing to re-run
    assert north_figure(site) == "8.5"
    assert_consistent(site)
    assert leftovers(site) == []


def test_two_builds_at_once_one_waits_and_both_end_cleanly(site: Path, library: Path):
    set_north(site, "9.5")
    with SiteWatch(site) as watch:
        first = start_build(site, library, TINY_SLEEP="0.5")
        time.sleep(0.5)
        second = start_build(site, library, TINY_SLEEP="0.5")
        outputs = [p.communicate(timeout=120)[0] for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert "another build of this project is running" in outputs[1]
    assert "executing north, summary" in outputs[0]
    assert "(0 executed, 3 unchanged" in outputs[1]  # it found the first one's work done
    assert watch.missing == 0
    assert north_figure(site) == "9.5"
    assert_consistent(site)
    assert leftovers(site) == []


def test_a_second_build_that_may_not_wait_refuses_with_a_message(site: Path):
    with lock.BuildLock(site), pytest.raises(BuildError, match=r"another build .*running \(pid \d+\)"):
        build.build_site(renderer="offline", root=site, wait=False)


def test_interrupted_build_removes_its_scratch_and_changes_nothing(site: Path, library: Path):
    before = {p.name: p.read_bytes() for p in (site / "reports").glob("*.ipynb")}
    set_north(site, "6.5")
    process = start_build(site, library, TINY_SLEEP="2")
    deadline = time.monotonic() + 60
    while not list(scratch_dir(site).glob("reports/*.ipynb")) and time.monotonic() < deadline:
        time.sleep(0.05)  # papermill writes the scratch notebook as soon as it starts
    os.kill(process.pid, signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "Traceback" not in output or "KeyboardInterrupt" in output
    assert {p.name: p.read_bytes() for p in (site / "reports").glob("*.ipynb")} == before
    assert leftovers(site) == []


def test_stale_scratch_of_a_killed_build_is_removed_at_the_start(site: Path):
    scratch = scratch_dir(site)
    (scratch / "reports").mkdir(parents=True)
    (scratch / "reports" / "north.ipynb").write_text("half-written", encoding="utf-8")
    (site / "reports" / ".site-new-abc").mkdir()  # the earlier scheme's leftovers
    build.build_site(renderer="offline", root=site)
    assert leftovers(site) == []


def test_a_page_that_fails_publishes_nothing(site: Path, monkeypatch):
    before = files_of(site / "reports")
    set_north(site, "5.5")
    monkeypatch.setenv("TINY_FAIL_SOUTH", "1")
    with pytest.raises(BuildError, match="south"):
        build.build_site(renderer="offline", root=site, force=True, jobs=3)
    assert files_of(site / "reports") == before  # north and summary ran with the new figure: unpublished
    assert leftovers(site) == []


def test_the_lock_and_the_shipped_fonts_change_the_fingerprint_an_installed_font_does_not(
    site: Path, monkeypatch, tmp_path: Path
):
    config = render.load_site_config(site)
    job = jobs.plan_jobs(site, config)[0]
    regions = plan_regions(site)
    before = fingerprint.input_fingerprint(job, site, regions)
    home = tmp_path / "home"
    (home / ".fonts").mkdir(parents=True)
    shutil.copyfile(fonts.FOLDER / "PlanTrackerSans-Bold.otf", home / ".fonts" / "Extra.otf")
    monkeypatch.setenv("HOME", str(home))
    assert fingerprint.input_fingerprint(job, site, regions) == before
    other_lock = tmp_path / "requirements.lock"
    other_lock.write_text("version = 1\n", encoding="utf-8")
    monkeypatch.setattr(lockcheck, "lock_file", lambda: other_lock)
    with_lock = fingerprint.input_fingerprint(job, site, regions)
    assert with_lock != before
    monkeypatch.setattr(fonts, "digest", lambda: "other fonts")
    assert fingerprint.input_fingerprint(job, site, regions) not in (before, with_lock)

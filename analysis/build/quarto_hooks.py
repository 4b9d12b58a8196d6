"""Quarto's pre- and post-render steps (`_quarto.yml`: project.pre-render, project.post-render), so that a
plain `quarto render` on a clean clone renders the whole site in both languages.

pre   refuses (exit 1, the stale-report message) when reports/*.ipynb were not built from the current
      data: Quarto renders the committed notebooks and executes none, so `make site` is the fix; then
      writes the generated pages (targets/, gaps, changes, charts, downloads, _generated/); then, for a
      render of the whole default profile, starts the other profiles' renders in the background, each
      into a folder of its own.
post  waits for those renders and merges their pages, search index and sitemap into Quarto's output.

Both do nothing when `plantracker build` drives Quarto (it writes the pages and runs the profiles
itself), nor inside a background render.

    python -m analysis.build.quarto_hooks pre|post
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

if os.environ.get("PLANTRACKER_BUILD") and __name__ == "__main__":
    sys.exit(0)  # `plantracker build` drives Quarto itself: return at once, before the heavy imports

from analysis.build import quarto, quarto_merge, render  # noqa: E402
from analysis.core import paths  # noqa: E402
from analysis.core.errors import PlanTrackerError  # noqa: E402

CHILD_ENV = "PLANTRACKER_QUARTO_CHILD"
WAIT_SECONDS = 3600


def hooks_dir(root: Path) -> Path:
    """Where the background renders write their pages, logs and exit codes."""
    return paths.cache_dir(root) / "quarto"


def pre(root: Path, profile: str, render_all: bool) -> int:
    from analysis.build import freshness, generated

    stale = freshness.stale_reports(root)
    if stale:
        print(freshness.stale_message(stale), file=sys.stderr)
        print("quarto render shows the committed reports and executes none.", file=sys.stderr)
        return 1
    config = generated.generated_pages(root, render.load_site_config(root), False, None)
    folder = hooks_dir(root)
    shutil.rmtree(folder, ignore_errors=True)  # what an earlier render left: never merged into this one
    if not render_all or not config.profiles or profile != config.profiles[0].name:
        return 0
    folder.mkdir(parents=True)
    for other in config.profiles[1:]:
        subprocess.Popen(
            [sys.executable, "-m", "analysis.build.quarto_hooks", "child", other.name],
            cwd=root,
            env=quarto.quarto_env(**{CHILD_ENV: "1", "PLANTRACKER_ROOT": str(root)}),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        print(f"plantracker: rendering profile {other.name} beside this one", file=sys.stderr)
    return 0


def child(root: Path, profile: str) -> int:
    """Render one profile into its folder; its exit code written last, for `post` to wait on."""
    folder = hooks_dir(root)
    log = folder / f"{profile}.log"
    try:
        twin = folder / f"{profile}-project"  # its own `.quarto/` folder (quarto.twin_project says why)
        executable = quarto.quarto_executable()
        process = quarto.start_profile(
            executable, quarto.twin_project(root, twin), profile, folder / profile, log
        )
        code = process.wait()
    except (OSError, PlanTrackerError) as exc:
        log.write_text(str(exc), encoding="utf-8")
        code = 1
    (folder / f"{profile}.exit").write_text(str(code), encoding="utf-8")
    return code


def wait_for(folder: Path, profile: str) -> int:
    """The exit code of a background render, once it has finished."""
    status = folder / f"{profile}.exit"
    deadline = time.monotonic() + WAIT_SECONDS
    while not status.is_file():
        if time.monotonic() > deadline:
            return 1
        time.sleep(0.5)
    return int(status.read_text(encoding="utf-8").strip() or 1)


def post(root: Path, profile: str, out_dir: Path) -> int:
    config = render.load_site_config(root)
    folder = hooks_dir(root)
    if not config.profiles or profile != config.profiles[0].name or not folder.is_dir():
        return 0
    for other in config.profiles[1:]:
        code = wait_for(folder, other.name)
        log = folder / f"{other.name}.log"
        for line in quarto.problems_in(log) if log.is_file() else []:
            print(f"({other.name}) {line}", file=sys.stderr)
        if code != 0:
            print(f"plantracker: the render of profile {other.name} failed; see {log}", file=sys.stderr)
            return 1
        merged = quarto_merge.merge_profile(
            folder / other.name, out_dir, quarto.profile_lang(root, config, other)
        )
        print(
            f"plantracker: merged {len(merged)} pages of profile {other.name} into {out_dir}", file=sys.stderr
        )
    shutil.rmtree(folder, ignore_errors=True)
    return 0


def main(argv: list[str]) -> int:
    if os.environ.get(quarto.BUILD_ENV):
        return 0
    step = argv[0] if argv else ""
    root = Path(os.environ.get("QUARTO_PROJECT_DIR") or os.environ.get("PLANTRACKER_ROOT") or ".").resolve()
    os.environ["PLANTRACKER_ROOT"] = str(root)
    try:
        if step == "child":
            return child(root, argv[1])
        if os.environ.get(CHILD_ENV):
            return 0
        profile = os.environ.get("QUARTO_PROFILE", "").split(",")[0]
        if step == "pre":
            return pre(root, profile, os.environ.get("QUARTO_PROJECT_RENDER_ALL") == "1")
        if step == "post":
            out_dir = Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR") or paths.site_dir(root))
            return post(root, profile, out_dir)
    except PlanTrackerError as exc:
        print(f"plantracker: {exc}", file=sys.stderr)
        return 1
    print("usage: python -m analysis.build.quarto_hooks pre|post", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

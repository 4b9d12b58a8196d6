"""The generated pages (a page per target, the gaps and changes pages, their chart files), written by
`analysis.site.pages` from the data in a process of their own while the notebooks run, and only when
their inputs changed; they are no notebook: the site's fingerprint covers them as sources."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from analysis.build import render
from analysis.build.fingerprint import generated_fingerprint
from analysis.build.progress import say
from analysis.core import paths
from analysis.core.errors import BuildError
from analysis.site import permalinks


def start_generated_pages(
    root: Path, config: render.SiteConfig, force: bool, console, min_grade: str | None = None
) -> subprocess.Popen | None:
    """Start writing the pages _quarto.yml asks for from the data (a page per target, the chart files) in
    a process of its own, beside the notebooks; None when they are current or not asked for."""
    if not permalinks.wants_generated(config.render_patterns):
        return None
    fingerprint = generated_fingerprint(root, min_grade)
    stamp = root / permalinks.GENERATED_STAMP
    if not force and stamp.exists() and stamp.read_text(encoding="utf-8").strip() == fingerprint:
        return None
    say(console, "writing the target pages and chart files")
    log_path = paths.cache_dir(root) / "pages.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        grade = [min_grade] if min_grade else []
        process = subprocess.Popen(
            [sys.executable, "-m", "analysis.site.pages", str(root), fingerprint, *grade],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PLANTRACKER_ROOT": str(root)},
        )
    process.log_path = log_path
    return process


def stop_generated_pages(process: subprocess.Popen | None) -> None:
    """A build that fails or is interrupted stops the page writer too."""
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()


def finish_generated_pages(
    root: Path, process: subprocess.Popen | None, config: render.SiteConfig
) -> render.SiteConfig:
    """Wait for the generated pages; the configuration again, its globs now matching them."""
    if process is None:
        return render.load_site_config(root) if permalinks.wants_generated(config.render_patterns) else config
    if process.wait() != 0:
        lines = process.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        raise BuildError(
            f"the target pages could not be written: {lines[-1] if lines else 'no message'} "
            f"(details in {process.log_path}); the site was not changed"
        )
    return render.load_site_config(root)


def generated_pages(
    root: Path, config: render.SiteConfig, force: bool, console, min_grade: str | None = None
) -> render.SiteConfig:
    """Write the generated pages now (when their inputs changed) and return the configuration."""
    process = start_generated_pages(root, config, force, console, min_grade)
    return finish_generated_pages(root, process, config)

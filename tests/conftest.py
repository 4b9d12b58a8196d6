"""Fixtures shared by the test files that need a whole copy of the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis.core import paths

REPO = paths.project_root()


def copy_of_the_project(destination: Path) -> Path:
    """The files git tracks (as they are in the working tree), without caches, site or virtualenv."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=False)
    if listed.returncode == 0 and listed.stdout:
        for name in listed.stdout.decode().split("\0"):
            source = REPO / name
            if name and source.is_file():
                (destination / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination / name)
    else:
        shutil.copytree(
            REPO,
            destination,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", "_site", ".plantracker-cache", "__pycache__", "test-artefacts", ".*"
            ),
        )
    return destination


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the whole project that a test may change and build."""
    return copy_of_the_project(tmp_path / "project")


# ---------------------------------------------------------------- the site as Quarto renders it

REQUIRE_QUARTO = "PLANTRACKER_REQUIRE_QUARTO"


def quarto_or_skip() -> str:
    """The `quarto` on PATH; without one the Quarto tests skip, or fail where PLANTRACKER_REQUIRE_QUARTO=1
    (CI, whose .ci/run puts Quarto on PATH)."""
    found = shutil.which("quarto")
    if found:
        return found
    reason = "quarto is not on PATH"
    if os.environ.get(REQUIRE_QUARTO) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_QUARTO}=1 requires the site to be rendered with Quarto")
    pytest.skip(f"{reason}; set {REQUIRE_QUARTO}=1 to make this a failure")


@dataclass(frozen=True)
class QuartoRender:
    """A clean copy of the project rendered by a plain `quarto render`, as a user runs it."""

    root: Path
    site: Path
    output: str  # what quarto printed (stdout and stderr)
    returncode: int
    seconds: float


@pytest.fixture(scope="session")
def quarto_render(tmp_path_factory) -> QuartoRender:
    """`quarto render` in a copy of the project's tracked files (no generated page, no site): its
    pre-render step writes the generated pages and starts the Chinese render, its post-render merges it.
    Rendered once per session; the tests that read Quarto's site share it."""
    executable = quarto_or_skip()
    from analysis.build import quarto

    root = copy_of_the_project(tmp_path_factory.mktemp("quarto") / "project")
    started = time.perf_counter()
    done = subprocess.run(
        [executable, "render"], cwd=root, capture_output=True, text=True, env=quarto.quarto_env(), check=False
    )
    seconds = time.perf_counter() - started
    return QuartoRender(root, root / "reports" / "_site", done.stdout + done.stderr, done.returncode, seconds)


@pytest.fixture(scope="session")
def checked_site(request, tmp_path_factory) -> Path:
    """The site the page checks, the link check and the browser test read: Quarto's (a clean copy
    rendered by `quarto render`) when quarto is on PATH or required, else the offline renderer's,
    from the committed notebooks and freshly generated pages."""
    if shutil.which("quarto") or os.environ.get(REQUIRE_QUARTO) == "1":
        rendered = request.getfixturevalue("quarto_render")
        assert rendered.returncode == 0, rendered.output[-3000:]
        return rendered.site
    return request.getfixturevalue("offline_site")


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory) -> Path:
    """The offline renderer's site of the project, from the committed notebooks and freshly generated
    pages. Rendered once per session and only read: the Chinese-pages check, the layout measurements and
    the PDFs share it."""
    from analysis.build import generated, render

    config = generated.generated_pages(REPO, render.load_site_config(REPO), False, None)
    assert config.pages
    out = tmp_path_factory.mktemp("site") / "site"
    render.render_offline(REPO, out)
    return out
